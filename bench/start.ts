/** `convo start` to ready, cold (initdb included) and warm, against bare Postgres doing the same work. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres } from '../supabase/db/embedded.ts';
import { freePorts, makeWorkdir, ROOT, type Ports, type Workdir } from '../tests/helpers/convo.ts';
import type { BenchRow, BenchSuite } from './types.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds from spawning `convo start` to its "Convo is running" line; then stops it. */
async function timeStart(wd: Workdir, ports: Ports): Promise<number> {
  const began = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'convo.js'), 'start'], {
    cwd: wd.dir,
    env: { PATH: process.env.PATH, CONVO_WORKDIR: wd.dir, CONVO_API_PORT: String(ports.api), CONVO_DB_PORT: String(ports.db), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Convo is running')) resolve(performance.now() - began);
    });
    child.on('exit', (code) => reject(new Error(`convo start exited (${code}): ${out}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return ready;
}

/** Bare Postgres: initdb (cold) and start until it accepts a connection. */
async function timeBarePostgres(cold: boolean, dir: string, port: number): Promise<number> {
  if (cold) await fs.rm(path.join(dir, 'db'), { recursive: true, force: true });
  const began = performance.now();
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, 'db'), port, logFile: path.join(dir, 'pg.log') });
  const ms = performance.now() - began;
  await cluster.stop();
  return ms;
}

function row(name: string, runs: number[], baseRuns: number[], limitMs: number, note: string): BenchRow {
  const value = Math.round(median(runs));
  const baseline = Math.round(median(baseRuns));
  return { name, value, unit: 'ms', baseline, ratio: Math.round((value / baseline) * 100) / 100, target: `< ${limitMs} ms`, met: value < limitMs, note };
}

export const startSuite: BenchSuite = {
  names: ['start.cold', 'start.warm'],
  async run(only) {
    const rows: BenchRow[] = [];
    const wd = await makeWorkdir();
    const ports = await freePorts();
    try {
      if (only('start.cold')) {
        const runs: number[] = [];
        const base: number[] = [];
        for (let i = 0; i < 3; i++) {
          await fs.rm(wd.stateDir, { recursive: true, force: true });
          runs.push(await timeStart(wd, ports));
          base.push(await timeBarePostgres(true, wd.dir, ports.db));
        }
        rows.push(row('start.cold', runs, base, 25_000, 'median of 3; baseline: initdb + postgres until it accepts a connection'));
      }
      if (only('start.warm')) {
        await timeStart(wd, ports);
        const runs: number[] = [];
        const base: number[] = [];
        for (let i = 0; i < 5; i++) {
          runs.push(await timeStart(wd, ports));
          base.push(await timeBarePostgres(false, wd.dir, ports.db));
        }
        rows.push(row('start.warm', runs, base, 5_000, 'median of 5; baseline: postgres start until it accepts a connection'));
      }
    } finally {
      await wd.remove();
    }
    return rows;
  },
};
