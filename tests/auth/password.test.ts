import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScryptHasher } from '../../supabase/auth/password.ts';
import { newRefreshToken } from '../../supabase/auth/tokens.ts';
import { parseGoDuration, validateEmail } from '../../supabase/auth/body.ts';

const hasher = createScryptHasher({ N: 1024, r: 8, p: 1 });

test('scrypt hashes verify their own password only, with a fresh salt each time', async () => {
  const a = await hasher.hash('correct-horse');
  const b = await hasher.hash('correct-horse');
  assert.notEqual(a, b);
  assert.equal(await hasher.verify('correct-horse', a), true);
  assert.equal(await hasher.verify('correct-horse ', a), false);
  assert.equal(await hasher.verify('correct-horse', '$2a$10$abcdefghijklmnopqrstuv'), false);
  assert.equal(await hasher.verify('correct-horse', ''), false);
  assert.equal(await hasher.verify('x', await hasher.dummyHash), false);
});

test('refresh tokens are 16 characters of [a-z0-9] and do not repeat', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const t = newRefreshToken();
    assert.match(t, /^[a-z0-9]{16}$/);
    seen.add(t);
  }
  assert.equal(seen.size, 2000);
});

test('Go durations parse as GoTrue reads ban_duration', () => {
  assert.equal(parseGoDuration('24h'), 86_400_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('90s'), 90_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('forever'), null);
  assert.equal(parseGoDuration(''), null);
});

test('emails are trimmed and lower-cased, malformed ones refused', () => {
  assert.equal(validateEmail('  Ada@Example.COM '), 'ada@example.com');
  assert.throws(() => validateEmail('ada@example'), /invalid format/);
  assert.throws(() => validateEmail('a b@example.com'), /invalid format/);
});
