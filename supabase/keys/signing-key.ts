/** The project's asymmetric signing key (ES256, P-256) in `.convo/signing-key.json` (mode 0600): generated once, reused after. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ExpectedFailure } from '../shared/errors.ts';

export const SIGNING_KEY_FILE = 'signing-key.json';

const Coordinate = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const StoredSigningKey = z.object({
  kid: z.string().min(1),
  alg: z.literal('ES256'),
  private_jwk: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: Coordinate, y: Coordinate, d: Coordinate }),
});
type StoredSigningKey = z.infer<typeof StoredSigningKey>;

/** The public half as `/.well-known/jwks.json` publishes it. */
export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
  key_ops: ['verify'];
}

export interface SigningKey {
  alg: 'ES256';
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: PublicSigningJwk;
}

function generate(): StoredSigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    kid: randomBytes(12).toString('base64url'),
    alg: 'ES256',
    private_jwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y!, d: jwk.d! },
  };
}

function fromStored(stored: StoredSigningKey): SigningKey {
  const { x, y } = stored.private_jwk;
  const privateKey = createPrivateKey({ key: stored.private_jwk, format: 'jwk' });
  const publicKey = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
  return {
    alg: 'ES256',
    kid: stored.kid,
    privateKey,
    publicKey,
    publicJwk: { kty: 'EC', crv: 'P-256', x, y, kid: stored.kid, alg: 'ES256', use: 'sig', key_ops: ['verify'] },
  };
}

async function readStored(file: string): Promise<StoredSigningKey> {
  try {
    return StoredSigningKey.parse(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    throw new ExpectedFailure('bad_config', `${file} is unreadable or malformed; delete it to generate a new signing key`);
  }
}

/** Reads the key, generating it on first use (two starts racing agree on the first one written). */
export async function loadSigningKey(stateDir: string): Promise<SigningKey> {
  const file = path.join(stateDir, SIGNING_KEY_FILE);
  try {
    return fromStored(await readStored(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fresh = generate();
  await fs.mkdir(stateDir, { recursive: true });
  try {
    await fs.writeFile(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return fromStored(fresh);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromStored(await readStored(file));
  }
}

/** A key that lives only in memory (tests, embedders): the same shape as a loaded one. */
export function generateSigningKey(): SigningKey {
  return fromStored(generate());
}
