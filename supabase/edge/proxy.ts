/**
 * Forwards a gateway request to a function's Deno process over a pooled keep-alive connection, byte for
 * byte: the client's body is piped in and the function's answer relayed back, both with backpressure and
 * without Web stream or Headers conversions on the way.
 */
import type http from 'node:http';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { takeIncoming } from '../gateway/node-adapter.ts';
import type { ServiceRequest } from '../gateway/types.ts';
import { relayedResponse } from '../shared/relayed-response.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'trailer']);
const NULL_BODY = new Set([204, 205, 304]);

export type ForwardResult =
  | { kind: 'response'; response: Response }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: Error };

/** Where the function listens: a localhost port or a unix socket. */
export type Upstream = { port: number } | { socketPath: string };

export interface ForwardOptions {
  agent: http.Agent;
  upstream: Upstream;
  /** Path and query the function sees, e.g. `/hello/sub?x=1`. */
  path: string;
  /** Wall-clock budget left for this request, answer and body included; past it the body is cut. */
  timeoutMs: number;
  /** Called once when the exchange is over: body relayed, failed, timed out or abandoned. */
  onDone(): void;
}

/** Flat `[name, value, …]`: Node then writes them as given (and adds no defaults, so Host is ensured here). */
function requestHeaders(req: ServiceRequest): string[] {
  const headers: string[] = [];
  let host = false;
  req.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name)) return;
    if (name === 'host') host = true;
    headers.push(name, value);
  });
  if (!host) headers.push('host', 'localhost');
  return headers;
}

function responseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  return out;
}

export function forward(req: ServiceRequest, opts: ForwardOptions): Promise<ForwardResult> {
  return new Promise<ForwardResult>((resolve) => {
    let answered = false;
    let upstreamRes: http.IncomingMessage | null = null;
    const outgoing = request({ ...opts.upstream, method: req.method, path: opts.path, headers: requestHeaders(req), agent: opts.agent });
    const settle = (result: ForwardResult): void => {
      if (answered) return;
      answered = true;
      resolve(result);
    };
    // One timer for the whole exchange: before the answer it is a timeout, during the body it cuts the stream.
    const deadline = setTimeout(() => {
      if (upstreamRes) upstreamRes.destroy(new Error('wall-clock limit reached while streaming the response'));
      else settle({ kind: 'timeout' });
      outgoing.destroy();
    }, opts.timeoutMs);

    const incoming = takeIncoming(req);
    // The caller went away: the function sees its request aborted too (until the answer is fully relayed).
    const socket = incoming?.socket;
    const signal = incoming ? null : req.signal;
    const onClientGone = (): void => void outgoing.destroy();
    socket?.once('close', onClientGone);
    signal?.addEventListener('abort', onClientGone, { once: true });
    // The exchange is over (answer relayed, or the connection broken): free what it held.
    outgoing.once('close', () => {
      clearTimeout(deadline);
      socket?.off('close', onClientGone);
      signal?.removeEventListener('abort', onClientGone);
      settle({ kind: 'failed', error: new Error('the connection to the function closed before it answered') });
      opts.onDone();
    });
    outgoing.on('error', (error) => settle({ kind: 'failed', error }));
    outgoing.once('response', (res) => {
      const status = res.statusCode ?? 0;
      if (answered || status < 200 || status > 599) {
        res.destroy();
        return settle({ kind: 'failed', error: new Error(`the function answered with status ${status}`) });
      }
      upstreamRes = res;
      res.on('error', () => {});
      if (NULL_BODY.has(status) || req.method === 'HEAD') res.resume();
      settle({ kind: 'response', response: relayedResponse(res, status, res.statusMessage ?? '', responseHeaders(res.rawHeaders)) });
    });

    if (req.method === 'GET' || req.method === 'HEAD') {
      outgoing.end();
    } else if (incoming) {
      incoming.on('error', (error) => outgoing.destroy(error));
      incoming.pipe(outgoing);
    } else {
      const body = req.body;
      if (!body) return void outgoing.end();
      const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
      source.on('error', (error) => outgoing.destroy(error));
      source.pipe(outgoing);
    }
  });
}
