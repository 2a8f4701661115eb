// The parse stage as a whole: routing, methods, profiles, ranges, preferences, media types and bodies, with PostgREST 12's errors.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { capRowRange, parseRequest } from '../../supabase/rest/parse/index.ts';
import type { ApiError } from '../../supabase/rest/errors.ts';
import type { ApiRequest, ParseOptions, Preferences } from '../../supabase/rest/parse/index.ts';

const OPTS: ParseOptions = { schemas: ['api', 'public'] };

interface Req {
  readonly method?: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array | null;
}

function parse(r: Req, opts: ParseOptions = OPTS) {
  return parseRequest({ method: r.method ?? 'GET', url: r.url, headers: new Headers(r.headers ?? {}), body: r.body ?? null }, opts);
}

function ok(r: Req, opts: ParseOptions = OPTS): ApiRequest {
  const res = parse(r, opts);
  if (!res.ok) assert.fail(`expected success, got ${JSON.stringify(res.error)}`);
  return res.request;
}

function err(r: Req, opts: ParseOptions = OPTS): ApiError {
  const res = parse(r, opts);
  if (res.ok) assert.fail(`expected an error for ${r.method ?? 'GET'} ${r.url}`);
  return res.error;
}

const NO_PREFS: Preferences = {
  resolution: null,
  return: null,
  params: null,
  count: null,
  tx: null,
  missing: null,
  handling: null,
  timezone: null,
  maxAffected: null,
  invalid: [],
};

const STAR = { type: 'field', field: { name: '*', jsonPath: [] }, alias: null, cast: null, aggregate: null, aggregateCast: null } as const;

describe('routing', () => {
  test('GET on a table reads it from the default schema', () => {
    assert.deepEqual(ok({ url: 'http://localhost:54321/todos', headers: { 'x-client-info': 'test' } }), {
      method: 'GET',
      target: { kind: 'relation', schema: 'api', name: 'todos' },
      action: { type: 'read', headersOnly: false },
      schema: 'api',
      negotiatedByProfile: true,
      select: [STAR],
      filters: [],
      logic: [],
      order: [],
      ranges: [{ path: [], range: { offset: 0, limit: null } }],
      range: { offset: 0, limit: null },
      columns: null,
      onConflict: null,
      rpcArgs: [],
      payload: null,
      payloadColumns: [],
      preferences: NO_PREFS,
      media: { type: 'json' },
      contentType: 'application/json',
      headers: { 'x-client-info': 'test' },
      cookies: {},
    });
  });

  test('the root is the OpenAPI description and /rpc/<fn> a function', () => {
    const root = ok({ url: '/' });
    assert.deepEqual([root.target, root.action, root.media], [{ kind: 'openapi' }, { type: 'read', headersOnly: false }, { type: 'openapi' }]);
    const call = ok({ method: 'POST', url: '/rpc/add_them', body: '{"a":1,"b":2}' });
    assert.deepEqual([call.target, call.action], [{ kind: 'routine', schema: 'api', name: 'add_them' }, { type: 'call', invoke: 'post', headersOnly: false }]);
  });

  test('path segments are percent-decoded', () => {
    assert.deepEqual(ok({ url: '/my%20table' }).target, { kind: 'relation', schema: 'api', name: 'my table' });
  });

  test('nested paths and trailing slashes are PGRST125', () => {
    const expected: ApiError = { code: 'PGRST125', message: 'Invalid path specified in request URL', details: null, hint: null, status: 404 };
    assert.deepEqual(err({ url: '/a/b' }), expected);
    assert.deepEqual(err({ url: '/todos/' }), expected);
    assert.deepEqual(err({ url: '/rpc/f/x' }), expected);
  });
});

