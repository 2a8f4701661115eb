/** The effective configuration: `supabase/config.toml` in the work folder, overridden by environment variables. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { ExpectedFailure } from '../shared/errors.ts';

const Port = z.coerce.number().int().min(1).max(65535);

const TomlConfig = z.object({
  api: z.object({
    port: Port.optional(),
    host: z.string().optional(),
    schemas: z.array(z.string().min(1)).min(1).optional(),
    max_rows: z.number().int().positive().optional(),
    server_timing: z.boolean().optional(),
  }).strict().optional(),
  db: z.object({ port: Port.optional(), pool_size: z.number().int().min(1).max(500).optional() }).strict().optional(),
  functions: z.record(z.string(), z.object({ verify_jwt: z.boolean().default(true) }).strict()).optional(),
  auth: z.object({
    site_url: z.string().url().optional(),
    password_min_length: z.number().int().min(1).max(72).optional(),
    enable_anonymous_sign_ins: z.boolean().optional(),
    sms: z.object({ enable_signup: z.boolean().optional() }).strict().optional(),
  }).strict().optional(),
}).passthrough();

export interface ConvoConfig {
  workdir: string;
  stateDir: string;
  dataDir: string;
  migrationsDir: string;
  seedFile: string;
  api: { host: string; port: number; schemas: string[]; maxRows: number | undefined; serverTiming: boolean };
  db: { port: number; url: string | undefined; poolSize: number };
  jwtSecret: string | undefined;
  /** How access tokens are signed (CONVO_JWT_SIGNING): HS256 with the secret, or ES256 with a key generated into the state folder. */
  jwtSigning: JwtSigning;
  production: boolean;
  logLevel: string;
  functions: Record<string, { verify_jwt: boolean }>;
  auth: { siteUrl: string; passwordMinLength: number | undefined; anonymousSignIns: boolean; phoneSignIns: boolean };
}

const JwtSigning = z.enum(['HS256', 'ES256']);
export type JwtSigning = z.infer<typeof JwtSigning>;

export const DEFAULT_API_PORT = 54321;
export const DEFAULT_DB_PORT = 54322;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, workdirFlag?: string): ConvoConfig {
  const workdir = path.resolve(workdirFlag ?? env.CONVO_WORKDIR ?? process.cwd());
  const tomlFile = path.join(workdir, 'supabase', 'config.toml');
  let toml: z.infer<typeof TomlConfig> = {};
  if (fs.existsSync(tomlFile)) {
    try {
      toml = TomlConfig.parse(parseToml(fs.readFileSync(tomlFile, 'utf8')));
    } catch (err) {
      const why = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
      throw new ExpectedFailure('bad_config', `supabase/config.toml: ${why.split('\n')[0]}`);
    }
  }
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const parsed = Port.safeParse(raw);
    if (!parsed.success) throw new ExpectedFailure('bad_config', `${name} must be a port number (1-65535), got "${raw}"`);
    return parsed.data;
  };
  const positive = (name: string, fallback: number | undefined): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^[1-9][0-9]*$/.test(raw)) throw new ExpectedFailure('bad_config', `${name} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw !== 'true' && raw !== 'false') throw new ExpectedFailure('bad_config', `${name} must be true or false, got "${raw}"`);
    return raw === 'true';
  };
  const signing = JwtSigning.safeParse(env.CONVO_JWT_SIGNING || 'HS256');
  if (!signing.success) throw new ExpectedFailure('bad_config', `CONVO_JWT_SIGNING must be HS256 or ES256, got "${env.CONVO_JWT_SIGNING}"`);
  const stateDir = path.resolve(workdir, env.CONVO_STATE_DIR ?? '.convo');
  return {
    workdir,
    stateDir,
    dataDir: path.join(stateDir, 'db'),
    migrationsDir: path.join(workdir, 'sql', 'migrations'),
    seedFile: path.join(workdir, 'sql', 'seed.sql'),
    api: {
      host: env.CONVO_HOST || toml.api?.host || '127.0.0.1',
      port: port('CONVO_API_PORT', toml.api?.port ?? DEFAULT_API_PORT),
      schemas: env.CONVO_DB_SCHEMAS ? env.CONVO_DB_SCHEMAS.split(',').map((s) => s.trim()).filter(Boolean) : toml.api?.schemas ?? ['public'],
      maxRows: positive('CONVO_MAX_ROWS', toml.api?.max_rows),
      serverTiming: flag('CONVO_SERVER_TIMING', toml.api?.server_timing ?? false),
    },
    db: {
      port: port('CONVO_DB_PORT', toml.db?.port ?? DEFAULT_DB_PORT),
      url: env.DATABASE_URL || undefined,
      poolSize: positive('CONVO_DB_POOL_SIZE', toml.db?.pool_size) ?? 10,
    },
    jwtSecret: env.CONVO_JWT_SECRET || undefined,
    jwtSigning: signing.data,
    production: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL || 'info',
    functions: toml.functions ?? {},
    auth: {
      siteUrl: env.CONVO_SITE_URL || toml.auth?.site_url || 'http://localhost:3000',
      passwordMinLength: positive('CONVO_AUTH_PASSWORD_MIN_LENGTH', toml.auth?.password_min_length),
      anonymousSignIns: flag('CONVO_AUTH_ANONYMOUS_SIGN_INS', toml.auth?.enable_anonymous_sign_ins ?? false),
      phoneSignIns: flag('CONVO_AUTH_PHONE_SIGN_INS', toml.auth?.sms?.enable_signup ?? false),
    },
  };
}
