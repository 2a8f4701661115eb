// The functions proxy against a raw upstream that answers with every framing HTTP/1.1 allows, not only Deno's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forward, type ForwardOptions } from '../../supabase/edge/proxy.ts';
import { UpstreamPools } from '../../supabase/edge/upstream.ts';
import type { ServiceRequest } from '../../supabase/gateway/types.ts';

/** Canned answers by request path; each request head received is recorded. */
const ANSWERS: Record<string, string[]> = {
  '/length': ['HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello'],
  '/split': ['HTTP/1.1 200 OK\r\ncontent-le', 'ngth: 11\r\nx-a: 1\r\n\r\nhello', ' world'],
  '/chunked': ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel', 'lo\r\n6\r\n world\r\n0\r\nx-trailer: y\r\n\r\n'],
  '/close': ['HTTP/1.1 203 Partial\r\nconnection: close\r\n\r\nuntil the ', 'end'],
  '/empty': ['HTTP/1.1 204 No Content\r\nx-b: 2\r\n\r\n'],
  '/garbage': ['HTTP/9 what\r\n\r\n'],
};

let dir = '';
let server: net.Server;
const heads: string[] = [];
const connections = new Set<net.Socket>();
let accepted = 0;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convo-proxy-'));
  server = net.createServer((socket) => {
    accepted++;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    let buf = '';
    socket.on('data', async (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        heads.push(head + '\r\n\r\n' + buf.slice(end + 4, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        const target = head.split(' ')[1]!.split('?')[0]!;
        for (const piece of ANSWERS[target] ?? ANSWERS['/length']!) {
          socket.write(piece);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (target === '/close') socket.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'up.sock'), resolve));
});

after(async () => {
  for (const s of connections) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function request(method: string, body: string | null, headers: Record<string, string> = {}): ServiceRequest {
  const bytes = new TextEncoder().encode(body ?? '');
  return {
    method,
    url: 'http://localhost/functions/v1/fn',
    headers: new Headers(headers),
    body: null,
    signal: new AbortController().signal,
    arrayBuffer: async () => bytes.buffer.slice(0) as ArrayBuffer,
    text: async () => body ?? '',
    json: async () => JSON.parse(body ?? 'null') as unknown,
  };
}

const pools = new UpstreamPools();
after(() => pools.destroy());

async function call(target: string, method = 'GET', body: string | null = null, headers: Record<string, string> = {}) {
  let done = 0;
  const opts: ForwardOptions = { pools, upstream: { socketPath: path.join(dir, 'up.sock') }, path: target, timeoutMs: 5_000, onDone: () => done++ };
  const result = await forward(request(method, body, headers), opts);
  if (result.kind !== 'response') return { result: result.kind, done };
  const r = result.response;
  const text = await r.text();
  return { status: r.status, statusText: r.statusText, headers: Object.fromEntries(r.headers), text, done };
}

test('content-length answers, whole or split across reads, and the request head the upstream saw', async () => {
  assert.deepEqual(await call('/length?x=1', 'POST', '{"a":1}', { 'content-type': 'application/json', connection: 'keep-alive', 'x-custom': 'v' }), {
    status: 200, statusText: 'OK', headers: { 'content-length': '5', 'content-type': 'text/plain' }, text: 'hello', done: 1,
  });
  assert.equal(heads.at(-1), 'POST /length?x=1 HTTP/1.1\r\ncontent-type: application/json\r\nx-custom: v\r\nhost: localhost\r\ncontent-length: 7\r\n\r\n{"a":1}');
  assert.deepEqual(await call('/split'), { status: 200, statusText: 'OK', headers: { 'content-length': '11', 'x-a': '1' }, text: 'hello world', done: 1 });
});

test('chunked answers after an interim 100 are decoded; framing headers are not passed on', async () => {
  assert.deepEqual(await call('/chunked', 'DELETE'), { status: 200, statusText: 'OK', headers: {}, text: 'hello world', done: 1 });
  assert.equal(heads.at(-1), 'DELETE /chunked HTTP/1.1\r\nhost: localhost\r\ncontent-length: 0\r\n\r\n');
});

test('an answer without a length runs until the upstream closes; 204 has no body', async () => {
  assert.deepEqual(await call('/close'), { status: 203, statusText: 'Partial', headers: {}, text: 'until the end', done: 1 });
  assert.deepEqual(await call('/empty'), { status: 204, statusText: 'No Content', headers: { 'x-b': '2' }, text: '', done: 1 });
});

test('kept-alive connections are reused; a malformed answer fails the exchange and drops its connection', async () => {
  const before = accepted;
  for (let i = 0; i < 5; i++) assert.equal((await call('/length')).text, 'hello');
  assert.ok(accepted - before <= 1, `five sequential requests opened ${accepted - before} connections`);
  assert.deepEqual(await call('/garbage'), { result: 'failed', done: 1 });
  assert.equal((await call('/length')).text, 'hello');
});
