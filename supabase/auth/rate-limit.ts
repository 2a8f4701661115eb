/** In-memory abuse limits: at most N requests per key per window, answered with 429 over_request_rate_limit and Retry-After. */
import { AuthError } from './errors.ts';

export interface RateLimitConfig {
  /** Password sign-ins plus sign-ups per client IP per window (Supabase's `sign_in_sign_ups`); default 30. */
  signInSignUpsPerIp: number;
  /** Refresh-token grants per client IP per window (Supabase's `token_refresh`); default 150. */
  tokenRefreshPerIp: number;
  /** Password sign-ins per email (or phone) per window, against brute force from many addresses; default 30. */
  signInsPerEmail: number;
  /** Mails (OTP, magic link, recovery) per email address per window; default 10. */
  emailsPerAddress: number;
  /** Window length in seconds; default 300 (5 minutes). */
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = { signInSignUpsPerIp: 30, tokenRefreshPerIp: 150, signInsPerEmail: 30, emailsPerAddress: 10, windowSeconds: 300 };

const ENV_NAMES: Record<Exclude<keyof RateLimitConfig, 'windowSeconds'>, string> = {
  signInSignUpsPerIp: 'CONVO_AUTH_RATE_LIMIT_SIGN_IN_SIGN_UPS',
  tokenRefreshPerIp: 'CONVO_AUTH_RATE_LIMIT_TOKEN_REFRESH',
  signInsPerEmail: 'CONVO_AUTH_RATE_LIMIT_SIGN_INS_PER_EMAIL',
  emailsPerAddress: 'CONVO_AUTH_RATE_LIMIT_EMAILS_PER_ADDRESS',
};

/** Limits set in the environment (`CONVO_AUTH_RATE_LIMIT_TOKEN_REFRESH=0` turns that limit off); malformed values are ignored. */
export function rateLimitsFromEnv(env: Record<string, string | undefined>): Partial<RateLimitConfig> {
  const out: Partial<RateLimitConfig> = {};
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof typeof ENV_NAMES, string][]) {
    const raw = env[name]?.trim();
    if (raw && /^\d+$/.test(raw)) out[key] = Number(raw);
  }
  return out;
}

type LimitCode = 'over_request_rate_limit' | 'over_email_send_rate_limit' | 'over_sms_send_rate_limit';

const LIMIT_MESSAGE: Record<LimitCode, string> = {
  over_request_rate_limit: 'Request rate limit reached',
  over_email_send_rate_limit: 'Email rate limit exceeded',
  over_sms_send_rate_limit: 'SMS rate limit exceeded',
};

export class RateLimitError extends AuthError {
  readonly retryAfter: number;
  constructor(retryAfter: number, code: LimitCode = 'over_request_rate_limit') {
    super(429, code, LIMIT_MESSAGE[code]);
    this.retryAfter = retryAfter;
  }
}

export interface RateLimiter {
  /** Counts one request for `key`; throws RateLimitError once `limit` is exceeded within the window. A null key is not limited. */
  hit(bucket: string, key: string | null, limit: number, code?: LimitCode): void;
}

export function createRateLimiter(windowSeconds: number, now: () => number = Date.now): RateLimiter {
  const windowMs = windowSeconds * 1000;
  const counters = new Map<string, { count: number; resetAt: number }>();
  let nextSweep = now() + windowMs;
  return {
    hit(bucket, key, limit, code) {
      if (key === null || limit <= 0) return;
      const t = now();
      if (t >= nextSweep) {
        for (const [k, c] of counters) if (c.resetAt <= t) counters.delete(k);
        nextSweep = t + windowMs;
      }
      const id = `${bucket}\u0000${key}`;
      let c = counters.get(id);
      if (!c || c.resetAt <= t) {
        c = { count: 0, resetAt: t + windowMs };
        counters.set(id, c);
      }
      c.count++;
      if (c.count > limit) throw new RateLimitError(Math.max(1, Math.ceil((c.resetAt - t) / 1000)), code);
    },
  };
}
