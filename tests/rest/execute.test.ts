import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createExecutor, type Execution, type Executor } from '../../supabase/rest/execute.ts';
import { authenticatorUrl } from '../../supabase/cli/services.ts';
import { startMigratedPostgres, type TestPostgres } from '../helpers/postgres.ts';

const PASSWORD = 'execute-test-authenticator-password';
let server: TestPostgres;
let exec: Executor;
let admin: pg.Client;

const USER_A = '11111111-1111-4111-8111-111111111111';
const USER_B = '22222222-2222-4222-8222-222222222222';

before(async () => {
  server = await startMigratedPostgres({ authenticatorPassword: PASSWORD });
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`
    create table public.notes (id int primary key, owner uuid not null, body text not null);
    create policy "Owners read their notes" on public.notes for select to authenticated using (owner = (select auth.uid()));
    create policy "Owners write their notes" on public.notes for insert to authenticated with check (owner = (select auth.uid()));
    insert into public.notes values (1, '${USER_A}', 'a1'), (2, '${USER_B}', 'b1');
  `);
  exec = createExecutor({ url: authenticatorUrl(server.url, PASSWORD), poolSize: 1 });
});

after(async () => {
  await exec?.close();
  await admin?.end();
  await server?.destroy();
});

const claims = (sub: string) => JSON.stringify({ sub, role: 'authenticated' });

function as(role: string, sub: string | null, statement: Execution['statement'], extra: Partial<Execution> = {}): Execution {
  return {
    role,
    settings: [
      ['request.jwt.claims', sub ? claims(sub) : JSON.stringify({ role })],
      ['request.method', 'GET'],
      ['request.path', '/notes'],
    ],
    readOnly: true,
    statement,
    end: 'commit',
    ...extra,
  };
}

test('the statement runs as the caller: role, claims and RLS apply, and every value comes back as text', async () => {
  const r = await exec.run(as('authenticated', USER_A, {
    text: `select current_user as who, auth.uid()::text as uid, current_setting('request.method') as m,
                  coalesce(json_agg(n.body), '[]')::text as body, count(*) as n from public.notes n`,
    values: [],
  }));
  assert.deepEqual(r, { ok: true, committed: true, extraRows: [], rows: [{ who: 'authenticated', uid: USER_A, m: 'GET', body: '["a1"]', n: '1' }] });
  const anon = await exec.run(as('anon', null, { text: 'select count(*) as n from public.notes', values: [] }));
  assert.deepEqual(anon, { ok: true, committed: true, extraRows: [], rows: [{ n: '0' }] });
});

test('settings are transaction-local: the next request on the same connection starts clean', async () => {
  await exec.run(as('authenticated', USER_A, { text: 'select 1 as x', values: [] }));
  const r = await exec.run({ role: 'anon', settings: [], readOnly: true, statement: { text: `select current_user as who, coalesce(current_setting('request.jwt.claims', true), '') as c`, values: [] }, end: 'commit' });
  assert.deepEqual(r, { ok: true, committed: true, extraRows: [], rows: [{ who: 'anon', c: '' }] });
});

test('values are bind parameters, never spliced into the text', async () => {
  const evil = `'); drop table public.notes; --`;
  const r = await exec.run(as('authenticated', USER_A, { text: 'select $1::text as v', values: [evil] }));
  assert.deepEqual(r, { ok: true, committed: true, extraRows: [], rows: [{ v: evil }] });
  assert.deepEqual((await admin.query(`select count(*)::int as n from public.notes`)).rows, [{ n: 2 }]);
});

test('a read-only transaction refuses writes with SQLSTATE 25006', async () => {
  const r = await exec.run(as('authenticated', USER_A, { text: `insert into public.notes values (3, $1, 'x') returning id`, values: [USER_A] }));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.kind === 'statement');
  assert.equal(r.error.code, '25006');
  assert.equal(r.error.message, 'cannot execute INSERT in a read-only transaction');
});

test('commit keeps a write, rollback (pipelined or decided after the rows) discards it', async () => {
  const insert = (id: number, end: Execution['end']) =>
    exec.run(as('authenticated', USER_A, { text: `insert into public.notes values ($1, $2, 'w') returning id::text`, values: [id, USER_A] }, { readOnly: false, end }));
  assert.deepEqual(await insert(10, 'commit'), { ok: true, committed: true, extraRows: [], rows: [{ id: '10' }] });
  assert.deepEqual(await insert(11, 'rollback'), { ok: true, committed: false, extraRows: [], rows: [{ id: '11' }] });
  let seen: unknown = null;
  const decided = await insert(12, (rows) => {
    seen = rows;
    return 'rollback';
  });
  assert.deepEqual(seen, [{ id: '12' }]);
  assert.deepEqual(decided, { ok: true, committed: false, extraRows: [], rows: [{ id: '12' }] });
  assert.deepEqual((await admin.query(`select id from public.notes where id >= 10 order by id`)).rows, [{ id: 10 }]);
});

