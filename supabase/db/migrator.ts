/**
 * Applies the platform SQL, graphile-worker's schema, then the app's `sql/migrations/NNNN_name.sql`,
 * each file in its own transaction, recorded with a checksum in `convo.migrations`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { splitSql } from './sql-split.ts';
import { ExpectedFailure } from '../shared/errors.ts';

export type MigrationScope = 'platform' | 'app';

export interface MigrationFile {
  scope: MigrationScope;
  version: string;
  name: string;
  /** Path as shown to the user. */
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  url: string;
  /** Folder holding the app's NNNN_name.sql files. */
  migrationsDir: string;
  /** Password given to the `authenticator` login role (passed as a bind parameter, never inlined). */
  authenticatorPassword?: string;
  onApplied?: (file: MigrationFile, ms: number) => void;
}

export interface MigrateResult {
  applied: MigrationFile[];
}

export const PLATFORM_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'platform');
const FILE_NAME = /^(\d{4,})_([a-z0-9][a-z0-9_]*)\.sql$/;
const LOCK_KEY = 'convo.migrate';

export async function readMigrationDir(dir: string, scope: MigrationScope, shownAs = dir): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    const file = path.join(shownAs, name);
    if (!m) throw new ExpectedFailure('migration_invalid', `${file}: migration files are named NNNN_name.sql (digits, underscore, lowercase name)`);
    const version = m[1]!;
    const other = seen.get(version);
    if (other) throw new ExpectedFailure('migration_invalid', `${file}: version ${version} is already used by ${other}`);
    seen.set(version, name);
    const sql = await fs.readFile(path.join(dir, name), 'utf8');
    files.push({ scope, version, name: m[2]!, file, sql, checksum: checksum(sql) });
  }
  return files;
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  const platform = await readMigrationDir(PLATFORM_DIR, 'platform', 'platform');
  const app = await readMigrationDir(opts.migrationsDir, 'app', path.relative(process.cwd(), opts.migrationsDir) || opts.migrationsDir);
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  const applied: MigrationFile[] = [];
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    await ensureLedger(client);
    const ledger = await readLedger(client);
    // Refuse before applying anything: a changed file means the database and the repo disagree.
    for (const f of [...platform, ...app]) assertUnchanged(f, ledger);

    for (const f of platform) if (await applyFile(client, f, ledger, opts)) applied.push(f);
    // The platform sets the database's search_path for new sessions; this one needs it for the app's files too.
    await client.query(`select set_config('search_path', '"$user", public, extensions', false)`);
    if (opts.authenticatorPassword !== undefined) await setAuthenticatorPassword(client, opts.authenticatorPassword);
    // Our own short-lived pool: with a connection string graphile-worker keeps its pool open for a while.
    const workerPool = new pg.Pool({ connectionString: opts.url, max: 1 });
    // graphile-worker warns about pools without 'error' and 'connect' listeners.
    workerPool.on('error', () => {}).on('connect', () => {});
    try {
      await runWorkerMigrations({ pgPool: workerPool, logger: silentLogger() });
    } finally {
      await workerPool.end();
    }
    for (const f of app) if (await applyFile(client, f, ledger, opts)) applied.push(f);

    await client.query(`select pg_notify('pgrst', 'reload schema')`);
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return { applied };
}

/**
 * Runs a script (the seed) statement by statement in one transaction, with the same error reporting as migrations.
 * `settings` are set transaction-locally first (the seed reads `convo.seed_password` with current_setting).
 */