describe('methods', () => {
  test('each method maps to its action', () => {
    const actions = (url: string, methods: string[]) => methods.map((method) => ok({ method, url, body: method === 'POST' && url.startsWith('/rpc') ? '{}' : '{"a":1}' }).action);
    assert.deepEqual(actions('/t', ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS']), [
      { type: 'read', headersOnly: false },
      { type: 'read', headersOnly: true },
      { type: 'insert' },
      { type: 'update' },
      { type: 'upsert-put' },
      { type: 'delete' },
      { type: 'info' },
    ]);
    assert.deepEqual(actions('/rpc/f', ['GET', 'HEAD', 'POST', 'OPTIONS']), [
      { type: 'call', invoke: 'read', headersOnly: false },
      { type: 'call', invoke: 'read', headersOnly: true },
      { type: 'call', invoke: 'post', headersOnly: false },
      { type: 'info' },
    ]);
    assert.deepEqual(actions('/', ['GET', 'HEAD', 'OPTIONS']), [{ type: 'read', headersOnly: false }, { type: 'read', headersOnly: true }, { type: 'info' }]);
  });

  test('unsupported methods are PGRST117, and PGRST101 on functions', () => {
    assert.deepEqual(err({ method: 'TRACE', url: '/t' }), { code: 'PGRST117', message: 'Unsupported HTTP method: TRACE', details: null, hint: null, status: 405 });
    assert.deepEqual(err({ method: 'POST', url: '/' }), { code: 'PGRST117', message: 'Unsupported HTTP method: POST', details: null, hint: null, status: 405 });
    assert.deepEqual(err({ method: 'PATCH', url: '/rpc/f' }), { code: 'PGRST101', message: 'Cannot use the PATCH method on RPC', details: null, hint: null, status: 405 });
  });
});

describe('schemas from profile headers', () => {
  test('Accept-Profile picks the schema of reads, Content-Profile that of writes', () => {
    const read = ok({ url: '/t', headers: { 'accept-profile': 'public', 'content-profile': 'api' } });
    assert.deepEqual([read.schema, read.target, read.negotiatedByProfile], ['public', { kind: 'relation', schema: 'public', name: 't' }, true]);
    const write = ok({ method: 'PATCH', url: '/t', headers: { 'accept-profile': 'api', 'content-profile': 'public' }, body: '{"a":1}' });
    assert.deepEqual([write.schema, write.target], ['public', { kind: 'relation', schema: 'public', name: 't' }]);
  });

  test('a single exposed schema is not negotiated', () => {
    assert.equal(ok({ url: '/t' }, { schemas: ['api'] }).negotiatedByProfile, false);
  });

  test('an unexposed schema is PGRST106', () => {
    assert.deepEqual(err({ url: '/t', headers: { 'accept-profile': 'private' } }), {
      code: 'PGRST106',
      message: 'The schema must be one of the following: api, public',
      details: null,
      hint: null,
      status: 406,
    });
    assert.equal(err({ method: 'DELETE', url: '/t', headers: { 'content-profile': 'private' } }).code, 'PGRST106');
  });
});

