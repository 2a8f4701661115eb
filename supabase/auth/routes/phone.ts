/** Phone sign-up (POST /signup with phone + password) and SMS OTP sign-in (POST /otp with phone), texts going to auth.sms_outbox. */
import type { AuthContext } from '../context.ts';
import { validatePhone } from '../body.ts';
import { audit } from '../audit.ts';
import { badRequest, jsonResponse, unprocessable, weakPassword } from '../errors.ts';
import { lookAlikeUser } from '../look-alike.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { clientMeta, startSession } from '../sessions.ts';
import { textOtp } from '../sms-outbox.ts';
import { findUserByPhone, findUserById, insertUser, userJson } from '../users.ts';
import type { ServiceRequest } from '../../gateway/types.ts';

interface PhoneSignup {
  phone: string;
  password?: string | undefined;
  data?: Record<string, unknown> | null | undefined;
  code_challenge?: string | null | undefined;
}

const userExists = () => unprocessable('user_already_exists', 'User already registered');

function countText(ctx: AuthContext, phone: string): void {
  ctx.limiter.hit('sms_per_number', phone, ctx.config.rateLimits.emailsPerAddress, 'over_sms_send_rate_limit');
}

/** As GoTrue's Signup for the phone provider: an unconfirmed number is texted a code (or confirmed at once with SMS autoconfirm). */
export async function signupWithPhone(req: ServiceRequest, ctx: AuthContext, body: PhoneSignup): Promise<Response> {
  const { config } = ctx;
  if (!config.phoneSignIns) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  if (body.code_challenge) throw badRequest('validation_failed', 'PKCE not supported for phone signups');
  const phone = validatePhone(body.phone);
  if (!body.password) throw unprocessable('validation_failed', 'Signup requires a valid password');
  if ([...body.password].length < config.passwordMinLength) throw weakPassword(config.passwordMinLength);
  const passwordHash = await ctx.hasher.hash(body.password);
  if (!config.smsAutoconfirm) countText(ctx, phone);
  const meta = clientMeta(req);
  const data = body.data ?? {};
  try {
    return await ctx.db.tx(async (tx) => {
      const existing = await findUserByPhone(tx, phone);
      if (existing?.phone_confirmed_at) {
        await audit(tx, existing, 'user_repeated_signup', meta.ip, { provider: 'phone' });
        if (config.mailerAutoconfirm || config.smsAutoconfirm) throw userExists();
        return jsonResponse(200, lookAlikeUser({ phone }, data));
      }
      if (existing) {
        // Unconfirmed: left as it is (the caller's identity is unproven); the code is texted again.
        await textOtp(tx, existing.id, phone);
        return jsonResponse(200, userJson((await findUserById(tx, existing.id))!));
      }
      const id = await insertUser(tx, {
        email: null,
        phone,
        passwordHash,
        confirmed: false,
        phoneConfirmed: config.smsAutoconfirm,
        role: 'authenticated',
        appMetadata: {},
        userMetadata: data,
      });
      await audit(tx, { id, email: null }, 'user_signedup', meta.ip, { provider: 'phone' });
      if (config.smsAutoconfirm) {
        await audit(tx, { id, email: null }, 'login', meta.ip, { provider: 'phone' });
        return jsonResponse(200, await startSession(tx, config, id, 'password', meta));
      }
      await textOtp(tx, id, phone);
      return jsonResponse(200, userJson((await findUserById(tx, id))!));
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw userExists();
    throw err;
  }
}

interface SmsOtpRequest {
  phone: string;
  createUser: boolean;
  data: Record<string, unknown>;
}

/**
 * As GoTrue's SmsOtp: a number with no account (or an unconfirmed one) is signed up and texted its confirmation code,
 * answered with `{}`; an established number is texted a sign-in code, answered with the message's `message_id`.
 * Either code is redeemed by `verifyOtp({ phone, token, type: 'sms' })`.
 */
export async function smsOtp(req: ServiceRequest, ctx: AuthContext, r: SmsOtpRequest): Promise<Response> {
  const { config } = ctx;
  if (!config.phoneSignIns) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
  const phone = validatePhone(r.phone);
  const meta = clientMeta(req);
  countText(ctx, phone);
  try {
    return await ctx.db.tx(async (tx) => {
      let user = await findUserByPhone(tx, phone);
      if (!user) {
        if (!r.createUser) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
        if (config.disableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
        const id = await insertUser(tx, {
          email: null,
          phone,
          passwordHash: null,
          confirmed: false,
          phoneConfirmed: config.smsAutoconfirm,
          role: 'authenticated',
          appMetadata: {},
          userMetadata: r.data,
        });
        await audit(tx, { id, email: null }, 'user_signedup', meta.ip, { provider: 'phone' });
        user = await findUserById(tx, id);
        if (!user) throw new Error('user vanished inside its own transaction');
      }
      const { messageId } = await textOtp(tx, user.id, phone);
      return jsonResponse(200, user.phone_confirmed_at ? { message_id: messageId } : {});
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw userExists();
    throw err;
  }
}
