/** GET /user, PUT /user and POST /logout for the signed-in caller. */
import type { Handler } from '../context.ts';
import { UpdateUserBody, readBody, validateEmail, validatePhone } from '../body.ts';
import { audit } from '../audit.ts';
import { requireCaller } from '../caller.ts';
import { applyEmailChange, emailExists, requestEmailChange } from '../email-change.ts';
import { AuthError, badRequest, jsonResponse, unprocessable, weakPassword } from '../errors.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { applyPhoneChange, phoneExists, requestPhoneChange } from '../phone-change.ts';
import { pkceChallenge } from '../pkce.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { clientMeta, endSessions, type LogoutScope } from '../sessions.ts';
import { textResponse } from '../../shared/http.ts';
import { findUserByEmail, findUserById, mergeMetadata, userJson } from '../users.ts';

export const getUser: Handler = async (req, ctx) => {
  const { user } = await requireCaller(req, ctx);
  return jsonResponse(200, userJson(user));
};

export const updateUser: Handler = async (req, ctx) => {
  const { config, db, hasher } = ctx;
  const { user, sessionId } = await requireCaller(req, ctx);
  const body = await readBody(req, UpdateUserBody);
  const meta = clientMeta(req);
  const pkce = pkceChallenge(body);
  if (user.is_anonymous && body.password && !body.email && !body.phone) {
    throw unprocessable('validation_failed', 'Updating password of an anonymous user without an email or phone is not allowed');
  }

  let passwordHash: string | null = null;
  if (body.password !== undefined) {
    if ([...body.password].length < config.passwordMinLength) throw weakPassword(config.passwordMinLength);
    if (user.encrypted_password && (await hasher.verify(body.password, user.encrypted_password))) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    passwordHash = await hasher.hash(body.password);
  }
  const email = body.email !== undefined && body.email.trim().toLowerCase() !== (user.email ?? '') ? validateEmail(body.email) : null;
  // With confirmations on, a new address only gets mails (GoTrue's sendEmailChange); with autoconfirm it is applied at once.
  const confirmChange = email !== null && !config.mailerAutoconfirm;
  if (confirmChange) ctx.limiter.hit('emails_per_address', email, config.rateLimits.emailsPerAddress, 'over_email_send_rate_limit');
  const redirectTo = redirectTarget(config, requestedRedirect(req));
  const phone = body.phone ? validatePhone(body.phone) : null;
  const newPhone = phone !== null && phone !== (user.phone ?? '') ? phone : null;
  if (newPhone && !config.phoneSignIns) throw new AuthError(422, 'phone_provider_disabled', 'Unsupported phone provider');
  if (newPhone && !config.smsAutoconfirm) ctx.limiter.hit('sms_per_number', newPhone, config.rateLimits.emailsPerAddress, 'over_sms_send_rate_limit');

  try {
    const updated = await db.tx(async (tx) => {
      const current = await findUserById(tx, user.id, true);
      if (!current) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
      if (body.data) {
        await tx.query('update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1', [user.id, mergeMetadata(current.raw_user_meta_data, body.data)]);
      }
      if (passwordHash) {
        await tx.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [user.id, passwordHash]);
        // As GoTrue: a new password signs out every other session of the user.
        await endSessions(tx, user.id, sessionId, 'others');
        // Outstanding codes go too, before any this request sends (as GoTrue, which mails after its transaction).
        await tx.query('delete from auth.one_time_tokens where user_id = $1', [user.id]);
        await audit(tx, current, 'user_updated_password', meta.ip);
      }
      if (email) {
        const other = await findUserByEmail(tx, email);
        if (other && other.id !== user.id) throw emailExists();
        if (confirmChange) await requestEmailChange(tx, ctx, { user: current, email, redirectTo, pkce });
        else await applyEmailChange(tx, user.id, email);
      }
      if (newPhone) {
        // As GoTrue: with SMS confirmations on the new number is texted a code (`verifyOtp({ type: 'phone_change' })`).
        if (config.smsAutoconfirm) await applyPhoneChange(tx, user.id, newPhone);
        else await requestPhoneChange(tx, user.id, newPhone);
      }
      await audit(tx, current, 'user_modified', meta.ip);
      return findUserById(tx, user.id);
    });
    return jsonResponse(200, userJson(updated!));
  } catch (err) {
    if (isUniqueViolation(err)) throw newPhone && !email ? phoneExists() : emailExists();
    throw err;
  }
};

const SCOPES: readonly LogoutScope[] = ['global', 'local', 'others'];

export const logout: Handler = async (req, ctx) => {
  const raw = new URL(req.url).searchParams.get('scope') ?? 'global';
  if (!(SCOPES as readonly string[]).includes(raw)) throw badRequest('validation_failed', `Unsupported logout scope ${JSON.stringify(raw)}`);
  const scope = raw as LogoutScope;
  const { user, sessionId } = await requireCaller(req, ctx);
  const meta = clientMeta(req);
  await ctx.db.tx(async (tx) => {
    await endSessions(tx, user.id, sessionId, scope);
    await audit(tx, user, 'logout', meta.ip, { scope });
  });
  return textResponse(null, { status: 204 });
};
