import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import pino from 'pino';
import type { Task } from 'graphile-worker';
import { startMigratedPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startWorker, type JobWorker } from '../../supabase/worker/index.ts';

let cluster: TestPostgres;
let worker: JobWorker;
let client: pg.Client;
const seen: Array<{ label: string; at: number }> = [];
const waiters = new Map<string, () => void>();

const record: Task = async (payload) => {
  const { label } = payload as { label: string };
  seen.push({ label, at: Date.now() });
  waiters.get(label)?.();
};

function ran(label: string): Promise<void> {
  if (seen.some((s) => s.label === label)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${label} never ran`)), 15_000);
    waiters.set(label, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

before(async () => {
  cluster = await startMigratedPostgres();
  // Polling is set far out so that only LISTEN/NOTIFY (sent at commit) can wake the worker in time.
  worker = await startWorker({ url: cluster.url, tasks: { record }, log: pino({ level: 'silent' }), pollInterval: 60_000 });
  client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
});

after(async () => {
  await worker?.stop();
  await client?.end();
  await cluster?.destroy();
});

test('a job added from SQL in a transaction runs only after the commit', async () => {
  await client.query('begin');
  await client.query(`select graphile_worker.add_job('record', json_build_object('label', 'committed'))`);
  await client.query('select pg_sleep(0.5)');
  assert.deepEqual(seen.filter((s) => s.label === 'committed'), [], 'not visible to the worker before commit');
  const committedAt = Date.now();
  await client.query('commit');
  await ran('committed');
  assert.ok(seen.find((s) => s.label === 'committed')!.at >= committedAt);
});

test('a job added in a transaction that rolls back never runs', async () => {
  await client.query('begin');
  await client.query(`select graphile_worker.add_job('record', json_build_object('label', 'rolled-back'))`);
  await client.query('rollback');
  // A later committed job runs; by then the rolled-back one would have run too, had it existed.
  await client.query(`select graphile_worker.add_job('record', json_build_object('label', 'after-rollback'))`);
  await ran('after-rollback');
  assert.deepEqual(seen.map((s) => s.label).filter((l) => l === 'rolled-back'), []);
  const { rows } = await client.query(`select count(*)::int as n from graphile_worker._private_jobs where payload->>'label' = 'rolled-back'`);
  assert.deepEqual(rows, [{ n: 0 }]);
});

test('the worker reports itself running and stops cleanly', async () => {
  assert.equal(worker.running(), true);
  const second = await startWorker({ url: cluster.url, tasks: { record }, log: pino({ level: 'silent' }) });
  assert.equal(second.running(), true);
  await second.stop();
  assert.equal(second.running(), false);
});
