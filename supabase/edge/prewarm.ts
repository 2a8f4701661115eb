/** Prewarming: which functions a folder holds, and a debounced trigger that restarts the stale ones ahead of their next request. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Whether `name` is a servable function name (not `_shared`, not a dot folder). */
export function isFunctionName(name: string): boolean {
  return NAME.test(name);
}

/** Every `<name>/index.ts` in the folder, sorted; none when the folder is missing. */
export function listFunctions(functionsDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(functionsDir);
  } catch {
    return [];
  }
  return entries.filter((name) => isFunctionName(name) && existsSync(join(functionsDir, name, 'index.ts'))).sort();
}

/** Calls `run` once, `delayMs` after the last of a burst of `trigger()` calls (an editor's save is several events). */
export function debounce(run: () => void, delayMs: number): { trigger(): void; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  return {
    trigger() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        run();
      }, delayMs);
      timer.unref();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
