/**
 * Forwards a gateway request to a function's Deno process over a pooled keep-alive connection
 * (`upstream.ts`), speaking HTTP/1.1 on the socket itself: the request head is written by hand, with a small
 * body in the same write and a large or chunked one piped with backpressure; the answer's head is read by
 * hand and its body relayed as it comes, or — when it arrived whole with its head, the usual case for a
 * JSON answer — handed over as bytes. No node:http ClientRequest, Agent or IncomingMessage is made per request.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { readAll, takeIncoming } from '../gateway/node-adapter.ts';
import type { ServiceRequest } from '../gateway/types.ts';
import { relayedResponse } from '../shared/relayed-response.ts';
import { ChunkedDecoder, readHead, type ConnectionUser, type ResponseHead, type Upstream, type UpstreamConnection, type UpstreamPools } from './upstream.ts';

export type { Upstream } from './upstream.ts';

/** Never forwarded: they describe one hop (the proxy sets its own framing), not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'trailer', 'expect', 'content-length']);
/** A request body up to this size is read whole and written with the head in one go; a larger one streams. */
const BUFFER_BODY_UP_TO = 64 * 1024;
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

export type ForwardResult =
  | { kind: 'response'; response: Response }
  | { kind: 'timeout' }
  | { kind: 'failed'; error: Error };

export interface ForwardOptions {
  pools: UpstreamPools;
  upstream: Upstream;
  /** Path and query the function sees, e.g. `/hello/sub?x=1`. */
  path: string;
  /** Wall-clock budget left for this request, answer and body included; past it the body is cut. */
  timeoutMs: number;
  /** Called once when the exchange is over: body relayed, failed, timed out or abandoned. */
  onDone(): void;
}

/** How the request body travels: none, bytes known up front, or a stream (with its length, or chunked). */
type Body = { kind: 'none' } | { kind: 'bytes'; bytes: Buffer } | { kind: 'stream'; source: Readable; length: number | null };

/** A request target as the function sees it: anything outside printable ASCII percent-encoded. */
function requestTarget(path: string): string {
  return /^[\x21-\x7e]*$/.test(path) ? path : path.replace(/[^\x21-\x7e]+/g, (s) => encodeURIComponent(s));
}

/** The function's headers without its framing and connection ones (the gateway sets its own). */
function responseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase()) || raw[i]!.toLowerCase() === 'content-length') out.push(raw[i]!, raw[i + 1]!);
  return out;
}

function requestHead(req: ServiceRequest, path: string, body: Body): string {
  let head = `${req.method} ${requestTarget(path)} HTTP/1.1\r\n`;
  let host = false;
  req.headers.forEach((value, name) => {
    if (HOP_BY_HOP.has(name)) return;
    if (name === 'host') host = true;
    head += `${name}: ${value}\r\n`;
  });
  if (!host) head += 'host: localhost\r\n';
  if (body.kind === 'bytes') head += `content-length: ${body.bytes.length}\r\n`;
  else if (body.kind === 'stream') head += body.length === null ? 'transfer-encoding: chunked\r\n' : `content-length: ${body.length}\r\n`;
  else if (req.method !== 'GET' && req.method !== 'HEAD') head += 'content-length: 0\r\n';
  return head + '\r\n';
}

async function bodyOf(req: ServiceRequest, incoming: IncomingMessage | null): Promise<Body> {
  if (req.method === 'GET' || req.method === 'HEAD') {
    incoming?.resume();
    return { kind: 'none' };
  }
  if (!incoming) {
    const bytes = Buffer.from(await req.arrayBuffer());
    return bytes.length ? { kind: 'bytes', bytes } : { kind: 'none' };
  }
  const declared = incoming.headers['content-length'];
  const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : null;
  if (length === null && incoming.headers['transfer-encoding'] === undefined) {
    incoming.resume();
    return { kind: 'none' };
  }
  if (length !== null && length <= BUFFER_BODY_UP_TO) return { kind: 'bytes', bytes: await readAll(incoming) };
  return { kind: 'stream', source: incoming, length };
}

