import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callService, startRestService, type RestServiceFixture } from '../helpers/rest-service.ts';

let rest: RestServiceFixture;

before(async () => {
  rest = await startRestService(`
    create table public.people (id int primary key, first_name text not null, last_name text not null, team_id int);
    create table public.teams (id int primary key, name text not null);
    alter table public.people add constraint people_team_fk foreign key (team_id) references public.teams;
    insert into public.teams values (1, 'Engines');
    insert into public.people values (1, 'Ada', 'Lovelace', 1), (2, 'Charles', 'Babbage', 1), (3, 'Grace', 'Hopper', null);
    create function public.full_name(public.people) returns text language sql stable as $$ select $1.first_name || ' ' || $1.last_name $$;
    create function public.initials(p public.people) returns jsonb language sql stable
      as $$ select jsonb_build_object('first', left(p.first_name, 1), 'last', left(p.last_name, 1)) $$;
    create function public.shout(public.teams) returns text language sql stable as $$ select upper($1.name) $$;
    create policy "Anyone reads people" on public.people for select to anon using (true);
    create policy "Anyone reads teams" on public.teams for select to anon using (true);
    grant execute on function public.full_name(public.people), public.initials(public.people), public.shout(public.teams) to anon;
  `);
});

after(() => rest?.close());

const get = async (path: string) => {
  const res = await callService(rest.service, 'GET', path);
  return { status: res.status, body: JSON.parse(res.body) as unknown };
};

test('a computed field is selected, filtered and ordered like a column, but is not part of *', async () => {
  assert.deepEqual(await get('/people?select=id,full_name&order=full_name.desc'), {
    status: 200,
    body: [{ id: 3, full_name: 'Grace Hopper' }, { id: 2, full_name: 'Charles Babbage' }, { id: 1, full_name: 'Ada Lovelace' }],
  });
  assert.deepEqual(await get('/people?select=id&full_name=like.*Love*'), { status: 200, body: [{ id: 1 }] });
  assert.deepEqual(await get('/people?select=name:full_name,initials->>first&id=eq.2'), { status: 200, body: [{ name: 'Charles Babbage', first: 'C' }] });
  const star = await get('/people?id=eq.1');
  assert.deepEqual(star.body, [{ id: 1, first_name: 'Ada', last_name: 'Lovelace', team_id: 1 }]);
});

test('computed fields work on embedded resources too', async () => {
  assert.deepEqual(await get('/teams?select=shout,people(full_name)&people.order=id'), {
    status: 200,
    body: [{ shout: 'ENGINES', people: [{ full_name: 'Ada Lovelace' }, { full_name: 'Charles Babbage' }] }],
  });
  assert.deepEqual(await get('/people?select=full_name,teams(shout)&id=eq.1'), { status: 200, body: [{ full_name: 'Ada Lovelace', teams: { shout: 'ENGINES' } }] });
});

test('a name that is neither a column nor a computed field is still PostgreSQL\'s 42703', async () => {
  const res = await get('/people?select=nick_name');
  assert.equal(res.status, 400);
  assert.equal((res.body as { code: string }).code, '42703');
});
