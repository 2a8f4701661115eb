/**
 * Forwards a gateway request to a function's Deno process over a pooled keep-alive connection, byte for
 * byte: the client's body is piped in and the function's answer relayed back, both with backpressure and
 * without Web stream or Headers conversions on the way.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { takeIncoming } from '../gateway/node-adapter.ts';
import type { ServiceRequest } from '../gateway/types.ts';
import { relayBody, relayedResponse } from '../shared/relayed-response.ts';

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

/** One request's trip to the function and back; a class, so its handlers are not closures made per request. */
class Exchange {
  answered = false;
  upstreamRes: http.IncomingMessage | null = null;
  readonly outgoing: http.ClientRequest;
  readonly deadline: NodeJS.Timeout;
  readonly socket: Socket | null;
  readonly signal: AbortSignal | null;

  constructor(
    readonly req: ServiceRequest,
    readonly opts: ForwardOptions,
    readonly resolve: (result: ForwardResult) => void,
  ) {
    this.outgoing = request({ ...opts.upstream, method: req.method, path: opts.path, headers: requestHeaders(req), agent: opts.agent });
    // One timer for the whole exchange: before the answer it is a timeout, during the body it cuts the stream.
    this.deadline = setTimeout(() => this.expire(), opts.timeoutMs);
    const incoming = takeIncoming(req);
    // The caller went away: the function sees its request aborted too (until the answer is fully relayed).
    this.socket = incoming?.socket ?? null;
    this.signal = incoming ? null : req.signal;
    this.socket?.once('close', this.clientGone);
    this.signal?.addEventListener('abort', this.clientGone, { once: true });
    this.outgoing.once('close', () => this.over());
    this.outgoing.on('error', (error) => this.settle({ kind: 'failed', error }));
    this.outgoing.once('response', (res) => this.answer(res));

    if (req.method === 'GET' || req.method === 'HEAD') this.outgoing.end();
    else if (incoming) relayBody(incoming, this.outgoing);
    else if (req.body) relayBody(Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>), this.outgoing);
    else this.outgoing.end();
  }

  readonly clientGone = (): void => void this.outgoing.destroy();

  settle(result: ForwardResult): void {
    if (this.answered) return;
    this.answered = true;
    this.resolve(result);
  }

  expire(): void {
    if (this.upstreamRes) this.upstreamRes.destroy(new Error('wall-clock limit reached while streaming the response'));
    else this.settle({ kind: 'timeout' });
    this.outgoing.destroy();
  }

  answer(res: http.IncomingMessage): void {
    const status = res.statusCode ?? 0;
    if (this.answered || status < 200 || status > 599) {
      res.destroy();
      return this.settle({ kind: 'failed', error: new Error(`the function answered with status ${status}`) });
    }
    this.upstreamRes = res;
    res.on('error', ignore);
    if (NULL_BODY.has(status) || this.req.method === 'HEAD') res.resume();
    this.settle({ kind: 'response', response: relayedResponse(res, status, res.statusMessage ?? '', responseHeaders(res.rawHeaders)) });
  }

  /** The exchange is over (answer relayed, or the connection broken): free what it held. */
  over(): void {
    clearTimeout(this.deadline);
    this.socket?.off('close', this.clientGone);
    this.signal?.removeEventListener('abort', this.clientGone);
    this.settle({ kind: 'failed', error: new Error('the connection to the function closed before it answered') });
    this.opts.onDone();
  }
}

function ignore(): void {}

export function forward(req: ServiceRequest, opts: ForwardOptions): Promise<ForwardResult> {
  return new Promise<ForwardResult>((resolve) => void new Exchange(req, opts, resolve));
}
