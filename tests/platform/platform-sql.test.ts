import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startMigratedPostgres, type TestPostgres } from '../helpers/postgres.ts';

let cluster: TestPostgres;
let client: pg.Client;
const PASSWORD = 'authenticator-password-for-tests';

before(async () => {
  cluster = await startMigratedPostgres({ authenticatorPassword: PASSWORD });
  client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await cluster?.destroy();
});

test('the API roles exist with Supabase attributes and authenticator is a member of the three', async () => {
  const { rows } = await client.query(`
    select rolname, rolcanlogin, rolinherit, rolbypassrls
    from pg_roles where rolname in ('anon', 'authenticated', 'service_role', 'authenticator') order by rolname`);
  assert.deepEqual(rows, [
    { rolname: 'anon', rolcanlogin: false, rolinherit: false, rolbypassrls: false },
    { rolname: 'authenticated', rolcanlogin: false, rolinherit: false, rolbypassrls: false },
    { rolname: 'authenticator', rolcanlogin: true, rolinherit: false, rolbypassrls: false },
    { rolname: 'service_role', rolcanlogin: false, rolinherit: false, rolbypassrls: true },
  ]);
  const { rows: members } = await client.query(`
    select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
    where u.rolname = 'authenticator' order by 1`);
  assert.deepEqual(members.map((m) => m.rolname), ['anon', 'authenticated', 'service_role']);
});

test('authenticator logs in with its password and can switch to each API role, and to no other', async () => {
  const url = new URL(cluster.url);
  url.username = 'authenticator';
  url.password = PASSWORD;
  const auth = new pg.Client({ connectionString: url.toString() });
  await auth.connect();
  try {
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const { rows } = await auth.query(`select set_config('role', $1, false) as r, current_user as u`, [role]);
      assert.equal(rows[0].u, role);
      await auth.query('reset role');
    }
    await assert.rejects(auth.query(`set role postgres`), /permission denied to set role "postgres"/);
  } finally {
    await auth.end();
  }
});

test('auth.uid(), auth.role(), auth.email() and auth.jwt() read request.jwt.claims as Supabase does', async () => {
  const claims = { sub: '5b6f3a52-5c4e-4d0e-9a59-0c2b8c1e2f11', role: 'authenticated', email: 'ana@example.com', app_metadata: { x: 1 } };
  await client.query('begin');
  try {
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    const { rows } = await client.query('select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt');
    assert.deepEqual(rows[0], { uid: claims.sub, role: 'authenticated', email: 'ana@example.com', jwt: claims });
    // The legacy per-claim setting wins, as in Supabase.
    await client.query(`select set_config('request.jwt.claim.sub', $1, true)`, ['00000000-0000-0000-0000-000000000001']);
    assert.equal((await client.query('select auth.uid() as uid')).rows[0].uid, '00000000-0000-0000-0000-000000000001');
  } finally {
    await client.query('rollback');
  }
  // No caller (never set, or reset to '' after a transaction) is NULL, not an error.
  const { rows } = await client.query('select auth.uid() as uid, auth.role() as role, auth.jwt() as jwt');
  assert.deepEqual(rows[0], { uid: null, role: null, jwt: null });
  await client.query(`select set_config('request.jwt.claims', '', false)`);
  assert.deepEqual((await client.query('select auth.uid() as uid')).rows[0], { uid: null });
  await client.query(`select set_config('request.jwt.claims', '{"role":"anon"}', false)`);
  assert.deepEqual((await client.query('select auth.uid() as uid, auth.role() as role')).rows[0], { uid: null, role: 'anon' });
  await client.query(`reset request.jwt.claims`);
});

test('pgcrypto, pg_trgm, btree_gist and citext are installed in the extensions schema, on the search_path', async () => {
  const { rows } = await client.query(`
    select e.extname, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname in ('pgcrypto', 'pg_trgm', 'btree_gist', 'citext') order by 1`);
  assert.deepEqual(rows, ['btree_gist', 'citext', 'pg_trgm', 'pgcrypto'].map((extname) => ({ extname, nspname: 'extensions' })));
  const fresh = new pg.Client({ connectionString: cluster.url });
  await fresh.connect();
  try {
    const { rows: r } = await fresh.query(`select 'Ana'::citext = 'ANA'::citext as ci, similarity('convo', 'convos') > 0.5 as trgm, length(gen_random_bytes(4)) as n`);
    assert.deepEqual(r[0], { ci: true, trgm: true, n: 4 });
  } finally {
    await fresh.end();
  }
});

test('a table created in public gets RLS at once, so without a policy the API roles see no rows', async () => {
  await client.query('create table public.notes (id int primary key, body text)');
  await client.query(`insert into public.notes values (1, 'hidden')`);
  const { rows } = await client.query(`select relrowsecurity from pg_class where oid = 'public.notes'::regclass`);
  assert.deepEqual(rows, [{ relrowsecurity: true }]);
  await client.query('begin');
  try {
    await client.query('set local role anon');
    assert.deepEqual((await client.query('select * from public.notes')).rows, []);
    await client.query('reset role');
    await client.query('set local role service_role');
    assert.deepEqual((await client.query('select body from public.notes')).rows, [{ body: 'hidden' }]);
  } finally {
    await client.query('rollback');
  }
});

test('private and convo schemas are closed to the API roles; functions are not executable by PUBLIC by default', async () => {
  const { rows } = await client.query(`
    select r.role, has_schema_privilege(r.role, 'private', 'usage') as private, has_schema_privilege(r.role, 'convo', 'usage') as convo
    from (values ('anon'), ('authenticated'), ('service_role')) as r(role)`);
  assert.deepEqual(rows.map((r) => [r.private, r.convo]), [[false, false], [false, false], [false, false]]);
  await client.query(`create function public.shout(t text) returns text language sql as $$ select upper(t) $$`);
  const { rows: ex } = await client.query(`
    select has_function_privilege('anon', 'public.shout(text)', 'execute') as anon,
           has_function_privilege('service_role', 'public.shout(text)', 'execute') as service`);
  assert.deepEqual(ex[0], { anon: false, service: true });
});

test('DDL notifies the REST schema cache on channel pgrst', async () => {
  const listener = new pg.Client({ connectionString: cluster.url });
  await listener.connect();
  try {
    await listener.query('listen pgrst');
    const got = new Promise<string | undefined>((resolve) => listener.once('notification', (n) => resolve(n.payload)));
    await client.query('create table public.cache_me (id int)');
    assert.equal(await got, 'reload schema');
  } finally {
    await listener.end();
  }
});
