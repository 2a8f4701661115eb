// GET on tables and views through parse → plan → sql against a real Postgres: every body asserted whole, as PostgREST 12 answers the same query.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import type { Executor } from '../../supabase/rest/execute.ts';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import { planRead } from '../../supabase/rest/plan/read.ts';
import type { ReadPlanOptions } from '../../supabase/rest/plan/types.ts';
import type { SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { kw, render, sql } from '../../supabase/rest/sql/fragments.ts';
import { readQuery } from '../../supabase/rest/sql/query.ts';
import { bodyExpression, plannedCountStatement, planRows, readStatement } from '../../supabase/rest/sql/read.ts';
import type { CountPreference } from '../../supabase/rest/sql/read.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { startRestFixture, type RestFixture } from '../helpers/rest-engine.ts';

const FIXTURE = `
create type public.status as enum ('todo', 'doing', 'done');
create table public.clients (id int primary key, name text not null, data jsonb, tags text[]);
create table public.projects (
  id int primary key, name text not null, client_id int references public.clients (id),
  budget numeric(10,2), period int4range, search tsvector
);
create table public.tasks (
  id int primary key, name text not null, project_id int not null references public.projects (id),
  status public.status not null default 'todo', estimate int
);
create table public.users (id int primary key, name text not null);
create table public.teams (id int primary key, name text not null);
create table public.users_teams (
  user_id int references public.users (id), team_id int references public.teams (id), primary key (user_id, team_id)
);
create table public.employees (id int primary key, name text not null, manager_id int references public.employees (id));
create table public.addresses (id int primary key, city text not null);
create table public.orders (
  id int primary key, amount numeric not null, ordered_on date not null,
  client_id int references public.clients (id),
  billing_address_id int constraint orders_billing_fkey references public.addresses (id),
  shipping_address_id int constraint orders_shipping_fkey references public.addresses (id)
);
create view public.project_summaries as select id, name, client_id from public.projects;

insert into public.clients values
  (1, 'Acme', '{"tier": "gold", "contact": {"email": "a@acme.test"}, "score": 7}', '{red,blue}'),
  (2, 'Globex', '{"tier": "silver", "score": 3}', '{blue}'),
  (3, 'Initech', null, '{}');
insert into public.projects values
  (1, 'Website', 1, 1000.50, '[1,10)', to_tsvector('english', 'fast website redesign')),
  (2, 'Mobile app', 1, 2500, '[5,20)', to_tsvector('english', 'mobile application')),
  (3, 'Data warehouse', 2, null, '[30,40)', to_tsvector('english', 'warehouse of data')),
  (4, 'Orphan', null, 10, null, null);
insert into public.tasks values
  (1, 'Design', 1, 'done', 3), (2, 'Build', 1, 'doing', 8), (3, 'Ship', 2, 'todo', null), (4, 'Model', 3, 'todo', 5);
insert into public.users values (1, 'Ann'), (2, 'Bob'), (3, 'Cid');
insert into public.teams values (1, 'Red'), (2, 'Blue');
insert into public.users_teams values (1, 1), (1, 2), (2, 2);
insert into public.employees values (1, 'Boss', null), (2, 'Mid', 1), (3, 'Dev', 2), (4, 'Dev2', 2);
insert into public.addresses values (1, 'Paris'), (2, 'Oslo');
insert into public.orders values
  (1, 10, '2024-01-01', 1, 1, 2), (2, 20, '2024-01-01', 1, 1, 1), (3, 5, '2024-01-02', 2, 2, 2), (4, 7.5, '2024-01-02', null, null, null);

create policy "Anyone reads clients but Initech" on public.clients for select to anon using (id <> 3);
create policy "Anyone reads projects" on public.projects for select to anon using (true);
`;

let server: TestPostgres;
let admin: pg.Client;
let cache: SchemaCache;
let executor: Executor;

let fixture: RestFixture;

before(async () => {
  fixture = await startRestFixture(FIXTURE);
  ({ server, admin, cache, executor } = fixture);
});

after(() => fixture?.close());

interface Answer {
  total: number | null;
  pageTotal: number;
  body: string;
}

interface GetOptions {
  headers?: Record<string, string>;
  plan?: ReadPlanOptions;
  method?: 'GET' | 'HEAD';
}

/** The statement for a URL, as the REST engine would build it. */
function statementFor(url: string, opts: GetOptions = {}) {
  const parsed = parseRequest({ method: opts.method ?? 'GET', url, headers: new Headers(opts.headers ?? {}) }, { schemas: ['public'] });
  assert.ok(parsed.ok, `parse ${url}: ${JSON.stringify(parsed.ok ? null : parsed.error)}`);
  const planned = planRead(parsed.request, cache, { aggregatesEnabled: true, ...opts.plan });
  assert.ok(planned.ok, `plan ${url}: ${JSON.stringify(planned.ok ? null : planned.error)}`);
  const count: CountPreference = parsed.request.preferences.count;
  const headersOnly = parsed.request.action.type === 'read' && parsed.request.action.headersOnly;
  return { plan: planned.plan, statement: readStatement(planned.plan, { count, media: parsed.request.media, headersOnly }) };
}

/** Runs the read as service_role (RLS bypassed), in a read-only transaction. */
async function get(url: string, opts: GetOptions = {}): Promise<Answer> {
  const { statement } = statementFor(url, opts);
  await admin.query('begin read only');
  try {
    await admin.query('set local role service_role');
    const r = await admin.query<Record<string, string | null>>({ text: statement.text, values: [...statement.values] });
    assert.equal(r.rows.length, 1);
    const row = r.rows[0] ?? {};
    assert.deepEqual(Object.keys(row), ['total_result_set', 'page_total', 'body', 'response_headers', 'response_status']);
    return { total: row.total_result_set === null ? null : Number(row.total_result_set), pageTotal: Number(row.page_total), body: row.body ?? '' };
  } finally {
    await admin.query('rollback');
  }
}

const json = async (url: string, opts: GetOptions = {}): Promise<unknown> => JSON.parse((await get(url, opts)).body) as unknown;

describe('tables and views', () => {
  test('select=* returns every column of every row, in table order, with PostgreSQL types as JSON', async () => {
    assert.deepEqual(await json('/projects?order=id&id=lt.3'), [
      { id: 1, name: 'Website', client_id: 1, budget: 1000.5, period: '[1,10)', search: "'fast':1 'redesign':3 'websit':2" },
      { id: 2, name: 'Mobile app', client_id: 1, budget: 2500, period: '[5,20)', search: "'applic':2 'mobil':1" },
    ]);
  });

  test('columns, aliases and casts', async () => {
    assert.deepEqual(await json('/projects?select=key:id::text,name,budget::int&id=in.(1,3)&order=id'), [
      { key: '1', name: 'Website', budget: 1001 },
      { key: '3', name: 'Data warehouse', budget: null },
    ]);
  });

  test('multi-word built-in casts are accepted', async () => {
    assert.deepEqual(await json('/projects?select=id::double precision&id=eq.1'), [{ id: 1 }]);
  });

  test('JSON paths: -> keeps JSON, ->> gives text, the last key names the column', async () => {
    assert.deepEqual(await json('/clients?select=id,data->tier,email:data->contact->>email,data->>score&order=id'), [
      { id: 1, tier: 'gold', email: 'a@acme.test', score: '7' },
      { id: 2, tier: 'silver', email: null, score: '3' },
      { id: 3, tier: null, email: null, score: null },
    ]);
  });

  test('JSON paths on arrays: an index keeps the column name, filters and orders follow paths', async () => {
    assert.deepEqual(await json('/clients?select=id,tags->0,second:tags->>1&data->>tier=eq.gold'), [{ id: 1, tags: 'red', second: 'blue' }]);
    assert.deepEqual(await json('/clients?select=id&data->score=gt.4'), [{ id: 1 }]);
    assert.deepEqual(await json('/clients?select=id&order=data->>score.desc.nullslast'), [{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test('a view reads like a table', async () => {
    assert.deepEqual(await json('/project_summaries?select=name&client_id=eq.1&order=name.desc'), [{ name: 'Website' }, { name: 'Mobile app' }]);
  });

  test('an empty result is []', async () => {
    assert.deepEqual(await get('/projects?id=eq.99'), { total: null, pageTotal: 0, body: '[]' });
  });
});

describe('filters', () => {
  const ids = async (query: string, table = 'projects'): Promise<unknown> =>
    ((await json(`/${table}?select=id&order=id&${query}`)) as { id: number }[]).map((r) => r.id);

  test('comparison operators', async () => {
    assert.deepEqual(await ids('id=eq.2'), [2]);
    assert.deepEqual(await ids('id=neq.2'), [1, 3, 4]);
    assert.deepEqual(await ids('id=gt.2'), [3, 4]);
    assert.deepEqual(await ids('id=gte.2&id=lte.3'), [2, 3]);
    assert.deepEqual(await ids('budget=lt.2000'), [1, 4]);
    assert.deepEqual(await ids('id=not.eq.2'), [1, 3, 4]);
  });

  test('like and ilike take * as %; match and imatch are regular expressions', async () => {
    assert.deepEqual(await ids('name=like.*a*'), [2, 3, 4]);
    assert.deepEqual(await ids('name=ilike.w*'), [1]);
    assert.deepEqual(await ids('name=match.^[MD]'), [2, 3]);
    assert.deepEqual(await ids('name=imatch.^w'), [1]);
  });

  test('quantifiers any and all', async () => {
    assert.deepEqual(await ids('name=like(any).{W*,O*}'), [1, 4]);
    assert.deepEqual(await ids('name=like(all).{*a*,*e*}'), [2, 3]);
    assert.deepEqual(await ids('id=eq(any).{1,3}'), [1, 3]);
    assert.deepEqual(await ids('id=gt(all).{1,2}'), [3, 4]);
  });

  test('in, not.in and the empty in.()', async () => {
    assert.deepEqual(await ids('id=in.(1,3)'), [1, 3]);
    assert.deepEqual(await ids('id=not.in.(1,3)'), [2, 4]);
    assert.deepEqual(await ids('id=in.()'), []);
    assert.deepEqual(await ids('name=in.("Acme, Inc",Globex,"Ini\\"tech")', 'clients'), [2]);
  });

  test('is, isdistinct', async () => {
    assert.deepEqual(await ids('budget=is.null'), [3]);
    assert.deepEqual(await ids('budget=not.is.null'), [1, 2, 4]);
    assert.deepEqual(await ids('client_id=isdistinct.1'), [3, 4]);
    assert.deepEqual(await ids('client_id=is.not_null'), [1, 2, 3]);
  });

  test('enums, numerics and dates compare with their own types', async () => {
    assert.deepEqual(await ids('status=eq.done', 'tasks'), [1]);
    assert.deepEqual(await ids('status=in.(todo,doing)', 'tasks'), [2, 3, 4]);
    assert.deepEqual(await ids('amount=gte.7.5', 'orders'), [1, 2, 4]);
    assert.deepEqual(await ids('ordered_on=gt.2024-01-01', 'orders'), [3, 4]);
  });

  test('arrays, jsonb and ranges: contains, contained, overlap and range operators', async () => {
    assert.deepEqual(await ids('tags=cs.{blue}', 'clients'), [1, 2]);
    assert.deepEqual(await ids('tags=cd.{blue,green}', 'clients'), [2, 3]);
    assert.deepEqual(await ids('tags=ov.{red,green}', 'clients'), [1]);
    assert.deepEqual(await ids('data=cs.{"tier":"gold"}', 'clients'), [1]);
    assert.deepEqual(await ids('period=ov.[8,9]'), [1, 2]);
    assert.deepEqual(await ids('period=sl.[20,30]'), [1, 2]);
    assert.deepEqual(await ids('period=sr.[1,5]'), [3]);
    assert.deepEqual(await ids('period=nxr.[1,15]'), [1]);
    assert.deepEqual(await ids('period=nxl.[5,6]'), [2, 3]);
    assert.deepEqual(await ids('period=adj.[10,11]'), [1]);
    assert.deepEqual(await ids('period=cs.[6,7]'), [1, 2]);
  });

  test('full-text search with and without a language', async () => {
    assert.deepEqual(await ids('search=fts.fast'), [1]);
    assert.deepEqual(await ids('search=fts(english).websites'), [1]);
    assert.deepEqual(await ids('search=plfts(english).mobile applications'), [2]);
    assert.deepEqual(await ids('search=phfts(english).warehouse data'), []);
    assert.deepEqual(await ids('search=phfts(english).fast website'), [1]);
    assert.deepEqual(await ids('search=wfts(english).mobile or warehouse'), [2, 3]);
    assert.deepEqual(await ids('search=not.wfts(english).-mobile'), [2]);
  });

  test('or, and, nested and negated logic trees', async () => {
    assert.deepEqual(await ids('or=(id.eq.1,name.eq.Orphan)'), [1, 4]);
    assert.deepEqual(await ids('and=(id.gt.1,or(budget.is.null,budget.gt.2000))'), [2, 3]);
    assert.deepEqual(await ids('not.or=(id.eq.1,id.eq.2)'), [3, 4]);
    assert.deepEqual(await ids('or=(name.like.*a*,id.eq.1)&id=lt.3'), [1, 2]);
  });
});

describe('order, limit and offset', () => {
  test('order by several columns with directions and nulls placement', async () => {
    assert.deepEqual(await json('/projects?select=id,budget&order=budget.desc.nullsfirst,id'), [
      { id: 3, budget: null }, { id: 2, budget: 2500 }, { id: 1, budget: 1000.5 }, { id: 4, budget: 10 },
    ]);
    assert.deepEqual(await json('/projects?select=id&order=client_id.nullsfirst,id.desc'), [{ id: 4 }, { id: 2 }, { id: 1 }, { id: 3 }]);
  });

  test('limit and offset page the rows; an exact count counts every matching row', async () => {
    assert.deepEqual(await get('/projects?select=id&order=id&limit=2&offset=1', { headers: { prefer: 'count=exact' } }), {
      total: 4, pageTotal: 2, body: '[{"id":2}, \n {"id":3}]',
    });
    assert.deepEqual(await get('/projects?select=id&order=id&offset=3'), { total: null, pageTotal: 1, body: '[{"id":4}]' });
    assert.deepEqual(await get('/projects?select=id&limit=0', { headers: { prefer: 'count=exact' } }), { total: 4, pageTotal: 0, body: '[]' });
  });

  test('the Range header pages like limit and offset', async () => {
    assert.deepEqual(await json('/projects?select=id&order=id', { headers: { range: '1-2' } }), [{ id: 2 }, { id: 3 }]);
  });
});

describe('resource embedding', () => {
  test('many-to-one is an object (null when there is none), one-to-many an array ([] when empty)', async () => {
    assert.deepEqual(await json('/projects?select=name,clients(name),tasks(name)&order=id'), [
      { name: 'Website', clients: { name: 'Acme' }, tasks: [{ name: 'Design' }, { name: 'Build' }] },
      { name: 'Mobile app', clients: { name: 'Acme' }, tasks: [{ name: 'Ship' }] },
      { name: 'Data warehouse', clients: { name: 'Globex' }, tasks: [{ name: 'Model' }] },
      { name: 'Orphan', clients: null, tasks: [] },
    ]);
  });

  test('nested embeds, aliases and * inside an embed', async () => {
    assert.deepEqual(await json('/clients?select=name,work:projects(name,tasks(*))&id=eq.2'), [
      { name: 'Globex', work: [{ name: 'Data warehouse', tasks: [{ id: 4, name: 'Model', project_id: 3, status: 'todo', estimate: 5 }] }] },
    ]);
  });

  test('many-to-many through a junction', async () => {
    assert.deepEqual(await json('/users?select=name,teams(name)&order=id&teams.order=id'), [
      { name: 'Ann', teams: [{ name: 'Red' }, { name: 'Blue' }] },
      { name: 'Bob', teams: [{ name: 'Blue' }] },
      { name: 'Cid', teams: [] },
    ]);
    assert.deepEqual(await json('/teams?select=name,users!users_teams(name)&id=eq.2&users.order=name'), [{ name: 'Blue', users: [{ name: 'Ann' }, { name: 'Bob' }] }]);
  });

  test('a self-reference: the foreign key column embeds the parent, the table name the children', async () => {
    assert.deepEqual(await json('/employees?select=name,manager:manager_id(name),reports:employees(name)&order=id&reports.order=id'), [
      { name: 'Boss', manager: null, reports: [{ name: 'Mid' }] },
      { name: 'Mid', manager: { name: 'Boss' }, reports: [{ name: 'Dev' }, { name: 'Dev2' }] },
      { name: 'Dev', manager: { name: 'Mid' }, reports: [] },
      { name: 'Dev2', manager: { name: 'Mid' }, reports: [] },
    ]);
  });

  test('two foreign keys to one table: hints by constraint and by column disambiguate', async () => {
    assert.deepEqual(await json('/orders?select=id,billing:addresses!orders_billing_fkey(city),shipping:addresses!shipping_address_id(city)&order=id'), [
      { id: 1, billing: { city: 'Paris' }, shipping: { city: 'Oslo' } },
      { id: 2, billing: { city: 'Paris' }, shipping: { city: 'Paris' } },
      { id: 3, billing: { city: 'Oslo' }, shipping: { city: 'Oslo' } },
      { id: 4, billing: null, shipping: null },
    ]);
  });

  test('embedding from a view and into a view', async () => {
    assert.deepEqual(await json('/project_summaries?select=name,clients(name)&id=eq.3'), [{ name: 'Data warehouse', clients: { name: 'Globex' } }]);
    assert.deepEqual(await json('/clients?select=name,project_summaries(name)&id=eq.2'), [{ name: 'Globex', project_summaries: [{ name: 'Data warehouse' }] }]);
  });

  test('filters, order and limit on an embed apply inside it', async () => {
    assert.deepEqual(await json('/projects?select=name,tasks(name)&id=lt.3&order=id&tasks.order=id.desc&tasks.limit=1'), [
      { name: 'Website', tasks: [{ name: 'Build' }] },
      { name: 'Mobile app', tasks: [{ name: 'Ship' }] },
    ]);
    assert.deepEqual(await json('/clients?select=name,projects(name)&projects.or=(name.like.W*,name.like.D*)&order=id'), [
      { name: 'Acme', projects: [{ name: 'Website' }] },
      { name: 'Globex', projects: [{ name: 'Data warehouse' }] },
      { name: 'Initech', projects: [] },
    ]);
    assert.deepEqual(await json('/clients?select=name,projects(name,tasks(name))&projects.tasks.status=eq.done&id=eq.1&projects.order=id'), [
      { name: 'Acme', projects: [{ name: 'Website', tasks: [{ name: 'Design' }] }, { name: 'Mobile app', tasks: [] }] },
    ]);
  });

  test('!inner keeps only parents with a match, and the exact count agrees', async () => {
    assert.deepEqual(await get('/clients?select=name,projects!inner(name)&projects.name=like.*app*', { headers: { prefer: 'count=exact' } }), {
      total: 1, pageTotal: 1, body: '[{"name":"Acme","projects":[{"name": "Mobile app"}]}]',
    });
    assert.deepEqual(await get('/projects?select=name,clients!inner(name)&clients.name=eq.Globex', { headers: { prefer: 'count=exact' } }), {
      total: 1, pageTotal: 1, body: '[{"name":"Data warehouse","clients":{"name": "Globex"}}]',
    });
  });

  test('!left is the default join', async () => {
    assert.deepEqual(await json('/projects?select=id,clients!left(name)&id=eq.4'), [{ id: 4, clients: null }]);
  });

  test('rel=is.null and rel=not.is.null filter on the presence of an embed', async () => {
    assert.deepEqual(await get('/clients?select=name,projects(name)&projects=is.null', { headers: { prefer: 'count=exact' } }), {
      total: 1, pageTotal: 1, body: '[{"name":"Initech","projects":[]}]',
    });
    assert.deepEqual(await get('/projects?select=name,clients()&clients.name=eq.Acme&clients=not.is.null', { headers: { prefer: 'count=exact' } }), {
      total: 2, pageTotal: 2, body: '[{"name":"Website"}, \n {"name":"Mobile app"}]',
    });
    assert.deepEqual(await json('/projects?select=id,clients(name)&or=(clients.is.null,id.eq.1)&order=id'), [
      { id: 1, clients: { name: 'Acme' } },
      { id: 4, clients: null },
    ]);
  });

  test('an empty embed filters without being output', async () => {
    assert.deepEqual(await json('/clients?select=name,projects!inner()&projects.name=eq.Website'), [{ name: 'Acme' }]);
  });

  test('related order on a to-one embed', async () => {
    assert.deepEqual(await json('/projects?select=name,clients(name)&order=clients(name).desc.nullslast,id'), [
      { name: 'Data warehouse', clients: { name: 'Globex' } },
      { name: 'Website', clients: { name: 'Acme' } },
      { name: 'Mobile app', clients: { name: 'Acme' } },
      { name: 'Orphan', clients: null },
    ]);
  });

  test('spread: a to-one embed\'s columns join the parent, nested spreads too', async () => {
    assert.deepEqual(await json('/projects?select=name,...clients(client:name,tags)&order=id&limit=2'), [
      { name: 'Website', client: 'Acme', tags: ['red', 'blue'] },
      { name: 'Mobile app', client: 'Acme', tags: ['red', 'blue'] },
    ]);
    assert.deepEqual(await json('/tasks?select=name,...projects(project:name,...clients(client:name))&id=in.(1,4)&order=id'), [
      { name: 'Design', project: 'Website', client: 'Acme' },
      { name: 'Model', project: 'Data warehouse', client: 'Globex' },
    ]);
    assert.deepEqual(await json('/tasks?select=name,...projects(clients(name))&id=eq.3'), [{ name: 'Ship', clients: { name: 'Acme' } }]);
  });
});

describe('aggregates', () => {
  test('count() and sum() over the whole table', async () => {
    assert.deepEqual(await json('/orders?select=count()'), [{ count: 4 }]);
    assert.deepEqual(await json('/orders?select=total:amount.sum(),amount.avg()::int,amount.max(),amount.min()'), [{ total: 42.5, avg: 11, max: 20, min: 5 }]);
  });

  test('the other selected columns are the GROUP BY', async () => {
    assert.deepEqual(await json('/orders?select=amount.sum(),ordered_on&order=ordered_on'), [
      { sum: 30, ordered_on: '2024-01-01' },
      { sum: 12.5, ordered_on: '2024-01-02' },
    ]);
    assert.deepEqual(await json('/orders?select=client_id,count()&client_id=not.is.null&order=client_id'), [
      { client_id: 1, count: 2 },
      { client_id: 2, count: 1 },
    ]);
  });

  test('an input cast and an output cast', async () => {
    assert.deepEqual(await json('/clients?select=data->>score::int.sum()::text'), [{ sum: '10' }]);
  });

  test('aggregates inside an embed group within each parent', async () => {
    assert.deepEqual(await json('/clients?select=name,orders(amount.sum(),ordered_on)&order=id'), [
      { name: 'Acme', orders: [{ sum: 30, ordered_on: '2024-01-01' }] },
      { name: 'Globex', orders: [{ sum: 5, ordered_on: '2024-01-02' }] },
      { name: 'Initech', orders: [] },
    ]);
  });

  test('an embedded to-one resource is a grouping column', async () => {
    const rows = (await json('/orders?select=amount.sum(),clients(name)')) as { sum: number }[];
    assert.deepEqual(rows.sort((a, b) => a.sum - b.sum), [
      { sum: 5, clients: { name: 'Globex' } },
      { sum: 7.5, clients: null },
      { sum: 30, clients: { name: 'Acme' } },
    ]);
  });

  test('spread columns group, and aggregates inside a spread apply at the parent\'s level', async () => {
    assert.deepEqual(await json('/orders?select=amount.sum(),...clients(name)&order=clients(name)'), [
      { sum: 30, name: 'Acme' },
      { sum: 5, name: 'Globex' },
      { sum: 7.5, name: null },
    ]);
    assert.deepEqual(await json('/orders?select=ordered_on,...clients(name.count(),ids:id.max())&order=ordered_on'), [
      { ordered_on: '2024-01-01', count: 2, ids: 1 },
      { ordered_on: '2024-01-02', count: 1, ids: 2 },
    ]);
    assert.deepEqual(await json('/orders?select=ordered_on,...clients(count())&order=ordered_on'), [
      { ordered_on: '2024-01-01', count: 2 },
      { ordered_on: '2024-01-02', count: 1 },
    ]);
  });

  test('* under an aggregate lists the columns so they can be grouped', async () => {
    assert.deepEqual(await json('/teams?select=*,id.count()&order=id'), [
      { id: 1, name: 'Red', count: 1 },
      { id: 2, name: 'Blue', count: 1 },
    ]);
    assert.deepEqual(await json('/clients?select=name,orders(*,amount.sum())&id=eq.2'), [
      { name: 'Globex', orders: [{ id: 3, amount: 5, ordered_on: '2024-01-02', client_id: 2, billing_address_id: 2, shipping_address_id: 2, sum: 5 }] },
    ]);
  });

  test('the legacy count without parentheses counts rows, also in an embed, and works with aggregates disabled', async () => {
    assert.deepEqual(await json('/clients?select=count', { plan: { aggregatesEnabled: false } }), [{ count: 3 }]);
    assert.deepEqual(await json('/clients?select=name,projects(count)&order=id', { plan: { aggregatesEnabled: false } }), [
      { name: 'Acme', projects: [{ count: 2 }] },
      { name: 'Globex', projects: [{ count: 1 }] },
      { name: 'Initech', projects: [{ count: 0 }] },
    ]);
  });
});

describe('media types, counts and HEAD', () => {
  test('application/vnd.pgrst.object+json: the one row as an object', async () => {
    assert.deepEqual(await get('/clients?select=id,name&id=eq.2', { headers: { accept: 'application/vnd.pgrst.object+json' } }), {
      total: null, pageTotal: 1, body: '{"id":2,"name":"Globex"}',
    });
    assert.deepEqual(await get('/clients?id=eq.9', { headers: { accept: 'application/vnd.pgrst.object+json' } }), { total: null, pageTotal: 0, body: 'null' });
  });

  test('nulls=stripped drops null members', async () => {
    assert.deepEqual(await json('/clients?select=id,data&id=eq.3', { headers: { accept: 'application/vnd.pgrst.array+json;nulls=stripped' } }), [{ id: 3 }]);
    assert.deepEqual(await json('/clients?select=id,data&id=eq.3', { headers: { accept: 'application/vnd.pgrst.object+json;nulls=stripped' } }), { id: 3 });
  });

  test('text/csv: a header line, then one line per row in PostgreSQL\'s record text', async () => {
    assert.deepEqual(await get('/projects?select=id,name,budget&order=id', { headers: { accept: 'text/csv' } }), {
      total: null, pageTotal: 4, body: 'id,name,budget\n1,Website,1000.50\n2,"Mobile app",2500.00\n3,"Data warehouse",\n4,Orphan,10.00',
    });
    assert.deepEqual(await get('/projects?id=eq.99', { headers: { accept: 'text/csv' } }), { total: null, pageTotal: 0, body: '\n' });
  });

  test('HEAD builds no body but counts', async () => {
    assert.deepEqual(await get('/projects?select=id', { method: 'HEAD', headers: { prefer: 'count=exact' } }), { total: 4, pageTotal: 4, body: '' });
  });

  test('count=estimated counts exactly in the statement; count=planned leaves it to EXPLAIN', async () => {
    assert.deepEqual(await get('/projects?select=id&limit=1', { headers: { prefer: 'count=estimated' } }), { total: 4, pageTotal: 1, body: '[{"id":1}]' });
    assert.deepEqual(await get('/projects?select=id&limit=1', { headers: { prefer: 'count=planned' } }), { total: null, pageTotal: 1, body: '[{"id":1}]' });
    const { plan } = statementFor('/projects?select=id&id=gt.1');
    const explain = plannedCountStatement(plan);
    assert.equal(explain.text, 'EXPLAIN (FORMAT JSON) SELECT 1 FROM "public"."projects" WHERE "public"."projects"."id" > $1');
    const r = await admin.query<{ 'QUERY PLAN': unknown }>({ text: explain.text, values: [...explain.values] });
    const rows = planRows(JSON.stringify(r.rows[0]?.['QUERY PLAN']));
    assert.equal(typeof rows, 'number');
  });
});

describe('a root over rows produced earlier in the statement', () => {
  test('a mutation or a call composes readQuery over its CTE: filters below the root, embeds and order still apply', async () => {
    const parsed = parseRequest({ method: 'GET', url: '/projects?select=id,clients(name),tasks(name)&order=id.desc&id=eq.99&tasks.status=eq.done', headers: new Headers() }, { schemas: ['public'] });
    assert.ok(parsed.ok);
    const planned = planRead(parsed.request, cache, {
      root: { source: { type: 'cte', name: 'pgrst_source' }, relation: { schema: 'public', name: 'projects' } },
      rootFilters: false,
    });
    assert.ok(planned.ok);
    const st = render(sql`${kw('WITH pgrst_source AS (SELECT * FROM public.projects WHERE id < 3) SELECT ')}${bodyExpression({ type: 'json' })} AS body FROM (${readQuery(planned.plan)}) _postgrest_t`);
    const r = await admin.query<{ body: string }>({ text: st.text, values: [...st.values] });
    assert.deepEqual(JSON.parse(r.rows[0]?.body ?? ''), [
      { id: 2, clients: { name: 'Acme' }, tasks: [] },
      { id: 1, clients: { name: 'Acme' }, tasks: [{ name: 'Design' }] },
    ]);
  });
});

describe('as the caller, through the executor', () => {
  test('row level security applies to the top level and to embeds', async () => {
    const { statement } = statementFor('/projects?select=name,clients(name)&order=id');
    const r = await executor.run({ role: 'anon', settings: [], readOnly: true, statement, end: 'commit' });
    assert.ok(r.ok);
    assert.deepEqual(JSON.parse(r.rows[0]?.body ?? ''), [
      { name: 'Website', clients: { name: 'Acme' } },
      { name: 'Mobile app', clients: { name: 'Acme' } },
      { name: 'Data warehouse', clients: { name: 'Globex' } },
      { name: 'Orphan', clients: null },
    ]);
    const hidden = await executor.run({ role: 'anon', settings: [], readOnly: true, statement: statementFor('/clients?select=id&order=id').statement, end: 'commit' });
    assert.ok(hidden.ok);
    assert.equal(hidden.rows[0]?.body, '[{"id":1}, \n {"id":2}]');
  });

  test('limit and offset are digits in the statement, so an embed with a limit keeps one generic plan', async () => {
    const { statement } = statementFor('/clients?select=id,projects(name)&projects.order=name&projects.limit=1&id=eq.1');
    assert.match(statement.text, / LIMIT 1 OFFSET 0 /);
    assert.deepEqual(statement.values, ['1']);
    const run = (s: { text: string; values: readonly unknown[] }) => executor.run({ role: 'service_role', settings: [], readOnly: true, statement: s, end: 'commit' });
    for (let i = 0; i < 8; i++) {
      const r = await run(statement);
      assert.ok(r.ok);
      assert.deepEqual(JSON.parse(r.rows[0]?.body ?? ''), [{ id: 1, projects: [{ name: 'Mobile app' }] }]);
    }
    // Postgres plans custom for the first five runs, then keeps the generic plan when it costs no more (one connection: the pool holds one).
    const plans = await run({ text: 'select coalesce(json_agg(p), \'[]\')::text as body from (select generic_plans, custom_plans from pg_prepared_statements where statement = $1) p', values: [statement.text] });
    assert.ok(plans.ok);
    assert.deepEqual(JSON.parse(plans.rows[0]?.body ?? ''), [{ generic_plans: 3, custom_plans: 5 }]);
  });

  test('response.headers and response.status set by the database come back', async () => {
    const { statement } = statementFor('/clients?select=id&id=eq.1');
    const r = await executor.run({
      role: 'service_role',
      settings: [['response.status', '202'], ['response.headers', '[{"x-a":"b"}]']],
      readOnly: true,
      statement,
      end: 'commit',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.rows[0], { total_result_set: null, page_total: '1', body: '[{"id":1}]', response_headers: '[{"x-a":"b"}]', response_status: '202' });
  });
});
