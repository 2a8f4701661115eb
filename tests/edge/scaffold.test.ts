/** `functions new` scaffolding: the generated function is served by the host as written, names are checked. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../helpers/convo.ts';
import { scaffoldFunction } from '../../supabase/edge/scaffold.ts';
import { startHostServer, type HostServer } from './host-server.ts';

let dir: string;
let host: HostServer;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-new-'));
  await fs.mkdir(path.join(dir, '_shared'));
  await fs.copyFile(path.join(ROOT, 'functions/_shared/cors.ts'), path.join(dir, '_shared/cors.ts'));
  host = await startHostServer({ functionsDir: dir });
});
after(async () => {
  await host.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('a scaffolded function is served at /functions/v1/<name> with CORS', async () => {
  const file = await scaffoldFunction(dir, 'send-reminder');
  assert.equal(file, path.join(dir, 'send-reminder', 'index.ts'));
  const res = await fetch(`${host.functionsUrl}/send-reminder`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await res.json(), { message: 'Hello Ada from send-reminder!' });
});

test('scaffolding refuses an existing function and a name that is not kebab-case', async () => {
  await assert.rejects(scaffoldFunction(dir, 'send-reminder'), { code: 'bad_usage', message: /already exists/ });
  for (const bad of ['Send', '_shared', 'a/b', '../x', 'with space', '']) {
    await assert.rejects(scaffoldFunction(dir, bad), { code: 'bad_usage' }, bad);
  }
});
