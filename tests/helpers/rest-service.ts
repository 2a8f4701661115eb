/** The REST service over a real Postgres, called directly (no HTTP) as the gateway would after checking an anon project key. */
import pino from 'pino';
import pg from 'pg';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import type { Service, ServiceRequest } from '../../supabase/gateway/types.ts';
import { createJwtVerifier } from '../../supabase/keys/jwt.ts';
import { createExecutor, type Executor } from '../../supabase/rest/execute.ts';
import { createRestService, type RestOptions } from '../../supabase/rest/index.ts';
import { createSchemaCacheHolder, type SchemaCacheHolder } from '../../supabase/rest/schema-cache/listen.ts';
import { startMigratedPostgres, type TestPostgres } from './postgres.ts';

export function serviceRequest(method: string, path: string, headers: Record<string, string>, body: string | null): ServiceRequest {
  const bytes = body === null ? new Uint8Array() : new TextEncoder().encode(body);
  return {
    method,
    url: `http://localhost/rest/v1${path}`,
    headers: new Headers(headers),
    body: null,
    signal: new AbortController().signal,
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    text: async () => body ?? '',
    json: async () => JSON.parse(body ?? 'null') as unknown,
  };
}

export interface ServiceAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** `path` is below /rest/v1 (`/items?id=eq.1`). */
export async function callService(service: Service, method: string, path: string, headers: Record<string, string> = {}, body: string | null = null): Promise<ServiceAnswer> {
  const subpath = path.split('?')[0]!;
  const res = await service(serviceRequest(method, path, headers, body), { requestId: 'test', subpath, apikeyClaims: { role: 'anon' }, log: pino({ level: 'silent' }) });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

export interface RestServiceFixture {
  server: TestPostgres;
  cache: SchemaCacheHolder;
  executor: Executor;
  service: Service;
  /** Another service over the same database, cache and executor, with other options. */
  variant(options: Partial<RestOptions>): Service;
  close(): Promise<void>;
}

/**
 * A real Postgres with the platform SQL and `fixtureSql`, a live schema cache (it reloads on NOTIFY pgrst), an
 * executor logged in as `authenticator` and the REST service over them. `wrap` may observe the executor.
 */
/** The project secret the fixture's verifier trusts (for minting keys and tokens in tests). */
export const REST_SERVICE_SECRET = 'rest-service-secret-rest-service-secret-0123';

export async function startRestService(
  fixtureSql: string,
  opts: { schemas?: string[]; options?: Partial<RestOptions>; wrap?: (e: Executor) => Executor } = {},
): Promise<RestServiceFixture> {
  const schemas = opts.schemas ?? ['public'];
  const password = 'rest-service-authenticator-password';
  const server = await startMigratedPostgres({ authenticatorPassword: password });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(fixtureSql);
  await admin.end();
  const cache = createSchemaCacheHolder({ url: server.url, schemas });
  await cache.ready;
  const real = createExecutor({ url: authenticatorUrl(server.url, password), poolSize: 2 });
  const executor = opts.wrap ? opts.wrap(real) : real;
  const base: RestOptions = { executor, cache, verifier: createJwtVerifier(REST_SERVICE_SECRET), schemas };
  return {
    server,
    cache,
    executor,
    service: createRestService({ ...base, ...opts.options }),
    variant: (options) => createRestService({ ...base, ...opts.options, ...options }),
    async close() {
      await executor.close();
      await cache.close();
      await server.destroy();
    },
  };
}
