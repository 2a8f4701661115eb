/** The answer to a read (GET/HEAD on a table or view) from its statement's row: 200, 206 for part of a counted read, 416 past the end. */
import { invalidRange, singularityError } from '../errors.ts';
import type { Row } from '../execute.ts';
import type { ApiRequest } from '../parse/types.ts';
import { contentRangeValue, mediaContentType, preferenceApplied, withGucOverrides, type AnswerResult } from './answer.ts';

export function readAnswer(request: ApiRequest, row: Row | undefined): AnswerResult {
  const r: Row = row ?? {};
  const pageTotal = Number(r.page_total ?? 0);
  if (request.media.type === 'singular' && pageTotal !== 1) return { ok: false, error: singularityError(pageTotal) };
  const total = r.total_result_set === null || r.total_result_set === undefined ? null : Number(r.total_result_set);
  const offset = request.range.offset;
  if (total !== null && offset > total) return { ok: false, error: invalidRange({ type: 'out-of-bounds', offset, total }) };
  const headers: Record<string, string> = {
    'content-type': mediaContentType(request.media),
    'content-range': contentRangeValue(offset, offset + pageTotal - 1, total),
  };
  const applied = preferenceApplied(request.preferences, ['count', 'timezone']);
  if (applied !== null) headers['preference-applied'] = applied;
  if (request.negotiatedByProfile) headers['content-profile'] = request.schema;
  const headersOnly = request.action.type === 'read' && request.action.headersOnly;
  const status = total !== null && pageTotal < total ? 206 : 200;
  return withGucOverrides({ status, headers, body: headersOnly ? null : (r.body ?? '[]') }, r);
}
