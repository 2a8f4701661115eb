// Query-string grammar of the parse stage: select, filters, logic trees, order, columns — structures and PostgREST 12's PGRST100 messages.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import type { ApiError } from '../../supabase/rest/errors.ts';
import type { ApiRequest, Field, SelectField } from '../../supabase/rest/parse/index.ts';

const OPTS = { schemas: ['api'] };

function get(query: string, path = '/items'): ApiRequest {
  const r = parseRequest({ method: 'GET', url: `${path}?${query}`, headers: new Headers() }, OPTS);
  if (!r.ok) assert.fail(`expected ${query} to parse, got ${JSON.stringify(r.error)}`);
  return r.request;
}

function getError(query: string, path = '/items'): ApiError {
  const r = parseRequest({ method: 'GET', url: `${path}?${query}`, headers: new Headers() }, OPTS);
  if (r.ok) assert.fail(`expected ${query} to fail`);
  return r.error;
}

const pgrst100 = (message: string, details: string): ApiError => ({ code: 'PGRST100', message, details, hint: null, status: 400 });

const col = (name: string, jsonPath: Field['jsonPath'] = []): Field => ({ name, jsonPath });

const sel = (name: string, extra: Partial<SelectField> = {}): SelectField => ({
  type: 'field',
  field: col(name),
  alias: null,
  cast: null,
  aggregate: null,
  aggregateCast: null,
  ...extra,
});

