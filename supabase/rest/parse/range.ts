// In charge of row ranges: `limit`/`offset` per embed path, the `Range` header, `max-rows`, and PostgREST's rules for combining them (416 on an empty range, no limits on PUT).

import { invalidRange, putLimitNotAllowed } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { EmbedPath, PathRange, RowRange } from './types.ts';

// A range of row numbers with discrete boundaries, as Data.Ranged models them: a boundary sits between two integers,
// so `above n` and `below n + 1` are the same place. Positions: below n = n - ½, above n = n + ½.
type Boundary =
  | { readonly t: 'below'; readonly n: number }
  | { readonly t: 'above'; readonly n: number }
  | { readonly t: 'belowAll' }
  | { readonly t: 'aboveAll' };

export interface Range {
  readonly lower: Boundary;
  readonly upper: Boundary;
}

const position = (b: Boundary): number => {
  switch (b.t) {
    case 'below':
      return b.n - 0.5;
    case 'above':
      return b.n + 0.5;
    case 'belowAll':
      return -Infinity;
    case 'aboveAll':
      return Infinity;
  }
};

const emptyRange: Range = { lower: { t: 'aboveAll' }, upper: { t: 'belowAll' } };

export const rangeGeq = (n: number): Range => ({ lower: { t: 'below', n }, upper: { t: 'aboveAll' } });
const rangeLeq = (n: number): Range => ({ lower: { t: 'belowAll' }, upper: { t: 'above', n } });
export const allRange: Range = rangeGeq(0);
/** `0 <= x <= -1`: the range `limit=0` asks for, allowed although empty. */
const limitZeroRange: Range = { lower: { t: 'below', n: 0 }, upper: { t: 'above', n: -1 } };

export const rangeIsEmpty = (r: Range): boolean => position(r.upper) <= position(r.lower);

const rangeEquals = (a: Range, b: Range): boolean =>
  (rangeIsEmpty(a) && rangeIsEmpty(b)) || (position(a.lower) === position(b.lower) && position(a.upper) === position(b.upper));

function rangeIntersection(a: Range, b: Range): Range {
  if (rangeIsEmpty(a) || rangeIsEmpty(b)) return emptyRange;
  const lower = position(a.lower) <= position(b.lower) ? b.lower : a.lower; // Haskell's max keeps the second on ties
  const upper = position(a.upper) <= position(b.upper) ? a.upper : b.upper;
  return { lower, upper };
}

export const rangeLimit = (r: Range): number | null => (r.lower.t === 'below' && r.upper.t === 'above' ? 1 + r.upper.n - r.lower.n : null);

export const rangeOffset = (r: Range): number => (r.lower.t === 'below' ? r.lower.n : 0);

export function restrictRange(limit: number | null | undefined, r: Range): Range {
  if (limit === null || limit === undefined) return r;
  return rangeIntersection(r, { lower: { t: 'belowAll' }, upper: { t: 'above', n: rangeOffset(r) + limit - 1 } });
}

const hasLimitZero = (r: Range): boolean => position(r.upper) === position(limitZeroRange.upper);

const convertToLimitZeroRange = (r: Range, fallback: Range): Range => (hasLimitZero(r) ? limitZeroRange : fallback);

/** `max-rows` applied to one level of a read: PostgREST does this for every node of a read or call plan. */
export const applyMaxRows = (maxRows: number | undefined, r: Range): Range => convertToLimitZeroRange(r, restrictRange(maxRows, r));

export const toRowRange = (r: Range): RowRange => ({ offset: rangeOffset(r), limit: rangeLimit(r) });

const fromRowRange = (r: RowRange): Range => ({
  lower: { t: 'below', n: r.offset },
  upper: r.limit === null ? { t: 'aboveAll' } : { t: 'above', n: r.offset + r.limit - 1 },
});

/** `max-rows` on an embed's range, for the plan stage (PostgREST caps every level of a read or call). */
export const capRowRange = (range: RowRange, maxRows: number | undefined): RowRange => toRowRange(applyMaxRows(maxRows, fromRowRange(range)));

