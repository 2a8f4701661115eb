/** `convo gen types [--schema s] [--out file] [--db-url url] [--check]`: writes the supabase-js `Database` types of the exposed schemas. */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { redactUrl } from '../db/connect.ts';
import { loadTypegenCatalog } from '../db/typegen/catalog.ts';
import { renderDatabaseTypes } from '../db/typegen/render.ts';
import { loadSchemaCache } from '../rest/schema-cache/load.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import type { ConvoConfig } from './config.ts';
import { acquireDatabase, type Database } from './database.ts';
import { readRun } from './run-state.ts';

/** Unreachable server, unknown host, bad password or role, missing database. */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000']);

export interface GenTypesOptions {
  /** Schemas to generate; default: the exposed ones (`[api] schemas`, `CONVO_DB_SCHEMAS`). */
  schemas: readonly string[];
  /** Default `types/database.ts` in the work folder. */
  out: string | undefined;
  dbUrl: string | undefined;
  /** Compare with the file instead of writing it; non-zero when it differs. */
  check: boolean;
}

/** The generated file's text for `schemas` of the database at `url`. */
export async function generateTypes(url: string, schemas: readonly string[]): Promise<string> {
  const client = new pg.Client({ connectionString: url, application_name: 'convo gen types' });
  client.on('error', () => {});
  await client.connect();
  try {
    const cache = await loadSchemaCache(client, schemas);
    const extra = await loadTypegenCatalog(client, schemas);
    return renderDatabaseTypes(cache, extra, schemas);
  } finally {
    await client.end();
  }
}

async function openDatabase(config: ConvoConfig, dbUrl: string | undefined): Promise<Database> {
  if (dbUrl) return { url: dbUrl, shownUrl: dbUrl, embedded: null, release: async () => {} };
  const running = await readRun(config.stateDir);
  // A running stack owns the embedded cluster: read through it rather than start a second server on the same files.
  if (running) return { url: running.db_url, shownUrl: running.db_url, embedded: null, release: async () => {} };
  return acquireDatabase(config, () => {});
}

export async function genTypes(config: ConvoConfig, opts: GenTypesOptions): Promise<number> {
  const schemas = opts.schemas.length > 0 ? opts.schemas : config.api.schemas;
  const file = path.resolve(config.workdir, opts.out ?? path.join('types', 'database.ts'));
  const shown = path.relative(process.cwd(), file) || file;
  const db = await openDatabase(config, opts.dbUrl);
  let text: string;
  try {
    text = await generateTypes(db.url, schemas);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== undefined && CONNECT_FAILURES.has(e.code)) {
      throw new ExpectedFailure('db_unreachable', `cannot read the schema from ${redactUrl(db.url)}: ${e.message || e.code}`);
    }
    throw err;
  } finally {
    await db.release();
  }
  if (opts.check) {
    const current = await fs.readFile(file, 'utf8').catch(() => null);
    if (current !== text) {
      process.stderr.write(`convo: ${shown} is stale: run convo gen types\n`);
      return 1;
    }
    process.stdout.write(`${shown} is up to date (${schemas.join(', ')}).\n`);
    return 0;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  process.stdout.write(`Wrote ${shown} (schemas: ${schemas.join(', ')}).\n`);
  return 0;
}
