import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AuthApiError } from '@supabase/supabase-js';
import { loadConfig } from '../../supabase/cli/config.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';

// Phone sign-ins on, SMS confirmations on (GoTrue's SMS_AUTOCONFIRM off).
let stack: AuthStack;
let pool: pg.Pool;

before(async () => {
  stack = await startAuthStack({ phoneSignIns: true, mailerAutoconfirm: false });
  pool = new pg.Pool({ connectionString: stack.db.url, max: 2 });
});

after(async () => {
  await pool?.end();
  await stack?.stop();
});

let n = 0;
/** A fresh E.164 number, as the user might type it, and as GoTrue stores it (digits, no `+`). */
const freshPhone = () => {
  const digits = `1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++n}`;
  return { typed: `+${digits.slice(0, 1)} (${digits.slice(1, 4)}) ${digits.slice(4, 7)}-${digits.slice(7)}`, stored: digits };
};
const anon = (s: AuthStack = stack) => supabaseClient(s.url, s.keys.anon);

interface Text {
  id: string;
  to_phone: string;
  template: string;
  body: string;
}

async function textsTo(phone: string, p: pg.Pool = pool): Promise<Text[]> {
  const { rows } = await p.query<Text>('select id, to_phone, template, body from auth.sms_outbox where to_phone = $1 order by created_at desc', [phone]);
  return rows;
}

async function lastCode(phone: string, p: pg.Pool = pool): Promise<{ id: string; otp: string }> {
  const [text] = await textsTo(phone, p);
  assert.ok(text, `no text to ${phone}`);
  assert.equal(text.template, 'sms_otp');
  const otp = /^Your code is (\d{6})$/.exec(text.body)?.[1];
  assert.ok(otp, `GoTrue's SMS wording with a 6-digit code: ${text.body}`);
  return { id: text.id, otp };
}

test('signUp({ phone, password }) texts a code; the number signs in with its password only once verifyOtp({ type: "sms" }) confirmed it', async () => {
  const { typed, stored } = freshPhone();
  const { data, error } = await anon().auth.signUp({ phone: typed, password: 'correct-horse', options: { data: { name: 'Ada' } } });
  assert.equal(error, null);
  assert.equal(data.session, null);
  assert.equal(data.user?.phone, stored);
  assert.equal(data.user?.email, '');
  assert.equal(data.user?.phone_confirmed_at, undefined);
  assert.deepEqual(data.user?.app_metadata, { provider: 'phone', providers: ['phone'] });
  assert.equal(data.user?.user_metadata.name, 'Ada');

  const early = await anon().auth.signInWithPassword({ phone: typed, password: 'correct-horse' });
  assert.ok(early.error instanceof AuthApiError);
  assert.equal(early.error.status, 400);
  assert.equal(early.error.code, 'phone_not_confirmed');

  const { otp } = await lastCode(stored);
  const verified = await anon().auth.verifyOtp({ phone: typed, token: otp, type: 'sms' });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user?.phone, stored);
  assert.ok(verified.data.user?.phone_confirmed_at);
  assert.equal(verified.data.user?.identities?.[0]?.provider, 'phone');
  assert.equal(verified.data.user?.identities?.[0]?.identity_data?.phone_verified, true);

  const signedIn = await anon().auth.signInWithPassword({ phone: stored, password: 'correct-horse' });
  assert.equal(signedIn.error, null);
  assert.equal(signedIn.data.user?.id, data.user?.id);
});

