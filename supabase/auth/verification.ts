/**
 * Redeems a mailed token (POST or GET /verify): consumes it once, then confirms the email, or applies an email
 * change once every link it needs has been opened. Whether that ends in a session or a PKCE auth code is the
 * caller's choice (routes/verify.ts).
 */
import type pg from 'pg';
import { audit } from './audit.ts';
import type { AuthConfig } from './config.ts';
import type { ClientMeta } from './sessions.ts';
import { applyEmailChange } from './email-change.ts';
import { applyPhoneChange } from './phone-change.ts';
import { AuthError, forbidden } from './errors.ts';
import { consumeToken, type OneTimeTokenType } from './one-time-tokens.ts';
import type { FlowMethod } from './pkce.ts';
import { findUserById, isBanned, type UserRow } from './users.ts';

export type VerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email' | 'email_change' | 'sms' | 'phone_change';

const EMAIL_CHANGE_TOKENS: readonly OneTimeTokenType[] = ['email_change_token_new', 'email_change_token_current'];

/** Which stored tokens each verification type may redeem; `email` (a typed OTP) accepts signup and magic-link codes. */
const REDEEMS: Record<VerifyType, readonly OneTimeTokenType[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token'],
  recovery: ['recovery_token'],
  email: ['confirmation_token', 'recovery_token'],
  email_change: EMAIL_CHANGE_TOKENS,
  sms: ['confirmation_token'],
  phone_change: ['phone_change_token'],
};

/** GoTrue's ParseAuthenticationMethod of a verification type: the PKCE flow a link belongs to. */
export const FLOW_METHOD: Record<Exclude<VerifyType, 'email' | 'sms' | 'phone_change'>, FlowMethod> = {
  signup: 'email/signup',
  invite: 'invite',
  magiclink: 'magiclink',
  recovery: 'recovery',
  email_change: 'email_change',
};

export const VERIFY_TYPES = Object.keys(REDEEMS) as VerifyType[];

export function isVerifyType(t: string): t is VerifyType {
  return (VERIFY_TYPES as string[]).includes(t);
}

export interface Redemption {
  type: VerifyType;
  /** The token as the link carries it, or the forms a typed code may have been stored in (implicit, or `pkce_`-prefixed). */
  tokenHashes: readonly string[];
  /** Set when the client typed the OTP: the token must have been sent to this email address or phone number. */
  address: string | null;
}

/** `pending`: one half of a secure email change was confirmed, the other link is still to be opened. */
export type Redeemed = { kind: 'verified'; userId: string } | { kind: 'pending' };

/** GoTrue's singleConfirmationAccepted. */
export const SINGLE_CONFIRMATION = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';

/** The columns a confirmation sets, by what the code was sent to (constants, never user input). */
const CONFIRMS = {
  email: { at: 'email_confirmed_at', verified: '{"email_verified": true}' },
  phone: { at: 'phone_confirmed_at', verified: '{"phone_verified": true}' },
} as const;

/** Confirms the email address or phone number (first time: `user_signedup`, as GoTrue; after that a `login`). */
async function confirm(tx: pg.PoolClient, user: UserRow, provider: keyof typeof CONFIRMS, meta: ClientMeta): Promise<void> {
  const c = CONFIRMS[provider];
  if (user[c.at]) {
    await audit(tx, user, 'login', meta.ip, { provider });
    return;
  }
  await tx.query(
    `update auth.users set ${c.at} = now(), updated_at = now(), raw_user_meta_data = raw_user_meta_data || $2::jsonb where id = $1`,
    [user.id, c.verified],
  );
  await tx.query(
    `update auth.identities set identity_data = identity_data || $3::jsonb, updated_at = now() where user_id = $1 and provider = $2`,
    [user.id, provider, c.verified],
  );
  await audit(tx, user, 'user_signedup', meta.ip, { provider });
}

export async function redeem(tx: pg.PoolClient, config: AuthConfig, r: Redemption, meta: ClientMeta, invalid: () => AuthError): Promise<Redeemed> {
  const token = await consumeToken(tx, r.tokenHashes, REDEEMS[r.type], config.mailerOtpExp);
  if (!token || token.expired || (r.address !== null && token.relatesTo !== r.address)) throw invalid();
  const user = await findUserById(tx, token.userId, true);
  if (!user || user.deleted_at) throw invalid();
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  if (r.type === 'sms') {
    // Email and phone codes share the confirmation token type: each redeems only for what it was sent to.
    if (token.relatesTo !== user.phone) throw invalid();
    await confirm(tx, user, 'phone', meta);
    return { kind: 'verified', userId: user.id };
  }
  if (r.type === 'phone_change') {
    if (!user.phone_change || token.relatesTo !== user.phone_change) throw invalid();
    await applyPhoneChange(tx, user.id, user.phone_change);
    await audit(tx, user, 'user_modified', meta.ip);
    return { kind: 'verified', userId: user.id };
  }
  if (r.type !== 'email_change') {
    if (token.relatesTo !== user.email) throw invalid();
    await confirm(tx, user, 'email', meta);
    return { kind: 'verified', userId: user.id };
  }
  if (!user.email_change) throw invalid();
  // GoTrue's secure email change: the first of the two links (to the current or the new address) only counts.
  if (config.secureEmailChange && !config.mailerAutoconfirm && user.email_change_confirm_status === 0 && user.email) {
    await tx.query('update auth.users set email_change_confirm_status = 1, updated_at = now() where id = $1', [user.id]);
    return { kind: 'pending' };
  }
  await applyEmailChange(tx, user.id, user.email_change);
  await audit(tx, user, 'user_modified', meta.ip);
  return { kind: 'verified', userId: user.id };
}