test('RLS violations and unknown roles are statement errors with their SQLSTATE; the connection stays usable', async () => {
  const rls = await exec.run(as('authenticated', USER_A, { text: `insert into public.notes values (20, $1, 'x')`, values: [USER_B] }, { readOnly: false, end: () => 'commit' }));
  assert.ok(!rls.ok && rls.kind === 'statement');
  assert.equal(rls.error.code, '42501');
  assert.equal(rls.error.message, 'new row violates row-level security policy for table "notes"');

  const role = await exec.run(as('nosuchrole', null, { text: 'select 1 as x', values: [] }));
  assert.ok(!role.ok && role.kind === 'statement');
  assert.deepEqual(role.error, { code: '22023', message: 'role "nosuchrole" does not exist', details: null, hint: null });

  const superuser = await exec.run(as('postgres', null, { text: 'select 1 as x', values: [] }));
  assert.ok(!superuser.ok && superuser.kind === 'statement');
  assert.equal(superuser.error.code, '42501');

  assert.deepEqual(await exec.run(as('anon', null, { text: 'select 2 as x', values: [] })), { ok: true, committed: true, extraRows: [], rows: [{ x: '2' }] });
});

test('a statement is prepared once per connection and reused', async () => {
  const count = { text: `select count(*) as n from pg_prepared_statements where name like 'pgrst\\_%'`, values: [] };
  const first = await exec.run(as('anon', null, count));
  const second = await exec.run(as('anon', null, count));
  assert.ok(first.ok && second.ok);
  assert.equal(second.rows[0]!.n, first.rows[0]!.n, 'running the same statement again prepared nothing new');
});

test('a prepared statement is described once per connection: later runs still name their columns', async () => {
  const st = { text: `select $1::text as first, 'x' as "second col" union all select 'b', null`, values: ['a'] };
  // A run whose settings fail never reaches the statement: Postgres skips its Parse, so nothing is learnt of it.
  const failed = await exec.run(as('anon', null, st, { settings: [['statement_timeout', 'bogus']] }));
  assert.ok(!failed.ok && failed.kind === 'statement' && failed.error.code === '22023', JSON.stringify(failed));
  for (let i = 0; i < 3; i++) {
    const r = await exec.run(as('anon', null, st, { extra: [{ text: 'select 2 as two', values: [] }] }));
    assert.deepEqual(r, { ok: true, committed: true, extraRows: [[{ two: '2' }]], rows: [{ first: 'a', 'second col': 'x' }, { first: 'b', 'second col': null }] });
  }
  const described = await admin.query(`select count(*)::int as n from pg_stat_activity where usename = 'authenticator'`);
  assert.equal(described.rows[0].n, 1, 'all of it on one connection');
});

test('a connection killed by the server is replaced', async () => {
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = 'authenticator'`);
  let r = await exec.run(as('anon', null, { text: 'select 3 as x', values: [] }));
  if (!r.ok) {
    // Either the socket error, or the server's own word that it ended the session (57P01).
    assert.ok(r.kind === 'connection' || (r.kind === 'statement' && r.error.code === '57P01'), JSON.stringify(r));
    r = await exec.run(as('anon', null, { text: 'select 3 as x', values: [] }));
  }
  assert.deepEqual(r, { ok: true, committed: true, extraRows: [], rows: [{ x: '3' }] });
});

test('a busy pool makes requests wait their turn, up to the acquire timeout', async () => {
  const sleep = (s: number) => as('anon', null, { text: 'select pg_sleep($1::float8) as slept', values: [String(s)] });
  const patient = createExecutor({ url: authenticatorUrl(server.url, PASSWORD), poolSize: 2, acquireTimeoutMs: 10_000 });
  const hasty = createExecutor({ url: authenticatorUrl(server.url, PASSWORD), poolSize: 1, acquireTimeoutMs: 150 });
  try {
    // Six requests on two connections: all answered, never more than two at once in Postgres.
    const runs = Array.from({ length: 6 }, () => patient.run(sleep(0.2)));
    await new Promise((r) => setTimeout(r, 100));
    const busy = await admin.query(`select count(*)::int as n from pg_stat_activity where usename = 'authenticator' and query like '%pg_sleep%' and state = 'active'`);
    const results = await Promise.all(runs);
    assert.ok(results.every((r) => r.ok), JSON.stringify(results));
    assert.ok(busy.rows[0].n >= 1 && busy.rows[0].n <= 2, `${busy.rows[0].n} statements ran at once on a pool of 2`);

    // One connection, busy for longer than the deadline: the second request gives up, the third gets the connection back.
    const slow = hasty.run(sleep(0.5));
    const waited = await hasty.run(as('anon', null, { text: 'select 1 as one', values: [] }));
    assert.deepEqual(waited, { ok: false, kind: 'pool-timeout' });
    assert.ok((await slow).ok);
    assert.deepEqual(await hasty.run(as('anon', null, { text: 'select 1 as one', values: [] })), { ok: true, committed: true, extraRows: [], rows: [{ one: '1' }] });
  } finally {
    await patient.close();
    await hasty.close();
  }
});
