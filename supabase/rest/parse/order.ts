// In charge of the `order` grammar: `col->path.desc.nullslast`, related orders `rel(col).asc`, comma-separated.

import { alt, as, attempt, between, bind, char, eof, lookAhead, map, optionMaybe, sepBy1, seq, skip, string, then } from './parsec.ts';
import type { Parser } from './parsec.ts';
import { delimiter, field, fieldName, lexeme } from './tokens.ts';
import type { OrderDirection, OrderNulls, OrderTerm } from './types.ts';

const direction: Parser<OrderDirection> = alt(
  attempt(then(delimiter, as(string('asc'), 'asc' as const))),
  attempt(then(delimiter, as(string('desc'), 'desc' as const))),
);

const nulls: Parser<OrderNulls> = alt(
  attempt(then(delimiter, as(string('nullsfirst'), 'nullsfirst' as const))),
  attempt(then(delimiter, as(string('nullslast'), 'nullslast' as const))),
);

/** A term ends before `,` or at the end of the input. */
const termEnd: Parser<null> = alt(attempt(as(lookAhead(char(',')), null)), attempt(eof));

/** `.nullsfirst` followed by the end of the term, or directly the end. */
const nullsThenEnd: Parser<OrderNulls | null> = alt<OrderNulls | null>(skip(optionMaybe(nulls), termEnd), as(termEnd, null));

const fieldTerm: Parser<OrderTerm> = map(
  seq(field, optionMaybe(direction), nullsThenEnd),
  ([fld, dir, nl]): OrderTerm => ({ type: 'field', field: fld, direction: dir, nulls: nl }),
);

const relationTerm: Parser<OrderTerm> = bind(fieldName, (relation) =>
  map(
    seq(between(char('('), char(')'), field), optionMaybe(direction), nullsThenEnd),
    ([fld, dir, nl]): OrderTerm => ({ type: 'relation', relation, field: fld, direction: dir, nulls: nl }),
  ),
);

export const orderTerms: Parser<OrderTerm[]> = sepBy1(lexeme(alt(attempt(relationTerm), fieldTerm)), char(','));
