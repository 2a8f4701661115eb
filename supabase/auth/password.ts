/**
 * Password hashing behind a small interface, always off the event loop. The default is bcrypt (bcrypt.ts,
 * GoTrue's `$2a$` hashes); the scrypt hasher here (`$scrypt$...`, libuv's thread pool) stays to verify older hashes.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a hash this hasher cannot read. */
  verify(password: string, hash: string): Promise<boolean>;
  /** A hash of a random password, verified against when the user is unknown so both paths cost the same. */
  readonly dummyHash: Promise<string>;
  /** Releases what the hasher holds (worker threads); optional. */
  close?(): Promise<void>;
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const DEFAULTS: ScryptParams = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: 256 * params.N * params.r }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

const FORMAT = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export function createScryptHasher(params: ScryptParams = DEFAULTS): PasswordHasher {
  const hash = async (password: string) => {
    const salt = randomBytes(16);
    const key = await derive(password, salt, params);
    return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
  };
  let dummy: Promise<string> | null = null;
  return {
    hash,
    async verify(password, stored) {
      const m = FORMAT.exec(stored);
      if (!m) return false;
      const expected = Buffer.from(m[5]!, 'base64');
      if (expected.length !== KEY_LENGTH) return false;
      const key = await derive(password, Buffer.from(m[4]!, 'base64'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
      return timingSafeEqual(key, expected);
    },
    get dummyHash() {
      dummy ??= hash(randomBytes(24).toString('base64'));
      return dummy;
    },
  };
}
