/**
 * A Web-standard Response whose body is a string known up front. Node's `new Response(string)` builds a
 * body stream and a validated Headers object at once (tens of microseconds); this one is a plain object
 * with Response's prototype that builds the stream only if someone reads the body as one and the Headers
 * only if someone asks for them, and lets the gateway write status, header record and string in one call.
 */
const encoder = new TextEncoder();
const TEXT = Symbol('convo.textBody');

type TextBodied = Response & { [TEXT]?: TextState };

interface TextState {
  text: string | null;
  used: boolean;
  status: number;
  statusText: string;
  /** The headers as given, until someone asks for `headers`; then null and `materialized` holds them. */
  record: Record<string, string> | null;
  materialized: Headers | null;
}

function stateOf(r: Response): TextState {
  return (r as TextBodied)[TEXT]!;
}

function consume(r: Response): string {
  const state = stateOf(r);
  if (state.used) throw new TypeError('Body is unusable: Body has already been read');
  state.used = true;
  return state.text ?? '';
}

/**
 * Response's status accessors (`status`, `statusText`, `ok`, `type`, `url`, `redirected`) for an object with
 * Response's prototype whose state lives elsewhere: undici's own getters only work on its Responses.
 */
export function statusAccessors(state: (r: Response) => { status: number; statusText: string }): PropertyDescriptorMap {
  return {
    status: {
      get(this: Response): number {
        return state(this).status;
      },
    },
    statusText: {
      get(this: Response): string {
        return state(this).statusText;
      },
    },
    ok: {
      get(this: Response): boolean {
        const { status } = state(this);
        return status >= 200 && status <= 299;
      },
    },
    type: { get: (): Response['type'] => 'default' },
    url: { get: (): string => '' },
    redirected: { get: (): boolean => false },
  };
}

/** Response.prototype with the body accessors replaced: the body is made from the string on demand. */
const TEXT_RESPONSE_PROTO: object = Object.create(Response.prototype, {
  ...statusAccessors(stateOf),
  headers: {
    get(this: Response): Headers {
      const state = stateOf(this);
      if (state.materialized === null) {
        state.materialized = new Headers(state.record ?? {});
        state.record = null;
      }
      return state.materialized;
    },
  },
  formData: {
    async value(this: Response): Promise<FormData> {
      return new Response(consume(this), { headers: this.headers }).formData();
    },
  },
  body: {
    get(this: Response): ReadableStream<Uint8Array> | null {
      if (stateOf(this).text === null) return null;
      const bytes = encoder.encode(consume(this));
      return new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      });
    },
  },
  bodyUsed: {
    get(this: Response): boolean {
      return stateOf(this).used;
    },
  },
  text: {
    async value(this: Response): Promise<string> {
      return consume(this);
    },
  },
  json: {
    async value(this: Response): Promise<unknown> {
      return JSON.parse(consume(this)) as unknown;
    },
  },
  arrayBuffer: {
    async value(this: Response): Promise<ArrayBuffer> {
      const bytes = encoder.encode(consume(this));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  },
  blob: {
    async value(this: Response): Promise<Blob> {
      return new Blob([consume(this)], { type: this.headers.get('content-type') ?? '' });
    },
  },
  clone: {
    value(this: Response): Response {
      return textResponse(stateOf(this).text, { status: this.status, statusText: this.statusText, headers: new Headers(this.headers) });
    },
  },
});

export interface TextResponseInit {
  status?: number;
  statusText?: string;
  headers?: Record<string, string> | Headers;
}

export function textResponse(body: string | null, init: TextResponseInit): Response {
  const status = init.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
  const headers = init.headers;
  const state: TextState = {
    text: body,
    used: false,
    status,
    statusText: init.statusText ?? '',
    record: headers instanceof Headers ? null : lowerCased(headers),
    materialized: headers instanceof Headers ? new Headers(headers) : null,
  };
  const response = Object.create(TEXT_RESPONSE_PROTO) as TextBodied;
  response[TEXT] = state;
  return response;
}

function lowerCased(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const name of Object.keys(headers)) out[name.toLowerCase()] = headers[name]!;
  return out;
}

/** Sets a header on a response; on a text response whose headers nobody has asked for, without building them. */
export function setHeader(response: Response, name: string, value: string): void {
  const state = (response as TextBodied)[TEXT];
  if (state?.record) state.record[name.toLowerCase()] = value;
  else response.headers.set(name, value);
}

/** A text response's headers as given (lower-case names), or undefined once they became a Headers object or for any other Response. */
export function headerRecord(response: Response): Readonly<Record<string, string>> | undefined {
  return (response as TextBodied)[TEXT]?.record ?? undefined;
}

/** The string body of a `textResponse`, `null` for an empty one, `undefined` when the body must be streamed. */
export function bufferedBody(response: Response): string | null | undefined {
  const state = (response as TextBodied)[TEXT];
  return state && !state.used ? state.text : undefined;
}
