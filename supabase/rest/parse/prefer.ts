// In charge of the `Prefer` header (RFC 7240): the preferences PostgREST 12 understands, the first value of each kind winning, and the list of those it did not understand.

import type { Preferences } from './types.ts';
import { readInteger } from './range.ts';

type Options = readonly string[];

const RESOLUTION = ['resolution=merge-duplicates', 'resolution=ignore-duplicates'] as const;
const RETURN = ['return=representation', 'return=minimal', 'return=headers-only'] as const;
const PARAMS = ['params=single-object'] as const;
const COUNT = ['count=exact', 'count=planned', 'count=estimated'] as const;
const TX = ['tx=commit', 'tx=rollback'] as const;
const MISSING = ['missing=default', 'missing=null'] as const;
const HANDLING = ['handling=strict', 'handling=lenient'] as const;
const ACCEPTED: Options = [...RESOLUTION, ...RETURN, ...PARAMS, ...COUNT, ...TX, ...MISSING, ...HANDLING];

const valueOf = (pref: string): string => pref.slice(pref.indexOf('=') + 1);

/** The first preference (in header order) among `options`, as its value (`count=exact` → `exact`). */
function first<T extends string>(prefs: readonly string[], options: readonly string[]): T | null {
  const found = prefs.find((p) => options.includes(p));
  return found === undefined ? null : (valueOf(found) as T);
}

const firstWithPrefix = (prefs: readonly string[], prefix: string): string | null => {
  const found = prefs.find((p) => p.startsWith(prefix));
  return found === undefined ? null : found.slice(prefix.length);
};

/** Bytes a Haskell `BS.strip` removes: ASCII whitespace. */
const strip = (s: string): string => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

export interface PreferOptions {
  readonly timezones?: ReadonlySet<string>;
  readonly allowTxOverride?: boolean;
}

/** `value` is every `Prefer` header joined with `,` (as `Headers.get` returns them), or null. */
export function parsePreferences(value: string | null, opts: PreferOptions = {}): Preferences {
  const prefs = value === null || value === '' ? [] : value.split(',').map(strip);
  const timezone = firstWithPrefix(prefs, 'timezone=');
  const timezoneAccepted = timezone !== null && (opts.timezones === undefined ? timezone !== '' : opts.timezones.has(timezone));
  const maxAffectedText = firstWithPrefix(prefs, 'max-affected=');
  const maxAffected = maxAffectedText === null ? null : readInteger(maxAffectedText);
  const isUnacceptable = (p: string): boolean =>
    !ACCEPTED.includes(p) && (!p.startsWith('timezone=') || !timezoneAccepted) && !p.startsWith('max-affected=');
  const ret = first<'representation' | 'minimal' | 'headers-only'>(prefs, RETURN);
  return {
    resolution: first(prefs, RESOLUTION),
    return: ret,
    params: first(prefs, PARAMS),
    count: first(prefs, COUNT),
    tx: opts.allowTxOverride === true ? first(prefs, TX) : null,
    missing: first(prefs, MISSING),
    handling: first(prefs, HANDLING),
    timezone: timezoneAccepted ? timezone : null,
    maxAffected,
    invalid: prefs.filter(isUnacceptable),
  };
}
