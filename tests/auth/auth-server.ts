/** A real Postgres (platform SQL applied) and the auth service behind the real gateway on a free port, for the auth suites. */
import { after, before } from 'node:test';
import pgDriver from 'pg';
import { pino } from 'pino';
import { createGateway, type Gateway } from '../../supabase/gateway/index.ts';
import type { Service, ServiceName } from '../../supabase/gateway/types.ts';
import { createAuthService, isOpenAuthPath, type AuthService, type AuthServiceOptions } from '../../supabase/auth/index.ts';
import { createJwtVerifier, mintProjectKeys, type ProjectKeys } from '../../supabase/keys/jwt.ts';
import { freePort } from '../helpers/convo.ts';
import { startMigratedPostgres, type TestPostgres } from '../helpers/postgres.ts';

export const TEST_SECRET = 'auth-suite-secret-auth-suite-secret-0123456789';

export interface AuthStack {
  /** The gateway's base URL (supabase-js's project URL). */
  url: string;
  keys: ProjectKeys;
  db: TestPostgres;
  auth: AuthService;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** A server to use (and leave running) instead of a fresh one. */
  db?: TestPostgres;
  /** More services behind the same gateway, e.g. `rest`. */
  services?: Partial<Record<ServiceName, Service>>;
}

export async function startAuthStack(overrides: Partial<AuthServiceOptions> = {}, { db, services = {} }: StackOptions = {}): Promise<AuthStack> {
  const pg = db ?? (await startMigratedPostgres());
  const log = pino({ level: 'silent' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Suites share one client address, so the abuse limits are out of the way unless a suite sets its own.
  const rateLimits = { signInSignUpsPerIp: 100_000, tokenRefreshPerIp: 100_000, signInsPerEmail: 100_000, emailsPerAddress: 100_000 };
  const auth = createAuthService({ dbUrl: pg.url, jwtSecret: TEST_SECRET, siteUrl: 'http://127.0.0.1:3000', apiUrl: url, log, rateLimits, ...overrides });
  let gateway: Gateway | null = null;
  try {
    gateway = createGateway({
      // As `convo start`: the gateway accepts what the auth service signs (ES256 with a signing key).
      verifier: createJwtVerifier(TEST_SECRET, { signingKey: overrides.signingKey ?? null }),
      services: { ...services, auth: auth.service },
      log,
      health: async () => ({ status: 'ok' }),
      // As `convo start`: mailed links reach GET /auth/v1/verify without a project key.
      isOpen: (service, subpath) => service === 'auth' && isOpenAuthPath(subpath),
    });
    await gateway.listen(port, '127.0.0.1');
  } catch (err) {
    await auth.close();
    if (!db) await pg.destroy();
    throw err;
  }
  const keys = await mintProjectKeys(TEST_SECRET, Math.floor(Date.now() / 1000));
  return {
    url,
    keys,
    db: pg,
    auth,
    async stop() {
      await gateway?.close();
      await auth.close();
      if (!db) await pg.destroy();
    },
  };
}

/**
 * Registers before/after hooks that start an Auth stack (and a small pool on its database) for the test file and
 * stop them afterwards; `use` receives them once they run.
 */
export function useAuthStack(overrides: Partial<AuthServiceOptions>, use: (stack: AuthStack, pool: pgDriver.Pool) => void): void {
  let stack: AuthStack | undefined;
  let pool: pgDriver.Pool | undefined;
  before(async () => {
    stack = await startAuthStack(overrides);
    pool = new pgDriver.Pool({ connectionString: stack.db.url, max: 2 });
    use(stack, pool);
  });
  after(async () => {
    await pool?.end();
    await stack?.stop();
  });
}
