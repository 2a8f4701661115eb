import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import ws from 'ws';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { useAuthStack, type AuthStack } from './auth-server.ts';
import { claimsOf, fragmentOf, lastMail, openLink } from './outbox-mails.ts';

const SITE = 'http://127.0.0.1:3000';
// Email confirmations on: with autoconfirm a signup answers with a session and PKCE has nothing to do.
let stack: AuthStack;
let pool: pg.Pool;

useAuthStack({ mailerAutoconfirm: false }, (s, p) => {
  stack = s;
  pool = p;
});

let n = 0;
const freshEmail = () => `pkce${++n}.${Date.now()}@example.com`;
const admin = () => supabaseClient(stack.url, stack.keys.service_role).auth.admin;

type Transport = NonNullable<NonNullable<Parameters<typeof createClient>[2]>['realtime']>['transport'];

/** A storage that remembers every value written under a key, even after supabase-js removes it. */
function recordingStorage() {
  const items = new Map<string, string>();
  const written = new Map<string, string>();
  return {
    written,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void (items.set(key, value), written.set(key, value)),
    removeItem: (key: string) => void items.delete(key),
  };
}

/** An app's client with `flowType: 'pkce'`: it keeps the code verifier in its own storage. */
function pkceClient(storage = recordingStorage()): SupabaseClient {
  return createClient(stack.url, stack.keys.anon, {
    auth: { flowType: 'pkce', persistSession: true, storage, autoRefreshToken: false, detectSessionInUrl: false },
    // As tests/helpers/supabase.ts: Node 20 needs `ws` for realtime.
    realtime: { transport: ws as unknown as Transport },
  });
}

async function confirmedUser(): Promise<string> {
  const email = freshEmail();
  await admin().createUser({ email, password: 'correct-horse', email_confirm: true });
  return email;
}

/** The `code` GET /verify redirected with; the redirect carries no tokens. */
function codeOf(location: string, base: string): string {
  const url = new URL(location);
  assert.equal(location.split('?')[0], base);
  assert.equal(url.hash, '', 'no tokens in the fragment');
  const code = url.searchParams.get('code');
  assert.match(code ?? '', /^[0-9a-f-]{36}$/);
  return code!;
}

