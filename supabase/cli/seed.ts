/**
 * Loads `sql/seed.sql` with a demo password generated for this machine, and remembers the demo users
 * it created in `.convo/demo-users.json` (0600) so that `convo start` and `convo status` can print them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { runScript } from '../db/migrator.ts';
import type { ConvoConfig } from './config.ts';

/** The users sql/seed.sql makes; only those it actually created are remembered. */
export const DEMO_EMAILS = ['owner@convo.local', 'admin@convo.local', 'agent@convo.local'];

export interface DemoUsers {
  emails: string[];
  password: string;
  seeded_at: string;
}

const demoFile = (stateDir: string) => path.join(stateDir, 'demo-users.json');

/** Runs the seed (false when there is no seed file) and records or forgets the demo users accordingly. */
export async function loadSeed(config: ConvoConfig, url: string): Promise<{ seeded: boolean; demo: DemoUsers | null }> {
  const password = randomBytes(12).toString('base64url');
  const shownAs = path.relative(process.cwd(), config.seedFile) || config.seedFile;
  await forgetDemoUsers(config.stateDir);
  const seeded = await runScript(url, config.seedFile, shownAs, { 'convo.seed_password': password });
  if (!seeded) return { seeded, demo: null };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let emails: string[];
  try {
    const { rows } = await client.query<{ email: string }>('select email from auth.users where email = any ($1) order by array_position($1, email::text)', [DEMO_EMAILS]);
    emails = rows.map((r) => r.email);
  } finally {
    await client.end();
  }
  if (emails.length === 0) return { seeded, demo: null };
  const demo: DemoUsers = { emails, password, seeded_at: new Date().toISOString() };
  await fs.mkdir(config.stateDir, { recursive: true });
  await fs.writeFile(demoFile(config.stateDir), JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return { seeded, demo };
}

export async function readDemoUsers(stateDir: string): Promise<DemoUsers | null> {
  try {
    return JSON.parse(await fs.readFile(demoFile(stateDir), 'utf8')) as DemoUsers;
  } catch {
    return null;
  }
}

export async function forgetDemoUsers(stateDir: string): Promise<void> {
  await fs.rm(demoFile(stateDir), { force: true });
}
