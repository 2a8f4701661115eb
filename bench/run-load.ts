/** Runs bench/load.ts (autocannon) in a process of its own and returns its figures; any error or non-2xx fails the row. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../tests/helpers/convo.ts';

export const CONNECTIONS = 50;
export const DURATION = Number(process.env.BENCH_DURATION ?? 5);

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

export function runLoad(spec: Record<string, unknown>): Promise<Load> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', path.join(ROOT, 'bench', 'load.ts'), JSON.stringify({ connections: CONNECTIONS, duration: DURATION, max: 1, ...spec })];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      try {
        const result = JSON.parse(out.trim().split('\n').pop() ?? '') as Load;
        if (result.errors > 0 || result.non2xx > 0) reject(new Error(`${String(spec.url)}${String(spec.path)}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.total}`));
        else resolve(result);
      } catch {
        reject(new Error(`load generator exited ${code}: ${out}`));
      }
    });
  });
}
