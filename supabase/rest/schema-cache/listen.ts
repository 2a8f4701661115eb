// In charge of keeping a current schema cache: loads it, LISTENs on channel `pgrst` on its own connection, reloads on `reload schema` and `reload config` (debounced), and reconnects with backoff — reloading then, since notifications may have been missed.

import pg from 'pg';
import { loadSchemaCache } from './load.ts';
import type { SchemaCache } from './types.ts';

/** The subset of a pino logger the holder uses (a pino Logger fits). */
export interface SchemaCacheLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SchemaCacheHolderOptions {
  readonly url: string;
  /** Exposed schemas; the first is the default. */
  readonly schemas: readonly string[];
  readonly log?: SchemaCacheLog;
  /** Called with every cache loaded, the first one included. */
  readonly onReload?: (cache: SchemaCache) => void;
  /** Quiet time after the last notification of a burst before reloading. Default 50 ms. */
  readonly debounceMs?: number;
  /** Longest a continuing burst of notifications may postpone the reload. Default 1 s. */
  readonly maxDelayMs?: number;
  /** First pause before reconnecting (doubled after each failure). Default 100 ms. */
  readonly retryMinMs?: number;
  /** Longest pause before reconnecting. Default 10 s. */
  readonly retryMaxMs?: number;
}

export interface SchemaCacheHolder {
  /** The latest cache. Throws before the first load has completed (see `ready`). */
  current(): SchemaCache;
  /** Resolves once the first cache is loaded (the holder keeps retrying until then); rejects if closed first. */
  readonly ready: Promise<void>;
  /** Reloads now (coalesced with a reload already waiting); rejects if this load fails, keeping the previous cache. */
  reload(): Promise<void>;
  /** Stops listening and reconnecting, waits for a load in progress, closes the connection. */
  close(): Promise<void>;
}

export const SCHEMA_CACHE_CHANNEL = 'pgrst';

const noop = (): void => {};
const silent: SchemaCacheLog = { debug: noop, info: noop, warn: noop, error: noop };
const component = 'schema-cache';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function countOf(cache: SchemaCache): { relations: number; relationships: number; functions: number } {
  let relationships = 0;
  for (const list of cache.relationships.values()) relationships += list.length;
  let functions = 0;
  for (const list of cache.routines.values()) functions += list.length;
  return { relations: cache.relations.size, relationships, functions };
}

