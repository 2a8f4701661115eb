import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SignJWT } from 'jose';
import { freePorts, makeWorkdir, startConvo, type RunningConvo, type Workdir } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';

const ANA = '6a7e1f0c-1d3b-4a8e-9f21-0c4d5e6f7a81';
const BEN = '7b8f2a1d-2e4c-4b9f-8a32-1d5e6f7a8b92';

const SCHEMA = `
create table public.clients (id bigint primary key, name text not null);
create table public.projects (id bigint primary key, name text not null, client_id bigint references public.clients);
create index projects_client_idx on public.projects (client_id);
create table public.notes (id bigint primary key, owner uuid not null, body text not null);
create policy "Anyone reads clients" on public.clients for select to anon, authenticated using (true);
create policy "Anyone reads projects" on public.projects for select to anon, authenticated using (true);
create policy "Owners read their notes" on public.notes for select to authenticated using (owner = (select auth.uid()));
create function public.whoami() returns text language sql stable as $$ select coalesce(auth.uid()::text, 'nobody') $$;
grant execute on function public.whoami() to anon, authenticated;
insert into public.clients values (1, 'Microsoft'), (2, 'Apple');
insert into public.projects values (1, 'Windows 7', 1), (2, 'Windows 10', 1), (3, 'IOS', 2), (4, 'OSX', 2), (5, 'Orphan', null);
insert into public.notes values (1, '${ANA}', 'ana''s'), (2, '${BEN}', 'ben''s');
`;

let wd: Workdir;
let convo: RunningConvo;
let api: string;

before(async () => {
  wd = await makeWorkdir();
  await wd.writeMigration('0001_fixture.sql', SCHEMA);
  convo = await startConvo(wd, await freePorts());
  api = convo.status.api_url;
});

after(async () => {
  await convo?.stop();
  await wd?.remove();
});

const userToken = (sub: string, extra: Record<string, unknown> = {}, exp: string | number = '1h') =>
  new SignJWT({ sub, role: 'authenticated', aud: 'authenticated', ...extra })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(convo.status.jwt_secret));

test('supabase-js reads with embeds, filters and order exactly as PostgREST shapes them', async () => {
  const supabase = supabaseClient(api, convo.status.anon_key);
  const { data, error, status } = await supabase
    .from('clients')
    .select('id, name, projects(id, name)')
    .order('id')
    .order('id', { referencedTable: 'projects', ascending: false });
  assert.equal(error, null);
  assert.equal(status, 200);
  assert.deepEqual(data, [
    { id: 1, name: 'Microsoft', projects: [{ id: 2, name: 'Windows 10' }, { id: 1, name: 'Windows 7' }] },
    { id: 2, name: 'Apple', projects: [{ id: 4, name: 'OSX' }, { id: 3, name: 'IOS' }] },
  ]);
  const toOne = await supabase.from('projects').select('name, client:clients(name)').in('id', [1, 5]).order('id');
  assert.deepEqual(toOne.data, [{ name: 'Windows 7', client: { name: 'Microsoft' } }, { name: 'Orphan', client: null }]);
});

test('count=exact with a range answers 206 and Content-Range; single() and maybeSingle() behave', async () => {
  const supabase = supabaseClient(api, convo.status.anon_key);
  const page = await supabase.from('projects').select('id', { count: 'exact' }).order('id').range(0, 1);
  assert.equal(page.status, 206);
  assert.equal(page.count, 5);
  assert.deepEqual(page.data, [{ id: 1 }, { id: 2 }]);

  const raw = await fetch(`${api}/rest/v1/projects?select=id&order=id&offset=4`, { headers: { apikey: convo.status.anon_key, prefer: 'count=exact' } });
  assert.equal(raw.status, 206, 'one row of five is partial content');
  assert.equal(raw.headers.get('content-range'), '4-4/5');
  assert.equal(raw.headers.get('preference-applied'), 'count=exact');
  assert.deepEqual(await raw.json(), [{ id: 5 }]);

  const one = await supabase.from('clients').select('name').eq('id', 2).single();
  assert.deepEqual(one.data, { name: 'Apple' });
  const many = await supabase.from('clients').select('name').single();
  assert.equal(many.status, 406);
  assert.equal(many.error?.code, 'PGRST116');
  const none = await supabase.from('clients').select('name').eq('id', 99).maybeSingle();
  assert.equal(none.error, null);
  assert.equal(none.data, null);
});

test('RLS sees the caller: a user JWT reads only its rows, anon reads none', async () => {
  const ana = supabaseClient(api, convo.status.anon_key);
  const token = await userToken(ANA);
  const asAna = await fetch(`${api}/rest/v1/notes?select=body`, { headers: { apikey: convo.status.anon_key, authorization: `Bearer ${token}` } });
  assert.deepEqual(await asAna.json(), [{ body: "ana's" }]);
  const anon = await ana.from('notes').select('body');
  assert.deepEqual(anon.data, []);
  const service = await fetch(`${api}/rest/v1/notes?select=id&order=id`, { headers: { apikey: convo.status.service_role_key } });
  assert.deepEqual(await service.json(), [{ id: 1 }, { id: 2 }], 'service_role bypasses RLS');
});

