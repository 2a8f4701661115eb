/** POST /token?grant_type=password|refresh_token|pkce: GoTrue's grants of this slice. */
import type { Handler } from '../context.ts';
import { PasswordGrantBody, PkceGrantBody, RefreshGrantBody, readBody, validatePhone } from '../body.ts';
import { audit } from '../audit.ts';
import { badRequest, jsonResponse } from '../errors.ts';
import { exchangeAuthCode } from '../pkce.ts';
import { clientMeta, refreshSession, startSession } from '../sessions.ts';
import { findUserByEmail, findUserById, findUserByPhone, isBanned } from '../users.ts';

const invalidCredentials = () => badRequest('invalid_credentials', 'Invalid login credentials');

const passwordGrant: Handler = async (req, ctx) => {
  const { config, db, hasher } = ctx;
  const meta = clientMeta(req);
  ctx.limiter.hit('sign_in_sign_ups', meta.ip, config.rateLimits.signInSignUpsPerIp);
  const body = await readBody(req, PasswordGrantBody);
  if (body.email && body.phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
  if (!body.email && !body.phone) throw badRequest('validation_failed', 'missing email or phone');
  ctx.limiter.hit('sign_ins_per_email', (body.email ?? body.phone ?? '').trim().toLowerCase(), config.rateLimits.signInsPerEmail);
  const user = body.email ? await findUserByEmail(db.pool, body.email.trim()) : await findUserByPhone(db.pool, validatePhone(body.phone!));
  const stored = user?.encrypted_password ? user.encrypted_password : null;
  // Unknown user or no password: still pay for one hash, so timing does not reveal which emails exist.
  const matches = await hasher.verify(body.password ?? '', stored ?? (await hasher.dummyHash));
  if (!user || stored === null || !matches) throw invalidCredentials();
  if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
  if (body.email && !user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
  if (body.phone && !user.phone_confirmed_at) throw badRequest('phone_not_confirmed', 'Phone not confirmed');
  const session = await db.tx(async (tx) => {
    const s = await startSession(tx, config, user.id, 'password', meta);
    await audit(tx, user, 'login', meta.ip, { provider: body.email ? 'email' : 'phone' });
    return s;
  });
  return jsonResponse(200, session);
};

const refreshGrant: Handler = async (req, ctx) => {
  const meta = clientMeta(req);
  ctx.limiter.hit('token_refresh', meta.ip, ctx.config.rateLimits.tokenRefreshPerIp);
  const body = await readBody(req, RefreshGrantBody);
  if (!body.refresh_token) throw badRequest('validation_failed', 'refresh_token required');
  return jsonResponse(200, await refreshSession(ctx.db, ctx.config, body.refresh_token, meta));
};

/** GoTrue's PKCE grant: the auth code of a flow opened through GET /verify, with its code verifier, for a session (once). */
const pkceGrant: Handler = async (req, ctx) => {
  const meta = clientMeta(req);
  const body = await readBody(req, PkceGrantBody);
  if (!body.auth_code || !body.code_verifier) {
    throw badRequest('validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
  }
  const { auth_code: code, code_verifier: verifier } = body;
  const session = await ctx.db.tx(async (tx) => {
    const flow = await exchangeAuthCode(tx, code, verifier, ctx.config.flowStateExpiry);
    const user = await findUserById(tx, flow.userId);
    if (!user || user.deleted_at) throw badRequest('user_not_found', 'User not found');
    if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
    await audit(tx, user, 'login', meta.ip, { provider_type: flow.providerType });
    return startSession(tx, ctx.config, user.id, flow.method, meta);
  });
  return jsonResponse(200, session);
};

export const token: Handler = async (req, ctx, params) => {
  const grant = new URL(req.url).searchParams.get('grant_type');
  if (grant === 'password') return passwordGrant(req, ctx, params);
  if (grant === 'refresh_token') return refreshGrant(req, ctx, params);
  if (grant === 'pkce') return pkceGrant(req, ctx, params);
  throw badRequest('validation_failed', 'unsupported_grant_type');
};
