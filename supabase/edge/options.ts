/** What the functions host is given and what it gives back. */
import type { Logger } from 'pino';
import type { Service, UpgradeHandler } from '../gateway/types.ts';

export interface FunctionsEnv {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
  SUPABASE_DB_URL: string;
}

export interface FunctionsHostOptions {
  /** Folder with one `<name>/index.ts` per function, `_shared/` and an optional `.env` of secrets. */
  functionsDir: string;
  /** The only host variables functions see, besides the secrets in `<functionsDir>/.env`. */
  env: FunctionsEnv;
  log: Logger;
  /** Wall-clock limit per request (Supabase's request idle timeout); past it the answer is 504 and the process is killed. */
  requestTimeoutMs?: number;
  /** V8 old-space limit per function process. */
  memoryMb?: number;
  /** The Deno binary; defaults to the one the `deno` npm package installed. */
  denoPath?: string;
  /**
   * Start every function's process when the host starts, and restart an edited one as soon as its files
   * change, so no request waits for Deno to boot and load its imports. Costs one idle Deno process per
   * function. Defaults to `CONVO_FUNCTIONS_PREWARM=1` in the host's environment.
   */
  prewarm?: boolean;
  /**
   * How long a replaced process (its files changed) or, on close, every process may keep serving the
   * requests it already has before it is killed. New requests go to the new process meanwhile.
   */
  drainMs?: number;
  /**
   * CPU time a function process may burn with requests in flight without finishing any (Supabase's per-request
   * CPU limit, 2 s); past it the process is killed and its requests answer 546 WORKER_LIMIT. 0 turns it off.
   */
  cpuTimeMs?: number;
  /**
   * Keep one Deno process booted with no function yet, for the next (re)start to take: a cold start then
   * skips Deno's boot. Costs one idle Deno process once any function has started. Default on;
   * `CONVO_FUNCTIONS_SPARE=0` turns it off.
   */
  spare?: boolean;
  /** How the host reaches a function's process: a unix socket (default, cheaper per request) or a localhost TCP port. */
  transport?: 'unix' | 'tcp';
  /**
   * Run each function from a one-file esbuild bundle of it and its npm imports (rebuilt when its files
   * change) instead of its sources: a much shorter cold start. Default on; `CONVO_FUNCTIONS_BUNDLE=0` turns it off.
   */
  bundle?: boolean;
  /** Where bundles (`functions/`) and Deno's caches (`deno/`, V8 code cache included) live; default `.convo` beside the functions folder. */
  cacheDir?: string;
}

export interface FunctionsHost {
  service: Service;
  /** WebSocket (and other upgrade) requests, relayed to the function as raw bytes both ways. */
  upgrade: UpgradeHandler;
  close(): Promise<void>;
}
