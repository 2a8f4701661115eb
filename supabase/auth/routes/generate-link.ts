/** POST /admin/generate_link (service role): issues a signup, magic-link, recovery, invite or email-change token and returns its link without mailing it. */
import { randomBytes } from 'node:crypto';
import type { Handler } from '../context.ts';
import { GenerateLinkBody, readBody, validateEmail } from '../body.ts';
import { audit, type Actor } from '../audit.ts';
import { requireAdmin } from '../caller.ts';
import { badRequest, jsonResponse, notFound, unprocessable, weakPassword } from '../errors.ts';
import { issueToken } from '../one-time-tokens.ts';
import { actionLink, type LinkType } from '../outbox.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { clientMeta } from '../sessions.ts';
import { findUserByEmail, findUserById, insertUser, mergeMetadata, userJson } from '../users.ts';
import { emailChangeLink } from './generate-email-change-link.ts';

const ADMIN: Actor = { id: '00000000-0000-0000-0000-000000000000', email: 'service_role' };
const LINK_TYPES: readonly string[] = ['signup', 'magiclink', 'recovery', 'invite', 'email_change_current', 'email_change_new'];
const emailExists = () => unprocessable('email_exists', 'A user with this email address has already been registered');

export const generateLink: Handler = async (req, ctx) => {
  await requireAdmin(req, ctx);
  const { config } = ctx;
  const body = await readBody(req, GenerateLinkBody);
  const email = validateEmail(body.email ?? '');
  let type = body.type ?? '';
  if (!LINK_TYPES.includes(type)) throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
  const redirectTo = redirectTarget(config, body.redirect_to ?? requestedRedirect(req));
  const meta = clientMeta(req);

  let password = body.password;
  const existing = await findUserByEmail(ctx.db.pool, email);
  if (!existing && type === 'magiclink') {
    // As GoTrue: a magic link for a new address is a signup link, with a random password nobody knows.
    type = 'signup';
    password = randomBytes(32).toString('base64url');
  }
  if (!existing && (type === 'recovery' || type.startsWith('email_change_'))) throw notFound('user_not_found', 'User with this email not found');
  if (existing && (type === 'email_change_current' || type === 'email_change_new')) {
    const link = await emailChangeLink(ctx, { user: existing, newEmail: body.new_email ?? '', type, redirectTo });
    return jsonResponse(200, { ...userJson((await findUserById(ctx.db.pool, existing.id))!), ...link });
  }
  let passwordHash: string | null = null;
  if (type === 'signup' && !existing) {
    if (!password) throw unprocessable('validation_failed', 'Signup requires a valid password');
    if ([...password].length < config.passwordMinLength) throw weakPassword(config.passwordMinLength);
    passwordHash = await ctx.hasher.hash(password);
  }
  const linkType = type as LinkType;

  try {
    const { userId, token } = await ctx.db.tx(async (tx) => {
      let user = await findUserByEmail(tx, email);
      if (linkType === 'magiclink' || linkType === 'recovery') {
        if (!user) throw notFound('user_not_found', 'User with this email not found');
        await audit(tx, user, 'user_recovery_requested', meta.ip);
        return { userId: user.id, token: await issueToken(tx, user.id, email, 'recovery_token') };
      }
      if (user?.email_confirmed_at) throw emailExists();
      if (user && body.data) {
        await tx.query('update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1', [user.id, mergeMetadata(user.raw_user_meta_data, body.data)]);
      }
      if (!user) {
        const id = await insertUser(tx, {
          email,
          phone: null,
          passwordHash: linkType === 'signup' ? passwordHash : null,
          confirmed: false,
          role: 'authenticated',
          appMetadata: {},
          userMetadata: body.data ?? {},
        });
        user = await findUserById(tx, id);
        if (!user) throw new Error('user vanished inside its own transaction');
      }
      if (linkType === 'invite') {
        await tx.query('update auth.users set invited_at = now() where id = $1', [user.id]);
        await audit(tx, ADMIN, 'user_invited', meta.ip, { user_id: user.id, user_email: email });
      } else {
        await audit(tx, user, 'user_confirmation_requested', meta.ip, { provider: 'email' });
      }
      return { userId: user.id, token: await issueToken(tx, user.id, email, 'confirmation_token') };
    });
    const user = await findUserById(ctx.db.pool, userId);
    return jsonResponse(200, {
      ...userJson(user!),
      action_link: actionLink(config, token.tokenHash, linkType, redirectTo),
      email_otp: token.otp,
      hashed_token: token.tokenHash,
      verification_type: linkType,
      redirect_to: redirectTo,
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw emailExists();
    throw err;
  }
};
