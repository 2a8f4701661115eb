/** The functions host behind /functions/v1: routes `/<name>/…` to that function's own Deno process, started on demand and kept warm. */
import { existsSync, mkdtempSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Service, ServiceContext, UpgradeHandler } from '../gateway/types.ts';
import { watchCpu } from './cpu-limit.ts';
import { createEntries } from './entries.ts';
import { createSpare } from './spare.ts';
import { edgeError } from './errors.ts';
import { readSecrets } from './env-file.ts';
import { debounce, isFunctionName, listFunctions } from './prewarm.ts';
import type { FunctionsHost, FunctionsHostOptions } from './options.ts';
import { forward, type Upstream } from './proxy.ts';
import { UpstreamPools } from './upstream.ts';
import { startWorker, type FunctionWorker } from './worker.ts';

export type { FunctionsEnv, FunctionsHost, FunctionsHostOptions } from './options.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BOOTSTRAP = join(ROOT, 'supabase/edge/deno/bootstrap.js');

interface Slot {
  worker: FunctionWorker | null;
  /** Its files changed since the worker started: restart before the next request. */
  stale: boolean;
}

/** `/hello/sub` → `hello`. */
function functionName(subpath: string): string {
  const end = subpath.indexOf('/', 1);
  return end < 0 ? subpath.slice(1) : subpath.slice(1, end);
}

export function defaultDenoPath(): string {
  const binary = join(ROOT, 'node_modules/deno/deno');
  return existsSync(binary) ? binary : join(ROOT, 'node_modules/.bin/deno');
}

