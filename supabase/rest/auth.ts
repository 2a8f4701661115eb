/**
 * Who a REST request runs as: the role claim of the verified JWT in `Authorization: Bearer`, else of the
 * project key the gateway already verified, else the anonymous role — with PostgREST's JWT errors.
 */
import type { JwtClaims, JwtVerifier, VerifyFailure } from '../keys/jwt.ts';
import type { ApiError } from './errors.ts';

export interface Caller {
  role: string;
  /** The claims as JSON text, for `request.jwt.claims`. */
  claims: string;
  /** A JWT was presented and verified (decides 401 vs 403 on 42501). */
  authenticated: boolean;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; error: ApiError; headers: Record<string, string> };

const DECODE_MESSAGES: Partial<Record<VerifyFailure, string>> = {
  invalid_signature: 'JWT cryptographic operation failed',
  bad_algorithm: 'Wrong or unsupported encoding algorithm',
  malformed: "JWT couldn't be decoded",
  invalid: "JWT couldn't be decoded",
};

function jwtError(code: 'PGRST301' | 'PGRST303', message: string): AuthResult {
  return {
    ok: false,
    error: { code, message, details: null, hint: null, status: 401 },
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description=${JSON.stringify(message)}` },
  };
}

/** Callers by claims object: the verifier hands out one object per cached token, so its JSON is made once. */
const callers = [new WeakMap<JwtClaims, { anonRole: string; caller: Caller }>(), new WeakMap<JwtClaims, { anonRole: string; caller: Caller }>()] as const;

function callerFrom(claims: JwtClaims, anonRole: string, authenticated: boolean): Caller {
  const known = callers[authenticated ? 1 : 0].get(claims);
  if (known && known.anonRole === anonRole) return known.caller;
  const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : anonRole;
  const caller: Caller = Object.freeze({ role, claims: JSON.stringify(claims), authenticated: authenticated && role !== anonRole });
  callers[authenticated ? 1 : 0].set(claims, { anonRole, caller });
  return caller;
}

export async function authenticate(
  headers: Headers,
  apikeyClaims: JwtClaims | null,
  verifier: JwtVerifier,
  anonRole: string,
): Promise<AuthResult> {
  const authorization = headers.get('authorization');
  const bearer = authorization ? /^bearer(?:\s+(.*))?$/i.exec(authorization.trim()) : null;
  if (!bearer) {
    // No Authorization: the project key decides (anon key → anon, service key → service_role).
    if (apikeyClaims) return { ok: true, caller: callerFrom(apikeyClaims, anonRole, apikeyClaims.role !== anonRole) };
    return { ok: true, caller: { role: anonRole, claims: JSON.stringify({ role: anonRole }), authenticated: false } };
  }
  const token = (bearer[1] ?? '').trim();
  if (token === '') return jwtError('PGRST301', 'Empty JWT is sent in Authorization header');
  const parts = token.split('.').length;
  if (parts !== 3) return jwtError('PGRST301', `Expected 3 parts in JWT; got ${parts}`);
  const verified = await verifier.verify(token);
  if (!verified.ok) {
    if (verified.reason === 'expired') return jwtError('PGRST303', 'JWT expired');
    if (verified.reason === 'not_yet_valid') return jwtError('PGRST303', 'JWT not yet valid');
    if (verified.reason === 'invalid_claims') return jwtError('PGRST303', 'Parsing claims failed');
    return jwtError('PGRST301', DECODE_MESSAGES[verified.reason] ?? "JWT couldn't be decoded");
  }
  return { ok: true, caller: callerFrom(verified.claims, anonRole, true) };
}
