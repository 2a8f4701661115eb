/**
 * The response stage: status, Content-Range, Content-Type, Preference-Applied, the headers and status a
 * function set through `response.headers` / `response.status`, and every error in PostgREST's shape.
 */
import { textResponse } from '../shared/http.ts';
import type { Caller } from './auth.ts';
import { gucHeadersError, gucStatusError, invalidRange, parseRaisePgrst, statusForSqlState, type ApiError } from './errors.ts';
import type { DbErrorFields, ExecutionResult, Row } from './execute.ts';
import type { ApiRequest, Preferences, ResponseMedia } from './parse/types.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

export function errorResponse(error: ApiError, headers: Record<string, string> = {}): Response {
  const body = JSON.stringify({ code: error.code, details: error.details, hint: error.hint, message: error.message });
  const all: Record<string, string> = { 'content-type': JSON_TYPE };
  // PostgREST: every 401 says which scheme it wants.
  if (error.status === 401) all['www-authenticate'] = 'Bearer';
  return textResponse(body, { status: error.status, headers: { ...all, ...headers } });
}

/** A PostgreSQL error as PostgREST answers it; `RAISE SQLSTATE 'PGRST'` takes full control of status and headers. */
export function dbErrorResponse(e: DbErrorFields, caller: Caller): Response {
  if (e.code === 'PGRST') {
    const raised = parseRaisePgrst(e.message, e.details);
    if (!raised.ok) return errorResponse(raised.error);
    return errorResponse(raised.value.error, { ...raised.value.headers });
  }
  const status = statusForSqlState(e.code, { authenticated: caller.authenticated, message: e.message });
  return errorResponse({ code: e.code, message: e.message, details: e.details, hint: e.hint, status });
}

export function failureResponse(result: Exclude<ExecutionResult, { ok: true }>, caller: Caller): Response {
  if (result.kind === 'statement') return dbErrorResponse(result.error, caller);
  if (result.kind === 'pool-timeout') {
    return errorResponse({ code: 'PGRST003', message: 'Timed out acquiring connection from connection pool.', details: null, hint: null, status: 504 });
  }
  return errorResponse({ code: 'PGRST000', message: 'Database connection error. Retrying the connection.', details: result.message, hint: null, status: 503 });
}

export function contentType(media: ResponseMedia): string {
  switch (media.type) {
    case 'singular':
      return media.nullsStripped ? 'application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8' : 'application/vnd.pgrst.object+json; charset=utf-8';
    case 'array-stripped':
      return 'application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8';
    case 'csv':
      return 'text/csv; charset=utf-8';
    case 'openapi':
      return 'application/openapi+json; charset=utf-8';
    default:
      return JSON_TYPE;
  }
}

/** `0-9/100`, `0-9/*`, `*\/0` as PostgREST writes Content-Range. */
export function contentRange(offset: number, pageTotal: number, total: number | null): string {
  const totalText = total === null ? '*' : String(total);
  return pageTotal > 0 ? `${offset}-${offset + pageTotal - 1}/${totalText}` : `*/${totalText}`;
}

/** 200, 206 when a counted read returns part of the rows, or the 416 error when the offset is past the end. */
export function rangeStatus(offset: number, pageTotal: number, total: number | null): number | ApiError {
  if (total === null) return 200;
  if (offset > total) return invalidRange({ type: 'out-of-bounds', offset, total });
  return pageTotal < total ? 206 : 200;
}

/** The preferences that were honoured, for `Preference-Applied`. */
export function preferenceApplied(p: Preferences, applicable: ReadonlyArray<keyof Preferences>): string | null {
  const out: string[] = [];
  for (const key of applicable) {
    const value = p[key];
    if (value === null || value === undefined || key === 'invalid') continue;
    out.push(key === 'maxAffected' ? `max-affected=${String(value)}` : `${key}=${String(value)}`);
  }
  return out.length ? out.join(', ') : null;
}

/** Headers and status set by SQL with `set_config('response.headers' | 'response.status', …, true)`. */
export function gucOverrides(row: Row): { ok: true; headers: Array<[string, string]>; status: number | null } | { ok: false; error: ApiError } {
  const headers: Array<[string, string]> = [];
  const rawHeaders = row.response_headers ?? null;
  if (rawHeaders !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHeaders);
    } catch {
      return { ok: false, error: gucHeadersError() };
    }
    if (!Array.isArray(parsed)) return { ok: false, error: gucHeadersError() };
    for (const entry of parsed) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return { ok: false, error: gucHeadersError() };
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') return { ok: false, error: gucHeadersError() };
        headers.push([k, v]);
      }
    }
  }
  const rawStatus = row.response_status ?? null;
  let status: number | null = null;
  if (rawStatus !== null) {
    status = Number(rawStatus);
    if (!/^[0-9]{3}$/.test(rawStatus.trim()) || status < 100 || status > 599) return { ok: false, error: gucStatusError() };
  }
  return { ok: true, headers, status };
}

export interface ReadResult {
  body: string;
  pageTotal: number;
  total: number | null;
}

/** The answer to a read (GET/HEAD on a table, view or function): body passed through as Postgres built it. */
export function readResponse(request: ApiRequest, row: Row, result: ReadResult): Response {
  const guc = gucOverrides(row);
  if (!guc.ok) return errorResponse(guc.error);
  const status = rangeStatus(request.range.offset, result.pageTotal, result.total);
  if (typeof status !== 'number') return errorResponse(status);
  const headers = new Headers({ 'content-type': contentType(request.media) });
  headers.set('content-range', contentRange(request.range.offset, result.pageTotal, result.total));
  const applied = preferenceApplied(request.preferences, ['count']);
  if (applied) headers.set('preference-applied', applied);
  if (request.negotiatedByProfile) headers.set('content-profile', request.schema);
  for (const [k, v] of guc.headers) headers.set(k, v);
  const headOnly = request.action.type === 'read' ? request.action.headersOnly : request.action.type === 'call' && request.action.headersOnly;
  return textResponse(headOnly ? null : result.body, { status: guc.status ?? status, headers });
}
