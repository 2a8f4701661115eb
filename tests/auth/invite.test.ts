import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { AuthApiError } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { useAuthStack, type AuthStack } from './auth-server.ts';
import { fragmentOf, lastMail, mailsTo, openLink } from './outbox-mails.ts';

const SITE = 'http://127.0.0.1:3000';
let stack: AuthStack;
let pool: pg.Pool;

useAuthStack({}, (s, p) => {
  stack = s;
  pool = p;
});

let n = 0;
const freshEmail = () => `invite${++n}.${Date.now()}@example.com`;
const admin = () => supabaseClient(stack.url, stack.keys.service_role).auth.admin;
const anon = () => supabaseClient(stack.url, stack.keys.anon);

test('inviteUserByEmail creates an invited, unconfirmed user with its metadata and mails the invite link', async () => {
  const email = freshEmail();
  const { data, error } = await admin().inviteUserByEmail(email.toUpperCase(), { data: { team: 'sales' }, redirectTo: `${SITE}/welcome` });
  assert.equal(error, null);
  const user = data.user!;
  assert.equal(user.email, email);
  assert.ok(user.invited_at && Date.now() - Date.parse(user.invited_at) < 60_000);
  assert.equal(user.email_confirmed_at, undefined);
  assert.equal(user.user_metadata.team, 'sales');
  assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'] });
  assert.equal(user.identities?.[0]?.provider, 'email');

  const mail = await lastMail(pool, email);
  assert.equal(mail.template, 'invite');
  assert.equal(mail.subject, 'You have been invited');
  assert.equal(mail.action_link, `${stack.url}/auth/v1/verify?token=${mail.token_hash}&type=invite&redirect_to=${encodeURIComponent(`${SITE}/welcome`)}`);
  const { rows } = await pool.query<{ payload: { action: string; traits: { user_email: string } } }>(
    `select payload from auth.audit_log_entries where payload->>'action' = 'user_invited' and payload->'traits'->>'user_email' = $1`,
    [email],
  );
  assert.equal(rows.length, 1);
});

test('opening the invite link confirms the email and signs the user in, with the tokens in the fragment', async () => {
  const email = freshEmail();
  await admin().inviteUserByEmail(email, { redirectTo: `${SITE}/welcome` });
  const location = await openLink((await lastMail(pool, email)).action_link);
  assert.ok(location.startsWith(`${SITE}/welcome#access_token=`));
  const params = fragmentOf(location);
  assert.deepEqual([...params.keys()], ['access_token', 'expires_at', 'expires_in', 'refresh_token', 'token_type', 'type']);
  assert.equal(params.get('type'), 'invite');
  const me = await anon().auth.getUser(params.get('access_token')!);
  assert.equal(me.data.user?.email, email);
  assert.ok(me.data.user?.email_confirmed_at);
  assert.ok(me.data.user?.invited_at);

  const again = await openLink((await lastMail(pool, email)).action_link);
  assert.match(again, /#error=access_denied&error_code=otp_expired&/);
});

test('inviting an address that is already confirmed is refused with email_exists, and nothing is mailed', async () => {
  const email = freshEmail();
  await admin().createUser({ email, password: 'correct-horse', email_confirm: true });
  const { data, error } = await admin().inviteUserByEmail(email);
  assert.ok(error instanceof AuthApiError);
  assert.equal(error.status, 422);
  assert.equal(error.code, 'email_exists');
  assert.equal(error.message, 'A user with this email address has already been registered');
  assert.equal(data.user, null);
  assert.deepEqual(await mailsTo(pool, email), []);
});

test('inviting an unconfirmed address again sends a new link and the old one stops working', async () => {
  const email = freshEmail();
  const first = await admin().inviteUserByEmail(email);
  const stale = await lastMail(pool, email);
  const second = await admin().inviteUserByEmail(email);
  assert.equal(second.error, null);
  assert.equal(second.data.user?.id, first.data.user?.id);
  assert.equal((await mailsTo(pool, email)).length, 2);
  assert.match(await openLink(stale.action_link), /error_code=otp_expired/);
  const fresh = await lastMail(pool, email);
  const verified = await anon().auth.verifyOtp({ email, token: fresh.otp, type: 'invite' });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user?.email, email);
});

test('POST /invite needs the service role and a valid email', async () => {
  const email = freshEmail();
  const asAnon = await fetch(`${stack.url}/auth/v1/invite`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, authorization: `Bearer ${stack.keys.anon}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  assert.equal(asAnon.status, 403);
  assert.deepEqual(await asAnon.json(), { code: 403, error_code: 'not_admin', msg: 'User not allowed' });
  assert.deepEqual(await mailsTo(pool, email), []);

  const bad = await admin().inviteUserByEmail('not-an-email');
  assert.equal(bad.error?.status, 400);
  assert.equal(bad.error?.code, 'validation_failed');
});
