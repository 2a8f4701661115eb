/** Reaching a Postgres server: one clear line when it is unreachable or too old, passwords never echoed. */
import pg from 'pg';
import { ExpectedFailure } from '../shared/errors.ts';

export const MIN_SERVER_VERSION = 150000;

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** Connects once, checks the server version, and returns it (e.g. 180004). */
export async function checkServer(url: string, what = 'DATABASE_URL'): Promise<number> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('scheme');
  } catch {
    throw new ExpectedFailure('bad_config', `${what} is not a postgresql:// URL`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>(`select current_setting('server_version_num') as v`);
    const version = Number(rows[0]?.v);
    if (version < MIN_SERVER_VERSION) {
      throw new ExpectedFailure('db_unsupported', `${what} points at Postgres ${Math.floor(version / 10000)}; Convo needs Postgres 15 or newer`);
    }
    return version;
  } catch (err) {
    if (err instanceof ExpectedFailure) throw err;
    const e = err as NodeJS.ErrnoException;
    const reason = e.code && !/^[0-9A-Z]{5}$/.test(e.code) ? `${e.code}` : e.message;
    throw new ExpectedFailure('db_unreachable', `cannot reach ${what} (${parsed.hostname}:${parsed.port || 5432}): ${reason}`);
  } finally {
    await client.end().catch(() => {});
  }
}
