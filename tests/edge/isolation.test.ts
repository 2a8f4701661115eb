/** Each function runs in its own Deno process: crashes, exits, endless loops, memory and env stay contained; edits reload; SSE streams. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive, sleep } from '../../supabase/shared/process.ts';
import { startHostServer, type HostServer } from './host-server.ts';

const FUNCTIONS: Record<string, string> = {
  'ok/index.ts': `Deno.serve(() => { console.log('ok was called'); return new Response('ok'); });`,
  'throws/index.ts': `Deno.serve(() => { throw new Error('boom'); });`,
  'exits/index.ts': `Deno.serve((req) => {
    if (new URL(req.url).pathname === '/exits/now') Deno.exit(3);
    return Response.json({ pid: Deno.pid });
  });`,
  'loops/index.ts': `Deno.serve((req) => {
    if (new URL(req.url).pathname === '/loops/pid') return Response.json({ pid: Deno.pid });
    for (;;) {}
  });`,
  'hungry/index.ts': `const keep = [];
  Deno.serve(() => { for (;;) keep.push(new Array(1_000_000).fill(Math.random())); });`,
  'default-export/index.ts': `export default { fetch: (req) => Response.json({ style: 'default export', path: new URL(req.url).pathname }) };`,
  'broken/index.ts': `Deno.serve(() => new Response('never'`,
  'env/index.ts': `Deno.serve(() => Response.json(Deno.env.toObject()));`,
  'sse/index.ts': `let release;
  const released = new Promise((r) => (release = r));
  Deno.serve(async (req) => {
    if (new URL(req.url).pathname === '/sse/release') { release(); return new Response('released'); }
    const body = new ReadableStream({
      async start(controller) {
        const enc = new TextEncoder();
        controller.enqueue(enc.encode('data: first\\n\\n'));
        await released;
        controller.enqueue(enc.encode('data: second\\n\\n'));
        controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
  });`,
  'slow/index.ts': `let aborted = false;
  Deno.serve((req) => {
    if (new URL(req.url).pathname === '/slow/state') return Response.json({ aborted });
    console.log('slow started');
    return new Promise((resolve) => req.signal.addEventListener('abort', () => { aborted = true; resolve(new Response('gone')); }));
  });`,
  'reload/index.ts': `Deno.serve(() => new Response('v1'));`,
  '.env': `# secrets for functions\nMY_SECRET="s3cr3t value"\nOTHER=plain # comment\nSUPABASE_RESERVED=ignored\n`,
};

describe('functions host: isolation, limits, env, reload, streaming', () => {
  let dir: string;
  let host: HostServer;
  const get = (p: string, init?: RequestInit): Promise<Response> => fetch(`${host.functionsUrl}/${p}`, init);

  before(async () => {
    process.env.CONVO_SECRET_TEST = 'must-not-leak';
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-'));
    for (const [file, text] of Object.entries(FUNCTIONS)) {
      await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await fs.writeFile(path.join(dir, file), text);
    }
    // The CPU-time limit has its own test (cpu-limit.test.ts): here the endless loop meets the wall-clock limit.
    host = await startHostServer({ functionsDir: dir, requestTimeoutMs: 4_000, memoryMb: 64, cpuTimeMs: 0 });
  });
  after(async () => {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
    delete process.env.CONVO_SECRET_TEST;
  });

  test('an uncaught error is a 500 JSON error and the function keeps serving', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await get('throws');
      assert.equal(res.status, 500);
      assert.equal(res.headers.get('sb-error-code'), 'EDGE_FUNCTION_ERROR');
      assert.deepEqual(await res.json(), { error: 'The function threw an uncaught error' });
    }
    assert.ok(host.logs.some((l) => l.startsWith('[throws] Uncaught error: Error: boom')));
    assert.equal(await (await get('ok')).text(), 'ok');
  });

  test('a function that calls Deno.exit answers 500 and is restarted on the next request', async () => {
    const before = (await (await get('exits')).json()) as { pid: number };
    const res = await get('exits/now');
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'Function exited before answering: exits', code: 'WORKER_ERROR' });
    assert.equal(await (await get('ok')).text(), 'ok');
    const afterExit = (await (await get('exits')).json()) as { pid: number };
    assert.notEqual(afterExit.pid, before.pid);
  });

  test('an endless loop is stopped at the wall-clock limit while the others keep answering', async () => {
    const { pid } = (await (await get('loops/pid')).json()) as { pid: number };
    const looping = get('loops/spin');
    const others = await Promise.all([get('ok').then((r) => r.text()), get('default-export').then((r) => r.json())]);
    assert.deepEqual(others, ['ok', { style: 'default export', path: '/default-export' }]);
    const res = await looping;
    assert.equal(res.status, 504);
    assert.equal(res.headers.get('sb-error-code'), 'IDLE_TIMEOUT');
    assert.deepEqual(await res.json(), { error: 'Function exceeded the wall-clock limit of 4000 ms: loops', code: 'IDLE_TIMEOUT' });
    assert.equal(isAlive(pid), false);
    const again = (await (await get('loops/pid')).json()) as { pid: number };
    assert.notEqual(again.pid, pid);
  });

  test('a function over its memory limit answers 546 WORKER_LIMIT and the others keep answering', async () => {
    const res = await get('hungry');
    assert.equal(res.status, 546);
    assert.deepEqual(await res.json(), { error: 'Function exceeded the memory limit: hungry', code: 'WORKER_LIMIT' });
    assert.equal(await (await get('ok')).text(), 'ok');
  });

  test('a function that fails to boot is a 503 BOOT_ERROR', async () => {
    const res = await get('broken');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'Function failed to start: broken', code: 'BOOT_ERROR' });
  });

  test('env holds the SUPABASE_ variables and functions/.env secrets, nothing from the host', async () => {
    const env = (await (await get('env')).json()) as Record<string, string>;
    assert.deepEqual(env, {
      MY_SECRET: 's3cr3t value',
      OTHER: 'plain',
      SUPABASE_ANON_KEY: 'anon-key',
      SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
      SUPABASE_SERVICE_ROLE_KEY: 'service-key',
      SUPABASE_URL: 'http://127.0.0.1:54321',
    });
  });

  test('stdout lines are logged prefixed with the function name', async () => {
    await (await get('ok')).text();
    assert.ok(host.logs.includes('[ok] ok was called'));
  });

  test('an SSE stream delivers its first event before the stream ends', async () => {
    const res = await get('sse');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      assert.equal(done, false, 'stream ended before the first event');
      text += decoder.decode(value, { stream: true });
    }
    assert.equal(text, 'data: first\n\n');
    assert.equal(await (await get('sse/release')).text(), 'released');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    assert.equal(text, 'data: first\n\ndata: second\n\n');
  });

  test('a caller that goes away aborts the request inside the function', async () => {
    const controller = new AbortController();
    const pending = get('slow', { signal: controller.signal }).catch((err: unknown) => err);
    for (let i = 0; i < 100 && !host.logs.includes('[slow] slow started'); i++) await sleep(50);
    assert.ok(host.logs.includes('[slow] slow started'));
    controller.abort();
    assert.equal(((await pending) as Error).name, 'AbortError');
    let state = { aborted: false };
    for (let i = 0; i < 50 && !state.aborted; i++) {
      if (i) await sleep(50);
      state = (await (await get('slow/state')).json()) as { aborted: boolean };
    }
    assert.deepEqual(state, { aborted: true });
  });

  test('editing a function reloads it before a later request', async () => {
    assert.equal(await (await get('reload')).text(), 'v1');
    await fs.writeFile(path.join(dir, 'reload/index.ts'), `Deno.serve(() => new Response('v2'));`);
    let seen = '';
    for (let i = 0; i < 50 && seen !== 'v2'; i++) {
      if (i) await sleep(100);
      seen = await (await get('reload')).text();
    }
    assert.equal(seen, 'v2');
  });
});
