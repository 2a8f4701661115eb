// In charge of how a call's arguments reach the function: the argument names that choose the overload, and the one value passed to the statement — the JSON body, a JSON object built from query or form parameters (repeated ones gathered for a variadic parameter), or the raw body for a single unnamed parameter.

import type { ApiRequest } from '../parse/types.ts';
import type { Routine } from '../schema-cache/types.ts';
import type { CallArgs } from './call-types.ts';

/** The names that select the overload: query parameters of a GET/HEAD, the body's keys (or `?columns=`) of a POST. */
export function argumentNames(request: ApiRequest): string[] {
  if (request.action.type === 'call' && request.action.invoke === 'read') return [...new Set(request.rpcArgs.map(([k]) => k))];
  return request.payload?.type === 'raw' ? [] : [...request.payloadColumns];
}

/** PostgREST's jsonRpcParams: every value a JSON string; a variadic parameter gathers its repeated values in an array; otherwise the last one wins. */
export function argumentsObject(routine: Routine, pairs: readonly (readonly [string, string])[]): string {
  const variadic = new Set(routine.params.filter((p) => p.variadic).map((p) => p.name));
  const args = new Map<string, string | string[]>();
  for (const [k, v] of pairs) {
    if (!variadic.has(k)) {
      args.set(k, v);
      continue;
    }
    const previous = args.get(k);
    args.set(k, Array.isArray(previous) ? [...previous, v] : [v]);
  }
  return JSON.stringify(Object.fromEntries(args));
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The body as the text of one parameter of type `type` (bytea in PostgreSQL's hex input format). */
function rawBodyText(request: ApiRequest, type: string): string {
  const payload = request.payload;
  if (payload === null) return '';
  switch (payload.type) {
    case 'raw':
      return type === 'bytea' ? `\\x${hex(payload.body)}` : new TextDecoder().decode(payload.body);
    case 'json':
    case 'raw-json':
      return payload.raw;
    case 'url-encoded':
      return JSON.stringify(Object.fromEntries(payload.params));
  }
}

/** The argument object's JSON text: the body of a JSON POST, else built from query (GET) or form (url-encoded POST) parameters. */
function argumentsJson(request: ApiRequest, routine: Routine): string {
  const isRead = request.action.type === 'call' && request.action.invoke === 'read';
  if (isRead) return argumentsObject(routine, request.rpcArgs);
  const payload = request.payload;
  if (payload?.type === 'url-encoded') return argumentsObject(routine, payload.params);
  if (payload?.type === 'json' || payload?.type === 'raw-json') return payload.raw;
  return '{}';
}

/**
 * PostgREST's callParams: a single unnamed parameter (or any single parameter with `params=single-object`) takes the
 * body positionally; otherwise only the parameters given by name are passed, so the others take their defaults.
 */
export function callArguments(request: ApiRequest, routine: Routine): CallArgs {
  const [only, ...rest] = routine.params;
  if (only !== undefined && rest.length === 0 && (only.name === '' || request.preferences.params === 'single-object')) {
    return { type: 'positional', value: rawBodyText(request, only.type), paramType: only.type };
  }
  const given = new Set(argumentNames(request));
  const params = routine.params.filter((p) => given.has(p.name));
  if (params.length === 0) return { type: 'none' };
  const raw = argumentsJson(request, routine);
  return { type: 'named', body: { raw, isObject: raw.trimStart().startsWith('{') }, params };
}
