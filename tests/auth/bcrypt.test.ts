/** The default bcrypt hasher: GoTrue-compatible `$2a$` hashes, older scrypt hashes still verify, and the event loop stays free while it works. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { createBcryptHasher } from '../../supabase/auth/bcrypt.ts';
import { createScryptHasher } from '../../supabase/auth/password.ts';
import { rateLimitsFromEnv } from '../../supabase/auth/rate-limit.ts';

const hasher = createBcryptHasher();
after(() => hasher.close?.());

test('new hashes are $2a$10$ bcrypt that bcryptjs verifies directly', async () => {
  const h = await hasher.hash('correct-horse');
  assert.match(h, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.equal(bcrypt.compareSync('correct-horse', h), true);
  assert.equal(bcrypt.compareSync('correct-horse ', h), false);
  assert.notEqual(await hasher.hash('correct-horse'), h);
  assert.equal(await hasher.verify('correct-horse', h), true);
  assert.equal(await hasher.verify('wrong-horse', h), false);
});

test('a GoTrue-style bcrypt hash made elsewhere verifies ($2a$ and $2b$)', async () => {
  const gotrue = bcrypt.hashSync('hunter2-password', bcrypt.genSaltSync(10).replace(/^\$2b\$/, '$2a$'));
  assert.match(gotrue, /^\$2a\$10\$/);
  assert.equal(await hasher.verify('hunter2-password', gotrue), true);
  assert.equal(await hasher.verify('hunter3-password', gotrue), false);
  assert.equal(await hasher.verify('hunter2-password', bcrypt.hashSync('hunter2-password', 4)), true);
});

test('hashes stored before bcrypt (scrypt) still verify; unreadable ones do not', async () => {
  const old = await createScryptHasher().hash('legacy-pass');
  assert.equal(await hasher.verify('legacy-pass', old), true);
  assert.equal(await hasher.verify('legacy-pass!', old), false);
  assert.equal(await hasher.verify('legacy-pass', ''), false);
  assert.equal(await hasher.verify('legacy-pass', '$2a$10$tooshort'), false);
});

test('the unknown-email dummy is a bcrypt hash at the same cost', async () => {
  const dummy = await hasher.dummyHash;
  assert.match(dummy, /^\$2a\$10\$/);
  assert.equal(await hasher.verify('anything', dummy), false);
});

test('the event loop keeps ticking while 8 hashes run', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`pw-${i}`)));
    assert.equal(hashes.length, 8);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 1, 'setInterval never ran while hashing');
});

test('bcryptCost is configurable and checked', async () => {
  const cheap = createBcryptHasher(4);
  try {
    assert.match(await cheap.hash('pw'), /^\$2a\$04\$/);
  } finally {
    await cheap.close?.();
  }
  assert.throws(() => createBcryptHasher(3), /bcryptCost/);
});

test('rate limits can be set from the environment', () => {
  assert.deepEqual(rateLimitsFromEnv({ CONVO_AUTH_RATE_LIMIT_TOKEN_REFRESH: '0', CONVO_AUTH_RATE_LIMIT_SIGN_IN_SIGN_UPS: 'x' }), { tokenRefreshPerIp: 0 });
});
