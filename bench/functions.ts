/** /functions/v1 through a real `convo start` against bare Deno: hello throughput and latency (see functions-hello.ts), and cold start of a function importing supabase-js, zod and jose. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultDenoPath } from '../supabase/edge/index.ts';
import { freePort, freePorts, makeWorkdir, ROOT, startConvo, type Workdir } from '../tests/helpers/convo.ts';
import type { BenchRow, BenchSuite } from './types.ts';
import { helloRows } from './functions-hello.ts';

const COLD_RUNS = 5;
/** Pause between touching a function's file and its first request: the watcher marks it stale meanwhile. */
const SETTLE_MS = 300;
/** With prewarm, the pause after an edit before the request (a save, then a click): the restart runs meanwhile. */
const PREWARM_SETTLE_MS = 1000;

/** Same work as functions/hello (JSON in, JSON out with the CORS headers), served by Deno alone. */
const BARE_HELLO = `
const headers = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type', 'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS', 'Content-Type': 'application/json' };
Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.args[0]), onListen: () => console.log('ready') }, async (req) => {
  const { name } = await req.json();
  return new Response(JSON.stringify({ message: 'Hello ' + name + '!' }), { headers });
});
`;

/** The cold-start subject: the three imports a typical Supabase function starts with. PORT only matters when run directly. */
const COLD_FUNCTION = `
import { createClient } from '@supabase/supabase-js';
import { z } from 'zod';
import * as jose from 'jose';

const Body = z.object({ name: z.string() });
Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) }, async (req) => {
  const client = createClient(Deno.env.get('SUPABASE_URL') ?? 'http://127.0.0.1:1', Deno.env.get('SUPABASE_ANON_KEY') ?? 'anon');
  const { name } = Body.parse(await req.json());
  return Response.json({ name, client: typeof client.from, jose: typeof jose.jwtVerify });
});
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `deno run` and resolves once it prints a line (the bare server's "ready"). */
async function startBareDeno(file: string, port: number): Promise<ChildProcess> {
  const child = spawn(defaultDenoPath(), ['run', '--quiet', '--allow-net', file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare Deno server exited (${code})`)));
  });
  return child;
}

/** POSTs until something answers 200, for a server that is still starting; returns the ms since `began`. */
async function firstAnswer(url: string, init: RequestInit, began: number, limitMs = 30_000): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      if (res.status === 200) return performance.now() - began;
      throw new Error(`${url} answered ${res.status}: ${text}`);
    } catch (err) {
      if (err instanceof Error && err.message.includes('answered')) throw err;
      if (performance.now() - began > limitMs) throw new Error(`${url} did not answer within ${limitMs} ms`);
      await sleep(2);
    }
  }
}

/** The cold-start file run directly by `deno run` (same config and permissions as the host gives it), until it answers. */
async function timeDirectRun(file: string, cwd: string): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(defaultDenoPath(), ['run', '--quiet', '--allow-net', '--allow-env', '--allow-read', `--config=${path.join(ROOT, 'deno.json')}`, file], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    return await firstAnswer(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"name":"cold"}' }, began);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Touches the function's file, leaves the host's watcher time to notice, then times the first request. */
async function afterTouch(file: string, url: string, init: RequestInit, settleMs = SETTLE_MS): Promise<number> {
  const now = new Date();
  await fs.utimes(file, now, now);
  await sleep(settleMs);
  return firstAnswer(url, init, performance.now());
}

/** Runs `use` against a `convo start` of `wd` with extra environment, then stops it. */
async function withConvo<T>(wd: Workdir, env: Record<string, string>, use: (api: string) => Promise<T>): Promise<T> {
  const convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'warn', ...env });
  try {
    return await use(convo.status.api_url);
  } finally {
    await convo.stop();
  }
}

