/** The one JWT module: mints the project's API keys and verifies project JWTs (cached until they expire). */
import { SignJWT, jwtVerify, errors as joseErrors, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { SigningKey } from './signing-key.ts';

export const PROJECT_ISSUER = 'convo';
const TEN_YEARS = 10 * 365 * 24 * 3600;

export type ProjectKeyRole = 'anon' | 'service_role';

export interface ProjectKeys {
  anon: string;
  service_role: string;
}

export interface JwtClaims extends JWTPayload {
  role?: string;
}

export type VerifyResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: VerifyFailure };

export type VerifyFailure = 'malformed' | 'expired' | 'not_yet_valid' | 'invalid_signature' | 'bad_algorithm' | 'invalid_claims' | 'invalid';

export async function mintProjectKeys(secret: string, issuedAt: number): Promise<ProjectKeys> {
  const key = new TextEncoder().encode(secret);
  const mint = (role: ProjectKeyRole) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(PROJECT_ISSUER)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + TEN_YEARS)
      .sign(key);
  return { anon: await mint('anon'), service_role: await mint('service_role') };
}

export interface JwtVerifier {
  verify(token: string): Promise<VerifyResult>;
}

/** The public half of the signing key is all a verifier needs. */
export type VerifyingKey = Pick<SigningKey, 'alg' | 'kid' | 'publicKey'>;

export interface ProjectVerification {
  algorithms: string[];
  key: (header: JWTHeaderParameters) => Uint8Array | KeyObject;
}

/**
 * The keys a project JWT may be signed with, chosen by the token's `alg` header: HS256 with the secret always,
 * ES256 with the signing key when one is configured (a `kid`, if present, must be its kid). Anything else (`none`) is refused.
 */
export function projectVerification(secret: string | Uint8Array, signingKey?: VerifyingKey | null): ProjectVerification {
  const hmac = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return {
    algorithms: signingKey ? ['HS256', signingKey.alg] : ['HS256'],
    key(header) {
      if (header.alg === 'HS256') return hmac;
      if (signingKey && header.alg === signingKey.alg) {
        if (header.kid !== undefined && header.kid !== signingKey.kid) throw new joseErrors.JWSSignatureVerificationFailed('unknown kid');
        return signingKey.publicKey;
      }
      throw new joseErrors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    },
  };
}

export interface JwtVerifierOptions {
  cacheSize?: number;
  now?: () => number;
  /** Also accept ES256 tokens signed by this key (the project's asymmetric signing key). */
  signingKey?: VerifyingKey | null;
}

/** HS256 (and, with a signing key, ES256) verification with a small cache: a token verified once is trusted until its `exp` (or 10 min without one). */
export function createJwtVerifier(secret: string, opts: JwtVerifierOptions = {}): JwtVerifier {
  const { algorithms, key } = projectVerification(secret, opts.signingKey);
  const cacheSize = opts.cacheSize ?? 10_000;
  const now = opts.now ?? (() => Date.now() / 1000);
  const cache = new Map<string, { claims: JwtClaims; until: number }>();

  return {
    async verify(token) {
      const hit = cache.get(token);
      if (hit) {
        if (hit.until > now()) return { ok: true, claims: hit.claims };
        cache.delete(token);
      }
      if (token.split('.').length !== 3) return { ok: false, reason: 'malformed' };
      try {
        const { payload } = await jwtVerify<JwtClaims>(token, key, { algorithms, clockTolerance: 0 });
        const until = typeof payload.exp === 'number' ? payload.exp : now() + 600;
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(token, { claims: payload, until });
        return { ok: true, claims: payload };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
        if (err instanceof joseErrors.JWTClaimValidationFailed) {
          return { ok: false, reason: err.claim === 'nbf' ? 'not_yet_valid' : 'invalid_claims' };
        }
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: 'invalid_signature' };
        if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return { ok: false, reason: 'bad_algorithm' };
        if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return { ok: false, reason: 'malformed' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}
