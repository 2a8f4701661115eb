/** Auth and REST behind one real gateway over a fixture schema: what the tests need to follow a user's token from /auth/v1 to RLS. */
import { pino } from 'pino';
import { createJwtVerifier } from '../../supabase/keys/jwt.ts';
import type { SigningKey } from '../../supabase/keys/signing-key.ts';
import { startRestService } from '../helpers/rest-service.ts';
import { startAuthStack, TEST_SECRET, type AuthStack } from './auth-server.ts';

export async function startAuthRestStack(fixtureSql: string, opts: { signingKey?: SigningKey } = {}): Promise<AuthStack> {
  const verifier = createJwtVerifier(TEST_SECRET, opts.signingKey ? { signingKey: opts.signingKey } : {});
  const rest = await startRestService(fixtureSql, { options: { verifier } });
  const stack = await startAuthStack(
    { log: pino({ level: 'silent' }), ...(opts.signingKey ? { signingKey: opts.signingKey } : {}) },
    { db: rest.server, services: { rest: rest.service } },
  );
  return {
    ...stack,
    async stop() {
      await stack.stop();
      await rest.close();
    },
  };
}
