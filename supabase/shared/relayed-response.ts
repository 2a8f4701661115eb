/**
 * A Web-standard Response whose body is relayed from another HTTP server (a function's Deno process): a
 * Node stream, or the bytes themselves when they arrived whole. The gateway pipes the stream straight into
 * its own response, with backpressure (or writes the bytes in one go), and writes the upstream's raw header
 * list as is; `headers` and `body` are built only if someone asks for them.
 */
import type { ServerResponse } from 'node:http';
import { Readable, type Writable } from 'node:stream';
import { statusAccessors } from './http.ts';

const RELAY = Symbol('convo.relay');

export interface Relay {
  /** The body: a stream still to be read, or all of it. */
  source: Readable | Buffer;
  status: number;
  statusText: string;
  /** Flat `[name, value, name, value, …]`, hop-by-hop headers already removed. */
  rawHeaders: string[];
  /** The body is read (piped or turned into a Web stream): it cannot be read again. */
  used: boolean;
}

type Relayed = Response & { [RELAY]?: Relay };

function relayOfThis(r: Response): Relay {
  return (r as Relayed)[RELAY]!;
}

function take(r: Response): Readable | Buffer {
  const relay = relayOfThis(r);
  if (relay.used) throw new TypeError('Body is unusable: Body has already been read');
  relay.used = true;
  return relay.source;
}

function bodyOf(r: Response): ReadableStream<Uint8Array> {
  const source = take(r);
  if (!Buffer.isBuffer(source)) return Readable.toWeb(source) as ReadableStream<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (source.length) controller.enqueue(new Uint8Array(source));
      controller.close();
    },
  });
}

const headersMade = new WeakMap<Response, Headers>();
const bodiesMade = new WeakMap<Response, ReadableStream<Uint8Array>>();

/** The body as a Web stream to read to its end: the one `body` or `clone()` made, else one made now. */
function streamToRead(r: Response): ReadableStream<Uint8Array> {
  const made = bodiesMade.get(r);
  if (!made) return bodyOf(r);
  if (made.locked) throw new TypeError('Body is unusable: Body has already been read');
  return made;
}

/** Response.prototype with every accessor answered from the relay: no undici Response is built per request. */
const RELAYED_PROTO: object = Object.create(Response.prototype, {
  ...statusAccessors(relayOfThis),
  headers: {
    get(this: Response): Headers {
      let headers = headersMade.get(this);
      if (!headers) {
        headers = new Headers();
        const raw = relayOfThis(this).rawHeaders;
        for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
        headersMade.set(this, headers);
      }
      return headers;
    },
  },
  body: {
    get(this: Response): ReadableStream<Uint8Array> {
      let body = bodiesMade.get(this);
      if (!body) bodiesMade.set(this, (body = bodyOf(this)));
      return body;
    },
  },
  bodyUsed: {
    get(this: Response): boolean {
      return bodiesMade.get(this)?.locked ?? relayOfThis(this).used;
    },
  },
  arrayBuffer: {
    async value(this: Response): Promise<ArrayBuffer> {
      return new Response(streamToRead(this)).arrayBuffer();
    },
  },
  text: {
    async value(this: Response): Promise<string> {
      return new Response(streamToRead(this)).text();
    },
  },
  json: {
    async value(this: Response): Promise<unknown> {
      return new Response(streamToRead(this)).json() as Promise<unknown>;
    },
  },
  blob: {
    async value(this: Response): Promise<Blob> {
      return new Response(streamToRead(this), { headers: this.headers }).blob();
    },
  },
  formData: {
    async value(this: Response): Promise<FormData> {
      return new Response(streamToRead(this), { headers: this.headers }).formData();
    },
  },
  clone: {
    value(this: Response): Response {
      // The relayed stream is split in two: this response keeps one branch, the clone gets the other.
      const [mine, theirs] = (bodiesMade.get(this) ?? bodyOf(this)).tee();
      bodiesMade.set(this, mine);
      return new Response(theirs, { status: this.status, statusText: this.statusText, headers: this.headers });
    },
  },
});

/** `source`: the body's bytes, or a stream not yet read; `rawHeaders` as Node's `rawHeaders`, hop-by-hop ones removed. */
export function relayedResponse(source: Readable | Buffer, status: number, statusText: string, rawHeaders: string[]): Response {
  const response = Object.create(RELAYED_PROTO) as Relayed;
  response[RELAY] = { source, status, statusText, rawHeaders, used: false };
  return response;
}

/** The relay behind a `relayedResponse` whose body is still unread, else undefined. */
export function relayOf(response: Response): Relay | undefined {
  const relay = (response as Relayed)[RELAY];
  return relay && !relay.used ? relay : undefined;
}

/**
 * Writes a relayed response: the upstream's headers plus `extra` (those the upstream did not set), then
 * its body piped with backpressure. A client that goes away destroys the upstream stream, so the function
 * sees its connection close.
 */
export function writeRelayed(res: ServerResponse, response: Response, relay: Relay, extra: Readonly<Record<string, string>>, method: string): Promise<void> {
  relay.used = true;
  const { source, rawHeaders } = relay;
  const headers = rawHeaders.slice();
  const names = Object.keys(extra);
  if (names.length) {
    const present = new Set<string>();
    for (let i = 0; i < rawHeaders.length; i += 2) present.add(rawHeaders[i]!.toLowerCase());
    for (const name of names) if (!present.has(name)) headers.push(name, extra[name]!);
  }
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (Buffer.isBuffer(source)) {
    res.end(method === 'HEAD' || source.length === 0 ? undefined : source);
    return Promise.resolve();
  }
  if (method === 'HEAD' || source.readableEnded) {
    source.resume();
    res.end();
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('close', done);
      source.off('end', ended);
      if (!source.readableEnded) source.destroy();
      resolve();
    };
    const ended = (): void => {
      res.off('close', done);
      resolve();
    };
    source.once('end', ended);
    res.once('close', done);
    // A cut upstream (the function died, or the wall-clock limit) cuts the answer: the client sees it end early.
    source.once('close', () => {
      if (!source.readableEnded) res.destroy();
    });
    source.on('error', () => {});
    relayBody(source, res);
  });
}

/**
 * `from.pipe(to)` for one HTTP body, with less set-up: chunks written as they come, `from` paused while `to`
 * is full, `to` ended with `from`; an error on `from` destroys `to`.
 */
export function relayBody(from: Readable, to: Writable): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.once('end', () => to.end());
  from.once('error', (err) => to.destroy(err));
}
