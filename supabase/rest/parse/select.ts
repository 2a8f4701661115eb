// In charge of the `select` grammar: fields with alias, cast, JSON path and aggregate; embeds with alias, hint, join type and spread.

import {
  alt, as, attempt, between, bind, char, eof, lazy, lookAhead, map, nestingLimited, notFollowedBy, optionMaybe,
  sepBy, seq, skip, string, then, zero,
} from './parsec.ts';
import type { Parser } from './parsec.ts';
import { field, fieldName, identifier, lexeme } from './tokens.ts';
import type { AggregateFunction, JoinType, SelectField, SelectItem } from './types.ts';

/** Deepest embedding accepted (PostgREST has no limit; this one keeps recursion off the JavaScript stack's edge). */
export const MAX_SELECT_DEPTH = 64;

const aliasSeparator: Parser<null> = then(char(':'), notFollowedBy(char(':')));

const alias: Parser<string | null> = optionMaybe(attempt(skip(fieldName, aliasSeparator)));

/** `::type` */
const cast: Parser<string | null> = optionMaybe(then(string('::'), identifier));

/** A field ends before `)`, `,` or the end of the input. */
const fieldEnd: Parser<null> = alt(
  attempt(as(lookAhead(string(')')), null)),
  attempt(as(lookAhead(string(',')), null)),
  attempt(eof),
);

const aggregation: Parser<AggregateFunction> = alt<AggregateFunction>(
  as(string('sum'), 'sum'),
  as(string('avg'), 'avg'),
  as(string('count'), 'count'),
  as(attempt(string('max')), 'max'),
  as(attempt(string('min')), 'min'),
);

const starField: Parser<SelectField> = skip(
  as(string('*'), { type: 'field', field: { name: '*', jsonPath: [] }, alias: null, cast: null, aggregate: null, aggregateCast: null } as const),
  fieldEnd,
);

/** `alias:count()::cast` */
const countField: Parser<SelectField> = bind(alias, (al) =>
  then(
    string('count()'),
    skip(
      map(cast, (aggregateCast): SelectField => ({ type: 'field', field: { name: '*', jsonPath: [] }, alias: al, cast: null, aggregate: 'count', aggregateCast })),
      fieldEnd,
    ),
  ),
);

/** `alias:name->path::cast.agg()::cast` */
const plainField: Parser<SelectField> = map(
  seq(alias, field, cast, optionMaybe(attempt(skip(then(char('.'), aggregation), string('()')))), cast, fieldEnd),
  ([al, fld, c, aggregate, aggregateCast]): SelectField => ({ type: 'field', field: fld, alias: al, cast: c, aggregate, aggregateCast }),
);

const fieldSelect: Parser<SelectField> = lexeme(alt(attempt(starField), attempt(countField), plainField));

type EmbedParam = { readonly type: 'join'; readonly value: JoinType } | { readonly type: 'hint'; readonly value: string };

const embedParam: Parser<EmbedParam> = then(
  char('!'),
  alt<EmbedParam>(
    attempt(as(string('left'), { type: 'join', value: 'left' } as const)),
    attempt(as(string('inner'), { type: 'join', value: 'inner' } as const)),
    attempt(map(fieldName, (value): EmbedParam => ({ type: 'hint', value }))),
  ),
);

/** Up to two `!` parameters: a hint and/or a join type, in any order; the first of each kind wins. */
const embedParams: Parser<{ hint: string | null; joinType: JoinType | null }> = map(seq(optionMaybe(embedParam), optionMaybe(embedParam)), (prms) => {
  const hint = prms.find((p) => p?.type === 'hint');
  const join = prms.find((p) => p?.type === 'join');
  return { hint: hint?.type === 'hint' ? hint.value : null, joinType: join?.type === 'join' ? join.value : null };
});

const beforeParen: Parser<null> = attempt(as(lookAhead(string('(')), null));

interface EmbedHead {
  readonly spread: boolean;
  readonly relation: string;
  readonly alias: string | null;
  readonly hint: string | null;
  readonly joinType: JoinType | null;
}

const relationSelect: Parser<EmbedHead> = lexeme(
  bind(alias, (al) =>
    bind(fieldName, (relation) =>
      relation === 'count'
        ? zero<EmbedHead>()
        : skip(map(embedParams, (p): EmbedHead => ({ spread: false, relation, alias: al, ...p })), beforeParen),
    ),
  ),
);

const spreadSelect: Parser<EmbedHead> = lexeme(
  bind(then(string('...'), fieldName), (relation) =>
    skip(map(embedParams, (p): EmbedHead => ({ spread: true, relation, alias: null, ...p })), beforeParen),
  ),
);

const toItem = (head: EmbedHead, select: SelectItem[]): SelectItem =>
  head.spread
    ? { type: 'spread', relation: head.relation, hint: head.hint, joinType: head.joinType, select }
    : { type: 'relation', relation: head.relation, alias: head.alias, hint: head.hint, joinType: head.joinType, select };

const nested: Parser<SelectItem[]> = nestingLimited(
  MAX_SELECT_DEPTH,
  lazy(() => between(char('('), char(')'), fieldForest)),
);

const fieldTree: Parser<SelectItem> = alt<SelectItem>(
  bind(attempt(spreadSelect), (head) => map(nested, (sel) => toItem(head, sel))),
  bind(attempt(relationSelect), (head) => map(nested, (sel) => toItem(head, sel))),
  map(fieldSelect, (f): SelectItem => f),
);

/** The whole `select` value; empty selects nothing. Like PostgREST, input after a complete list is ignored. */
export const fieldForest: Parser<SelectItem[]> = sepBy(fieldTree, lexeme(char(',')));