test('bad, expired and unknown-role JWTs get PostgREST errors with WWW-Authenticate', async () => {
  const headers = (token: string) => ({ apikey: convo.status.anon_key, authorization: `Bearer ${token}` });
  const expired = await fetch(`${api}/rest/v1/clients`, { headers: headers(await userToken(ANA, {}, Math.floor(Date.now() / 1000) - 60)) });
  assert.equal(expired.status, 401);
  assert.equal(expired.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="JWT expired"');
  assert.deepEqual(await expired.json(), { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });

  const forged = await new SignJWT({ role: 'service_role' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(40)));
  const bad = await fetch(`${api}/rest/v1/clients`, { headers: headers(forged) });
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), { code: 'PGRST301', details: null, hint: null, message: 'JWT cryptographic operation failed' });

  const parts = await fetch(`${api}/rest/v1/clients`, { headers: headers('abc.def') });
  assert.deepEqual(await parts.json(), { code: 'PGRST301', details: null, hint: null, message: 'Expected 3 parts in JWT; got 2' });

  const ghost = await fetch(`${api}/rest/v1/clients`, { headers: headers(await userToken(ANA, { role: 'ghost' })) });
  assert.equal(ghost.status, 401);
  assert.deepEqual(await ghost.json(), { code: '22023', details: null, hint: null, message: 'role "ghost" does not exist' });
});

test('schema-cache misses answer PGRST205 with a hint; the cache reloads after DDL', async () => {
  const miss = await fetch(`${api}/rest/v1/client`, { headers: { apikey: convo.status.anon_key } });
  assert.equal(miss.status, 404);
  assert.deepEqual(await miss.json(), {
    code: 'PGRST205',
    details: null,
    hint: "Perhaps you meant the table 'public.clients'",
    message: "Could not find the table 'public.client' in the schema cache",
  });

  const db = new pg.Client({ connectionString: convo.status.db_url });
  await db.connect();
  try {
    await db.query(`create table public.fresh (id int primary key); create policy "Anyone reads fresh" on public.fresh for select to anon using (true); insert into public.fresh values (7);`);
  } finally {
    await db.end();
  }
  let res = await fetch(`${api}/rest/v1/fresh`, { headers: { apikey: convo.status.anon_key } });
  for (let i = 0; i < 50 && res.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await fetch(`${api}/rest/v1/fresh`, { headers: { apikey: convo.status.anon_key } });
  }
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [{ id: 7 }]);
});

test('every read carries Content-Range and Server-Timing; HEAD has no body; CSV is served', async () => {
  const head = await fetch(`${api}/rest/v1/clients?select=id`, { method: 'HEAD', headers: { apikey: convo.status.anon_key } });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-range'), '0-1/*');
  assert.match(head.headers.get('server-timing') ?? '', /^jwt;dur=[0-9.]+, parse;dur=[0-9.]+, plan;dur=[0-9.]+, transaction;dur=[0-9.]+, response;dur=[0-9.]+$/);
  assert.equal(await head.text(), '');

  const csv = await fetch(`${api}/rest/v1/clients?select=id,name&order=id`, { headers: { apikey: convo.status.anon_key, accept: 'text/csv' } });
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(await csv.text(), 'id,name\n1,Microsoft\n2,Apple');
});

test('malformed requests are 4xx in PostgREST shape, never 5xx', async () => {
  const cases: Array<[string, number, string]> = [
    ['/rest/v1/clients?id=equals.1', 400, 'PGRST100'],
    ['/rest/v1/clients?select=id,projects(', 400, 'PGRST100'],
    ['/rest/v1/clients?select=nope', 400, '42703'],
    ['/rest/v1/clients?select=*,nothing(*)', 400, 'PGRST200'],
    ['/rest/v1/clients?limit=-1', 416, 'PGRST103'],
  ];
  for (const [path, status, code] of cases) {
    const res = await fetch(`${api}${path}`, { headers: { apikey: convo.status.anon_key } });
    assert.equal(res.status, status, path);
    const body = (await res.json()) as { code: string };
    assert.equal(body.code, code, path);
  }
  const profile = await fetch(`${api}/rest/v1/clients`, { headers: { apikey: convo.status.anon_key, 'accept-profile': 'private' } });
  assert.equal(profile.status, 406);
  assert.equal(((await profile.json()) as { code: string }).code, 'PGRST106');
});

test('GET /rest/v1/ is the OpenAPI description of what the role can reach', async () => {
  const res = await fetch(`${api}/rest/v1/`, { headers: { apikey: convo.status.anon_key } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/openapi+json; charset=utf-8');
  const doc = (await res.json()) as { swagger: string; basePath: string; paths: Record<string, unknown>; definitions: Record<string, unknown> };
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.basePath, '/rest/v1');
  for (const p of ['/', '/clients', '/projects', '/notes', '/rpc/whoami']) assert.ok(p in doc.paths, `lists ${p}`);
  assert.ok('clients' in doc.definitions);
});
