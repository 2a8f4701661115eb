import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AuthApiError } from '@supabase/supabase-js';
import { loadConfig } from '../../supabase/cli/config.ts';
import { mailCommand } from '../../supabase/cli/mail.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, useAuthStack, type AuthStack } from './auth-server.ts';
import { lastMail, mailsTo } from './outbox-mails.ts';

const SITE = 'http://127.0.0.1:3000';
let stack: AuthStack;
let pool: pg.Pool;

useAuthStack({}, (s, p) => {
  stack = s;
  pool = p;
});

const anon = (s: AuthStack = stack) => supabaseClient(s.url, s.keys.anon);
const admin = (s: AuthStack = stack) => supabaseClient(s.url, s.keys.service_role).auth.admin;
let n = 0;
const freshEmail = () => `mail${++n}.${Date.now()}@example.com`;

async function rawPost(path: string, body: unknown, s: AuthStack = stack): Promise<Response> {
  return fetch(`${s.url}/auth/v1${path}`, {
    method: 'POST',
    headers: { apikey: s.keys.anon, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

test('signInWithOtp signs a new address up and mails a magic link with its 6-digit code, verified once with the code', async () => {
  const email = freshEmail();
  const sent = await anon().auth.signInWithOtp({ email, options: { emailRedirectTo: `${SITE}/welcome` } });
  assert.equal(sent.error, null);
  assert.deepEqual(sent.data, { user: null, session: null });

  const mail = await lastMail(pool, email);
  assert.equal(mail.template, 'otp');
  assert.equal(mail.subject, 'Your Magic Link');
  assert.match(mail.token_hash, /^[0-9a-f]{56}$/);
  assert.equal(
    mail.action_link,
    `${stack.url}/auth/v1/verify?token=${mail.token_hash}&type=magiclink&redirect_to=${encodeURIComponent(`${SITE}/welcome`)}`,
  );
  assert.ok(mail.body_text.includes(mail.action_link));
  assert.ok(mail.body_html?.includes(mail.otp));

  const { data, error } = await anon().auth.verifyOtp({ email, token: mail.otp, type: 'email' });
  assert.equal(error, null);
  assert.equal(data.session?.token_type, 'bearer');
  assert.equal(data.user?.email, email);
  assert.ok(data.user?.email_confirmed_at);
  assert.deepEqual(data.session?.user.app_metadata, { provider: 'email', providers: ['email'] });

  const again = await anon().auth.verifyOtp({ email, token: mail.otp, type: 'email' });
  assert.ok(again.error instanceof AuthApiError);
  assert.equal(again.error.status, 403);
  assert.equal(again.error.code, 'otp_expired');
  assert.equal(again.error.message, 'Token has expired or is invalid');
  assert.equal(again.data.session, null);
});

test('the token stored in one_time_tokens is a digest, never the OTP or the link token', async () => {
  const email = freshEmail();
  await anon().auth.signInWithOtp({ email });
  const mail = await lastMail(pool, email);
  const { rows } = await pool.query<{ token_hash: string; token_type: string; relates_to: string }>(
    'select t.token_hash, t.token_type, t.relates_to from auth.one_time_tokens t join auth.users u on u.id = t.user_id where u.email = $1',
    [email],
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.token_type, 'recovery_token');
  assert.equal(rows[0]!.relates_to, email);
  assert.match(rows[0]!.token_hash, /^[0-9a-f]{64}$/);
  assert.notEqual(rows[0]!.token_hash, mail.token_hash);
  assert.notEqual(rows[0]!.token_hash, mail.otp);
});

test('signInWithOtp with shouldCreateUser false refuses an unknown address with otp_disabled and mails nothing', async () => {
  const email = freshEmail();
  const { error } = await anon().auth.signInWithOtp({ email, options: { shouldCreateUser: false } });
  assert.ok(error instanceof AuthApiError);
  assert.equal(error.status, 422);
  assert.equal(error.code, 'otp_disabled');
  assert.equal(error.message, 'Signups not allowed for otp');
  assert.deepEqual(await mailsTo(pool, email), []);
});

test('POST /magiclink mails an existing user a magic link that verifyOtp redeems by token hash, once', async () => {
  const email = freshEmail();
  await admin().createUser({ email, password: 'correct-horse', email_confirm: true });
  const res = await rawPost('/magiclink', { email });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {});
  const mail = await lastMail(pool, email);
  assert.equal(mail.template, 'magiclink');

  const { data, error } = await anon().auth.verifyOtp({ token_hash: mail.token_hash, type: 'magiclink' });
  assert.equal(error, null);
  assert.equal(data.user?.email, email);
  assert.ok(data.session?.access_token);
  const again = await anon().auth.verifyOtp({ token_hash: mail.token_hash, type: 'magiclink' });
  assert.equal(again.error?.code, 'otp_expired');
});

test('POST /verify checks its parameters as GoTrue does', async () => {
  const cases: Array<[unknown, number, string, string]> = [
    [{ token: '123456', email: 'a@example.com' }, 400, 'validation_failed', 'Verify requires a verification type'],
    [{ type: 'email', email: 'a@example.com' }, 400, 'validation_failed', 'Verify requires either a token or a token hash'],
    [{ type: 'email', token: '1', token_hash: 'x' }, 400, 'validation_failed', 'Verify requires either a token or a token hash'],
    [{ type: 'email', token_hash: 'abc', email: 'a@example.com' }, 400, 'validation_failed', 'Only the token_hash and type should be provided'],
    [{ type: 'carrier_pigeon', token_hash: 'abc' }, 422, 'validation_failed', 'Unsupported verification type'],
    [{ type: 'magiclink', token_hash: 'abc' }, 403, 'otp_expired', 'Token has expired or is invalid'],
  ];
  for (const [body, status, code, msg] of cases) {
    const res = await rawPost('/verify', body);
    assert.equal(res.status, status, JSON.stringify(body));
    assert.deepEqual(await res.json(), { code: status, error_code: code, msg });
  }
});

test('GET /verify redirects with the session in the fragment, and a used link redirects with the error', async () => {
  const email = freshEmail();
  await anon().auth.signInWithOtp({ email, options: { emailRedirectTo: `${SITE}/welcome?from=mail` } });
  const mail = await lastMail(pool, email);

  const head = await fetch(mail.action_link, { method: 'HEAD', redirect: 'manual' });
  assert.equal(head.status, 405, 'a link scanner does not spend the token');
  const res = await fetch(mail.action_link, { redirect: 'manual' });
  assert.equal(res.status, 303);
  const location = res.headers.get('location')!;
  const [base, fragment] = location.split('#');
  assert.equal(base, `${SITE}/welcome?from=mail`);
  const params = new URLSearchParams(fragment);
  assert.deepEqual([...params.keys()], ['access_token', 'expires_at', 'expires_in', 'refresh_token', 'token_type', 'type']);
  assert.equal(params.get('token_type'), 'bearer');
  assert.equal(params.get('expires_in'), '3600');
  assert.equal(params.get('type'), 'magiclink');
  assert.match(params.get('refresh_token')!, /^[a-z0-9]{16}$/);
  const me = await anon().auth.getUser(params.get('access_token')!);
  assert.equal(me.data.user?.email, email);

  const reused = await fetch(mail.action_link, { redirect: 'manual' });
  assert.equal(reused.status, 303);
  assert.equal(
    reused.headers.get('location'),
    `${SITE}/welcome#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid+or+has+expired`,
  );
});

test('GET /verify sends a redirect_to outside the allow list to the site URL instead', async () => {
  const email = freshEmail();
  await anon().auth.signInWithOtp({ email, options: { emailRedirectTo: 'https://evil.example.net/steal' } });
  const mail = await lastMail(pool, email);
  assert.ok(mail.action_link.endsWith(`redirect_to=${encodeURIComponent(SITE)}`));
  const res = await fetch(`${stack.url}/auth/v1/verify?token=${mail.token_hash}&type=magiclink&redirect_to=https://evil.example.net/x`, { redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.ok(res.headers.get('location')!.startsWith(`${SITE}#access_token=`));
});

test('resetPasswordForEmail answers the same for known and unknown addresses and mails only the known one', async () => {
  const email = freshEmail();
  await admin().createUser({ email, password: 'old-password', email_confirm: true });
  const unknown = freshEmail();

  const known = await rawPost('/recover', { email });
  const stranger = await rawPost('/recover', { email: unknown });
  assert.equal(known.status, 200);
  assert.equal(stranger.status, 200);
  assert.deepEqual(await known.json(), {});
  assert.deepEqual(await stranger.json(), {});
  assert.deepEqual(await mailsTo(pool, unknown), []);

  const viaJs = await anon().auth.resetPasswordForEmail(email, { redirectTo: `${SITE}/reset` });
  assert.deepEqual(viaJs, { data: {}, error: null });
  const mail = await lastMail(pool, email);
  assert.equal(mail.template, 'recovery');
  assert.equal(mail.subject, 'Reset Your Password');
  assert.ok(mail.action_link.includes('&type=recovery&'));

  const client = anon();
  const { data, error } = await client.auth.verifyOtp({ email, token: mail.otp, type: 'recovery' });
  assert.equal(error, null);
  assert.ok(data.session);
  const updated = await client.auth.updateUser({ password: 'new-password' });
  assert.equal(updated.error, null);
  const signIn = await anon().auth.signInWithPassword({ email, password: 'new-password' });
  assert.equal(signIn.error, null);
});

test('admin.generateLink returns GoTrue properties and the user, mails nothing, and its hashed token verifies', async () => {
  const email = freshEmail();
  const { data, error } = await admin().generateLink({ type: 'signup', email, password: 'correct-horse', options: { redirectTo: `${SITE}/in` } });
  assert.equal(error, null);
  const p = data.properties!;
  assert.equal(p.verification_type, 'signup');
  assert.equal(p.redirect_to, `${SITE}/in`);
  assert.match(p.email_otp, /^\d{6}$/);
  assert.match(p.hashed_token, /^[0-9a-f]{56}$/);
  assert.equal(p.action_link, `${stack.url}/auth/v1/verify?token=${p.hashed_token}&type=signup&redirect_to=${encodeURIComponent(`${SITE}/in`)}`);
  assert.equal(data.user?.email, email);
  assert.equal(data.user?.email_confirmed_at, undefined);
  assert.ok(data.user?.confirmation_sent_at);
  assert.deepEqual(await mailsTo(pool, email), []);

  const refused = await anon().auth.signInWithPassword({ email, password: 'correct-horse' });
  assert.equal(refused.error?.code, 'email_not_confirmed');
  const verified = await anon().auth.verifyOtp({ token_hash: p.hashed_token, type: 'signup' });
  assert.equal(verified.error, null);
  assert.ok(verified.data.user?.email_confirmed_at);

  const magic = await admin().generateLink({ type: 'magiclink', email });
  assert.equal(magic.data.properties?.verification_type, 'magiclink');
  const byCode = await anon().auth.verifyOtp({ email, token: magic.data.properties!.email_otp, type: 'email' });
  assert.equal(byCode.error, null);

  const taken = await admin().generateLink({ type: 'signup', email, password: 'correct-horse' });
  assert.equal(taken.error?.status, 422);
  assert.equal(taken.error?.code, 'email_exists');
});

test('admin.generateLink: invite creates an invited user, recovery needs a user, magiclink for a new address is a signup link', async () => {
  const invited = freshEmail();
  const invite = await admin().generateLink({ type: 'invite', email: invited });
  assert.equal(invite.error, null);
  assert.ok(invite.data.user?.invited_at);
  assert.equal(invite.data.properties?.verification_type, 'invite');
  const accepted = await fetch(invite.data.properties!.action_link, { redirect: 'manual' });
  assert.equal(accepted.status, 303);
  assert.match(accepted.headers.get('location')!, /^http:\/\/127\.0\.0\.1:3000#access_token=.*&type=invite$/);

  const missing = await admin().generateLink({ type: 'recovery', email: freshEmail() });
  assert.equal(missing.error?.status, 404);
  assert.equal(missing.error?.code, 'user_not_found');
  assert.equal(missing.error?.message, 'User with this email not found');

  const fresh = await admin().generateLink({ type: 'magiclink', email: freshEmail() });
  assert.equal(fresh.error, null);
  assert.equal(fresh.data.properties?.verification_type, 'signup');

  const forbidden = await fetch(`${stack.url}/auth/v1/admin/generate_link`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, authorization: `Bearer ${stack.keys.anon}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'magiclink', email: invited }),
  });
  assert.equal(forbidden.status, 403);
  assert.deepEqual(await forbidden.json(), { code: 403, error_code: 'not_admin', msg: 'User not allowed' });
});

test('convo mail lists the outbox, newest first, as text and as JSON', async () => {
  const email = freshEmail();
  await anon().auth.signInWithOtp({ email });
  await rawPost('/recover', { email });
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-mail-'));
  try {
    const config = loadConfig({ DATABASE_URL: stack.db.url, CONVO_STATE_DIR: stateDir }, stateDir);
    let json = '';
    assert.equal(await mailCommand(config, { json: true, to: email }, (t) => (json += t)), 0);
    const mails = JSON.parse(json) as Array<Record<string, unknown>>;
    assert.deepEqual(mails.map((m) => m.template), ['recovery', 'otp']);
    assert.equal(mails[0]!.to_email, email);
    assert.equal(typeof mails[0]!.created_at, 'string');

    let text = '';
    assert.equal(await mailCommand(config, { json: false, to: email, limit: 1 }, (t) => (text += t)), 0);
    assert.match(text, new RegExp(`to ${email.replace(/\./g, '\\.')}  \\[recovery\\]  Reset Your Password\\n`));
    assert.match(text, /Or enter this code: \d{6}/);
    assert.ok(!text.includes('[otp]'));

    let none = '';
    await mailCommand(config, { json: false, to: 'nobody@example.com' }, (t) => (none += t));
    assert.equal(none, 'No mails to nobody@example.com.\n');
  } finally {
    await fs.rm(stateDir, { recursive: true, force: true });
  }
});

test('with email confirmation on, signUp returns the user without a session and mails a confirmation', async () => {
  const confirming = await startAuthStack({ mailerAutoconfirm: false }, { db: stack.db });
  try {
    const email = freshEmail();
    const { data, error } = await anon(confirming).auth.signUp({ email, password: 'correct-horse', options: { emailRedirectTo: `${SITE}/confirmed` } });
    assert.equal(error, null);
    assert.equal(data.session, null);
    assert.equal(data.user?.email, email);
    assert.equal(data.user?.email_confirmed_at, undefined);
    assert.ok(data.user?.confirmation_sent_at);

    const mail = await lastMail(pool, email);
    assert.equal(mail.template, 'confirmation');
    assert.equal(mail.subject, 'Confirm Your Signup');
    assert.ok(mail.action_link.includes('&type=signup&'));

    const repeated = await anon(confirming).auth.signUp({ email, password: 'other-password' });
    assert.equal(repeated.error, null);
    assert.equal(repeated.data.user?.id, data.user?.id);
    const mails = await mailsTo(pool, email);
    assert.equal(mails.length, 2, 'an unconfirmed address gets its confirmation again');
    assert.equal((await lastMail(pool, email)).action_link, mails[0]!.action_link);
    const stale = await anon(confirming).auth.verifyOtp({ token_hash: mails[1]!.token_hash, type: 'signup' });
    assert.equal(stale.error?.code, 'otp_expired', 'the earlier confirmation no longer works');

    const early = await anon(confirming).auth.signInWithPassword({ email, password: 'correct-horse' });
    assert.ok(early.error instanceof AuthApiError);
    assert.equal(early.error.status, 400);
    assert.equal(early.error.code, 'email_not_confirmed');

    const res = await fetch(mails[0]!.action_link, { redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^http:\/\/127\.0\.0\.1:3000#access_token=.*&type=signup$/);
    const signIn = await anon(confirming).auth.signInWithPassword({ email, password: 'correct-horse' });
    assert.equal(signIn.error, null);
    assert.equal(signIn.data.user?.user_metadata.email_verified, true);

    // Once confirmed, a repeated signUp answers like a new signup (a look-alike user) and mails nothing.
    const taken = await anon(confirming).auth.signUp({ email, password: 'correct-horse' });
    assert.equal(taken.error, null);
    assert.equal(taken.data.session, null);
    assert.equal(taken.data.user?.email, email);
    assert.notEqual(taken.data.user?.id, data.user?.id);
    assert.deepEqual(taken.data.user?.identities, []);
    assert.equal((await mailsTo(pool, email)).length, 2);
  } finally {
    await confirming.stop();
  }
});

test('with email confirmation on, signInWithOtp for a new address mails the confirmation whose code verifies as email', async () => {
  const confirming = await startAuthStack({ mailerAutoconfirm: false }, { db: stack.db });
  try {
    const email = freshEmail();
    assert.equal((await anon(confirming).auth.signInWithOtp({ email })).error, null);
    const mail = await lastMail(pool, email);
    assert.equal(mail.template, 'confirmation');
    const { data, error } = await anon(confirming).auth.verifyOtp({ email, token: mail.otp, type: 'email' });
    assert.equal(error, null);
    assert.ok(data.user?.email_confirmed_at);
  } finally {
    await confirming.stop();
  }
});

test('a mailed code expires after mailerOtpExp seconds', async () => {
  const short = await startAuthStack({ mailerOtpExp: 1 }, { db: stack.db });
  try {
    const email = freshEmail();
    await anon(short).auth.signInWithOtp({ email });
    const mail = await lastMail(pool, email);
    await new Promise((r) => setTimeout(r, 1500));
    const late = await anon(short).auth.verifyOtp({ email, token: mail.otp, type: 'email' });
    assert.equal(late.error?.status, 403);
    assert.equal(late.error?.code, 'otp_expired');
    const link = await fetch(mail.action_link, { redirect: 'manual' });
    assert.match(link.headers.get('location')!, /#error=access_denied&error_code=otp_expired&/);
  } finally {
    await short.stop();
  }
});

test('mails per address are rate-limited on /otp, /magiclink and /recover with 429 and Retry-After', async () => {
  const limits = { signInSignUpsPerIp: 1000, tokenRefreshPerIp: 1000, signInsPerEmail: 1000, emailsPerAddress: 2, windowSeconds: 60 };
  const limited = await startAuthStack({ rateLimits: limits }, { db: stack.db });
  try {
    const email = freshEmail();
    assert.equal((await rawPost('/otp', { email }, limited)).status, 200);
    assert.equal((await rawPost('/magiclink', { email }, limited)).status, 200);
    const third = await rawPost('/recover', { email }, limited);
    assert.equal(third.status, 429);
    const retryAfter = Number(third.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.deepEqual(await third.json(), { code: 429, error_code: 'over_email_send_rate_limit', msg: 'Email rate limit exceeded' });
    assert.equal((await mailsTo(pool, email)).length, 2);

    // Unknown addresses are counted too, so the limit tells nothing about which exist.
    const unknown = freshEmail();
    assert.equal((await rawPost('/recover', { email: unknown }, limited)).status, 200);
    assert.equal((await rawPost('/recover', { email: unknown }, limited)).status, 200);
    assert.equal((await rawPost('/recover', { email: unknown }, limited)).status, 429);
    // Another address is not affected.
    assert.equal((await rawPost('/otp', { email: freshEmail() }, limited)).status, 200);
  } finally {
    await limited.stop();
  }
});
