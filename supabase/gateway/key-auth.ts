/** The project-key check in front of every service: a valid project JWT in `apikey` (header or query) or `Authorization: Bearer`. */
import type { JwtClaims, JwtVerifier } from '../keys/jwt.ts';

export type KeyAuthResult =
  | { ok: true; claims: JwtClaims }
  | { ok: false; message: string; hint: string };

/** Reads one request header (lower-case name), or null. */
export type HeaderGetter = (name: string) => string | null;

export function presentedKey(header: HeaderGetter, url: URL): string | null {
  const apikey = header('apikey') ?? url.searchParams.get('apikey');
  if (apikey) return apikey.trim();
  const auth = header('authorization');
  const m = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return m ? m[1]! : null;
}

export async function checkProjectKey(verifier: JwtVerifier, header: HeaderGetter, url: URL): Promise<KeyAuthResult> {
  const key = presentedKey(header, url);
  if (!key) {
    return { ok: false, message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' };
  }
  const result = await verifier.verify(key);
  if (!result.ok || typeof result.claims.role !== 'string') {
    // Deliberately the same answer for every failure: no hint about what was wrong with the key.
    return { ok: false, message: 'Invalid API key', hint: 'Double check your project API key.' };
  }
  return { ok: true, claims: result.claims };
}
