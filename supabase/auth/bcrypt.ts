/** The default PasswordHasher: GoTrue-compatible bcrypt (`$2a$`, cost 10) on a worker pool, still verifying older `$scrypt$` hashes. */
import { randomBytes } from 'node:crypto';
import { createScryptHasher, type PasswordHasher } from './password.ts';
import { createBcryptPool } from './password-worker.ts';

export const DEFAULT_BCRYPT_COST = 10;

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export function createBcryptHasher(cost: number = DEFAULT_BCRYPT_COST): PasswordHasher {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error(`bcryptCost must be an integer from 4 to 31, got ${cost}`);
  const pool = createBcryptPool();
  const legacy = createScryptHasher();
  const hash = (password: string) => pool.hash(password, cost);
  let dummy: Promise<string> | null = null;
  return {
    hash,
    async verify(password, stored) {
      if (BCRYPT.test(stored)) return pool.compare(password, stored);
      if (stored.startsWith('$scrypt$')) return legacy.verify(password, stored);
      return false;
    },
    get dummyHash() {
      dummy ??= hash(randomBytes(24).toString('base64'));
      return dummy;
    },
    close: () => pool.close(),
  };
}
