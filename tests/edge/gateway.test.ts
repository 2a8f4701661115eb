/** The functions host behind the real gateway: verify_jwt on (project key required) and off (open webhook), as `convo start` wires it. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createGateway, type Gateway } from '../../supabase/gateway/index.ts';
import { createFunctionsHost, type FunctionsHost } from '../../supabase/edge/index.ts';
import { createJwtVerifier, mintProjectKeys, type ProjectKeys } from '../../supabase/keys/jwt.ts';
import { freePort } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { TEST_ENV } from './host-server.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';

describe('functions host behind the gateway: verify_jwt', () => {
  let dir: string;
  let host: FunctionsHost;
  let gateway: Gateway;
  let url: string;
  let keys: ProjectKeys;
  const logs: string[] = [];

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-gw-'));
    for (const name of ['private-fn', 'webhook']) {
      await fs.mkdir(path.join(dir, name));
      await fs.writeFile(
        path.join(dir, name, 'index.ts'),
        `Deno.serve((req) => { console.log('${name} reached'); return Response.json({ fn: '${name}', auth: req.headers.get('authorization') }); });`,
      );
    }
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push((JSON.parse(line) as { msg: string }).msg);
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    keys = await mintProjectKeys(SECRET, Math.floor(Date.now() / 1000) - 10);
    host = createFunctionsHost({ functionsDir: dir, cacheDir: path.join(dir, '..', `${path.basename(dir)}-cache`), env: TEST_ENV, log });
    const open = new Set(['webhook']);
    gateway = createGateway({
      verifier: createJwtVerifier(SECRET),
      services: { functions: host.service },
      log,
      health: async () => ({ status: 'ok' }),
      isOpen: (service, subpath) => service === 'functions' && open.has(subpath.split('/')[1] ?? ''),
    });
    const port = await freePort();
    await gateway.listen(port, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await gateway.close();
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(`${dir}-cache`, { recursive: true, force: true });
  });

  test('with verify_jwt on, supabase-js with the anon key reaches the function', async () => {
    const { data, error } = await supabaseClient(url, keys.anon).functions.invoke('private-fn', { body: {} });
    assert.equal(error, null);
    assert.deepEqual(data, { fn: 'private-fn', auth: `Bearer ${keys.anon}` });
  });

  test('with verify_jwt on, a request without a valid key is a 401 and never reaches the function', async () => {
    const before = logs.filter((l) => l === '[private-fn] private-fn reached').length;
    for (const headers of [{}, { authorization: 'Bearer not.a.jwt', apikey: 'not.a.jwt' }] as Array<Record<string, string>>) {
      const res = await fetch(`${url}/functions/v1/private-fn`, { method: 'POST', headers });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
    assert.equal(logs.filter((l) => l === '[private-fn] private-fn reached').length, before);
  });

  test('with verify_jwt off, a webhook call without any key reaches the function', async () => {
    const res = await fetch(`${url}/functions/v1/webhook`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-request-id'));
    assert.deepEqual(await res.json(), { fn: 'webhook', auth: null });
  });

  test('an unknown function behind the gateway is a 404 JSON error', async () => {
    const res = await fetch(`${url}/functions/v1/nope`, { headers: { apikey: keys.anon } });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'Function not found: nope', code: 'NOT_FOUND' });
  });
});