export function createSchemaCacheHolder(opts: SchemaCacheHolderOptions): SchemaCacheHolder {
  const log = opts.log ?? silent;
  const debounceMs = opts.debounceMs ?? 50;
  const maxDelayMs = opts.maxDelayMs ?? 1000;
  const retryMinMs = opts.retryMinMs ?? 100;
  const retryMaxMs = opts.retryMaxMs ?? 10_000;

  let cache: SchemaCache | null = null;
  let closed = false;
  /** The connection that is LISTENing; also used for loads while it is up. */
  let listener: pg.Client | null = null;
  /** A connection being opened, so that close() can end it too. */
  let opening: pg.Client | null = null;
  let backoff = retryMinMs;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let retryLoadTimer: NodeJS.Timeout | null = null;
  let debounceTimer: NodeJS.Timeout | null = null;
  let burstStart: number | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  let markReady: () => void = noop;
  let failReady: (err: Error) => void = noop;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(noop); // closing before the first load must not be an unhandled rejection

  const nextBackoff = (): number => {
    const wait = backoff;
    backoff = Math.min(backoff * 2, retryMaxMs);
    return wait;
  };

  async function loadOnce(): Promise<void> {
    const started = performance.now();
    let next: SchemaCache;
    const conn = listener;
    if (conn !== null) {
      next = await loadSchemaCache(conn, opts.schemas);
    } else {
      // Not listening right now (reconnecting): a one-off connection, so an explicit reload still works.
      const once = new pg.Client({ connectionString: opts.url, application_name: 'convo schema cache' });
      once.on('error', noop);
      await once.connect();
      try {
        next = await loadSchemaCache(once, opts.schemas);
      } finally {
        await once.end().catch(noop);
      }
    }
    if (closed) return;
    cache = next;
    log.info({ component, ms: Math.round(performance.now() - started), ...countOf(next) }, 'schema cache loaded');
    try {
      opts.onReload?.(next);
    } catch (err) {
      log.error({ component, err: message(err) }, 'schema cache onReload callback failed');
    }
  }

  function startLoad(): Promise<void> {
    const p: Promise<void> = loadOnce().finally(() => {
      if (running === p) running = null;
    });
    running = p;
    // `ready` settles once this load is no longer running, so a reload() right after it starts a fresh load.
    return p.then(() => {
      if (cache !== null && !closed) markReady();
    });
  }

  /** One load at a time; requests made during a load share the single load that follows it. */
  function requestReload(): Promise<void> {
    if (closed) return Promise.reject(new Error('the schema cache holder is closed'));
    if (queued !== null) return queued;
    if (running !== null) {
      queued = running.catch(noop).then(() => {
        queued = null;
        return closed ? undefined : startLoad();
      });
      return queued;
    }
    return startLoad();
  }

  /** A reload nobody awaits (notification, reconnection): failures are logged and retried with backoff. */
  function backgroundReload(reason: string): void {
    log.debug({ component, reason }, 'reloading the schema cache');
    requestReload().then(
      () => {
        backoff = retryMinMs;
      },
      (err: unknown) => {
        if (closed) return;
        log.error({ component, err: message(err) }, 'could not load the schema cache');
        if (listener !== null && retryLoadTimer === null) {
          retryLoadTimer = setTimeout(() => {
            retryLoadTimer = null;
            if (!closed) backgroundReload('retry');
          }, nextBackoff());
        }
      },
    );
  }

  function onNotification(payload: string): void {
    // 'reload config' too: role settings (ALTER ROLE … SET) are read with the schema cache.
    if (payload !== '' && payload !== 'reload schema' && payload !== 'reload config') {
      log.debug({ component, payload }, 'ignored a notification on channel pgrst');
      return;
    }
    const now = Date.now();
    if (burstStart === null) burstStart = now;
    if (debounceTimer !== null) clearTimeout(debounceTimer);
    const wait = Math.max(0, Math.min(debounceMs, burstStart + maxDelayMs - now));
    debounceTimer = setTimeout(() => {
      debounceTimer = null;
      burstStart = null;
      backgroundReload('notification');
    }, wait);
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    const wait = nextBackoff();
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, wait);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const client = new pg.Client({ connectionString: opts.url, application_name: 'convo schema cache listener' });
    opening = client;
    let lost = false;
    const onLost = (err?: unknown): void => {
      if (lost) return;
      lost = true;
      if (listener === client) listener = null;
      if (opening === client) opening = null;
      client.removeAllListeners('notification');
      client.end().catch(noop);
      if (closed) return;
      log.warn({ component, err: err === undefined ? 'connection ended' : message(err) }, 'schema cache listener lost its connection; reconnecting');
      scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.channel === SCHEMA_CACHE_CHANNEL) onNotification(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query('listen pgrst');
    } catch (err) {
      onLost(err);
      return;
    }
    if (opening === client) opening = null;
    if (closed || lost) {
      client.end().catch(noop);
      return;
    }
    listener = client;
    log.info({ component, channel: SCHEMA_CACHE_CHANNEL }, 'listening for schema changes');
    // First connection, or a reconnection after which notifications may have been missed: load in either case.
    backgroundReload(cache === null ? 'start' : 'reconnected');
  }

  void connect();

  return {
    current() {
      if (cache === null) throw new Error('the schema cache is not loaded yet');
      return cache;
    },
    ready,
    reload: () => requestReload(),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of [reconnectTimer, retryLoadTimer, debounceTimer]) if (t !== null) clearTimeout(t);
      reconnectTimer = retryLoadTimer = debounceTimer = null;
      failReady(new Error('the schema cache holder was closed before the schema cache was loaded'));
      await Promise.allSettled([running, queued].filter((p): p is Promise<void> => p !== null));
      const clients = [listener, opening].filter((c): c is pg.Client => c !== null);
      listener = opening = null;
      await Promise.all(
        clients.map((c) => {
          c.removeAllListeners('notification');
          return c.end().catch(noop);
        }),
      );
    },
  };
}
