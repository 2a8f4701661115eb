/** What every auth handler gets: the resolved config, the database, the password hasher. */
import type { Logger } from 'pino';
import type { AuthConfig } from './config.ts';
import type { AuthDb } from './db.ts';
import type { PasswordHasher } from './password.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ServiceRequest } from '../gateway/types.ts';

export interface AuthContext {
  config: AuthConfig;
  db: AuthDb;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  log: Logger;
}

export type Handler = (req: ServiceRequest, ctx: AuthContext, params: Record<string, string>) => Promise<Response>;
