// In charge of the errors only writes raise that errors.ts does not have yet (limited update/delete PGRST109/PGRST110) and of PostgreSQL's wording for an unknown `on_conflict` column, produced here so no unknown name reaches the SQL text.

import { statusForSqlState } from '../errors.ts';
import type { ApiError } from '../errors.ts';

/** PGRST109: `limit`/`offset` on PATCH or DELETE without an `order` to pick the rows. */
export const limitWithoutOrder = (): ApiError => ({
  code: 'PGRST109',
  message: "A 'limit' was applied without an explicit 'order'",
  details: null,
  hint: "Apply an 'order' using unique column(s)",
  status: 400,
});

/** PGRST110: a limited update/delete changed more rows than its limit (the order was not on unique columns); the transaction is rolled back. */
export const offLimitsChanges = (rows: number, limit: number): ApiError => ({
  code: 'PGRST110',
  message: 'The maximum number of rows allowed to change was surpassed',
  details: `Results contain ${rows} rows changed but the maximum number allowed is ${limit}`,
  hint: null,
  status: 400,
});

/** What PostgreSQL answers for `ON CONFLICT ("x")` when the table has no column `x` (42703). */
export function unknownConflictColumn(column: string): ApiError {
  const message = `column "${column}" does not exist`;
  return { code: '42703', message, details: null, hint: null, status: statusForSqlState('42703', { authenticated: false, message }) };
}