describe('select', () => {
  test('defaults to every column', () => {
    assert.deepEqual(get('').select, [sel('*')]);
  });

  test('an empty select selects nothing', () => {
    assert.deepEqual(get('select=').select, []);
  });

  test('select with alias, cast and JSON path', () => {
    assert.deepEqual(get('select=id,title:data->meta->>title::text,first:tags->0,last:tags->-1').select, [
      sel('id'),
      sel('data', {
        field: col('data', [
          { arrow: '->', operand: { type: 'key', value: 'meta' } },
          { arrow: '->>', operand: { type: 'key', value: 'title' } },
        ]),
        alias: 'title',
        cast: 'text',
      }),
      sel('tags', { field: col('tags', [{ arrow: '->', operand: { type: 'index', value: '+0' } }]), alias: 'first' }),
      sel('tags', { field: col('tags', [{ arrow: '->', operand: { type: 'index', value: '-1' } }]), alias: 'last' }),
    ]);
  });

  test('spaces around names are ignored; dashes, spaces and quoted names are allowed', () => {
    assert.deepEqual(get('select= id , first name,"a,b",my-col').select, [sel('id'), sel('first name'), sel('a,b'), sel('my-col')]);
  });

  test('JSON keys may hold special characters or be quoted', () => {
    assert.deepEqual(get(`select=${encodeURIComponent('data->!@#$%^&*_a,data->"a.b"')}`).select, [
      sel('data', { field: col('data', [{ arrow: '->', operand: { type: 'key', value: '!@#$%^&*_a' } }]) }),
      sel('data', { field: col('data', [{ arrow: '->', operand: { type: 'key', value: 'a.b' } }]) }),
    ]);
  });

  test('embeds with alias, hint, join type and nested select', () => {
    assert.deepEqual(get('select=id,owner:users!items_owner_fkey!inner(name,teams(*)),tags!left(*),c!inner!hint(*)').select, [
      sel('id'),
      {
        type: 'relation',
        relation: 'users',
        alias: 'owner',
        hint: 'items_owner_fkey',
        joinType: 'inner',
        select: [sel('name'), { type: 'relation', relation: 'teams', alias: null, hint: null, joinType: null, select: [sel('*')] }],
      },
      { type: 'relation', relation: 'tags', alias: null, hint: null, joinType: 'left', select: [sel('*')] },
      { type: 'relation', relation: 'c', alias: null, hint: 'hint', joinType: 'inner', select: [sel('*')] },
    ]);
  });

  test('embedding without selecting columns and counting an embed', () => {
    assert.deepEqual(get('select=id,clients(),orders(count)').select, [
      sel('id'),
      { type: 'relation', relation: 'clients', alias: null, hint: null, joinType: null, select: [] },
      { type: 'relation', relation: 'orders', alias: null, hint: null, joinType: null, select: [sel('count')] },
    ]);
  });

  test('spread embeds', () => {
    assert.deepEqual(get('select=title,...directors!fk!inner(director:name)').select, [
      sel('title'),
      { type: 'spread', relation: 'directors', hint: 'fk', joinType: 'inner', select: [sel('name', { alias: 'director' })] },
    ]);
  });

  test('aggregates with casts and aliases', () => {
    assert.deepEqual(get('select=total:amount.sum()::int,amount::numeric.avg()::text,count(),n:count()::text,x.max(),x.min(),x.count()').select, [
      sel('amount', { alias: 'total', aggregate: 'sum', aggregateCast: 'int' }),
      sel('amount', { cast: 'numeric', aggregate: 'avg', aggregateCast: 'text' }),
      sel('*', { aggregate: 'count' }),
      sel('*', { alias: 'n', aggregate: 'count', aggregateCast: 'text' }),
      sel('x', { aggregate: 'max' }),
      sel('x', { aggregate: 'min' }),
      sel('x', { aggregate: 'count' }),
    ]);
  });

  test('input after a complete select list is ignored, as in PostgREST', () => {
    assert.deepEqual(get('select=id)junk').select, [sel('id')]);
    // The list may be empty, so a first item that fails without consuming anything selects nothing (PostgREST 12 does the same).
    assert.deepEqual(get('select=*!hint').select, []);
  });

  test('brackets inside an embed are a parse error with PostgREST wording', () => {
    assert.deepEqual(
      getError('select=id,clients(name[])'),
      pgrst100(
        '"failed to parse select parameter (id,clients(name[]))" (line 1, column 16)',
        'unexpected \'[\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input',
      ),
    );
  });

  test('a hint on a plain column, an empty cast and a JSON path on an embed are errors', () => {
    assert.deepEqual(
      getError('select=name!hint'),
      pgrst100('"failed to parse select parameter (name!hint)" (line 1, column 5)', 'unexpected \'!\' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input'),
    );
    assert.deepEqual(getError('select=id,*!hint'), pgrst100('"failed to parse select parameter (id,*!hint)" (line 1, column 5)', 'unexpected \'!\' expecting ")", "," or end of input'));
    assert.deepEqual(getError('select=name::'), pgrst100('"failed to parse select parameter (name::)" (line 1, column 7)', 'unexpected end of input expecting letter or digit'));
    assert.deepEqual(getError('select=rel->x(*)'), pgrst100('"failed to parse select parameter (rel->x(*))" (line 1, column 7)', "unexpected '(' expecting \"->>\", \"->\", \"::\", \".\", \")\", \",\" or end of input"));
  });

  test('badly formed negative JSON indexes are errors', () => {
    assert.deepEqual(
      getError('select=data->>-78xy'),
      pgrst100('"failed to parse select parameter (data->>-78xy)" (line 1, column 11)', 'unexpected \'x\' expecting digit, "->", "::", ".", "," or end of input'),
    );
  });

  test('nesting deeper than the limit is a parse error, not a crash', () => {
    const deep = `${'a('.repeat(200)}x${')'.repeat(200)}`;
    const e = getError(`select=${deep}`);
    assert.equal(e.code, 'PGRST100');
    assert.equal(e.status, 400);
    assert.match(String(e.details), /nesting deeper than 64 levels/);
  });
});

