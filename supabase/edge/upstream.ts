/**
 * Keep-alive connections to the functions' Deno processes, and the HTTP/1.1 response reader the proxy
 * uses on them. The upstream is always one of our own Deno servers, so the reader handles what an HTTP/1.1
 * server may send back (interim 1xx answers, `content-length`, `chunked` with trailers, or a body that
 * runs until the connection closes) without node:http's ClientRequest, Agent and IncomingMessage per request.
 */
import net from 'node:net';

/** Where the function listens: a localhost port or a unix socket. */
export type Upstream = { port: number } | { socketPath: string };

const MAX_HEAD_BYTES = 64 * 1024;

/** What a connection reports to the exchange using it. */
export interface ConnectionUser {
  onData(chunk: Buffer): void;
  /** The connection failed or closed; `error` is null for an orderly close by the other side. */
  onEnd(error: Error | null): void;
}

export class UpstreamConnection {
  readonly socket: net.Socket;
  user: ConnectionUser | null = null;
  /** It has served a request before (a failure before any answer may then be a stale keep-alive). */
  reused = false;

  constructor(
    upstream: Upstream,
    private readonly pool: UpstreamPool,
  ) {
    this.socket = 'socketPath' in upstream ? net.connect(upstream.socketPath) : net.connect(upstream.port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      // Bytes nobody asked for (an idle connection): the stream is out of step, so it is dropped.
      if (this.user) this.user.onData(chunk);
      else this.socket.destroy();
    });
    this.socket.on('error', (err) => this.end(err));
    this.socket.on('close', () => this.end(null));
  }

  private end(error: Error | null): void {
    this.pool.forget(this);
    const user = this.user;
    this.user = null;
    user?.onEnd(error);
  }

  /** Back to the pool for the next request, or closed when it cannot be reused. */
  release(reusable: boolean): void {
    this.user = null;
    if (!reusable || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    this.reused = true;
    this.pool.park(this);
  }
}

/** Idle connections to one upstream, most recently used first. */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = [];
  private readonly all = new Set<UpstreamConnection>();

  constructor(private readonly upstream: Upstream) {}

  acquire(fresh = false): UpstreamConnection {
    const parked = fresh ? undefined : this.idle.pop();
    if (parked) return parked;
    const conn = new UpstreamConnection(this.upstream, this);
    this.all.add(conn);
    return conn;
  }

  park(conn: UpstreamConnection): void {
    if (this.all.has(conn)) this.idle.push(conn);
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
  }

  get size(): number {
    return this.all.size;
  }

  destroy(): void {
    for (const conn of [...this.all]) conn.socket.destroy();
  }
}

/** One pool per upstream address; a pool whose connections are all gone is dropped on the next lookup. */
export class UpstreamPools {
  private readonly pools = new Map<string, UpstreamPool>();

  get(upstream: Upstream): UpstreamPool {
    const key = 'socketPath' in upstream ? upstream.socketPath : `:${upstream.port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      if (this.pools.size > 64) for (const [k, p] of this.pools) if (p.size === 0) this.pools.delete(k);
      this.pools.set(key, (pool = new UpstreamPool(upstream)));
    }
    return pool;
  }

  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Flat `[name, value, …]` as the server sent them. */
  rawHeaders: string[];
  /** How the body is delimited. */
  framing: 'none' | 'length' | 'chunked' | 'close';
  length: number;
  /** The server keeps the connection open after this answer. */
  keepAlive: boolean;
}

export class ProtocolError extends Error {}

/** Status codes whose answers never have a body. */
const NULL_BODY = new Set([204, 304]);

/**
 * Reads one response head from `buf`; null while it is incomplete. Interim 1xx answers before it are
 * skipped. Returns the head and the offset where the body starts.
 */
export function readHead(buf: Buffer, method: string): { head: ResponseHead; offset: number } | null {
  let start = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', start, 'latin1');
    if (end < 0) {
      if (buf.length - start > MAX_HEAD_BYTES) throw new ProtocolError('the function sent a response head over 64 KiB');
      return null;
    }
    const lines = buf.toString('latin1', start, end).split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (!m) throw new ProtocolError(`the function sent a malformed status line: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const status = Number(m[2]);
    const offset = end + 4;
    if (status >= 100 && status < 200) {
      if (status === 101) throw new ProtocolError('the function switched protocols, which the proxy does not relay');
      start = offset;
      continue;
    }
    const rawHeaders: string[] = [];
    let length = -1;
    let chunked = false;
    let close = m[1] === '0';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ProtocolError('the function sent a malformed header line');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') {
        if (!/^\d+$/.test(value) || (length >= 0 && Number(value) !== length)) throw new ProtocolError('the function sent an invalid content-length');
        length = Number(value);
      } else if (lower === 'transfer-encoding') {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === 'connection') {
        if (/(?:^|,)\s*close\s*(?:,|$)/i.test(value)) close = true;
        else if (m[1] === '0' && /(?:^|,)\s*keep-alive\s*(?:,|$)/i.test(value)) close = false;
      }
      rawHeaders.push(name, value);
    }
    const framing = method === 'HEAD' || NULL_BODY.has(status) ? 'none' : chunked ? 'chunked' : length >= 0 ? 'length' : 'close';
    return {
      head: { status, statusText: m[3] ?? '', rawHeaders, framing, length: Math.max(length, 0), keepAlive: !close && framing !== 'close' },
      offset,
    };
  }
}

/**
 * Decodes a chunked body as it arrives: `push` gets each piece of data; `done` is true once the last
 * chunk and its trailers are read, and `rest` then holds any bytes after them.
 */
export class ChunkedDecoder {
  private phase: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  private left = 0;
  private pending: Buffer | null = null;
  done = false;
  rest: Buffer | null = null;

  constructor(private readonly push: (data: Buffer) => void) {}

  write(input: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, input]) : input;
    this.pending = null;
    let at = 0;
    while (at < buf.length && !this.done) {
      if (this.phase === 'data') {
        const n = Math.min(this.left, buf.length - at);
        this.push(buf.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.phase = 'data-end';
        continue;
      }
      const eol = buf.indexOf('\r\n', at, 'latin1');
      if (eol < 0) {
        if (buf.length - at > 4096) throw new ProtocolError('the function sent an over-long chunk line');
        break;
      }
      const line = buf.toString('latin1', at, eol);
      at = eol + 2;
      if (this.phase === 'data-end') {
        if (line !== '') throw new ProtocolError('the function sent a chunk longer than its size');
        this.phase = 'size';
      } else if (this.phase === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(?:\s*;.*)?$/.exec(line);
        if (!size) throw new ProtocolError('the function sent an invalid chunk size');
        this.left = parseInt(size[1]!, 16);
        this.phase = this.left === 0 ? 'trailers' : 'data';
      } else if (line === '') {
        this.done = true;
      }
    }
    if (this.done) this.rest = at < buf.length ? buf.subarray(at) : null;
    else if (at < buf.length) this.pending = buf.subarray(at);
  }
}
