/**
 * One pooled transaction per request, in one round trip: every request setting (role, claims, method,
 * path, headers…) in one `select set_config(…)` and the main statement travel together, ended by a
 * single Sync, on a connection of the `authenticator` role; Postgres runs them as one transaction.
 * Statements are prepared once per connection.
 */
import pg from 'pg';
import { preparedCount, runPipeline, type WireError, type WireResult, type WireStatement } from './wire-pipeline.ts';

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
  /** An isolation level other than the default (`serializable`, `repeatable read`): the transaction is then begun explicitly with it. */
  isolation?: string | null;
  statement: Statement;
  /** Statements run after the main one in the same transaction and round trip (e.g. EXPLAIN for a planned count). */
  extra?: readonly Statement[];
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
  | { ok: true; rows: Row[]; committed: boolean; extraRows: Row[][] }
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

type PreparedClient = pg.PoolClient & { connection?: object };

export function createExecutor(opts: ExecutorOptions): Executor {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.acquireTimeoutMs ?? 10_000,
    idleTimeoutMillis: 60_000,
  });
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
    const prepared = client.connection ? preparedCount(client.connection) : 0;
    // A connection that broke, or that the server is ending (57P0x, 08xxx), is not used again.
    const dead = !result.ok && (result.kind === 'connection' || (result.kind === 'statement' && /^(57P0|08)/.test(result.error.code)));
    client.release(dead || prepared > maxPrepared);
    return result;
  }

  return { run, close: () => pool.end() };
}

const BEGIN: WireStatement = { text: 'begin', values: [] };
const ISOLATION_LEVELS = new Set(['serializable', 'repeatable read', 'read committed', 'read uncommitted']);
/** `begin isolation level …` from a level PostgreSQL knows (anything else is plain `begin`). */
function beginWith(isolation: string | null | undefined): WireStatement {
  const level = isolation?.trim().toLowerCase();
  return level && ISOLATION_LEVELS.has(level) ? { text: `begin isolation level ${level}`, values: [] } : BEGIN;
}
const COMMIT: WireStatement = { text: 'commit', values: [] };
const ROLLBACK: WireStatement = { text: 'rollback', values: [] };

async function pipeline(client: pg.PoolClient, e: Execution): Promise<ExecutionResult> {
  const settings: unknown[] = ['role', e.role];
  if (e.readOnly) settings.push('transaction_read_only', 'on');
  for (const [k, v] of e.settings) settings.push(k, v);
  const set: WireStatement = { text: settingsStatement(settings.length / 2), values: settings };
  const main: WireStatement = { text: e.statement.text, values: e.statement.values };

  const extra: WireStatement[] = (e.extra ?? []).map((st) => ({ text: st.text, values: st.values }));
  const extraRows = (results: WireResult[], from: number) => results.slice(from, from + extra.length).map((r) => r.rows);

  const begin = beginWith(e.isolation);
  if (e.end === 'commit' && begin !== BEGIN) {
    // An isolation level must be chosen before the first statement: an explicit transaction, still one round trip.
    const out = await settle(runPipeline(client, [begin, set, main, ...extra, COMMIT]));
    if (!out.ok) {
      await client.query('rollback');
      return statementError(out.error);
    }
    return { ok: true, rows: out.results[2]!.rows, committed: true, extraRows: extraRows(out.results, 3) };
  }
  if (e.end === 'commit') {
    // An implicit transaction: everything up to the Sync commits together, or not at all.
    const out = await settle(runPipeline(client, [set, main, ...extra]));
    return out.ok ? { ok: true, rows: out.results[1]!.rows, committed: true, extraRows: extraRows(out.results, 2) } : statementError(out.error);
  }
  if (e.end === 'rollback') {
    const out = await settle(runPipeline(client, [begin, set, main, ...extra, ROLLBACK]));
    if (!out.ok) {
      await client.query('rollback');
      return statementError(out.error);
    }
    return { ok: true, rows: out.results[2]!.rows, committed: false, extraRows: extraRows(out.results, 3) };
  }
  const out = await settle(runPipeline(client, [begin, set, main, ...extra]));
  if (!out.ok) {
    await client.query('rollback');
    return statementError(out.error);
  }
  const rows = out.results[2]!.rows;
  const decision = e.end(rows);
  const end = await settle(runPipeline(client, [decision === 'commit' ? COMMIT : ROLLBACK]));
  if (!end.ok) return statementError(end.error);
  return { ok: true, rows, committed: decision === 'commit', extraRows: extraRows(out.results, 3) };
}

type Settled = { ok: true; results: WireResult[] } | { ok: false; error: WireError };

async function settle(p: Promise<WireResult[]>): Promise<Settled> {
  try {
    return { ok: true, results: await p };
  } catch (error) {
    return { ok: false, error: error as WireError };
  }
}

function statementError(err: unknown): ExecutionResult {
  const e = err as Partial<pg.DatabaseError> & Error;
  // An error without a SQLSTATE did not come from Postgres: the connection broke.
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) {
    return { ok: false, kind: 'connection', message: e.message };
  }
  return { ok: false, kind: 'statement', error: { code: e.code, message: e.message, details: e.detail ?? null, hint: e.hint ?? null } };
}
