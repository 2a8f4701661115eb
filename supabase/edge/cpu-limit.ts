/**
 * Supabase's per-request CPU-time limit, approximated for a process that serves many requests: a function
 * process with requests in flight that burns more than `limitMs` of CPU without finishing any of them (an
 * endless loop, a runaway computation) is over the limit. Read from /proc/<pid>/stat; off where there is none.
 */
import { readFileSync } from 'node:fs';

export interface CpuWatched {
  readonly pid: number | undefined;
  /** Requests in flight now, and finished so far. */
  readonly inFlight: { readonly count: number; readonly finished: number };
}

/** User + system CPU time of a process so far, in ms; null when it cannot be read. */
export function cpuTimeMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

interface Mark {
  cpu: number;
  finished: number;
}

/** Checks `workers()` every `everyMs` and calls `exceeded` for each one over the limit. */
export function watchCpu<W extends CpuWatched>(opts: { limitMs: number; everyMs?: number; workers: () => Iterable<W>; exceeded: (worker: W) => void }): { stop(): void } {
  const marks = new WeakMap<CpuWatched, Mark>();
  const timer = setInterval(() => {
    for (const worker of opts.workers()) {
      const { count, finished } = worker.inFlight;
      if (count === 0 || worker.pid === undefined) {
        marks.delete(worker);
        continue;
      }
      const cpu = cpuTimeMs(worker.pid);
      if (cpu === null) continue;
      const mark = marks.get(worker);
      // A request finished since the last look: the process is making progress, count from here.
      if (!mark || mark.finished !== finished) marks.set(worker, { cpu, finished });
      else if (cpu - mark.cpu > opts.limitMs) {
        marks.delete(worker);
        opts.exceeded(worker);
      }
    }
  }, opts.everyMs ?? 100);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
