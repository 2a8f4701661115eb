/**
 * Changing (or adding) a signed-in user's phone number as GoTrue does: with SMS confirmations on, the new number is
 * only recorded (`phone_change`) and texted a code; verifying it (`type: 'phone_change'`), or SMS autoconfirm,
 * swaps the number in.
 */
import type { Queryable } from './db.ts';
import { unprocessable } from './errors.ts';
import { textOtp } from './sms-outbox.ts';
import { findUserById, findUserByPhone, verifiedIdentity, withProvider } from './users.ts';

export const phoneExists = () => unprocessable('phone_exists', 'A user with this phone number has already been registered');

async function checkFree(tx: Queryable, userId: string, phone: string): Promise<void> {
  const other = await findUserByPhone(tx, phone);
  if (other && other.id !== userId) throw phoneExists();
}

/** Records the pending number and texts it a code, in `tx`. */
export async function requestPhoneChange(tx: Queryable, userId: string, phone: string): Promise<void> {
  await checkFree(tx, userId, phone);
  await tx.query('update auth.users set phone_change = $2, updated_at = now() where id = $1', [userId, phone]);
  await textOtp(tx, userId, phone, 'phone_change_token');
}

/** GoTrue's ConfirmPhoneChange: the number becomes the user's (confirmed, no longer anonymous) and its `phone` identity follows. */
export async function applyPhoneChange(tx: Queryable, userId: string, phone: string): Promise<void> {
  await checkFree(tx, userId, phone);
  const user = await findUserById(tx, userId, true);
  if (!user) throw new Error(`user ${userId} vanished inside its own transaction`);
  await tx.query(
    `update auth.users set phone = $2, phone_change = null, phone_confirmed_at = now(), is_anonymous = false,
            raw_app_meta_data = $3, updated_at = now()
      where id = $1`,
    [userId, phone, withProvider(user.raw_app_meta_data, 'phone')],
  );
  await verifiedIdentity(tx, userId, 'phone', phone);
  await tx.query(`delete from auth.one_time_tokens where user_id = $1 and token_type = 'phone_change_token'`, [userId]);
}
