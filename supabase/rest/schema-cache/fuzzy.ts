// In charge of "Perhaps you meant …": the closest names to a misspelt one, scored as Haskell's fuzzyset (used by PostgREST) scores them — n-gram cosine similarity, then Levenshtein.

const GRAM_SIZES = [3, 2] as const;
const MIN_SCORE = 0.33;
const LEVENSHTEIN_CANDIDATES = 50;

/** Lower-cased, stripped to letters, digits, spaces and commas, wrapped in dashes: `'-foo bar-'`. */
function simplified(value: string): string {
  return `-${value.toLowerCase().replace(/[^\p{L}\p{N}, ]+/gu, '')}-`;
}

function gramCounts(value: string, size: number): Map<string, number> {
  let s = simplified(value);
  while (s.length < size) s += '-';
  const counts = new Map<string, number>();
  for (let i = 0; i + size <= s.length; i++) {
    const g = s.slice(i, i + size);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

function norm(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n * n;
  return Math.sqrt(sum);
}

function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[y.length] ?? 0;
}

/** 1 for equal strings, 0 for nothing in common. */
function distanceScore(a: string, b: string): number {
  const longest = Math.max([...a].length, [...b].length);
  return longest === 0 ? 1 : 1 - levenshtein(a, b) / longest;
}

export type FuzzyMatch = readonly [score: number, value: string];

/**
 * Every candidate scoring at least 0.33 against `query`, best first. An exact (case-insensitive) candidate is the only
 * answer, with score 1. Trigrams are tried first, bigrams when no trigram matches well enough.
 */
export function fuzzyMatches(candidates: Iterable<string>, query: string): FuzzyMatch[] {
  const byLower = new Map<string, string>();
  for (const c of candidates) if (!byLower.has(c.toLowerCase())) byLower.set(c.toLowerCase(), c);
  const lowerQuery = query.toLowerCase();
  const exact = byLower.get(lowerQuery);
  if (exact !== undefined) return [[1, exact]];

  for (const size of GRAM_SIZES) {
    const q = gramCounts(lowerQuery, size);
    const qNorm = norm(q);
    const cosine: [number, string][] = [];
    for (const lower of byLower.keys()) {
      const c = gramCounts(lower, size);
      let dot = 0;
      for (const [g, n] of q) dot += n * (c.get(g) ?? 0);
      if (dot > 0) cosine.push([dot / (qNorm * norm(c)), lower]);
    }
    cosine.sort((a, b) => b[0] - a[0]);
    const rescored = cosine
      .slice(0, LEVENSHTEIN_CANDIDATES)
      .map(([, lower]): [number, string] => [distanceScore(lower, lowerQuery), lower])
      .sort((a, b) => b[0] - a[0])
      .filter(([score]) => score >= MIN_SCORE)
      .map(([score, lower]): FuzzyMatch => [score, byLower.get(lower) ?? lower]);
    if (rescored.length > 0) return rescored;
  }
  return [];
}

/** The best candidate for `query`, or null when none is close enough. */
export function closest(candidates: Iterable<string>, query: string): string | null {
  return fuzzyMatches(candidates, query)[0]?.[1] ?? null;
}
