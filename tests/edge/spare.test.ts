/** The spare process: booted ahead with no function, taken by the next (re)start; dropped when the secrets change. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sleep } from '../../supabase/shared/process.ts';
import { startHostServer, type HostServer } from './host-server.ts';

const fn = (v: number) => `import { z } from 'zod';
Deno.serve(() => Response.json({ v: z.number().parse(${v}), pid: Deno.pid, secret: Deno.env.get('MY_SECRET') ?? null }));`;

/** This process's Deno children (the host runs in it). */
function denoChildren(): number[] {
  const pids = readdirSync('/proc/self/task').flatMap((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'deno';
    } catch {
      return false;
    }
  });
}

async function until<T>(find: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await sleep(50);
  }
  assert.fail(`never happened: ${what}`);
}

describe('functions host: spare process', () => {
  let dir: string;
  let host: HostServer;
  const call = async () => (await (await fetch(`${host.functionsUrl}/fn`)).json()) as { v: number; pid: number; secret: string | null };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-spare-'));
    await fs.mkdir(path.join(dir, 'fn'));
    await fs.writeFile(path.join(dir, 'fn/index.ts'), fn(1));
    await fs.writeFile(path.join(dir, '.env'), 'MY_SECRET=one\n');
    host = await startHostServer({ functionsDir: dir, spare: true });
  });
  after(async () => {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('after an edit the function runs in the spare booted ahead, and a new spare follows', async () => {
    const first = await call();
    const spare = await until(() => denoChildren().find((pid) => pid !== first.pid), 'a spare process is booted');
    await fs.writeFile(path.join(dir, 'fn/index.ts'), fn(2));
    const edited = await until(async () => {
      const seen = await call();
      return seen.v === 2 ? seen : undefined;
    }, 'the edit is served');
    assert.equal(edited.pid, spare);
    await until(() => denoChildren().find((pid) => pid !== spare && pid !== first.pid), 'the next spare is booted');
  });

  test('another function can take a spare that preloaded the npm bundles of the edited one', async () => {
    await fs.mkdir(path.join(dir, 'other'));
    await fs.writeFile(path.join(dir, 'other/index.ts'), `Deno.serve(() => Response.json({ other: true, pid: Deno.pid }));`);
    // The edit has the spare load zod's bundle for fn; then 'other' starts first and takes that spare.
    const before = await call();
    const spare = await until(() => denoChildren().find((pid) => pid !== before.pid), 'a spare process is booted');
    await fs.writeFile(path.join(dir, 'fn/index.ts'), fn(3));
    await sleep(300);
    const other = (await (await fetch(`${host.functionsUrl}/other`)).json()) as { other: boolean; pid: number };
    assert.deepEqual(other, { other: true, pid: spare });
    assert.equal((await until(async () => {
      const seen = await call();
      return seen.v === 3 ? seen : undefined;
    }, 'fn serves its edit')).v, 3);
  });

  test('a change of secrets drops the spare, so the restarted function sees the new ones', async () => {
    await fs.writeFile(path.join(dir, '.env'), 'MY_SECRET=two\n');
    const seen = await until(async () => {
      const body = await call();
      return body.secret === 'two' ? body : undefined;
    }, 'the new secret is served');
    assert.equal(seen.v, 3);
  });
});
