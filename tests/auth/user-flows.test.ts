import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, jwtVerify } from 'jose';
import { AuthApiError, AuthSessionMissingError, AuthWeakPasswordError } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, TEST_SECRET, type AuthStack } from './auth-server.ts';

let stack: AuthStack;

before(async () => {
  stack = await startAuthStack({ refreshTokenReuseInterval: 1 });
});

after(async () => {
  await stack?.stop();
});

const anon = () => supabaseClient(stack.url, stack.keys.anon);
const secret = new TextEncoder().encode(TEST_SECRET);
let n = 0;
const freshEmail = () => `user${++n}.${Date.now()}@example.com`;

async function claimsOf(token: string): Promise<Record<string, unknown>> {
  const { payload, protectedHeader } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
  assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' });
  return payload as Record<string, unknown>;
}

async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.url}/auth/v1${path}`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

test('signUp returns a session whose access token carries GoTrue claims exactly', async () => {
  const email = freshEmail();
  const { data, error } = await anon().auth.signUp({ email, password: 'correct-horse', options: { data: { name: 'Ada' } } });
  assert.equal(error, null);
  const { session, user } = data;
  assert.ok(session && user);
  assert.equal(session.token_type, 'bearer');
  assert.equal(session.expires_in, 3600);
  assert.match(session.refresh_token, /^[a-z0-9]{16}$/);
  assert.equal(user.email, email);
  assert.equal(user.aud, 'authenticated');
  assert.equal(user.role, 'authenticated');
  assert.ok(user.email_confirmed_at);
  assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'] });
  assert.deepEqual(user.user_metadata, { name: 'Ada', sub: user.id, email, email_verified: true, phone_verified: false });
  assert.equal(user.identities?.length, 1);
  assert.equal(user.identities?.[0]?.provider, 'email');
  assert.equal(user.identities?.[0]?.id, user.id);

  const claims = await claimsOf(session.access_token);
  const iat = claims.iat as number;
  assert.ok(Math.abs(iat - Date.now() / 1000) < 5);
  assert.deepEqual(claims, {
    iss: `${stack.url}/auth/v1`,
    sub: user.id,
    aud: 'authenticated',
    exp: iat + 3600,
    iat,
    email,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { name: 'Ada', sub: user.id, email, email_verified: true, phone_verified: false },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: (claims.amr as Array<{ timestamp: number }>)[0]!.timestamp }],
    session_id: claims.session_id,
    is_anonymous: false,
  });
  assert.match(String(claims.session_id), /^[0-9a-f-]{36}$/);
  assert.equal(session.expires_at, iat + 3600);
});

test('signUp refuses a taken email, a short password and a malformed email in GoTrue shape', async () => {
  const email = freshEmail();
  await anon().auth.signUp({ email, password: 'correct-horse' });
  const again = await anon().auth.signUp({ email: email.toUpperCase(), password: 'correct-horse' });
  assert.ok(again.error instanceof AuthApiError);
  assert.equal(again.error.status, 422);
  assert.equal(again.error.code, 'user_already_exists');
  assert.equal(again.error.message, 'User already registered');

  const weak = await anon().auth.signUp({ email: freshEmail(), password: '123' });
  assert.ok(weak.error instanceof AuthWeakPasswordError);
  assert.equal(weak.error.status, 422);
  assert.deepEqual(weak.error.reasons, ['length']);

  const res = await rawPost('/signup', { email: 'not-an-email', password: 'correct-horse' });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { code: 400, error_code: 'validation_failed', msg: 'Unable to validate email address: invalid format' });

  const bad = await rawPost('/signup', { email: 42, password: 'x' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error_code: string }).error_code, 'bad_json');
});

test('signInWithPassword signs in, and a wrong password or unknown email is invalid_credentials', async () => {
  const email = freshEmail();
  await anon().auth.signUp({ email, password: 'correct-horse' });
  const client = anon();
  const { data, error } = await client.auth.signInWithPassword({ email, password: 'correct-horse' });
  assert.equal(error, null);
  assert.ok(data.session);
  assert.ok(data.user.last_sign_in_at);
  const me = await client.auth.getUser();
  assert.equal(me.error, null);
  assert.equal(me.data.user?.id, data.user.id);

  for (const creds of [{ email, password: 'wrong-horse' }, { email: 'nobody@example.com', password: 'correct-horse' }]) {
    const res = await rawPost('/token?grant_type=password', creds);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
  }
  const grant = await rawPost('/token?grant_type=magic', {});
  assert.equal(grant.status, 400);
});

test('a wrong password costs about the same for an unknown email as for a known one', async () => {
  const email = freshEmail();
  await anon().auth.signUp({ email, password: 'correct-horse' });
  const time = async (who: string) => {
    const t = performance.now();
    for (let i = 0; i < 4; i++) await rawPost('/token?grant_type=password', { email: who, password: 'wrong-horse' });
    return performance.now() - t;
  };
  await time('warmup@example.com');
  const known = await time(email);
  const unknown = await time('ghost@example.com');
  assert.ok(unknown > known * 0.4 && unknown < known * 2.5, `known ${known.toFixed(1)} ms vs unknown ${unknown.toFixed(1)} ms`);
});

test('updateUser merges metadata and changes the password, signing out the other sessions', async () => {
  const email = freshEmail();
  const first = anon();
  await first.auth.signUp({ email, password: 'correct-horse', options: { data: { name: 'Ada', team: 'x' } } });
  const second = anon();
  await second.auth.signInWithPassword({ email, password: 'correct-horse' });

  const { data, error } = await first.auth.updateUser({ data: { team: null, plan: 'pro' } });
  assert.equal(error, null);
  assert.equal(data.user?.user_metadata.name, 'Ada');
  assert.equal(data.user?.user_metadata.plan, 'pro');
  assert.equal('team' in (data.user?.user_metadata ?? {}), false);

  const same = await first.auth.updateUser({ password: 'correct-horse' });
  assert.equal(same.error?.code, 'same_password');
  assert.equal(same.error?.status, 422);

  const changed = await first.auth.updateUser({ password: 'battery-staple' });
  assert.equal(changed.error, null);
  assert.equal((await first.auth.getUser()).error, null);
  const other = await second.auth.getUser();
  assert.ok(other.error instanceof AuthSessionMissingError, String(other.error));
  const old = await anon().auth.signInWithPassword({ email, password: 'correct-horse' });
  assert.equal(old.error?.code, 'invalid_credentials');
  const renewed = await anon().auth.signInWithPassword({ email, password: 'battery-staple' });
  assert.equal(renewed.error, null);
});

test('refresh tokens rotate; a revoked one is answered with its live child, and reuse after the interval ends the session', async () => {
  const email = freshEmail();
  const client = anon();
  const { data } = await client.auth.signUp({ email, password: 'correct-horse' });
  const t0 = data.session!.refresh_token;

  const r1 = await client.auth.refreshSession({ refresh_token: t0 });
  assert.equal(r1.error, null);
  const t1 = r1.data.session!.refresh_token;
  assert.notEqual(t1, t0);
  const c1 = await claimsOf(r1.data.session!.access_token);
  assert.equal(c1.session_id, (await claimsOf(data.session!.access_token)).session_id);

  // The client lost the answer and retries with t0: it gets t1 again, not a new family member.
  const retry = await rawPost('/token?grant_type=refresh_token', { refresh_token: t0 });
  assert.equal(retry.status, 200);
  assert.equal(((await retry.json()) as { refresh_token: string }).refresh_token, t1);

  const r2 = await client.auth.refreshSession({ refresh_token: t1 });
  const t2 = r2.data.session!.refresh_token;
  assert.notEqual(t2, t1);

  await new Promise((r) => setTimeout(r, 1200));
  const reuse = await rawPost('/token?grant_type=refresh_token', { refresh_token: t0 });
  assert.equal(reuse.status, 400);
  assert.deepEqual(await reuse.json(), { code: 400, error_code: 'refresh_token_already_used', msg: 'Invalid Refresh Token: Already Used' });

  // The whole session is gone: its newest refresh token and its access tokens no longer work.
  const after = await rawPost('/token?grant_type=refresh_token', { refresh_token: t2 });
  assert.equal(after.status, 400);
  assert.deepEqual(await after.json(), { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' });
  const me = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.keys.anon, authorization: `Bearer ${r2.data.session!.access_token}` } });
  assert.equal(me.status, 403);
  assert.deepEqual(await me.json(), { code: 403, error_code: 'session_not_found', msg: 'Session from session_id claim in JWT does not exist' });
});

test('signOut scopes: local ends this session, others the rest, global all of them', async () => {
  const email = freshEmail();
  await anon().auth.signUp({ email, password: 'correct-horse' });
  const signIn = async () => {
    const c = anon();
    const { data } = await c.auth.signInWithPassword({ email, password: 'correct-horse' });
    return { c, refresh: data.session!.refresh_token };
  };
  const live = async (s: { c: ReturnType<typeof anon> }) => (await s.c.auth.getUser()).error === null;
  const [a, b, c] = [await signIn(), await signIn(), await signIn()];
  const aToken = (await a.c.auth.getSession()).data.session!.access_token;

  assert.equal((await a.c.auth.signOut({ scope: 'local' })).error, null);
  const probe = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.keys.anon, authorization: `Bearer ${aToken}` } });
  assert.equal(probe.status, 403);
  assert.equal(await live(b), true);
  assert.equal(await live(c), true);

  assert.equal((await b.c.auth.signOut({ scope: 'others' })).error, null);
  assert.equal(await live(b), true);
  assert.equal(await live(c), false);
  const cRefresh = await rawPost('/token?grant_type=refresh_token', { refresh_token: c.refresh });
  assert.equal(cRefresh.status, 400);

  const d = await signIn();
  assert.equal((await d.c.auth.signOut()).error, null);
  const bProbe = await rawPost('/token?grant_type=refresh_token', { refresh_token: b.refresh });
  assert.equal(((await bProbe.json()) as { error_code: string }).error_code, 'refresh_token_not_found');

  const badScope = await rawPost('/logout?scope=everyone', {}, { authorization: `Bearer ${aToken}` });
  assert.equal(badScope.status, 400);
});

test('GET /user needs a user token: none is 401, the anon key or a forged token is 403 bad_jwt', async () => {
  const none = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.keys.anon } });
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { code: 401, error_code: 'no_authorization', msg: 'This endpoint requires a valid Bearer token' });
  const withAnon = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.keys.anon, authorization: `Bearer ${stack.keys.anon}` } });
  assert.equal(withAnon.status, 403);
  assert.equal(((await withAnon.json()) as { error_code: string }).error_code, 'bad_jwt');
  const { data } = await anon().auth.signUp({ email: freshEmail(), password: 'correct-horse' });
  const expired = await new SignJWT({ ...(await claimsOf(data.session!.access_token)) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
    .sign(secret);
  const stale = await fetch(`${stack.url}/auth/v1/user`, { headers: { apikey: stack.keys.anon, authorization: `Bearer ${expired}` } });
  assert.equal(stale.status, 403);
  assert.deepEqual(await stale.json(), {
    code: 403,
    error_code: 'bad_jwt',
    msg: 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired',
  });
});

test('concurrent refreshes of one token all get the same child token', async () => {
  const { data } = await anon().auth.signUp({ email: freshEmail(), password: 'correct-horse' });
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => rawPost('/token?grant_type=refresh_token', { refresh_token: data.session!.refresh_token })),
  );
  const tokens = await Promise.all(answers.map(async (r) => {
    assert.equal(r.status, 200);
    return ((await r.json()) as { refresh_token: string }).refresh_token;
  }));
  assert.equal(new Set(tokens).size, 1);
  assert.notEqual(tokens[0], data.session!.refresh_token);
});

test('health, settings and the JWKS answer with GoTrue bodies', async () => {
  const get = (p: string) => fetch(`${stack.url}/auth/v1${p}`, { headers: { apikey: stack.keys.anon } });
  const health = await get('/health');
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { name: string }).name, 'GoTrue');
  const settings = (await (await get('/settings')).json()) as Record<string, unknown>;
  assert.equal(settings.disable_signup, false);
  assert.equal(settings.mailer_autoconfirm, true);
  assert.equal((settings.external as Record<string, boolean>).email, true);
  assert.deepEqual(await (await get('/.well-known/jwks.json')).json(), { keys: [] });
  const missing = await get('/nope');
  assert.equal(missing.status, 404);
  const wrongMethod = await fetch(`${stack.url}/auth/v1/signup`, { headers: { apikey: stack.keys.anon } });
  assert.equal(wrongMethod.status, 405);
});

test('onAuthStateChange reports sign-in, token refresh, user update and sign-out, as against GoTrue', async () => {
  const client = anon();
  const events: string[] = [];
  const { data } = client.auth.onAuthStateChange((event) => {
    events.push(event);
  });
  const email = freshEmail();
  const signUp = await client.auth.signUp({ email, password: 'correct-horse' });
  assert.equal(signUp.error, null);
  assert.equal((await client.auth.refreshSession()).error, null);
  assert.equal((await client.auth.updateUser({ data: { plan: 'pro' } })).error, null);
  assert.equal((await client.auth.signOut()).error, null);
  await new Promise((r) => setTimeout(r, 50));
  data.subscription.unsubscribe();
  assert.deepEqual(events.filter((e) => e !== 'INITIAL_SESSION'), ['SIGNED_IN', 'TOKEN_REFRESHED', 'USER_UPDATED', 'SIGNED_OUT']);
});
