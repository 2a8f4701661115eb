/** The project's secrets in `.convo/secrets.json` (mode 0600): generated on first start, reused after. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ExpectedFailure } from '../shared/errors.ts';

/** The secret shipped in Supabase's docs and local setup: public knowledge, never acceptable in production. */
export const SUPABASE_DEMO_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
export const MIN_PRODUCTION_SECRET_LENGTH = 32;

const StoredSecrets = z.object({
  jwt_secret: z.string().min(1),
  authenticator_password: z.string().min(16),
  /** Issued-at of the project keys, so they stay the same across restarts. */
  keys_issued_at: z.number().int().positive(),
});
export type StoredSecrets = z.infer<typeof StoredSecrets>;

export interface ProjectSecrets {
  jwtSecret: string;
  /** Where the JWT secret came from: generated into the state folder, or CONVO_JWT_SECRET. */
  jwtSecretSource: 'generated' | 'env';
  authenticatorPassword: string;
  keysIssuedAt: number;
}

export async function loadSecrets(stateDir: string, env: { jwtSecret?: string | undefined; production: boolean }): Promise<ProjectSecrets> {
  const file = path.join(stateDir, 'secrets.json');
  let stored: StoredSecrets;
  try {
    stored = StoredSecrets.parse(JSON.parse(await fs.readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ExpectedFailure('bad_config', `${file} is unreadable or malformed; delete it to generate new secrets`);
    }
    stored = {
      jwt_secret: randomBytes(32).toString('base64url'),
      authenticator_password: randomBytes(24).toString('base64url'),
      keys_issued_at: Math.floor(Date.now() / 1000),
    };
    await fs.mkdir(stateDir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      stored = StoredSecrets.parse(JSON.parse(await fs.readFile(file, 'utf8')));
    });
  }
  const jwtSecret = env.jwtSecret ?? stored.jwt_secret;
  if (env.production) assertProductionSecret(jwtSecret);
  return {
    jwtSecret,
    jwtSecretSource: env.jwtSecret === undefined ? 'generated' : 'env',
    authenticatorPassword: stored.authenticator_password,
    keysIssuedAt: stored.keys_issued_at,
  };
}

export function assertProductionSecret(secret: string): void {
  if (secret === SUPABASE_DEMO_SECRET) {
    throw new ExpectedFailure('insecure_secret', "the JWT secret is Supabase's public demo secret; set CONVO_JWT_SECRET to a private random value of 32+ characters");
  }
  if (secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    throw new ExpectedFailure('insecure_secret', `the JWT secret is ${secret.length} characters; production needs at least ${MIN_PRODUCTION_SECRET_LENGTH}`);
  }
}
