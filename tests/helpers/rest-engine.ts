/** A real Postgres with the platform SQL and a test fixture, its schema cache, and a REST executor logged in as `authenticator`. */
import pg from 'pg';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import { createExecutor, type Executor } from '../../supabase/rest/execute.ts';
import { loadSchemaCache } from '../../supabase/rest/schema-cache/load.ts';
import type { SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { startMigratedPostgres, type TestPostgres } from './postgres.ts';

export interface RestFixture {
  server: TestPostgres;
  /** A superuser connection, for setup and for looking at the database behind the API's back. */
  admin: pg.Client;
  cache: SchemaCache;
  executor: Executor;
  close(): Promise<void>;
}

export async function startRestFixture(fixtureSql: string, opts: { poolSize?: number; schemas?: string[] } = {}): Promise<RestFixture> {
  const password = 'rest-fixture-authenticator-password';
  const server = await startMigratedPostgres({ authenticatorPassword: password });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(fixtureSql);
  const cache = await loadSchemaCache(admin, opts.schemas ?? ['public']);
  const executor = createExecutor({ url: authenticatorUrl(server.url, password), poolSize: opts.poolSize ?? 1 });
  return {
    server,
    admin,
    cache,
    executor,
    async close() {
      await executor.close();
      await admin.end();
      await server.destroy();
    },
  };
}
