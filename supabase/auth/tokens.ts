/** Access tokens with GoTrue's claims (ES256 with the signing key if configured, else HS256 with the project secret), opaque refresh tokens, and the Bearer check of user-facing endpoints. */
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { projectVerification } from '../keys/jwt.ts';
import type { AuthConfig } from './config.ts';
import { AuthError, forbidden } from './errors.ts';
import type { UserRow } from './users.ts';
import type { ServiceRequest } from '../gateway/types.ts';

export interface AmrEntry {
  method: string;
  timestamp: number;
}

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal: string;
  amr: AmrEntry[];
  session_id: string;
  is_anonymous: boolean;
}

export interface SessionTokens {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

export async function signAccessToken(
  config: AuthConfig,
  user: UserRow,
  session: { id: string; aal: string; amr: AmrEntry[] },
  now = Math.floor(Date.now() / 1000),
): Promise<{ token: string; expiresAt: number }> {
  const expiresAt = now + config.jwtExpiry;
  const claims: AccessTokenClaims = {
    iss: config.issuer,
    sub: user.id,
    aud: user.aud,
    exp: expiresAt,
    iat: now,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data,
    user_metadata: user.raw_user_meta_data,
    role: user.role,
    aal: session.aal,
    amr: session.amr,
    session_id: session.id,
    is_anonymous: user.is_anonymous,
  };
  const key = config.signingKey;
  const token = key
    ? await new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey)
    : await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(config.jwtSecret);
  return { token, expiresAt };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** An opaque refresh token: 16 characters of [a-z0-9] from a CSPRNG (about 82 bits), like GoTrue's short tokens. */
export function newRefreshToken(): string {
  const bytes = randomBytes(32);
  let out = '';
  for (const b of bytes) {
    if (b >= 252) continue; // keeps the alphabet uniform (252 = 7 × 36)
    out += ALPHABET[b % 36];
    if (out.length === 16) return out;
  }
  return out + newRefreshToken().slice(0, 16 - out.length);
}

export function bearerToken(req: ServiceRequest): string | null {
  const header = req.headers.get('authorization');
  const m = header ? /^bearer\s+(\S+)\s*$/i.exec(header.trim()) : null;
  return m ? m[1]! : null;
}

/** GoTrue's requireAuthentication: a Bearer JWT signed with the project secret (or the signing key), else 401 / 403 bad_jwt. */
export async function requireClaims(config: AuthConfig, req: ServiceRequest): Promise<JWTPayload & { role?: unknown }> {
  const token = bearerToken(req);
  if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  try {
    const { algorithms, key } = projectVerification(config.jwtSecret, config.signingKey);
    const { payload } = await jwtVerify(token, key, { algorithms });
    return payload;
  } catch (err) {
    const reason = err instanceof joseErrors.JWTExpired ? 'token has invalid claims: token is expired' : 'signature is invalid';
    throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
  }
}
