/** Auth and REST behind one real gateway over a fixture schema: what the tests need to follow a user's token from /auth/v1 to RLS. */
import pg from 'pg';
import { pino } from 'pino';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import { createJwtVerifier } from '../../supabase/keys/jwt.ts';
import type { SigningKey } from '../../supabase/keys/signing-key.ts';
import { createExecutor } from '../../supabase/rest/execute.ts';
import { createRestService } from '../../supabase/rest/index.ts';
import { createSchemaCacheHolder } from '../../supabase/rest/schema-cache/listen.ts';
import { startMigratedPostgres } from '../helpers/postgres.ts';
import { startAuthStack, TEST_SECRET, type AuthStack } from './auth-server.ts';

export async function startAuthRestStack(fixtureSql: string, opts: { signingKey?: SigningKey } = {}): Promise<AuthStack> {
  const password = 'auth-rest-authenticator-password';
  const server = await startMigratedPostgres({ authenticatorPassword: password });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(fixtureSql);
  await admin.end();
  const cache = createSchemaCacheHolder({ url: server.url, schemas: ['public'] });
  await cache.ready;
  const executor = createExecutor({ url: authenticatorUrl(server.url, password), poolSize: 2 });
  const verifier = createJwtVerifier(TEST_SECRET, opts.signingKey ? { signingKey: opts.signingKey } : {});
  const rest = createRestService({ executor, cache, verifier, schemas: ['public'] });
  const stack = await startAuthStack(
    { log: pino({ level: 'silent' }), ...(opts.signingKey ? { signingKey: opts.signingKey } : {}) },
    { db: server, services: { rest } },
  );
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await executor.close();
      await cache.close();
      await server.destroy();
    },
  };
}
