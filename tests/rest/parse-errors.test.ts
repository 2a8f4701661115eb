// The error catalogue the parse stage shares with later stages: PostgREST 12 codes, statuses and wording, SQLSTATE → HTTP status, and RAISE SQLSTATE 'PGRST'.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ambiguousRelationship, ambiguousRoutine, columnNotFound, invalidRange, jwtInvalid, jwtRequired, noRelationship, noRoutine,
  notEmbedded, parseRaisePgrst, relatedOrderNotToOne, singularityError, spreadNotToOne, statusForSqlState, unacceptableFilter,
} from '../../supabase/rest/errors.ts';

describe('SQLSTATE to HTTP status', () => {
  test('follows PostgREST 12 for exact codes and classes', () => {
    const cases: [string, number][] = [
      ['23505', 409], ['23503', 409], ['25006', 405], ['P0001', 400], ['22P02', 400], ['42883', 404], ['42P01', 404], ['42P17', 500],
      ['08006', 503], ['09000', 500], ['0L000', 403], ['0P000', 403], ['25P02', 500], ['28000', 403], ['2D000', 500], ['38000', 500],
      ['39000', 500], ['3B000', 500], ['40001', 500], ['53400', 500], ['53100', 503], ['54001', 500], ['55P03', 500], ['57P01', 503],
      ['57014', 500], ['58030', 500], ['F0000', 500], ['HV000', 500], ['P0002', 500], ['XX000', 500], ['23502', 400], ['42703', 400],
    ];
    assert.deepEqual(cases.map(([code]) => [code, statusForSqlState(code, { authenticated: false })]), cases);
  });

  test('42501 is 401 for anonymous requests and 403 for authenticated ones', () => {
    assert.deepEqual([statusForSqlState('42501', { authenticated: false }), statusForSqlState('42501', { authenticated: true })], [401, 403]);
  });

  test('PTxxx carries its own status; 21000 depends on the message', () => {
    assert.deepEqual(
      [
        statusForSqlState('PT402', { authenticated: true }),
        statusForSqlState('PTabc', { authenticated: true }),
        statusForSqlState('21000', { authenticated: true, message: 'DELETE requires a WHERE clause' }),
        statusForSqlState('21000', { authenticated: true, message: 'more than one row returned by a subquery used as an expression' }),
        statusForSqlState('42883', { authenticated: true, message: 'function xmlagg(integer) does not exist' }),
      ],
      [402, 500, 400, 500, 406],
    );
  });
});

describe('RAISE SQLSTATE PGRST', () => {
  test('reads the error, status and headers from the message and detail JSON', () => {
    assert.deepEqual(
      parseRaisePgrst('{"code":"123","message":"Payment Required","details":"Quota exceeded","hint":"Upgrade your plan"}', '{"status":402,"headers":{"X-Powered-By":"Nerd Rage"}}'),
      {
        ok: true,
        value: {
          error: { code: '123', message: 'Payment Required', details: 'Quota exceeded', hint: 'Upgrade your plan', status: 402 },
          statusText: null,
          headers: { 'X-Powered-By': 'Nerd Rage' },
        },
      },
    );
  });

  test('bad JSON is PGRST121 naming what was wrong', () => {
    assert.deepEqual(parseRaisePgrst('nope', '{}'), {
      ok: false,
      error: {
        code: 'PGRST121',
        message: `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
        details: "Invalid JSON value for MESSAGE: 'nope'",
        hint: "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.",
        status: 500,
      },
    });
    const noDetail = parseRaisePgrst('{"code":"1","message":"m"}', null);
    assert.deepEqual(noDetail.ok ? null : [noDetail.error.details, noDetail.error.hint], [
      'DETAIL is missing in the RAISE statement',
      "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.",
    ]);
    const badDetail = parseRaisePgrst('{"code":"1","message":"m"}', '{"status":"x"}');
    assert.equal(badDetail.ok ? null : badDetail.error.details, `Invalid JSON value for DETAIL: '{"status":"x"}'`);
  });
});

describe('error constructors', () => {
  test('request-stage errors', () => {
    assert.deepEqual(
      [invalidRange({ type: 'out-of-bounds', offset: 10, total: 3 }), notEmbedded('clients'), singularityError(2), relatedOrderNotToOne('projects', 'clients'), spreadNotToOne('projects', 'tasks'), unacceptableFilter('clients')],
      [
        { code: 'PGRST103', message: 'Requested range not satisfiable', details: 'An offset of 10 was requested, but there are only 3 rows.', hint: null, status: 416 },
        { code: 'PGRST108', message: "'clients' is not an embedded resource in this request", details: null, hint: "Verify that 'clients' is included in the 'select' query parameter.", status: 400 },
        { code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 2 rows', hint: null, status: 406 },
        { code: 'PGRST118', message: "A related order on 'clients' is not possible", details: "'projects' and 'clients' do not form a many-to-one or one-to-one relationship", hint: null, status: 400 },
        { code: 'PGRST119', message: "A spread operation on 'tasks' is not possible", details: "'projects' and 'tasks' do not form a many-to-one or one-to-one relationship", hint: null, status: 400 },
        { code: 'PGRST120', message: "Bad operator on the 'clients' embedded resource", details: 'Only is null or not is null filters are allowed on embedded resources', hint: null, status: 400 },
      ],
    );
  });

  test('schema-cache errors', () => {
    assert.deepEqual(noRelationship({ parent: 'films', child: 'directors', hint: 'fk', schema: 'api', suggestion: null }), {
      code: 'PGRST200',
      message: "Could not find a relationship between 'films' and 'directors' in the schema cache",
      details: "Searched for a foreign key relationship between 'films' and 'directors' using the hint 'fk' in the schema 'api', but no matches were found.",
      hint: null,
      status: 400,
    });
    assert.deepEqual(
      ambiguousRelationship('films', 'people', [{ cardinality: 'many-to-one', embedding: 'films with people', relationship: 'films_director_fkey using films(director_id) and people(id)', hint: "'people!films_director_fkey'" }]),
      {
        code: 'PGRST201',
        message: "Could not embed because more than one relationship was found for 'films' and 'people'",
        details: [{ cardinality: 'many-to-one', embedding: 'films with people', relationship: 'films_director_fkey using films(director_id) and people(id)' }],
        hint: "Try changing 'people' to one of the following: 'people!films_director_fkey'. Find the desired relationship in the 'details' key.",
        status: 300,
      },
    );
    assert.deepEqual(noRoutine({ schema: 'api', name: 'f', argumentKeys: ['a', 'b'], contentType: 'application/json', isInvokePost: true, suggestion: null }), {
      code: 'PGRST202',
      message: 'Could not find the function api.f(a, b) in the schema cache',
      details: 'Searched for the function api.f with parameters a, b or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      hint: null,
      status: 404,
    });
    assert.deepEqual(
      [noRoutine({ schema: 'api', name: 'g', argumentKeys: [], contentType: 'application/json', isInvokePost: false, suggestion: 'Perhaps you meant to call the function api.h' }).message, ambiguousRoutine(['api.f(a => integer)', 'api.f(a => text)']).status, columnNotFound('items', 'nope').message],
      ['Could not find the function api.g without parameters in the schema cache', 300, "Could not find the 'nope' column of 'items' in the schema cache"],
    );
  });

  test('JWT errors', () => {
    assert.deepEqual([jwtInvalid('JWT expired'), jwtRequired()], [
      { code: 'PGRST301', message: 'JWT expired', details: null, hint: null, status: 401 },
      { code: 'PGRST302', message: 'Anonymous access is disabled', details: null, hint: null, status: 401 },
    ]);
  });
});
