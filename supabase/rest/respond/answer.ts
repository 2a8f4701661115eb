// In charge of the answer pieces reads, writes and calls share, as plain data: the answer type, Content-Type by media, Content-Range (PostgREST's contentRangeH), Preference-Applied in PostgREST's order, and the status/headers SQL set through `response.status` / `response.headers`.

import { gucHeadersError, gucStatusError } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { Row } from '../execute.ts';
import type { Preferences, ResponseMedia } from '../parse/types.ts';

/** What PostgREST answers, independent of any HTTP library; header names are lower-case. */
export interface RestAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Null: no body at all (and no Content-Type). */
  readonly body: string | null;
}

export type AnswerResult = { readonly ok: true; readonly answer: RestAnswer } | { readonly ok: false; readonly error: ApiError };

export function mediaContentType(media: ResponseMedia): string {
  switch (media.type) {
    case 'singular':
      return media.nullsStripped ? 'application/vnd.pgrst.object+json; nulls=stripped; charset=utf-8' : 'application/vnd.pgrst.object+json; charset=utf-8';
    case 'array-stripped':
      return 'application/vnd.pgrst.array+json; nulls=stripped; charset=utf-8';
    case 'csv':
      return 'text/csv; charset=utf-8';
    case 'openapi':
      return 'application/openapi+json; charset=utf-8';
    case 'json':
      return 'application/json; charset=utf-8';
  }
}

/** `lower-upper/total`, with `*` for the range when it is empty (or the total is 0) and for an unknown total. */
export function contentRangeValue(lower: number, upper: number, total: number | null): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total === null ? '*' : String(total)}`;
}

export type AppliedKey = 'resolution' | 'missing' | 'return' | 'params' | 'count' | 'tx' | 'handling' | 'timezone' | 'maxAffected';

/** PostgREST's prefAppliedHeader: the preferences of `keys` that were given, in its fixed order; max-affected only with handling=strict. */
export function preferenceApplied(p: Preferences, keys: readonly AppliedKey[]): string | null {
  const order: readonly AppliedKey[] = ['resolution', 'missing', 'return', 'params', 'count', 'tx', 'handling', 'timezone', 'maxAffected'];
  const values = order
    .filter((k) => keys.includes(k))
    .flatMap((k): string[] => {
      if (k === 'maxAffected') return p.maxAffected !== null && p.handling === 'strict' ? [`max-affected=${p.maxAffected}`] : [];
      const v = p[k];
      return v === null ? [] : [`${k}=${v}`];
    });
  return values.length === 0 ? null : values.join(', ');
}

/** The status and headers a function or trigger set with `set_config('response.status' | 'response.headers', …, true)`. */
export function gucOverrides(row: Row): { ok: true; status: number | null; headers: [string, string][] } | { ok: false; error: ApiError } {
  const headers: [string, string][] = [];
  const rawHeaders = row.response_headers ?? null;
  if (rawHeaders !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHeaders);
    } catch {
      return { ok: false, error: gucHeadersError() };
    }
    if (!Array.isArray(parsed)) return { ok: false, error: gucHeadersError() };
    for (const entry of parsed as unknown[]) {
      const pairs = entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? Object.entries(entry) : [];
      const [pair] = pairs;
      if (pairs.length !== 1 || pair === undefined || typeof pair[1] !== 'string') return { ok: false, error: gucHeadersError() };
      headers.push([pair[0], pair[1]]);
    }
  }
  const rawStatus = row.response_status ?? null;
  if (rawStatus === null) return { ok: true, status: null, headers };
  // Haskell's `decimal` reads the leading digits
  const digits = /^[0-9]+/.exec(rawStatus);
  if (digits === null) return { ok: false, error: gucStatusError() };
  return { ok: true, status: Number(digits[0]), headers };
}

/** PostgREST's overrideStatusHeaders: the GUC status wins, GUC headers replace headers of the same name. */
export function withGucOverrides(answer: RestAnswer, row: Row): AnswerResult {
  const guc = gucOverrides(row);
  if (!guc.ok) return guc;
  const merged = new Map(Object.entries(answer.headers));
  for (const [name, value] of guc.headers) merged.set(name.toLowerCase(), value);
  // fromEntries defines own properties, so a `__proto__` header name stays data
  return { ok: true, answer: { status: guc.status ?? answer.status, headers: Object.fromEntries(merged), body: answer.body } };
}
