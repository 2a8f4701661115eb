// In charge of ORDER BY and LIMIT/OFFSET of one level of a read (PostgREST's orderF, pgFmtOrderTerm, limitOffsetF).

import type { RowRange } from '../parse/types.ts';
import type { CoercibleOrderTerm, SqlQualifier } from '../plan/types.ts';
import { cat, empty, join, kw, param, sql } from './fragments.ts';
import type { Fragment } from './fragments.ts';
import { field } from './select.ts';

function term(q: SqlQualifier, t: CoercibleOrderTerm): Fragment {
  const f = t.type === 'field' ? field(q, t.field) : field({ schema: null, name: t.aggAlias }, t.field);
  const words = [t.direction === null ? '' : t.direction.toUpperCase(), t.nulls === null ? '' : t.nulls === 'nullsfirst' ? 'NULLS FIRST' : 'NULLS LAST'];
  return cat(f, kw(` ${words.join(' ')}`.trimEnd()));
}

export const orderBy = (q: SqlQualifier, terms: readonly CoercibleOrderTerm[]): Fragment =>
  terms.length === 0 ? empty : sql` ORDER BY ${join(terms.map((t) => term(q, t)), ', ')}`;

/**
 * A row count as SQL: digits in the statement text when it is a safe integer (the parser made it a number,
 * so no request text reaches the SQL), else a bind parameter (Postgres then rejects what bigint cannot hold).
 * Literal counts let Postgres keep one generic plan per statement: with a parameter the planner guesses 10 %
 * of the rows, which for embeds with a `limit` makes every execution plan again (a custom plan each time).
 */
const rowCount = (n: number): Fragment => (Number.isSafeInteger(n) && n >= 0 ? kw(String(n)) : param(String(n)));

/** ` LIMIT n OFFSET m` (limit `ALL` when only an offset is asked), nothing for all rows. */
export function limitOffset(range: RowRange): Fragment {
  if (range.offset === 0 && range.limit === null) return empty;
  const limit = range.limit === null ? kw('ALL') : rowCount(range.limit);
  return sql` LIMIT ${limit} OFFSET ${rowCount(range.offset)}`;
}
