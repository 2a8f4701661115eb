// In charge of what PostgREST 12 answers to a write, as plain data: the checks that roll the write back (PGRST115, PGRST110, PGRST116, PGRST124), then status, Location, Content-Range, Preference-Applied and body from the statement's one row.

import { maxAffectedViolation, putMatchingPkError, singularityError } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { Row } from '../execute.ts';
import type { ApiRequest } from '../parse/types.ts';
import { offLimitsChanges } from '../plan/mutate-errors.ts';
import { contentRangeValue, mediaContentType, preferenceApplied, withGucOverrides } from './answer.ts';
import type { AnswerResult, AppliedKey } from './answer.ts';
import type { MutatePlan } from '../plan/mutate-types.ts';

export type { AnswerResult, RestAnswer } from './answer.ts';

const pageTotalOf = (row: Row | undefined): number => Number(row?.page_total ?? 0);

/**
 * The error that makes PostgREST roll the write back, in its order: PUT must write exactly one row (PGRST115), a
 * limited update/delete at most its limit (PGRST110), `vnd.pgrst.object` exactly one (PGRST116), and with
 * `handling=strict` an update/delete at most `max-affected` (PGRST124).
 */
export function mutateCheck(request: ApiRequest, plan: MutatePlan, row: Row | undefined): ApiError | null {
  const rows = pageTotalOf(row);
  const m = plan.mutation;
  if (plan.kind === 'upsert-put' && rows !== 1) return putMatchingPkError();
  if ((m.type === 'update' || m.type === 'delete') && m.range.limit !== null && rows > m.range.limit) return offLimitsChanges(rows, m.range.limit);
  if (plan.media.type === 'singular' && rows !== 1) return singularityError(rows);
  const p = request.preferences;
  if ((m.type === 'update' || m.type === 'delete') && p.handling === 'strict' && p.maxAffected !== null && rows > p.maxAffected) return maxAffectedViolation(rows);
  return null;
}

/** Whether any check of `mutateCheck` can fail for this request (else the end can be pipelined with the statement). */
function hasChecks(request: ApiRequest, plan: MutatePlan): boolean {
  const m = plan.mutation;
  const p = request.preferences;
  const limitedOrCapped = (m.type === 'update' || m.type === 'delete') && (m.range.limit !== null || (p.handling === 'strict' && p.maxAffected !== null));
  return plan.kind === 'upsert-put' || plan.media.type === 'singular' || limitedOrCapped;
}

/**
 * How the write's transaction ends, for `Execution.end`: `Prefer: tx=rollback` or a failed check rolls it back. A
 * fixed 'commit'/'rollback' (one round trip) when no check applies, else a function of the statement's row.
 */
export function mutateEnd(request: ApiRequest, plan: MutatePlan): 'commit' | 'rollback' | ((rows: readonly Row[]) => 'commit' | 'rollback') {
  const txEnd = request.preferences.tx === 'rollback' ? 'rollback' : 'commit';
  if (!hasChecks(request, plan)) return txEnd;
  return (rows) => (mutateCheck(request, plan, rows[0]) !== null ? 'rollback' : txEnd);
}

/** `/table?k1=eq.1&k2=is.null`, each key and value percent-encoded as http-types' renderSimpleQuery does. */
export function locationHeader(table: string, location: string | null | undefined): string | null {
  if (location === null || location === undefined) return null;
  const pairs = JSON.parse(location) as unknown;
  if (!Array.isArray(pairs) || pairs.length === 0) return null;
  const encode = (s: string): string =>
    Array.from(new TextEncoder().encode(s), (b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  const query = (pairs as [string, string][]).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return `/${table}?${query}`;
}

const APPLIED: Readonly<Record<MutatePlan['kind'], readonly AppliedKey[]>> = {
  insert: ['resolution', 'missing', 'return', 'count', 'tx', 'handling', 'timezone'],
  'upsert-put': ['return', 'count', 'tx', 'handling', 'timezone'],
  update: ['missing', 'return', 'count', 'tx', 'handling', 'timezone', 'maxAffected'],
  delete: ['return', 'count', 'tx', 'handling', 'timezone', 'maxAffected'],
};

function statusOf(request: ApiRequest, plan: MutatePlan, row: Row): number {
  const representation = plan.returnPreference === 'representation';
  const inserted = row.response_inserted === null || row.response_inserted === undefined ? null : Number(row.response_inserted);
  switch (plan.kind) {
    case 'insert':
      // merge-duplicates that only updated existing rows is 200 (PostgREST 12)
      return request.preferences.resolution === 'merge-duplicates' && plan.mutation.type === 'insert' && plan.mutation.onConflict !== null && (inserted ?? 0) <= 0 ? 200 : 201;
    case 'upsert-put':
      return representation ? ((inserted ?? 0) > 0 ? 201 : 200) : 204;
    case 'update':
    case 'delete':
      return representation ? 200 : 204;
  }
}

/**
 * The answer to a write from the statement's row (after `mutateCheck` passed): 201/200 for POST (200 when a
 * merge-duplicates upsert inserted nothing), 200/201 for PUT with representation (204 otherwise), 200 for PATCH and
 * DELETE with representation (204 otherwise); `Location` for POST with `return=headers-only`; `Content-Range`
 * `*\/N` for POST and DELETE, `0-(N-1)/N` for PATCH (none for PUT); then the GUC status and headers.
 */
export function mutateResponse(request: ApiRequest, plan: MutatePlan, row: Row | undefined): AnswerResult {
  const failed = mutateCheck(request, plan, row);
  if (failed !== null) return { ok: false, error: failed };
  const r: Row = row ?? {};
  const rows = pageTotalOf(r);
  const p = request.preferences;
  const counted = p.count === 'exact' || p.count === 'estimated';
  const headers: Record<string, string> = {};
  if (plan.kind === 'insert') {
    const location = locationHeader(plan.mutation.relation.name, r.location);
    if (location !== null) headers['location'] = location;
  }
  if (plan.kind === 'update') headers['content-range'] = contentRangeValue(0, rows - 1, counted ? rows : null);
  else if (plan.kind !== 'upsert-put') headers['content-range'] = contentRangeValue(1, 0, counted ? rows : null);
  // PostgREST names the resolution only where it can apply: a primary key or `on_conflict`
  const prefs = plan.kind === 'insert' && plan.primaryKey.length === 0 && request.onConflict === null ? { ...p, resolution: null } : p;
  const applied = preferenceApplied(prefs, APPLIED[plan.kind]);
  if (applied !== null) headers['preference-applied'] = applied;
  const representation = plan.returnPreference === 'representation';
  if (representation) {
    headers['content-type'] = mediaContentType(plan.media);
    if (request.negotiatedByProfile) headers['content-profile'] = request.schema;
  }
  const answer = { status: statusOf(request, plan, r), headers, body: representation ? (r.body ?? '') : null };
  return withGucOverrides(answer, r);
}
