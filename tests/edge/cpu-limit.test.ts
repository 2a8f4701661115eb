/** The CPU-time limit: a process that burns its CPU budget without finishing a request is stopped with 546 WORKER_LIMIT; waiting is not CPU. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../../supabase/shared/process.ts';
import { startHostServer, type HostServer } from './host-server.ts';

const FUNCTIONS: Record<string, string> = {
  'spin/index.ts': `Deno.serve((req) => {
    if (new URL(req.url).pathname === '/spin/pid') return Response.json({ pid: Deno.pid });
    for (;;) {}
  });`,
  'sleepy/index.ts': `Deno.serve(async () => {
    await new Promise((r) => setTimeout(r, 1500));
    return new Response('rested');
  });`,
  'ok/index.ts': `Deno.serve(() => new Response('ok'));`,
};

describe('functions host: CPU-time limit', () => {
  let dir: string;
  let host: HostServer;
  const get = (p: string): Promise<Response> => fetch(`${host.functionsUrl}/${p}`);

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-cpu-'));
    for (const [file, text] of Object.entries(FUNCTIONS)) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fs.writeFile(path.join(dir, file), text);
    }
    host = await startHostServer({ functionsDir: dir, cpuTimeMs: 500, requestTimeoutMs: 60_000 });
  });
  after(async () => {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('an endless loop is stopped at the CPU limit with 546 WORKER_LIMIT, and the function restarts', async () => {
    const { pid } = (await (await get('spin/pid')).json()) as { pid: number };
    const res = await get('spin/forever');
    assert.equal(res.status, 546);
    assert.equal(res.headers.get('sb-error-code'), 'WORKER_LIMIT');
    assert.deepEqual(await res.json(), { error: 'Function exceeded the CPU time limit of 500 ms: spin', code: 'WORKER_LIMIT' });
    assert.equal(isAlive(pid), false);
    assert.ok(host.logs.includes('[spin] CPU time limit of 500 ms reached; stopping the process'));
    const again = (await (await get('spin/pid')).json()) as { pid: number };
    assert.notEqual(again.pid, pid);
    assert.equal(await (await get('ok')).text(), 'ok');
  });

  test('a request that waits longer than the CPU limit, without using CPU, is answered', async () => {
    const res = await get('sleepy');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'rested');
  });
});
