// Property-style checks of the parse stage: thousands of random and adversarial requests never throw and only ever fail with a 4xx PostgREST error; generated well-formed filters always parse back to what was generated.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest, unexpectedParseFailure } from '../../supabase/rest/parse/index.ts';
import type { Operation, ParseResult } from '../../supabase/rest/parse/index.ts';

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNEXPECTED = unexpectedParseFailure().message;

function assertWellFormed(result: ParseResult, context: string): void {
  if (result.ok) {
    const r = result.request;
    assert.ok(Number.isSafeInteger(r.range.offset), context);
    assert.ok(r.range.limit === null || Number.isSafeInteger(r.range.limit), context);
    assert.ok(Array.isArray(r.select) && Array.isArray(r.filters), context);
    return;
  }
  const e = result.error;
  assert.ok(e.status >= 400 && e.status < 500, `${context}: status ${e.status}`);
  assert.match(e.code, /^PGRST1\d\d$/, context);
  assert.equal(typeof e.message, 'string', context);
  assert.notEqual(e.message, UNEXPECTED, `${context}: parse threw internally`);
}

const NAMES = ['id', 'a', 'clients', 'rel', 'data', 'count', 'not', 'or', 'and', 'x y', 'é', 'select', 'limit', 'offset', 'order'];
const PUNCT = ['(', ')', ',', '.', ':', '::', '!', '->', '->>', '-', '"', '\\', '{', '}', '[', ']', '*', '...', ' ', '\t', '%', '%2C', '%zz', '%C3', '%FF', '+', '=', '&', ';', '#', '?', '/', '\u0000', '😀', '\n'];
const WORDS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'in', 'is', 'isdistinct', 'fts', 'plfts', 'phfts', 'wfts', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj', 'any', 'all', 'null', 'not_null', 'true', 'false', 'unknown', 'asc', 'desc', 'nullsfirst', 'nullslast', 'inner', 'left', 'sum', 'avg', 'max', 'min', 'count()', 'english', '1', '-1', '0', '99999999999999999999999'];
const KEYS = ['select', 'order', 'limit', 'offset', 'or', 'and', 'not.or', 'rel.and', 'rel.order', 'rel.limit', 'rel.offset', 'columns', 'on_conflict', 'id', 'rel.id', 'data->a', ''];

function generator(seed: number) {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const token = (): string => {
    const r = rnd();
    if (r < 0.3) return pick(NAMES);
    if (r < 0.65) return pick(PUNCT);
    if (r < 0.95) return pick(WORDS);
    const cp = int(0x2ffff);
    return cp >= 0xd800 && cp <= 0xdfff ? '\ufffd' : String.fromCodePoint(cp);
  };
  const text = (max: number): string => Array.from({ length: int(max) }, token).join('');
  const query = (): string =>
    Array.from({ length: int(6) }, () => {
      const key = rnd() < 0.8 ? pick(KEYS) : text(4);
      return rnd() < 0.1 ? key : `${key}=${text(16)}`;
    }).join(pick(['&', '&', '&', ';', '&&']));
  /** Header values must be ByteStrings without NUL, CR or LF. */
  const headerValue = (max: number): string =>
    text(max)
      .replace(/[^\x20-\x7e\t]/g, '')
      .trim();
  const mediaType = (): string =>
    pick(['application/json', 'text/csv', '*/*', 'application/vnd.pgrst.object+json', 'application/vnd.pgrst.array+json;nulls=stripped', 'application/geo+json', 'text/plain', 'application/openapi+json', 'application/vnd.pgrst.plan+json', 'application/x-www-form-urlencoded', 'application/octet-stream', 'image/*', headerValue(5)]) +
    (rnd() < 0.3 ? `;q=${pick(['0.5', '1', 'x', '', '-1', '0'])}` : '') +
    (rnd() < 0.2 ? pick([';nulls=stripped', '; charset=utf-8', ';for="text/csv"', ';options=analyze|wal']) : '');
  const headers = (): Headers => {
    const h = new Headers();
    if (rnd() < 0.6) h.set('accept', Array.from({ length: 1 + int(3) }, mediaType).join(pick([',', ', ', ',,'])));
    if (rnd() < 0.5) h.set('content-type', mediaType());
    if (rnd() < 0.5)
      h.set('prefer', Array.from({ length: int(5) }, () => pick(['return=representation', 'return=minimal', 'count=exact', 'handling=strict', 'handling=lenient', 'tx=rollback', 'missing=default', 'params=single-object', 'resolution=merge-duplicates', 'timezone=UTC', 'max-affected=5', 'max-affected=x', headerValue(4)])).join(pick([',', ', ', ',,'])));
    if (rnd() < 0.3) h.set('range', pick(['0-9', '5-', '9-0', '-5', 'items=0-9', '0-99999999999999999999', headerValue(4)]));
    if (rnd() < 0.2) h.set('accept-profile', pick(['api', 'public', 'private', '', headerValue(3)]));
    if (rnd() < 0.2) h.set('content-profile', pick(['api', 'public', 'private', headerValue(3)]));
    if (rnd() < 0.1) h.set('cookie', headerValue(8));
    return h;
  };
  const body = (): string | Uint8Array | null => {
    const r = rnd();
    if (r < 0.2) return null;
    if (r < 0.4) return pick(['{}', '[]', '{"a":1}', '[{"a":1},{"a":2}]', '[{"a":1},{"b":2}]', '1', '"x"', 'null', 'a,b\n1,2\n', 'a,b\n"1\n', 'a=1&b=2', '']);
    if (r < 0.5) return Uint8Array.from({ length: int(16) }, () => int(256));
    return text(20);
  };
  const method = (): string => pick(['GET', 'GET', 'HEAD', 'POST', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'get', 'BREW']);
  const path = (): string => pick(['/', '/t', '/t', '/rpc/f', '/rpc/f', '/a/b', '/t/', '//', '/%zz', '/%C3%A9', `/${encodeURIComponent(text(4))}`]);
  return { rnd, int, pick, text, query, headers, body, method, path };
}

