/**
 * One pooled transaction per request, in one round trip: every request setting (role, claims, method,
 * path, headers…) in one `select set_config(…)` and the main statement travel together, ended by a
 * single Sync, on a connection of the `authenticator` role; Postgres runs them as one transaction.
 * Statements are prepared once per connection.
 */
import type pg from 'pg';
import { ConnectionPool, PoolTimeoutError } from './pool.ts';
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

/**
 * `set_config($1, $2, true), …` for n settings, role first so everything after runs as the caller, in a
 * materialized CTE: every call runs, and the statement answers one row of no columns instead of echoing
 * each value back (the headers and claims are most of a request's bytes).
 */
const settingsText = new Map<number, string>();
function settingsStatement(n: number): string {
  let text = settingsText.get(n);
  if (!text) {
    const calls = Array.from({ length: n }, (_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
    text = `with pgrst_set as materialized (select ${calls.join(', ')}) select from pgrst_set`;
    settingsText.set(n, text);
  }
  return text;
}

type PreparedClient = pg.Client & { connection?: object };

export function createExecutor(opts: ExecutorOptions): Executor {
  const pool = new ConnectionPool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    acquireTimeoutMs: opts.acquireTimeoutMs ?? 10_000,
    idleTimeoutMs: 60_000,
  });
  const maxPrepared = opts.maxPreparedPerConnection ?? 1000;

  /** Gives the client back once its result is known: a broken one, or one holding too many statements, is closed. */
  function finish(client: PreparedClient, result: ExecutionResult): ExecutionResult {
    const prepared = client.connection ? preparedCount(client.connection) : 0;
    // A connection that broke, or that the server is ending (57P0x, 08xxx), is not used again.
    const dead = !result.ok && (result.kind === 'connection' || (result.kind === 'statement' && /^(57P0|08)/.test(result.error.code)));
    pool.release(client, dead || prepared > maxPrepared);
    return result;
  }

  function runOn(client: PreparedClient, e: Execution): Promise<ExecutionResult> {
    return pipeline(client, e).then(
      (result) => finish(client, result),
      (err: unknown) => finish(client, { ok: false, kind: 'connection', message: (err as Error).message }),
    );
  }

  function run(e: Execution): Promise<ExecutionResult> {
    // An idle connection is taken without a promise; only a busy pool makes the request wait.
    const idle: PreparedClient | null = pool.tryAcquire();
    if (idle) return runOn(idle, e);
    return pool.acquire().then(
      (client) => runOn(client, e),
      (err: unknown): ExecutionResult =>
        err instanceof PoolTimeoutError ? { ok: false, kind: 'pool-timeout' } : { ok: false, kind: 'connection', message: (err as Error).message },
    );
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

function pipeline(client: pg.Client, e: Execution): Promise<ExecutionResult> {
  const settings: unknown[] = ['role', e.role];
  if (e.readOnly) settings.push('transaction_read_only', 'on');
  for (const [k, v] of e.settings) settings.push(k, v);
  const set: WireStatement = { text: settingsStatement(settings.length / 2), values: settings };
  // A Statement is already what the wire needs (text and values): passed on as it is.
  const main = e.statement;
  const extra = e.extra ?? [];
  const begin = beginWith(e.isolation);
  if (e.end === 'commit' && begin === BEGIN) {
    // The common case, an implicit transaction: everything up to the Sync commits together, or not at all.
    return runPipeline(client, extra.length ? [set, main, ...extra] : [set, main]).then(
      (results): ExecutionResult => ({ ok: true, rows: results[1]!.rows, committed: true, extraRows: extraRows(results, 2, extra.length) }),
      statementError,
    );
  }
  return explicitTransaction(client, e, begin, set, main, extra);
}

/** The rows of the statements that ran after the main one (from index `from`), e.g. the planner's count. */
function extraRows(results: WireResult[], from: number, count: number): Row[][] {
  return count === 0 ? [] : results.slice(from, from + count).map((r) => r.rows);
}

/** A transaction begun explicitly: with an isolation level, or ended by rollback or by a decision on the rows. */
async function explicitTransaction(client: pg.Client, e: Execution, begin: WireStatement, set: WireStatement, main: WireStatement, extra: readonly WireStatement[]): Promise<ExecutionResult> {
  if (e.end === 'commit') {
    // An isolation level must be chosen before the first statement: an explicit transaction, still one round trip.
    const out = await settle(runPipeline(client, [begin, set, main, ...extra, COMMIT]));
    if (!out.ok) {
      await client.query('rollback');
      return statementError(out.error);
    }
    return { ok: true, rows: out.results[2]!.rows, committed: true, extraRows: extraRows(out.results, 3, extra.length) };
  }
  if (e.end === 'rollback') {
    const out = await settle(runPipeline(client, [begin, set, main, ...extra, ROLLBACK]));
    if (!out.ok) {
      await client.query('rollback');
      return statementError(out.error);
    }
    return { ok: true, rows: out.results[2]!.rows, committed: false, extraRows: extraRows(out.results, 3, extra.length) };
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
  return { ok: true, rows, committed: decision === 'commit', extraRows: extraRows(out.results, 3, extra.length) };
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
