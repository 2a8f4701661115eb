// The committed types/database.ts matches what `convo gen types` generates from the repository's own migrations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateTypes } from '../../supabase/cli/gen-types.ts';
import { loadConfig } from '../../supabase/cli/config.ts';
import { migrate } from '../../supabase/db/migrator.ts';
import { ROOT } from '../helpers/convo.ts';
import { startTestPostgres } from '../helpers/postgres.ts';

test('types/database.ts is what convo gen types generates from sql/migrations', async () => {
  const config = loadConfig({}, ROOT);
  const server = await startTestPostgres();
  try {
    await migrate({ url: server.url, migrationsDir: config.migrationsDir });
    const generated = await generateTypes(server.url, config.api.schemas);
    const committed = await fs.readFile(path.join(ROOT, 'types', 'database.ts'), 'utf8').catch(() => '');
    if (generated !== committed) assert.fail('types/database.ts is stale: run convo gen types');
  } finally {
    await server.destroy();
  }
});
