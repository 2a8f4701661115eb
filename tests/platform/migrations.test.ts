import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePorts, makeWorkdir, runConvo, startConvo } from '../helpers/convo.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const dbUrl = (port: number) => `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;

test('db migrate applies pending files in order and is idempotent', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0002_orders.sql', 'create table public.orders (id bigint primary key, item_id bigint references public.items);');
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key);');
    const first = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied app migration sql\/migrations\/0001_items\.sql[\s\S]*0002_orders\.sql/);
    assert.match(first.stdout, /Applied 10 migrations\./);

    const second = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /applied/);
    assert.match(second.stdout, /nothing to apply/);

    await wd.writeMigration('0003_more.sql', 'alter table public.items add column name text;');
    const third = await runConvo(['db', 'migrate'], wd, ports);
    assert.match(third.stdout, /applied app migration sql\/migrations\/0003_more\.sql/);
    assert.match(third.stdout, /Applied 1 migrations\./);
  } finally {
    await wd.remove();
  }
});

test('a failing migration is rolled back whole and reported with file, line and message; later files are not applied', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0001_ok.sql', 'create table public.a (id int primary key);');
    await wd.writeMigration('0002_broken.sql', [
      '/** half of this must not survive */',
      'create table public.b (id int primary key);',
      '',
      'insert into public.b values (1);',
      'insert into public.missing_table',
      '  values (1);',
      'create table public.c (id int);',
    ].join('\n'));
    await wd.writeMigration('0003_later.sql', 'create table public.d (id int);');
    const res = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'convo: sql/migrations/0002_broken.sql:5: relation "public.missing_table" does not exist [42P01]\n');

    // Start the stack to look inside: 0001 applied, nothing of 0002 or 0003.
    await fs.rm(path.join(wd.migrationsDir, '0002_broken.sql'));
    await fs.rm(path.join(wd.migrationsDir, '0003_later.sql'));
    const running = await startConvo(wd, ports);
    try {
      const tables = await query<{ table_name: string }>(dbUrl(ports.db),
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`);
      assert.deepEqual(tables.map((t) => t.table_name), ['a']);
      const ledger = await query<{ version: string }>(dbUrl(ports.db), `select version from convo.migrations where scope = 'app'`);
      assert.deepEqual(ledger, [{ version: '0001' }]);
    } finally {
      await running.stop();
    }
  } finally {
    await wd.remove();
  }
});

test('a syntax error is reported at its own line inside a multi-line statement', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0001_typo.sql', [
      '-- a comment; with a semicolon',
      "create function public.f() returns text language sql as $$ select 'a;b' $$;",
      'create table public.t (',
      '  id int primary key,',
      '  name txet',
      ');',
    ].join('\n'));
    const res = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'convo: sql/migrations/0001_typo.sql:5: type "txet" does not exist [42704]\n');
  } finally {
    await wd.remove();
  }
});

test('an applied migration whose file changed is refused with a clear message, and start refuses too', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key);');
    assert.equal((await runConvo(['db', 'migrate'], wd, ports)).code, 0);
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key, sneaky text);');
    await wd.writeMigration('0002_next.sql', 'create table public.next (id int);');
    for (const args of [['db', 'migrate'], ['start']]) {
      const res = await runConvo(args, wd, ports);
      assert.equal(res.code, 1, `${args.join(' ')} fails`);
      assert.match(res.stderr, /^convo: sql\/migrations\/0001_items\.sql was changed after it was applied \(recorded sha256 [0-9a-f]{12}…, file [0-9a-f]{12}…\); put the change in a new migration/);
      assert.equal(res.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    }
    // Nothing of 0002 was applied while refusing.
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key);');
    await fs.rm(path.join(wd.migrationsDir, '0002_next.sql'));
    const running = await startConvo(wd, ports);
    try {
      assert.deepEqual(await query(dbUrl(ports.db), `select to_regclass('public.next') as t`), [{ t: null }]);
    } finally {
      await running.stop();
    }
  } finally {
    await wd.remove();
  }
});

test('badly named files and transaction control statements are refused before anything runs', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('items.sql', 'select 1;');
    let res = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'convo: sql/migrations/items.sql: migration files are named NNNN_name.sql (digits, underscore, lowercase name)\n');
    await fs.rm(path.join(wd.migrationsDir, 'items.sql'));

    await wd.writeMigration('0001_tx.sql', 'begin;\ncreate table public.x (id int);\ncommit;');
    res = await runConvo(['db', 'migrate'], wd, ports);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'convo: sql/migrations/0001_tx.sql:1: remove "begin" — every migration already runs in its own transaction\n');
  } finally {
    await wd.remove();
  }
});

test('db reset drops everything, re-applies migrations and loads the seed (or not with --no-seed)', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key, name text);');
    await fs.writeFile(path.join(wd.dir, 'sql', 'seed.sql'), "insert into public.items values (1, 'seeded');");
    assert.equal((await runConvo(['db', 'migrate'], wd, ports)).code, 0);

    const running = await startConvo(wd, ports);
    try {
      await query(dbUrl(ports.db), `insert into public.items values (2, 'user data'); create table public.stray (id int);`);
      const reset = await runConvo(['db', 'reset'], wd, ports);
      assert.equal(reset.code, 0, reset.stderr);
      assert.match(reset.stdout, /Database reset: 9 migrations applied, seed loaded\./);
      assert.deepEqual(await query(dbUrl(ports.db), 'select id, name from public.items'), [{ id: '1', name: 'seeded' }]);
      assert.deepEqual(await query(dbUrl(ports.db), `select to_regclass('public.stray') as t`), [{ t: null }]);

      const noSeed = await runConvo(['db', 'reset', '--no-seed'], wd, ports);
      assert.equal(noSeed.code, 0, noSeed.stderr);
      assert.match(noSeed.stdout, /seed skipped/);
      assert.deepEqual(await query(dbUrl(ports.db), 'select count(*)::int as n from public.items'), [{ n: 0 }]);

      // The job worker notices its schema was recreated, stops, and is restarted by its supervisor.
      let health = await fetch(`http://127.0.0.1:${ports.api}/health`);
      for (let i = 0; i < 100 && health.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        health = await fetch(`http://127.0.0.1:${ports.api}/health`);
      }
      assert.equal(health.status, 200, `the running stack recovers from a reset: ${await health.clone().text()}`);
      assert.equal(((await health.json()) as { worker: string }).worker, 'running');
    } finally {
      await running.stop();
    }
  } finally {
    await wd.remove();
  }
});

test('migration new creates the next numbered file', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0007_existing.sql', 'select 1;');
    const res = await runConvo(['migration', 'new', 'Add Orders!'], wd, ports);
    assert.equal(res.code, 0);
    assert.equal(res.stdout, 'Created sql/migrations/0008_add_orders.sql\n');
    const body = await fs.readFile(path.join(wd.migrationsDir, '0008_add_orders.sql'), 'utf8');
    assert.match(body, /add orders/);
    const bad = await runConvo(['migration', 'new'], wd, ports);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^convo: usage: convo migration new <name>/);
  } finally {
    await wd.remove();
  }
});
