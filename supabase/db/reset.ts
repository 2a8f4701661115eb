/** `db reset`: drop and recreate the database, apply every migration, then run the seed. */
import pg from 'pg';
import { migrate, runScript, type MigrateOptions, type MigrateResult } from './migrator.ts';

export interface ResetOptions extends MigrateOptions {
  seedFile: string;
  seedShownAs: string;
  seed: boolean;
}

export interface ResetResult extends MigrateResult {
  seeded: boolean;
}

export async function resetDatabase(opts: ResetOptions): Promise<ResetResult> {
  const target = new URL(opts.url);
  const dbName = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const maintenance = new URL(opts.url);
  maintenance.pathname = dbName === 'postgres' ? '/template1' : '/postgres';

  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const ident = client.escapeIdentifier(dbName);
    // FORCE ends the running stack's sessions; its pools reconnect to the new database.
    await client.query(`drop database if exists ${ident} with (force)`);
    await client.query(`create database ${ident}`);
  } finally {
    await client.end();
  }
  const result = await migrate(opts);
  const seeded = opts.seed ? await runScript(opts.url, opts.seedFile, opts.seedShownAs) : false;
  return { ...result, seeded };
}
