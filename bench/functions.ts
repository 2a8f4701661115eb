/** /functions/v1 through a real `convo start` against bare Deno: hello throughput and latency (see functions-hello.ts), and cold start of a function importing supabase-js, zod and jose. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultDenoPath } from '../supabase/edge/index.ts';
import { cpuTimeMs } from '../supabase/edge/cpu-limit.ts';
import { freePort, freePorts, makeWorkdir, ROOT, startConvo, type RunningConvo, type Workdir } from '../tests/helpers/convo.ts';
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
  return Response.json({ name, client: typeof client.from, jose: typeof jose.jwtVerify, pid: Deno.pid });
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
/** Wall-clock ms until the first answer, and the CPU ms the Deno process had used by then (steadier on a busy machine). */
interface Cold {
  ms: number;
  cpu: number;
}

/** The ms since `began` until a 200, and the CPU ms the answering process had used by then (the cold function tells its pid). */
async function firstAnswer(url: string, init: RequestInit, began: number, limitMs = 30_000): Promise<Cold> {
  for (;;) {
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      if (res.status === 200) {
        const ms = performance.now() - began;
        const { pid } = JSON.parse(text) as { pid?: number };
        return { ms, cpu: pid ? (cpuTimeMs(pid) ?? NaN) : NaN };
      }
      throw new Error(`${url} answered ${res.status}: ${text}`);
    } catch (err) {
      if (err instanceof Error && err.message.includes('answered')) throw err;
      if (performance.now() - began > limitMs) throw new Error(`${url} did not answer within ${limitMs} ms`);
      await sleep(2);
    }
  }
}

/** The cold-start file run directly by `deno run` (same config and permissions as the host gives it), until it answers. */
async function timeDirectRun(file: string, cwd: string): Promise<Cold> {
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
async function afterTouch(file: string, url: string, init: RequestInit, settleMs = SETTLE_MS): Promise<Cold> {
  const now = new Date();
  await fs.utimes(file, now, now);
  await sleep(settleMs);
  return firstAnswer(url, init, performance.now());
}

/** Runs `use` against a `convo start` of `wd` with extra environment, then stops it. */
async function withConvo<T>(wd: Workdir, env: Record<string, string>, use: (convo: RunningConvo) => Promise<T>): Promise<T> {
  const convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'warn', ...env });
  try {
    return await use(convo);
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
        const coldRuns = async (running: RunningConvo, settleMs = SETTLE_MS) => {
          const url = `${running.status.api_url}/functions/v1/cold`;
          // The first start ever fills Deno's caches (code cache, npm resolution) and builds the bundles: not counted.
          await firstAnswer(url, init, performance.now());
          await timeDirectRun(coldFile, functionsDir);
          const runs: Cold[] = [];
          const base: Cold[] = [];
          for (let i = 0; i < COLD_RUNS; i++) {
            runs.push(await afterTouch(coldFile, url, init, settleMs));
            base.push(await timeDirectRun(coldFile, functionsDir));
          }
          return { runs, base };
        };
        const bundled = await coldRuns(convo);
        await convo.stop();
        // Bundled, but every restart spawns its Deno process (no spare booted ahead).
        const noSpare = await withConvo(wd, { CONVO_FUNCTIONS_SPARE: '0' }, (c) => coldRuns(c));
        // Before: the function's sources run as they are, each restart spawning Deno, as until bundles existed.
        const sources = await withConvo(wd, { CONVO_FUNCTIONS_BUNDLE: '0', CONVO_FUNCTIONS_SPARE: '0' }, (c) => coldRuns(c));
        // With prewarm the host restarts the edited function without waiting for a request.
        const prewarmed = await withConvo(wd, { CONVO_FUNCTIONS_PREWARM: '1' }, (c) => coldRuns(c, PREWARM_SETTLE_MS));
        const med = (xs: Cold[], k: keyof Cold) => round(median(xs.map((x) => x[k])));
        const list = (xs: Cold[]) => xs.map((r) => round(r.ms)).join(', ');
        const value = med(bundled.runs, 'ms');
        const baseline = med(bundled.base, 'ms');
        const [srcValue, srcBase] = [med(sources.runs, 'ms'), med(sources.base, 'ms')];
        rows.push({
          name: 'functions.cold_start',
          value,
          unit: 'ms',
          baseline,
          ratio: round(value / baseline, 2),
          target: '<= 150 ms',
          met: value <= 150,
          note:
            `first request after a restart (file touched) until its answer, bundled + spare process, median of ${COLD_RUNS} [${list(bundled.runs)}]; baseline: deno run of the source until it answers [${list(bundled.base)}]. ` +
            `Bundled, no spare (CONVO_FUNCTIONS_SPARE=0): median ${med(noSpare.runs, 'ms')} ms [${list(noSpare.runs)}] vs deno run ${med(noSpare.base, 'ms')} ms, ratio ${round(med(noSpare.runs, 'ms') / med(noSpare.base, 'ms'), 2)}x. ` +
            `Before (sources, no spare): median ${srcValue} ms [${list(sources.runs)}] vs deno run ${srcBase} ms, ratio ${round(srcValue / srcBase, 2)}x. ` +
            `CPU of the answering Deno process until its first answer (boot included), median: bundled ${med(bundled.runs, 'cpu')} ms, bundled no spare ${med(noSpare.runs, 'cpu')} ms, sources ${med(sources.runs, 'cpu')} ms, deno run ${med([...bundled.base, ...noSpare.base, ...sources.base], 'cpu')} ms. ` +
            `With CONVO_FUNCTIONS_PREWARM=1, ${PREWARM_SETTLE_MS} ms after the touch: median ${med(prewarmed.runs, 'ms')} ms [${list(prewarmed.runs)}]`,
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
