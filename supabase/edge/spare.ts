/**
 * One Deno process booted ahead of need, with no function yet (the bootstrap waits for its module on stdin):
 * the next function (re)start takes it and only loads its module, so a cold start skips Deno's own boot.
 * Every function gets the same environment and permissions, so any function can take it.
 */
import type { FunctionWorker } from './worker.ts';

export interface Spare {
  /** A process running `entry` as `name`: the spare when one is ready, else a new one; a new spare follows. */
  run(name: string, entry: Promise<string>): FunctionWorker;
  /** Has the spare load these modules ahead (the npm bundles of a function about to restart). */
  preload(urls: string[]): void;
  /** Drops the spare (the functions' environment changed); the next run starts a new one. */
  discard(): void;
  close(): Promise<void>;
}

type Start = (name: string, entry: Promise<string>) => FunctionWorker;

export function createSpare(start: Start, enabled: boolean): Spare {
  let spare: { worker: FunctionWorker; give(entry: Promise<string>): void } | null = null;
  let closed = false;

  function refill(): void {
    if (closed || spare) return;
    let give: (entry: Promise<string>) => void = () => {};
    const entry = new Promise<string>((resolve, reject) => (give = (e) => void e.then(resolve, reject)));
    spare = { worker: start('spare', entry), give };
  }

  function discard(): void {
    const dropped = spare;
    spare = null;
    if (dropped) void dropped.worker.kill();
  }

  return {
    run(name, entry) {
      if (!enabled) return start(name, entry);
      const taken = spare?.worker.isRunning() ? spare : null;
      if (!taken) discard();
      spare = null;
      let worker: FunctionWorker;
      if (taken) {
        taken.worker.rename(name);
        taken.give(entry);
        worker = taken.worker;
      } else {
        worker = start(name, entry);
      }
      // The next spare boots once this process is serving, not competing with it for the CPU.
      void worker.ready.then(refill, refill);
      return worker;
    },
    preload(urls) {
      if (urls.length) spare?.worker.preload(urls);
    },
    discard,
    async close() {
      closed = true;
      const dropped = spare;
      spare = null;
      await dropped?.worker.kill();
    },
  };
}
