/** `convo db migrate` and `convo db reset`: against the running stack's database, DATABASE_URL, or the embedded cluster. */
import path from 'node:path';
import readline from 'node:readline/promises';
import { migrate } from '../db/migrator.ts';
import { resetDatabase } from '../db/reset.ts';
import { loadSecrets } from '../keys/secrets.ts';
import type { ConvoConfig } from './config.ts';
import { acquireDatabase, migrateOptions, type Database } from './database.ts';
import { demoBlock, step } from './output.ts';
import { readRun } from './run-state.ts';
import { forgetDemoUsers, loadSeed } from './seed.ts';

async function withDatabase<T>(config: ConvoConfig, fn: (url: string) => Promise<T>): Promise<T> {
  const running = await readRun(config.stateDir);
  // A running stack owns the embedded cluster: use it rather than start a second server on the same files.
  const db: Database = running?.db_embedded
    ? { url: running.db_url, shownUrl: running.db_url, embedded: null, release: async () => {} }
    : await acquireDatabase(config, step);
  try {
    return await fn(db.url);
  } finally {
    await db.release();
  }
}

export async function dbMigrate(config: ConvoConfig): Promise<number> {
  const secrets = await loadSecrets(config.stateDir, { jwtSecret: config.jwtSecret, production: config.production });
  const result = await withDatabase(config, (url) =>
    migrate(migrateOptions(config, secrets, url)),
  );
  process.stdout.write(result.applied.length ? `Applied ${result.applied.length} migrations.\n` : 'Database schema is up to date; nothing to apply.\n');
  return 0;
}

export async function dbReset(config: ConvoConfig, opts: { seed: boolean; yes: boolean }): Promise<number> {
  if (!opts.yes && process.stdin.isTTY && process.stdout.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('This drops the database and every row in it. Continue? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('Reset cancelled.\n');
      return 1;
    }
  }
  const secrets = await loadSecrets(config.stateDir, { jwtSecret: config.jwtSecret, production: config.production });
  const result = await withDatabase(config, async (url) => {
    const reset = await resetDatabase({
      ...migrateOptions(config, secrets, url),
      seedFile: config.seedFile,
      seedShownAs: path.relative(process.cwd(), config.seedFile) || config.seedFile,
      // The seed runs below, with the demo password it needs.
      seed: false,
    });
    if (!opts.seed) {
      await forgetDemoUsers(config.stateDir);
      return { ...reset, seeded: false, demo: null };
    }
    return { ...reset, ...(await loadSeed(config, url)) };
  });
  process.stdout.write(`Database reset: ${result.applied.length} migrations applied${result.seeded ? ', seed loaded' : opts.seed ? ', no sql/seed.sql to load' : ', seed skipped'}.\n`);
  if (result.demo) process.stdout.write(`\n${demoBlock(result.demo)}\n`);
  return 0;
}
