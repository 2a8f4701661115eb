/** A real Postgres with the platform SQL and a test fixture, its schema cache, and a REST executor logged in as `authenticator`. */
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import pg from 'pg';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import { parseRaisePgrst, statusForSqlState } from '../../supabase/rest/errors.ts';
import { createExecutor, type ExecutionResult, type Executor, type Row } from '../../supabase/rest/execute.ts';
import type { AnswerResult } from '../../supabase/rest/respond/answer.ts';
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

/** What an engine-level test compares: status, the answer's headers, and the body (parsed JSON, CSV text, or null). */
export interface EngineAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function errorAnswer(e: { code: string; message: string; details: unknown; hint: unknown; status: number }, headers: Record<string, string> = {}): EngineAnswer {
  return { status: e.status, headers, body: { code: e.code, message: e.message, details: e.details, hint: e.hint } };
}

/**
 * The answer to an executed statement, as the response stage gives it to a caller that sent a JWT: a database error
 * by its SQLSTATE (or `RAISE SQLSTATE 'PGRST'`'s own status and headers), else `respond` over the one result row.
 */
export function engineAnswer(result: ExecutionResult, respond: (row: Row | undefined) => AnswerResult): EngineAnswer {
  if (!result.ok) {
    if (result.kind !== 'statement') throw new Error(`the statement did not run: ${JSON.stringify(result)}`);
    const e = result.error;
    if (e.code === 'PGRST') {
      const raised = parseRaisePgrst(e.message, e.details);
      if (!raised.ok) return errorAnswer(raised.error);
      return errorAnswer(raised.value.error, { ...raised.value.headers });
    }
    return errorAnswer({ ...e, status: statusForSqlState(e.code, { authenticated: true, message: e.message }) });
  }
  assert.equal(result.rows.length, 1);
  const answered = respond(result.rows[0]);
  if (!answered.ok) return errorAnswer(answered.error);
  const { status, headers, body } = answered.answer;
  const isJson = body !== null && (headers['content-type'] ?? '').includes('json');
  return { status, headers: { ...headers }, body: body === null ? null : isJson ? (JSON.parse(body) as unknown) : body };
}

/**
 * Registers hooks for a test file: a REST fixture from `fixtureSql` before the tests (handed to `use`), `seedSql`
 * run again before each test, and everything stopped after.
 */
export function useRestFixture(fixtureSql: string, seedSql: string, use: (fixture: RestFixture) => void): void {
  let fixture: RestFixture | undefined;
  before(async () => {
    fixture = await startRestFixture(fixtureSql);
    use(fixture);
  });
  beforeEach(async () => {
    if (fixture) await fixture.admin.query(seedSql);
  });
  after(() => fixture?.close());
}
