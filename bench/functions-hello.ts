/**
 * The hello rows: `POST /functions/v1/hello` through `convo start` against a bare `Deno.serve` hello, at 1,
 * 10 and 50 connections, with the added p50 and the CPU each request costs the convo process.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { BenchRow } from './types.ts';
import { runLoad, type Load } from './run-load.ts';

export interface HelloTargets {
  /** The convo process (gateway and functions host); its CPU per request is reported. */
  convoPid: number;
  gateway: { url: string; path: string; headers: Record<string, string> };
  bare: { url: string; path: string; headers: Record<string, string> };
  body: string;
}

const CONNECTION_COUNTS = [1, 10, 50] as const;
const SEQUENTIAL_REQUESTS = 2_000;
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** User + system CPU time of a process so far, in ms (from /proc/<pid>/stat, 100 ticks a second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** p50 and p99 of one request at a time over a keep-alive connection, to the microsecond (autocannon reports whole ms). */
async function sequentialLatency(base: string, path: string, headers: Record<string, string>, body: string): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { hostname, port } = new URL(base);
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const began = performance.now();
      const req = http.request({ hostname, port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - began) : reject(new Error(`${path} answered ${res.statusCode}`))));
      });
      req.once('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 200; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) times.push(await once());
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

export async function helloRows(t: HelloTargets, only: (name: string) => boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const post = { method: 'POST', body: t.body };
  const gw = { ...post, ...t.gateway };
  const bare = { ...post, ...t.bare };
  await runLoad({ ...bare, duration: 1 });
  await runLoad({ ...gw, duration: 1 });
  // What the convo process burns with no requests (job worker polling, timers), taken off the per-request figure.
  const idleFrom = cpuMs(t.convoPid);
  const idleStarted = performance.now();
  await new Promise((r) => setTimeout(r, 2_000));
  const idlePerMs = (cpuMs(t.convoPid) - idleFrom) / (performance.now() - idleStarted);
  const loads = new Map<number, { g: Load; b: Load }>();
  for (const connections of CONNECTION_COUNTS) {
    const name = connections === 50 ? 'functions.hello.rps' : `functions.hello.rps.c${connections}`;
    if (!only(name) && !(connections === 50 && (only('functions.hello.p50_added') || only('functions.hello.p99')))) continue;
    // Bare and gateway alternate, so both see the same machine.
    const b = await runLoad({ ...bare, connections });
    const before = cpuMs(t.convoPid);
    const began = performance.now();
    const g = await runLoad({ ...gw, connections });
    const busyMs = cpuMs(t.convoPid) - before - idlePerMs * (performance.now() - began);
    const cpuPerRequest = (Math.max(0, busyMs) * 1000) / g.total;
    loads.set(connections, { g, b });
    if (!only(name)) continue;
    rows.push({
      name,
      value: round(g.rps),
      unit: 'req/s',
      baseline: round(b.rps),
      ratio: round(g.rps / b.rps, 2),
      target: '-',
      met: null,
      note: `${connections} connection(s): p50 ${g.p50} vs bare ${b.p50} ms (added ${g.p50 - b.p50} ms), p99 ${g.p99} vs bare ${b.p99} ms; convo process CPU ${round(cpuPerRequest)} µs per request (idle use taken off)`,
    });
  }
  const at50 = loads.get(50);
  if (only('functions.hello.p50_added') && at50) {
    // The hop's own latency, one request at a time. Under load the p50 is mostly queueing (Little's law:
    // connections / throughput), which the req/s rows measure; those added p50s are in the note.
    const g1 = await sequentialLatency(t.gateway.url, t.gateway.path, t.gateway.headers, t.body);
    const b1 = await sequentialLatency(t.bare.url, t.bare.path, t.bare.headers, t.body);
    const added = round(g1.p50 - b1.p50, 3);
    const underLoad = [...loads].map(([c, l]) => `${c} connection(s) ${l.g.p50 - l.b.p50} ms`).join(', ');
    rows.push({
      name: 'functions.hello.p50_added',
      value: added,
      unit: 'ms',
      baseline: round(b1.p50, 3),
      ratio: null,
      target: '<= 1.5 ms',
      met: added <= 1.5,
      note: `p50 through the gateway minus bare Deno's, one request at a time over a kept-alive connection (${SEQUENTIAL_REQUESTS} requests): ${round(g1.p50, 3)} vs ${round(b1.p50, 3)} ms; p99 ${round(g1.p99, 3)} vs ${round(b1.p99, 3)} ms. Added p50 under load (autocannon, whole ms): ${underLoad}`,
    });
  }
  if (only('functions.hello.p99') && at50) {
    rows.push({ name: 'functions.hello.p99', value: round(at50.g.p99, 2), unit: 'ms', baseline: round(at50.b.p99, 2), ratio: round(at50.g.p99 / Math.max(at50.b.p99, 1), 2), target: '-', met: null, note: 'p99 at 50 connections through the gateway; baseline: bare Deno p99' });
  }
  return rows;
}
