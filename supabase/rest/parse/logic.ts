// In charge of the logic-tree grammar: `or=(…)`, `and=(…)`, `not.or=(…)`, nested trees and the embed path before them (`rel.or`).

import { alt, as, attempt, bind, char, label, lazy, many, map, nestingLimited, noneOf, notFollowedBy, pure, sepBy1, seq, skip, string, then } from './parsec.ts';
import type { Parser } from './parsec.ts';
import { opExpr } from './filter.ts';
import { delimiter, field, fieldName, lexeme, quotedValue } from './tokens.ts';
import type { EmbedPath, Filter, LogicTree } from './types.ts';

export const MAX_LOGIC_DEPTH = 64;

/** A value inside a logic tree: quoted, a `{…}` array literal, or raw text up to `,` or `)`. */
const logicValue: Parser<string> = alt(
  attempt(skip(quotedValue, notFollowedBy(noneOf(',)')))),
  attempt(map(seq(string('{'), many(noneOf('{}')), string('}')), ([open, inner, close]) => open + inner.join('') + close)),
  map(many(noneOf(',)')), (cs) => cs.join('')),
);

const logicFilter: Parser<Filter> = map(seq(skip(field, delimiter), opExpr(logicValue)), ([fld, expr]): Filter => ({ field: fld, opExpr: expr }));

const negation: Parser<boolean> = label(alt(attempt(as(then(string('not'), delimiter), true)), pure(false)), 'negation operator (not)');

const logicOperator: Parser<'and' | 'or'> = label(alt(attempt(as(string('and'), 'and' as const)), as(string('or'), 'or' as const)), 'logic operator (and, or)');

const children: Parser<LogicTree[]> = nestingLimited(
  MAX_LOGIC_DEPTH,
  lazy(() => skip(then(lexeme(char('(')), sepBy1(logicTree, lexeme(char(',')))), lexeme(char(')')))),
);

/** `and(…)`, `not.or(…)` or a single `field.op.value` statement. */
export const logicTree: Parser<LogicTree> = alt<LogicTree>(
  map(attempt(logicFilter), (filter): LogicTree => ({ type: 'stmt', filter })),
  map(seq(negation, logicOperator, children), ([negated, operator, trees]): LogicTree => ({ type: 'expr', negated, operator, children: trees })),
);

/** The parameter name of a logic tree: `rel.not.or` → embed path `[rel]` and operator text `not.or`. */
export const logicPath: Parser<{ path: EmbedPath; operator: string }> = bind(sepBy1(fieldName, delimiter), (names) => {
  const op = names[names.length - 1] ?? '';
  const negated = names.includes('not');
  return pure({ path: names.slice(0, -1).filter((n) => n !== 'not'), operator: negated ? `not.${op}` : op });
});
