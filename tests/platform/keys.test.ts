import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { freePorts, makeWorkdir, runConvo, startConvo } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';
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

test('CONVO_JWT_SIGNING=ES256: a key generated once (0600) signs access tokens, JWKS publishes it, the same kid after a restart', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  const env = { CONVO_JWT_SIGNING: 'ES256' };
  try {
    const first = await startConvo(wd, ports, env);
    let token: string;
    let kid: string;
    try {
      const api = first.status.api_url;
      assert.deepEqual(decodeProtectedHeader(first.status.anon_key), { alg: 'HS256', typ: 'JWT' }, 'project keys stay HS256');
      const client = supabaseClient(api, first.status.anon_key);
      const { data, error } = await client.auth.signUp({ email: 'es256@example.com', password: 'correct-horse' });
      assert.equal(error, null);
      token = data.session!.access_token;
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, 'ES256');
      kid = header.kid!;
      const jwks = createRemoteJWKSet(new URL(`${api}/auth/v1/.well-known/jwks.json`), { headers: { apikey: first.status.anon_key } });
      const { payload } = await jwtVerify(token, jwks, { issuer: `${api}/auth/v1` });
      assert.equal(payload.sub, data.user!.id);
      // The gateway and /rest/v1 take it (the user's own claims reach PostgREST's role switch).
      const rest = await fetch(`${api}/rest/v1/`, { headers: { apikey: first.status.anon_key, authorization: `Bearer ${token}` } });
      assert.equal(rest.status, 200);
      const asKey = await fetch(`${api}/auth/v1/user`, { headers: { apikey: token, authorization: `Bearer ${token}` } });
      assert.equal(asKey.status, 200, 'the gateway accepts an ES256 token as the key too');
    } finally {
      assert.equal(await first.stop(), 0);
    }
    const file = path.join(wd.stateDir, 'signing-key.json');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as { kid: string; alg: string };
    assert.equal(stored.kid, kid);
    assert.equal(stored.alg, 'ES256');

    const second = await startConvo(wd, ports, env);
    try {
      const api = second.status.api_url;
      const res = await fetch(`${api}/auth/v1/.well-known/jwks.json`, { headers: { apikey: second.status.anon_key } });
      const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
      assert.equal(body.keys.length, 1);
      assert.equal(body.keys[0]!.kid, kid, 'the key is reused');
      assert.deepEqual(body.keys[0]!.key_ops, ['verify']);
      const user = await fetch(`${api}/auth/v1/user`, { headers: { apikey: second.status.anon_key, authorization: `Bearer ${token}` } });
      assert.equal(user.status, 200, 'tokens from before the restart still verify');
    } finally {
      assert.equal(await second.stop(), 0);
    }
  } finally {
    await wd.remove();
  }
});

test('CONVO_JWT_SIGNING other than HS256 or ES256 is a config error', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const bad = await runConvo(['start'], wd, ports, { CONVO_JWT_SIGNING: 'RS256' });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'convo: CONVO_JWT_SIGNING must be HS256 or ES256, got "RS256"\n');
  } finally {
    await wd.remove();
  }
});