describe('filters', () => {
  const filter = (query: string) => get(query).filters;

  test('comparison operators, negation and quantifiers', () => {
    assert.deepEqual(filter('a=eq.1&b=neq.x&c=gt.1&d=gte.1&e=lt.1&f=lte.1&g=like.*x*&h=ilike.X*&i=match.^a&j=imatch.A'), [
      ...[['a', 'eq', '1'], ['b', 'neq', 'x'], ['c', 'gt', '1'], ['d', 'gte', '1'], ['e', 'lt', '1'], ['f', 'lte', '1'], ['g', 'like', '*x*'], ['h', 'ilike', 'X*'], ['i', 'match', '^a'], ['j', 'imatch', 'A']].map(
        ([name = '', operator, value = '']) => ({
          path: [],
          filter: { field: col(name), opExpr: { negated: false, operation: { type: 'compare' as const, operator: operator as 'eq', quantifier: null, value } } },
        }),
      ),
    ]);
    assert.deepEqual(filter('tags=not.cs.{a,b}&n=eq(any).{1,2}&s=not.like(all).{a*,*b}'), [
      { path: [], filter: { field: col('tags'), opExpr: { negated: true, operation: { type: 'compare', operator: 'cs', quantifier: null, value: '{a,b}' } } } },
      { path: [], filter: { field: col('n'), opExpr: { negated: false, operation: { type: 'compare', operator: 'eq', quantifier: 'any', value: '{1,2}' } } } },
      { path: [], filter: { field: col('s'), opExpr: { negated: true, operation: { type: 'compare', operator: 'like', quantifier: 'all', value: '{a*,*b}' } } } },
    ]);
  });

  test('range and array operators keep their values verbatim', () => {
    assert.deepEqual(
      filter('r=cd.[1,2]&r=ov.(1,3)&r=sl.[0,1)&r=sr.[5,6]&r=nxr.[1,2]&r=nxl.[1,2]&r=adj.(2,3)').map((f) => f.filter.opExpr.operation),
      ['cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'].map((operator, i) => ({
        type: 'compare',
        operator,
        quantifier: null,
        value: ['[1,2]', '(1,3)', '[0,1)', '[5,6]', '[1,2]', '[1,2]', '(2,3)'][i],
      })),
    );
  });

  test('in lists follow PostgREST quoting rules', () => {
    assert.deepEqual(filter('id=in.(1, 2,3)&name=in.("a,b","c\\"d",e f,"g"h)&x=not.in.()').map((f) => f.filter.opExpr), [
      { negated: false, operation: { type: 'in', values: ['1', ' 2', '3'] } },
      { negated: false, operation: { type: 'in', values: ['a,b', 'c"d', 'e f', '"g"h'] } },
      { negated: true, operation: { type: 'in', values: [''] } },
    ]);
  });

  test('is accepts null, not_null, true, false and unknown in any case', () => {
    assert.deepEqual(filter('a=is.null&b=is.NOT_NULL&c=not.is.True&d=is.false&e=is.unknown').map((f) => f.filter.opExpr), [
      { negated: false, operation: { type: 'is', value: 'null' } },
      { negated: false, operation: { type: 'is', value: 'not_null' } },
      { negated: true, operation: { type: 'is', value: 'true' } },
      { negated: false, operation: { type: 'is', value: 'false' } },
      { negated: false, operation: { type: 'is', value: 'unknown' } },
    ]);
  });

  test('full-text search with an optional language, and isdistinct', () => {
    assert.deepEqual(filter('t=fts(english).cat&t=plfts.fat cats&t=not.phfts(simple).a b&t=wfts."x" -y&a=isdistinct.5').map((f) => f.filter.opExpr), [
      { negated: false, operation: { type: 'fts', operator: 'fts', language: 'english', value: 'cat' } },
      { negated: false, operation: { type: 'fts', operator: 'plfts', language: null, value: 'fat cats' } },
      { negated: true, operation: { type: 'fts', operator: 'phfts', language: 'simple', value: 'a b' } },
      { negated: false, operation: { type: 'fts', operator: 'wfts', language: null, value: '"x" -y' } },
      { negated: false, operation: { type: 'isdistinct', value: '5' } },
    ]);
  });

  test('filters on JSON paths and on embedded resources', () => {
    assert.deepEqual(filter('data->a->>b=eq.1&clients.name=eq.x&clients.projects.id=gt.2&clients=not.is.null'), [
      {
        path: [],
        filter: {
          field: col('data', [
            { arrow: '->', operand: { type: 'key', value: 'a' } },
            { arrow: '->>', operand: { type: 'key', value: 'b' } },
          ]),
          opExpr: { negated: false, operation: { type: 'compare', operator: 'eq', quantifier: null, value: '1' } },
        },
      },
      { path: ['clients'], filter: { field: col('name'), opExpr: { negated: false, operation: { type: 'compare', operator: 'eq', quantifier: null, value: 'x' } } } },
      { path: ['clients', 'projects'], filter: { field: col('id'), opExpr: { negated: false, operation: { type: 'compare', operator: 'gt', quantifier: null, value: '2' } } } },
      { path: [], filter: { field: col('clients'), opExpr: { negated: true, operation: { type: 'is', value: 'null' } } } },
    ]);
  });

  test('values are percent-decoded and + is a space', () => {
    assert.deepEqual(filter('name=eq.a%2Cb+c%20d%zz').map((f) => f.filter.opExpr.operation), [{ type: 'compare', operator: 'eq', quantifier: null, value: 'a,b c d%zz' }]);
  });

  test('a value without operator is an error', () => {
    assert.deepEqual(getError('id=val'), pgrst100('"failed to parse filter (val)" (line 1, column 1)', 'unexpected "v" expecting "not" or operator (eq, gt, ...)'));
    assert.deepEqual(getError('id='), pgrst100('"failed to parse filter ()" (line 1, column 1)', 'unexpected end of input expecting "not" or operator (eq, gt, ...)'));
  });

  test('unknown operators, bad modifiers and bad is values are errors', () => {
    assert.deepEqual(getError('a=noop.0'), pgrst100('"failed to parse filter (noop.0)" (line 1, column 1)', 'unexpected "o" expecting "not" or operator (eq, gt, ...)'));
    assert.deepEqual(getError('a=eq().1'), pgrst100('"failed to parse filter (eq().1)" (line 1, column 4)', 'unexpected ")" expecting operator (eq, gt, ...)'));
    assert.deepEqual(getError('a=fts().1'), pgrst100('"failed to parse filter (fts().1)" (line 1, column 5)', 'unexpected ")" expecting operator (eq, gt, ...)'));
    assert.deepEqual(getError('a=in().1'), pgrst100('"failed to parse filter (in().1)" (line 1, column 3)', 'unexpected "(" expecting operator (eq, gt, ...)'));
    assert.deepEqual(getError('a=is.maybe'), pgrst100('"failed to parse filter (is.maybe)" (line 1, column 4)', 'unexpected "m" expecting isVal: (null, not_null, true, false, unknown)'));
    assert.deepEqual(getError('a=in.1,2'), pgrst100('"failed to parse filter (in.1,2)" (line 1, column 4)', 'unexpected "1" expecting "("'));
  });

  test('a bad parameter name is an error about the tree path', () => {
    assert.deepEqual(getError('%3A=eq.1'), pgrst100('"failed to parse tree path (:)" (line 1, column 1)', 'unexpected ":" expecting field name (* or [a..z0..9_$])'));
  });
});

