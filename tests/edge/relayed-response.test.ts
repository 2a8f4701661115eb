// A relayed response (a function's answer, piped by the gateway) behaves as a Web Response for code that reads it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { relayedResponse, relayOf } from '../../supabase/shared/relayed-response.ts';

let server: http.Server;
let port = 0;

before(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(req.url === '/missing' ? 404 : 201, 'Made It', { 'content-type': 'application/json', 'x-multi': 'a' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** GETs `path` from the test server and wraps the answer as the functions proxy does. */
function relayed(path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, path, host: '127.0.0.1' }, (res) => resolve(relayedResponse(res, res.statusCode ?? 0, res.statusMessage ?? '', res.rawHeaders.slice())))
      .once('error', reject);
  });
}

test('status, statusText, ok and headers come from the relayed answer', async () => {
  const r = await relayed('/a');
  assert.ok(r instanceof Response);
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Made It');
  assert.equal(r.ok, true);
  assert.equal(r.headers.get('x-multi'), 'a');
  assert.equal(r.bodyUsed, false);
  assert.deepEqual(await r.json(), { path: '/a' });
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  const missing = await relayed('/missing');
  assert.equal(missing.ok, false);
  assert.equal(missing.status, 404);
  await missing.text();
});

test('clone() splits the body: both copies read it whole', async () => {
  const r = await relayed('/b');
  const copy = r.clone();
  assert.equal(copy.status, 201);
  assert.equal(copy.headers.get('content-type'), 'application/json');
  assert.deepEqual(await Promise.all([r.text(), copy.text()]), ['{"path":"/b"}', '{"path":"/b"}']);
  assert.equal(relayOf(r), undefined, 'a body read through Web streams is no longer relayed by the gateway');
});

test('the body as a stream, once', async () => {
  const r = await relayed('/c');
  const body = r.body;
  assert.ok(body);
  assert.equal(r.body, body, 'the same stream each time');
  assert.equal(await new Response(body).text(), '{"path":"/c"}');
  assert.equal(r.bodyUsed, true);
});
