/** A small `node:worker_threads` pool running bcrypt off the event loop; workers start on first use and are unref'd while idle. */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

type Job = { op: 'hash'; password: string; cost: number } | { op: 'compare'; password: string; hash: string };

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface BcryptPool {
  hash(password: string, cost: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
  close(): Promise<void>;
}

const SCRIPT = new URL('./bcrypt-worker.js', import.meta.url);

export function createBcryptPool(size = Math.min(2, os.availableParallelism())): BcryptPool {
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(SCRIPT), pending: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = slot.pending.get(msg.id);
      if (!p) return;
      slot.pending.delete(msg.id);
      if (slot.pending.size === 0) slot.worker.unref();
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    const fail = (err: Error) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`bcrypt worker exited (${code})`)));
    slots.push(slot);
    return slot;
  };

  /** The least busy worker, starting another while the pool is below its size and every worker is busy. */
  const pick = (): Slot => {
    const idle = slots.reduce<Slot | null>((best, s) => (!best || s.pending.size < best.pending.size ? s : best), null);
    if (idle && (idle.pending.size === 0 || slots.length >= size)) return idle;
    return spawn();
  };

  const run = (job: Job): Promise<unknown> => {
    if (closed) return Promise.reject(new Error('bcrypt pool is closed'));
    const slot = pick();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, ...job });
    });
  };

  return {
    hash: async (password, cost) => (await run({ op: 'hash', password, cost })) as string,
    compare: async (password, hash) => (await run({ op: 'compare', password, hash })) === true,
    async close() {
      closed = true;
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
