/** Gets a database for a command: the one a running stack uses, DATABASE_URL, or the embedded cluster started for the occasion. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkServer, redactUrl } from '../db/connect.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../db/embedded.ts';
import type { MigrateOptions } from '../db/migrator.ts';
import type { ProjectSecrets } from '../keys/secrets.ts';
import type { ConvoConfig } from './config.ts';
import { step } from './output.ts';

export interface Database {
  url: string;
  /** What to show the user: the embedded URL as is, DATABASE_URL with its password masked. */
  shownUrl: string;
  embedded: EmbeddedCluster | null;
  /** Stops what this acquisition started (nothing for DATABASE_URL). */
  release(): Promise<void>;
}

export async function acquireDatabase(config: ConvoConfig, onStep: (m: string) => void): Promise<Database> {
  if (config.db.url) {
    onStep(`using DATABASE_URL ${redactUrl(config.db.url)}`);
    const version = await checkServer(config.db.url);
    onStep(`connected to Postgres ${Math.floor(version / 10000)}.${version % 100}`);
    return { url: config.db.url, shownUrl: redactUrl(config.db.url), embedded: null, release: async () => {} };
  }
  await fs.mkdir(config.stateDir, { recursive: true });
  const cluster = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.db.port,
    logFile: path.join(config.stateDir, 'postgres.log'),
    onStep,
  });
  return { url: cluster.url, shownUrl: cluster.url, embedded: cluster, release: () => cluster.stop() };
}

/** What every command that migrates passes to the migrator: the app's folder, the authenticator password, progress lines. */
export function migrateOptions(config: ConvoConfig, secrets: ProjectSecrets, url: string): MigrateOptions {
  return {
    url,
    migrationsDir: config.migrationsDir,
    authenticatorPassword: secrets.authenticatorPassword,
    onApplied: (f, ms) => step(`applied ${f.scope} migration ${f.file} (${ms} ms)`),
  };
}
