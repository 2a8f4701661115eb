import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createRateLimiter, RateLimitError } from '../../supabase/auth/rate-limit.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';

let stack: AuthStack;

before(async () => {
  stack = await startAuthStack({ rateLimits: { signInSignUpsPerIp: 4, tokenRefreshPerIp: 3, signInsPerEmail: 3, windowSeconds: 60 } });
  const admin = supabaseClient(stack.url, stack.keys.service_role).auth.admin;
  await admin.createUser({ email: 'victim@example.com', password: 'correct-horse', email_confirm: true });
});

after(async () => {
  await stack?.stop();
});

/**
 * A POST from a distinct client address: the request leaves from a loopback address of its own
 * (`a.b.c.d` → `127.b.c.d`), which the gateway appends to X-Forwarded-For, as a proxy does.
 * A forged X-Forwarded-For sent by the client must not change who it is counted as.
 */
function post(path: string, body: unknown, ip: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; json(): Promise<unknown> }> {
  const url = new URL(`${stack.url}/auth/v1${path}`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        localAddress: `127.${ip.split('.').slice(1).join('.')}`,
        headers: { apikey: stack.keys.anon, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: async () => JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('password guesses against one email are cut off at the per-email limit, from any address', async () => {
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await post('/token?grant_type=password', { email: 'victim@example.com', password: `guess-${i}` }, `198.51.100.${i + 1}`)).status);
  assert.deepEqual(statuses, [400, 400, 400, 429]);
  const res = await post('/token?grant_type=password', { email: 'VICTIM@example.com', password: 'correct-horse' }, '198.51.100.50');
  assert.equal(res.status, 429);
  const retryAfter = Number(res.headers['retry-after']);
  assert.ok(retryAfter > 0 && retryAfter <= 60, String(retryAfter));
  assert.deepEqual(await res.json(), { code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' });
});

test('sign-ups and sign-ins from one address share the per-IP limit; another address is not affected', async () => {
  const ip = '192.0.2.10';
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await post('/signup', { email: `ip${i}@example.com`, password: 'correct-horse' }, ip)).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
  assert.equal((await post('/token?grant_type=password', { email: 'ip0@example.com', password: 'correct-horse' }, ip)).status, 429);
  assert.equal((await post('/token?grant_type=password', { email: 'ip0@example.com', password: 'correct-horse' }, '192.0.2.11')).status, 200);
});

test('refresh-token grants are limited per address', async () => {
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await post('/token?grant_type=refresh_token', { refresh_token: 'nope' }, '192.0.2.20')).status);
  assert.deepEqual(statuses, [400, 400, 400, 429]);
});

test('the limiter window resets', () => {
  let t = 0;
  const limiter = createRateLimiter(10, () => t);
  limiter.hit('b', 'k', 2);
  limiter.hit('b', 'k', 2);
  assert.throws(() => limiter.hit('b', 'k', 2), (err: unknown) => err instanceof RateLimitError && err.retryAfter === 10);
  limiter.hit('b', null, 2);
  limiter.hit('other', 'k', 2);
  t = 10_000;
  limiter.hit('b', 'k', 2);
});
