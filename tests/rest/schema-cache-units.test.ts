// Pure parts of the schema cache: the fuzzy "Perhaps you meant" search (PostgREST's own examples) and the reading of stored view queries.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closest, fuzzyMatches } from '../../supabase/rest/schema-cache/fuzzy.ts';
import { viewColumnOrigins } from '../../supabase/rest/schema-cache/node-tree.ts';

describe('fuzzy search', () => {
  test('function names, as in PostgREST noRpcHint examples', () => {
    const procs = ['test', 'another'];
    assert.deepEqual([closest(procs, 'testt'), closest(procs, 'other'), closest(procs, 'noclosealternative')], ['test', 'another', null]);
  });

  test('parameter lists, as in PostgREST noRpcHint examples', () => {
    const lists = ['(name, param, val)', '(attr, id)'];
    assert.deepEqual(
      ['(nam, pqaram, vall)', '(param, val)', '(attrs, id)', '(id)', '(noclosealternative)'].map((q) => closest(lists, q)),
      ['(name, param, val)', '(name, param, val)', '(attr, id)', '(attr, id)', null],
    );
  });

  test('relation names, as in PostgREST noRelBetweenHint examples; an exact match is the only answer', () => {
    assert.equal(closest(['films'], 'film'), 'films');
    assert.equal(closest(['directors', 'roles', 'actors'], 'role'), 'roles');
    assert.deepEqual(fuzzyMatches(['directors', 'roles', 'actors'], 'actors'), [[1, 'actors']]);
    assert.deepEqual(fuzzyMatches(['directors', 'roles', 'actors'], 'ACTORS'), [[1, 'actors']]);
    assert.equal(closest(['directors', 'roles', 'actors'], 'noclosealternative'), null);
    assert.equal(closest([], 'anything'), null);
  });

  test('scores are best first and at least 0.33', () => {
    const matches = fuzzyMatches(['client', 'clients', 'clinics', 'projects'], 'clientz');
    assert.deepEqual(matches.map(([, v]) => v).slice(0, 2), ['client', 'clients']);
    assert.ok(matches.every(([score], i) => score >= 0.33 && (i === 0 || score <= (matches[i - 1]?.[0] ?? 1))));
  });
});

describe('view column origins', () => {
  const entry = (resno: number, name: string, table: number, column: number, junk = false) =>
    `{TARGETENTRY :expr {VAR :varno 1 :varattno ${column} :varnullingrels (b) :location -1} :resno ${resno} :resname ${name} ` +
    `:ressortgroupref 0 :resorigtbl ${table} :resorigcol ${column} :resjunk ${junk}}`;

  test('reads resno, resorigtbl and resorigcol of the top-level target list, skipping junk entries', () => {
    const tree =
      `({QUERY :commandType 1 :rtable ({RANGETBLENTRY :eref {ALIAS :aliasname t :colnames ("id" "a\\ b\\(")} :relid 16389}) ` +
      `:targetList (${entry(1, 'x', 16389, 1)} ${entry(2, 'a\\ b\\(', 16389, 2)} ` +
      `{TARGETENTRY :expr {CONST :consttype 23 :constlen 4 :constbyval true :constisnull false :location -1 :constvalue 4 [ 5 0 0 0 0 0 0 0 ]} ` +
      `:resno 3 :resname k :ressortgroupref 0 :resorigtbl 0 :resorigcol 0 :resjunk false} ${entry(4, '<>', 16389, 3, true)}) ` +
      `:sortClause <> :setOperations <>})`;
    assert.deepEqual(viewColumnOrigins(tree), [
      { resno: 1, table: 16389, column: 1 },
      { resno: 2, table: 16389, column: 2 },
      { resno: 3, table: 0, column: 0 },
    ]);
  });

  test('a definition it cannot read gives no origins instead of failing', () => {
    assert.deepEqual(viewColumnOrigins('({QUERY :targetList ({TARGETENTRY :resno 1'), []);
    assert.deepEqual(viewColumnOrigins('garbage'), []);
    assert.deepEqual(viewColumnOrigins(''), []);
  });
});
