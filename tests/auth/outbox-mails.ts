/** Reading the auth mail outbox and following a mailed link, for the suites of the mail-based flows. */
import assert from 'node:assert/strict';
import type pg from 'pg';

export interface Mail {
  to_email: string;
  template: string;
  subject: string;
  body_text: string;
  body_html: string | null;
  token_hash: string;
  action_link: string;
}

export async function mailsTo(pool: pg.Pool, email: string): Promise<Mail[]> {
  const { rows } = await pool.query<Mail>('select * from auth.mail_outbox where to_email = $1 order by created_at desc', [email]);
  return rows;
}

/** The newest mail to this address, with the 6-digit code it carries. */
export async function lastMail(pool: pg.Pool, email: string): Promise<Mail & { otp: string }> {
  const [mail] = await mailsTo(pool, email);
  assert.ok(mail, `no mail to ${email}`);
  const otp = /code: (\d{6})/.exec(mail.body_text)?.[1];
  assert.ok(otp, 'the mail carries a 6-digit code');
  return { ...mail, otp };
}

/** Opens a mailed link as a browser would (no project key) and returns where GET /verify redirects. */
export async function openLink(link: string): Promise<string> {
  const res = await fetch(link, { redirect: 'manual' });
  assert.equal(res.status, 303, `GET ${link}`);
  const location = res.headers.get('location');
  assert.ok(location, 'a redirect has a location');
  return location;
}

/** The fragment of a redirect as parameters. */
export function fragmentOf(location: string): URLSearchParams {
  return new URLSearchParams(location.split('#')[1] ?? '');
}

/** The claims of a JWT, unverified (the suites check what the server put in). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
