/** Auth errors as values (HTTP status, GoTrue error code, message) and their one wire format `{code, error_code, msg}`. */
import { textResponse } from '../shared/http.ts';

export type AuthErrorCode =
  | 'bad_json'
  | 'bad_jwt'
  | 'email_exists'
  | 'email_not_confirmed'
  | 'invalid_credentials'
  | 'no_authorization'
  | 'not_admin'
  | 'refresh_token_already_used'
  | 'refresh_token_not_found'
  | 'same_password'
  | 'session_not_found'
  | 'signup_disabled'
  | 'unexpected_failure'
  | 'user_already_exists'
  | 'user_banned'
  | 'user_not_found'
  | 'validation_failed'
  | 'weak_password'
  | 'not_found'
  | 'method_not_allowed'
  | 'phone_provider_disabled'
  | 'phone_not_confirmed'
  | 'phone_exists'
  | 'over_request_rate_limit'
  | 'over_email_send_rate_limit'
  | 'over_sms_send_rate_limit'
  | 'otp_expired'
  | 'otp_disabled'
  | 'flow_state_not_found'
  | 'flow_state_expired'
  | 'bad_code_verifier'
  | 'anonymous_provider_disabled';

export class AuthError extends Error {
  readonly status: number;
  readonly code: AuthErrorCode;
  /** Extra top-level fields of the body, e.g. `weak_password: { reasons }`. */
  readonly extra: Record<string, unknown>;
  constructor(status: number, code: AuthErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

export const badRequest = (code: AuthErrorCode, msg: string) => new AuthError(400, code, msg);
export const unprocessable = (code: AuthErrorCode, msg: string) => new AuthError(422, code, msg);
export const forbidden = (code: AuthErrorCode, msg: string) => new AuthError(403, code, msg);
export const notFound = (code: AuthErrorCode, msg: string) => new AuthError(404, code, msg);

export function weakPassword(minLength: number): AuthError {
  return new AuthError(422, 'weak_password', `Password should be at least ${minLength} characters.`, { weak_password: { reasons: ['length'] } });
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return textResponse(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** GoTrue's legacy (pre-2024 API version) error body, which every supabase-js version understands. */
export function errorResponse(err: AuthError, headers: Record<string, string> = {}): Response {
  return jsonResponse(err.status, { code: err.status, error_code: err.code, msg: err.message, ...err.extra }, headers);
}
