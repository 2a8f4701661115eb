/** Mailed one-time tokens: a 6-digit OTP and its GoTrue token hash, stored only as a sha256 digest, single use and expiring. */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';

export type OneTimeTokenType = 'confirmation_token' | 'recovery_token' | 'email_change_token_new' | 'email_change_token_current' | 'phone_change_token';

/** GoTrue's PKCEPrefix: a link token that starts with it belongs to a PKCE flow (GET /verify answers with `?code=`). */
export const PKCE_PREFIX = 'pkce_';

export interface IssuedToken {
  /** The 6-digit code the user types. */
  otp: string;
  /** GoTrue's token hash, hex sha224(email + otp), with `pkce_` in front for a PKCE flow: what links carry as `token` and clients send as `token_hash`. */
  tokenHash: string;
}

/** GoTrue's GenerateTokenHash, of an email address or a phone number and the code sent to it. */
export function tokenHashOf(address: string, otp: string): string {
  return createHash('sha224').update(address + otp).digest('hex');
}

/** What the table stores: a digest of the token hash, so reading the table gives no working link. */
const stored = (tokenHash: string) => createHash('sha256').update(tokenHash).digest('hex');

const SENT_AT: Record<OneTimeTokenType, string> = {
  confirmation_token: 'confirmation_sent_at',
  recovery_token: 'recovery_sent_at',
  email_change_token_new: 'email_change_sent_at',
  email_change_token_current: 'email_change_sent_at',
  phone_change_token: 'phone_change_sent_at',
};

/** Issues a new token of this type for the user (replacing any earlier one) and stamps the matching `*_sent_at`. */
export async function issueToken(tx: Queryable, userId: string, address: string, type: OneTimeTokenType, pkce = false): Promise<IssuedToken> {
  const otp = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const tokenHash = (pkce ? PKCE_PREFIX : '') + tokenHashOf(address, otp);
  await tx.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [userId, type]);
  await tx.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values ($1, $2, $3, $4, $5, now() at time zone 'UTC', now() at time zone 'UTC')`,
    [randomUUID(), userId, type, stored(tokenHash), address],
  );
  await tx.query(`update auth.users set ${SENT_AT[type]} = now() where id = $1`, [userId]);
  return { otp, tokenHash };
}

export interface ConsumedToken {
  userId: string;
  type: OneTimeTokenType;
  relatesTo: string;
  expired: boolean;
}

/** Deletes the token with one of these hashes among the given types (single use) and says whether it was still fresh. */
export async function consumeToken(tx: Queryable, tokenHashes: readonly string[], types: readonly OneTimeTokenType[], expirySeconds: number): Promise<ConsumedToken | null> {
  const { rows } = await tx.query<{ user_id: string; token_type: OneTimeTokenType; relates_to: string; expired: boolean }>(
    `delete from auth.one_time_tokens
      where token_hash = any($1::text[]) and token_type = any($2::auth.one_time_token_type[])
      returning user_id, token_type, relates_to,
                created_at < (now() at time zone 'UTC') - make_interval(secs => $3) as expired`,
    [tokenHashes.map(stored), types, expirySeconds],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, type: row.token_type, relatesTo: row.relates_to, expired: row.expired } : null;
}

/** Spends every token the user holds (GoTrue's ClearAllOneTimeTokensForUser, e.g. once an email change is applied). */
export async function clearTokens(tx: Queryable, userId: string): Promise<void> {
  await tx.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}
