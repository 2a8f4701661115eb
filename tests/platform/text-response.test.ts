import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferedBody, textResponse } from '../../supabase/shared/http.ts';

test('a text response behaves as a Response built from the same string', async () => {
  const make = () => textResponse('{"a":1}', { status: 201, statusText: 'Created', headers: { 'content-type': 'application/json' } });
  const r = make();
  assert.ok(r instanceof Response);
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Created');
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(bufferedBody(r), '{"a":1}');
  assert.deepEqual(await r.json(), { a: 1 });
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.equal(bufferedBody(r), undefined, 'a consumed body is not written again');

  const streamed = await new Response(make().body).text();
  assert.equal(streamed, '{"a":1}');
  assert.equal(new TextDecoder().decode(await make().arrayBuffer()), '{"a":1}');
  assert.equal(await (await make().blob()).text(), '{"a":1}');
  assert.equal(await make().clone().text(), '{"a":1}');

  const empty = textResponse(null, { status: 204 });
  assert.equal(empty.body, null);
  assert.equal(await empty.text(), '');
  assert.equal(bufferedBody(textResponse(null, { status: 204 })), null);
  assert.equal(bufferedBody(new Response('x')), undefined, 'an ordinary Response is streamed');
});
