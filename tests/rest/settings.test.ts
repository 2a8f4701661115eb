import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { SchemaCacheHolder } from '../../supabase/rest/schema-cache/listen.ts';
import type { Service } from '../../supabase/gateway/types.ts';
import { callService, startRestService, type RestServiceFixture } from '../helpers/rest-service.ts';

let rest: RestServiceFixture;
let admin: pg.Client;
let cache: SchemaCacheHolder;
let service: Service;

before(async () => {
  rest = await startRestService(`
    create view public.tx as
      select current_setting('transaction_isolation') as isolation,
             current_setting('statement_timeout') as timeout,
             current_setting('app.tenant', true) as tenant;
    create view public.slow as select true as slept from pg_sleep(0.4);
    grant select on public.tx, public.slow to anon;
    create function public.sleepy() returns text language sql set statement_timeout = '100ms' as $$ select pg_sleep(0.4)::text $$;
    create function public.not_sleepy() returns text language sql as $$ select pg_sleep(0.4)::text $$;
    create function public.isolated() returns text language sql set default_transaction_isolation = 'serializable'
      as $$ select current_setting('transaction_isolation') $$;
    grant execute on function public.sleepy(), public.not_sleepy(), public.isolated() to anon;
  `);
  ({ cache, service } = rest);
  admin = new pg.Client({ connectionString: rest.server.url });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await rest?.close();
});

/** Role settings are read with the schema cache: PostgREST's `NOTIFY pgrst, 'reload config'` makes them current. */
async function alterAnon(sql: string): Promise<void> {
  const before = cache.current().loadedAt;
  await admin.query(`alter role anon ${sql}`);
  await admin.query(`notify pgrst, 'reload config'`);
  for (let i = 0; i < 200 && cache.current().loadedAt === before; i++) await new Promise((r) => setTimeout(r, 25));
  assert.notEqual(cache.current().loadedAt, before, 'the cache reloaded');
}

test("a role's ALTER ROLE … SET settings apply to its requests, as PostgREST's impersonated role settings", async () => {
  let res = await callService(service, 'GET', '/tx');
  assert.equal(res.status, 200);
  // The platform gives anon Supabase's 3 s (the authenticator's own session has 8 s).
  assert.deepEqual(JSON.parse(res.body), [{ isolation: 'read committed', timeout: '3s', tenant: null }]);

  await alterAnon(`set statement_timeout = '150ms'`);
  await alterAnon(`set app.tenant = 'acme'`);
  await alterAnon(`set default_transaction_isolation = 'repeatable read'`);
  res = await callService(service, 'GET', '/tx');
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), [{ isolation: 'repeatable read', timeout: '150ms', tenant: 'acme' }]);

  res = await callService(service, 'GET', '/slow');
  assert.equal(res.status, 500);
  assert.equal(JSON.parse(res.body).code, '57014');
  assert.match(JSON.parse(res.body).message, /statement timeout/);

  await alterAnon(`reset all`);
  res = await callService(service, 'GET', '/slow');
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), [{ slept: true }]);
});

test("a function's own statement_timeout and isolation level are hoisted to the transaction, as in PostgREST 12.2", async () => {
  // Inside a function, SET statement_timeout alone cannot stop the statement that called it: hoisting does.
  let res = await callService(service, 'POST', '/rpc/sleepy', { 'content-type': 'application/json' }, '{}');
  assert.equal(res.status, 500);
  assert.equal(JSON.parse(res.body).code, '57014');

  res = await callService(service, 'POST', '/rpc/not_sleepy', { 'content-type': 'application/json' }, '{}');
  assert.equal(res.status, 200);

  res = await callService(service, 'GET', '/rpc/isolated');
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body), 'serializable');
});
