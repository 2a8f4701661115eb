import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createJwtVerifier, mintProjectKeys } from '../../supabase/keys/jwt.ts';
import type { Service } from '../../supabase/gateway/types.ts';
import { REST_SERVICE_SECRET, startRestService, type RestServiceFixture } from '../helpers/rest-service.ts';

/** Planted in every generated value: it must never appear in the text of a statement sent to Postgres. */
const MARK = 'zqx';
const SECRET = REST_SERVICE_SECRET;

let rest: RestServiceFixture;
let service: Service;
const statements: string[] = [];

before(async () => {
  rest = await startRestService(`
    create table public.clients (id bigint primary key, name text not null, tags text[] not null default '{}', data jsonb, during tstzrange, doc tsvector);
    create table public.projects (id bigint primary key, name text not null, client_id bigint references public.clients, budget numeric(10,2));
    create policy "Anyone reads clients" on public.clients for select to anon using (true);
    create policy "Anyone reads projects" on public.projects for select to anon using (true);
    insert into public.clients values (1, 'Microsoft', '{a,b}', '{"a":{"b":1}}', '[2020-01-01,2021-01-01)', to_tsvector('english', 'big software')),
                                      (2, 'Apple', '{c}', '{"a":{"b":2}}', null, to_tsvector('english', 'phones'));
    insert into public.projects values (1, 'Windows', 1, 10.5), (2, 'IOS', 2, 20);
    create policy "Anyone writes projects" on public.projects for all to anon using (true) with check (true);
    create function public.add(a int, b int) returns int language sql immutable as $$ select a + b $$;
    create function public.echo(payload json) returns json language sql stable as $$ select payload $$;
    create function public.client_names() returns setof public.clients language sql stable as $$ select * from public.clients $$;
    grant execute on function public.add(int, int), public.echo(json), public.client_names() to anon;
  `, {
    schemas: ['public', 'extensions'],
    options: { maxRows: 100 },
    wrap: (real) => ({
      run: (e) => {
        statements.push(e.statement.text);
        return real.run(e);
      },
      close: () => real.close(),
    }),
  });
  service = rest.service;
});

after(() => rest?.close());

function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const KEYS = ['id', 'name', 'tags', 'data->a->>b', 'data->a', 'during', 'doc', 'select', 'order', 'limit', 'offset', 'or', 'and', 'not.or',
  'projects.name', 'projects.order', 'projects.limit', 'client_id', 'nope', `${MARK}col`, 'projects', 'columns', 'on_conflict', '"id"', 'id;drop'];
const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'in', 'is', 'isdistinct', 'fts', 'plfts', 'phfts',
  'wfts', 'fts(english)', `fts(${MARK})`, 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'eq(any)', 'like(all)', 'not.eq', 'not.in', 'bogus'];
const VALUES = [`${MARK}`, `'${MARK}'; drop table public.clients; --`, `(1,${MARK})`, `{${MARK},b}`, `"${MARK},)"`, `[2020-01-01,${MARK})`, 'null',
  'true', 'unknown', `${MARK}*`, `1e400${MARK}`, `$1${MARK}`, `\\${MARK}`, `%${MARK}%`, `${MARK}\u0000`, `(${MARK}`, `${MARK}))`];
const SELECTS = ['*', 'id,name', `${MARK}`, 'id,projects(name)', 'name:id', `id::${MARK}`, 'id::text', 'data->a->>b', '...projects(name)',
  'projects!inner(name)', `projects!${MARK}(*)`, 'count()', 'id.sum()', 'projects(count)', '*,clients(*)', `"${MARK}"`, 'id,', '(', 'a(b(c(d)))'];
