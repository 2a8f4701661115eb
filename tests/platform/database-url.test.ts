import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, freePorts, makeWorkdir, runConvo, startConvo, type Workdir } from '../helpers/convo.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { isAlive } from '../../supabase/shared/process.ts';

let server: TestPostgres;
let wd: Workdir;

before(async () => {
  server = await startTestPostgres();
  wd = await makeWorkdir();
});

after(async () => {
  await wd?.remove();
  await server?.destroy();
});

test('with DATABASE_URL, start uses that server, creates no cluster, and leaves the server running on stop', async () => {
  await wd.writeMigration('0001_items.sql', 'create table public.items (id int primary key);');
  const ports = await freePorts();
  const convo = await startConvo(wd, ports, { DATABASE_URL: server.url });
  assert.match(convo.output(), /using DATABASE_URL postgresql:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/postgres/);
  assert.match(convo.output(), /connected to Postgres 18\./);
  assert.doesNotMatch(convo.output(), /creating Postgres cluster|starting Postgres/);
  assert.equal(convo.status.db_embedded, false);
  assert.equal(convo.status.db_url, `postgresql://postgres:****@127.0.0.1:${server.port}/postgres`, 'the password is not shown');
  assert.equal(fs.existsSync(path.join(wd.stateDir, 'db')), false);

  const health = await fetch(`${convo.status.api_url}/health`);
  assert.equal(health.status, 200);
  assert.equal(await convo.stop(), 0);
  assert.equal(isAlive(server.pid), true, 'convo does not stop a server it did not start');

  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query(`select scope, version from convo.migrations order by scope desc, version`);
  await client.end();
  assert.deepEqual(rows.map((r) => `${r.scope}/${r.version}`), ['platform/0001', 'platform/0002', 'platform/0003', 'platform/0004', 'platform/0005', 'platform/0006', 'platform/0007', 'platform/0008', 'app/0001']);
});

test('db migrate and db reset work against DATABASE_URL', async () => {
  const ports = await freePorts();
  const env = { DATABASE_URL: server.url };
  await wd.writeMigration('0002_more.sql', 'create table public.more (id int);');
  const migrated = await runConvo(['db', 'migrate'], wd, ports, env);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.match(migrated.stdout, /applied app migration sql\/migrations\/0002_more\.sql/);
  const reset = await runConvo(['db', 'reset', '--no-seed'], wd, ports, env);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /Database reset: 10 migrations applied, seed skipped\./);
});

test('an unreachable DATABASE_URL is one clear line and a non-zero exit', async () => {
  const ports = await freePorts();
  const deadPort = await freePort();
  const res = await runConvo(['start'], wd, ports, { DATABASE_URL: `postgresql://postgres:secret@127.0.0.1:${deadPort}/postgres` });
  assert.equal(res.code, 1);
  assert.equal(res.stderr, `convo: cannot reach DATABASE_URL (127.0.0.1:${deadPort}): ECONNREFUSED\n`);
  assert.doesNotMatch(res.stdout + res.stderr, /secret/);

  const bad = await runConvo(['db', 'migrate'], wd, ports, { DATABASE_URL: 'mysql://nope' });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'convo: DATABASE_URL is not a postgresql:// URL\n');

  const wrongPassword = new URL(server.url);
  wrongPassword.password = 'wrong';
  const denied = await runConvo(['db', 'migrate'], wd, ports, { DATABASE_URL: wrongPassword.toString() });
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr, `convo: cannot reach DATABASE_URL (127.0.0.1:${server.port}): password authentication failed for user "postgres"\n`);
});
