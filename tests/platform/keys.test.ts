import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { freePorts, makeWorkdir, runConvo, startConvo } from '../helpers/convo.ts';
import { SUPABASE_DEMO_SECRET } from '../../supabase/keys/secrets.ts';

test('first start generates a secret in .convo/ (0600); anon and service_role keys are HS256 JWTs signed with it', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const convo = await startConvo(wd, ports);
    await convo.stop();
    const file = path.join(wd.stateDir, 'secrets.json');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as { jwt_secret: string };
    assert.ok(stored.jwt_secret.length >= 32);
    assert.equal(convo.status.jwt_secret, stored.jwt_secret);
    const key = new TextEncoder().encode(stored.jwt_secret);
    for (const [role, token] of [['anon', convo.status.anon_key], ['service_role', convo.status.service_role_key]] as const) {
      assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
      const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
      assert.deepEqual(Object.keys(payload).sort(), ['exp', 'iat', 'iss', 'role']);
      assert.equal(payload.role, role);
      assert.equal(payload.iss, 'convo');
      assert.ok(payload.exp! - payload.iat! >= 9 * 365 * 24 * 3600, 'project keys are long-lived');
    }
  } finally {
    await wd.remove();
  }
});

test('CONVO_JWT_SECRET overrides the generated secret', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  const secret = 'an-operator-chosen-secret-of-more-than-32-chars';
  try {
    const convo = await startConvo(wd, ports, { CONVO_JWT_SECRET: secret });
    await convo.stop();
    assert.equal(convo.status.jwt_secret, secret);
    const { payload } = await jwtVerify(convo.status.anon_key, new TextEncoder().encode(secret));
    assert.equal(payload.role, 'anon');
  } finally {
    await wd.remove();
  }
});

test('in production a short secret or Supabase demo secret is refused at start, before anything runs', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const short = await runConvo(['start'], wd, ports, { NODE_ENV: 'production', CONVO_JWT_SECRET: 'too-short' });
    assert.equal(short.code, 1);
    assert.equal(short.stderr, 'convo: the JWT secret is 9 characters; production needs at least 32\n');
    const demo = await runConvo(['start'], wd, ports, { NODE_ENV: 'production', CONVO_JWT_SECRET: SUPABASE_DEMO_SECRET });
    assert.equal(demo.code, 1);
    assert.match(demo.stderr, /^convo: the JWT secret is Supabase's public demo secret; set CONVO_JWT_SECRET/);
    await assert.rejects(fs.stat(path.join(wd.stateDir, 'db')), 'no cluster was created');
    // The same short secret is fine for local development.
    const dev = await startConvo(wd, ports, { CONVO_JWT_SECRET: 'too-short' });
    assert.equal(await dev.stop(), 0);
  } finally {
    await wd.remove();
  }
});
