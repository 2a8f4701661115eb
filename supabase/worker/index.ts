/**
 * Runs graphile-worker inside `convo start`: jobs added from SQL run after their transaction commits.
 * The runner is supervised: when it stops on its own (the database was reset under it, the server
 * restarted), it is started again with a growing pause, until `stop()` is called.
 */
import { Logger, run, type LogLevel, type Runner, type TaskList } from 'graphile-worker';
import pg from 'pg';
import type { Logger as Pino } from 'pino';

export interface WorkerOptions {
  url: string;
  tasks: TaskList;
  log: Pino;
  concurrency?: number;
  /** Fallback polling; jobs are normally picked up at once through LISTEN/NOTIFY. */
  pollInterval?: number;
}

export interface JobWorker {
  stop(): Promise<void>;
  /** True while a runner is connected and looking for jobs. */
  running(): boolean;
}

const MAX_BACKOFF_MS = 30_000;

export async function startWorker(opts: WorkerOptions): Promise<JobWorker> {
  const logger = new Logger((scope) => (level: LogLevel, message: string) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'debug' ? 'debug' : 'info';
    opts.log[method]({ component: 'worker', ...scope }, message);
  });
  // Our own pool, so that stop() can wait until every connection is closed (and no late 'error' event
  // from a connection that the server ends during shutdown can go unhandled).
  const pool = new pg.Pool({ connectionString: opts.url, max: (opts.concurrency ?? 4) + 2 });
  pool.on('error', (err) => opts.log.warn({ component: 'worker', err: err.message }, 'job worker connection lost'));
  // graphile-worker checks that the pool it is given has 'connect' listeners too.
  pool.on('connect', () => {});
  const launch = (): Promise<Runner> =>
    run({
      pgPool: pool,
      taskList: opts.tasks,
      concurrency: opts.concurrency ?? 4,
      pollInterval: opts.pollInterval ?? 2000,
      noHandleSignals: true,
      // Scheduled jobs are not used yet: no crontab file to look for.
      parsedCronItems: [],
      logger,
    });

  let runner: Runner | null = await launch().catch(async (err: unknown) => {
    await pool.end();
    throw err;
  });
  let stopping = false;
  let backoff = 500;
  let retry: NodeJS.Timeout | null = null;

  const supervise = (r: Runner) => {
    const restart = (err?: unknown) => {
      if (runner === r) runner = null;
      if (stopping) return;
      opts.log.warn({ component: 'worker', err }, `job worker stopped; restarting in ${backoff} ms`);
      retry = setTimeout(() => {
        retry = null;
        launch().then(
          (next) => {
            if (stopping) return void next.stop();
            runner = next;
            backoff = 500;
            supervise(next);
          },
          (e: unknown) => restart(e),
        );
      }, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
    r.promise.then(() => restart(), restart);
  };
  supervise(runner);

  return {
    async stop() {
      stopping = true;
      if (retry) clearTimeout(retry);
      const r = runner;
      runner = null;
      if (r) await r.stop();
      await pool.end();
    },
    running: () => runner !== null,
  };
}
