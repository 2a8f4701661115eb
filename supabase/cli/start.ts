/** `convo start`: Postgres, migrations, the services (worker, REST, Auth, functions) and the gateway, in the foreground until Ctrl-C or SIGTERM. */
import fs from 'node:fs/promises';
import pino from 'pino';
import { migrate } from '../db/migrator.ts';
import { isOpenAuthPath } from '../auth/index.ts';
import { createGateway, type Gateway } from '../gateway/index.ts';
import { createJwtVerifier, mintProjectKeys } from '../keys/jwt.ts';
import { loadSecrets } from '../keys/secrets.ts';
import { loadSigningKey } from '../keys/signing-key.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import { assertPortFree } from '../shared/ports.ts';
import type { ConvoConfig } from './config.ts';
import { acquireDatabase, migrateOptions, type Database } from './database.ts';
import { demoBlock, statusBlock, step } from './output.ts';
import { forgetDemoUsers, loadSeed, readDemoUsers } from './seed.ts';
import { startPlatform, type Platform } from './services.ts';
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
  const signingKey = config.jwtSigning === 'ES256' ? await loadSigningKey(config.stateDir) : null;
  await assertPortFree(config.api.port, 'API gateway', 'CONVO_API_PORT', config.api.host);

  const log = pino({ level: config.logLevel, base: { pid: process.pid } });
  let db: Database | null = null;
  let platform: Platform | null = null;
  let gateway: Gateway | null = null;
  let stopping: Promise<void> | null = null;

  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      if (gateway) await gateway.close();
      if (platform) await platform.stop();
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
    const apiUrl = `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${config.api.port}`;
    db = await acquireDatabase(config, step);
    const dbUrl = db.url;
    const migrated = await migrate(migrateOptions(config, secrets, dbUrl));
    step(migrated.applied.length ? `${migrated.applied.length} migrations applied` : 'database schema is up to date');
    // The first start on a new embedded cluster loads the seed, as `db reset` does; never DATABASE_URL or production.
    if (db.embedded?.created) {
      if (config.production) await forgetDemoUsers(config.stateDir);
      else {
        const seed = await loadSeed(config, dbUrl);
        if (seed.seeded) step(`loaded sql/seed.sql${seed.demo ? ` (demo users: ${seed.demo.emails.join(', ')})` : ''}`);
      }
    }

    // One verifier for the gateway and /rest/v1: HS256 tokens (project keys) always, ES256 ones with the signing key.
    const verifier = createJwtVerifier(secrets.jwtSecret, { signingKey });
    platform = await startPlatform({ config, secrets, keys, dbUrl, apiUrl, verifier, signingKey, log });
    step('job worker, REST, Auth and functions host running');

    const publicFunctions = new Set(Object.entries(config.functions).filter(([, f]) => !f.verify_jwt).map(([name]) => name));
    gateway = createGateway({
      verifier,
      services: platform.services,
      upgrades: platform.upgrades,
      log,
      health: platform.health,
      // Links opened from mails carry no project key (GoTrue's /verify, as Kong leaves it open); webhooks neither.
      isOpen: (service, subpath) => (service === 'auth' && isOpenAuthPath(subpath)) || (service === 'functions' && publicFunctions.has(subpath.split('/')[1] ?? '')),
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
      api_url: apiUrl,
      db_url: db.shownUrl,
      db_embedded: db.embedded !== null,
      db_pid: db.embedded?.pid ?? null,
      anon_key: keys.anon,
      service_role_key: keys.service_role,
      jwt_secret: secrets.jwtSecret,
    };
    await writeRun(config.stateDir, info);
    const seconds = ((performance.now() - began) / 1000).toFixed(2);
    const demo = info.db_embedded ? await readDemoUsers(config.stateDir) : null;
    process.stdout.write(`\nConvo is running (ready in ${seconds}s). Stop it with Ctrl-C or \`convo stop\`.\n\n${statusBlock(info)}\n${demo ? `\n${demoBlock(demo)}\n` : ''}\n`);
  } catch (err) {
    await shutdown();
    throw err;
  }

  await stopped;
  await shutdown();
  process.stdout.write('  • stopped\n');
  return 0;
}