export const functionsSuite: BenchSuite = {
  names: ['functions.hello.rps.c1', 'functions.hello.rps.c10', 'functions.hello.rps', 'functions.hello.p50_added', 'functions.hello.p99', 'functions.cold_start'],
  async run(only) {
    const wd = await makeWorkdir();
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-bench-deno-'));
    const functionsDir = path.join(wd.dir, 'functions');
    for (const name of ['hello', '_shared']) await fs.cp(path.join(ROOT, 'functions', name), path.join(functionsDir, name), { recursive: true });
    await fs.mkdir(path.join(functionsDir, 'cold'));
    const coldFile = path.join(functionsDir, 'cold', 'index.ts');
    await fs.writeFile(coldFile, COLD_FUNCTION);
    // Bare imports resolve through the project's package.json and node_modules, as in a real project folder.
    await fs.copyFile(path.join(ROOT, 'package.json'), path.join(wd.dir, 'package.json'));
    await fs.symlink(path.join(ROOT, 'node_modules'), path.join(wd.dir, 'node_modules'));
    const bareFile = path.join(tmp, 'hello.ts');
    await fs.writeFile(bareFile, BARE_HELLO);

    const convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'warn' });
    const barePort = await freePort();
    let bare: ChildProcess | null = null;
    const rows: BenchRow[] = [];
    try {
      bare = await startBareDeno(bareFile, barePort);
      const keys = { apikey: convo.status.anon_key, authorization: `Bearer ${convo.status.anon_key}` };
      const post = { method: 'POST', body: '{"name":"bench"}' };
      const json = { 'content-type': 'application/json' };

      rows.push(
        ...(await helloRows(
          {
            convoPid: convo.proc.pid!,
            gateway: { url: convo.status.api_url, path: '/functions/v1/hello', headers: { ...json, ...keys } },
            bare: { url: `http://127.0.0.1:${barePort}`, path: '/', headers: json },
            body: post.body,
          },
          only,
        )),
      );

      if (only('functions.cold_start')) {
        const init = { ...post, headers: { ...json, ...keys } };
        /** Restarts after a touch, each followed by a `deno run` of the same file (the baseline), on a machine in the same state. */
        const coldRuns = async (api: string, settleMs = SETTLE_MS) => {
          const url = `${api}/functions/v1/cold`;
          // The first start ever fills Deno's caches (code cache, npm resolution) and builds the bundles: not counted.
          await firstAnswer(url, init, performance.now());
          await timeDirectRun(coldFile, functionsDir);
          const runs: number[] = [];
          const base: number[] = [];
          for (let i = 0; i < COLD_RUNS; i++) {
            runs.push(await afterTouch(coldFile, url, init, settleMs));
            base.push(await timeDirectRun(coldFile, functionsDir));
          }
          return { runs, base };
        };
        const bundled = await coldRuns(convo.status.api_url);
        await convo.stop();
        // Before: the function's sources run as they are (CONVO_FUNCTIONS_BUNDLE=0), as until bundles existed.
        const sources = await withConvo(wd, { CONVO_FUNCTIONS_BUNDLE: '0' }, (api) => coldRuns(api));
        // With prewarm the host restarts the edited function without waiting for a request.
        const prewarmed = await withConvo(wd, { CONVO_FUNCTIONS_PREWARM: '1' }, (api) => coldRuns(api, PREWARM_SETTLE_MS));
        const value = round(median(bundled.runs));
        const baseline = round(median(bundled.base));
        const list = (xs: number[]) => xs.map((r) => round(r)).join(', ');
        const srcValue = round(median(sources.runs));
        const srcBase = round(median(sources.base));
        rows.push({
          name: 'functions.cold_start',
          value,
          unit: 'ms',
          baseline,
          ratio: round(value / baseline, 2),
          target: '<= 150 ms',
          met: value <= 150,
          note: `first request after a restart (file touched) until its answer, bundled, median of ${COLD_RUNS} [${list(bundled.runs)}]; baseline: deno run of the source until it answers [${list(bundled.base)}]. Before (CONVO_FUNCTIONS_BUNDLE=0, sources): median ${srcValue} ms [${list(sources.runs)}] vs deno run ${srcBase} ms, ratio ${round(srcValue / srcBase, 2)}x. With CONVO_FUNCTIONS_PREWARM=1, ${PREWARM_SETTLE_MS} ms after the touch: median ${round(median(prewarmed.runs))} ms [${list(prewarmed.runs)}]`,
        });
      }
    } finally {
      bare?.kill('SIGTERM');
      await convo.stop();
      await wd.remove();
      await fs.rm(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};