const ORDERS = ['id', 'id.desc', 'name.asc.nullslast', `${MARK}.desc`, 'data->a.desc', 'id.up', 'clients(name)', `id,${MARK}`];
const HEADERS: Array<[string, string]> = [
  ['accept', 'application/vnd.pgrst.object+json'], ['accept', 'text/csv'], ['accept', `application/${MARK}`], ['accept-profile', 'extensions'],
  ['accept-profile', MARK], ['prefer', 'count=exact'], ['prefer', `count=${MARK}`], ['prefer', 'handling=strict, bogus'], ['range', '0-1'],
  ['range', `${MARK}-1`], ['range', '5-1'], ['range-unit', 'items'], ['authorization', `Bearer ${MARK}.${MARK}.${MARK}`], ['authorization', 'Basic eA=='],
  ['prefer', `timezone=${MARK}`], ['prefer', 'timezone=Europe/Berlin'], ['prefer', 'return=representation'], ['prefer', 'tx=rollback'],
  ['prefer', 'resolution=merge-duplicates'], ['prefer', 'missing=default'], ['prefer', 'params=single-object'], ['prefer', `max-affected=${MARK}`],
  ['content-profile', MARK], ['content-profile', 'extensions'],
];

test('thousands of random and adversarial reads, writes and calls: never a 5xx, never a value spliced into SQL', async () => {
  const rand = prng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const statuses = new Map<number, number>();
  const anonKey = (await mintProjectKeys(SECRET, 1_700_000_000)).anon;
  const apikey = (await createJwtVerifier(SECRET).verify(anonKey));
  assert.ok(apikey.ok);
  for (let i = 0; i < 4000; i++) {
    const params: string[] = [];
    const n = Math.floor(rand() * 4);
    for (let j = 0; j < n; j++) {
      const key = pick(KEYS);
      const value = key === 'select' ? pick(SELECTS) : key.endsWith('order') ? pick(ORDERS) : key.endsWith('limit') || key === 'offset' ? pick(['1', '-1', MARK, '0']) :
        key.endsWith('or') || key === 'and' ? `(id.eq.1,name.${pick(OPS)}.${pick(VALUES)})` : `${pick(OPS)}.${pick(VALUES)}`;
      params.push(`${encodeURIComponent(key)}=${rand() < 0.5 ? encodeURIComponent(value) : value.replace(/[#&\s]/g, '')}`);
    }
    const table = pick(['clients', 'projects', 'projects', 'nope', `${MARK}`, 'clients/extra', '', 'rpc/add', 'rpc/echo', 'rpc/client_names', `rpc/${MARK}`]);
    const headers = new Headers();
    for (let j = 0; j < Math.floor(rand() * 3); j++) {
      const [k, v] = pick(HEADERS);
      headers.set(k, v);
    }
    const method = pick(['GET', 'GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS']);
    const BODIES = ['{}', '[]', `{"name":"${MARK}","id":${Math.floor(rand() * 5)}}`, `[{"name":"${MARK}"},{"name":"x","id":"${MARK}"}]`,
      `{"${MARK}":1}`, `{"a":1,"b":"${MARK}"}`, `{"payload":{"k":"${MARK}"}}`, `not json ${MARK}`, `{"id":1e999}`, `"${MARK}"`, `{"client_id":"${MARK}"}`];
    const body = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? null : pick(BODIES);
    if (body !== null && rand() < 0.8) headers.set('content-type', pick(['application/json', 'text/csv', `application/${MARK}`, 'application/x-www-form-urlencoded']));
    const subpath = `/${table}`;
    const req = new Request(`http://localhost/rest/v1${subpath}?${params.join('&')}`, { method, headers, body });
    const res = await service(req, { requestId: String(i), subpath, apikeyClaims: apikey.claims, log: pino({ level: 'silent' }) });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const text = await res.text();
    assert.ok(res.status < 500, `5xx for ${req.method} ${subpath}?${params.join('&')} ${JSON.stringify([...headers])}: ${res.status} ${text}`);
  }
  for (const sqlText of statements) assert.ok(!sqlText.includes(MARK), `a value reached the SQL text: ${sqlText}`);
  assert.ok((statuses.get(200) ?? 0) > 100, `plenty of requests succeeded: ${JSON.stringify([...statuses])}`);
  assert.ok(statements.length > 300, 'plenty of statements reached Postgres');
});
