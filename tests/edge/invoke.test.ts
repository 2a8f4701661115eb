/** supabase-js functions.invoke and fetch against the repo's hello and echo functions, each in its own Deno process. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FunctionsHttpError } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { ROOT } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startHostServer, type HostServer } from './host-server.ts';

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body_base64: string;
  body_length: number;
  env: string[];
}

describe('functions host: invoke hello and echo', () => {
  let host: HostServer;
  let client: SupabaseClient;

  before(async () => {
    host = await startHostServer({ functionsDir: path.join(ROOT, 'functions') });
    client = supabaseClient(host.url, 'test-key');
  });
  after(() => host.close());

  test('hello answers a JSON body with a JSON greeting', async () => {
    const { data, error } = await client.functions.invoke('hello', { body: { name: 'Ada' } });
    assert.equal(error, null);
    assert.deepEqual(data, { message: 'Hello Ada!' });
  });

  test('hello maps a bad body to a 400 with CORS headers', async () => {
    const res = await fetch(`${host.functionsUrl}/hello`, { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), { error: 'Body must be JSON: { "name": string }' });
  });

  test('an OPTIONS preflight is answered by the function with CORS headers', async () => {
    const res = await fetch(`${host.functionsUrl}/hello`, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization, x-client-info, apikey, content-type/);
    assert.equal(await res.text(), 'ok');
  });

  test('a text body and custom headers reach the function unchanged', async () => {
    const { data, error } = await client.functions.invoke<Echo>('echo', {
      body: 'héllo, wörld',
      headers: { 'x-custom': 'Value With Spaces', 'x-hub-signature-256': 'sha256=abc', authorization: 'Bearer user-token' },
    });
    assert.equal(error, null);
    assert.equal(data!.method, 'POST');
    assert.equal(data!.path, '/echo');
    assert.equal(Buffer.from(data!.body_base64, 'base64').toString('utf8'), 'héllo, wörld');
    assert.equal(data!.headers['content-type'], 'text/plain');
    assert.equal(data!.headers['x-custom'], 'Value With Spaces');
    assert.equal(data!.headers['x-hub-signature-256'], 'sha256=abc');
    assert.equal(data!.headers['authorization'], 'Bearer user-token');
    assert.equal(data!.headers['apikey'], 'test-key');
    assert.match(data!.headers['x-client-info'] ?? '', /supabase-js/);
  });

  test('binary body bytes are preserved exactly', async () => {
    const bytes = new Uint8Array(70_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
    const { data, error } = await client.functions.invoke<Echo>('echo', { body: new Blob([bytes]) });
    assert.equal(error, null);
    assert.equal(data!.body_length, bytes.length);
    assert.deepEqual(new Uint8Array(Buffer.from(data!.body_base64, 'base64')), bytes);
    assert.equal(data!.headers['content-type'], 'application/octet-stream');
  });

  test('a body of unknown length (chunked) streams through whole', async () => {
    const pieces = ['first piece, ', 'then a ', 'x'.repeat(100_000), ' and the end'];
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = pieces.shift();
        if (next === undefined) return controller.close();
        await new Promise((r) => setTimeout(r, 5));
        controller.enqueue(encoder.encode(next));
      },
    });
    const res = await fetch(`${host.functionsUrl}/echo/stream`, { method: 'PUT', body: stream, duplex: 'half', headers: { 'content-type': 'text/plain' } } as RequestInit);
    assert.equal(res.status, 200);
    const echo = (await res.json()) as Echo;
    assert.equal(echo.method, 'PUT');
    assert.equal(echo.path, '/echo/stream');
    assert.equal(echo.headers['content-length'], undefined, 'no length was known, so none is invented');
    assert.equal(Buffer.from(echo.body_base64, 'base64').toString('utf8'), `first piece, then a ${'x'.repeat(100_000)} and the end`);
  });

  test('HEAD gets the head of the answer and no body; the connection serves the next request', async () => {
    const head = await fetch(`${host.functionsUrl}/echo`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'application/json');
    assert.equal(await head.text(), '');
    for (let i = 0; i < 5; i++) {
      const { data, error } = await client.functions.invoke<Echo>('echo', { body: `request ${i}`, method: i % 2 ? 'PATCH' : 'POST' });
      assert.equal(error, null);
      assert.equal(Buffer.from(data!.body_base64, 'base64').toString('utf8'), `request ${i}`);
    }
  });

  test('a FormData body arrives as multipart with its boundary intact', async () => {
    const form = new FormData();
    form.append('field', 'value');
    form.append('file', new Blob(['file-bytes'], { type: 'text/plain' }), 'a.txt');
    const { data, error } = await client.functions.invoke<Echo>('echo', { body: form });
    assert.equal(error, null);
    const contentType = data!.headers['content-type'] ?? '';
    assert.match(contentType, /^multipart\/form-data; boundary=/);
    const body = Buffer.from(data!.body_base64, 'base64').toString('utf8');
    assert.ok(body.includes(contentType.split('boundary=')[1]!));
    assert.match(body, /name="field"\r\n\r\nvalue\r\n/);
    assert.match(body, /filename="a.txt"\r\nContent-Type: text\/plain\r\n\r\nfile-bytes\r\n/);
  });

  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    test(`${method} with a sub-path and query reaches the function as /echo/<sub-path>`, async () => {
      const { data, error } = await client.functions.invoke<Echo>('echo/items/42?expand=all&x=1', {
        method,
        ...(method === 'PUT' ? { body: { qty: 3 } } : {}),
      });
      assert.equal(error, null);
      assert.equal(data!.method, method);
      assert.equal(data!.path, '/echo/items/42');
      assert.deepEqual(data!.query, { expand: 'all', x: '1' });
      assert.equal(Buffer.from(data!.body_base64, 'base64').toString(), method === 'PUT' ? '{"qty":3}' : '');
    });
  }

  test('the function sees exactly the four SUPABASE_ variables from the host', async () => {
    const { data } = await client.functions.invoke<Echo>('echo', { method: 'GET' });
    for (const name of ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_URL']) assert.ok(data!.env.includes(name), name);
    assert.ok(!data!.env.includes('PATH'));
    assert.ok(!data!.env.includes('HOME'));
  });

  test('an unknown function is a 404 JSON error', async () => {
    const { data, error } = await client.functions.invoke('no-such-function', { body: {} });
    assert.equal(data, null);
    assert.ok(error instanceof FunctionsHttpError);
    const res = error.context as Response;
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('sb-error-code'), 'NOT_FOUND');
    assert.deepEqual(await res.json(), { error: 'Function not found: no-such-function', code: 'NOT_FOUND' });
  });

  test('_shared is not a function', async () => {
    const res = await fetch(`${host.functionsUrl}/_shared/cors.ts`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});
