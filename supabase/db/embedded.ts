/** Lifecycle of the embedded Postgres cluster: create it on first run, recover from a crash, start it, stop it. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './binaries.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import { assertPortFree } from '../shared/ports.ts';
import { isAlive, sleep, waitForExit } from '../shared/process.ts';

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';
export const EMBEDDED_DATABASE = 'postgres';

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Postgres's own stderr goes here (appended). */
  logFile: string;
  /** Human-readable progress, one short line per step. */
  onStep?: (message: string) => void;
  startTimeoutMs?: number;
}

export interface EmbeddedCluster {
  url: string;
  pid: number;
  /** True when this start ran initdb. */
  created: boolean;
  stop(): Promise<void>;
}

interface OsUser {
  uid: number;
  gid: number;
}

export function embeddedUrl(port: number): string {
  return `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedCluster> {
  const step = opts.onStep ?? (() => {});
  const bins = await postgresBinaries();
  const owner = process.getuid?.() === 0 ? ensureOsUser(EMBEDDED_USER) : null;

  if (owner) assertReachable(path.dirname(opts.dataDir), owner);
  let created = false;
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    step(`creating Postgres cluster in ${opts.dataDir}`);
    await initCluster(bins.initdb, opts.dataDir, owner);
    created = true;
  }

  const recovered = await recoverStalePostmaster(opts.dataDir);
  if (recovered === 'stopped-orphan') step('stopped a Postgres left running by an earlier crash');
  if (recovered === 'removed-stale') step('removed a stale postmaster.pid left by an earlier crash');

  await assertPortFree(opts.port, 'Postgres', 'CONVO_DB_PORT');
  step(`starting Postgres on port ${opts.port}`);
  const logFd = fs.openSync(opts.logFile, 'a');
  const child = spawn(
    bins.postgres,
    [
      '-D', opts.dataDir,
      '-p', String(opts.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'shared_preload_libraries=pg_stat_statements',
      '-c', 'max_connections=200',
    ],
    {
      // Own process group: a Ctrl-C in the terminal reaches convo, which then stops Postgres last, in order.
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_MESSAGES: 'C' },
      ...(owner ?? {}),
    },
  );
  fs.closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new ExpectedFailure('db_start_failed', 'could not spawn the Postgres server');

  const url = embeddedUrl(opts.port);
  await waitUntilReady(child, url, opts.logFile, opts.startTimeoutMs ?? 30_000);
  return { url, pid, created, stop: () => stopPostmaster(child, pid) };
}

/** Runs initdb into a scratch folder and renames it into place, so an interrupted first run leaves no half cluster. */
async function initCluster(initdb: string, dataDir: string, owner: OsUser | null): Promise<void> {
  const parent = path.dirname(dataDir);
  await fsp.mkdir(parent, { recursive: true });
  const scratch = `${dataDir}.init-${randomBytes(4).toString('hex')}`;
  await fsp.mkdir(scratch, { mode: 0o700 });
  const pwDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'convo-pw-'));
  const pwFile = path.join(pwDir, 'pw');
  await fsp.writeFile(pwFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
  if (owner) {
    // Postgres refuses to run as root: the cluster belongs to the postgres OS user, who must be able to reach it.
    await fsp.chmod(parent, 0o755);
    for (const p of [scratch, pwDir, pwFile]) await fsp.chown(p, owner.uid, owner.gid);
  }
  try {
    await run(initdb, [
      `--pgdata=${scratch}`,
      `--username=${EMBEDDED_USER}`,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--locale=C',
    ], owner);
    await fsp.rename(scratch, dataDir);
  } catch (err) {
    await fsp.rm(scratch, { recursive: true, force: true });
    throw new ExpectedFailure('db_start_failed', `initdb failed: ${(err as Error).message}`);
  } finally {
    await fsp.rm(pwDir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], owner: OsUser | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_MESSAGES: 'C' },
      ...(owner ?? {}),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(lastLines(output, 3) || `exit code ${code}`));
    });
  });
}

/**
 * A postmaster.pid that outlived its server (convo or Postgres was killed) blocks the next start.
 * If the recorded process is a Postgres still serving this data dir, it is an orphan of a crashed
 * convo: shut it down. Otherwise the file is stale: remove it.
 */
export async function recoverStalePostmaster(dataDir: string): Promise<'none' | 'stopped-orphan' | 'removed-stale'> {
  const file = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return 'none';
  }
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && servesDataDir(pid, dataDir)) {
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
    return 'stopped-orphan';
  }
  await fsp.rm(file, { force: true });
  return 'removed-stale';
}

function servesDataDir(pid: number, dataDir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('postgres')) && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

async function waitUntilReady(child: ChildProcess, url: string, logFile: string, timeoutMs: number): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      const fatal = log.split('\n').filter((l) => /FATAL|PANIC|ERROR/.test(l)).pop();
      throw new ExpectedFailure('db_start_failed', `Postgres exited during start: ${fatal?.trim() ?? 'see ' + logFile}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await sleep(40);
    }
  }
  child.kill('SIGQUIT');
  throw new ExpectedFailure('db_start_failed', `Postgres did not accept connections within ${timeoutMs / 1000}s; see ${logFile}`);
}

/** Fast shutdown (SIGINT): active transactions are rolled back, the data stays consistent. */
async function stopPostmaster(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(pid, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000)));
  const done = await Promise.race([exited.then(() => true), late]);
  clearTimeout(timer);
  if (!done) {
    process.kill(pid, 'SIGQUIT');
    await exited;
  }
}

/** Postgres will not run as root: when convo runs as root, the cluster runs as the OS user `postgres`, created if missing. */
function ensureOsUser(name: string): OsUser {
  const lookup = (): OsUser | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid, gid };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  } catch {
    throw new ExpectedFailure('db_start_failed', `running as root, and could not create the OS user "${name}" that Postgres needs`);
  }
  const made = lookup();
  if (!made) throw new ExpectedFailure('db_start_failed', `running as root, and the OS user "${name}" could not be found after creating it`);
  return made;
}

/** Postgres, running as `owner`, must be able to walk down to the cluster's folder. */
function assertReachable(dir: string, owner: OsUser): void {
  let current = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(current);
    } catch {
      /* not created yet: checked once it exists */
    }
    if (st) {
      const searchable = st.uid === owner.uid ? st.mode & 0o100 : st.gid === owner.gid ? st.mode & 0o010 : st.mode & 0o001;
      if (!searchable) {
        throw new ExpectedFailure(
          'db_start_failed',
          `Postgres runs as the OS user "${EMBEDDED_USER}", which cannot enter ${current}; set CONVO_STATE_DIR to a folder it can reach (e.g. under /tmp or /var/lib)`,
        );
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' ').trim();
}
