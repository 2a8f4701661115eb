/** Test helper: a functions host behind a real node:http server mounted at /functions/v1, logs captured as lines. */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { toServiceRequest, writeWebResponse } from '../../supabase/gateway/node-adapter.ts';
import { createFunctionsHost, type FunctionsHostOptions } from '../../supabase/edge/index.ts';

export interface HostServer {
  url: string;
  functionsUrl: string;
  logs: string[];
  close(): Promise<void>;
}

export const TEST_ENV = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_ANON_KEY: 'anon-key',
  SUPABASE_SERVICE_ROLE_KEY: 'service-key',
  SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
};

export async function startHostServer(opts: Omit<FunctionsHostOptions, 'log' | 'env'>): Promise<HostServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  // Bundles and Deno's caches in a folder of this host's own, outside the watched functions folder.
  const cacheDir = opts.cacheDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'convo-edge-cache-')));
  const host = createFunctionsHost({ ...opts, cacheDir, env: TEST_ENV, log: pino({ level: 'info' }, sink) });
  const quiet = pino({ level: 'silent' });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = '/functions/v1';
    const method = req.method ?? 'GET';
    const subpath = url.pathname.startsWith(prefix + '/') ? url.pathname.slice(prefix.length) : '/';
    host
      .service(toServiceRequest(req, url), { requestId: 'test', subpath, apikeyClaims: null, log: quiet })
      .then((response) => writeWebResponse(res, response, {}, method))
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    functionsUrl: `${url}/functions/v1`,
    logs,
    async close() {
      // As `convo stop` does: no new connections, requests in flight finish (the host drains), then the rest goes.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await host.close();
      server.closeAllConnections();
      await closed;
      if (!opts.cacheDir) await fs.rm(cacheDir, { recursive: true, force: true });
    },
  };
}
