// The schema cache holder against a real Postgres: first load, reload after DDL through NOTIFY pgrst, coalesced reloads, reconnection after its connection is killed, and close.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { migrate } from '../../supabase/db/migrator.ts';
import { createSchemaCacheHolder } from '../../supabase/rest/schema-cache/listen.ts';
import { qualifiedKey } from '../../supabase/rest/schema-cache/qualified-key.ts';
import type { SchemaCacheHolder, SchemaCacheLog } from '../../supabase/rest/schema-cache/listen.ts';
import type { SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { freePort } from '../helpers/convo.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

// A pino logger is what `convo start` passes; this only has to type-check.
const pinoFits: SchemaCacheLog = pino({ enabled: false });
void pinoFits;

interface Entry {
  readonly level: string;
  readonly msg: string;
  readonly obj: object;
}

function collectingLog(entries: Entry[]): SchemaCacheLog {
  const at = (level: string) => (obj: object, msg: string) => void entries.push({ level, msg, obj });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs` saying what was awaited. */
async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hasRelation = (cache: SchemaCache, name: string): boolean => cache.relations.has(qualifiedKey('public', name));

let db: TestPostgres;
let admin: pg.Client;

before(async () => {
  db = await startTestPostgres();
  await migrate({ url: db.url, migrationsDir: path.join(db.dir, 'no-migrations') });
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('create table public.first (id int primary key)');
});

after(async () => {
  await admin?.end();
  await db?.destroy();
});

describe('createSchemaCacheHolder', () => {
  let holder: SchemaCacheHolder;
  const loads: SchemaCache[] = [];
  const entries: Entry[] = [];

  before(async () => {
    holder = createSchemaCacheHolder({ url: db.url, schemas: ['public'], log: collectingLog(entries), onReload: (c) => void loads.push(c), retryMinMs: 50 });
    await holder.ready;
  });

  after(async () => {
    await holder?.close();
  });

  test('ready resolves with the first cache loaded', () => {
    assert.ok(hasRelation(holder.current(), 'first'));
    assert.equal(loads[0], holder.current());
    const loaded = entries.find((e) => e.msg === 'schema cache loaded');
    assert.deepEqual(loaded && { ...loaded.obj, ms: 0 }, { component: 'schema-cache', ms: 0, relations: 1, relationships: 0, functions: 0 });
  });

  test('DDL reloads the cache through NOTIFY pgrst, without any call', async () => {
    await admin.query('create table public.made_later (id int primary key, first_id int references public.first (id))');
    const cache = await eventually('the new table in the cache', () => (hasRelation(holder.current(), 'made_later') ? holder.current() : undefined));
    assert.deepEqual(
      cache.relationships.get(qualifiedKey('public', 'first'))?.map((r) => [r.cardinality, r.foreignTable.name]),
      [['one-to-many', 'made_later']],
    );
  });

  test('a burst of DDL in separate transactions ends with every change loaded', async () => {
    for (let i = 0; i < 5; i++) await admin.query(`create table public.burst_${i} (id int)`);
    await eventually('all five tables', () => [0, 1, 2, 3, 4].every((i) => hasRelation(holder.current(), `burst_${i}`)));
  });

  test("an empty payload and 'reload config' (role settings live in the cache) reload too; other payloads are ignored", async () => {
    let before = loads.length;
    await admin.query(`select pg_notify('pgrst', 'reload config')`);
    await eventually('a reload on reload config', () => loads.length > before);
    before = loads.length;
    await admin.query(`select pg_notify('pgrst', 'reload everything please')`);
    await admin.query(`select pg_notify('pgrst', '')`);
    await eventually('a reload on an empty payload', () => loads.length > before);
    assert.ok(entries.some((e) => e.msg === 'ignored a notification on channel pgrst' && (e.obj as { payload?: string }).payload === 'reload everything please'));
  });

  test('reload() calls made during a load share the one load that follows it', async () => {
    // A holder of its own, so that no notification-driven reload can interleave.
    const counted: SchemaCache[] = [];
    const own = createSchemaCacheHolder({ url: db.url, schemas: ['public'], onReload: (c) => void counted.push(c) });
    try {
      await own.ready;
      const first = own.reload();
      const second = own.reload();
      const third = own.reload();
      assert.equal(second, third);
      assert.notEqual(first, second);
      await Promise.all([first, second, third]);
      assert.equal(counted.length, 1 + 2);
      assert.equal(own.current(), counted[2]);
    } finally {
      await own.close();
    }
  });

  test('after its connection is terminated it reconnects, listens again and reloads what it missed', async () => {
    const listenerPids = async (): Promise<number[]> =>
      (await admin.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = 'convo schema cache listener'`)).rows.map((r) => r.pid);
    const warnings = () => entries.filter((e) => e.level === 'warn');
    const warnedBefore = warnings().length;
    const [pid] = await listenerPids();
    assert.ok(pid !== undefined);
    // Keep it from reconnecting at once, so that the next DDL is made while nobody listens.
    const outside = new pg.Client({ connectionString: db.url.replace(/\/postgres$/, '/template1') });
    await outside.connect();
    await outside.query('alter database postgres allow_connections false');
    try {
      const { rows } = await admin.query<{ done: boolean }>('select pg_terminate_backend($1) as done', [pid]);
      assert.deepEqual(rows, [{ done: true }]);
      await eventually('the lost connection and a refused reconnection', () => warnings().length >= warnedBefore + 2);
      await admin.query('create table public.missed (id int)');
    } finally {
      await outside.query('alter database postgres allow_connections true');
      await outside.end();
    }
    await eventually('the table made while disconnected', () => hasRelation(holder.current(), 'missed'));
    assert.equal(warnings()[warnedBefore]?.msg, 'schema cache listener lost its connection; reconnecting');
    assert.ok(entries.some((e) => e.msg === 'reloading the schema cache' && (e.obj as { reason?: string }).reason === 'reconnected'));
    const pids = await listenerPids();
    assert.equal(pids.length, 1);
    assert.notEqual(pids[0], pid);
    // And it listens again: later DDL still reaches it.
    await admin.query('create table public.after_reconnect (id int)');
    await eventually('the table made after reconnecting', () => hasRelation(holder.current(), 'after_reconnect'));
  });

  test('close() stops listening, ends its connection and refuses further reloads', async () => {
    const last = holder.current();
    await holder.close();
    assert.equal(holder.current(), last);
    await assert.rejects(holder.reload(), /closed/);
    await eventually('no listener connection left', async () => {
      const { rows } = await admin.query(`select 1 from pg_stat_activity where application_name like 'convo schema cache%'`);
      return rows.length === 0;
    });
  });
});

test('a holder that never reaches its database keeps retrying, and ready rejects when it is closed', async () => {
  const port = await freePort();
  const entries: Entry[] = [];
  const holder = createSchemaCacheHolder({
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    schemas: ['public'],
    log: collectingLog(entries),
    retryMinMs: 10,
    retryMaxMs: 20,
  });
  await eventually('two failed attempts', () => entries.filter((e) => e.level === 'warn').length >= 2);
  assert.throws(() => holder.current(), /not loaded yet/);
  await holder.close();
  await assert.rejects(holder.ready, /closed before the schema cache was loaded/);
});