/** One request's trip to the function and back. */
class Exchange implements ConnectionUser {
  private conn: UpstreamConnection | null = null;
  private head: ResponseHead | null = null;
  /** Response bytes while the head is incomplete. */
  private pending: Buffer | null = null;
  private received = false;
  private remaining = 0;
  private decoder: ChunkedDecoder | null = null;
  /** Body pieces decoded before it is known whether the answer streams. */
  private parts: Buffer[] | null = null;
  private stream: Readable | null = null;
  private answered = false;
  private finished = false;
  private readonly deadline: NodeJS.Timeout;
  private readonly clientSocket: Socket | null;
  private readonly signal: AbortSignal | null;

  constructor(
    private readonly req: ServiceRequest,
    private readonly opts: ForwardOptions,
    incoming: IncomingMessage | null,
    private readonly body: Body,
    private readonly resolve: (result: ForwardResult) => void,
  ) {
    // One timer for the whole exchange: before the answer it is a timeout, during the body it cuts the stream.
    this.deadline = setTimeout(() => this.expire(), opts.timeoutMs);
    // The caller went away: the function sees its connection close (until the answer is fully relayed).
    this.clientSocket = incoming?.socket ?? null;
    this.signal = incoming ? null : req.signal;
    this.clientSocket?.once('close', this.clientGone);
    this.signal?.addEventListener('abort', this.clientGone, { once: true });
    this.send(opts.pools.get(opts.upstream).acquire());
  }

