import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { mintProjectKeys } from '../../supabase/keys/jwt.ts';
import { callService, REST_SERVICE_SECRET, startRestService, type RestServiceFixture } from '../helpers/rest-service.ts';

let rest: RestServiceFixture;
let admin: pg.Client;
let serviceRole: Record<string, string>;

before(async () => {
  rest = await startRestService(`
    create table public.directors (id int primary key, name text not null);
    create table public.films (id int primary key, title text not null, director_id int references public.directors);
    create table public.screenings (id int primary key, film_id int not null references public.films, day date not null, city text not null);
    create table public.reviews (id int primary key, film_id int not null references public.films, stars int not null, critic int references public.directors);
    create table public.nodes (id int primary key, parent_id int references public.nodes, name text not null);
    create view public.films_view as select id, title, director_id from public.films;

    insert into public.directors values (1, 'Agnès Varda'), (2, 'Chantal Akerman'), (3, 'Nobody');
    insert into public.films values (1, 'Cléo from 5 to 7', 1), (2, 'Jeanne Dielman', 2), (3, 'Unseen', null);
    insert into public.screenings values
      (1, 1, '2024-01-03', 'Paris'), (2, 1, '2024-01-01', 'Lyon'), (3, 1, '2024-01-02', 'Nice'), (4, 2, '2024-02-01', 'Brussels');
    insert into public.reviews values (1, 1, 5, 2);
    insert into public.nodes values (1, null, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1');

    -- to-many: the first two screenings of a film
    create function public.premieres(public.films) returns setof public.screenings rows 10 language sql stable
      as $$ select * from public.screenings where film_id = $1.id order by day limit 2 $$;
    -- to-one through ROWS 1
    create function public.director(public.films) returns setof public.directors rows 1 language sql stable
      as $$ select * from public.directors where id = $1.director_id $$;
    -- to-one through a single composite return
    create function public.lead_director(public.films) returns public.directors language sql stable
      as $$ select * from public.directors where id = $1.director_id $$;
    -- named like the table reviews reference: it replaces the foreign key relationship (the other films)
    create function public.films(public.reviews) returns setof public.films language sql stable
      as $$ select * from public.films where id <> $1.film_id order by id $$;
    -- named like a foreign key column: both match \`critic\`
    create function public.critic(public.reviews) returns setof public.directors rows 1 language sql stable
      as $$ select * from public.directors where id = $1.critic $$;
    -- self relationships
    create function public.children(public.nodes) returns setof public.nodes language sql stable
      as $$ select * from public.nodes where parent_id = $1.id order by id $$;
    create function public.parent(public.nodes) returns setof public.nodes rows 1 language sql stable
      as $$ select * from public.nodes where id = $1.parent_id $$;
    -- called through /rpc
    create function public.films_of(director int) returns setof public.films language sql stable
      as $$ select * from public.films where director_id = director order by id $$;
    -- from a view
    create function public.view_premieres(public.films_view) returns setof public.screenings language sql stable
      as $$ select * from public.screenings where film_id = $1.id order by day $$;

    alter table public.directors enable row level security;
    alter table public.films enable row level security;
    alter table public.screenings enable row level security;
    alter table public.reviews enable row level security;
    alter table public.nodes enable row level security;
    create policy "Anyone reads directors" on public.directors for select to anon using (true);
    create policy "Anyone reads films" on public.films for select to anon using (true);
    create policy "Anyone adds films" on public.films for insert to anon with check (true);
    create policy "Anon reads screenings outside Nice" on public.screenings for select to anon using (city <> 'Nice');
    create policy "Anyone reads reviews" on public.reviews for select to anon using (true);
    create policy "Anyone reads nodes" on public.nodes for select to anon using (true);
    grant select on public.directors, public.films, public.screenings, public.reviews, public.nodes, public.films_view to anon, service_role;
    grant insert on public.films to anon;
    grant execute on function public.premieres(public.films), public.director(public.films), public.lead_director(public.films),
      public.films(public.reviews), public.critic(public.reviews), public.children(public.nodes), public.parent(public.nodes), public.view_premieres(public.films_view),
      public.films_of(int) to anon, service_role;
  `);
  admin = new pg.Client({ connectionString: rest.server.url });
  await admin.connect();
  serviceRole = { authorization: `Bearer ${(await mintProjectKeys(REST_SERVICE_SECRET, Math.floor(Date.now() / 1000))).service_role}` };
});

