/** A real Postgres cluster for a test file, from the same embedded binaries, in its own temp folder. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../supabase/db/embedded.ts';
import { migrate } from '../../supabase/db/migrator.ts';
import { freePort } from './convo.ts';

export interface TestPostgres extends EmbeddedCluster {
  dir: string;
  port: number;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-pg-'));
  await fs.chmod(dir, 0o755);
  const port = await freePort();
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port, logFile: path.join(dir, 'postgres.log') });
  return {
    ...cluster,
    dir,
    port,
    async destroy() {
      await cluster.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A test cluster with the platform SQL applied (no app migrations), as `convo start` would leave it. */
export async function startMigratedPostgres(opts: { authenticatorPassword?: string } = {}): Promise<TestPostgres> {
  const server = await startTestPostgres();
  try {
    const emptyMigrations = path.join(server.dir, 'no-migrations');
    await migrate({ url: server.url, migrationsDir: emptyMigrations, ...opts });
  } catch (err) {
    await server.destroy();
    throw err;
  }
  return server;
}
