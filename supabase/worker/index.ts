/** Runs graphile-worker inside `convo start`: jobs added from SQL run after their transaction commits. */
import { Logger, run, type LogLevel, type Runner, type TaskList } from 'graphile-worker';
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
  /** True until the runner stops or fails. */
  running(): boolean;
}

export async function startWorker(opts: WorkerOptions): Promise<JobWorker> {
  const logger = new Logger((scope) => (level: LogLevel, message: string) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'debug' ? 'debug' : 'info';
    opts.log[method]({ component: 'worker', ...scope }, message);
  });
  const runner: Runner = await run({
    connectionString: opts.url,
    taskList: opts.tasks,
    concurrency: opts.concurrency ?? 4,
    pollInterval: opts.pollInterval ?? 2000,
    noHandleSignals: true,
    // Scheduled jobs are not used yet: no crontab file to look for.
    parsedCronItems: [],
    logger,
  });
  let alive = true;
  runner.promise.then(
    () => (alive = false),
    (err: unknown) => {
      alive = false;
      opts.log.error({ component: 'worker', err }, 'job worker stopped with an error');
    },
  );
  return {
    async stop() {
      if (!alive) return;
      await runner.stop();
      alive = false;
    },
    running: () => alive,
  };
}