async function pkceToken(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${stack.url}/auth/v1/token?grant_type=pkce`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function rawPost(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${stack.url}/auth/v1${path}`, { method: 'POST', headers: { apikey: stack.keys.anon, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const verifierPair = () => {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

test('signUp with PKCE: the confirmation link redirects with ?code=, and exchangeCodeForSession signs in once', async () => {
  const client = pkceClient();
  const email = freshEmail();
  const signUp = await client.auth.signUp({ email, password: 'correct-horse', options: { emailRedirectTo: `${SITE}/callback?next=%2Fhome` } });
  assert.equal(signUp.error, null);
  assert.equal(signUp.data.session, null);

  const { rows } = await pool.query<{ code_challenge_method: string; provider_type: string; authentication_method: string; auth_code_hash: string | null }>(
    'select f.code_challenge_method, f.provider_type, f.authentication_method, f.auth_code_hash from auth.flow_state f join auth.users u on u.id = f.user_id where u.email = $1',
    [email],
  );
  assert.deepEqual(rows, [{ code_challenge_method: 's256', provider_type: 'email', authentication_method: 'email/signup', auth_code_hash: null }]);

  const mail = await lastMail(pool, email);
  assert.match(mail.token_hash, /^pkce_[0-9a-f]{56}$/);
  const location = await openLink(mail.action_link);
  const code = codeOf(location, `${SITE}/callback`);
  assert.equal(new URL(location).searchParams.get('next'), '/home');
  const stored = await pool.query<{ auth_code_hash: string }>('select auth_code_hash from auth.flow_state f join auth.users u on u.id = f.user_id where u.email = $1', [email]);
  assert.equal(stored.rows[0]?.auth_code_hash, createHash('sha256').update(code).digest('hex'), 'the code is stored as a digest only');

  const { data, error } = await client.auth.exchangeCodeForSession(code);
  assert.equal(error, null);
  assert.equal(data.user?.email, email);
  assert.ok(data.user?.email_confirmed_at);
  assert.equal(data.session?.token_type, 'bearer');
  const amr = claimsOf(data.session!.access_token).amr as Array<{ method: string }>;
  assert.equal(amr[0]?.method, 'email/signup');
  assert.equal((await pool.query('select 1 from auth.flow_state where auth_code_hash = $1', [createHash('sha256').update(code).digest('hex')])).rowCount, 0);

  const reused = await pkceClient().auth.exchangeCodeForSession(code);
  assert.ok(reused.error, 'a second client has no code verifier');
  const raw = await pkceToken({ auth_code: code, code_verifier: 'x'.repeat(43) });
  assert.equal(raw.status, 404);
  assert.deepEqual(await raw.json(), { code: 404, error_code: 'flow_state_not_found', msg: 'invalid flow state, no valid flow state found' });
});

test('signInWithOtp and resetPasswordForEmail with PKCE: magic-link and recovery codes exchange for sessions', async () => {
  const email = await confirmedUser();
  const client = pkceClient();
  assert.equal((await client.auth.signInWithOtp({ email, options: { emailRedirectTo: `${SITE}/callback` } })).error, null);
  const magic = await lastMail(pool, email);
  assert.equal(magic.template, 'otp');
  const code = codeOf(await openLink(magic.action_link), `${SITE}/callback`);
  const signedIn = await client.auth.exchangeCodeForSession(code);
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user?.email, email);
  assert.equal((claimsOf(signedIn.data.session!.access_token).amr as Array<{ method: string }>)[0]?.method, 'magiclink');

  const recovering = pkceClient();
  assert.equal((await recovering.auth.resetPasswordForEmail(email, { redirectTo: `${SITE}/reset` })).error, null);
  const recovery = await lastMail(pool, email);
  assert.equal(recovery.template, 'recovery');
  const recoveryCode = codeOf(await openLink(recovery.action_link), `${SITE}/reset`);
  const recovered = await recovering.auth.exchangeCodeForSession(recoveryCode);
  assert.equal(recovered.error, null);
  assert.equal((recovered.data as { redirectType?: string | null }).redirectType, 'recovery');
  assert.equal((await recovering.auth.updateUser({ password: 'new-password' })).error, null);
  assert.equal((await supabaseClient(stack.url, stack.keys.anon).auth.signInWithPassword({ email, password: 'new-password' })).error, null);
});

test('a wrong code verifier is refused with bad_code_verifier and leaves the code usable; plain challenges work too', async () => {
  const email = await confirmedUser();
  const verifier = randomBytes(40).toString('base64url');
  const sent = await rawPost('/otp', { email, code_challenge: verifier, code_challenge_method: 'plain' });
  assert.equal(sent.status, 200);
  const code = codeOf(await openLink((await lastMail(pool, email)).action_link), SITE);

  const wrong = await pkceToken({ auth_code: code, code_verifier: `${verifier}x` });
  assert.equal(wrong.status, 400);
  assert.deepEqual(await wrong.json(), { code: 400, error_code: 'bad_code_verifier', msg: 'code challenge does not match previously saved code verifier' });

  const right = await pkceToken({ auth_code: code, code_verifier: verifier });
  assert.equal(right.status, 200);
  const session = (await right.json()) as { access_token: string; user: { email: string } };
  assert.equal(session.user.email, email);
});

test('an expired flow is refused with flow_state_expired', async () => {
  const email = await confirmedUser();
  const { verifier, challenge } = verifierPair();
  await rawPost('/magiclink', { email, code_challenge: challenge, code_challenge_method: 's256' });
  const code = codeOf(await openLink((await lastMail(pool, email)).action_link), SITE);
  await pool.query(
    `update auth.flow_state set created_at = now() - interval '10 minutes', auth_code_issued_at = now() - interval '10 minutes'
      where auth_code_hash = $1`,
    [createHash('sha256').update(code).digest('hex')],
  );
  const res = await pkceToken({ auth_code: code, code_verifier: verifier });
  assert.equal(res.status, 422);
  assert.deepEqual(await res.json(), { code: 422, error_code: 'flow_state_expired', msg: 'invalid flow state, flow state has expired' });
});

test('a PKCE link is no implicit link: without its pkce_ prefix it is invalid, and without a flow state it fails', async () => {
  const email = await confirmedUser();
  const { challenge } = verifierPair();
  await rawPost('/magiclink', { email, code_challenge: challenge, code_challenge_method: 'S256' });
  const mail = await lastMail(pool, email);
  const stripped = mail.action_link.replace('token=pkce_', 'token=');
  assert.match(await openLink(stripped), /#error=access_denied&error_code=otp_expired&/);

  await pool.query('delete from auth.flow_state f using auth.users u where u.id = f.user_id and u.email = $1', [email]);
  const location = await openLink(mail.action_link);
  const url = new URL(location);
  assert.equal(url.searchParams.get('error_code'), 'flow_state_not_found');
  assert.equal(url.searchParams.get('error_description'), 'No valid flow state found for user.');
  assert.equal(fragmentOf(location).get('error_code'), 'flow_state_not_found');
});

test('PKCE parameters are checked as GoTrue checks them', async () => {
  const email = freshEmail();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ code_challenge: 'a'.repeat(43) }, 'PKCE flow requires code_challenge_method and code_challenge'],
    [{ code_challenge_method: 's256' }, 'PKCE flow requires code_challenge_method and code_challenge'],
    [{ code_challenge: 'short', code_challenge_method: 's256' }, 'code challenge has to be between 43 and 128 characters'],
    [{ code_challenge: `${'a'.repeat(42)}!`, code_challenge_method: 's256' }, 'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes'],
    [{ code_challenge: 'a'.repeat(43), code_challenge_method: 'md5' }, 'unsupported code_challenge method "md5"'],
  ];
  for (const [pkce, msg] of cases) {
    const res = await rawPost('/signup', { email, password: 'correct-horse', ...pkce });
    assert.equal(res.status, 400, JSON.stringify(pkce));
    assert.deepEqual(await res.json(), { code: 400, error_code: 'validation_failed', msg });
  }
  const missing = await pkceToken({ auth_code: 'abc' });
  assert.equal(missing.status, 400);
  assert.deepEqual(await missing.json(), { code: 400, error_code: 'validation_failed', msg: 'invalid request: both auth code and code verifier should be non-empty' });
  const unknown = await supabaseClient(stack.url, stack.keys.anon).auth.exchangeCodeForSession('00000000-0000-4000-8000-000000000000');
  assert.ok(unknown.error);
});

test('updateUser({ email }) with PKCE: both links carry pkce_, the second redirects with a code for the new email', async () => {
  const email = await confirmedUser();
  const storage = recordingStorage();
  const client = pkceClient(storage);
  assert.equal((await client.auth.signInWithPassword({ email, password: 'correct-horse' })).error, null);
  const next = freshEmail();
  const { error } = await client.auth.updateUser({ email: next }, { emailRedirectTo: `${SITE}/callback` });
  assert.equal(error, null);
  const toNew = await lastMail(pool, next);
  const toCurrent = await lastMail(pool, email);
  assert.ok(toNew.token_hash.startsWith('pkce_') && toCurrent.token_hash.startsWith('pkce_'));

  const first = new URL(await openLink(toNew.action_link));
  assert.equal(first.searchParams.get('message'), 'Confirmation link accepted. Please proceed to confirm link sent to the other email');
  const code = codeOf(await openLink(toCurrent.action_link), `${SITE}/callback`);
  // supabase-js (auth-js 2.109) drops the code verifier when updateUser saves the refreshed user; an app that
  // keeps it (as a server-side app does in a cookie) puts it back before the exchange.
  const key = [...storage.written.keys()].find((k) => k.endsWith('-code-verifier'))!;
  storage.setItem(key, storage.written.get(key)!);
  const { data, error: exchangeError } = await client.auth.exchangeCodeForSession(code);
  assert.equal(exchangeError, null);
  assert.equal(data.user?.email, next);
  assert.equal((claimsOf(data.session!.access_token).amr as Array<{ method: string }>)[0]?.method, 'email_change');
});

test('an unknown grant type is still refused', async () => {
  const res = await fetch(`${stack.url}/auth/v1/token?grant_type=magic`, { method: 'POST', headers: { apikey: stack.keys.anon } });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error_code: string }).error_code, 'validation_failed');
});
