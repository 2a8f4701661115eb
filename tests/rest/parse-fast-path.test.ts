import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastOpExpr, fastTreePath } from '../../supabase/rest/parse/query-params.ts';
import { opExpr, singleValue } from '../../supabase/rest/parse/filter.ts';
import { runParser } from '../../supabase/rest/parse/parsec.ts';
import { treePath } from '../../supabase/rest/parse/tokens.ts';

/** A seeded PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'isdistinct', 'in', 'is', 'fts', 'not', 'eqq', 'e'];
const PIECES = ['.', '(', ')', 'any', 'all', ',', '"', '\\', ' ', '*', 'x', '1', 'é', '{', '}', 'null', ':', '->', ''];

test('the fast filter path gives exactly what the full grammar gives, or steps aside', () => {
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  let fastHits = 0;
  for (let i = 0; i < 20_000; i++) {
    let v = (rand() < 0.3 ? 'not.' : '') + pick(OPS) + (rand() < 0.8 ? '.' : pick(PIECES));
    const n = Math.floor(rand() * 5);
    for (let j = 0; j < n; j++) v += pick(PIECES);
    const fast = fastOpExpr(v);
    if (fast === null) continue;
    fastHits++;
    const slow = runParser(opExpr(singleValue), 'x', v);
    assert.ok(slow.ok, `the grammar accepts ${JSON.stringify(v)}`);
    assert.deepEqual(fast, slow.value, `same result for ${JSON.stringify(v)}`);
  }
  assert.ok(fastHits > 5_000, 'the fast path was exercised');
});

test('the fast key path agrees with the tree-path grammar for plain column names', () => {
  for (const key of ['id', 'owner_id', '_x', 'A1', 'name2']) {
    const slow = runParser(treePath, 'x', key);
    assert.ok(slow.ok);
    assert.deepEqual(fastTreePath(key), slow.value);
  }
  for (const key of ['a.b', 'data->x', '"quoted"', 'with space', 'a-b', '1a', '']) assert.equal(fastTreePath(key), null);
});
