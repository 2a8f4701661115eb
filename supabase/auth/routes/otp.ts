/** POST /otp and POST /magiclink: mail a magic link and its 6-digit code, signing the address up first when it is new (a phone number goes to phone.ts). */
import type { AuthContext, Handler } from '../context.ts';
import { MagicLinkBody, OtpBody, readBody, validateEmail } from '../body.ts';
import { audit } from '../audit.ts';
import { badRequest, jsonResponse, unprocessable } from '../errors.ts';
import type { MailTemplate } from '../mail-templates.ts';
import { mailLink } from '../outbox.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { createFlowState, pkceChallenge, type PkceChallenge } from '../pkce.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { clientMeta, type ClientMeta } from '../sessions.ts';
import { findUserByEmail, insertUser } from '../users.ts';
import { smsOtp } from './phone.ts';

interface MagicLinkRequest {
  email: string;
  data: Record<string, unknown>;
  createUser: boolean;
  template: MailTemplate;
  redirectTo: string;
  meta: ClientMeta;
  pkce: PkceChallenge | null;
}

/**
 * As GoTrue's MagicLink: a confirmed user gets a magic-link mail; a new or unconfirmed one is signed up and gets the
 * confirmation mail instead (unless signups are autoconfirmed), whose code `verifyOtp({ type: 'email' })` also accepts.
 */
async function sendMagicLink(ctx: AuthContext, r: MagicLinkRequest): Promise<void> {
  const { config } = ctx;
  ctx.limiter.hit('emails_per_address', r.email, config.rateLimits.emailsPerAddress, 'over_email_send_rate_limit');
  await ctx.db.tx(async (tx) => {
    let user = await findUserByEmail(tx, r.email);
    if (!user) {
      if (!r.createUser) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
      if (config.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
      const id = await insertUser(tx, {
        email: r.email,
        phone: null,
        passwordHash: null,
        confirmed: config.mailerAutoconfirm,
        role: 'authenticated',
        appMetadata: {},
        userMetadata: r.data,
      });
      await audit(tx, { id, email: r.email }, 'user_signedup', r.meta.ip, { provider: 'email' });
      user = await findUserByEmail(tx, r.email);
      if (!user) throw new Error('user vanished inside its own transaction');
    }
    if (!user.email_confirmed_at) {
      await audit(tx, user, 'user_confirmation_requested', r.meta.ip, { provider: 'email' });
      if (r.pkce) await createFlowState(tx, user.id, r.pkce, 'email', 'email/signup');
      await mailLink(tx, ctx, { userId: user.id, email: r.email, link: 'signup', template: 'confirmation', redirectTo: r.redirectTo, pkce: r.pkce !== null });
      return;
    }
    await audit(tx, user, 'user_recovery_requested', r.meta.ip);
    if (r.pkce) await createFlowState(tx, user.id, r.pkce, 'magiclink', 'magiclink');
    await mailLink(tx, ctx, { userId: user.id, email: r.email, link: 'magiclink', template: r.template, redirectTo: r.redirectTo, pkce: r.pkce !== null });
  }).catch((err: unknown) => {
    if (isUniqueViolation(err)) throw unprocessable('user_already_exists', 'User already registered');
    throw err;
  });
}

export const otp: Handler = async (req, ctx) => {
  const body = await readBody(req, OtpBody);
  if (body.email && body.phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided');
  if (body.phone) return smsOtp(req, ctx, { phone: body.phone, createUser: body.create_user, data: body.data ?? {} });
  if (!body.email) throw badRequest('validation_failed', 'One of email or phone must be set');
  await sendMagicLink(ctx, {
    email: validateEmail(body.email),
    data: body.data ?? {},
    createUser: body.create_user,
    template: 'otp',
    redirectTo: redirectTarget(ctx.config, requestedRedirect(req)),
    meta: clientMeta(req),
    pkce: pkceChallenge(body),
  });
  return jsonResponse(200, {});
};

export const magiclink: Handler = async (req, ctx) => {
  const body = await readBody(req, MagicLinkBody);
  if (!body.email) throw unprocessable('validation_failed', 'Password recovery requires an email');
  await sendMagicLink(ctx, {
    email: validateEmail(body.email),
    data: body.data ?? {},
    createUser: true,
    template: 'magiclink',
    redirectTo: redirectTarget(ctx.config, requestedRedirect(req)),
    meta: clientMeta(req),
    pkce: pkceChallenge(body),
  });
  return jsonResponse(200, {});
};
