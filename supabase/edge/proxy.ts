/** Forwards a gateway request to a function's localhost port over node:http, byte for byte, and streams the answer back. */
import http from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { ServiceRequest } from '../gateway/types.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'trailer']);
const NULL_BODY = new Set([204, 205, 304]);

export type ForwardResult =
  | { kind: 'response'; response: Response }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: Error };

export interface ForwardOptions {
  agent: http.Agent;
  port: number;
  /** Path and query the function sees, e.g. `/hello/sub?x=1`. */
  path: string;
  /** Wall-clock budget left for this request. */
  timeoutMs: number;
}

export function forward(req: ServiceRequest, opts: ForwardOptions): Promise<ForwardResult> {
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  return new Promise<ForwardResult>((resolve) => {
    const started = Date.now();
    let settled = false;
    const settle = (result: ForwardResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const outgoing = http.request({ host: '127.0.0.1', port: opts.port, method: req.method, path: opts.path, headers, agent: opts.agent });
    const deadline = setTimeout(() => {
      settle({ kind: 'timeout' });
      outgoing.destroy();
    }, opts.timeoutMs);

    outgoing.on('error', (error) => settle({ kind: 'failed', error }));
    outgoing.on('response', (res) => {
      if (settled) return void res.destroy();
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 599) {
        res.destroy();
        return settle({ kind: 'failed', error: new Error(`the function answered with status ${status}`) });
      }
      const out = new Headers();
      const raw = res.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.append(raw[i]!, raw[i + 1]!);
      // The body gets what is left of the wall-clock budget; past it the stream is cut (the process is left running).
      const left = Math.max(1, opts.timeoutMs - (Date.now() - started));
      const bodyDeadline = setTimeout(() => res.destroy(new Error('wall-clock limit reached while streaming the response')), left);
      res.once('close', () => clearTimeout(bodyDeadline));
      const noBody = NULL_BODY.has(status) || req.method === 'HEAD';
      if (noBody) res.resume();
      const body = noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      settle({ kind: 'response', response: new Response(body, { status, statusText: res.statusMessage ?? '', headers: out }) });
    });

    // Read once: the gateway's request hands out its body stream a single time.
    const requestBody = req.body;
    // The caller went away: the function sees its request aborted too (until the answer is fully read).
    const onAbort = (): void => void outgoing.destroy();
    req.signal.addEventListener('abort', onAbort, { once: true });
    outgoing.once('close', () => req.signal.removeEventListener('abort', onAbort));
    if (!requestBody) {
      outgoing.end();
      return;
    }
    const source = Readable.fromWeb(requestBody as unknown as NodeReadableStream<Uint8Array>);
    source.on('error', (error) => outgoing.destroy(error));
    source.pipe(outgoing);
  });
}