after(async () => {
  await admin?.end();
  await rest?.close();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await callService(rest.service, 'GET', path, headers);
  return { status: res.status, body: JSON.parse(res.body) as unknown };
};

test('a function returning SETOF rows of another table embeds as an array', async () => {
  assert.deepEqual(await get('/films?select=title,premieres(day,city)&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', premieres: [{ day: '2024-01-01', city: 'Lyon' }, { day: '2024-01-03', city: 'Paris' }] },
      { title: 'Jeanne Dielman', premieres: [{ day: '2024-02-01', city: 'Brussels' }] },
      { title: 'Unseen', premieres: [] },
    ],
  });
  // below another embed, the function is given that embed's row
  assert.deepEqual(await get('/directors?select=name,films(title,premieres(city))&id=lt.3&order=id'), {
    status: 200,
    body: [
      { name: 'Agnès Varda', films: [{ title: 'Cléo from 5 to 7', premieres: [{ city: 'Lyon' }, { city: 'Paris' }] }] },
      { name: 'Chantal Akerman', films: [{ title: 'Jeanne Dielman', premieres: [{ city: 'Brussels' }] }] },
    ],
  });
  // an alias names the key; the embed's columns are those of the returned table
  assert.deepEqual(await get('/films?select=id,shows:premieres(*)&id=eq.2'), {
    status: 200,
    body: [{ id: 2, shows: [{ id: 4, film_id: 2, day: '2024-02-01', city: 'Brussels' }] }],
  });
});

test('ROWS 1 or a single composite return makes the relationship to-one: an object, or null', async () => {
  assert.deepEqual(await get('/films?select=title,director(name)&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', director: { name: 'Agnès Varda' } },
      { title: 'Jeanne Dielman', director: { name: 'Chantal Akerman' } },
      { title: 'Unseen', director: null },
    ],
  });
  assert.deepEqual(await get('/films?select=title,lead_director(id,name)&id=lt.3&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', lead_director: { id: 1, name: 'Agnès Varda' } },
      { title: 'Jeanne Dielman', lead_director: { id: 2, name: 'Chantal Akerman' } },
    ],
  });
  // to-one allows ordering by the embed
  assert.deepEqual(await get('/films?select=title,director(name)&director_id=not.is.null&order=director(name).desc'), {
    status: 200,
    body: [
      { title: 'Jeanne Dielman', director: { name: 'Chantal Akerman' } },
      { title: 'Cléo from 5 to 7', director: { name: 'Agnès Varda' } },
    ],
  });
});

test('!inner drops the rows the function returns nothing for, in the body and in the count', async () => {
  const res = await callService(rest.service, 'GET', '/films?select=title,premieres!inner(day)&premieres.city=eq.Brussels', { prefer: 'count=exact' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-range'), '0-0/1');
  assert.deepEqual(JSON.parse(res.body), [{ title: 'Jeanne Dielman', premieres: [{ day: '2024-02-01' }] }]);
  assert.deepEqual(await get('/films?select=title,director!inner(name)&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', director: { name: 'Agnès Varda' } },
      { title: 'Jeanne Dielman', director: { name: 'Chantal Akerman' } },
    ],
  });
  // the embed-null filter works on it too
  assert.deepEqual(await get('/films?select=title,director()&director=is.null'), { status: 200, body: [{ title: 'Unseen' }] });
});

test("filters, order and limit apply to the function's rows inside the embed", async () => {
  assert.deepEqual(await get('/films?select=title,premieres(day,city)&premieres.order=day.desc&premieres.limit=1&id=eq.1'), {
    status: 200,
    body: [{ title: 'Cléo from 5 to 7', premieres: [{ day: '2024-01-03', city: 'Paris' }] }],
  });
  assert.deepEqual(await get('/films?select=title,premieres(day)&premieres.day=gt.2024-01-01&id=lt.3&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', premieres: [{ day: '2024-01-03' }] },
      { title: 'Jeanne Dielman', premieres: [{ day: '2024-02-01' }] },
    ],
  });
  // an unknown column of the embed is PostgreSQL's error, named after the embed's alias as in PostgREST
  const bad = await get('/films?select=premieres(nope)');
  assert.equal(bad.status, 400);
  assert.equal((bad.body as { code: string; message: string }).code, '42703');
  assert.equal((bad.body as { code: string; message: string }).message, 'column screenings_1.nope does not exist');
});

test('a to-one computed relationship can be spread; a to-many one cannot', async () => {
  assert.deepEqual(await get('/films?select=title,...director(director:name)&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', director: 'Agnès Varda' },
      { title: 'Jeanne Dielman', director: 'Chantal Akerman' },
      { title: 'Unseen', director: null },
    ],
  });
  assert.deepEqual(await get('/films?select=title,...premieres(day)'), {
    status: 400,
    body: {
      code: 'PGRST119',
      message: "A spread operation on 'premieres' is not possible",
      details: "'films' and 'premieres' do not form a many-to-one or one-to-one relationship",
      hint: null,
    },
  });
});

test('a function of a row returning rows of the same table is a self relationship, embeddable recursively', async () => {
  assert.deepEqual(await get('/nodes?select=name,children(name,children(name))&id=eq.1'), {
    status: 200,
    body: [{ name: 'root', children: [{ name: 'a', children: [{ name: 'a1' }] }, { name: 'b', children: [] }] }],
  });
  assert.deepEqual(await get('/nodes?select=name,parent(name,parent(name))&id=eq.4'), {
    status: 200,
    body: [{ name: 'a1', parent: { name: 'a', parent: { name: 'root' } } }],
  });
});

