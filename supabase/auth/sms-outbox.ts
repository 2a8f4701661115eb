/** The local SMS outbox (auth.sms_outbox): a phone OTP is written in the caller's transaction, next to the token it carries. */
import type { Queryable } from './db.ts';
import { issueToken } from './one-time-tokens.ts';

/** GoTrue's default SMS template. */
const smsBody = (otp: string) => `Your code is ${otp}`;

/**
 * Issues the user's token for this number (the confirmation token, where GoTrue keeps sign-in codes too, or the phone
 * change token) and writes the text carrying it; the outbox row's id is the `message_id` GoTrue answers with.
 */
export async function textOtp(
  tx: Queryable,
  userId: string,
  phone: string,
  type: 'confirmation_token' | 'phone_change_token' = 'confirmation_token',
): Promise<{ messageId: string }> {
  const token = await issueToken(tx, userId, phone, type);
  const { rows } = await tx.query<{ id: string }>(
    `insert into auth.sms_outbox (to_phone, template, body) values ($1, 'sms_otp', $2) returning id`,
    [phone, smsBody(token.otp)],
  );
  return { messageId: rows[0]!.id };
}
