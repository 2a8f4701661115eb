import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { AuthApiError } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, useAuthStack, type AuthStack } from './auth-server.ts';
import { fragmentOf, lastMail, mailsTo, openLink } from './outbox-mails.ts';

const SITE = 'http://127.0.0.1:3000';
const SINGLE = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';
// Email confirmations on (production), as GoTrue with MAILER_AUTOCONFIRM off.
let stack: AuthStack;
let pool: pg.Pool;

useAuthStack({ mailerAutoconfirm: false }, (s, p) => {
  stack = s;
  pool = p;
});

let n = 0;
const freshEmail = () => `change${++n}.${Date.now()}@example.com`;
const admin = (s: AuthStack = stack) => supabaseClient(s.url, s.keys.service_role).auth.admin;

/** A confirmed user signed in on its own client. */
async function signedIn(s: AuthStack = stack) {
  const email = freshEmail();
  await admin(s).createUser({ email, password: 'correct-horse', email_confirm: true });
  const client = supabaseClient(s.url, s.keys.anon);
  const { error } = await client.auth.signInWithPassword({ email, password: 'correct-horse' });
  assert.equal(error, null);
  return { client, email };
}

async function storedEmail(userId: string): Promise<{ email: string; email_change: string | null }> {
  const { rows } = await pool.query<{ email: string; email_change: string | null }>('select email, email_change from auth.users where id = $1', [userId]);
  return rows[0]!;
}

test('updateUser({ email }) keeps the address, answers with new_email and mails both addresses their own link and code', async () => {
  const { client, email } = await signedIn();
  const next = freshEmail();
  const { data, error } = await client.auth.updateUser({ email: next }, { emailRedirectTo: `${SITE}/settings` });
  assert.equal(error, null);
  const user = data.user!;
  assert.equal(user.email, email);
  assert.equal(user.new_email, next);
  assert.ok(user.email_change_sent_at && Date.now() - Date.parse(user.email_change_sent_at) < 60_000);
  assert.deepEqual(await storedEmail(user.id), { email, email_change: next });

  const toCurrent = await lastMail(pool, email);
  const toNew = await lastMail(pool, next);
  for (const mail of [toCurrent, toNew]) {
    assert.equal(mail.template, 'email_change');
    assert.equal(mail.subject, 'Confirm Email Change');
    assert.equal(
      mail.action_link,
      `${stack.url}/auth/v1/verify?token=${mail.token_hash}&type=email_change&redirect_to=${encodeURIComponent(`${SITE}/settings`)}`,
    );
  }
  assert.notEqual(toCurrent.token_hash, toNew.token_hash);
  assert.equal((await mailsTo(pool, next)).length, 1);
});

test('the email changes only once both links are opened; the first answers with GoTrue\'s message', async () => {
  const { client, email } = await signedIn();
  const next = freshEmail();
  const { data } = await client.auth.updateUser({ email: next }, { emailRedirectTo: `${SITE}/settings` });
  const userId = data.user!.id;

  const first = await openLink((await lastMail(pool, next)).action_link);
  assert.equal(first, `${SITE}/settings#message=${new URLSearchParams({ m: SINGLE }).toString().slice(2)}`);
  assert.deepEqual(await storedEmail(userId), { email, email_change: next });

  const second = await openLink((await lastMail(pool, email)).action_link);
  assert.ok(second.startsWith(`${SITE}/settings#access_token=`));
  const params = fragmentOf(second);
  assert.equal(params.get('type'), 'email_change');
  const me = await supabaseClient(stack.url, stack.keys.anon).auth.getUser(params.get('access_token')!);
  assert.equal(me.data.user?.email, next);
  assert.equal(me.data.user?.new_email, undefined);
  assert.equal(me.data.user?.identities?.[0]?.identity_data?.email, next);
  assert.deepEqual(await storedEmail(userId), { email: next, email_change: null });

  const anon = supabaseClient(stack.url, stack.keys.anon);
  assert.equal((await anon.auth.signInWithPassword({ email: next, password: 'correct-horse' })).error, null);
  assert.equal((await anon.auth.signInWithPassword({ email, password: 'correct-horse' })).error?.code, 'invalid_credentials');
});

test('verifyOtp with the two codes: the first answers {msg, code} without a session, the second signs in with the new email', async () => {
  const { client, email } = await signedIn();
  const next = freshEmail();
  await client.auth.updateUser({ email: next });
  const current = await lastMail(pool, email);
  const fresh = await lastMail(pool, next);

  const raw = await fetch(`${stack.url}/auth/v1/verify`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'email_change', email, token: current.otp }),
  });
  assert.equal(raw.status, 200);
  assert.deepEqual(await raw.json(), { msg: SINGLE, code: '200' });

  const wrongAddress = await client.auth.verifyOtp({ email, token: fresh.otp, type: 'email_change' });
  assert.equal(wrongAddress.error?.code, 'otp_expired', 'a code only works with the address it was mailed to');

  const done = await client.auth.verifyOtp({ email: next, token: fresh.otp, type: 'email_change' });
  assert.equal(done.error, null);
  assert.equal(done.data.session?.user.email, next);
  assert.ok(done.data.session?.access_token);
});

