/**
 * Changing a signed-in user's email as GoTrue does: with confirmations on, the new address is only recorded
 * (`email_change`) and mailed a link, plus the current address its own link when secure email change is on;
 * applying the change (once confirmed, or at once when mails are autoconfirmed) swaps the address in.
 */
import type { AuthContext } from './context.ts';
import type { Queryable } from './db.ts';
import { unprocessable } from './errors.ts';
import { clearTokens } from './one-time-tokens.ts';
import { mailLink } from './outbox.ts';
import { createFlowState, type PkceChallenge } from './pkce.ts';
import { findUserByEmail, findUserById, verifiedIdentity, withProvider, type UserRow } from './users.ts';

export const emailExists = () => unprocessable('email_exists', 'A user with this email address has already been registered');

export interface EmailChangeRequest {
  user: UserRow;
  email: string;
  redirectTo: string;
  pkce: PkceChallenge | null;
}

/** Records the pending address and writes the mail(s), each with its own token, in `tx`. */
export async function requestEmailChange(tx: Queryable, ctx: Pick<AuthContext, 'config' | 'mailer'>, r: EmailChangeRequest): Promise<void> {
  const { user, email, redirectTo, pkce } = r;
  await tx.query('update auth.users set email_change = $2, email_change_confirm_status = 0, updated_at = now() where id = $1', [user.id, email]);
  // A new request replaces an earlier one, both halves of it.
  await tx.query(`delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`, [user.id]);
  if (pkce) await createFlowState(tx, user.id, pkce, 'email_change', 'email_change');
  const mail = { userId: user.id, link: 'email_change', template: 'email_change', redirectTo, pkce: pkce !== null } as const;
  await mailLink(tx, ctx, { ...mail, email, token: 'email_change_token_new' });
  if (ctx.config.secureEmailChange && user.email) await mailLink(tx, ctx, { ...mail, email: user.email, token: 'email_change_token_current' });
}

/**
 * GoTrue's ConfirmEmailChange: the address becomes the user's (confirmed, no longer anonymous), its `email` identity
 * follows (created for a user who had none), and every outstanding one-time token is spent.
 */
export async function applyEmailChange(tx: Queryable, userId: string, email: string): Promise<void> {
  const other = await findUserByEmail(tx, email);
  if (other && other.id !== userId) throw emailExists();
  const user = await findUserById(tx, userId, true);
  if (!user) throw new Error(`user ${userId} vanished inside its own transaction`);
  await tx.query(
    `update auth.users set email = $2, email_change = null, email_change_confirm_status = 0,
            email_confirmed_at = coalesce(email_confirmed_at, now()), is_anonymous = false, raw_app_meta_data = $3, updated_at = now()
      where id = $1`,
    [userId, email, withProvider(user.raw_app_meta_data, 'email')],
  );
  await verifiedIdentity(tx, userId, 'email', email);
  await clearTokens(tx, userId);
}
