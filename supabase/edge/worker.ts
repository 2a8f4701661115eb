/** One function's Deno process: spawned through the bootstrap, ready once it prints its port, logs prefixed with its name. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { InFlight } from './in-flight.ts';
import type { Upstream } from './proxy.ts';

export const READY = '__convo_edge_ready__';

export interface WorkerSpec {
  name: string;
  /** file: URL of the module to run (the function's bundle, or its index.ts); Deno boots meanwhile. */
  entry: Promise<string>;
  denoPath: string;
  bootstrapPath: string;
  configPath: string;
  readPaths: string[];
  cwd: string;
  /** Exactly what the function sees in Deno.env (the bootstrap hides anything else). */
  env: Record<string, string>;
  memoryMb?: number;
  /** Deno's cache folder (DENO_DIR: V8 code cache, npm resolution); the function does not see the variable. */
  denoDir?: string;
  /** Serve on this unix socket (a path the host made unique) instead of a localhost TCP port. */
  socketPath?: string;
  log: Logger;
}

export interface FunctionWorker {
  readonly name: string;
  /** A spare process (spare.ts) becomes this function's: its logs carry the new name, its boot time counts from now. */
  rename(to: string): void;
  /** Where it serves; rejects if the process exits first. */
  readonly ready: Promise<Upstream>;
  /** Where it serves, once ready (null before): lets a request skip waiting on `ready`. */
  readonly upstream: Upstream | null;
  /** Its requests in flight: a replaced process is stopped once they are done. */
  readonly inFlight: InFlight;
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<string>;
  readonly pid: number | undefined;
  isRunning(): boolean;
  /** Which limit stopped it: V8 ran out of heap (memory), or the host killed it for CPU time; null if none. */
  limitReached(): 'memory' | 'cpu' | null;
  /** Before its module is given: load these modules now (a spare process warming the npm bundles of the function about to restart). */
  preload(urls: string[]): void;
  /** Kills it for using too much CPU time (see cpu-limit.ts). */
  killForCpu(): Promise<void>;
  kill(): Promise<void>;
}

export function denoArgs(spec: WorkerSpec): string[] {
  const readPaths = spec.socketPath ? [...spec.readPaths, spec.socketPath] : spec.readPaths;
  const args = ['run', '--quiet', '--no-prompt', '--allow-net', '--allow-env', `--allow-read=${readPaths.join(',')}`, `--config=${spec.configPath}`];
  if (spec.socketPath) args.push(`--allow-write=${spec.socketPath}`);
  if (spec.memoryMb) args.push(`--v8-flags=--max-old-space-size=${spec.memoryMb}`);
  args.push(spec.bootstrapPath, Object.keys(spec.env).join(','), spec.socketPath ? `unix:${spec.socketPath}` : 'tcp');
  return args;
}

/** The ready line's address: `unix:<path>` or a port number. */
function upstreamOf(where: string): Upstream {
  return where.startsWith('unix:') ? { socketPath: where.slice('unix:'.length) } : { port: Number(where) };
}

export function startWorker(spec: WorkerSpec): FunctionWorker {
  const { log } = spec;
  let name = spec.name;
  let spawnedAt = performance.now();
  const child: ChildProcess = spawn(spec.denoPath, denoArgs(spec), { cwd: spec.cwd, env: { ...spec.env, NO_COLOR: '1', ...(spec.denoDir ? { DENO_DIR: spec.denoDir } : {}) }, stdio: ['pipe', 'pipe', 'pipe'] });
  // The entry goes first; then stdin is held open: Deno exits when it reads end of input, i.e. when this process is gone.
  child.stdin?.on('error', () => {});
  let entrySent = false;
  spec.entry.then(
    (url) => {
      entrySent = true;
      child.stdin?.write(`${url}\n`);
    },
    (err: unknown) => {
      log.error({ function: name, err }, `[${name}] has no module to run`);
      child.kill('SIGKILL');
    },
  );
  let running = true;
  let oom = false;
  let overCpu = false;
  let upstream: Upstream | null = null;
  const recentErrors: string[] = [];

  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      running = false;
      log.error({ function: name, err }, `[${name}] could not start Deno`);
      resolve('spawn error');
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve(signal ?? `code ${code}`);
    });
  });

  const ready = new Promise<Upstream>((resolve, reject) => {
    lines(child.stdout!, (line) => {
      if (line.startsWith(READY)) {
        upstream = upstreamOf(line.slice(READY.length + 1));
        resolve(upstream);
        log.info({ function: name, bootMs: Math.round(performance.now() - spawnedAt) }, `[${name}] serving (booted in ${Math.round(performance.now() - spawnedAt)} ms)`);
      }
      else log.info({ function: name }, `[${name}] ${line}`);
    });
    lines(child.stderr!, (line) => {
      if (/out of memory/i.test(line)) oom = true;
      recentErrors.push(line);
      if (recentErrors.length > 5) recentErrors.shift();
      log.warn({ function: name }, `[${name}] ${line}`);
    });
    void exited.then((how) => reject(new Error(`${name} exited (${how}) before listening${recentErrors.length ? ': ' + recentErrors.join(' | ') : ''}`)));
  });
  ready.catch(() => {});
  void exited.then((how) => {
    log.info({ function: name }, `[${name}] process stopped (${how})`);
    if (spec.socketPath) rmSync(spec.socketPath, { force: true });
  });

  return {
    get name() {
      return name;
    },
    rename(to: string) {
      name = to;
      spawnedAt = performance.now();
    },
    ready,
    get upstream() {
      return running ? upstream : null;
    },
    inFlight: new InFlight(),
    exited,
    pid: child.pid,
    isRunning: () => running,
    limitReached: () => (oom ? 'memory' : overCpu ? 'cpu' : null),
    preload(urls) {
      if (!entrySent) for (const url of urls) child.stdin?.write(`preload ${url}\n`);
    },
    async killForCpu() {
      overCpu = true;
      if (running) child.kill('SIGKILL');
      await exited;
    },
    async kill() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}

function lines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}
