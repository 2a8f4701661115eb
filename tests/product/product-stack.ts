/** Auth + REST behind one real gateway over a Postgres migrated with the app's `sql/migrations`: the product suites' stack. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import { migrate } from '../../supabase/db/migrator.ts';
import { createJwtVerifier } from '../../supabase/keys/jwt.ts';
import { createExecutor } from '../../supabase/rest/execute.ts';
import { createRestService } from '../../supabase/rest/index.ts';
import { createSchemaCacheHolder } from '../../supabase/rest/schema-cache/listen.ts';
import { startTestPostgres } from '../helpers/postgres.ts';
import { startAuthStack, TEST_SECRET, type AuthStack } from '../auth/auth-server.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../sql/migrations');

export interface ProductStack extends AuthStack {
  /** A superuser connection, for setup and for looking behind the API's back. */
  admin: pg.Client;
}

export async function startProductStack(): Promise<ProductStack> {
  const password = 'product-authenticator-password';
  const server = await startTestPostgres();
  try {
    await migrate({ url: server.url, migrationsDir: MIGRATIONS_DIR, authenticatorPassword: password });
  } catch (err) {
    await server.destroy();
    throw err;
  }
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const cache = createSchemaCacheHolder({ url: server.url, schemas: ['public'] });
  await cache.ready;
  const executor = createExecutor({ url: authenticatorUrl(server.url, password), poolSize: 2 });
  const verifier = createJwtVerifier(TEST_SECRET);
  const rest = createRestService({ executor, cache, verifier, schemas: ['public'] });
  const stack = await startAuthStack({ log: pino({ level: 'silent' }) }, { db: server, services: { rest } });
  return {
    ...stack,
    admin,
    async stop() {
      await stack.stop();
      await executor.close();
      await cache.close();
      await admin.end();
      await server.destroy();
    },
  };
}
