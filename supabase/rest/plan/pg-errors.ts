// In charge of the PostgreSQL errors PostgREST 12 lets the database raise for names the request gets wrong (unknown column 42703, unknown type 42704), produced here with PostgreSQL's wording and hint so that no unknown name reaches the SQL text.

import { statusForSqlState } from '../errors.ts';
import type { ApiError } from '../errors.ts';

const pgError = (code: string, message: string, hint: string | null): ApiError => ({
  code,
  message,
  details: null,
  hint,
  status: statusForSqlState(code, { authenticated: false, message }),
});

/** PostgreSQL's `MAX_FUZZY_DISTANCE`. */
const MAX_FUZZY_DISTANCE = 3;

function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * The columns PostgreSQL suggests for a misspelt one (parse_relation.c's updateFuzzyAttrMatchState, for the one
 * range-table entry the reference names): the closest within 3 edits and at most half the typed length, the two
 * closest when exactly two tie, nothing when more tie.
 */
export function closestColumns(candidates: Iterable<string>, typed: string): readonly string[] {
  const typedChars = [...typed];
  const limit = Math.floor(utf8Length(typed) / 2);
  let distance = MAX_FUZZY_DISTANCE + 1;
  let first: string | null = null;
  let second: string | null = null;
  for (const candidate of candidates) {
    if (candidate === '') continue;
    const d = levenshtein([...candidate], typedChars);
    if (d > limit) continue;
    if (d < distance) {
      distance = d;
      first = candidate;
      second = null;
    } else if (d === distance) {
      if (second !== null) {
        first = null;
        second = null;
      } else if (first !== null) second = candidate;
    }
  }
  return first === null ? [] : second === null ? [first] : [first, second];
}

/** `column projects.nme does not exist` (42703, 400), with PostgreSQL's "Perhaps you meant…" hint. */
export function undefinedColumn(relation: string, column: string, candidates: Iterable<string>): ApiError {
  const close = closestColumns(candidates, column).map((c) => `the column "${relation}.${c}"`);
  const hint = close.length === 0 ? null : `Perhaps you meant to reference ${close.join(' or ')}.`;
  return pgError('42703', `column ${relation}.${column} does not exist`, hint);
}

/** `type "x" does not exist` (42704, 400), for a cast this planner refuses to write into SQL. */
export const undefinedType = (name: string): ApiError => pgError('42704', `type "${name}" does not exist`, null);
