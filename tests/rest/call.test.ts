// GET/HEAD/POST on /rpc/<fn> through parse → planCall → callStatement → execute → callResponse against a real Postgres: every answer asserted whole, as PostgREST 12 answers the same call.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type pg from 'pg';
import type { Executor } from '../../supabase/rest/execute.ts';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import { planCall } from '../../supabase/rest/plan/call.ts';
import { callEnd, callResponse } from '../../supabase/rest/respond/call.ts';
import type { SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { callStatement } from '../../supabase/rest/sql/call.ts';
import { engineAnswer, errorAnswer, useRestFixture, type EngineAnswer } from '../helpers/rest-engine.ts';

const FIXTURE = `
create table public.clients (id int primary key, name text not null);
create table public.projects (id int primary key, name text not null, client_id int references public.clients (id));
create table public.log (id serial primary key, note text not null);

create function public.add_them(a int, b int) returns int language sql immutable as $$ select a + b $$;
create function public.hello() returns text language sql stable as $$ select 'hello' $$;
create function public.greet(name text) returns text language sql stable as $$ select 'Hi ' || name $$;
create function public.greet(first text, last text) returns text language sql stable as $$ select 'Hi ' || first || ' ' || last $$;
create function public.with_default(a int, b int default 10) returns int language sql immutable as $$ select a + b $$;
create function public.projects_of(cid int) returns setof public.projects language sql stable as $$
  select * from public.projects where client_id = cid order by id $$;
create function public.first_project() returns public.projects language sql stable as $$ select * from public.projects order by id limit 1 $$;
create function public.project_stats() returns table (client_id int, total bigint) language sql stable as $$
  select client_id, count(*) from public.projects group by client_id order by client_id $$;
create function public.halves(n int, out half int, out rest int) language sql immutable as $$ select n / 2, n % 2 $$;
create function public.numbers(n int) returns setof int language sql immutable as $$ select generate_series(1, n) $$;
create function public.noop() returns void language sql volatile as $$ select $$;
create function public.add_log(note text) returns void language sql volatile as $$ insert into public.log (note) values (note) $$;
create function public.add_log_stable(note text) returns int language sql stable as $$ select 1 from (select public.add_log(note)) s $$;
create function public.json_keys(json) returns text language sql immutable as $$ select string_agg(k, ',' order by k) from json_object_keys($1) k $$;
create function public.shout(text) returns text language sql immutable as $$ select upper($1) $$;
create function public.byte_count(bytea) returns int language sql immutable as $$ select length($1) $$;
create function public.whole(payload json) returns json language sql immutable as $$ select payload $$;
create function public.join_all(variadic parts text[]) returns text language sql immutable as $$ select array_to_string(parts, '-') $$;
create function public.make_client(id int, name text) returns public.clients language sql volatile as $$
  insert into public.clients values (id, name) returning * $$;
create function public.created() returns json language plpgsql volatile as $$
begin
  perform set_config('response.status', '201', true);
  perform set_config('response.headers', '[{"Location": "/clients?id=eq.9"}, {"X-Extra": "yes"}]', true);
  return '{"ok": true}';
end $$;
create function public.fail() returns int language plpgsql as $$ begin raise exception 'nope' using detail = 'it failed', hint = 'try again'; end $$;
create function public.teapot() returns int language plpgsql as $$
begin raise sqlstate 'PGRST' using message = '{"code": "T418", "message": "short and stout"}', detail = '{"status": 418, "headers": {"X-Pot": "tea"}}'; end $$;
`;

const SEED = `
truncate public.log, public.projects, public.clients restart identity cascade;
insert into public.clients values (1, 'Acme'), (2, 'Globex');
insert into public.projects values (1, 'Website', 1), (2, 'App', 1), (3, 'Warehouse', 2);
`;

let admin: pg.Client;
let cache: SchemaCache;
let executor: Executor;

useRestFixture(FIXTURE, SEED, (fixture) => {
  ({ admin, cache, executor } = fixture);
});

interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  allowTxOverride?: boolean;
}

