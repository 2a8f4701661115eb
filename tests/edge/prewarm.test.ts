/** With `prewarm`, every function's Deno process starts with the host and an edited one restarts before any request asks for it. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sleep } from '../../supabase/shared/process.ts';
import { listFunctions } from '../../supabase/edge/prewarm.ts';
import { startHostServer, type HostServer } from './host-server.ts';

const FUNCTIONS: Record<string, string> = {
  'alpha/index.ts': `Deno.serve(() => Response.json({ fn: 'alpha', pid: Deno.pid, v: 1 }));`,
  'beta/index.ts': `Deno.serve(() => Response.json({ fn: 'beta', pid: Deno.pid, env: Object.keys(Deno.env.toObject()).sort() }));`,
  '_shared/util.ts': `export const x = 1;`,
  'no-entry/readme.md': `not a function`,
};

/** Polls until `check` holds (a wait for an event, not a timing assertion). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(50);
  assert.ok(check(), what);
}

describe('functions host: prewarm', () => {
  let dir: string;
  let host: HostServer;
  const served = (name: string) => host.logs.filter((l) => l.startsWith(`[${name}] serving`)).length;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-prewarm-'));
    for (const [file, text] of Object.entries(FUNCTIONS)) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fs.writeFile(path.join(dir, file), text);
    }
    host = await startHostServer({ functionsDir: dir, prewarm: true });
  });
  after(async () => {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('lists only folders with an index.ts, not _shared', () => {
    assert.deepEqual(listFunctions(dir), ['alpha', 'beta']);
    assert.deepEqual(listFunctions(path.join(dir, 'missing')), []);
  });

  test('every function is serving before its first request, and that request reuses the process', async () => {
    await until(() => served('alpha') === 1 && served('beta') === 1, 'both functions booted without a request');
    const res = await fetch(`${host.functionsUrl}/alpha`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { fn: string }).fn, 'alpha');
    assert.equal(served('alpha'), 1);
  });

  test('a prewarmed function still sees only the platform variables', async () => {
    const body = (await (await fetch(`${host.functionsUrl}/beta`)).json()) as { env: string[] };
    assert.deepEqual(body.env, ['SUPABASE_ANON_KEY', 'SUPABASE_DB_URL', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_URL']);
  });

  test('an edited function restarts by itself and answers with the new code', async () => {
    const before = (await (await fetch(`${host.functionsUrl}/alpha`)).json()) as { pid: number };
    await fs.writeFile(path.join(dir, 'alpha/index.ts'), `Deno.serve(() => Response.json({ fn: 'alpha', pid: Deno.pid, v: 2 }));`);
    await until(() => served('alpha') >= 2, 'alpha restarted after the edit, before any request');
    const after = (await (await fetch(`${host.functionsUrl}/alpha`)).json()) as { pid: number; v: number };
    assert.equal(after.v, 2);
    assert.notEqual(after.pid, before.pid);
  });

  test('a function added while the host runs is started without a request', async () => {
    await fs.mkdir(path.join(dir, 'gamma'));
    await fs.writeFile(path.join(dir, 'gamma/index.ts'), `Deno.serve(() => new Response('gamma'));`);
    await until(() => served('gamma') === 1, 'gamma booted without a request');
    assert.equal(await (await fetch(`${host.functionsUrl}/gamma`)).text(), 'gamma');
  });
});
