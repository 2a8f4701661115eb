// In charge of what PostgREST 12 answers to a function call, as plain data: the singular check that rolls it back (PGRST116), then 204 for void functions, else 200/206 (416 past the end) with Content-Range, Preference-Applied and the body, then the GUC status and headers.

import { invalidRange, singularityError } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { Row } from '../execute.ts';
import type { ApiRequest } from '../parse/types.ts';
import type { CallPlan } from '../plan/call-types.ts';
import { contentRangeValue, mediaContentType, preferenceApplied, withGucOverrides } from './answer.ts';
import type { AnswerResult } from './answer.ts';

const pageTotalOf = (row: Row | undefined): number => Number(row?.page_total ?? 0);

/** `vnd.pgrst.object` asks for exactly one row (PGRST116, rolled back). */
export function callCheck(plan: CallPlan, row: Row | undefined): ApiError | null {
  const rows = pageTotalOf(row);
  return plan.media.type === 'singular' && rows !== 1 ? singularityError(rows) : null;
}

/** How the call's transaction ends, for `Execution.end`: decided after the row only when `vnd.pgrst.object` can fail. */
export function callEnd(request: ApiRequest, plan: CallPlan): 'commit' | 'rollback' | ((rows: readonly Row[]) => 'commit' | 'rollback') {
  const txEnd = request.preferences.tx === 'rollback' ? 'rollback' : 'commit';
  if (plan.media.type !== 'singular') return txEnd;
  return (rows) => (callCheck(plan, rows[0]) !== null ? 'rollback' : txEnd);
}

export function callResponse(request: ApiRequest, plan: CallPlan, row: Row | undefined): AnswerResult {
  const failed = callCheck(plan, row);
  if (failed !== null) return { ok: false, error: failed };
  const r: Row = row ?? {};
  const rows = pageTotalOf(r);
  const total = r.total_result_set === null || r.total_result_set === undefined ? null : Number(r.total_result_set);
  const offset = request.range.offset;
  if (total !== null && offset > total) return { ok: false, error: invalidRange({ type: 'out-of-bounds', offset, total }) };
  const headers: Record<string, string> = { 'content-range': contentRangeValue(offset, offset + rows - 1, total) };
  const applied = preferenceApplied(request.preferences, ['params', 'count', 'tx', 'handling', 'timezone']);
  if (applied !== null) headers['preference-applied'] = applied;
  if (plan.result === 'void') return withGucOverrides({ status: 204, headers, body: null }, r);
  headers['content-type'] = mediaContentType(plan.media);
  if (request.negotiatedByProfile) headers['content-profile'] = request.schema;
  const status = total !== null && rows < total ? 206 : 200;
  return withGucOverrides({ status, headers, body: plan.headersOnly ? null : (r.body ?? '') }, r);
}
