/**
 * One pooled transaction per request, in one round trip: BEGIN, every request setting (role, claims,
 * method, path, headers…) in one `select set_config(…)`, the main statement and COMMIT are pipelined
 * on a connection of the `authenticator` role. Statements are prepared once per connection.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface Statement {
  text: string;
  values: readonly unknown[];
}

export interface Execution {
  /** The database role to switch to (from the JWT's `role` claim, or the anon role). */
  role: string;
  /** Transaction-local settings, e.g. ['request.jwt.claims', '{…}'], ['search_path', 'public, extensions']. */
  settings: ReadonlyArray<readonly [string, string]>;
  readOnly: boolean;
  statement: Statement;
  /**
   * How the transaction ends. 'commit' and 'rollback' are pipelined with the rest (one round trip);
   * a function is asked once the main statement's rows are known (two round trips).
   */
  end: 'commit' | 'rollback' | ((rows: readonly Row[]) => 'commit' | 'rollback');
}

/** Every column comes back as text (or null): the body is JSON built by Postgres and passed through. */
export type Row = Record<string, string | null>;

export interface DbErrorFields {
  code: string;
  message: string;
  details: string | null;
  hint: string | null;
}

export type ExecutionResult =
  | { ok: true; rows: Row[]; committed: boolean }
  | { ok: false; kind: 'statement'; error: DbErrorFields }
  | { ok: false; kind: 'connection'; message: string }
  | { ok: false; kind: 'pool-timeout' };

export interface Executor {
  run(execution: Execution): Promise<ExecutionResult>;
  close(): Promise<void>;
}

export interface ExecutorOptions {
  /** A URL for the `authenticator` login role. */
  url: string;
  poolSize?: number;
  acquireTimeoutMs?: number;
  /** A connection that has prepared more statements than this is replaced, to bound server memory. */
  maxPreparedPerConnection?: number;
}

const asText = { getTypeParser: () => (value: string) => value };

/** Prepared statement names: stable per text, so each connection parses a query shape once. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = 'pgrst_' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
    if (names.size > 50_000) names.clear();
    names.set(text, name);
  }
  return name;
}

/** `select set_config($1, $2, true), …` for n settings; role goes first so everything after runs as the caller. */
const settingsText = new Map<number, string>();
function settingsStatement(n: number): string {
  let text = settingsText.get(n);
  if (!text) {
    const calls = Array.from({ length: n }, (_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
    text = `select ${calls.join(', ')}`;
    settingsText.set(n, text);
  }
  return text;
}

type PreparedClient = pg.PoolClient & { connection?: { parsedStatements?: Record<string, string> } };

export function createExecutor(opts: ExecutorOptions): Executor {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.acquireTimeoutMs ?? 10_000,
    idleTimeoutMillis: 60_000,
    // Pipeline mode: queries are written without waiting for the previous answer.
    pipeline: true,
  } as pg.PoolConfig);
  // A connection the server ends while idle is dropped from the pool; the next request gets a new one.
  pool.on('error', () => {});
  const maxPrepared = opts.maxPreparedPerConnection ?? 1000;

  async function run(e: Execution): Promise<ExecutionResult> {
    let client: PreparedClient;
    try {
      client = await pool.connect();
    } catch (err) {
      const message = (err as Error).message;
      return /timeout/i.test(message) ? { ok: false, kind: 'pool-timeout' } : { ok: false, kind: 'connection', message };
    }
    let result: ExecutionResult;
    try {
      result = await pipeline(client, e);
    } catch (err) {
      result = { ok: false, kind: 'connection', message: (err as Error).message };
    }
    const prepared = Object.keys(client.connection?.parsedStatements ?? {}).length;
    // A connection that failed outside a statement is not trusted again.
    client.release(!result.ok && result.kind === 'connection' ? true : prepared > maxPrepared);
    return result;
  }

  return { run, close: () => pool.end() };
}

async function pipeline(client: pg.PoolClient, e: Execution): Promise<ExecutionResult> {
  const settings: unknown[] = ['role', e.role];
  for (const [k, v] of e.settings) settings.push(k, v);
  const setText = settingsStatement(settings.length / 2);
  const begin = client.query(e.readOnly ? 'begin isolation level read committed read only' : 'begin');
  const set = client.query({ text: setText, values: settings, name: statementName(setText), types: asText });
  const main = client.query<Row>({ text: e.statement.text, values: e.statement.values as unknown[], name: statementName(e.statement.text), types: asText });
  const endNow = typeof e.end === 'string' ? client.query(e.end) : null;
  const [beginR, setR, mainR, endR] = await Promise.allSettled([begin, set, main, endNow ?? Promise.resolve(null)]);
  for (const r of [beginR, setR, mainR]) {
    if (r.status === 'rejected') {
      // With END pipelined, Postgres already turned it into a ROLLBACK; otherwise end the aborted transaction here.
      if (!endNow) await client.query('rollback');
      return statementError(r.reason);
    }
  }
  const rows = (mainR as PromiseFulfilledResult<pg.QueryResult<Row>>).value.rows;
  if (endNow) {
    if (endR.status === 'rejected') return statementError(endR.reason);
    return { ok: true, rows, committed: e.end === 'commit' };
  }
  const decision = (e.end as (rows: readonly Row[]) => 'commit' | 'rollback')(rows);
  try {
    await client.query(decision);
  } catch (err) {
    return statementError(err);
  }
  return { ok: true, rows, committed: decision === 'commit' };
}

function statementError(err: unknown): ExecutionResult {
  const e = err as Partial<pg.DatabaseError> & Error;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) {
    return { ok: false, kind: 'connection', message: e.message };
  }
  return { ok: false, kind: 'statement', error: { code: e.code, message: e.message, details: e.detail ?? null, hint: e.hint ?? null } };
}
