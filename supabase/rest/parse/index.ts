// In charge of the parse stage as one function: a Web-standard request description in, a typed ApiRequest or a PostgREST error out, in PostgREST 12's order of checks.

import { z } from 'zod';
import { invalidPreferences, invalidResourcePath, queryParamError } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import { decodeMediaType, negotiate, toMime } from './media.ts';
import { parsePayload } from './payload.ts';
import { parsePreferences } from './prefer.ts';
import { parseQueryParams } from './query-params.ts';
import { applyMaxRows, resolveRanges, toRowRange } from './range.ts';
import { actionOf, pathSegments, resourceOf, schemaOf, targetOf } from './route.ts';
import type { ApiRequest, ParseInput, ParseOptions, ParseResult, ResponseMedia } from './types.ts';

export type * from './types.ts';
export { capRowRange } from './range.ts';

const optionsSchema = z.object({
  schemas: z.array(z.string()).min(1, 'at least one exposed schema is required'),
  maxRows: z.number().int().nonnegative().optional(),
});

const utf8 = new TextEncoder();

const fail = (error: ApiError): ParseResult => ({ ok: false, error });

function bodyBytes(body: Uint8Array | string | null | undefined): Uint8Array {
  if (body === null || body === undefined) return new Uint8Array();
  return typeof body === 'string' ? utf8.encode(body) : body;
}

/** Cookies as WAI's `parseCookies` reads them: `;`-separated, leading spaces dropped from names, split at the first `=`. */
export function parseCookies(header: string | null): Record<string, string> {
  if (header === null || header === '') return {};
  return Object.fromEntries(
    header.split(';').map((part) => {
      const eq = part.indexOf('=');
      return [(eq === -1 ? part : part.slice(0, eq)).replace(/^ +/, ''), eq === -1 ? '' : part.slice(eq + 1)];
    }),
  );
}

/** The request headers but cookies, by name; a `__proto__` header is defined as data, never set as a prototype. */
export function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    else if (name !== 'cookie') out[name] = value;
  });
  return out;
}

function toUrl(url: URL | string): URL | null {
  if (url instanceof URL) return url;
  try {
    return new URL(url, 'http://localhost');
  } catch {
    return null;
  }
}

/**
 * Parses a request to `/rest/v1/...` (path given relative to `/rest/v1`). Never throws on request input: malformed
 * input yields a 4xx ApiError. Invalid `opts` (no exposed schema) is a programming error and throws.
 */
export function parseRequest(input: ParseInput, opts: ParseOptions): ParseResult {
  optionsSchema.parse({ schemas: [...opts.schemas], maxRows: opts.maxRows });
  try {
    return parse(input, opts);
  } catch {
    // Not expected: every grammar failure is a value. Kept so that a bug here still answers 4xx instead of crashing.
    return fail(unexpectedParseFailure());
  }
}

/** The error returned if parsing ever throws; tests assert it never appears. */
export const unexpectedParseFailure = (): ApiError => queryParamError('failed to parse request', 'the request could not be parsed');

function parse(input: ParseInput, opts: ParseOptions): ParseResult {
  const url = toUrl(input.url);
  if (url === null) return fail(invalidResourcePath());
  const method = input.method;
  const headers = input.headers;

  const resource = resourceOf(pathSegments(url.pathname));
  if (!resource.ok) return fail(resource.error);
  const profile = schemaOf(method, headers, opts.schemas);
  if (!profile.ok) return fail(profile.error);
  const action = actionOf(resource.value, method);
  if (!action.ok) return fail(action.error);

  const isRpcRead = action.value.type === 'call' && action.value.invoke === 'read';
  const qp = parseQueryParams(url.search, isRpcRead);
  if (!qp.ok) return fail(qp.error);

  const ranges = resolveRanges(method, qp.value.ranges, headers.get('range'));
  if (!ranges.ok) return fail(ranges.error);

  const contentType = decodeMediaType(headers.get('content-type') ?? 'application/json');
  const payload = parsePayload(action.value, contentType, bodyBytes(input.body), qp.value.columns);
  if (!payload.ok) return fail(payload.error);

  const preferences = parsePreferences(headers.get('prefer'), { timezones: opts.timezones, allowTxOverride: opts.allowTxOverride });
  const strictViolation = preferences.handling === 'strict' && preferences.invalid.length > 0 ? invalidPreferences(preferences.invalid) : null;
  const isMutation = ['insert', 'update', 'delete', 'upsert-put'].includes(action.value.type);

  // Content negotiation and strict preferences are checked by PostgREST's plan stage; OPTIONS skips both and the
  // OpenAPI root checks only the media type. Mutations check preferences first, reads and calls the media type first.
  let media: ResponseMedia = { type: resource.value.kind === 'openapi' ? 'openapi' : 'json' };
  if (action.value.type !== 'info') {
    if (isMutation && strictViolation !== null) return fail(strictViolation);
    const negotiated = negotiate(headers.get('accept'), resource.value.kind === 'openapi' ? 'openapi' : 'data');
    if (!negotiated.ok) return fail(negotiated.error);
    media = negotiated.media;
    if (resource.value.kind !== 'openapi' && strictViolation !== null) return fail(strictViolation);
  }

  const topLevel = isMutation ? ranges.value.topLevel : applyMaxRows(opts.maxRows, ranges.value.topLevel);
  const request: ApiRequest = {
    method,
    target: targetOf(resource.value, profile.value.schema),
    action: action.value,
    schema: profile.value.schema,
    negotiatedByProfile: profile.value.negotiatedByProfile,
    select: qp.value.select,
    filters: qp.value.filters,
    logic: qp.value.logic,
    order: qp.value.order,
    ranges: ranges.value.ranges,
    range: toRowRange(topLevel),
    columns: qp.value.columns,
    onConflict: qp.value.onConflict,
    rpcArgs: qp.value.rpcArgs,
    payload: payload.value.payload,
    payloadColumns: payload.value.columns,
    preferences,
    media,
    contentType: toMime(contentType),
    headers: headerRecord(headers),
    cookies: parseCookies(headers.get('cookie')),
  };
  return { ok: true, request };
}
