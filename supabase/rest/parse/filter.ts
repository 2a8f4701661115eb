// In charge of the filter grammar: `[not.]operator[(any|all)].value`, `in.(…)` lists, `is.` values and full-text search with a language.

import {
  alt, anyChar, as, attempt, between, bind, char, label, many, map, noneOf, notFollowedBy, optionMaybe, pure, sepBy1, seq,
  skip, string, then,
} from './parsec.ts';
import type { Parser } from './parsec.ts';
import { delimiter, identifier, lexeme, quotedValue } from './tokens.ts';
import type { FtsOperator, IsValue, OpExpr, Operation, QuantifiableOperator, SimpleOperator } from './types.ts';

const keyword = <T>(word: string, value: T): Parser<T> => attempt(as(string(word), value));

const simpleOperator: Parser<SimpleOperator> = label(
  alt<SimpleOperator>(
    keyword('neq', 'neq'), keyword('cs', 'cs'), keyword('cd', 'cd'), keyword('ov', 'ov'), keyword('sl', 'sl'),
    keyword('sr', 'sr'), keyword('nxr', 'nxr'), keyword('nxl', 'nxl'), keyword('adj', 'adj'),
  ),
  'unknown single value operator',
);

const quantifiableOperator: Parser<QuantifiableOperator> = label(
  alt<QuantifiableOperator>(
    keyword('eq', 'eq'), keyword('gte', 'gte'), keyword('gt', 'gt'), keyword('lte', 'lte'), keyword('lt', 'lt'),
    keyword('like', 'like'), keyword('ilike', 'ilike'), keyword('match', 'match'), keyword('imatch', 'imatch'),
  ),
  'unknown single value operator',
);

/** The rest of the value, whatever it holds. */
export const singleValue: Parser<string> = map(many(anyChar), (cs) => cs.join(''));

/** One element of `in.(…)`: a double-quoted value (which may hold `,` and `)`) or raw text up to `,` or `)`. */
const listElement: Parser<string> = alt(
  attempt(skip(quotedValue, notFollowedBy(noneOf(',)')))),
  map(many(noneOf(',)')), (cs) => cs.join('')),
);

export const listValue: Parser<string[]> = skip(then(lexeme(char('(')), sepBy1(listElement, char(','))), lexeme(char(')')));

const caseInsensitive = (word: string): Parser<string> =>
  Array.from(word).reduce<Parser<string>>(
    (acc, c) => bind(acc, (prefix) => map(alt(char(c), char(c.toUpperCase())), (x) => prefix + x)),
    pure(''),
  );

const isValue: Parser<IsValue> = label(
  alt<IsValue>(
    attempt(as(caseInsensitive('null'), 'null' as const)),
    attempt(as(caseInsensitive('not_null'), 'not_null' as const)),
    attempt(as(caseInsensitive('true'), 'true' as const)),
    attempt(as(caseInsensitive('false'), 'false' as const)),
    attempt(as(caseInsensitive('unknown'), 'unknown' as const)),
  ),
  'isVal: (null, not_null, true, false, unknown)',
);

const ftsOperator: Parser<FtsOperator> = alt<FtsOperator>(
  keyword('fts', 'fts'), keyword('plfts', 'plfts'), keyword('phfts', 'phfts'), keyword('wfts', 'wfts'),
);

/** The operator expression of a filter, with `value` read by `valueParser` (the rest of the text, or up to `,`/`)` inside logic trees). */
export function opExpr(valueParser: Parser<string>): Parser<OpExpr> {
  const inOp = map(then(attempt(then(string('in'), delimiter)), listValue), (values): Operation => ({ type: 'in', values }));
  const isOp = map(then(attempt(then(string('is'), delimiter)), isValue), (value): Operation => ({ type: 'is', value }));
  const isDistinct = map(then(attempt(then(string('isdistinct'), delimiter)), valueParser), (value): Operation => ({ type: 'isdistinct', value }));
  const fts = map(
    seq(ftsOperator, optionMaybe(attempt(between(char('('), char(')'), identifier))), then(delimiter, valueParser)),
    ([operator, language, value]): Operation => ({ type: 'fts', operator, language, value }),
  );
  const simple = bind(simpleOperator, (operator) =>
    then(delimiter, map(valueParser, (value): Operation => ({ type: 'compare', operator, quantifier: null, value }))),
  );
  const quantifier = optionMaybe(
    attempt(between(char('('), char(')'), alt(attempt(as(string('any'), 'any' as const)), as(string('all'), 'all' as const)))),
  );
  const quantified = bind(seq(quantifiableOperator, quantifier), ([operator, q]) =>
    then(delimiter, map(valueParser, (value): Operation => ({ type: 'compare', operator, quantifier: q, value }))),
  );
  const operation = label(alt(inOp, isOp, isDistinct, attempt(fts), attempt(simple), attempt(quantified)), 'operator (eq, gt, ...)');
  const negation = alt(attempt(as(then(string('not'), delimiter), true)), pure(false));
  return bind(negation, (negated) => map(operation, (op): OpExpr => ({ negated, operation: op })));
}