test('a function named like a related table replaces the foreign key relationship to it, hint or not', async () => {
  const otherFilms = [{ title: 'Jeanne Dielman' }, { title: 'Unseen' }];
  assert.deepEqual(await get('/reviews?select=stars,films(title)'), { status: 200, body: [{ stars: 5, films: otherFilms }] });
  assert.deepEqual(await get('/reviews?select=stars,films!reviews_film_id_fkey(title)'), { status: 200, body: [{ stars: 5, films: otherFilms }] });
  // the other direction is still the foreign key
  assert.deepEqual(await get('/films?select=title,reviews(stars)&id=eq.1'), { status: 200, body: [{ title: 'Cléo from 5 to 7', reviews: [{ stars: 5 }] }] });
});

test('a function named like a foreign key column makes the embed ambiguous, listed as PostgREST 12 lists it', async () => {
  assert.deepEqual(await get('/reviews?select=critic(name)'), {
    status: 300,
    body: {
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'reviews' and 'critic'",
      details: [
        { cardinality: 'many-to-one', embedding: 'reviews with directors', relationship: 'reviews_critic_fkey using reviews(critic) and directors(id)' },
        {},
      ],
      hint: "Try changing 'critic' to one of the following: 'directors!reviews_critic_fkey', . Find the desired relationship in the 'details' key.",
    },
  });
  // the table name with the constraint as hint reaches the foreign key
  assert.deepEqual(await get('/reviews?select=directors!reviews_critic_fkey(name)'), { status: 200, body: [{ directors: { name: 'Chantal Akerman' } }] });
});

test("a function of a view's row embeds from that view", async () => {
  assert.deepEqual(await get('/films_view?select=title,view_premieres(day)&id=eq.2'), {
    status: 200,
    body: [{ title: 'Jeanne Dielman', view_premieres: [{ day: '2024-02-01' }] }],
  });
});

test("row level security applies to the rows the function reads, as the caller's role", async () => {
  assert.deepEqual(await get('/films?select=premieres(city)&id=eq.1'), {
    status: 200,
    body: [{ premieres: [{ city: 'Lyon' }, { city: 'Paris' }] }],
  });
  assert.deepEqual(await get('/films?select=premieres(city)&id=eq.1', serviceRole), {
    status: 200,
    body: [{ premieres: [{ city: 'Lyon' }, { city: 'Nice' }] }],
  });
});

test("computed relationships embed in a write's representation and in a function's result", async () => {
  const res = await callService(
    rest.service,
    'POST',
    '/films?select=title,director(name),premieres(day)',
    { 'content-type': 'application/json', prefer: 'return=representation' },
    JSON.stringify({ id: 10, title: 'Vagabond', director_id: 1 }),
  );
  assert.deepEqual({ status: res.status, body: JSON.parse(res.body) as unknown }, {
    status: 201,
    body: [{ title: 'Vagabond', director: { name: 'Agnès Varda' }, premieres: [] }],
  });
  await admin.query('delete from public.films where id = 10');
  assert.deepEqual(await get('/rpc/films_of?director=1&select=title,director(name),premieres(day)'), {
    status: 200,
    body: [{ title: 'Cléo from 5 to 7', director: { name: 'Agnès Varda' }, premieres: [{ day: '2024-01-01' }, { day: '2024-01-03' }] }],
  });
});

test("a new such function is picked up after NOTIFY pgrst, 'reload schema'", async () => {
  await admin.query(`
    create function public.last_screening(public.films) returns setof public.screenings rows 1 language sql stable
      as $$ select * from public.screenings where film_id = $1.id order by day desc limit 1 $$;
    grant execute on function public.last_screening(public.films) to anon`);
  const missing = await get('/films?select=title,last_screening(city)&id=eq.2');
  assert.equal(missing.status, 400);
  assert.equal((missing.body as { code: string }).code, 'PGRST200');

  const loaded = rest.cache.current().loadedAt;
  await admin.query(`notify pgrst, 'reload schema'`);
  for (let i = 0; i < 200 && rest.cache.current().loadedAt === loaded; i++) await new Promise((r) => setTimeout(r, 25));
  assert.notEqual(rest.cache.current().loadedAt, loaded, 'the cache reloaded');

  assert.deepEqual(await get('/films?select=title,last_screening(city)&order=id'), {
    status: 200,
    body: [
      { title: 'Cléo from 5 to 7', last_screening: { city: 'Paris' } },
      { title: 'Jeanne Dielman', last_screening: { city: 'Brussels' } },
      { title: 'Unseen', last_screening: null },
    ],
  });
});
