/** `convo start`: Postgres, migrations, job worker and gateway, in the foreground until Ctrl-C or SIGTERM. */
import fs from 'node:fs/promises';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../db/migrator.ts';
import { createGateway, type Gateway } from '../gateway/index.ts';
import type { HealthReport } from '../gateway/types.ts';
import { createJwtVerifier, mintProjectKeys } from '../keys/jwt.ts';
import { loadSecrets } from '../keys/secrets.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import { assertPortFree } from '../shared/ports.ts';
import { startWorker, type JobWorker } from '../worker/index.ts';
import { platformTasks } from '../worker/tasks.ts';
import type { ConvoConfig } from './config.ts';
import { acquireDatabase, migrateOptions, type Database } from './database.ts';
import { statusBlock, step } from './output.ts';
import { readRun, removeRun, writeRun, type RunInfo } from './run-state.ts';

export async function start(config: ConvoConfig): Promise<number> {
  const began = performance.now();
  const running = await readRun(config.stateDir);
  if (running) {
    throw new ExpectedFailure('already_running', `Convo is already running (pid ${running.pid}, ${running.api_url}); stop it with \`convo stop\``);
  }
  await fs.mkdir(config.stateDir, { recursive: true });
  const secrets = await loadSecrets(config.stateDir, { jwtSecret: config.jwtSecret, production: config.production });
  const keys = await mintProjectKeys(secrets.jwtSecret, secrets.keysIssuedAt);
  await assertPortFree(config.api.port, 'API gateway', 'CONVO_API_PORT', config.api.host);

  const log = pino({ level: config.logLevel, base: { pid: process.pid } });
  let db: Database | null = null;
  let worker: JobWorker | null = null;
  let gateway: Gateway | null = null;
  let healthPool: pg.Pool | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      if (gateway) await gateway.close();
      if (worker) await worker.stop().catch((err: unknown) => log.warn({ err }, 'worker stop failed'));
      if (healthPool) await healthPool.end().catch(() => {});
      if (db) await db.release();
      await removeRun(config.stateDir, process.pid);
    })();
    return stopping;
  };

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    process.stdout.write(`\n  • ${signal}: stopping Convo\n`);
  };
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => { onSignal(s); resolve(s); });
  });

  try {
    process.stdout.write('Starting Convo\n');
    db = await acquireDatabase(config, step);
    const dbUrl = db.url;
    const migrated = await migrate(migrateOptions(config, secrets, dbUrl));
    step(migrated.applied.length ? `${migrated.applied.length} migrations applied` : 'database schema is up to date');

    worker = await startWorker({ url: dbUrl, tasks: platformTasks, log });
    step('job worker running');

    healthPool = new pg.Pool({ connectionString: dbUrl, max: 2, idleTimeoutMillis: 10_000 });
    healthPool.on('error', () => {});
    const pool = healthPool;
    const w = worker;
    const health = async (): Promise<HealthReport> => {
      const dbOk = await pool.query('select 1').then(() => true, () => false);
      const workerOk = w.running();
      return {
        status: dbOk && workerOk ? 'ok' : 'degraded',
        version: process.env.npm_package_version ?? '0.1.0',
        db: dbOk ? 'ok' : 'unreachable',
        worker: workerOk ? 'running' : 'stopped',
        rest: 'unavailable',
        auth: 'unavailable',
        functions: 'unavailable',
      };
    };

    const publicFunctions = new Set(Object.entries(config.functions).filter(([, f]) => !f.verify_jwt).map(([name]) => name));
    gateway = createGateway({
      verifier: createJwtVerifier(secrets.jwtSecret),
      services: {},
      log,
      health,
      isOpen: (service, subpath) => service === 'functions' && publicFunctions.has(subpath.split('/')[1] ?? ''),
    });
    await gateway.listen(config.api.port, config.api.host).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        throw new ExpectedFailure('port_in_use', `port ${config.api.port} (API gateway) is already in use; free it or set CONVO_API_PORT to another port`);
      }
      throw err;
    });

    const info: RunInfo = {
      pid: process.pid,
      started_at: new Date().toISOString(),
      api_url: `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${config.api.port}`,
      db_url: db.shownUrl,
      db_embedded: db.embedded !== null,
      db_pid: db.embedded?.pid ?? null,
      anon_key: keys.anon,
      service_role_key: keys.service_role,
      jwt_secret: secrets.jwtSecret,
    };
    await writeRun(config.stateDir, info);
    const seconds = ((performance.now() - began) / 1000).toFixed(2);
    process.stdout.write(`\nConvo is running (ready in ${seconds}s). Stop it with Ctrl-C or \`convo stop\`.\n\n${statusBlock(info)}\n\n`);
  } catch (err) {
    await shutdown();
    throw err;
  }

  await stopped;
  await shutdown();
  process.stdout.write('  • stopped\n');
  return 0;
}
