// In charge of media types: decoding `Accept` (ordered by quality, as WAI's parseHttpAccept does) and `Content-Type`, and choosing the response representation (406 PGRST107 when none is available).

import { unacceptableMediaTypes } from '../errors.ts';
import type { ApiError } from '../errors.ts';
import type { ResponseMedia } from './types.ts';

/** A decoded media type, as PostgREST's `MediaType` names them. */
export type MediaType =
  | { readonly type: 'json' }
  | { readonly type: 'geojson' }
  | { readonly type: 'csv' }
  | { readonly type: 'text' }
  | { readonly type: 'xml' }
  | { readonly type: 'openapi' }
  | { readonly type: 'urlencoded' }
  | { readonly type: 'octet-stream' }
  | { readonly type: 'any' }
  | { readonly type: 'array-stripped' }
  | { readonly type: 'singular'; readonly nullsStripped: boolean }
  | { readonly type: 'plan'; readonly format: 'json' | 'text'; readonly for: MediaType; readonly options: readonly string[] }
  | { readonly type: 'other'; readonly mime: string };

const PLAN_OPTIONS = ['analyze', 'verbose', 'settings', 'buffers', 'wal'];

/** PostgREST's `decodeMediaType`: the type before the first `;` decides; parameters matter only for vendor types. */
export function decodeMediaType(text: string): MediaType {
  if (text === '') return { type: 'any' };
  const [head = '', ...rest] = text.split(';');
  const lower = head.toLowerCase();
  const simple: Readonly<Record<string, MediaType>> = {
    'application/json': { type: 'json' },
    'application/geo+json': { type: 'geojson' },
    'text/csv': { type: 'csv' },
    'text/plain': { type: 'text' },
    'text/xml': { type: 'xml' },
    'application/openapi+json': { type: 'openapi' },
    'application/x-www-form-urlencoded': { type: 'urlencoded' },
    'application/octet-stream': { type: 'octet-stream' },
    '*/*': { type: 'any' },
  };
  const known = simple[lower];
  if (known !== undefined) return known;
  const nullsStripped = rest.length === 1 && rest[0]?.toLowerCase() === 'nulls=stripped';
  switch (lower) {
    case 'application/vnd.pgrst.object+json':
    case 'application/vnd.pgrst.object':
      return { type: 'singular', nullsStripped };
    case 'application/vnd.pgrst.array+json':
    case 'application/vnd.pgrst.array':
      return nullsStripped ? { type: 'array-stripped' } : { type: 'json' };
    case 'application/vnd.pgrst.plan':
    case 'application/vnd.pgrst.plan+text':
    case 'application/vnd.pgrst.plan+json': {
      const optionsText = rest.find((p) => p.startsWith('options='))?.slice('options='.length) ?? '';
      const forText = rest.find((p) => p.startsWith('for='))?.slice('for='.length);
      const opts = optionsText.split('|');
      return {
        type: 'plan',
        format: lower.endsWith('+json') ? 'json' : 'text',
        for: forText === undefined ? { type: 'json' } : decodeMediaType(forText.replace(/^"+|"+$/g, '')),
        options: PLAN_OPTIONS.filter((o) => opts.includes(o)),
      };
    }
    default:
      return { type: 'other', mime: head };
  }
}

/** PostgREST's `toMime`, used in error messages. */
export function toMime(mt: MediaType): string {
  switch (mt.type) {
    case 'json':
      return 'application/json';
    case 'geojson':
      return 'application/geo+json';
    case 'csv':
      return 'text/csv';
    case 'text':
      return 'text/plain';
    case 'xml':
      return 'text/xml';
    case 'openapi':
      return 'application/openapi+json';
    case 'urlencoded':
      return 'application/x-www-form-urlencoded';
    case 'octet-stream':
      return 'application/octet-stream';
    case 'any':
      return '*/*';
    case 'array-stripped':
      return 'application/vnd.pgrst.array+json;nulls=stripped';
    case 'singular':
      return mt.nullsStripped ? 'application/vnd.pgrst.object+json;nulls=stripped' : 'application/vnd.pgrst.object+json';
    case 'plan':
      return `application/vnd.pgrst.plan+${mt.format}; for="${toMime(mt.for)}"${mt.options.length === 0 ? '' : `; options=${mt.options.join('|')}`}`;
    case 'other':
      return mt.mime;
  }
}

/** Haskell `reads :: Double` on a q value; anything unreadable counts as 1. */
function readQuality(text: string): number {
  const m = /^\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(text);
  return m === null ? 1 : Number(m[1]);
}

/** WAI's `parseHttpAccept`: spaces removed, sorted by quality then specificity (more `;` params, fewer `*`), stable. */
export function parseAccept(value: string): string[] {
  if (value === '') return [];
  const entries = value.split(',').map((raw, index) => {
    const s = raw.replace(/ /g, '');
    const at = s.indexOf(';q=');
    const type = at === -1 ? s : s.slice(0, at);
    const quality = at === -1 ? 1 : readQuality(s.slice(at + 3).split(';')[0] ?? '');
    const specificity = (type.match(/;/g)?.length ?? 0) - (type.match(/\*/g)?.length ?? 0);
    return { type, quality, specificity, index };
  });
  entries.sort((a, b) => b.quality - a.quality || b.specificity - a.specificity || a.index - b.index);
  return entries.map((e) => e.type);
}

/** What a table, view or function can answer with here; the root answers only with OpenAPI. */
function producible(mt: MediaType, target: 'openapi' | 'data'): ResponseMedia | null {
  if (target === 'openapi') return mt.type === 'openapi' || mt.type === 'json' || mt.type === 'any' ? { type: 'openapi' } : null;
  switch (mt.type) {
    case 'json':
    case 'any':
      return { type: 'json' };
    case 'csv':
      return { type: 'csv' };
    case 'array-stripped':
      return { type: 'array-stripped' };
    case 'singular':
      return { type: 'singular', nullsStripped: mt.nullsStripped };
    default:
      // GeoJSON needs PostGIS, plans need db-plan-enabled, custom media types need media handlers: none exist here.
      return null;
  }
}

/** The first acceptable media type in preference order; no `Accept` header means `*` / `*`. */
export function negotiate(accept: string | null, target: 'openapi' | 'data'): { ok: true; media: ResponseMedia } | { ok: false; error: ApiError } {
  const accepted = accept === null ? [{ type: 'any' } as const] : parseAccept(accept).map(decodeMediaType);
  for (const mt of accepted) {
    const media = producible(mt, target);
    if (media !== null) return { ok: true, media };
  }
  return { ok: false, error: unacceptableMediaTypes(accepted.map(toMime)) };
}
