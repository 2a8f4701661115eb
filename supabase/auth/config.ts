/** The auth service's options and their defaults (GoTrue's, as a local Supabase stack sets them). */
import type { Logger } from 'pino';
import type { SigningKey } from '../keys/signing-key.ts';
import type { PasswordHasher } from './password.ts';
import { DEFAULT_RATE_LIMITS, rateLimitsFromEnv, type RateLimitConfig } from './rate-limit.ts';

export interface AuthServiceOptions {
  /** Postgres URL of a role that owns the `auth` schema (the platform's superuser URL). */
  dbUrl: string;
  /** The project JWT secret: access tokens are HS256-signed with it unless `signingKey` is set; HS256 tokens are always accepted. */
  jwtSecret: string;
  /** An asymmetric key (ES256): access tokens are signed with it and `/.well-known/jwks.json` publishes its public half. */
  signingKey?: SigningKey | null;
  /** Where the app lives (GoTrue's SITE_URL), e.g. http://127.0.0.1:3000. */
  siteUrl: string;
  /** The public API URL (gateway); the `iss` claim is `${apiUrl}/auth/v1`. */
  apiUrl: string;
  log: Logger;
  /** GoTrue's PASSWORD_MIN_LENGTH; default 6. */
  passwordMinLength?: number;
  /** Access token lifetime in seconds (GoTrue's JWT_EXP); default 3600. */
  jwtExpiry?: number;
  /** Confirm emails on signup without a mail (GoTrue's MAILER_AUTOCONFIRM); default true (local). */
  mailerAutoconfirm?: boolean;
  /** GoTrue's DISABLE_SIGNUP; default false. */
  disableSignup?: boolean;
  /** Seconds a revoked refresh token may still be used (GoTrue's REFRESH_TOKEN_REUSE_INTERVAL); default 10. */
  refreshTokenReuseInterval?: number;
  /** Connections of the service's own pool; default 10. */
  poolSize?: number;
  /** Swappable password hasher; default bcrypt on a worker pool (see bcrypt.ts), which still verifies older scrypt hashes. */
  hasher?: PasswordHasher;
  /** Cost factor of the default bcrypt hasher (GoTrue uses 10); default 10. Ignored with `hasher`. */
  bcryptCost?: number;
  /** Abuse limits; per-IP limits need the client address in `X-Forwarded-For` (see sessions.ts clientMeta). Defaults < `CONVO_AUTH_RATE_LIMIT_*` env < these. */
  rateLimits?: Partial<RateLimitConfig>;
  /** Seconds a mailed link or OTP stays valid (GoTrue's MAILER_OTP_EXP); default 3600. */
  mailerOtpExp?: number;
  /** Also send every mail through this server (`smtp://user:pass@host:port` or `smtps://…`); unset: outbox only. */
  smtpUrl?: string;
  /** The sender address of mails sent through SMTP (GoTrue's SMTP_ADMIN_EMAIL); default `noreply@convo.local`. */
  smtpFrom?: string;
  /** Redirect targets allowed besides the site URL's origin (GoTrue's URI_ALLOW_LIST): URL prefixes. */
  redirectUrls?: string[];
  /** An email change needs a confirmation from the current address too, not only the new one (GoTrue's MAILER_SECURE_EMAIL_CHANGE_ENABLED); default true. */
  secureEmailChange?: boolean;
  /** Seconds a PKCE flow (and its auth code) stays valid (GoTrue's EXTERNAL_FLOW_STATE_EXPIRY_DURATION); default 300. */
  flowStateExpiry?: number;
  /** POST /signup with neither email nor phone creates an anonymous user (GoTrue's EXTERNAL_ANONYMOUS_USERS_ENABLED); default false. */
  anonymousSignIns?: boolean;
  /** Phone sign-up and SMS OTP sign-in, texts going to auth.sms_outbox (GoTrue's EXTERNAL_PHONE_ENABLED); default false. */
  phoneSignIns?: boolean;
  /** Confirm phone numbers on signup without a text (GoTrue's SMS_AUTOCONFIRM); default false. */
  smsAutoconfirm?: boolean;
}

export interface AuthConfig {
  jwtSecret: Uint8Array;
  signingKey: SigningKey | null;
  issuer: string;
  siteUrl: string;
  passwordMinLength: number;
  jwtExpiry: number;
  mailerAutoconfirm: boolean;
  disableSignup: boolean;
  refreshTokenReuseInterval: number;
  /** JWT `role` values allowed on /admin (GoTrue's JWT_ADMIN_ROLES). */
  adminRoles: readonly string[];
  rateLimits: RateLimitConfig;
  /** Where mailed links point: the service's public URL (`${apiUrl}/auth/v1`). */
  externalUrl: string;
  mailerOtpExp: number;
  redirectUrls: readonly string[];
  secureEmailChange: boolean;
  flowStateExpiry: number;
  anonymousSignIns: boolean;
  phoneSignIns: boolean;
  smsAutoconfirm: boolean;
}

export function resolveConfig(opts: AuthServiceOptions): AuthConfig {
  return {
    jwtSecret: new TextEncoder().encode(opts.jwtSecret),
    signingKey: opts.signingKey ?? null,
    issuer: `${opts.apiUrl.replace(/\/+$/, '')}/auth/v1`,
    siteUrl: opts.siteUrl,
    passwordMinLength: opts.passwordMinLength ?? 6,
    jwtExpiry: opts.jwtExpiry ?? 3600,
    mailerAutoconfirm: opts.mailerAutoconfirm ?? true,
    disableSignup: opts.disableSignup ?? false,
    refreshTokenReuseInterval: opts.refreshTokenReuseInterval ?? 10,
    adminRoles: ['service_role', 'supabase_admin'],
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...rateLimitsFromEnv(process.env), ...opts.rateLimits },
    externalUrl: `${opts.apiUrl.replace(/\/+$/, '')}/auth/v1`,
    mailerOtpExp: opts.mailerOtpExp ?? 3600,
    redirectUrls: opts.redirectUrls ?? [],
    secureEmailChange: opts.secureEmailChange ?? true,
    flowStateExpiry: opts.flowStateExpiry ?? 300,
    anonymousSignIns: opts.anonymousSignIns ?? false,
    phoneSignIns: opts.phoneSignIns ?? false,
    smsAutoconfirm: opts.smsAutoconfirm ?? false,
  };
}
