/** The one JWT module: mints the project's API keys and verifies project JWTs (cached until they expire). */
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

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

/** HS256 verification with a small cache: a token verified once is trusted until its `exp` (or 10 min without one). */
export function createJwtVerifier(secret: string, opts: { cacheSize?: number; now?: () => number } = {}): JwtVerifier {
  const key = new TextEncoder().encode(secret);
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
        const { payload } = await jwtVerify<JwtClaims>(token, key, { algorithms: ['HS256'], clockTolerance: 0 });
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
