import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { createJwtVerifier } from '../../supabase/keys/jwt.ts';
import { generateSigningKey, loadSigningKey, type SigningKey } from '../../supabase/keys/signing-key.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthRestStack } from './auth-rest-stack.ts';
import { TEST_SECRET, type AuthStack } from './auth-server.ts';

const FIXTURE = `
  create table public.notes (
    id bigint generated always as identity primary key,
    owner uuid not null default auth.uid() references auth.users (id) on delete cascade,
    body text not null
  );
  create policy "own notes" on public.notes for all to authenticated using (owner = (select auth.uid())) with check (owner = (select auth.uid()));
`;

let stack: AuthStack;
let key: SigningKey;

before(async () => {
  key = generateSigningKey();
  stack = await startAuthRestStack(FIXTURE, { signingKey: key });
});

after(() => stack?.stop());

const restNotes = (token: string) =>
  fetch(`${stack.url}/rest/v1/notes?select=owner,body`, { headers: { apikey: stack.keys.anon, authorization: `Bearer ${token}` } });

test('with a signing key, supabase-js sessions carry ES256 tokens (header kid) that verify against the published JWKS', async () => {
  const client = supabaseClient(stack.url, stack.keys.anon);
  const { data, error } = await client.auth.signUp({ email: 'es@example.com', password: 'correct-horse' });
  assert.equal(error, null);
  const token = data.session!.access_token;
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: key.kid, typ: 'JWT' });

  const res = await fetch(`${stack.url}/auth/v1/.well-known/jwks.json`, { headers: { apikey: stack.keys.anon } });
  assert.equal(res.status, 200);
  const set = (await res.json()) as JSONWebKeySet;
  assert.deepEqual(set.keys, [{ ...key.publicJwk }]);
  assert.deepEqual(Object.keys(set.keys[0]!).sort(), ['alg', 'crv', 'key_ops', 'kid', 'kty', 'use', 'x', 'y']);
  assert.deepEqual(set.keys[0]!.key_ops, ['verify']);
  assert.equal(set.keys[0]!.use, 'sig');

  const remote = createRemoteJWKSet(new URL(`${stack.url}/auth/v1/.well-known/jwks.json`), { headers: { apikey: stack.keys.anon } });
  const { payload } = await jwtVerify(token, remote, { issuer: `${stack.url}/auth/v1`, audience: 'authenticated' });
  assert.equal(payload.sub, data.user!.id);
  const local = await jwtVerify(token, createLocalJWKSet(set));
  assert.equal(local.payload.sub, data.user!.id);

  // The password grant signs the same way, and /user accepts the token.
  const signIn = await client.auth.signInWithPassword({ email: 'es@example.com', password: 'correct-horse' });
  assert.equal(signIn.error, null);
  assert.equal(decodeProtectedHeader(signIn.data.session!.access_token).alg, 'ES256');
  const user = await client.auth.getUser(signIn.data.session!.access_token);
  assert.equal(user.data.user?.id, data.user!.id);
});

test('an ES256 token reaches /rest/v1 and RLS sees auth.uid(); HS256 tokens still work there', async () => {
  const client = supabaseClient(stack.url, stack.keys.anon);
  const { data } = await client.auth.signUp({ email: 'rls@example.com', password: 'correct-horse' });
  const inserted = await client.from('notes').insert({ body: 'signed with ES256' }).select('owner, body').single();
  assert.equal(inserted.error, null);
  assert.deepEqual(inserted.data, { owner: data.user!.id, body: 'signed with ES256' });

  const es = await restNotes(data.session!.access_token);
  assert.equal(es.status, 200);
  assert.deepEqual(await es.json(), [{ owner: data.user!.id, body: 'signed with ES256' }]);

  const now = Math.floor(Date.now() / 1000);
  const hs = await new SignJWT({ role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(data.user!.id).setIssuedAt(now).setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(TEST_SECRET));
  const viaHs = await restNotes(hs);
  assert.equal(viaHs.status, 200);
  assert.deepEqual(await viaHs.json(), [{ owner: data.user!.id, body: 'signed with ES256' }]);
  assert.equal((await client.auth.getUser(hs)).data.user?.id, data.user!.id, '/user accepts HS256 too');
});

test('a token signed by another EC key (even with our kid), alg none, or an unknown kid is refused with 401', async () => {
  const client = supabaseClient(stack.url, stack.keys.anon);
  const { data } = await client.auth.signUp({ email: 'forged@example.com', password: 'correct-horse' });
  const now = Math.floor(Date.now() / 1000);
  const claims = { role: 'authenticated', aud: 'authenticated', sub: data.user!.id, iat: now, exp: now + 600 };
  const other = generateSigningKey();
  const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' }).sign(other.privateKey);
  const wrongKid = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'not-ours', typ: 'JWT' }).sign(key.privateKey);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  for (const token of [forged, wrongKid, none]) {
    assert.equal((await restNotes(token)).status, 401);
    const gw = await fetch(`${stack.url}/rest/v1/notes`, { headers: { apikey: token } });
    assert.equal(gw.status, 401, 'the gateway refuses it as a project key');
    const user = await client.auth.getUser(token);
    assert.equal(user.data.user, null);
  }
  assert.equal((await restNotes(data.session!.access_token)).status, 200);
});

test('createJwtVerifier picks the key by alg: HS256 with the secret, ES256 only with a signing key; none and others are refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const es = await new SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setExpirationTime(now + 60).sign(key.privateKey);
  const hs = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 60).sign(new TextEncoder().encode(TEST_SECRET));
  const hs384 = await new SignJWT({ role: 'anon' }).setProtectedHeader({ alg: 'HS384' }).sign(new TextEncoder().encode(TEST_SECRET));
  const withKey = createJwtVerifier(TEST_SECRET, { signingKey: key });
  const withoutKey = createJwtVerifier(TEST_SECRET);
  assert.equal((await withKey.verify(es)).ok, true);
  assert.equal((await withKey.verify(es)).ok, true, 'cached');
  assert.equal((await withKey.verify(hs)).ok, true);
  assert.equal((await withoutKey.verify(hs)).ok, true);
  assert.deepEqual(await withoutKey.verify(es), { ok: false, reason: 'bad_algorithm' });
  assert.deepEqual(await withKey.verify(hs384), { ok: false, reason: 'bad_algorithm' });
  const forged = await new SignJWT({ role: 'service_role' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(generateSigningKey().privateKey);
  assert.deepEqual(await withKey.verify(forged), { ok: false, reason: 'invalid_signature' });
});

test('loadSigningKey generates the key file once (0600) and reuses it; a malformed file is a config error', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-signing-'));
  try {
    const [a, b] = await Promise.all([loadSigningKey(dir), loadSigningKey(dir)]);
    assert.equal(a.kid, b.kid, 'racing starts agree');
    const file = path.join(dir, 'signing-key.json');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    const again = await loadSigningKey(dir);
    assert.equal(again.kid, a.kid);
    assert.deepEqual(again.publicJwk, a.publicJwk);
    await fs.writeFile(file, '{"kid": 1}');
    await assert.rejects(loadSigningKey(dir), /signing-key\.json is unreadable or malformed/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
