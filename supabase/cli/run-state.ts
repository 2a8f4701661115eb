/** `.convo/run.json`: written by a running `convo start`, read by `status` and `stop`, removed on a clean stop. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isAlive } from '../shared/process.ts';

export const RunInfo = z.object({
  pid: z.number().int(),
  started_at: z.string(),
  api_url: z.string(),
  db_url: z.string(),
  db_embedded: z.boolean(),
  db_pid: z.number().int().nullable(),
  anon_key: z.string(),
  service_role_key: z.string(),
  jwt_secret: z.string(),
});
export type RunInfo = z.infer<typeof RunInfo>;

const file = (stateDir: string) => path.join(stateDir, 'run.json');

/** The running stack, or null. A run.json whose process is gone (a crash) is removed. */
export async function readRun(stateDir: string): Promise<RunInfo | null> {
  let info: RunInfo;
  try {
    info = RunInfo.parse(JSON.parse(await fs.readFile(file(stateDir), 'utf8')));
  } catch {
    return null;
  }
  if (!isAlive(info.pid)) {
    await fs.rm(file(stateDir), { force: true });
    return null;
  }
  return info;
}

export async function writeRun(stateDir: string, info: RunInfo): Promise<void> {
  await fs.writeFile(file(stateDir), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

export async function removeRun(stateDir: string, pid: number): Promise<void> {
  const current = await fs.readFile(file(stateDir), 'utf8').catch(() => null);
  if (current && JSON.parse(current).pid === pid) await fs.rm(file(stateDir), { force: true });
}