describe('ranges', () => {
  test('limit and offset per embed path', () => {
    const r = ok({ url: '/t?select=*,c(*)&limit=10&offset=20&c.limit=2&c.offset=1&c.d.limit=3' });
    assert.deepEqual([r.range, r.ranges], [
      { offset: 20, limit: 10 },
      [
        { path: [], range: { offset: 20, limit: 10 } },
        { path: ['c'], range: { offset: 1, limit: 2 } },
        { path: ['c', 'd'], range: { offset: 0, limit: 3 } },
      ],
    ]);
  });

  test('the Range header of a GET is intersected with limit and offset', () => {
    assert.deepEqual(ok({ url: '/t', headers: { range: '0-9', 'range-unit': 'items' } }).range, { offset: 0, limit: 10 });
    assert.deepEqual(ok({ url: '/t', headers: { range: '5-' } }).range, { offset: 5, limit: null });
    assert.deepEqual(ok({ url: '/t?limit=3', headers: { range: '2-9' } }).range, { offset: 2, limit: 1 });
    assert.deepEqual(ok({ url: '/t?limit=5&offset=2', headers: { range: '0-3' } }).range, { offset: 2, limit: 2 });
    assert.deepEqual(ok({ url: '/t', headers: { range: 'items=0-9' } }).range, { offset: 0, limit: null });
  });

  test('the Range header is ignored on other methods', () => {
    assert.deepEqual(ok({ method: 'HEAD', url: '/t', headers: { range: '0-1' } }).range, { offset: 0, limit: null });
    assert.deepEqual(ok({ method: 'DELETE', url: '/t', headers: { range: '5-2' } }).range, { offset: 0, limit: null });
  });

  test('limit=0 asks for no rows; unreadable numbers are ignored', () => {
    assert.deepEqual(ok({ url: '/t?limit=0' }).range, { offset: 0, limit: 0 });
    assert.deepEqual(ok({ url: '/t?limit=abc' }).range, { offset: 0, limit: null });
    assert.deepEqual(ok({ url: '/t?offset=x' }).range, { offset: 0, limit: null });
    assert.deepEqual(ok({ url: '/t?limit=%207%20' }).range, { offset: 0, limit: 7 });
    // PostgREST 12 quirks: an unreadable limit next to an offset counts as 0, and only a bare limit=0 may be empty.
    assert.equal(err({ url: '/t?limit=abc&offset=2' }).code, 'PGRST103');
    assert.equal(err({ url: '/t?limit=0&offset=5' }).code, 'PGRST103');
  });

  test('a negative limit or a reversed Range is PGRST103', () => {
    assert.deepEqual(err({ url: '/t?limit=-1' }), {
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'Limit should be greater than or equal to zero.',
      hint: null,
      status: 416,
    });
    assert.deepEqual(err({ url: '/t', headers: { range: '5-2' } }), {
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      hint: null,
      status: 416,
    });
  });

  test('PUT with limit or offset is PGRST114', () => {
    assert.deepEqual(err({ method: 'PUT', url: '/t?id=eq.1&offset=1', body: '{"id":1}' }), {
      code: 'PGRST114',
      message: 'limit/offset querystring parameters are not allowed for PUT',
      details: null,
      hint: null,
      status: 400,
    });
  });

  test('maxRows caps reads and calls but not mutations', () => {
    const opts = { schemas: ['api'], maxRows: 100 };
    assert.deepEqual(ok({ url: '/t' }, opts).range, { offset: 0, limit: 100 });
    assert.deepEqual(ok({ url: '/t?limit=500&offset=3' }, opts).range, { offset: 3, limit: 100 });
    assert.deepEqual(ok({ url: '/t?limit=0' }, opts).range, { offset: 0, limit: 0 });
    assert.deepEqual(ok({ url: '/rpc/f' }, opts).range, { offset: 0, limit: 100 });
    assert.deepEqual(ok({ method: 'DELETE', url: '/t?limit=500' }, opts).range, { offset: 0, limit: 500 });
    assert.deepEqual(capRowRange({ offset: 4, limit: null }, 10), { offset: 4, limit: 10 });
    assert.deepEqual(capRowRange({ offset: 0, limit: 0 }, 10), { offset: 0, limit: 0 });
  });
});

