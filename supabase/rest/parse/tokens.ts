// In charge of the grammar pieces shared by select, filters, order and logic: field names, quoted values, JSON paths and embed paths.

import {
  alt, as, attempt, bind, char, digit, eof, label, letter, lookAhead, many, many1, map, noneOf, notFollowedBy, oneOf,
  option, satisfy, sepBy1, seq, skip, string, then,
} from './parsec.ts';
import type { Parser } from './parsec.ts';
import type { EmbedPath, Field, JsonOperand, JsonOperation, JsonPath } from './types.ts';

/** Haskell's `isSpace`, which `T.strip` uses. */
const isHsSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r') || c === '\u00a0' || /^\p{Zs}$/u.test(c);

export function hsStrip(s: string): string {
  const cps = Array.from(s);
  let start = 0;
  let end = cps.length;
  while (start < end && isHsSpace(cps[start] ?? '')) start++;
  while (end > start && isHsSpace(cps[end - 1] ?? '')) end--;
  return cps.slice(start, end).join('');
}

const join = (cs: readonly string[]): string => cs.join('');

/** Spaces and tabs around a token. */
export const ws: Parser<string> = map(many(oneOf(' \t')), join);

export const lexeme = <T>(p: Parser<T>): Parser<T> => skip(then(ws, p), ws);

/** `"..."` with backslash escapes. */
export const quotedValue: Parser<string> = map(
  skip(then(char('"'), many(alt(noneOf('\\"'), then(char('\\'), satisfy(() => true))))), char('"')),
  join,
);

export const delimiter: Parser<string> = label(char('.'), 'delimiter (.)');

const identifierChar: Parser<string> = alt(letter, digit, oneOf('_ $'));

/** Letters, digits, `_`, `$` and inner spaces. */
export const identifier: Parser<string> = map(many1(identifierChar), (cs) => hsStrip(join(cs)));

/** Identifiers joined by dashes that do not start an arrow (`a-b`, but not `a->b`). */
function sepByDash(ident: Parser<string>): Parser<string> {
  const dash = as(attempt(then(char('-'), notFollowedBy(char('>')))), '-');
  return map(sepBy1(ident, dash), (parts) => parts.join('-'));
}

export const fieldName: Parser<string> = label(alt(quotedValue, sepByDash(identifier)), 'field name (* or [a..z0..9_$])');

const jsonKeyIdentifier: Parser<string> = map(many1(noneOf('(-:.,>)')), (cs) => hsStrip(join(cs)));

const jsonKeyName: Parser<string> = label(alt(quotedValue, sepByDash(jsonKeyIdentifier)), 'any non reserved character different from: .,>()');

const jsonIndexEnd: Parser<null> = alt(
  attempt(as(lookAhead(string('->')), null)),
  attempt(as(lookAhead(string('::')), null)),
  attempt(as(lookAhead(string('.')), null)),
  attempt(as(lookAhead(string(',')), null)),
  attempt(eof),
);

const jsonIndex: Parser<JsonOperand> = skip(
  map(seq(option('+', char('-')), many1(digit)), ([sign, ds]): JsonOperand => ({ type: 'index', value: sign + join(ds) })),
  jsonIndexEnd,
);

const jsonKey: Parser<JsonOperand> = map(jsonKeyName, (value): JsonOperand => ({ type: 'key', value }));

const jsonArrow: Parser<'->' | '->>'> = alt(attempt(as(string('->>'), '->>' as const)), attempt(as(string('->'), '->' as const)));

const jsonOperation: Parser<JsonOperation> = bind(jsonArrow, (arrow) =>
  map(alt(attempt(jsonIndex), attempt(jsonKey)), (operand): JsonOperation => ({ arrow, operand })),
);

export const jsonPath: Parser<JsonPath> = many(jsonOperation);

/** A column with an optional JSON path, surrounded by optional spaces. */
export const field: Parser<Field> = lexeme(map(seq(fieldName, option<JsonPath>([], jsonPath)), ([name, jp]): Field => ({ name, jsonPath: jp })));

/** `a.b.c->d` in a parameter name: the embed path `[a, b]` and the field `c->d`. */
export const treePath: Parser<{ path: EmbedPath; field: Field }> = bind(sepBy1(fieldName, delimiter), (names) =>
  map(option<JsonPath>([], jsonPath), (jp) => ({
    path: names.slice(0, -1),
    field: { name: names[names.length - 1] ?? '', jsonPath: jp },
  })),
);

/** `a,b,c` for `columns` and `on_conflict`. */
export const columnList: Parser<string[]> = sepBy1(fieldName, lexeme(char(',')));

