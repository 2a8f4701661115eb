/**
 * The REST engine's connections: a plain stack of idle node-postgres clients. Taking one that is idle is a
 * synchronous pop (no promise, no timer, no event); a request waits, with a deadline, only when every
 * connection is busy. Idle connections are closed by one periodic sweep rather than a timer per release.
 */
import pg from 'pg';

export interface PoolOptions {
  connectionString: string;
  max: number;
  /** How long a request waits for a busy pool before giving up. */
  acquireTimeoutMs: number;
  /** A connection unused this long is closed. */
  idleTimeoutMs: number;
}

export class PoolTimeoutError extends Error {
  constructor() {
    super('timeout exceeded when trying to connect');
  }
}

interface Waiter {
  resolve(client: pg.Client): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class ConnectionPool {
  readonly #opts: PoolOptions;
  /** Idle clients, most recently used last, and when each was released. */
  readonly #idle: pg.Client[] = [];
  readonly #lastUsed = new WeakMap<pg.Client, number>();
  /** Every client that is open or opening. */
  readonly #open = new Set<pg.Client>();
  readonly #waiters: Waiter[] = [];
  readonly #sweep: NodeJS.Timeout;
  #ended = false;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
    this.#sweep = setInterval(() => this.#closeIdle(), Math.max(1_000, Math.min(opts.idleTimeoutMs, 10_000)));
    this.#sweep.unref();
  }

  /** An idle client, or null when none is idle right now (then use `acquire`). */
  tryAcquire(): pg.Client | null {
    return this.#idle.pop() ?? null;
  }

  /** A client: an idle one, a new one while the pool is below its size, else the next one released. */
  acquire(): Promise<pg.Client> {
    if (this.#ended) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'));
    const idle = this.tryAcquire();
    if (idle) return Promise.resolve(idle);
    if (this.#open.size < this.#opts.max) return this.#connect();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(new PoolTimeoutError());
        }, this.#opts.acquireTimeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Gives a client back; `discard` closes it instead (it broke, or holds too much server state). */
  release(client: pg.Client, discard: boolean): void {
    if (discard || this.#ended || !this.#open.has(client)) {
      this.#close(client);
      this.#serveWaiterWithNewClient();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(client);
      return;
    }
    this.#lastUsed.set(client, performance.now());
    this.#idle.push(client);
  }

  async end(): Promise<void> {
    this.#ended = true;
    clearInterval(this.#sweep);
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('Cannot use a pool after calling end on the pool'));
    }
    this.#idle.length = 0;
    await Promise.all([...this.#open].map((c) => c.end().catch(() => {})));
    this.#open.clear();
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#opts.connectionString, connectionTimeoutMillis: this.#opts.acquireTimeoutMs });
    this.#open.add(client);
    // A connection the server ends (or that breaks) while idle leaves the pool; one in use fails its query.
    client.on('error', () => this.#forget(client));
    client.on('end', () => this.#forget(client));
    try {
      await client.connect();
    } catch (err) {
      this.#forget(client);
      this.#serveWaiterWithNewClient();
      throw /timeout/i.test((err as Error).message) ? new PoolTimeoutError() : err;
    }
    return client;
  }

  /** A connection closed: when someone waits, a new one opens for them. */
  #serveWaiterWithNewClient(): void {
    if (this.#ended || this.#waiters.length === 0 || this.#open.size >= this.#opts.max) return;
    const waiter = this.#waiters.shift()!;
    clearTimeout(waiter.timer);
    this.#connect().then(waiter.resolve, waiter.reject);
  }

  #forget(client: pg.Client): void {
    this.#open.delete(client);
    const i = this.#idle.indexOf(client);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  #close(client: pg.Client): void {
    this.#forget(client);
    client.end().catch(() => {});
  }

  #closeIdle(): void {
    const cutoff = performance.now() - this.#opts.idleTimeoutMs;
    // The least recently used are first: close from the front while they are stale.
    while (this.#idle.length > 0 && (this.#lastUsed.get(this.#idle[0]!) ?? 0) < cutoff) this.#close(this.#idle[0]!);
  }
}