test('signInWithOtp({ phone }) signs a new number up ({}), then texts established numbers a code with its message_id', async () => {
  const { typed, stored } = freshPhone();
  const first = await anon().auth.signInWithOtp({ phone: typed });
  assert.equal(first.error, null);
  assert.equal(first.data.messageId, undefined);
  const signup = await anon().auth.verifyOtp({ phone: typed, token: (await lastCode(stored)).otp, type: 'sms' });
  assert.equal(signup.error, null);
  assert.ok(signup.data.session?.access_token);

  const again = await anon().auth.signInWithOtp({ phone: typed });
  assert.equal(again.error, null);
  const text = await lastCode(stored);
  assert.equal(again.data.messageId, text.id);
  const signIn = await anon().auth.verifyOtp({ phone: typed, token: text.otp, type: 'sms' });
  assert.equal(signIn.error, null);
  assert.equal(signIn.data.user?.id, signup.data.user?.id);

  const reused = await anon().auth.verifyOtp({ phone: typed, token: text.otp, type: 'sms' });
  assert.equal(reused.error?.status, 403);
  assert.equal(reused.error?.code, 'otp_expired');
  assert.equal(reused.error?.message, 'Token has expired or is invalid');
});

test('a phone code is no email code: its token hash does not verify as a signup', async () => {
  const { stored } = freshPhone();
  await anon().auth.signInWithOtp({ phone: stored });
  const { otp } = await lastCode(stored);
  const tokenHash = createHash('sha224').update(stored + otp).digest('hex');
  const asSignup = await anon().auth.verifyOtp({ token_hash: tokenHash, type: 'signup' });
  assert.equal(asSignup.error?.code, 'otp_expired');
  const asSms = await anon().auth.verifyOtp({ phone: stored, token: otp, type: 'sms' });
  assert.equal(asSms.error, null);
});

test('phone requests are checked: E.164 numbers only, no PKCE for phone signups, create_user false needs an account', async () => {
  const bad = await anon().auth.signUp({ phone: '12ab', password: 'correct-horse' });
  assert.equal(bad.error?.status, 400);
  assert.equal(bad.error?.code, 'validation_failed');
  assert.equal(bad.error?.message, 'Invalid phone number format (E.164 required)');

  const { stored } = freshPhone();
  const pkce = await fetch(`${stack.url}/auth/v1/signup`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, 'content-type': 'application/json' },
    body: JSON.stringify({ phone: stored, password: 'correct-horse', code_challenge: 'a'.repeat(43), code_challenge_method: 's256' }),
  });
  assert.equal(pkce.status, 400);
  assert.deepEqual(await pkce.json(), { code: 400, error_code: 'validation_failed', msg: 'PKCE not supported for phone signups' });

  const closed = await anon().auth.signInWithOtp({ phone: stored, options: { shouldCreateUser: false } });
  assert.equal(closed.error?.status, 422);
  assert.equal(closed.error?.code, 'otp_disabled');
  assert.deepEqual(await textsTo(stored), []);
});

test('signing a confirmed number up again answers with a look-alike user and texts nothing', async () => {
  const { stored } = freshPhone();
  const original = await anon().auth.signUp({ phone: stored, password: 'correct-horse' });
  await anon().auth.verifyOtp({ phone: stored, token: (await lastCode(stored)).otp, type: 'sms' });
  const texts = (await textsTo(stored)).length;
  const again = await anon().auth.signUp({ phone: stored, password: 'other-password' });
  assert.equal(again.error, null);
  assert.notEqual(again.data.user?.id, original.data.user?.id);
  assert.deepEqual(again.data.user?.identities, []);
  assert.equal((await textsTo(stored)).length, texts);
});

