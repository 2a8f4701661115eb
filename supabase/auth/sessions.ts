/** Sessions and their rotating refresh tokens: start one, refresh it (with reuse detection), end one or many. */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type pg from 'pg';
import { audit } from './audit.ts';
import type { AuthConfig } from './config.ts';
import { CommitWithError, type AuthDb, type Queryable } from './db.ts';
import { badRequest } from './errors.ts';
import { newRefreshToken, signAccessToken, type AmrEntry, type SessionTokens } from './tokens.ts';
import { findUserById, isBanned, userJson, type UserRow } from './users.ts';
import type { ServiceRequest } from '../gateway/types.ts';

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

/**
 * The client's address is the last `X-Forwarded-For` entry: the one the gateway (the only trusted proxy) appends from
 * its socket. Without it, per-IP limits do not apply and audit entries carry no address.
 */
export function clientMeta(req: ServiceRequest): ClientMeta {
  const forwarded = req.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim() ?? '';
  return { ip: isIP(forwarded) ? forwarded : null, userAgent: req.headers.get('user-agent') };
}

async function amrOf(db: Queryable, sessionId: string): Promise<AmrEntry[]> {
  const { rows } = await db.query<{ method: string; ts: number }>(
    `select authentication_method as method, floor(extract(epoch from updated_at))::int as ts
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  return rows.map((r) => ({ method: r.method, timestamp: r.ts }));
}

async function respond(db: Queryable, config: AuthConfig, user: UserRow, sessionId: string, aal: string, refreshToken: string): Promise<SessionTokens> {
  const { token, expiresAt } = await signAccessToken(config, user, { id: sessionId, aal, amr: await amrOf(db, sessionId) });
  return { access_token: token, token_type: 'bearer', expires_in: config.jwtExpiry, expires_at: expiresAt, refresh_token: refreshToken, user: userJson(user) };
}

/** A new session for a signed-in user (inside the caller's transaction): session row, amr claim, first refresh token, last_sign_in_at. */
export async function startSession(tx: pg.PoolClient, config: AuthConfig, userId: string, method: string, meta: ClientMeta): Promise<SessionTokens> {
  const sessionId = randomUUID();
  await tx.query('insert into auth.sessions (id, user_id, user_agent, ip, refreshed_at) values ($1, $2, $3, $4, null)', [sessionId, userId, meta.userAgent, meta.ip]);
  await tx.query('insert into auth.mfa_amr_claims (session_id, authentication_method) values ($1, $2)', [sessionId, method]);
  const refreshToken = newRefreshToken();
  await tx.query('insert into auth.refresh_tokens (token, user_id, session_id) values ($1, $2, $3)', [refreshToken, userId, sessionId]);
  await tx.query('update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1', [userId]);
  await tx.query(`update auth.identities set last_sign_in_at = now() where user_id = $1 and provider in ('email', 'phone')`, [userId]);
  const user = await findUserById(tx, userId);
  if (!user) throw new Error(`user ${userId} vanished inside its own transaction`);
  return respond(tx, config, user, sessionId, 'aal1', refreshToken);
}

interface TokenRow {
  id: string;
  token: string;
  revoked: boolean;
  updated_at: Date;
  session_id: string | null;
  user_id: string;
  aal: string;
}

const notFound = () => badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');

/**
 * The refresh_token grant, as GoTrue: the token row is locked, a live token is revoked and gets a child; a revoked one is
 * answered with its live child (a client that lost the response), or swapped again within the reuse interval, or else
 * ends the whole session and fails with refresh_token_already_used.
 */
export async function refreshSession(db: AuthDb, config: AuthConfig, refreshToken: string, meta: ClientMeta): Promise<SessionTokens> {
  return db.tx(async (tx) => {
    const { rows } = await tx.query<TokenRow>(
      `select rt.id, rt.token, rt.revoked, rt.updated_at, rt.session_id, s.user_id, s.aal
         from auth.refresh_tokens rt join auth.sessions s on s.id = rt.session_id
        where rt.token = $1
        for update of rt, s`,
      [refreshToken],
    );
    const row = rows[0];
    if (!row || !row.session_id) throw notFound();
    const user = await findUserById(tx, row.user_id);
    if (!user || user.deleted_at) throw notFound();
    if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');

    let issued: string | null = null;
    if (row.revoked) {
      const { rows: active } = await tx.query<{ token: string; parent: string | null }>(
        'select token, parent from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1',
        [row.session_id],
      );
      if (active[0] && active[0].parent === row.token) {
        issued = active[0].token;
      } else if (Date.now() > row.updated_at.getTime() + config.refreshTokenReuseInterval * 1000) {
        await tx.query('delete from auth.sessions where id = $1', [row.session_id]);
        await audit(tx, user, 'token_revoked', meta.ip, { reason: 'refresh_token_reused', session_id: row.session_id });
        throw new CommitWithError(badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used'));
      }
    }
    if (issued === null) {
      issued = newRefreshToken();
      await tx.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1 and revoked = false', [row.id]);
      await tx.query('insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)', [issued, user.id, row.session_id, row.token]);
    }
    await tx.query('update auth.sessions set refreshed_at = now() at time zone \'UTC\', updated_at = now(), user_agent = $2, ip = $3 where id = $1', [
      row.session_id,
      meta.userAgent,
      meta.ip,
    ]);
    await audit(tx, user, 'token_refreshed', meta.ip);
    return respond(tx, config, user, row.session_id, row.aal, issued);
  });
}

export type LogoutScope = 'global' | 'local' | 'others';

/** Ends the current session, all of the user's sessions, or all but the current one. */
export async function endSessions(db: Queryable, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
  if (scope === 'global' || (scope === 'local' && !sessionId)) {
    await db.query('delete from auth.sessions where user_id = $1', [userId]);
  } else if (scope === 'local') {
    await db.query('delete from auth.sessions where user_id = $1 and id = $2', [userId, sessionId]);
  } else {
    await db.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [userId, sessionId]);
  }
}

export async function sessionExists(db: Queryable, sessionId: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from auth.sessions where id = $1 and user_id = $2 and (not_after is null or not_after > now())', [sessionId, userId]);
  return (rowCount ?? 0) > 0;
}
