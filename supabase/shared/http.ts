/**
 * Web-standard Responses whose body is a string known up front carry it under a symbol too, so the
 * gateway can write it in one call instead of reading the body stream back chunk by chunk.
 */
export const BUFFERED_BODY = Symbol.for('convo.bufferedBody');

type Buffered = Response & { [BUFFERED_BODY]?: string | null };

export function textResponse(body: string | null, init: ResponseInit): Response {
  const response = new Response(body, init) as Buffered;
  response[BUFFERED_BODY] = body;
  return response;
}

/** The string body of a Response made by `textResponse`, `null` for an empty one, `undefined` when it must be streamed. */
export function bufferedBody(response: Response): string | null | undefined {
  return (response as Buffered)[BUFFERED_BODY];
}
