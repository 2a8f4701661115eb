/** What the gateway hands to the services behind it, and what they give back: Web-standard Request/Response. */
import type { Logger } from 'pino';
import type { JwtClaims } from '../keys/jwt.ts';

export type ServiceName = 'rest' | 'auth' | 'functions';

export interface ServiceContext {
  requestId: string;
  /** Path below the service prefix, e.g. `/items` for `/rest/v1/items`. Always starts with `/`. */
  subpath: string;
  /** Claims of the verified project key, or null on an open route that carried none. */
  apikeyClaims: JwtClaims | null;
  log: Logger;
}

export type Service = (req: Request, ctx: ServiceContext) => Promise<Response>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  [part: string]: unknown;
}
