/** The functions host behind the real gateway: verify_jwt on (project key required) and off (open webhook), as `convo start` wires it. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
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
const WALL_CLOCK_MS = 8_000;

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
    await fs.mkdir(path.join(dir, 'ws'));
    await fs.writeFile(
      path.join(dir, 'ws', 'index.ts'),
      `Deno.serve((req) => {
        if (req.headers.get('upgrade') !== 'websocket') return new Response('expected a websocket', { status: 426 });
        const where = new URL(req.url);
        const key = req.headers.get('apikey')?.slice(0, 6);
        const { socket, response } = Deno.upgradeWebSocket(req);
        socket.onmessage = (e) => socket.send('echo ' + e.data + ' at ' + where.pathname + where.search + ' with ' + key);
        return response;
      });`,
    );
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push((JSON.parse(line) as { msg: string }).msg);
        done();
      },
    });
    const log = pino({ level: 'info' }, sink);
    keys = await mintProjectKeys(SECRET, Math.floor(Date.now() / 1000) - 10);
    // A short wall-clock limit, so that a WebSocket can be seen cut at it.
    host = createFunctionsHost({ functionsDir: dir, cacheDir: path.join(dir, '..', `${path.basename(dir)}-cache`), env: TEST_ENV, log, requestTimeoutMs: WALL_CLOCK_MS });
    const open = new Set(['webhook']);
    gateway = createGateway({
      verifier: createJwtVerifier(SECRET),
      services: { functions: host.service },
      log,
      health: async () => ({ status: 'ok' }),
      isOpen: (service, subpath) => service === 'functions' && open.has(subpath.split('/')[1] ?? ''),
      upgrades: { functions: host.upgrade },
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

  /** A WebSocket handshake through the gateway by hand (Node 20 has no WebSocket client): the answer head, and the socket. */
  async function handshake(target: string, headers: Record<string, string>): Promise<{ head: string; rest: Buffer; socket: net.Socket; key: string }> {
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    const lines = [`GET ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    return new Promise((resolve, reject) => {
      let buf = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        buf = Buffer.concat([buf, chunk]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.pause();
        resolve({ head: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 4), socket, key });
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => resolve({ head: buf.toString('latin1'), rest: Buffer.alloc(0), socket, key }));
    });
  }

  /** One masked text frame, as a client must send it. */
  function textFrame(text: string): Buffer {
    const payload = Buffer.from(text, 'utf8');
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
  }

  /** The next unmasked short text frame the server sends (failing after 10 s rather than hanging the run). */
  async function readText(socket: net.Socket, start: Buffer): Promise<string> {
    let buf = start;
    socket.resume();
    while (buf.length < 2 || buf.length < 2 + (buf[1]! & 0x7f)) {
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        new Promise<Buffer>((resolve) => socket.once('data', resolve)),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no WebSocket frame within 10 s')), 10_000))),
      ]).finally(() => clearTimeout(timer));
      buf = Buffer.concat([buf, chunk]);
    }
    assert.equal(buf[0], 0x81, 'a final text frame');
    return buf.subarray(2, 2 + (buf[1]! & 0x7f)).toString('utf8');
  }

  test('a WebSocket reaches the function through the gateway with its key, path and query, and messages flow both ways', async () => {
    const { head, rest, socket, key } = await handshake('/functions/v1/ws/room?x=1', { apikey: keys.anon });
    try {
      assert.match(head, /^HTTP\/1\.1 101 /);
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      assert.match(head, new RegExp(`sec-websocket-accept: ${accept.replace(/[+/]/g, '\\$&')}`, 'i'));
      socket.write(textFrame('hi'));
      assert.equal(await readText(socket, rest), `echo hi at /ws/room?x=1 with ${keys.anon.slice(0, 6)}`);
      socket.write(textFrame('again'));
      assert.equal(await readText(socket, Buffer.alloc(0)), `echo again at /ws/room?x=1 with ${keys.anon.slice(0, 6)}`);
    } finally {
      socket.destroy();
    }
    // A browser cannot set headers on a WebSocket: the key in the query is checked, and not passed on.
    const browser = await handshake(`/functions/v1/ws?apikey=${keys.anon}&y=2`, {});
    try {
      assert.match(browser.head, /^HTTP\/1\.1 101 /);
      browser.socket.write(textFrame('yo'));
      assert.equal(await readText(browser.socket, browser.rest), 'echo yo at /ws?y=2 with undefined');
    } finally {
      browser.socket.destroy();
    }
  });

  test('a WebSocket is cut at the wall-clock limit, as on Supabase', async () => {
    const { head, socket } = await handshake('/functions/v1/ws', { apikey: keys.anon });
    const opened = Date.now();
    assert.match(head, /^HTTP\/1\.1 101 /);
    socket.resume();
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const lasted = Date.now() - opened;
    assert.ok(lasted > WALL_CLOCK_MS / 2 && lasted < WALL_CLOCK_MS + 5_000, `closed after ${lasted} ms`);
    assert.ok(logs.some((l) => l.includes('wall-clock limit') && l.includes('WebSocket')));
  });

  test('a WebSocket without a project key is a 401 and never reaches the function; an unknown function is a 404; REST takes no upgrades', async () => {
    for (const [target, headers, status] of [
      ['/functions/v1/ws', {}, 401],
      ['/functions/v1/nope', { apikey: keys.anon }, 404],
      ['/rest/v1/items', { apikey: keys.anon }, 400],
    ] as Array<[string, Record<string, string>, number]>) {
      const { head, socket } = await handshake(target, headers);
      socket.destroy();
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), `${target}: ${head}`);
      assert.match(head, /connection: close/i);
      assert.match(head, /x-request-id: [0-9a-f-]{36}/i);
    }
  });
});