test('updateUser({ phone }) texts the new number a code; verifyOtp({ type: "phone_change" }) makes it the user\'s', async () => {
  const email = `phonechange${++n}.${Date.now()}@example.com`;
  const admin = supabaseClient(stack.url, stack.keys.service_role).auth.admin;
  await admin.createUser({ email, password: 'correct-horse', email_confirm: true });
  const client = anon();
  await client.auth.signInWithPassword({ email, password: 'correct-horse' });
  const { typed, stored } = freshPhone();
  const { data, error } = await client.auth.updateUser({ phone: typed });
  assert.equal(error, null);
  assert.equal(data.user?.phone, '');
  assert.equal(data.user?.new_phone, stored);
  assert.ok((data.user as { phone_change_sent_at?: string } | null)?.phone_change_sent_at);

  const { otp } = await lastCode(stored);
  const wrongType = await anon().auth.verifyOtp({ phone: typed, token: otp, type: 'sms' });
  assert.equal(wrongType.error?.code, 'otp_expired', 'a phone-change code is not a sign-in code');
  const verified = await anon().auth.verifyOtp({ phone: typed, token: otp, type: 'phone_change' });
  assert.equal(verified.error, null);
  assert.equal(verified.data.user?.phone, stored);
  assert.equal(verified.data.user?.new_phone, undefined);
  assert.ok(verified.data.user?.phone_confirmed_at);
  assert.deepEqual(verified.data.user?.app_metadata.providers, ['email', 'phone']);
  assert.deepEqual(verified.data.user?.identities?.map((i) => i.provider).sort(), ['email', 'phone']);
  const byPhone = await anon().auth.signInWithPassword({ phone: stored, password: 'correct-horse' });
  assert.equal(byPhone.error, null);

  const other = anon();
  const otherEmail = `phonechange${++n}.${Date.now()}@example.com`;
  await admin.createUser({ email: otherEmail, password: 'correct-horse', email_confirm: true });
  await other.auth.signInWithPassword({ email: otherEmail, password: 'correct-horse' });
  const taken = await other.auth.updateUser({ phone: stored });
  assert.ok(taken.error instanceof AuthApiError);
  assert.equal(taken.error.status, 422);
  assert.equal(taken.error.code, 'phone_exists');
  assert.equal(taken.error.message, 'A user with this phone number has already been registered');
});

test('with SMS autoconfirm a phone signup answers with a session; without phone sign-ins GoTrue\'s errors', async () => {
  const confirming = await startAuthStack({ phoneSignIns: true, smsAutoconfirm: true });
  try {
    const { stored } = freshPhone();
    const client = anon(confirming);
    const { data, error } = await client.auth.signUp({ phone: stored, password: 'correct-horse' });
    assert.equal(error, null);
    assert.ok(data.session?.access_token);
    assert.ok(data.user?.phone_confirmed_at);
    const settings = (await (await fetch(`${confirming.url}/auth/v1/settings`, { headers: { apikey: confirming.keys.anon } })).json()) as {
      external: { phone: boolean };
      phone_autoconfirm: boolean;
    };
    assert.equal(settings.external.phone, true);
    assert.equal(settings.phone_autoconfirm, true);
    const next = freshPhone();
    const changed = await client.auth.updateUser({ phone: next.typed });
    assert.equal(changed.error, null);
    assert.equal(changed.data.user?.phone, next.stored);
    assert.equal(changed.data.user?.new_phone, undefined);
  } finally {
    await confirming.stop();
  }

  const closed = await startAuthStack();
  try {
    const { stored } = freshPhone();
    const signUp = await anon(closed).auth.signUp({ phone: stored, password: 'correct-horse' });
    assert.equal(signUp.error?.status, 400);
    assert.equal(signUp.error?.code, 'phone_provider_disabled');
    assert.equal(signUp.error?.message, 'Phone signups are disabled');
    const otp = await anon(closed).auth.signInWithOtp({ phone: stored });
    assert.equal(otp.error?.status, 400);
    assert.equal(otp.error?.code, 'phone_provider_disabled');
    assert.equal(otp.error?.message, 'Unsupported phone provider');
  } finally {
    await closed.stop();
  }
});

test('convo start turns phone sign-ins on with [auth.sms] enable_signup or CONVO_AUTH_PHONE_SIGN_INS', async () => {
  const workdir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-phone-'));
  try {
    assert.equal(loadConfig({}, workdir).auth.phoneSignIns, false);
    await fs.mkdir(path.join(workdir, 'supabase'));
    await fs.writeFile(path.join(workdir, 'supabase', 'config.toml'), '[auth.sms]\nenable_signup = true\n');
    assert.equal(loadConfig({}, workdir).auth.phoneSignIns, true);
    assert.equal(loadConfig({ CONVO_AUTH_PHONE_SIGN_INS: 'false' }, workdir).auth.phoneSignIns, false);
  } finally {
    await fs.rm(workdir, { recursive: true, force: true });
  }
});
