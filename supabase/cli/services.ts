/** Composes what runs behind the gateway: the job worker, REST (schema cache + executor), Auth, the functions host, and the health report. */
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { createAuthService } from '../auth/index.ts';
import { createFunctionsHost } from '../edge/index.ts';
import type { HealthReport, Service, ServiceName, UpgradeHandler } from '../gateway/types.ts';
import type { JwtVerifier, ProjectKeys } from '../keys/jwt.ts';
import type { ProjectSecrets } from '../keys/secrets.ts';
import type { SigningKey } from '../keys/signing-key.ts';
import { createExecutor } from '../rest/execute.ts';
import { createRestService } from '../rest/index.ts';
import { createSchemaCacheHolder } from '../rest/schema-cache/listen.ts';
import { startWorker } from '../worker/index.ts';
import { platformTasks } from '../worker/tasks.ts';
import type { ConvoConfig } from './config.ts';

export interface Platform {
  services: Partial<Record<ServiceName, Service>>;
  /** Services that take WebSocket (upgrade) requests. */
  upgrades: Partial<Record<ServiceName, UpgradeHandler>>;
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

/** The same server and database, logged in as the `authenticator` role the REST engine uses. */
export function authenticatorUrl(dbUrl: string, password: string): string {
  const u = new URL(dbUrl);
  u.username = 'authenticator';
  u.password = password;
  return u.toString();
}

export interface PlatformOptions {
  config: ConvoConfig;
  secrets: ProjectSecrets;
  keys: ProjectKeys;
  dbUrl: string;
  /** Where clients reach the gateway, e.g. http://127.0.0.1:54321. */
  apiUrl: string;
  verifier: JwtVerifier;
  /** The ES256 key access tokens are signed with (CONVO_JWT_SIGNING=ES256); null: HS256 with the secret. */
  signingKey: SigningKey | null;
  log: Logger;
}

export async function startPlatform({ config, secrets, keys, dbUrl, apiUrl, verifier, signingKey, log }: PlatformOptions): Promise<Platform> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.warn({ err }, 'stopping a service failed'));
  };
  try {
    const worker = await startWorker({ url: dbUrl, tasks: platformTasks, log });
    stops.push(() => worker.stop());

    const cache = createSchemaCacheHolder({ url: dbUrl, schemas: config.api.schemas, log: log.child({ component: 'schema-cache' }) });
    stops.push(() => cache.close());
    await cache.ready;
    const executor = createExecutor({ url: authenticatorUrl(dbUrl, secrets.authenticatorPassword), poolSize: config.db.poolSize });
    stops.push(() => executor.close());
    const rest = createRestService({
      executor,
      cache,
      verifier,
      schemas: config.api.schemas,
      ...(config.api.maxRows !== undefined ? { maxRows: config.api.maxRows } : {}),
      serverTiming: config.api.serverTiming,
    });

    const auth = createAuthService({
      dbUrl,
      jwtSecret: secrets.jwtSecret,
      signingKey,
      siteUrl: config.auth.siteUrl,
      ...(config.auth.passwordMinLength !== undefined ? { passwordMinLength: config.auth.passwordMinLength } : {}),
      anonymousSignIns: config.auth.anonymousSignIns,
      // Phone sign-ins text codes to auth.sms_outbox only (there is no SMS provider); confirmations as for email.
      phoneSignIns: config.auth.phoneSignIns,
      smsAutoconfirm: !config.production,
      apiUrl,
      log: log.child({ component: 'auth' }),
      // Email confirmation: off for local development, on in production.
      mailerAutoconfirm: !config.production,
      ...(process.env.SMTP_URL ? { smtpUrl: process.env.SMTP_URL } : {}),
    });
    stops.push(() => auth.close());

    const functions = createFunctionsHost({
      functionsDir: path.join(config.workdir, 'functions'),
      env: { SUPABASE_URL: apiUrl, SUPABASE_ANON_KEY: keys.anon, SUPABASE_SERVICE_ROLE_KEY: keys.service_role, SUPABASE_DB_URL: dbUrl },
      log: log.child({ component: 'functions' }),
    });
    stops.push(() => functions.close());

    const healthPool = new pg.Pool({ connectionString: dbUrl, max: 2, idleTimeoutMillis: 10_000 });
    healthPool.on('error', () => {});
    stops.push(() => healthPool.end());
    const health = async (): Promise<HealthReport> => {
      const dbOk = await healthPool.query('select 1').then(() => true, () => false);
      const workerOk = worker.running();
      let cacheLoadedAt: string | null = null;
      try {
        cacheLoadedAt = cache.current().loadedAt.toISOString();
      } catch {
        /* not loaded yet */
      }
      return {
        status: dbOk && workerOk && cacheLoadedAt !== null ? 'ok' : 'degraded',
        version: process.env.npm_package_version ?? '0.1.0',
        db: dbOk ? 'ok' : 'unreachable',
        worker: workerOk ? 'running' : 'stopped',
        rest: cacheLoadedAt !== null ? 'ok' : 'loading schema cache',
        schema_cache_loaded_at: cacheLoadedAt,
        auth: 'ok',
        functions: 'ok',
      };
    };
    return { services: { rest, auth: auth.service, functions: functions.service }, upgrades: { functions: functions.upgrade }, health, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
