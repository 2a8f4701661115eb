/** Redeems a mailed token (POST or GET /verify): consumes it once, confirms the email if needed, and starts a session. */
import type pg from 'pg';
import { audit } from './audit.ts';
import type { AuthConfig } from './config.ts';
import { AuthError, forbidden } from './errors.ts';
import { consumeToken, type OneTimeTokenType } from './one-time-tokens.ts';
import { startSession, type ClientMeta } from './sessions.ts';
import type { SessionTokens } from './tokens.ts';
import { findUserById, isBanned } from './users.ts';

export type VerifyType = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email';

/** Which stored tokens each verification type may redeem; `email` (a typed OTP) accepts signup and magic-link codes. */
const REDEEMS: Record<VerifyType, readonly OneTimeTokenType[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token'],
  recovery: ['recovery_token'],
  email: ['confirmation_token', 'recovery_token'],
};

export const VERIFY_TYPES = Object.keys(REDEEMS) as VerifyType[];

export function isVerifyType(t: string): t is VerifyType {
  return (VERIFY_TYPES as string[]).includes(t);
}

export interface Redemption {
  type: VerifyType;
  tokenHash: string;
  /** Set when the client typed the OTP: the token must have been mailed to this address. */
  email: string | null;
}

export async function redeem(tx: pg.PoolClient, config: AuthConfig, r: Redemption, meta: ClientMeta, invalid: () => AuthError): Promise<SessionTokens> {
  const token = await consumeToken(tx, r.tokenHash, REDEEMS[r.type], config.mailerOtpExp);
  if (!token || token.expired || (r.email !== null && token.relatesTo !== r.email)) throw invalid();
  const user = await findUserById(tx, token.userId, true);
  if (!user || user.deleted_at) throw invalid();
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  if (!user.email_confirmed_at) {
    await tx.query(
      `update auth.users set email_confirmed_at = now(), updated_at = now(),
              raw_user_meta_data = raw_user_meta_data || '{"email_verified": true}'::jsonb where id = $1`,
      [user.id],
    );
    await tx.query(
      `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
        where user_id = $1 and provider = 'email'`,
      [user.id],
    );
    await audit(tx, user, 'user_signedup', meta.ip, { provider: 'email' });
  } else {
    await audit(tx, user, 'login', meta.ip, { provider: 'email' });
  }
  return startSession(tx, config, user.id, 'otp', meta);
}
