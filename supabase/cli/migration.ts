/** `convo migration new <name>`: creates the next `sql/migrations/NNNN_name.sql`. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { readMigrationDir } from '../db/migrator.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import type { ConvoConfig } from './config.ts';

export async function migrationNew(config: ConvoConfig, rawName: string | undefined): Promise<number> {
  const name = (rawName ?? '').trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) throw new ExpectedFailure('bad_usage', 'usage: convo migration new <name>   (e.g. convo migration new add_orders)');
  const existing = await readMigrationDir(config.migrationsDir, 'app');
  const last = existing.reduce((max, f) => Math.max(max, Number(f.version)), 0);
  const version = String(last + 1).padStart(4, '0');
  await fs.mkdir(config.migrationsDir, { recursive: true });
  const file = path.join(config.migrationsDir, `${version}_${name}.sql`);
  const body = `/** ${name.replace(/_/g, ' ')} */\n\n-- Runs in its own transaction; do not add BEGIN/COMMIT.\n`;
  await fs.writeFile(file, body, { flag: 'wx' });
  process.stdout.write(`Created ${path.relative(process.cwd(), file) || file}\n`);
  return 0;
}