  private send(conn: UpstreamConnection): void {
    this.conn = conn;
    conn.user = this;
    const head = requestHead(this.req, this.opts.path, this.body);
    const body = this.body;
    if (body.kind === 'bytes') conn.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body.bytes]));
    else conn.socket.write(head, 'latin1');
    if (body.kind === 'stream') this.pipeBody(conn, body.source, body.length === null);
  }

  /** The client's body into the function, paused while the socket is full; chunk-encoded when its length is unknown. */
  private pipeBody(conn: UpstreamConnection, source: Readable, chunked: boolean): void {
    const socket = conn.socket;
    source.on('data', (chunk: Buffer) => {
      if (this.conn !== conn || socket.destroyed) return;
      const ok = socket.write(chunked ? Buffer.concat([Buffer.from(chunk.length.toString(16) + '\r\n', 'latin1'), chunk, CRLF]) : chunk);
      if (!ok) {
        source.pause();
        socket.once('drain', () => source.resume());
      }
    });
    source.once('end', () => {
      if (chunked && this.conn === conn && !socket.destroyed) socket.write(LAST_CHUNK);
    });
  }

  readonly clientGone = (): void => {
    if (this.finished) return;
    this.fail(new Error('the client went away'));
  };

  onData(chunk: Buffer): void {
    this.received = true;
    try {
      if (this.head) return this.bodyData(chunk);
      const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      const read = readHead(buf, this.req.method);
      if (!read) {
        this.pending = buf;
        return;
      }
      this.pending = null;
      this.head = read.head;
      this.startBody(buf.subarray(read.offset));
    } catch (err) {
      this.fail(err as Error);
    }
  }

  onEnd(error: Error | null): void {
    if (this.finished) return;
    // A kept-alive connection the function had already closed: the request never reached it, so it is sent again on a new one.
    if (!this.received && this.conn?.reused && this.body.kind !== 'stream') {
      this.conn = null;
      this.send(this.opts.pools.get(this.opts.upstream).acquire(true));
      return;
    }
    if (this.head?.framing === 'close' && error === null) return this.endBody(null);
    this.fail(error ?? new Error('the connection to the function closed before it answered'));
  }

  private startBody(rest: Buffer): void {
    const head = this.head!;
    if (head.framing === 'none') {
      this.answer(Buffer.alloc(0));
      return this.complete(rest);
    }
    if (head.framing === 'length' && rest.length >= head.length) {
      this.answer(rest.subarray(0, head.length));
      return this.complete(rest.subarray(head.length));
    }
    if (head.framing === 'chunked') {
      this.parts = [];
      this.decoder = new ChunkedDecoder((data) => this.pushBody(data));
      this.decoder.write(rest);
      if (this.decoder.done) {
        this.answer(Buffer.concat(this.parts));
        return this.complete(this.decoder.rest);
      }
      this.answerStreaming();
      return;
    }
    this.remaining = head.framing === 'length' ? head.length : Infinity;
    this.answerStreaming();
    if (rest.length) this.bodyData(rest);
  }

  private bodyData(chunk: Buffer): void {
    if (this.decoder) {
      this.decoder.write(chunk);
      if (this.decoder.done) this.endBody(this.decoder.rest);
      return;
    }
    const n = Math.min(this.remaining, chunk.length);
    this.pushBody(n === chunk.length ? chunk : chunk.subarray(0, n));
    this.remaining -= n;
    if (this.remaining === 0) this.endBody(chunk.length > n ? chunk.subarray(n) : null);
  }

  private pushBody(data: Buffer): void {
    if (this.parts) this.parts.push(data);
    else if (this.stream && !this.stream.push(data)) this.conn?.socket.pause();
  }

  private endBody(rest: Buffer | null): void {
    this.stream?.push(null);
    this.complete(rest);
  }

  private answer(bytes: Buffer): void {
    const head = this.head!;
    this.settle({ kind: 'response', response: relayedResponse(bytes, head.status, head.statusText, responseHeaders(head.rawHeaders)) });
  }

  /** The answer is relayed as a stream: the socket is paused while the gateway's client is slow to read. */
  private answerStreaming(): void {
    const head = this.head!;
    const stream = new Readable({
      read: () => void this.conn?.socket.resume(),
      destroy: (err, callback) => {
        // The gateway stopped relaying (its client went away): the function sees its connection close.
        if (!this.finished) this.fail(err ?? new Error('the relay was abandoned'));
        callback(err);
      },
    });
    const parts = this.parts ?? [];
    this.parts = null;
    this.stream = stream;
    for (const part of parts) stream.push(part);
    this.settle({ kind: 'response', response: relayedResponse(stream, head.status, head.statusText, responseHeaders(head.rawHeaders)) });
  }

  private settle(result: ForwardResult): void {
    if (this.answered) return;
    this.answered = true;
    this.resolve(result);
  }

  /** The answer is complete: the connection goes back to the pool when nothing follows it. */
  private complete(rest: Buffer | null): void {
    if (this.finished) return;
    this.finished = true;
    const conn = this.conn;
    this.conn = null;
    conn?.release(this.head!.keepAlive && (rest === null || rest.length === 0));
    this.over();
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    const conn = this.conn;
    this.conn = null;
    conn?.socket.destroy();
    if (this.answered) {
      if (this.stream && !this.stream.destroyed) this.stream.destroy(error);
    } else {
      this.settle({ kind: 'failed', error });
    }
    this.over();
  }

  private expire(): void {
    if (this.finished) return;
    if (!this.answered) {
      this.settle({ kind: 'timeout' });
      return this.fail(new Error('wall-clock limit reached'));
    }
    this.fail(new Error('wall-clock limit reached while streaming the response'));
  }

  /** The exchange is over (answer read, or the connection broken): free what it held. */
  private over(): void {
    clearTimeout(this.deadline);
    this.clientSocket?.off('close', this.clientGone);
    this.signal?.removeEventListener('abort', this.clientGone);
    this.opts.onDone();
  }
}

export async function forward(req: ServiceRequest, opts: ForwardOptions): Promise<ForwardResult> {
  const incoming = takeIncoming(req);
  let body: Body;
  try {
    body = await bodyOf(req, incoming);
  } catch (error) {
    opts.onDone();
    return { kind: 'failed', error: error as Error };
  }
  return new Promise<ForwardResult>((resolve) => void new Exchange(req, opts, incoming, body, resolve));
}
