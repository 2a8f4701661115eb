/** `convo stop`: asks a running `convo start` to shut down (SIGTERM) and waits until it has. */
import { ExpectedFailure } from '../shared/errors.ts';
import { waitForExit } from '../shared/process.ts';
import type { ConvoConfig } from './config.ts';
import { readRun } from './run-state.ts';

export async function stop(config: ConvoConfig): Promise<number> {
  const info = await readRun(config.stateDir);
  if (!info) {
    process.stdout.write('Convo is not running.\n');
    return 0;
  }
  process.kill(info.pid, 'SIGTERM');
  if (!(await waitForExit(info.pid, 30_000))) {
    throw new ExpectedFailure('already_running', `Convo (pid ${info.pid}) did not stop within 30 s`);
  }
  process.stdout.write(`Stopped Convo (pid ${info.pid}).\n`);
  return 0;
}
