/** POST /signup: email + password; with autoconfirm (the local default) the answer is a session, else the new user. */
import type { Handler } from '../context.ts';
import { SignupBody, readBody, validateEmail } from '../body.ts';
import { audit } from '../audit.ts';
import { AuthError, badRequest, jsonResponse, unprocessable, weakPassword } from '../errors.ts';
import { clientMeta, startSession } from '../sessions.ts';
import { findUserByEmail, findUserById, insertUser, userJson } from '../users.ts';
import { isUniqueViolation } from '../pg-errors.ts';

export const signup: Handler = async (req, ctx) => {
  const { config, db, hasher } = ctx;
  if (config.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
  const meta = clientMeta(req);
  ctx.limiter.hit('sign_in_sign_ups', meta.ip, config.rateLimits.signInSignUpsPerIp);
  const body = await readBody(req, SignupBody);
  if (body.phone) throw new AuthError(422, 'phone_provider_disabled', 'Phone signups are disabled');
  if (!body.email) throw badRequest('validation_failed', 'To signup, please provide your email');
  const email = validateEmail(body.email);
  if (!body.password) throw unprocessable('validation_failed', 'Signup requires a valid password');
  if ([...body.password].length < config.passwordMinLength) throw weakPassword(config.passwordMinLength);
  const passwordHash = await hasher.hash(body.password);

  try {
    return await db.tx(async (tx) => {
      if (await findUserByEmail(tx, email)) throw unprocessable('user_already_exists', 'User already registered');
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
      // No mail outbox yet: the user waits for an admin (or a later /verify) to confirm.
      await tx.query('update auth.users set confirmation_sent_at = now() where id = $1', [id]);
      const user = await findUserById(tx, id);
      return jsonResponse(200, userJson(user!));
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw unprocessable('user_already_exists', 'User already registered');
    throw err;
  }
};
