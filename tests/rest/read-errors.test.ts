// Errors of a read: PostgREST 12's PGRST codes from the plan, and PostgreSQL's own errors for unknown columns and types, compared with what PostgreSQL answers for the SQL PostgREST would have sent.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ApiError } from '../../supabase/rest/errors.ts';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import { planRead } from '../../supabase/rest/plan/read.ts';
import type { ReadPlanOptions } from '../../supabase/rest/plan/types.ts';
import { loadSchemaCache } from '../../supabase/rest/schema-cache/load.ts';
import type { SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { readStatement } from '../../supabase/rest/sql/read.ts';
import { startMigratedPostgres, type TestPostgres } from '../helpers/postgres.ts';

const FIXTURE = `
create type public.status as enum ('todo', 'doing', 'done');
create table public.clients (id int primary key, name text not null, data jsonb);
create table public.projects (id int primary key, name text not null, client_id int references public.clients (id));
create table public.tasks (id int primary key, name text not null, project_id int references public.projects (id), status public.status);
create table public.users (id int primary key, name text not null);
create table public.teams (id int primary key, name text not null);
create table public.users_teams (user_id int references public.users (id), team_id int references public.teams (id), primary key (user_id, team_id));
create table public.addresses (id int primary key, city text);
create table public.orders (
  id int primary key,
  billing_address_id int constraint orders_billing_fkey references public.addresses (id),
  shipping_address_id int constraint orders_shipping_fkey references public.addresses (id)
);
`;

let server: TestPostgres;
let admin: pg.Client;
let cache: SchemaCache;

before(async () => {
  server = await startMigratedPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(FIXTURE);
  cache = await loadSchemaCache(admin, ['public']);
});

after(async () => {
  await admin?.end();
  await server?.destroy();
});

function planError(url: string, options: ReadPlanOptions = { aggregatesEnabled: true }): ApiError {
  const parsed = parseRequest({ method: 'GET', url, headers: new Headers() }, { schemas: ['public'] });
  assert.ok(parsed.ok, `parse ${url}`);
  const planned = planRead(parsed.request, cache, options);
  assert.ok(!planned.ok, `expected ${url} to fail planning`);
  return planned.error;
}

/** What PostgreSQL answers for a statement, shaped as the REST engine reports it (42703 and 42704 are 400). */
async function postgresError(text: string): Promise<ApiError> {
  try {
    await admin.query(text);
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { code: err.code ?? '', message: err.message, details: err.detail ?? null, hint: err.hint ?? null, status: 400 };
  }
  throw new Error(`expected an error from: ${text}`);
}

describe('PGRST errors of the plan stage', () => {
  test('an unknown table is PGRST205 with the closest name', () => {
    assert.deepEqual(planError('/projets'), {
      code: 'PGRST205',
      message: "Could not find the table 'public.projets' in the schema cache",
      details: null,
      hint: "Perhaps you meant the table 'public.projects'",
      status: 404,
    });
  });

  test('an embed without relationship is PGRST200, with or without a hint', () => {
    assert.deepEqual(planError('/projects?select=*,taks(*)'), {
      code: 'PGRST200',
      message: "Could not find a relationship between 'projects' and 'taks' in the schema cache",
      details: "Searched for a foreign key relationship between 'projects' and 'taks' in the schema 'public', but no matches were found.",
      hint: "Perhaps you meant 'tasks' instead of 'taks'.",
      status: 400,
    });
    assert.deepEqual(planError('/projects?select=*,clients!nope(*)'), {
      code: 'PGRST200',
      message: "Could not find a relationship between 'projects' and 'clients' in the schema cache",
      details: "Searched for a foreign key relationship between 'projects' and 'clients' using the hint 'nope' in the schema 'public', but no matches were found.",
      hint: null,
      status: 400,
    });
  });

  test('a nested embed is looked up from its parent', () => {
    assert.equal(planError('/clients?select=projects(users(*))').message, "Could not find a relationship between 'projects' and 'users' in the schema cache");
  });

  test('two foreign keys to the same table make the embed ambiguous: PGRST201 lists both', () => {
    assert.deepEqual(planError('/orders?select=*,addresses(*)'), {
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'orders' and 'addresses'",
      details: [
        { cardinality: 'many-to-one', embedding: 'orders with addresses', relationship: 'orders_billing_fkey using orders(billing_address_id) and addresses(id)' },
        { cardinality: 'many-to-one', embedding: 'orders with addresses', relationship: 'orders_shipping_fkey using orders(shipping_address_id) and addresses(id)' },
      ],
      hint: "Try changing 'addresses' to one of the following: 'addresses!orders_billing_fkey', 'addresses!orders_shipping_fkey'. Find the desired relationship in the 'details' key.",
      status: 300,
    });
  });

  test('filters, orders, limits and logic on a path that is not embedded are PGRST108', () => {
    const expected = (name: string): ApiError => ({
      code: 'PGRST108',
      message: `'${name}' is not an embedded resource in this request`,
      details: null,
      hint: `Verify that '${name}' is included in the 'select' query parameter.`,
      status: 400,
    });
    assert.deepEqual(planError('/projects?select=id&tasks.name=eq.x'), expected('tasks'));
    assert.deepEqual(planError('/projects?select=id&tasks.order=id'), expected('tasks'));
    assert.deepEqual(planError('/projects?select=id&tasks.limit=1'), expected('tasks'));
    assert.deepEqual(planError('/projects?select=id&tasks.or=(id.eq.1)'), expected('tasks'));
    assert.deepEqual(planError('/projects?select=id,tasks(id)&tasks.users.id=eq.1'), expected('users'));
    assert.deepEqual(planError('/projects?select=id&order=clients(name)'), expected('clients'));
    // as PostgREST applies the filters from the last one, the last bad path is reported
    assert.deepEqual(planError('/projects?select=id&a.x=eq.1&b.x=eq.1'), expected('b'));
    // and PGRST108 comes before relationship errors
    assert.deepEqual(planError('/projects?select=id,nope(*)&tasks.x=eq.1'), expected('tasks'));
  });

  test('a related order on a to-many embed is PGRST118', () => {
    assert.deepEqual(planError('/clients?select=id,projects(name)&order=projects(name)'), {
      code: 'PGRST118',
      message: "A related order on 'projects' is not possible",
      details: "'clients' and 'projects' do not form a many-to-one or one-to-one relationship",
      hint: null,
      status: 400,
    });
  });

  test('a spread of a to-many embed is PGRST119', () => {
    assert.deepEqual(planError('/clients?select=id,...projects(name)'), {
      code: 'PGRST119',
      message: "A spread operation on 'projects' is not possible",
      details: "'clients' and 'projects' do not form a many-to-one or one-to-one relationship",
      hint: null,
      status: 400,
    });
  });

  test('aggregates are refused with PGRST123 unless enabled, as PostgREST\'s db-aggregates-enabled = false', () => {
    const refused: ApiError = { code: 'PGRST123', message: 'Use of aggregate functions is not allowed', details: null, hint: null, status: 400 };
    assert.deepEqual(planError('/projects?select=count()', {}), refused);
    assert.deepEqual(planError('/clients?select=name,projects(id.sum())', {}), refused);
  });
});

describe('PostgreSQL errors for names the schema does not have', () => {
  const cases: [string, string][] = [
    ['/projects?select=nme', `SELECT "public"."projects"."nme" FROM "public"."projects"`],
    ['/projects?select=id&nam=eq.x', `SELECT "public"."projects"."id" FROM "public"."projects" WHERE "public"."projects"."nam" = 'x'`],
    ['/projects?select=id&order=clientid', `SELECT "public"."projects"."id" FROM "public"."projects" ORDER BY "public"."projects"."clientid"`],
    ['/projects?select=id&or=(id.eq.1,nme.eq.x)', `SELECT "public"."projects"."id" FROM "public"."projects" WHERE "public"."projects"."nme" = 'x'`],
    ['/projects?select=i', `SELECT "public"."projects"."i" FROM "public"."projects"`],
    ['/tasks?select=xd', `SELECT "public"."tasks"."xd" FROM "public"."tasks"`],
    ['/tasks?select=statuz', `SELECT "public"."tasks"."statuz" FROM "public"."tasks"`],
    ['/clients?select=dat->a', `SELECT to_jsonb("public"."clients"."dat")->'a' FROM "public"."clients"`],
    ['/clients?select=zzzzzz', `SELECT "public"."clients"."zzzzzz" FROM "public"."clients"`],
    [
      '/projects?select=id,clients(nme)',
      `SELECT "public"."projects"."id" FROM "public"."projects" LEFT JOIN LATERAL ( SELECT "clients_1"."nme" FROM "public"."clients" AS "clients_1" WHERE "clients_1"."id" = "public"."projects"."client_id" ) AS "projects_clients_1" ON TRUE`,
    ],
    [
      '/users?select=teams(nam)',
      `SELECT 1 FROM "public"."users" LEFT JOIN LATERAL ( SELECT "public"."teams"."nam" FROM "public"."teams", "public"."users_teams" WHERE "public"."users_teams"."team_id" = "public"."teams"."id" ) AS x ON TRUE`,
    ],
    [
      '/projects?select=id,clients(name)&order=clients(id)',
      `SELECT "public"."projects"."id" FROM "public"."projects" LEFT JOIN LATERAL ( SELECT "clients_1"."name" FROM "public"."clients" AS "clients_1" WHERE "clients_1"."id" = "public"."projects"."client_id" ) AS "projects_clients_1" ON TRUE ORDER BY "projects_clients_1"."id"`,
    ],
  ];
  for (const [url, postgrestSql] of cases) {
    test(`${url} fails as PostgreSQL fails for PostgREST's SQL`, async () => {
      const expected = await postgresError(postgrestSql);
      assert.equal(expected.code, '42703');
      assert.deepEqual(planError(url), expected);
    });
  }

  test('embeds are analysed before the select list, the select list before filters, filters before order', async () => {
    assert.equal(planError('/projects?select=nme,clients(nam)').message, 'column clients_1.nam does not exist');
    assert.equal(planError('/projects?select=nme&x=eq.1').message, 'column projects.nme does not exist');
    assert.equal(planError('/projects?select=id&x=eq.1&order=y').message, 'column projects.x does not exist');
    assert.equal(planError('/projects?select=id&x=eq.1&or=(y.eq.1)').message, 'column projects.y does not exist');
  });

  test('relationship errors come before unknown columns', () => {
    assert.equal(planError('/projects?select=nme,nope(*)').code, 'PGRST200');
  });

  test('a cast that is not a type name is refused before it reaches SQL; an unknown type name is PostgreSQL\'s error', async () => {
    assert.deepEqual(planError('/projects?select=id::int4 from x'), {
      code: '42704', message: 'type "int4 from x" does not exist', details: null, hint: null, status: 400,
    });
    const parsed = parseRequest({ method: 'GET', url: '/projects?select=id::nosuchtype', headers: new Headers() }, { schemas: ['public'] });
    assert.ok(parsed.ok);
    const planned = planRead(parsed.request, cache);
    assert.ok(planned.ok);
    const st = readStatement(planned.plan, { count: null, media: { type: 'json' } });
    await assert.rejects(admin.query({ text: st.text, values: [...st.values] }), { code: '42704', message: 'type "nosuchtype" does not exist' });
  });
});