export function createFunctionsHost(opts: FunctionsHostOptions): FunctionsHost {
  const functionsDir = resolve(opts.functionsDir);
  const { log } = opts;
  const timeoutMs = opts.requestTimeoutMs ?? 150_000;
  const denoPath = opts.denoPath ?? defaultDenoPath();
  const drainMs = opts.drainMs ?? 10_000;
  // One pooled keep-alive connection per concurrent request, reused across requests.
  const pools = new UpstreamPools();
  const slots = new Map<string, Slot>();
  // Each process gets a socket path of its own: a replaced one keeps serving its last requests on the old one.
  const socketDir = (opts.transport ?? 'unix') === 'unix' ? mkdtempSync(join(tmpdir(), 'convo-edge-')) : null;
  let spawned = 0;
  /** Replaced processes finishing their last requests. */
  const retiring = new Set<FunctionWorker>();
  const cacheDir = resolve(opts.cacheDir ?? join(functionsDir, '..', '.convo'));
  const nodeModules = join(ROOT, 'node_modules');
  const entries = createEntries({
    functionsDir,
    outDir: join(cacheDir, 'functions'),
    nodeModules,
    bundle: opts.bundle ?? process.env.CONVO_FUNCTIONS_BUNDLE !== '0',
    log,
  });
  const spare = createSpare((name, entry) => spawnWorker(name, entry), opts.spare ?? process.env.CONVO_FUNCTIONS_SPARE !== '0');
  let watcher: FSWatcher | null = null;
  let closed = false;
  const cpuTimeMs = opts.cpuTimeMs ?? 2_000;
  const cpuWatch = cpuTimeMs > 0
    ? watchCpu({
        limitMs: cpuTimeMs,
        workers: function* (): Generator<FunctionWorker> {
          yield* retiring;
          for (const slot of slots.values()) if (slot.worker) yield slot.worker;
        },
        exceeded: (worker: FunctionWorker) => {
          log.warn({ function: worker.name }, `[${worker.name}] CPU time limit of ${cpuTimeMs} ms reached; stopping the process`);
          void worker.killForCpu();
        },
      })
    : null;
  const prewarm = opts.prewarm ?? process.env.CONVO_FUNCTIONS_PREWARM === '1';
  // After an edit, restart what went stale (and start new functions) without waiting for a request.
  const rewarm = debounce(() => {
    if (closed) return;
    for (const name of listFunctions(functionsDir)) {
      const slot = slots.get(name);
      if (!slot || slot.stale || !slot.worker?.isRunning()) workerFor(name);
    }
  }, 100);

  function watchFiles(): void {
    if (watcher) return;
    try {
      watcher = watch(functionsDir, { recursive: true }, (_event, file) => {
        const top = String(file ?? '').split(/[\\/]/)[0] ?? '';
        // Shared code and secrets belong to every function; anything else to the folder it sits in.
        // The secrets are read when a process starts: the spare has stale ones.
        if (top.startsWith('.')) spare.discard();
        for (const [name, slot] of slots) {
          if (name !== top && !top.startsWith('_') && !top.startsWith('.')) continue;
          slot.stale = true;
          entries.changed(name);
          // Most likely the next process to start: the spare loads its npm bundles meanwhile.
          spare.preload(entries.vendorsOf(name));
        }
        if (prewarm) rewarm.trigger();
      });
      watcher.on('error', (err) => log.warn({ err }, 'functions: file watcher failed; reload on change is off'));
    } catch (err) {
      log.warn({ err }, 'functions: cannot watch the functions folder; reload on change is off');
    }
  }

  /** The running worker for `name`, (re)started when missing, dead or stale. Synchronous, so concurrent requests share one start. */
  function workerFor(name: string): FunctionWorker {
    let slot = slots.get(name);
    if (!slot) slots.set(name, (slot = { worker: null, stale: false }));
    if (slot.worker && slot.worker.isRunning() && !slot.stale) return slot.worker;
    if (slot.worker) retire(slot.worker);
    slot.stale = false;
    slot.worker = spare.run(name, entries.entry(name));
    return slot.worker;
  }

  function spawnWorker(name: string, entry: Promise<string>): FunctionWorker {
    return startWorker({
      name,
      entry,
      denoPath,
      bootstrapPath: BOOTSTRAP,
      configPath: join(ROOT, 'deno.json'),
      readPaths: [functionsDir, nodeModules, join(cacheDir, 'functions')],
      cwd: functionsDir,
      env: { ...readSecrets(join(functionsDir, '.env')), ...opts.env },
      denoDir: join(cacheDir, 'deno'),
      ...(opts.memoryMb ? { memoryMb: opts.memoryMb } : {}),
      ...(socketDir ? { socketPath: join(socketDir, `${++spawned}.sock`) } : {}),
      log,
    });
  }

  /** Stops a replaced process once its requests in flight are done (at most `drainMs` later). */
  function retire(worker: FunctionWorker): void {
    if (!worker.isRunning()) return;
    retiring.add(worker);
    void worker.inFlight
      .idle(drainMs)
      .then(() => worker.kill())
      .finally(() => retiring.delete(worker));
  }

  async function waitReady(worker: FunctionWorker, ms: number): Promise<Upstream | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    try {
      return await Promise.race([worker.ready, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The function a request names, booted and ready to take it; or the error to answer with. */
  async function readyWorker(ctx: ServiceContext): Promise<{ name: string; worker: FunctionWorker; upstream: Upstream; started: number } | Response> {
    const name = functionName(ctx.subpath);
    if (closed) return edgeError('BOOT_ERROR', 'The functions host is shutting down');
    const slot = slots.get(name);
    // The file check is for a function with no running process; a running one is watched for changes.
    if (!(slot?.worker?.isRunning() && !slot.stale) && (!isFunctionName(name) || !existsSync(join(functionsDir, name, 'index.ts')))) {
      return edgeError('NOT_FOUND', `Function not found: ${name || '(none)'}`);
    }
    watchFiles();
    const started = Date.now();
    const worker = workerFor(name);
    if (worker.upstream) return { name, worker, upstream: worker.upstream, started };
    let ready: Upstream | 'timeout';
    try {
      ready = await waitReady(worker, timeoutMs);
    } catch (err) {
      ctx.log.error({ function: name, err }, `[${name}] failed to boot`);
      return edgeError('BOOT_ERROR', `Function failed to start: ${name}`);
    }
    if (ready === 'timeout' || !worker.upstream) {
      void worker.kill();
      return edgeError('IDLE_TIMEOUT', `Function did not start within ${timeoutMs} ms: ${name}`);
    }
    return { name, worker, upstream: worker.upstream, started };
  }

  const service: Service = async (req, ctx) => {
    const target = await readyWorker(ctx);
    if (target instanceof Response) return target;
    const { name, worker, upstream, started } = target;

    const query = req.url.indexOf('?');
    const path = query < 0 ? ctx.subpath : ctx.subpath + req.url.slice(query);
    worker.inFlight.begin();
    const timeLeft = Math.max(1, timeoutMs - (Date.now() - started));
    const result = await forward(req, { pools, upstream, path, timeoutMs: timeLeft, onDone: () => worker.inFlight.end() });
    if (result.kind === 'response') return result.response;
    if (result.kind === 'timeout') {
      ctx.log.warn({ function: name }, `[${name}] wall-clock limit of ${timeoutMs} ms reached; stopping the process`);
      await worker.kill();
      return edgeError('IDLE_TIMEOUT', `Function exceeded the wall-clock limit of ${timeoutMs} ms: ${name}`);
    }
    // The connection broke: usually the process died mid-request. Give its exit a moment to be observed.
    await Promise.race([worker.exited, new Promise((r) => setTimeout(r, 500))]);
    const limit = worker.limitReached();
    if (limit === 'memory') return edgeError('WORKER_LIMIT', `Function exceeded the memory limit: ${name}`);
    if (limit === 'cpu') return edgeError('WORKER_LIMIT', `Function exceeded the CPU time limit of ${cpuTimeMs} ms: ${name}`);
    ctx.log.error({ function: name, err: result.error }, `[${name}] request failed`);
    return edgeError('WORKER_ERROR', `Function exited before answering: ${name}`);
  };

  /**
   * A WebSocket (or other upgrade) request: the function's process gets the request head as it came, on a
   * connection of its own, and from then on bytes flow both ways untouched until either side closes.
   */
  const upgrade: UpgradeHandler = async (req, socket, head, ctx) => {
    const target = await readyWorker(ctx);
    if (target instanceof Response) return target;
    const { name, worker, upstream, started } = target;
    // The project key may ride in the query (browsers set no headers on a WebSocket): the gateway keeps it, as for HTTP.
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    query.delete('apikey');
    const path = query.size ? `${ctx.subpath}?${query}` : ctx.subpath;
    let lines = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\n`;
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    const fn = 'socketPath' in upstream ? connect(upstream.socketPath) : connect(upstream.port, '127.0.0.1');
    worker.inFlight.begin();
    let over = false;
    const end = (): void => {
      if (over) return;
      over = true;
      clearTimeout(limit);
      worker.inFlight.end();
      fn.destroy();
      socket.destroy();
    };
    // The wall-clock limit holds for a WebSocket too, as on Supabase: it is cut when the limit is reached.
    const limit = setTimeout(() => {
      ctx.log.warn({ function: name }, `[${name}] wall-clock limit of ${timeoutMs} ms reached; closing a WebSocket`);
      end();
    }, Math.max(1, timeoutMs - (Date.now() - started)));
    fn.once('close', end).once('error', end);
    socket.once('close', end).once('error', end);
    fn.write(head.length ? Buffer.concat([Buffer.from(lines + '\r\n', 'latin1'), head]) : lines + '\r\n', 'latin1');
    fn.pipe(socket);
    socket.pipe(fn);
    return null;
  };

  if (prewarm) {
    watchFiles();
    for (const name of listFunctions(functionsDir)) workerFor(name);
  }

  return {
    service,
    upgrade,
    async close() {
      closed = true;
      rewarm.cancel();
      cpuWatch?.stop();
      await spare.close();
      watcher?.close();
      // Requests in flight finish (up to the drain bound) before their processes are killed.
      const workers = [...retiring, ...[...slots.values()].flatMap((slot) => (slot.worker ? [slot.worker] : []))];
      await Promise.all(workers.map((worker) => worker.inFlight.idle(drainMs).then(() => worker.kill())));
      slots.clear();
      pools.destroy();
      await entries.close();
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
