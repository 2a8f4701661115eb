/** Functions run from esbuild bundles: npm imports resolve even outside the project, import.meta names the source, edits rebuild only the function. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { sleep } from '../../supabase/shared/process.ts';
import { startHostServer, type HostServer } from './host-server.ts';

const npmFunction = (version: number) => `import { z } from 'zod';
import * as jose from 'jose';
import { greet } from '../_shared/greet.ts';

const Body = z.object({ name: z.string() });
Deno.serve(async (req) => {
  const { name } = Body.parse(await req.json());
  const jwt = await new jose.SignJWT({ name }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret'));
  return Response.json({ v: ${version}, greeting: greet(name), jwt: jwt.split('.').length, meta: import.meta.url });
});
`;

describe('functions host: bundles', () => {
  let dir: string;
  let cacheDir: string;
  let host: HostServer;
  const call = async () => {
    const res = await fetch(`${host.functionsUrl}/npm`, { method: 'POST', body: JSON.stringify({ name: 'Ada' }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const listing = async (sub: string) => (await fs.readdir(path.join(cacheDir, 'functions', sub))).filter((f) => f.endsWith('.js')).sort();

  before(async () => {
    // Outside the project: bare npm imports resolve from the project's node_modules all the same.
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-bundle-'));
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-bundle-cache-'));
    await fs.mkdir(path.join(dir, 'npm'));
    await fs.mkdir(path.join(dir, '_shared'));
    await fs.writeFile(path.join(dir, 'npm/index.ts'), npmFunction(1));
    await fs.writeFile(path.join(dir, '_shared/greet.ts'), `export const greet = (name: string) => 'Hello ' + name + '!';\n`);
    await fs.mkdir(path.join(dir, 'boom'));
    await fs.writeFile(path.join(dir, 'boom/index.ts'), `function inner(): never {\n  throw new Error('boom');\n}\nDeno.serve(() => {\n  inner();\n  return new Response('never');\n});\n`);
    host = await startHostServer({ functionsDir: dir, cacheDir });
  });
  after(async () => {
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(cacheDir, { recursive: true, force: true });
  });

  test('a function outside the project imports zod and jose, and import.meta.url still names its source file', async () => {
    assert.deepEqual(await call(), {
      status: 200,
      body: { v: 1, greeting: 'Hello Ada!', jwt: 3, meta: pathToFileURL(path.join(dir, 'npm/index.ts')).href },
    });
    assert.equal((await listing('')).filter((f) => /^npm-[0-9a-f]{12}\.js$/.test(f)).length, 1);
    const vendor = await listing('vendor');
    assert.ok(vendor.some((f) => f.startsWith('zod-')), vendor.join(', '));
    assert.ok(vendor.some((f) => f.startsWith('jose-')), vendor.join(', '));
  });

  test("an uncaught error's stack names the source file and line, not the bundle", async () => {
    const res = await fetch(`${host.functionsUrl}/boom`);
    assert.equal(res.status, 500);
    await res.text();
    assert.ok(host.logs.includes(`[boom]     at inner (${pathToFileURL(path.join(dir, 'boom/index.ts')).href}:2:9)`), host.logs.filter((l) => l.startsWith('[boom]')).join('\n'));
  });

  test('an edit rebuilds the function bundle and reuses the vendor bundles', async () => {
    const npmBundles = async () => (await listing('')).filter((f) => f.startsWith('npm-'));
    const [bundleBefore, vendorBefore] = [await npmBundles(), await listing('vendor')];
    await fs.writeFile(path.join(dir, 'npm/index.ts'), npmFunction(2));
    let seen = await call();
    for (let i = 0; i < 50 && seen.body.v !== 2; i++) {
      await sleep(100);
      seen = await call();
    }
    assert.equal(seen.body.v, 2);
    const bundleAfter = await npmBundles();
    assert.equal(bundleAfter.length, 1);
    assert.notDeepEqual(bundleAfter, bundleBefore);
    assert.deepEqual(await listing('vendor'), vendorBefore);
  });
});
