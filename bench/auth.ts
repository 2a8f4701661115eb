/** /auth/v1 through a real `convo start`: refresh-token grant and GET /user at 50 connections, and the bcrypt-bound password grant at 10. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePorts, makeWorkdir, ROOT, startConvo } from '../tests/helpers/convo.ts';
import { DEFAULT_BCRYPT_COST } from '../supabase/auth/bcrypt.ts';
import type { BenchRow, BenchSuite } from './types.ts';
import { CONNECTIONS, DURATION, runLoad, type Load } from './run-load.ts';

/** Users signed up first: each brings one session, whose refresh token seeds the refresh load (more than CONNECTIONS). */
const USERS = 100;
const PASSWORD = 'bench-password-123';
const PASSWORD_CONNECTIONS = 10;
/** The abuse limits would stop a single client address within seconds; the bench turns them off. */
const NO_LIMITS = { CONVO_AUTH_RATE_LIMIT_SIGN_IN_SIGN_UPS: '0', CONVO_AUTH_RATE_LIMIT_TOKEN_REFRESH: '0', CONVO_AUTH_RATE_LIMIT_SIGN_INS_PER_EMAIL: '0' };

interface Session {
  access_token: string;
  refresh_token: string;
}

const round = (x: number) => Math.round(x);
const email = (i: number) => `bench${i}@example.com`;

async function signUp(url: string, apikey: string, i: number): Promise<Session> {
  const res = await fetch(`${url}/auth/v1/signup`, { method: 'POST', headers: { apikey, 'content-type': 'application/json' }, body: JSON.stringify({ email: email(i), password: PASSWORD }) });
  const body = (await res.json()) as Session;
  if (res.status !== 200 || !body.refresh_token) throw new Error(`signup ${i} answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Runs bench/auth-load.ts in its own process; fails on any error, non-2xx or token shortage. */
function refreshLoad(url: string, apikey: string, tokensFile: string): Promise<Load> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', path.join(ROOT, 'bench', 'auth-load.ts'), JSON.stringify({ url, apikey, tokensFile, connections: CONNECTIONS, duration: DURATION })];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      try {
        const r = JSON.parse(out.trim().split('\n').pop() ?? '') as Load & { starved: number };
        if (r.errors > 0 || r.non2xx > 0 || r.starved > 0) reject(new Error(`refresh load: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.starved} starved of ${r.total}`));
        else resolve(r);
      } catch {
        reject(new Error(`refresh load generator exited ${code}: ${out}`));
      }
    });
  });
}

const rateRow = (name: string, r: Load, note: string): BenchRow => ({ name, value: round(r.rps), unit: 'req/s', baseline: null, ratio: null, target: '-', met: null, note: `${note}; p50 ${r.p50} ms, p99 ${r.p99} ms` });

export const authSuite: BenchSuite = {
  names: ['auth.refresh_token', 'auth.get_user', 'auth.password_grant'],
  async run(only) {
    const wd = await makeWorkdir();
    const convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'warn', ...NO_LIMITS });
    const rows: BenchRow[] = [];
    try {
      const { api_url: url, anon_key: apikey } = convo.status;
      const sessions: Session[] = [];
      for (let i = 0; i < USERS; i += 10) sessions.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => signUp(url, apikey, i + k)))));

      if (only('auth.get_user')) {
        const spec = { url, path: '/auth/v1/user', headers: { apikey, authorization: `Bearer ${sessions[0]!.access_token}` } };
        await runLoad({ ...spec, duration: 1 });
        rows.push(rateRow('auth.get_user', await runLoad(spec), `${CONNECTIONS} connections, one user's access token`));
      }
      if (only('auth.refresh_token')) {
        const file = path.join(wd.dir, 'refresh-tokens.txt');
        await fs.writeFile(file, sessions.map((s) => s.refresh_token).join('\n') + '\n');
        const r = await refreshLoad(url, apikey, file);
        rows.push(rateRow('auth.refresh_token', r, `${CONNECTIONS} connections, every request a token never used before (${USERS} sessions rotating)`));
      }
      if (only('auth.password_grant')) {
        const r = await runLoad({
          url,
          method: 'POST',
          path: '/auth/v1/token?grant_type=password',
          headers: { apikey, 'content-type': 'application/json' },
          body: `{"email":"bench{id}@example.com","password":"${PASSWORD}"}`,
          max: USERS - 1,
          connections: PASSWORD_CONNECTIONS,
        });
        rows.push(rateRow('auth.password_grant', r, `${PASSWORD_CONNECTIONS} connections, bcrypt cost ${DEFAULT_BCRYPT_COST} on a pool of min(2, cores) workers`));
      }
    } finally {
      await convo.stop();
      await wd.remove();
    }
    return rows;
  },
};
