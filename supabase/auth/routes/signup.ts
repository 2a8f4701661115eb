/** POST /signup: email + password (with autoconfirm, the local default, the answer is a session, else the new user and a confirmation mail); phone and anonymous signups are handed to phone.ts and anonymous.ts. */
import type { Handler } from '../context.ts';
import { SignupBody, readBody, validateEmail } from '../body.ts';
import { audit } from '../audit.ts';
import { badRequest, jsonResponse, unprocessable, weakPassword } from '../errors.ts';
import { lookAlikeUser } from '../look-alike.ts';
import { clientMeta, startSession } from '../sessions.ts';
import { signupAnonymously } from './anonymous.ts';
import { signupWithPhone } from './phone.ts';
import { findUserByEmail, findUserById, insertUser, userJson } from '../users.ts';
import { mailLink } from '../outbox.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { createFlowState, pkceChallenge } from '../pkce.ts';

export const signup: Handler = async (req, ctx) => {
  const { config, db, hasher } = ctx;
  if (config.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  const meta = clientMeta(req);
  ctx.limiter.hit('sign_in_sign_ups', meta.ip, config.rateLimits.signInSignUpsPerIp);
  const body = await readBody(req, SignupBody);
  if (!body.email && !body.phone) return signupAnonymously(req, ctx, body.data ?? {});
  if (body.email && body.phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
  if (body.phone) return signupWithPhone(req, ctx, { ...body, phone: body.phone });
  const email = validateEmail(body.email ?? '');
  const pkce = pkceChallenge(body);
  if (!body.password) throw unprocessable('validation_failed', 'Signup requires a valid password');
  if ([...body.password].length < config.passwordMinLength) throw weakPassword(config.passwordMinLength);
  const passwordHash = await hasher.hash(body.password);
  if (!config.mailerAutoconfirm) ctx.limiter.hit('emails_per_address', email, config.rateLimits.emailsPerAddress, 'over_email_send_rate_limit');
  const redirectTo = redirectTarget(config, requestedRedirect(req));

  try {
    return await db.tx(async (tx) => {
      const existing = await findUserByEmail(tx, email);
      if (existing && config.mailerAutoconfirm) throw unprocessable('user_already_exists', 'User already registered');
      if (existing?.email_confirmed_at) {
        // As GoTrue with confirmations on: a look-alike user, so the answer does not tell that the address is taken.
        await audit(tx, existing, 'user_repeated_signup', meta.ip, { provider: 'email' });
        return jsonResponse(200, lookAlikeUser({ email }, body.data ?? {}));
      }
      if (existing) {
        // Unconfirmed: the account is left as it is (the caller's identity is unproven) and the confirmation is sent again.
        if (pkce) await createFlowState(tx, existing.id, pkce, 'email', 'email/signup');
        await mailLink(tx, ctx, { userId: existing.id, email, link: 'signup', template: 'confirmation', redirectTo, pkce: pkce !== null });
        return jsonResponse(200, userJson((await findUserById(tx, existing.id))!));
      }
      const id = await insertUser(tx, {
        email,
        phone: null,
        passwordHash,
        confirmed: config.mailerAutoconfirm,
        role: 'authenticated',
        appMetadata: {},
        userMetadata: body.data ?? {},
      });
      await audit(tx, { id, email }, 'user_signedup', meta.ip, { provider: 'email' });
      if (config.mailerAutoconfirm) {
        const session = await startSession(tx, config, id, 'password', meta);
        await audit(tx, { id, email }, 'login', meta.ip, { provider: 'email' });
        return jsonResponse(200, session);
      }
      if (pkce) await createFlowState(tx, id, pkce, 'email', 'email/signup');
      await mailLink(tx, ctx, { userId: id, email, link: 'signup', template: 'confirmation', redirectTo, pkce: pkce !== null });
      const user = await findUserById(tx, id);
      return jsonResponse(200, userJson(user!));
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw unprocessable('user_already_exists', 'User already registered');
    throw err;
  }
};
