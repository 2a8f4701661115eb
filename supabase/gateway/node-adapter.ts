/** Converts between Node's http objects and Web-standard Request/Response, streaming bodies both ways. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { bufferedBody, headerRecord } from '../shared/http.ts';
import { relayOf, writeRelayed } from '../shared/relayed-response.ts';
import { RawHeaders } from './raw-headers.ts';
import type { ServiceRequest } from './types.ts';

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** A ServiceRequest read straight from Node's request: the body stream and the abort signal are made only when asked for. */
class IncomingRequest implements ServiceRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  #req: IncomingMessage;
  #consumed = false;
  #controller: AbortController | null = null;

  constructor(req: IncomingMessage, url: URL) {
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.url = url.href;
    this.headers = new RawHeaders(req.rawHeaders);
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.method === 'GET' || this.method === 'HEAD') return null;
    this.#take();
    return Readable.toWeb(this.#req) as ReadableStream<Uint8Array>;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      const controller = new AbortController();
      this.#controller = controller;
      this.#req.once('close', () => {
        if (!this.#req.complete || this.#req.socket?.destroyed) controller.abort();
      });
    }
    return this.#controller.signal;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.method === 'GET' || this.method === 'HEAD') return new ArrayBuffer(0);
    this.#take();
    const b = await readAll(this.#req);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  /** The Node request itself, body unread, for a service that relays it as is (the functions host). */
  takeIncoming(): IncomingMessage {
    this.#take();
    return this.#req;
  }

  #take(): void {
    if (this.#consumed) throw new TypeError('Body is unusable: Body has already been read');
    this.#consumed = true;
  }
}

/** The whole body, read with plain 'data'/'end' events (stream/consumers goes through Blob and async iterators). */
export function readAll(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

export function toServiceRequest(req: IncomingMessage, url: URL): ServiceRequest {
  return new IncomingRequest(req, url);
}

/** The Node request behind a gateway ServiceRequest, its body now taken; null for any other request. */
export function takeIncoming(req: ServiceRequest): IncomingMessage | null {
  return req instanceof IncomingRequest ? req.takeIncoming() : null;
}

/** A full Web Request, for code that needs one (e.g. to forward it with fetch). */
export function toRequest(req: ServiceRequest): Request {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body: hasBody ? req.body : null,
    // Node's fetch needs this to accept a stream body.
    duplex: 'half',
  } as RequestInit);
}

export function toWebRequest(req: IncomingMessage, url: URL): Request {
  const headers = headersOf(req);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null,
    // Node's fetch needs this to accept a stream body.
    duplex: 'half',
  } as RequestInit);
}

/**
 * Writes a service's Response to Node's. A text answer is written at once, with its length (one write, no
 * chunked framing); the promise is only for answers that stream.
 */
export function writeWebResponse(res: ServerResponse, response: Response, extra: Readonly<Record<string, string>>, method: string): void | Promise<void> {
  const relay = relayOf(response);
  if (relay) return writeRelayed(res, response, relay, extra, method);
  const record = headerRecord(response);
  const text = record === undefined ? undefined : bufferedBody(response);
  if (record !== undefined && text !== undefined) {
    // A text response whose headers nobody turned into a Headers object: written as given, in one go.
    const head: string[] = [];
    for (const k in record) head.push(k, record[k]!);
    for (const k in extra) if (record[k] === undefined) head.push(k, extra[k]!);
    const body = method === 'HEAD' || text === null ? undefined : text;
    // 204 and 304 never have a body, so never a length.
    if (body !== undefined && record['content-length'] === undefined && response.status !== 204 && response.status !== 304) head.push('content-length', String(Buffer.byteLength(body)));
    res.writeHead(response.status, response.statusText || undefined, head);
    res.end(body);
    return;
  }
  return writeHeadersResponse(res, response, extra, method);
}

/** A Response with a Headers object (and maybe a stream): its headers read out, its body written or piped. */
async function writeHeadersResponse(res: ServerResponse, response: Response, extra: Readonly<Record<string, string>>, method: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  for (const [k, v] of Object.entries(extra)) if (!(k in headers)) headers[k] = v;
  const buffered = bufferedBody(response);
  if (buffered !== undefined) {
    res.writeHead(response.status, response.statusText || undefined, headers);
    res.end(method === 'HEAD' ? undefined : buffered ?? undefined);
    return;
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body || method === 'HEAD') {
    res.end();
    await response.body?.cancel().catch(() => {});
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    if (res.destroyed) break;
  }
  res.end();
}