describe('Prefer header', () => {
  test('every preference PostgREST 12 understands', () => {
    const r = ok(
      {
        method: 'POST',
        url: '/t',
        headers: { prefer: 'return=representation, count=planned,resolution=merge-duplicates, missing=default, handling=lenient, tx=rollback, timezone=Europe/Paris, max-affected=5' },
        body: '{"a":1}',
      },
      { schemas: ['api'], allowTxOverride: true, timezones: new Set(['Europe/Paris']) },
    );
    assert.deepEqual(r.preferences, {
      resolution: 'merge-duplicates',
      return: 'representation',
      params: null,
      count: 'planned',
      tx: 'rollback',
      missing: 'default',
      handling: 'lenient',
      timezone: 'Europe/Paris',
      maxAffected: 5,
      invalid: [],
    });
  });

  test('the first value of each kind wins, across several headers', () => {
    const headers = new Headers();
    headers.append('prefer', 'count=exact, return=minimal');
    headers.append('prefer', 'count=estimated, return=headers-only, params=single-object, missing=null, resolution=ignore-duplicates');
    const r = parseRequest({ method: 'POST', url: '/rpc/f', headers, body: '{}' }, OPTS);
    assert.ok(r.ok);
    assert.deepEqual(r.request.preferences, {
      ...NO_PREFS,
      count: 'exact',
      return: 'minimal',
      params: 'single-object',
      missing: 'null',
      resolution: 'ignore-duplicates',
    });
  });

  test('unknown preferences, tx without override and unknown time zones are listed or dropped', () => {
    const r = ok({ url: '/t', headers: { prefer: 'foo, tx=commit, timezone=Mars/Base, count=exact,,' } }, { schemas: ['api'], timezones: new Set(['UTC']) });
    assert.deepEqual(r.preferences, { ...NO_PREFS, count: 'exact', invalid: ['foo', 'timezone=Mars/Base', '', ''] });
  });

  test('handling=strict with invalid preferences is PGRST122', () => {
    const expected: ApiError = {
      code: 'PGRST122',
      message: 'Invalid preferences given with handling=strict',
      details: 'Invalid preferences: foo, return=everything',
      hint: null,
      status: 400,
    };
    assert.deepEqual(err({ url: '/t', headers: { prefer: 'handling=strict, foo, return=everything' } }), expected);
    assert.deepEqual(err({ method: 'POST', url: '/t', headers: { prefer: 'handling=strict, foo, return=everything' }, body: '{}' }), expected);
    assert.equal(ok({ method: 'OPTIONS', url: '/t', headers: { prefer: 'handling=strict, foo' } }).action.type, 'info');
  });
});

describe('media types', () => {
  const media = (accept: string, url = '/t') => ok({ url, headers: { accept } }).media;

  test('JSON, CSV, singular objects and stripped nulls', () => {
    assert.deepEqual(
      ['application/json', '*/*', 'text/csv', 'application/vnd.pgrst.object+json', 'application/vnd.pgrst.object+json; nulls=stripped', 'application/vnd.pgrst.array+json;nulls=stripped', 'application/vnd.pgrst.array+json', 'Application/JSON; charset=utf-8'].map((a) => media(a)),
      [{ type: 'json' }, { type: 'json' }, { type: 'csv' }, { type: 'singular', nullsStripped: false }, { type: 'singular', nullsStripped: true }, { type: 'array-stripped' }, { type: 'json' }, { type: 'json' }],
    );
  });

  test('Accept is ordered by quality then specificity', () => {
    assert.deepEqual(media('application/json;q=0.5, text/csv'), { type: 'csv' });
    assert.deepEqual(media('*/*, text/csv;q=0.9'), { type: 'json' });
    assert.deepEqual(media('image/png, text/csv;q=0.1'), { type: 'csv' });
  });

  test('the root answers application/openapi+json, application/json or */*', () => {
    assert.deepEqual(media('application/openapi+json', '/'), { type: 'openapi' });
    assert.deepEqual(media('application/json', '/'), { type: 'openapi' });
    assert.equal(err({ url: '/', headers: { accept: 'text/csv' } }).code, 'PGRST107');
  });

  test('unavailable media types are PGRST107 listing what was asked', () => {
    assert.deepEqual(err({ url: '/t', headers: { accept: 'application/geo+json, text/plain;q=0.5' } }), {
      code: 'PGRST107',
      message: 'None of these media types are available: application/geo+json, text/plain',
      details: null,
      hint: null,
      status: 406,
    });
    assert.deepEqual(err({ url: '/t', headers: { accept: 'application/openapi+json' } }).message, 'None of these media types are available: application/openapi+json');
    assert.deepEqual(
      err({ url: '/t', headers: { accept: 'application/vnd.pgrst.plan+json; for="text/csv"; options=analyze|wal' } }).message,
      'None of these media types are available: application/vnd.pgrst.plan+json; for="text/csv"; options=analyze|wal',
    );
    assert.equal(err({ method: 'PATCH', url: '/t', headers: { accept: 'text/html' }, body: '{}' }).code, 'PGRST107');
  });

  test('OPTIONS does not negotiate', () => {
    assert.deepEqual(ok({ method: 'OPTIONS', url: '/t', headers: { accept: 'text/html' } }).media, { type: 'json' });
  });
});

