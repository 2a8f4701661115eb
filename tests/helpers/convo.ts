/** Runs the real `convo` CLI as a child process in a throwaway work folder with its own ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'convo.js');

/** The platform migrations, as the ledger names them (`0001_roles`, …), in order. */
export function platformMigrations(): string[] {
  return readdirSync(path.join(ROOT, 'supabase', 'db', 'platform'))
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => f.slice(0, -'.sql'.length));
}

export interface Workdir {
  dir: string;
  stateDir: string;
  migrationsDir: string;
  writeMigration(name: string, sql: string): Promise<string>;
  remove(): Promise<void>;
}

/** A project folder the embedded Postgres (running as the OS user `postgres` under root) can reach. */
export async function makeWorkdir(): Promise<Workdir> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convo-test-'));
  await fs.chmod(dir, 0o755);
  const migrationsDir = path.join(dir, 'sql', 'migrations');
  await fs.mkdir(migrationsDir, { recursive: true });
  return {
    dir,
    stateDir: path.join(dir, '.convo'),
    migrationsDir,
    async writeMigration(name, sql) {
      const file = path.join(migrationsDir, name);
      await fs.writeFile(file, sql);
      return file;
    },
    remove: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

const taken = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port below the kernel's ephemeral range (32768+), so the outgoing connections other tests
 * open meanwhile cannot take it before the server under test binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    taken.add(port);
    if (await canListen(port)) return port;
  }
}

export interface Ports {
  api: number;
  db: number;
}

export async function freePorts(): Promise<Ports> {
  return { api: await freePort(), db: await freePort() };
}

function baseEnv(workdir: Workdir, ports: Ports, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CONVO_WORKDIR: workdir.dir,
    CONVO_API_PORT: String(ports.api),
    CONVO_DB_PORT: String(ports.db),
    LOG_LEVEL: 'warn',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runConvo(args: string[], workdir: Workdir, ports: Ports, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: workdir.dir, env: baseEnv(workdir, ports, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningConvo {
  proc: ChildProcess;
  output(): string;
  stderr(): string;
  status: StatusJson;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
}

export interface StatusJson {
  running: boolean;
  pid: number;
  api_url: string;
  db_url: string;
  db_embedded: boolean;
  anon_key: string;
  service_role_key: string;
  jwt_secret: string;
}

/** Starts `convo start`, waits for its status block, and reads `convo status --json`. */
export async function startConvo(workdir: Workdir, ports: Ports, env: Record<string, string | undefined> = {}): Promise<RunningConvo> {
  const proc = spawn(process.execPath, [BIN, 'start'], { cwd: workdir.dir, env: baseEnv(workdir, ports, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const ready = new Promise<boolean>((resolve) => {
    const check = () => {
      if (out.includes('Convo is running')) resolve(true);
    };
    proc.stdout!.on('data', check);
    void exited.then(() => resolve(false));
  });
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
  const outcome = await Promise.race([ready, timeout]);
  if (outcome !== true) {
    proc.kill('SIGKILL');
    throw new Error(`convo start did not become ready (${outcome === 'timeout' ? 'timeout' : 'exited'}):\n${out}\n${err}`);
  }
  const st = await runConvo(['status', '--json'], workdir, ports, env);
  const status = JSON.parse(st.stdout) as StatusJson;
  return {
    proc,
    output: () => out,
    stderr: () => err,
    status,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      // A failing stop is asserted by the caller; its output is what explains it.
      if (code !== 0) process.stderr.write(`convo exited with ${code}:\n${out}\n${err}\n`);
      return code;
    },
  };
}