describe('logic trees', () => {
  const stmt = (name: string, operator: 'eq' | 'gt' | 'lt', value: string) => ({
    type: 'stmt' as const,
    filter: { field: col(name), opExpr: { negated: false, operation: { type: 'compare' as const, operator, quantifier: null, value } } },
  });

  test('or and and, nested, with not', () => {
    assert.deepEqual(get('or=(a.eq.1,and(b.gt.2,not.or(c.lt.3,d.is.null)))&not.and=(e.eq.x,f.eq.y)').logic, [
      {
        path: [],
        tree: {
          type: 'expr',
          negated: false,
          operator: 'or',
          children: [
            stmt('a', 'eq', '1'),
            {
              type: 'expr',
              negated: false,
              operator: 'and',
              children: [
                stmt('b', 'gt', '2'),
                {
                  type: 'expr',
                  negated: true,
                  operator: 'or',
                  children: [stmt('c', 'lt', '3'), { type: 'stmt', filter: { field: col('d'), opExpr: { negated: false, operation: { type: 'is', value: 'null' } } } }],
                },
              ],
            },
          ],
        },
      },
      { path: [], tree: { type: 'expr', negated: true, operator: 'and', children: [stmt('e', 'eq', 'x'), stmt('f', 'eq', 'y')] } },
    ]);
  });

  test('logic on an embedded resource', () => {
    assert.deepEqual(get('select=*,clients(*)&clients.or=(id.eq.1,id.eq.2)&clients.not.and=(a.eq.1,b.eq.2)').logic, [
      { path: ['clients'], tree: { type: 'expr', negated: false, operator: 'or', children: [stmt('id', 'eq', '1'), stmt('id', 'eq', '2')] } },
      { path: ['clients'], tree: { type: 'expr', negated: true, operator: 'and', children: [stmt('a', 'eq', '1'), stmt('b', 'eq', '2')] } },
    ]);
  });

  test('quoted values, array literals, in lists and JSON paths inside a tree', () => {
    assert.deepEqual(get('or=(name.eq."a,b",tags.cs.{x,y},id.in.(1,2),data->>k.eq.v)').logic, [
      {
        path: [],
        tree: {
          type: 'expr',
          negated: false,
          operator: 'or',
          children: [
            stmt('name', 'eq', 'a,b'),
            { type: 'stmt', filter: { field: col('tags'), opExpr: { negated: false, operation: { type: 'compare', operator: 'cs', quantifier: null, value: '{x,y}' } } } },
            { type: 'stmt', filter: { field: col('id'), opExpr: { negated: false, operation: { type: 'in', values: ['1', '2'] } } } },
            { type: 'stmt', filter: { field: col('data', [{ arrow: '->>', operand: { type: 'key', value: 'k' } }]), opExpr: { negated: false, operation: { type: 'compare', operator: 'eq', quantifier: null, value: 'v' } } } },
          ],
        },
      },
    ]);
  });

  test('malformed trees are errors with PostgREST wording', () => {
    assert.deepEqual(
      getError('or=()'),
      pgrst100('"failed to parse logic tree (())" (line 1, column 4)', 'unexpected ")" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic operator (and, or)'),
    );
    assert.deepEqual(getError('or=(id.in.1,2,id.eq.3)'), pgrst100('"failed to parse logic tree ((id.in.1,2,id.eq.3))" (line 1, column 10)', 'unexpected "1" expecting "("'));
    assert.deepEqual(getError('and=(ord(id.eq.1,id.eq.1),id.eq.2)'), pgrst100('"failed to parse logic tree ((ord(id.eq.1,id.eq.1),id.eq.2))" (line 1, column 7)', 'unexpected "d" expecting "("'));
    assert.deepEqual(getError('or=(id.eq.1,not.xor(id.eq.2,id.eq.3))'), pgrst100('"failed to parse logic tree ((id.eq.1,not.xor(id.eq.2,id.eq.3)))" (line 1, column 16)', 'unexpected "x" expecting logic operator (and, or)'));
  });
});