export async function runScript(url: string, file: string, shownAs: string, settings: Record<string, string> = {}): Promise<boolean> {
  let sql: string;
  try {
    sql = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    for (const [name, value] of Object.entries(settings)) await client.query('select set_config($1, $2, true)', [name, value]);
    await runStatements(client, sql, shownAs);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return true;
}

type Ledger = Map<string, string>;
const ledgerKey = (scope: MigrationScope, version: string) => `${scope}/${version}`;

async function ensureLedger(client: pg.Client): Promise<void> {
  await client.query(`
    create schema if not exists convo;
    create table if not exists convo.migrations (
      scope text not null,
      version text not null,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      duration_ms integer not null,
      constraint migrations_pkey primary key (scope, version),
      constraint migrations_scope_check check (scope in ('platform', 'app'))
    );
    revoke all on schema convo from public;
    comment on table convo.migrations is 'Ledger of applied SQL files: one row per platform or app migration, with its sha256.';
  `);
}

async function readLedger(client: pg.Client): Promise<Ledger> {
  const { rows } = await client.query<{ scope: MigrationScope; version: string; checksum: string }>(
    'select scope, version, checksum from convo.migrations',
  );
  return new Map(rows.map((r) => [ledgerKey(r.scope, r.version), r.checksum]));
}

function assertUnchanged(f: MigrationFile, ledger: Ledger): void {
  const recorded = ledger.get(ledgerKey(f.scope, f.version));
  if (recorded !== undefined && recorded !== f.checksum) {
    throw new ExpectedFailure(
      'migration_changed',
      `${f.file} was changed after it was applied (recorded sha256 ${recorded.slice(0, 12)}…, file ${f.checksum.slice(0, 12)}…); ` +
        'put the change in a new migration (`convo migration new <name>`), or `convo db reset` to start over',
    );
  }
}

async function applyFile(client: pg.Client, f: MigrationFile, ledger: Ledger, opts: MigrateOptions): Promise<boolean> {
  if (ledger.has(ledgerKey(f.scope, f.version))) return false;
  const started = performance.now();
  await client.query('begin');
  try {
    await runStatements(client, f.sql, f.file);
    const ms = Math.round(performance.now() - started);
    await client.query(
      'insert into convo.migrations (scope, version, name, checksum, duration_ms) values ($1, $2, $3, $4, $5)',
      [f.scope, f.version, f.name, f.checksum, ms],
    );
    await client.query('commit');
    ledger.set(ledgerKey(f.scope, f.version), f.checksum);
    opts.onApplied?.(f, ms);
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

const TRANSACTION_CONTROL = /^(begin|commit|rollback|end|start\s+transaction|abort)\b/i;

async function runStatements(client: pg.Client, sql: string, shownAs: string): Promise<void> {
  for (const stmt of splitSql(sql)) {
    if (TRANSACTION_CONTROL.test(stmt.text)) {
      throw new ExpectedFailure(
        'migration_invalid',
        `${shownAs}:${stmt.line}: remove "${stmt.text.split(/\s/)[0]}" — every migration already runs in its own transaction`,
      );
    }
    try {
      await client.query(stmt.text);
    } catch (err) {
      throw migrationError(err, stmt.text, stmt.line, shownAs);
    }
  }
}

function migrationError(err: unknown, text: string, line: number, shownAs: string): ExpectedFailure {
  const e = err as pg.DatabaseError;
  let at = line;
  const pos = Number(e.position);
  if (Number.isInteger(pos) && pos > 0) {
    for (let i = 0; i < pos - 1 && i < text.length; i++) if (text.charCodeAt(i) === 10) at++;
  }
  const detail = e.detail ? ` (${e.detail})` : '';
  const code = e.code ? ` [${e.code}]` : '';
  return new ExpectedFailure('migration_failed', `${shownAs}:${at}: ${e.message}${detail}${code}`);
}

async function setAuthenticatorPassword(client: pg.Client, password: string): Promise<void> {
  await client.query('begin');
  try {
    await client.query(`select set_config('convo.authenticator_password', $1, true)`, [password]);
    await client.query(`
      do $$ begin
        execute format('alter role authenticator with login password %L', current_setting('convo.authenticator_password'));
      end $$`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

function silentLogger() {
  // graphile-worker's Logger wants a factory; its migration chatter is not useful to the user.
  return new Logger(() => () => {});
}
