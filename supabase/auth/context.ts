/** What every auth handler gets: the resolved config, the database, the password hasher. */
import type { Logger } from 'pino';
import type { AuthConfig } from './config.ts';
import type { AuthDb } from './db.ts';
import type { PasswordHasher } from './password.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { MailSender } from './smtp.ts';
import type { ServiceRequest } from '../gateway/types.ts';

export interface AuthContext {
  config: AuthConfig;
  db: AuthDb;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  /** Set when SMTP_URL is configured: mails also leave through SMTP, after their transaction commits. */
  mailer: MailSender | null;
  log: Logger;
}

export type Handler = (req: ServiceRequest, ctx: AuthContext, params: Record<string, string>) => Promise<Response>;