describe('request bodies', () => {
  const post = (body: string | Uint8Array, headers: Record<string, string> = {}, url = '/t', method = 'POST') => ok({ method, url, headers, body });
  const postError = (body: string, headers: Record<string, string> = {}, url = '/t', method = 'POST') => err({ method, url, headers, body });

  test('a JSON object or an array of objects with the same keys', () => {
    const one = post('{"id": 1, "name": "x"}');
    assert.deepEqual([one.payload, one.payloadColumns], [{ type: 'json', raw: '{"id": 1, "name": "x"}', keys: ['id', 'name'] }, ['id', 'name']]);
    const bulk = post('[{"id":1,"n":12345678901234567890.5},{"n":null,"id":2}]');
    assert.deepEqual(bulk.payload, { type: 'json', raw: '[{"id":1,"n":12345678901234567890.5},{"n":null,"id":2}]', keys: ['id', 'n'] });
  });

  test('an empty array or a scalar becomes an empty array', () => {
    assert.deepEqual(post('[]').payload, { type: 'json', raw: '[]', keys: [] });
    assert.deepEqual(post('42').payload, { type: 'json', raw: '[]', keys: [] });
  });

  test('objects with different keys are PGRST102', () => {
    assert.deepEqual(postError('[{"a":1},{"b":2}]'), { code: 'PGRST102', message: 'All object keys must match', details: null, hint: null, status: 400 });
    assert.deepEqual(postError('[1,{"a":1}]').message, 'All object keys must match');
  });

  test('invalid or empty JSON is PGRST102 "Empty or invalid json"', () => {
    const expected: ApiError = { code: 'PGRST102', message: 'Empty or invalid json', details: null, hint: null, status: 400 };
    assert.deepEqual(postError('{"a":'), expected);
    assert.deepEqual(postError(''), expected);
    assert.deepEqual(postError('nope', {}, '/t', 'PATCH'), expected);
    assert.deepEqual(postError('{"a":1} x', {}, '/t', 'PUT'), expected);
  });

  test('?columns= keeps the JSON for the database to read', () => {
    const r = post('[{"a":1,"b":2,"c":3}', {}, '/t?columns=a,b');
    assert.deepEqual([r.payload, r.payloadColumns], [{ type: 'raw-json', raw: '[{"a":1,"b":2,"c":3}' }, ['a', 'b']]);
  });

  test('CSV bodies: a header line, quoting, NULL as null', () => {
    const r = post('id,name,note\n1,"Smith, J","say ""hi"""\r\n2,NULL,\n\n', { 'content-type': 'text/csv' });
    assert.deepEqual([r.payload, r.contentType], [
      { type: 'json', raw: '[{"id":"1","name":"Smith, J","note":"say \\"hi\\""},{"id":"2","name":null,"note":""}]', keys: ['id', 'name', 'note'] },
      'text/csv',
    ]);
  });

  test('CSV lines with a different number of fields or bad quoting are PGRST102', () => {
    assert.deepEqual(postError('a,b\n1,2\n3\n', { 'content-type': 'text/csv' }).message, 'All lines must have same number of fields');
    assert.equal(postError('a,b\n"1,2\n', { 'content-type': 'text/csv' }).code, 'PGRST102');
    assert.equal(postError('a,b', { 'content-type': 'text/csv' }).code, 'PGRST102');
  });

  test('url-encoded bodies: an object for mutations, argument pairs for calls', () => {
    assert.deepEqual(post('a=1&b=x+y&a=2', { 'content-type': 'application/x-www-form-urlencoded' }).payload, { type: 'json', raw: '{"a":"2","b":"x y"}', keys: ['a', 'b'] });
    assert.deepEqual(post('a=1&b=%C3%A9', { 'content-type': 'application/x-www-form-urlencoded' }, '/rpc/f').payload, {
      type: 'url-encoded',
      params: [['a', '1'], ['b', 'é']],
      keys: ['a', 'b'],
    });
  });

  test('text, XML and binary bodies go whole to single-parameter functions only', () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    assert.deepEqual(post(bytes, { 'content-type': 'application/octet-stream' }, '/rpc/upload').payload, { type: 'raw', mediaType: 'application/octet-stream', body: bytes });
    assert.deepEqual(postError('hello', { 'content-type': 'text/plain' }), { code: 'PGRST102', message: 'Content-Type not acceptable: text/plain', details: null, hint: null, status: 400 });
    assert.deepEqual(postError('x', { 'content-type': 'application/geo+json' }).message, 'Content-Type not acceptable: application/geo+json');
  });

  test('function calls: empty body means no arguments; single-object keeps the body whole', () => {
    assert.deepEqual(post('', {}, '/rpc/f').payload, { type: 'json', raw: '{}', keys: [] });
    const single = post('{"a":1,"b":[1,2]}', { prefer: 'params=single-object' }, '/rpc/f');
    assert.deepEqual([single.payload, single.preferences.params], [{ type: 'json', raw: '{"a":1,"b":[1,2]}', keys: ['a', 'b'] }, 'single-object']);
  });

  test('GET calls take arguments from the query string; operator values stay filters', () => {
    const r = ok({ url: '/rpc/search?q=cats&limit_to=5&tags=cs.{a}&select=id&order=id' });
    assert.deepEqual([r.rpcArgs, r.filters], [
      [['q', 'cats'], ['limit_to', '5']],
      [{ path: [], filter: { field: { name: 'tags', jsonPath: [] }, opExpr: { negated: false, operation: { type: 'compare', operator: 'cs', quantifier: null, value: '{a}' } } } }],
    ]);
    assert.equal(err({ url: '/rpc/f?x=is.maybe' }).code, 'PGRST100');
  });

  test('reads and deletes ignore the body', () => {
    assert.equal(ok({ url: '/t', body: '{nope' }).payload, null);
    assert.equal(ok({ method: 'DELETE', url: '/t?id=eq.1', body: '{nope' }).payload, null);
  });
});

describe('headers and cookies', () => {
  test('are passed on for the request settings, cookies split out', () => {
    const r = ok({ url: '/t', headers: { Cookie: 'a=1; b=x=y;c', 'X-Custom': 'v' } });
    assert.deepEqual([r.headers, r.cookies], [{ 'x-custom': 'v' }, { a: '1', b: 'x=y', c: '' }]);
  });
});

test('request headers become plain data for request.headers: no cookie, and a __proto__ header is a key, not a prototype', () => {
  const headers = new Headers([['x-one', 'a'], ['__proto__', 'evil'], ['cookie', 'sid=1'], ['X-Two', 'b']]);
  const r = parseRequest({ method: 'GET', url: '/todos', headers, body: null }, OPTS);
  assert.ok(r.ok);
  assert.equal(Object.getPrototypeOf(r.request.headers), Object.prototype);
  assert.equal(JSON.stringify(r.request.headers), '{"__proto__":"evil","x-one":"a","x-two":"b"}');
});
