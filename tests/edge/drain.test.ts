/** Graceful drain: a request in flight finishes on the old process when its function reloads, and before the host closes; new requests go to the new process. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { isAlive, sleep } from '../../supabase/shared/process.ts';
import { startHostServer, type HostServer } from './host-server.ts';

/** `/hold/wait` answers once the file `release` appears in the functions folder (it is not a function, so no reload). */
const holdFunction = (version: string) => `Deno.serve(async (req) => {
  const release = new URL('../release', import.meta.url);
  if (new URL(req.url).pathname === '/hold/wait') {
    console.log('holding in ${version}');
    for (;;) {
      try { await Deno.stat(release); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
    }
    return Response.json({ version: '${version}', pid: Deno.pid, released: true });
  }
  return Response.json({ version: '${version}', pid: Deno.pid });
});
`;

/** Polls until `check` holds (a wait for an event, not a timing assertion). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`never happened: ${what}`);
}

describe('functions host: graceful drain', () => {
  let dir: string;
  let host: HostServer;
  const get = async (p: string) => (await (await fetch(`${host.functionsUrl}/${p}`)).json()) as { version: string; pid: number; released?: boolean };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-drain-'));
    await fs.mkdir(path.join(dir, 'hold'));
  });
  afterEach(async () => {
    await host?.close();
    await fs.rm(path.join(dir, 'release'), { force: true });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  test('on reload the request in flight finishes on the old process while new requests reach the new one', async () => {
    await fs.writeFile(path.join(dir, 'hold/index.ts'), holdFunction('v1'));
    host = await startHostServer({ functionsDir: dir });
    const old = await get('hold');
    const held = get('hold/wait');
    await until(() => host.logs.includes('[hold] holding in v1'), 'the request reached v1');

    await fs.writeFile(path.join(dir, 'hold/index.ts'), holdFunction('v2'));
    await until(async () => (await get('hold')).version === 'v2', 'new requests reach v2');
    assert.equal(isAlive(old.pid), true, 'the old process is still serving its request');

    await fs.writeFile(path.join(dir, 'release'), '');
    assert.deepEqual(await held, { version: 'v1', pid: old.pid, released: true });
    await until(() => !isAlive(old.pid), 'the old process stops once its request is done');
    assert.equal((await get('hold')).version, 'v2');
  });

  test('closing the host lets the request in flight finish before the process is killed', async () => {
    await fs.writeFile(path.join(dir, 'hold/index.ts'), holdFunction('v1'));
    host = await startHostServer({ functionsDir: dir });
    const { pid } = await get('hold');
    const held = get('hold/wait');
    await until(() => host.logs.includes('[hold] holding in v1'), 'the request reached the function');

    let closed = false;
    const closing = host.close().then(() => (closed = true));
    await sleep(200);
    assert.equal(closed, false, 'close waits for the request in flight');
    assert.equal(isAlive(pid), true);
    await fs.writeFile(path.join(dir, 'release'), '');
    assert.deepEqual(await held, { version: 'v1', pid, released: true });
    await closing;
    assert.equal(isAlive(pid), false);
  });

  test('a request that outlasts the drain bound is stopped when the host closes', async () => {
    await fs.writeFile(path.join(dir, 'hold/index.ts'), holdFunction('v1'));
    host = await startHostServer({ functionsDir: dir, drainMs: 300 });
    const { pid } = await get('hold');
    const held = fetch(`${host.functionsUrl}/hold/wait`).then(async (res) => ({ status: res.status, body: await res.text() }), () => 'cut');
    await until(() => host.logs.includes('[hold] holding in v1'), 'the request reached the function');
    await host.close();
    assert.equal(isAlive(pid), false);
    // Cut: the connection drops, or the host's WORKER_ERROR made it out first; never the function's answer.
    const outcome = await held;
    if (typeof outcome !== 'string') assert.equal(outcome.status, 500, outcome.body);
  });
});
