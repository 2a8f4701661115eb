/**
 * The response stage: turns an answer (plain status, headers, body — see answer.ts, read.ts, mutate.ts,
 * call.ts) or an error into a Response, every error in PostgREST's `{code, details, hint, message}` shape.
 */
import { textResponse } from '../../shared/http.ts';
import type { Caller } from '../auth.ts';
import { parseRaisePgrst, statusForSqlState, type ApiError } from '../errors.ts';
import type { DbErrorFields, ExecutionResult } from '../execute.ts';
import type { AnswerResult, RestAnswer } from './answer.ts';

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

export function answerResponse(answer: RestAnswer): Response {
  return textResponse(answer.body, { status: answer.status, headers: answer.headers });
}

export function resultResponse(result: AnswerResult): Response {
  return result.ok ? answerResponse(result.answer) : errorResponse(result.error);
}
