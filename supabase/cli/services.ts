/** Composes what runs behind the gateway: the job worker, the REST service (schema cache + executor) and the health report. */
import pg from 'pg';
import type { Logger } from 'pino';
import type { HealthReport, Service, ServiceName } from '../gateway/types.ts';
import type { JwtVerifier } from '../keys/jwt.ts';
import type { ProjectSecrets } from '../keys/secrets.ts';
import { createExecutor } from '../rest/execute.ts';
import { createRestService } from '../rest/index.ts';
import { createSchemaCacheHolder } from '../rest/schema-cache/listen.ts';
import { startWorker } from '../worker/index.ts';
import { platformTasks } from '../worker/tasks.ts';
import type { ConvoConfig } from './config.ts';

export interface Platform {
  services: Partial<Record<ServiceName, Service>>;
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

export async function startPlatform(config: ConvoConfig, secrets: ProjectSecrets, dbUrl: string, verifier: JwtVerifier, log: Logger): Promise<Platform> {
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
    });

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
        auth: 'unavailable',
        functions: 'unavailable',
      };
    };
    return { services: { rest }, health, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
