/** The auth service's connection pool and its one way to write: a transaction that commits or rolls back as a whole. */
import pg from 'pg';
import type { AuthError } from './errors.ts';

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Thrown inside a transaction to commit its writes and still answer with an error (e.g. a revoked session). */
export class CommitWithError extends Error {
  readonly error: AuthError;
  constructor(error: AuthError) {
    super(error.message);
    this.error = error;
  }
}

const commitHooks = new WeakMap<object, Array<() => void>>();

/** Runs `fn` once the transaction `tx` has committed (never if it rolls back), e.g. to send a mail it wrote. */
export function onCommit(tx: Queryable, fn: () => void): void {
  const hooks = commitHooks.get(tx);
  if (!hooks) throw new Error('onCommit needs a client inside AuthDb.tx');
  hooks.push(fn);
}

function runHooks(client: object): void {
  const hooks = commitHooks.get(client) ?? [];
  commitHooks.delete(client);
  for (const fn of hooks) fn();
}

export interface AuthDb {
  pool: pg.Pool;
  tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createAuthDb(url: string, poolSize: number): AuthDb {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {});
  return {
    pool,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        commitHooks.set(client, []);
        try {
          const result = await fn(client);
          await client.query('commit');
          runHooks(client);
          return result;
        } catch (err) {
          if (err instanceof CommitWithError) {
            await client.query('commit');
            runHooks(client);
            throw err.error;
          }
          await client.query('rollback');
          throw err;
        }
      } finally {
        commitHooks.delete(client);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