test('changing the password in the same request keeps the email change links working', async () => {
  const { client, email } = await signedIn();
  const next = freshEmail();
  const { data, error } = await client.auth.updateUser({ email: next, password: 'battery-staple' });
  assert.equal(error, null);
  assert.equal(data.user?.new_email, next);
  assert.match(await openLink((await lastMail(pool, email)).action_link), /#message=/);
  const location = await openLink((await lastMail(pool, next)).action_link);
  assert.equal(fragmentOf(location).get('type'), 'email_change');
  const signIn = await supabaseClient(stack.url, stack.keys.anon).auth.signInWithPassword({ email: next, password: 'battery-staple' });
  assert.equal(signIn.error, null);
});

test('an address another user has is refused with email_exists and nothing is mailed', async () => {
  const { client, email } = await signedIn();
  const { email: taken } = await signedIn();
  const before = (await mailsTo(pool, taken)).length;
  const { data, error } = await client.auth.updateUser({ email: taken.toUpperCase() });
  assert.ok(error instanceof AuthApiError);
  assert.equal(error.status, 422);
  assert.equal(error.code, 'email_exists');
  assert.equal(error.message, 'A user with this email address has already been registered');
  assert.equal(data.user, null);
  assert.equal((await mailsTo(pool, taken)).length, before);
  assert.deepEqual(await mailsTo(pool, email), []);
});

test('a second request replaces the first: the earlier links no longer work', async () => {
  const { client, email } = await signedIn();
  const first = freshEmail();
  await client.auth.updateUser({ email: first });
  const stale = await lastMail(pool, first);
  const second = freshEmail();
  const { data } = await client.auth.updateUser({ email: second });
  assert.equal(data.user?.new_email, second);
  const location = await openLink(stale.action_link);
  assert.equal(location, `${SITE}#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired`);
  assert.equal((await storedEmail(data.user!.id)).email, email);
});

test('without secure email change only the new address gets a link, and opening it applies the change', async () => {
  const single = await startAuthStack({ mailerAutoconfirm: false, secureEmailChange: false });
  const local = new pg.Pool({ connectionString: single.db.url, max: 1 });
  try {
    const { client, email } = await signedIn(single);
    const next = freshEmail();
    await client.auth.updateUser({ email: next });
    assert.deepEqual(await mailsTo(local, email), []);
    const location = await openLink((await lastMail(local, next)).action_link);
    const me = await supabaseClient(single.url, single.keys.anon).auth.getUser(fragmentOf(location).get('access_token')!);
    assert.equal(me.data.user?.email, next);
  } finally {
    await local.end();
    await single.stop();
  }
});

test('with autoconfirm (local development) the email changes at once and nothing is mailed', async () => {
  const local = await startAuthStack();
  const localPool = new pg.Pool({ connectionString: local.db.url, max: 1 });
  try {
    const { client, email } = await signedIn(local);
    const next = freshEmail();
    const { data, error } = await client.auth.updateUser({ email: next });
    assert.equal(error, null);
    assert.equal(data.user?.email, next);
    assert.equal(data.user?.new_email, undefined);
    assert.ok(data.user?.email_confirmed_at);
    assert.deepEqual(await mailsTo(localPool, next), []);
    assert.deepEqual(await mailsTo(localPool, email), []);
  } finally {
    await localPool.end();
    await local.stop();
  }
});

test('admin.generateLink email_change_current and email_change_new: two unmailed links that apply the change together', async () => {
  const { email } = await signedIn();
  const next = freshEmail();
  const current = await admin().generateLink({ type: 'email_change_current', email, newEmail: next, options: { redirectTo: `${SITE}/settings` } });
  assert.equal(current.error, null);
  assert.equal(current.data.user?.new_email, next);
  assert.equal(current.data.properties?.verification_type, 'email_change_current');
  assert.match(current.data.properties!.email_otp, /^\d{6}$/);
  const fresh = await admin().generateLink({ type: 'email_change_new', email, newEmail: next, options: { redirectTo: `${SITE}/settings` } });
  assert.equal(fresh.error, null);
  assert.ok(fresh.data.properties!.action_link.includes('&type=email_change&'));
  assert.deepEqual(await mailsTo(pool, email), []);
  assert.deepEqual(await mailsTo(pool, next), []);

  assert.match(await openLink(current.data.properties!.action_link), /#message=Confirmation\+link\+accepted/);
  const location = await openLink(fresh.data.properties!.action_link);
  const me = await supabaseClient(stack.url, stack.keys.anon).auth.getUser(fragmentOf(location).get('access_token')!);
  assert.equal(me.data.user?.email, next);

  const { email: other } = await signedIn();
  const taken = await admin().generateLink({ type: 'email_change_new', email: other, newEmail: next });
  assert.equal(taken.error?.status, 422);
  assert.equal(taken.error?.code, 'email_exists');
  const nobody = await admin().generateLink({ type: 'email_change_new', email: freshEmail(), newEmail: freshEmail() });
  assert.equal(nobody.error?.status, 404);
  assert.equal(nobody.error?.code, 'user_not_found');
});