/** Parses, plans, builds, runs (as service_role) and answers a call as the REST engine would. */
async function call(method: string, url: string, opts: SendOptions = {}): Promise<EngineAnswer> {
  const headers = new Headers({ 'content-type': 'application/json', ...opts.headers });
  const parsed = parseRequest({ method, url, headers, body: opts.body ?? null }, { schemas: ['public'], allowTxOverride: opts.allowTxOverride ?? false });
  if (!parsed.ok) return errorAnswer(parsed.error);
  const request = parsed.request;
  const planned = planCall(request, cache);
  if (!planned.ok) return errorAnswer(planned.error);
  const result = await executor.run({
    role: 'service_role',
    settings: [['search_path', 'public, extensions']],
    readOnly: planned.plan.readOnly,
    statement: callStatement(planned.plan),
    end: callEnd(request, planned.plan),
  });
  return engineAnswer(result, (row) => callResponse(request, planned.plan, row));
}

const JSON_TYPE = 'application/json; charset=utf-8';
const rows = async (sql: string): Promise<unknown[]> => (await admin.query(sql)).rows;

describe('arguments', () => {
  test('POST with named JSON arguments: a scalar body', async () => {
    assert.deepEqual(await call('POST', '/rpc/add_them', { body: '{"a": 1, "b": 2}' }), {
      status: 200,
      headers: { 'content-range': '0-0/*', 'content-type': JSON_TYPE },
      body: 3,
    });
  });

  test('GET with query-string arguments, cast to the parameter types', async () => {
    assert.deepEqual((await call('GET', '/rpc/add_them?a=40&b=2')).body, 42);
  });

  test('no arguments', async () => {
    assert.deepEqual((await call('GET', '/rpc/hello')).body, 'hello');
    assert.deepEqual((await call('POST', '/rpc/hello')).body, 'hello');
  });

  test('overloads are chosen by argument names', async () => {
    assert.deepEqual((await call('GET', '/rpc/greet?name=Ann')).body, 'Hi Ann');
    assert.deepEqual((await call('POST', '/rpc/greet', { body: '{"first": "Ann", "last": "Lee"}' })).body, 'Hi Ann Lee');
  });

  test('an optional parameter left out takes its default', async () => {
    assert.deepEqual((await call('GET', '/rpc/with_default?a=1')).body, 11);
    assert.deepEqual((await call('GET', '/rpc/with_default?a=1&b=2')).body, 3);
  });

  test('unknown arguments are PGRST202 with the closest signature as hint', async () => {
    assert.deepEqual(await call('POST', '/rpc/add_them', { body: '{"a": 1, "c": 2}' }), {
      status: 404,
      headers: {},
      body: {
        code: 'PGRST202',
        message: 'Could not find the function public.add_them(a, c) in the schema cache',
        details: 'Searched for the function public.add_them with parameters a, c or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
        hint: 'Perhaps you meant to call the function public.add_them(a, b)',
      },
    });
  });

  test('a single unnamed json parameter takes the whole body', async () => {
    assert.deepEqual((await call('POST', '/rpc/json_keys', { body: '{"z": 1, "a": [2]}' })).body, 'a,z');
  });

  test('a single unnamed text parameter takes a text/plain body; bytea takes octet-stream', async () => {
    assert.deepEqual((await call('POST', '/rpc/shout', { headers: { 'content-type': 'text/plain' }, body: 'quiet please' })).body, 'QUIET PLEASE');
    const bytes = new Uint8Array([0, 1, 2, 255, 92]);
    assert.deepEqual((await call('POST', '/rpc/byte_count', { headers: { 'content-type': 'application/octet-stream' }, body: bytes })).body, 5);
  });

  test('Prefer: params=single-object passes the body as the one json parameter', async () => {
    assert.deepEqual(await call('POST', '/rpc/whole', { headers: { prefer: 'params=single-object' }, body: '{"payload": 1, "other": [true]}' }), {
      status: 200,
      headers: { 'content-range': '0-0/*', 'preference-applied': 'params=single-object', 'content-type': JSON_TYPE },
      body: { payload: 1, other: [true] },
    });
  });

  test('variadic: repeated query parameters on GET, a JSON array on POST', async () => {
    assert.deepEqual((await call('GET', '/rpc/join_all?parts=a&parts=b&parts=c')).body, 'a-b-c');
    assert.deepEqual((await call('GET', '/rpc/join_all?parts=solo')).body, 'solo');
    assert.deepEqual((await call('POST', '/rpc/join_all', { body: '{"parts": ["x", "y"]}' })).body, 'x-y');
  });

  test('url-encoded form arguments', async () => {
    assert.deepEqual((await call('POST', '/rpc/add_them', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=5&b=6' })).body, 11);
  });
});

describe('results', () => {
  test('setof a table: filterable, orderable, pageable and embeddable like the table', async () => {
    assert.deepEqual((await call('GET', '/rpc/projects_of?cid=1')).body, [
      { id: 1, name: 'Website', client_id: 1 },
      { id: 2, name: 'App', client_id: 1 },
    ]);
    const answer = await call('GET', '/rpc/projects_of?cid=1&select=name,clients(name)&order=id.desc&limit=1', { headers: { prefer: 'count=exact' } });
    assert.deepEqual(answer, {
      status: 206,
      headers: { 'content-range': '0-0/2', 'preference-applied': 'count=exact', 'content-type': JSON_TYPE },
      body: [{ name: 'App', clients: { name: 'Acme' } }],
    });
    assert.deepEqual((await call('POST', '/rpc/projects_of?id=gt.1&select=id', { body: '{"cid": 1}' })).body, [{ id: 2 }]);
  });

  test('an !inner embed with a filter on it drops rows of the result', async () => {
    assert.deepEqual((await call('GET', '/rpc/projects_of?cid=1&select=name,clients!inner(name)&clients.name=eq.Globex')).body, []);
  });

  test('a single composite is an object; setof composite with no rows is []', async () => {
    assert.deepEqual((await call('GET', '/rpc/first_project')).body, { id: 1, name: 'Website', client_id: 1 });
    assert.deepEqual((await call('GET', '/rpc/projects_of?cid=99')).body, []);
  });

  test('returns table(...) and OUT parameters: columns are filterable and selectable', async () => {
    assert.deepEqual((await call('GET', '/rpc/project_stats')).body, [
      { client_id: 1, total: 2 },
      { client_id: 2, total: 1 },
    ]);
    assert.deepEqual((await call('GET', '/rpc/project_stats?total=gt.1&select=client_id')).body, [{ client_id: 1 }]);
    assert.deepEqual((await call('GET', '/rpc/halves?n=7')).body, { half: 3, rest: 1 });
  });

  test('setof scalar: an array of values, filtered and ordered by the function name', async () => {
    assert.deepEqual((await call('GET', '/rpc/numbers?n=4')).body, [1, 2, 3, 4]);
    assert.deepEqual((await call('GET', '/rpc/numbers?n=5&numbers=gt.2&order=numbers.desc&limit=2')).body, [5, 4]);
  });

  test('void answers 204 without body, even with return=representation', async () => {
    assert.deepEqual(await call('POST', '/rpc/noop', { headers: { prefer: 'return=representation' } }), {
      status: 204,
      headers: { 'content-range': '0-0/*' },
      body: null,
    });
  });

  test('vnd.pgrst.object: a scalar as is, a set of one row as an object, several rows PGRST116', async () => {
    const object = { accept: 'application/vnd.pgrst.object+json' };
    assert.deepEqual((await call('GET', '/rpc/add_them?a=1&b=1', { headers: object })).body, 2);
    assert.deepEqual((await call('GET', '/rpc/projects_of?cid=2', { headers: object })).body, { id: 3, name: 'Warehouse', client_id: 2 });
    assert.deepEqual(await call('GET', '/rpc/projects_of?cid=1', { headers: object }), {
      status: 406,
      headers: {},
      body: { code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 2 rows', hint: null },
    });
  });

  test('HEAD answers the headers without a body', async () => {
    assert.deepEqual(await call('HEAD', '/rpc/projects_of?cid=1', { headers: { prefer: 'count=exact' } }), {
      status: 200,
      headers: { 'content-range': '0-1/2', 'preference-applied': 'count=exact', 'content-type': JSON_TYPE },
      body: null,
    });
  });

  test('an offset past the end with count=exact is 416', async () => {
    assert.deepEqual((await call('GET', '/rpc/projects_of?cid=1&offset=5', { headers: { prefer: 'count=exact' } })).body, {
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'An offset of 5 was requested, but there are only 2 rows.',
      hint: null,
    });
  });

  test('Accept: text/csv', async () => {
    assert.deepEqual(await call('GET', '/rpc/projects_of?cid=1&select=id,name', { headers: { accept: 'text/csv' } }), {
      status: 200,
      headers: { 'content-range': '0-1/*', 'content-type': 'text/csv; charset=utf-8' },
      body: 'id,name\n1,Website\n2,App',
    });
  });
});

describe('transactions, errors and response GUCs', () => {
  test('a volatile function writes on POST and its composite result is an object', async () => {
    assert.deepEqual((await call('POST', '/rpc/make_client', { body: '{"id": 3, "name": "Initech"}' })).body, { id: 3, name: 'Initech' });
    assert.deepEqual(await rows('select name from clients where id = 3'), [{ name: 'Initech' }]);
  });

  test('GET runs read-only: a function that writes fails with 25006 (405) and writes nothing', async () => {
    assert.deepEqual(await call('GET', '/rpc/add_log?note=x'), {
      status: 405,
      headers: {},
      body: { code: '25006', message: 'cannot execute INSERT in a read-only transaction', details: null, hint: null },
    });
    assert.deepEqual(await rows('select * from log'), []);
  });

  test('GET of a volatile function that does not write succeeds', async () => {
    assert.deepEqual(await call('GET', '/rpc/noop'), { status: 204, headers: { 'content-range': '0-0/*' }, body: null });
  });

  test('POST to a stable function runs read-only too; a volatile one writes', async () => {
    assert.equal((await call('POST', '/rpc/add_log_stable', { body: '{"note": "x"}' })).status, 405);
    assert.equal((await call('POST', '/rpc/add_log', { body: '{"note": "y"}' })).status, 204);
    assert.deepEqual(await rows('select note from log'), [{ note: 'y' }]);
  });

  test('Prefer: tx=rollback answers but keeps nothing', async () => {
    const answer = await call('POST', '/rpc/add_log', { headers: { prefer: 'tx=rollback' }, body: '{"note": "z"}', allowTxOverride: true });
    assert.deepEqual(answer, { status: 204, headers: { 'content-range': '0-0/*', 'preference-applied': 'tx=rollback' }, body: null });
    assert.deepEqual(await rows('select * from log'), []);
  });

  test('response.status and response.headers set by the function override the answer', async () => {
    assert.deepEqual(await call('POST', '/rpc/created'), {
      status: 201,
      headers: { 'content-range': '0-0/*', 'content-type': JSON_TYPE, location: '/clients?id=eq.9', 'x-extra': 'yes' },
      body: { ok: true },
    });
  });

  test('RAISE is P0001 (400) with message, detail and hint; RAISE SQLSTATE PGRST sets status and headers', async () => {
    assert.deepEqual(await call('GET', '/rpc/fail'), { status: 400, headers: {}, body: { code: 'P0001', message: 'nope', details: 'it failed', hint: 'try again' } });
    assert.deepEqual(await call('GET', '/rpc/teapot'), { status: 418, headers: { 'X-Pot': 'tea' }, body: { code: 'T418', message: 'short and stout', details: null, hint: null } });
  });

  test('an argument of the wrong type is PostgreSQL’s 22P02', async () => {
    assert.deepEqual((await call('GET', '/rpc/add_them?a=x&b=1')).body, { code: '22P02', message: 'invalid input syntax for type integer: "x"', details: null, hint: null });
  });
});