describe('order', () => {
  test('directions, nulls placement and JSON paths', () => {
    assert.deepEqual(get('order=a.desc.nullslast,b,c.asc,d.nullsfirst,data->k.desc').order, [
      {
        path: [],
        terms: [
          { type: 'field', field: col('a'), direction: 'desc', nulls: 'nullslast' },
          { type: 'field', field: col('b'), direction: null, nulls: null },
          { type: 'field', field: col('c'), direction: 'asc', nulls: null },
          { type: 'field', field: col('d'), direction: null, nulls: 'nullsfirst' },
          { type: 'field', field: col('data', [{ arrow: '->', operand: { type: 'key', value: 'k' } }]), direction: 'desc', nulls: null },
        ],
      },
    ]);
  });

  test('related orders and orders of embedded resources', () => {
    assert.deepEqual(get('select=*,clients(*)&order=clients(name).desc.nullsfirst,id&clients.order=name.asc').order, [
      {
        path: [],
        terms: [
          { type: 'relation', relation: 'clients', field: col('name'), direction: 'desc', nulls: 'nullsfirst' },
          { type: 'field', field: col('id'), direction: null, nulls: null },
        ],
      },
      { path: ['clients'], terms: [{ type: 'field', field: col('name'), direction: 'asc', nulls: null }] },
    ]);
  });

  test('misspelled directions are errors with PostgREST wording', () => {
    assert.deepEqual(getError('order=id.ac'), pgrst100('"failed to parse order (id.ac)" (line 1, column 4)', 'unexpected "c" expecting "asc", "desc", "nullsfirst" or "nullslast"'));
    assert.deepEqual(getError('order=id.descc'), pgrst100('"failed to parse order (id.descc)" (line 1, column 8)', 'unexpected \'c\' expecting delimiter (.), "," or end of input'));
    assert.deepEqual(getError('order=id.asc.nlsfst'), pgrst100('"failed to parse order (id.asc.nlsfst)" (line 1, column 8)', 'unexpected "l" expecting "nullsfirst" or "nullslast"'));
    assert.deepEqual(
      getError('order=clients(name,id)'),
      pgrst100('"failed to parse order (clients(name,id))" (line 1, column 8)', 'unexpected \'(\' expecting letter, digit, "-", "->>", "->", delimiter (.), "," or end of input'),
    );
  });
});

describe('columns and on_conflict', () => {
  test('are comma-separated column lists', () => {
    const r = parseRequest(
      { method: 'POST', url: '/items?columns=a, b,a&on_conflict=x,y', headers: new Headers({ 'content-type': 'application/json' }), body: '[{"a":1}]' },
      OPTS,
    );
    assert.ok(r.ok);
    assert.deepEqual([r.request.columns, r.request.onConflict], [['a', 'b'], ['x', 'y']]);
  });

  test('an empty column list is an error', () => {
    assert.deepEqual(getError('columns='), pgrst100('"failed to parse columns parameter ()" (line 1, column 1)', 'unexpected end of input expecting field name (* or [a..z0..9_$])'));
    assert.deepEqual(getError('on_conflict=,'), pgrst100('"failed to parse on_conflict parameter (,)" (line 1, column 1)', 'unexpected "," expecting field name (* or [a..z0..9_$])'));
  });
});
