/** The GoTrue-compatible `/auth/v1` service: routes a request to its handler and maps every failure to GoTrue's error shape. */
import type { Service } from '../gateway/types.ts';
import { resolveConfig, type AuthServiceOptions } from './config.ts';
import type { AuthContext } from './context.ts';
import { createAuthDb } from './db.ts';
import { AuthError, errorResponse } from './errors.ts';
import { createBcryptHasher } from './bcrypt.ts';
import { createRateLimiter, RateLimitError } from './rate-limit.ts';
import { match } from './router.ts';
import { createSmtpSender } from './smtp.ts';

export type { AuthServiceOptions } from './config.ts';
export type { PasswordHasher } from './password.ts';
export { isOpenAuthPath } from './open-routes.ts';

export interface AuthService {
  service: Service;
  close(): Promise<void>;
}

export function createAuthService(opts: AuthServiceOptions): AuthService {
  // The default hasher is ours to close; one passed in belongs to the caller.
  const ownHasher = opts.hasher ? null : createBcryptHasher(opts.bcryptCost);
  const hasher = opts.hasher ?? ownHasher!;
  const db = createAuthDb(opts.dbUrl, opts.poolSize ?? 10);
  void hasher.dummyHash.catch(() => {});
  const config = resolveConfig(opts);
  const limiter = createRateLimiter(config.rateLimits.windowSeconds);
  const mailer = opts.smtpUrl
    ? createSmtpSender(opts.smtpUrl, opts.smtpFrom ?? 'noreply@convo.local', (err, to) => opts.log.error({ err, to }, 'sending a mail through SMTP failed'))
    : null;
  const ctx: AuthContext = { config, db, hasher, limiter, mailer, log: opts.log };

  const service: Service = async (req, sctx) => {
    const found = match(req.method, sctx.subpath);
    try {
      if (found.kind === 'not_found') throw new AuthError(404, 'not_found', 'Not Found');
      if (found.kind === 'method_not_allowed') throw new AuthError(405, 'method_not_allowed', 'Method Not Allowed');
      return await found.handler(req, { ...ctx, log: sctx.log }, found.params);
    } catch (err) {
      if (err instanceof AuthError) {
        if (err.status >= 500) sctx.log.error({ err }, 'auth request failed');
        return errorResponse(err, err instanceof RateLimitError ? { 'retry-after': String(err.retryAfter) } : {});
      }
      sctx.log.error({ err }, 'unexpected error in auth service');
      return errorResponse(new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information'));
    }
  };

  return { service, close: async () => void (await Promise.all([db.close(), ownHasher?.close?.()])) };
}
