import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePorts, makeWorkdir, runConvo, startConvo } from '../helpers/convo.ts';
import { isAlive, waitForExit } from '../../supabase/shared/process.ts';

/** Every live process whose command line mentions this work folder (Postgres is started with -D <workdir>/.convo/db). */
function processesMentioning(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(dir)) pids.push(Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids;
}

test('first start creates the cluster and applies the platform migrations; a restart reuses it', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    await wd.writeMigration('0001_items.sql', 'create table public.items (id bigint primary key, name text not null);');
    const first = await startConvo(wd, ports);
    assert.match(first.output(), /creating Postgres cluster/);
    assert.match(first.output(), /applied platform migration platform\/0001_roles\.sql/);
    assert.match(first.output(), /applied app migration sql\/migrations\/0001_items\.sql/);
    for (const label of ['API URL', 'DB URL', 'anon key', 'service_role key']) assert.match(first.output(), new RegExp(`${label}: \\S+`));
    assert.equal(first.status.running, true);
    assert.equal(first.status.api_url, `http://127.0.0.1:${ports.api}`);
    assert.equal(first.status.db_url, `postgresql://postgres:postgres@127.0.0.1:${ports.db}/postgres`);
    assert.ok(fs.existsSync(path.join(wd.stateDir, 'db', 'PG_VERSION')));
    assert.equal(fs.readFileSync(path.join(wd.stateDir, 'db', 'PG_VERSION'), 'utf8').trim(), '18');

    const client = new pg.Client({ connectionString: first.status.db_url });
    await client.connect();
    await client.query(`insert into public.items values (1, 'kept across restarts')`);
    const { rows: ledger } = await client.query('select scope, version, name from convo.migrations order by scope desc, version');
    await client.end();
    assert.deepEqual(ledger.map((r) => `${r.scope}/${r.version}_${r.name}`), [
      'platform/0001_roles', 'platform/0002_extensions', 'platform/0003_auth', 'platform/0004_api', 'platform/0005_auth_users', 'platform/0006_auth_mail', 'platform/0007_auth_flows', 'platform/0008_auth_sms', 'app/0001_items',
    ]);
    assert.equal(await first.stop(), 0);

    const second = await startConvo(wd, ports);
    assert.doesNotMatch(second.output(), /creating Postgres cluster/);
    assert.match(second.output(), /database schema is up to date/);
    assert.equal(second.status.anon_key, first.status.anon_key, 'keys are stable across restarts');
    const again = new pg.Client({ connectionString: second.status.db_url });
    await again.connect();
    const { rows } = await again.query('select name from public.items');
    await again.end();
    assert.deepEqual(rows, [{ name: 'kept across restarts' }]);
    assert.equal(await second.stop(), 0);
  } finally {
    await wd.remove();
  }
});

test('SIGTERM and SIGINT stop everything start started and leave no process behind', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const running = await startConvo(wd, ports);
      const run = JSON.parse(fs.readFileSync(path.join(wd.stateDir, 'run.json'), 'utf8')) as { db_pid: number };
      assert.ok(isAlive(run.db_pid), 'Postgres runs while convo does');
      assert.ok(processesMentioning(wd.dir).length > 0);
      running.proc.kill(signal);
      assert.equal(await running.exited, 0, `clean exit on ${signal}: ${running.output()} ${running.stderr()}`);
      assert.match(running.output(), new RegExp(`${signal}: stopping Convo`));
      assert.equal(isAlive(run.db_pid), false);
      assert.deepEqual(processesMentioning(wd.dir), [], 'no Postgres backend or child left');
      assert.equal(fs.existsSync(path.join(wd.stateDir, 'run.json')), false);
      assert.equal(fs.existsSync(path.join(wd.stateDir, 'db', 'postmaster.pid')), false);
    }
  } finally {
    await wd.remove();
  }
});

test('convo stop stops a running stack; status then reports it stopped', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const running = await startConvo(wd, ports);
    const status = await runConvo(['status'], wd, ports);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /Convo is running/);
    assert.match(status.stdout, new RegExp(`API URL: http://127\\.0\\.0\\.1:${ports.api}`));

    const stopped = await runConvo(['stop'], wd, ports);
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, /Stopped Convo \(pid \d+\)/);
    assert.equal(await running.exited, 0);

    const after = await runConvo(['status', '--json'], wd, ports);
    assert.equal(after.code, 1);
    assert.deepEqual(JSON.parse(after.stdout), { running: false });
    const again = await runConvo(['stop'], wd, ports);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /not running/);
  } finally {
    await wd.remove();
  }
});

test('after a crash (SIGKILL) the next start recovers the orphaned Postgres and the stale postmaster.pid', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const crashed = await startConvo(wd, ports);
    const run = JSON.parse(fs.readFileSync(path.join(wd.stateDir, 'run.json'), 'utf8')) as { db_pid: number };
    crashed.proc.kill('SIGKILL');
    await crashed.exited;
    assert.ok(isAlive(run.db_pid), 'Postgres outlives a killed convo');

    const recovered = await startConvo(wd, ports);
    assert.match(recovered.output(), /stopped a Postgres left running by an earlier crash/);
    assert.equal(isAlive(run.db_pid), false);
    const run2 = JSON.parse(fs.readFileSync(path.join(wd.stateDir, 'run.json'), 'utf8')) as { db_pid: number };
    assert.equal(await recovered.stop(), 0);

    // Now a postmaster.pid whose process is gone, as after a power cut.
    const pidFile = path.join(wd.stateDir, 'db', 'postmaster.pid');
    assert.equal(await waitForExit(run2.db_pid, 5000), true);
    fs.writeFileSync(pidFile, `999999\n${path.join(wd.stateDir, 'db')}\n0\n${ports.db}\n\n127.0.0.1\n0 0\nready\n`);
    const afterPowerCut = await startConvo(wd, ports);
    assert.match(afterPowerCut.output(), /removed a stale postmaster\.pid/);
    assert.equal(await afterPowerCut.stop(), 0);
  } finally {
    await wd.remove();
  }
});

test('function processes do not outlive convo, even when it is killed with SIGKILL', async () => {
  const wd = await makeWorkdir();
  const ports = await freePorts();
  try {
    const dir = path.join(wd.dir, 'functions', 'ping');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.ts'), `Deno.serve(() => new Response('pong'));\n`);
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const convo = await startConvo(wd, ports);
      const res = await fetch(`${convo.status.api_url}/functions/v1/ping`, { headers: { apikey: convo.status.anon_key } });
      assert.equal(await res.text(), 'pong');
      const denos = processesMentioning(dir);
      assert.ok(denos.length > 0, 'the function runs in a process of its own');
      convo.proc.kill(signal);
      await convo.exited;
      for (const pid of denos) assert.equal(await waitForExit(pid, 10_000), true, `deno ${pid} is gone after ${signal}`);
      if (signal === 'SIGKILL') {
        // Postgres outlives a killed convo; the next start recovers it (tested above). Stop it here.
        const run = JSON.parse(fs.readFileSync(path.join(wd.stateDir, 'run.json'), 'utf8')) as { db_pid: number };
        process.kill(run.db_pid, 'SIGINT');
        await waitForExit(run.db_pid, 10_000);
      }
    }
  } finally {
    await wd.remove();
  }
});