/**
 * Haskell's `readMaybe :: Integer`: optional surrounding spaces, an optional minus, decimal, `0x` or `0o` digits.
 * Values beyond ±2^53 are clamped to the nearest safe integer.
 */
export function readInteger(text: string): number | null {
  const m = /^\s*(-?)\s*(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|([0-9]+))\s*$/.exec(text);
  if (m === null) return null;
  const [, sign, hex, oct, dec] = m;
  const magnitude = hex !== undefined ? BigInt(`0x${hex}`) : oct !== undefined ? BigInt(`0o${oct}`) : BigInt(dec ?? '0');
  const value = sign === '-' ? -magnitude : magnitude;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > max ? max : value < -max ? -max : value);
}

/** `Range: 0-9` (`Range-Unit` is not consulted, as in PostgREST); anything not matching `^\d+-\d*$` means all rows. */
export function rangeFromHeader(value: string | null): Range {
  if (value === null) return allRange;
  const m = /^([0-9]+)-([0-9]*)$/.exec(value);
  if (m === null) return allRange;
  const lower = readInteger(m[1] ?? '');
  const upper = readInteger(m[2] ?? '');
  return rangeIntersection(lower === null ? emptyRange : rangeGeq(lower), upper === null ? allRange : rangeLeq(upper));
}

/** Keys of `limit`/`offset` parameters are kept by their text, with `offset` renamed to `limit` (`a.offset` → `a.limit`). */
export function rangesFromParams(limits: readonly (readonly [string, string])[], offsets: readonly (readonly [string, string])[]): Map<string, Range> {
  const limitRanges = new Map<string, Range>();
  for (const [k, v] of limits) limitRanges.set(k, restrictRange(readInteger(v), allRange));
  const offsetRanges = new Map<string, Range>();
  for (const [k, v] of offsets) {
    const n = readInteger(v);
    offsetRanges.set(k, n === null ? allRange : rangeGeq(n));
  }
  const ranges = new Map(limitRanges);
  for (const [k, ro] of offsetRanges) {
    const rl = limitRanges.get(k);
    if (rl === undefined) {
      ranges.set(k, ro);
      continue;
    }
    const l = rangeLimit(rl) ?? 0;
    const o = rangeOffset(ro);
    ranges.set(k, { lower: { t: 'below', n: o }, upper: { t: 'above', n: o + l - 1 } });
  }
  return ranges;
}

export interface ResolvedRanges {
  readonly topLevel: Range;
  readonly ranges: PathRange[];
}

/** PostgREST's `getRanges`: the `Range` header counts on GET only; an empty top-level range is a 416 unless it is `limit=0`. */
export function resolveRanges(method: string, params: Map<string, Range>, rangeHeader: string | null): { ok: true; value: ResolvedRanges } | { ok: false; error: ApiError } {
  const headerRange = method === 'GET' ? rangeFromHeader(rangeHeader) : allRange;
  const limitRange = params.get('limit') ?? allRange;
  const headerAndLimit = rangeIntersection(headerRange, limitRange);
  const all = new Map(params);
  all.set('limit', convertToLimitZeroRange(limitRange, headerAndLimit));
  const topLevel = all.get('limit') ?? allRange;
  if (rangeEquals(topLevel, emptyRange) && !hasLimitZero(limitRange)) {
    return { ok: false, error: invalidRange({ type: rangeIsEmpty(headerRange) ? 'lower-gt-upper' : 'negative-limit' }) };
  }
  if (method === 'PUT' && !rangeEquals(topLevel, allRange)) return { ok: false, error: putLimitNotAllowed() };
  const ranges: PathRange[] = [...all].map(([key, range]) => ({ path: embedPathOfKey(key), range: toRowRange(range) }));
  return { ok: true, value: { topLevel, ranges } };
}

const embedPathOfKey = (key: string): EmbedPath => key.split('.').slice(0, -1);
