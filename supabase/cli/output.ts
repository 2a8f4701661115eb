/** What the CLI prints: progress lines and the status block (human or --json). */
import type { RunInfo } from './run-state.ts';
import type { DemoUsers } from './seed.ts';

export function step(message: string): void {
  process.stdout.write(`  • ${message}\n`);
}

export function statusJson(info: RunInfo): Record<string, string | number | boolean> {
  return {
    running: true,
    pid: info.pid,
    api_url: info.api_url,
    rest_url: `${info.api_url}/rest/v1`,
    auth_url: `${info.api_url}/auth/v1`,
    functions_url: `${info.api_url}/functions/v1`,
    db_url: info.db_url,
    db_embedded: info.db_embedded,
    jwt_secret: info.jwt_secret,
    anon_key: info.anon_key,
    service_role_key: info.service_role_key,
  };
}

export function statusBlock(info: RunInfo): string {
  const rows: Array<[string, string]> = [
    ['API URL', info.api_url],
    ['REST URL', `${info.api_url}/rest/v1`],
    ['Auth URL', `${info.api_url}/auth/v1`],
    ['Functions URL', `${info.api_url}/functions/v1`],
    ['DB URL', info.db_url + (info.db_embedded ? '' : '  (DATABASE_URL)')],
    ['JWT secret', info.jwt_secret],
    ['anon key', info.anon_key],
    ['service_role key', info.service_role_key],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padStart(width)}: ${v}`).join('\n');
}

/** The demo users sql/seed.sql created on this machine, printed under the status block. */
export function demoBlock(demo: DemoUsers): string {
  const rows: Array<[string, string]> = [
    ['Demo users', demo.emails.join(', ')],
    ['Demo password', `${demo.password}  (made by sql/seed.sql for this machine; kept in .convo/demo-users.json)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padStart(width)}: ${v}`).join('\n');
}
