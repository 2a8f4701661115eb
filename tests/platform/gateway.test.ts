import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { freePorts, makeWorkdir, startConvo, type RunningConvo, type Workdir } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';

let wd: Workdir;
let convo: RunningConvo;
let api: string;

before(async () => {
  wd = await makeWorkdir();
  await fs.mkdir(path.join(wd.dir, 'supabase'), { recursive: true });
  await fs.writeFile(path.join(wd.dir, 'supabase', 'config.toml'), '[functions.whatsapp-webhook]\nverify_jwt = false\n');
  convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'info' });
  api = convo.status.api_url;
});

after(async () => {
  await convo?.stop();
  await wd?.remove();
});

const sign = (claims: Record<string, unknown>, secret: string, exp = '1h') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(secret));

function assertRequestId(res: Response): void {
  assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
}

test('GET /health answers without a key and reports the database and worker', async () => {
  const res = await fetch(`${api}/health`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assertRequestId(res);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.status, 'ok');
  assert.equal(body.db, 'ok');
  assert.equal(body.worker, 'running');
  assert.equal(body.rest, 'ok');
  assert.match(String(body.schema_cache_loaded_at), /^\d{4}-\d\d-\d\dT/);
});

test('requests without a project key get 401 JSON with no internal detail', async () => {
  for (const prefix of ['/rest/v1/items', '/auth/v1/user', '/functions/v1/hello']) {
    const res = await fetch(`${api}${prefix}`);
    assert.equal(res.status, 401, prefix);
    assertRequestId(res);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
  }
});

test('a forged, expired, malformed or role-less key is refused the same way', async () => {
  const forged = await sign({ role: 'service_role' }, 'not-the-project-secret-not-the-project-secret');
  const expired = await sign({ role: 'anon' }, convo.status.jwt_secret, '-1m');
  const roleless = await sign({ sub: 'x' }, convo.status.jwt_secret);
  for (const key of [forged, expired, 'garbage', 'a.b.c', roleless]) {
    const res = await fetch(`${api}/rest/v1/items`, { headers: { apikey: key } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { message: 'Invalid API key', hint: 'Double check your project API key.' });
  }
});

test('a valid key in apikey, Authorization: Bearer or ?apikey= passes to the service behind the prefix', async () => {
  const attempts: Array<[string, RequestInit]> = [
    [`${api}/rest/v1/items`, { headers: { apikey: convo.status.anon_key } }],
    [`${api}/rest/v1/items`, { headers: { authorization: `Bearer ${convo.status.service_role_key}` } }],
    [`${api}/rest/v1/items?apikey=${convo.status.anon_key}`, {}],
  ];
  for (const [url, init] of attempts) {
    const res = await fetch(url, init);
    assert.equal(res.status, 404, 'the REST service answered: there is no table items');
    assertRequestId(res);
    assert.equal(((await res.json()) as { code: string }).code, 'PGRST205');
  }
  const auth = await fetch(`${api}/auth/v1/settings`, { headers: { apikey: convo.status.anon_key } });
  assert.equal(auth.status, 200, 'the Auth service answered');
  assert.equal(((await auth.json()) as { disable_signup: boolean }).disable_signup, false);
});

test('functions with verify_jwt = false in config.toml need no key; others do', async () => {
  const open = await fetch(`${api}/functions/v1/whatsapp-webhook`, { method: 'POST', body: '{}' });
  assert.equal(open.status, 404, 'reached the functions host, which has no such function in this project');
  assert.equal(((await open.json()) as { code: string }).code, 'NOT_FOUND');
  const closed = await fetch(`${api}/functions/v1/send-message`, { method: 'POST', body: '{}' });
  assert.equal(closed.status, 401);
});

test('CORS preflight allows every header supabase-js sends', async () => {
  const res = await fetch(`${api}/rest/v1/items`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization, x-client-info, apikey, content-type, prefer, range, accept-profile, content-profile',
    },
  });
  assert.equal(res.status, 204);
  assertRequestId(res);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
  for (const h of ['authorization', 'x-client-info', 'apikey', 'content-type', 'prefer', 'range', 'accept-profile', 'content-profile']) {
    assert.ok(allowed.includes(h), `allows ${h}`);
  }
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  assert.equal(await res.text(), '');
});

test('an incoming x-request-id is kept; unknown routes are 404 JSON', async () => {
  const res = await fetch(`${api}/nowhere`, { headers: { 'x-request-id': 'trace-1234567890' } });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-request-id'), 'trace-1234567890');
  assert.deepEqual(await res.json(), { message: 'no Route matched with those values' });
});

test('supabase-js reaches the REST service through the gateway with its own headers', async () => {
  const supabase = supabaseClient(api, convo.status.anon_key);
  const { data, error, status } = await supabase.from('items').select('*');
  assert.equal(data, null);
  assert.equal(status, 404);
  assert.equal(error?.code, 'PGRST205');
  assert.equal(error?.message, "Could not find the table 'public.items' in the schema cache");
});

test('gateway logs are JSON lines with the request id, method, path (no query) and status', async () => {
  const res = await fetch(`${api}/rest/v1/secret?apikey=leak`, { headers: { 'x-request-id': 'log-check-12345' } });
  assert.equal(res.status, 401);
  await new Promise((r) => setTimeout(r, 100));
  const entries = convo.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const line = entries.find((e) => e.reqId === 'log-check-12345');
  assert.ok(line, 'the request was logged');
  assert.equal(line.msg, 'request');
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/rest/v1/secret');
  assert.equal(line.status, 401);
  assert.equal(typeof line.ms, 'number');
  assert.doesNotMatch(convo.output(), /apikey=leak/);
});

test('a link opened from a mail reaches /auth/v1/verify without a project key; other auth paths need one', async () => {
  const verify = await fetch(`${api}/auth/v1/verify?token=nope&type=magiclink`, { redirect: 'manual' });
  assert.equal(verify.status, 303);
  assert.match(verify.headers.get('location') ?? '', /#error=access_denied&error_code=otp_expired/);
  const user = await fetch(`${api}/auth/v1/user`);
  assert.equal(user.status, 401);
});

test('an offer to upgrade to another protocol (curl --http2 on http://) is ignored: the request is answered over HTTP/1.1', async () => {
  const { port } = new URL(api);
  const net = await import('node:net');
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
  });
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /\r\nconnection: close\r\n/i);
  assert.match(answer.slice(answer.indexOf('\r\n\r\n') + 4), /"status":"ok"/);
});
