/** `convo status [--json]`: the status block of the running stack; exit code 1 when it is not running. */
import type { ConvoConfig } from './config.ts';
import { demoBlock, statusBlock, statusJson } from './output.ts';
import { readDemoUsers } from './seed.ts';
import { readRun } from './run-state.ts';

export async function status(config: ConvoConfig, opts: { json: boolean }): Promise<number> {
  const info = await readRun(config.stateDir);
  if (opts.json) {
    process.stdout.write(JSON.stringify(info ? statusJson(info) : { running: false }, null, 2) + '\n');
  } else if (info) {
    const demo = info.db_embedded ? await readDemoUsers(config.stateDir) : null;
    process.stdout.write(`Convo is running (pid ${info.pid}, since ${info.started_at}).\n\n${statusBlock(info)}\n${demo ? `\n${demoBlock(demo)}\n` : ''}`);
  } else {
    process.stdout.write('Convo is not running. Start it with `npm start`.\n');
  }
  return info ? 0 : 1;
}
