/**
 * A Web-standard Response whose body is a string known up front. Node's `new Response(string)` builds a
 * body stream at once (tens of microseconds); this one builds it only if someone reads the body as a
 * stream, and lets the gateway write the string in one call.
 */
const encoder = new TextEncoder();
const TEXT = Symbol('convo.textBody');

type TextBodied = Response & { [TEXT]?: TextState };

interface TextState {
  text: string | null;
  used: boolean;
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

/** Response.prototype with the body accessors replaced: the body is made from the string on demand. */
const TEXT_RESPONSE_PROTO: object = Object.create(Response.prototype, {
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

export function textResponse(body: string | null, init: ResponseInit): Response {
  const response = new Response(null, init) as TextBodied;
  response[TEXT] = { text: body, used: false };
  Object.setPrototypeOf(response, TEXT_RESPONSE_PROTO);
  return response;
}

/** The string body of a `textResponse`, `null` for an empty one, `undefined` when the body must be streamed. */
export function bufferedBody(response: Response): string | null | undefined {
  const state = (response as TextBodied)[TEXT];
  return state && !state.used ? state.text : undefined;
}
