/** `convo functions new <name>`: scaffolds `functions/<name>/index.ts`; a running `convo start` serves it at once. */
import path from 'node:path';
import { scaffoldFunction } from '../edge/scaffold.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import type { ConvoConfig } from './config.ts';

export async function functionsNew(config: ConvoConfig, name: string | undefined): Promise<number> {
  if (!name) throw new ExpectedFailure('bad_usage', 'usage: convo functions new <name>   (e.g. convo functions new whatsapp-webhook)');
  const file = await scaffoldFunction(path.join(config.workdir, 'functions'), name);
  process.stdout.write(`Created ${path.relative(process.cwd(), file) || file}\nServed at /functions/v1/${name} (add [functions.${name}] verify_jwt = false to supabase/config.toml for webhooks).\n`);
  return 0;
}