test('random and adversarial requests never throw and fail only with 4xx PostgREST errors', () => {
  const g = generator(0xc0ffee);
  const opts = { schemas: ['api', 'public'], maxRows: 1000 };
  let failures = 0;
  for (let i = 0; i < 4000; i++) {
    const url = `${g.path()}?${g.query()}`;
    const method = g.method();
    const context = `#${i} ${method} ${JSON.stringify(url)}`;
    const result = parseRequest({ method, url, headers: g.headers(), body: g.body() }, opts);
    assertWellFormed(result, context);
    if (!result.ok) failures++;
  }
  // The inputs are mostly garbage: most should fail, and some must get through.
  assert.ok(failures > 1000 && failures < 4000, `failures: ${failures}`);
});

test('mutations of valid query strings never throw', () => {
  const g = generator(42);
  const seeds = [
    'select=id,alias:data->a->>b::text,clients!fk!inner(*,...users(name)),count(),amount.sum()::int',
    'id=eq.1&name=not.ilike(any).{a*,b*}&tags=cs.{a,b}&x=in.("a,b",c)&t=fts(english).cat',
    'or=(a.eq.1,and(b.gt.2,not.or(c.lt.3,d.is.null)))&clients.or=(id.eq.1,name.eq."x,y")',
    'order=a.desc.nullslast,clients(name).asc,data->k&limit=10&offset=5&clients.limit=2',
    'columns=a,b&on_conflict=id',
  ];
  for (let i = 0; i < 4000; i++) {
    const chars = Array.from(g.pick(seeds));
    for (let k = 0; k < 1 + g.int(4); k++) {
      const at = g.int(chars.length + 1);
      const r = g.rnd();
      if (r < 0.4) chars.splice(at, 1);
      else if (r < 0.8) chars.splice(at, 0, g.pick([...'(),.:!->"\\{}[]*&=%; ']));
      else chars.splice(at, 0, g.text(3));
    }
    const url = `/t?${chars.join('')}`;
    assertWellFormed(parseRequest({ method: g.pick(['GET', 'POST', 'PATCH']), url, headers: new Headers(), body: '{"a":1}' }, { schemas: ['api'] }), url);
  }
});

test('generated well-formed filters parse back to what was generated', () => {
  const g = generator(7);
  const compareOps = ['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'] as const;
  const quantifiable = new Set(['eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
  const valueChars = [...'abcXYZ019 _-.,(){}[]*:"\'!@$^~é😀'];
  for (let i = 0; i < 2000; i++) {
    const value = Array.from({ length: g.int(12) }, () => g.pick(valueChars)).join('');
    const negated = g.rnd() < 0.3;
    let text: string;
    let operation: Operation;
    const r = g.rnd();
    if (r < 0.6) {
      const operator = g.pick(compareOps);
      const quantifier = quantifiable.has(operator) && g.rnd() < 0.3 ? g.pick(['any', 'all'] as const) : null;
      text = `${operator}${quantifier === null ? '' : `(${quantifier})`}.${value}`;
      operation = { type: 'compare', operator, quantifier, value };
    } else if (r < 0.75) {
      const values = Array.from({ length: 1 + g.int(4) }, () => Array.from({ length: g.int(5) }, () => g.pick([...'abc 19é'])).join(''));
      text = `in.(${values.join(',')})`;
      // As in PostgREST, spaces after the opening parenthesis belong to the list syntax, not to the first value.
      operation = { type: 'in', values: values.map((v, k) => (k === 0 ? v.replace(/^[ \t]+/, '') : v)) };
    } else if (r < 0.9) {
      const operator = g.pick(['fts', 'plfts', 'phfts', 'wfts'] as const);
      const language = g.rnd() < 0.5 ? g.pick(['english', 'simple', 'french']) : null;
      text = `${operator}${language === null ? '' : `(${language})`}.${value}`;
      operation = { type: 'fts', operator, language, value };
    } else {
      const is = g.pick(['null', 'not_null', 'true', 'false', 'unknown'] as const);
      text = `is.${is}`;
      operation = { type: 'is', value: is };
    }
    const column = g.pick(['id', 'name', 'first name', 'a_b$c', 'é']);
    const url = `/t?${encodeURIComponent(column)}=${encodeURIComponent(`${negated ? 'not.' : ''}${text}`)}`;
    const result = parseRequest({ method: 'GET', url, headers: new Headers() }, { schemas: ['api'] });
    if (!result.ok) assert.fail(`${url}: ${JSON.stringify(result.error)}`);
    assert.deepEqual(result.request.filters, [{ path: [], filter: { field: { name: column, jsonPath: [] }, opExpr: { negated, operation } } }], url);
  }
});
