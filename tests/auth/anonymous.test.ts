import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AuthApiError } from '@supabase/supabase-js';
import { loadConfig } from '../../supabase/cli/config.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';
import { claimsOf, fragmentOf, lastMail, mailsTo, openLink } from './outbox-mails.ts';

let stack: AuthStack;

before(async () => {
  stack = await startAuthStack({ anonymousSignIns: true });
});

after(async () => {
  await stack?.stop();
});

let n = 0;
const freshEmail = () => `anon${++n}.${Date.now()}@example.com`;
const anon = (s: AuthStack = stack) => supabaseClient(s.url, s.keys.anon);

test('signInAnonymously gives an anonymous user a session: is_anonymous in the user and the token, no identity, amr anonymous', async () => {
  const client = anon();
  const { data, error } = await client.auth.signInAnonymously({ options: { data: { plan: 'trial' } } });
  assert.equal(error, null);
  const user = data.user!;
  assert.equal(user.is_anonymous, true);
  assert.equal(user.email, '');
  assert.equal(user.phone, '');
  assert.deepEqual(user.identities, []);
  assert.deepEqual(user.app_metadata, {});
  assert.deepEqual(user.user_metadata, { plan: 'trial' });
  assert.equal(user.role, 'authenticated');
  const claims = claimsOf(data.session!.access_token);
  assert.equal(claims.is_anonymous, true);
  assert.equal(claims.role, 'authenticated');
  assert.equal((claims.amr as Array<{ method: string }>)[0]?.method, 'anonymous');
  const me = await client.auth.getUser();
  assert.equal(me.data.user?.id, user.id);
});

test('an anonymous user may not set a password without an email or phone', async () => {
  const client = anon();
  await client.auth.signInAnonymously();
  const { error } = await client.auth.updateUser({ password: 'correct-horse' });
  assert.ok(error instanceof AuthApiError);
  assert.equal(error.status, 422);
  assert.equal(error.code, 'validation_failed');
  assert.equal(error.message, 'Updating password of an anonymous user without an email or phone is not allowed');
});

test('with autoconfirm, updateUser({ email, password }) makes the anonymous user permanent at once', async () => {
  const client = anon();
  const { data: signedIn } = await client.auth.signInAnonymously();
  const email = freshEmail();
  const { data, error } = await client.auth.updateUser({ email, password: 'correct-horse' });
  assert.equal(error, null);
  assert.equal(data.user?.id, signedIn.user?.id);
  assert.equal(data.user?.email, email);
  assert.equal(data.user?.is_anonymous, false);
  assert.ok(data.user?.email_confirmed_at);
  assert.deepEqual(data.user?.app_metadata, { provider: 'email', providers: ['email'] });
  assert.equal(data.user?.identities?.[0]?.provider, 'email');
  assert.equal(data.user?.identities?.[0]?.identity_data?.email, email);

  const refreshed = await client.auth.refreshSession();
  assert.equal(claimsOf(refreshed.data.session!.access_token).is_anonymous, false);
  const again = await anon().auth.signInWithPassword({ email, password: 'correct-horse' });
  assert.equal(again.error, null);
  assert.equal(again.data.user?.id, signedIn.user?.id);
});

test('with confirmations on, the anonymous user gets one link (there is no current address) and stays anonymous until it is opened', async () => {
  const confirming = await startAuthStack({ anonymousSignIns: true, mailerAutoconfirm: false });
  const pool = new pg.Pool({ connectionString: confirming.db.url, max: 1 });
  try {
    const client = anon(confirming);
    const { data: signedIn } = await client.auth.signInAnonymously();
    const email = freshEmail();
    const { data, error } = await client.auth.updateUser({ email });
    assert.equal(error, null);
    assert.equal(data.user?.is_anonymous, true);
    assert.equal(data.user?.email, '');
    assert.equal(data.user?.new_email, email);
    assert.equal((await mailsTo(pool, email)).length, 1);

    const location = await openLink((await lastMail(pool, email)).action_link);
    const token = fragmentOf(location).get('access_token')!;
    assert.equal(claimsOf(token).is_anonymous, false);
    const me = await anon(confirming).auth.getUser(token);
    assert.equal(me.data.user?.id, signedIn.user?.id);
    assert.equal(me.data.user?.email, email);
    assert.equal(me.data.user?.is_anonymous, false);
  } finally {
    await pool.end();
    await confirming.stop();
  }
});

test('anonymous sign-ins are off by default: 422 anonymous_provider_disabled, and /settings says so', async () => {
  const closed = await startAuthStack();
  try {
    const { data, error } = await anon(closed).auth.signInAnonymously();
    assert.ok(error instanceof AuthApiError);
    assert.equal(error.status, 422);
    assert.equal(error.code, 'anonymous_provider_disabled');
    assert.equal(error.message, 'Anonymous sign-ins are disabled');
    assert.equal(data.session, null);
    const settings = (await (await fetch(`${closed.url}/auth/v1/settings`, { headers: { apikey: closed.keys.anon } })).json()) as { external: Record<string, boolean> };
    assert.equal(settings.external.anonymous_users, false);
  } finally {
    await closed.stop();
  }
  const open = (await (await fetch(`${stack.url}/auth/v1/settings`, { headers: { apikey: stack.keys.anon } })).json()) as { external: Record<string, boolean> };
  assert.equal(open.external.anonymous_users, true);
});

test('convo start turns anonymous sign-ins on with [auth] enable_anonymous_sign_ins or CONVO_AUTH_ANONYMOUS_SIGN_INS', async () => {
  const workdir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-anon-'));
  try {
    assert.equal(loadConfig({}, workdir).auth.anonymousSignIns, false);
    await fs.mkdir(path.join(workdir, 'supabase'));
    await fs.writeFile(path.join(workdir, 'supabase', 'config.toml'), '[auth]\nenable_anonymous_sign_ins = true\n');
    assert.equal(loadConfig({}, workdir).auth.anonymousSignIns, true);
    assert.equal(loadConfig({ CONVO_AUTH_ANONYMOUS_SIGN_INS: 'false' }, workdir).auth.anonymousSignIns, false);
    assert.throws(() => loadConfig({ CONVO_AUTH_ANONYMOUS_SIGN_INS: 'yes' }, workdir), /CONVO_AUTH_ANONYMOUS_SIGN_INS must be true or false, got "yes"/);
  } finally {
    await fs.rm(workdir, { recursive: true, force: true });
  }
});
