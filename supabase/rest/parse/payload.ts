// In charge of the request body: which actions read one, how each Content-Type becomes a Payload, and PostgREST's checks on it (PGRST102).

import { invalidBody, invalidJsonBody } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import { parseCsv } from './csv.ts';
import { toMime } from './media.ts';
import type { MediaType } from './media.ts';
import { parseQueryString } from './query-string.ts';
import type { Action, Payload } from './types.ts';

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

export interface ParsedPayload {
  readonly payload: Payload | null;
  /** iColumns: the columns written, from the payload's keys or `?columns=`. */
  readonly columns: readonly string[];
}

type Outcome = { ok: true; value: ParsedPayload } | { ok: false; error: ApiError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const sameKeys = (a: readonly string[], b: ReadonlySet<string>): boolean => a.length === b.size && a.every((k) => b.has(k));

/**
 * PostgREST's `payloadAttributes`: an object gives its keys; an array must hold objects that all share the first one's
 * keys; an empty array and any scalar become an empty array without keys. Null means the keys do not match.
 */
function jsonAttributes(raw: string, value: unknown): Payload | null {
  if (isObject(value)) return { type: 'json', raw, keys: Object.keys(value) };
  if (!Array.isArray(value)) return { type: 'json', raw: '[]', keys: [] };
  const [firstRow] = value as unknown[];
  if (value.length === 0) return { type: 'json', raw: '[]', keys: [] };
  if (!isObject(firstRow)) return null;
  const keys = Object.keys(firstRow);
  const keySet = new Set(keys);
  for (const row of value as unknown[]) if (!isObject(row) || !sameKeys(Object.keys(row), keySet)) return null;
  return { type: 'json', raw, keys };
}

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

const withKeys = (payload: Payload): Outcome => ({
  ok: true,
  value: { payload, columns: payload.type === 'json' || payload.type === 'url-encoded' ? payload.keys : [] },
});

/** Does this action read the body? Inserts, updates, upserts and POST calls do; reads, deletes and OPTIONS do not. */
export function readsBody(action: Action): boolean {
  return action.type === 'insert' || action.type === 'update' || action.type === 'upsert-put' || (action.type === 'call' && action.invoke === 'post');
}

export function parsePayload(action: Action, contentType: MediaType, body: Uint8Array, columnsParam: readonly string[] | null): Outcome {
  if (!readsBody(action)) return { ok: true, value: { payload: null, columns: [] } };
  const isCall = action.type === 'call';
  // `?columns=` applies to inserts, updates and calls, not to PUT.
  const columns = action.type === 'upsert-put' ? null : columnsParam;
  const text = (): string => utf8Decoder.decode(body);
  switch (contentType.type) {
    case 'json': {
      if (columns !== null) return { ok: true, value: { payload: { type: 'raw-json', raw: text() }, columns } };
      if (body.length === 0 && isCall) return withKeys({ type: 'json', raw: '{}', keys: [] });
      const raw = text();
      const parsed = parseJson(raw);
      if (!parsed.ok) return { ok: false, error: invalidJsonBody() };
      const payload = jsonAttributes(raw, parsed.value);
      return payload === null ? { ok: false, error: invalidBody('All object keys must match') } : withKeys(payload);
    }
    case 'csv': {
      const csv = parseCsv(text());
      if (!csv.ok) return { ok: false, error: invalidBody(csv.message) };
      const [firstKeys = []] = csv.keys;
      const keySet = new Set(firstKeys);
      if (!csv.keys.every((k) => sameKeys(k, keySet))) return { ok: false, error: invalidBody('All lines must have same number of fields') };
      return withKeys({ type: 'json', raw: JSON.stringify(csv.rows), keys: firstKeys });
    }
    case 'urlencoded': {
      const params = parseQueryString(text()).map(([k, v]) => [k, v ?? ''] as const);
      const keys = [...new Set(params.map(([k]) => k))];
      if (isCall) return withKeys({ type: 'url-encoded', params, keys });
      return withKeys({ type: 'json', raw: JSON.stringify(Object.fromEntries(params)), keys });
    }
    case 'text':
    case 'xml':
    case 'octet-stream':
      if (isCall) return withKeys({ type: 'raw', mediaType: toMime(contentType), body });
      return { ok: false, error: invalidBody(`Content-Type not acceptable: ${toMime(contentType)}`) };
    default:
      return { ok: false, error: invalidBody(`Content-Type not acceptable: ${toMime(contentType)}`) };
  }
}
