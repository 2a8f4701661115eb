// The pure parts of the OpenAPI document without a database: Postgres → Swagger types, column defaults, comment splitting, foreign-key notes on one-to-one relationships and the choice among overloaded functions.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { definitionOf } from '../../supabase/rest/openapi/definitions.ts';
import { openApiDocument } from '../../supabase/rest/openapi/document.ts';
import { arrayItems, parseDefault, splitComment, swaggerType } from '../../supabase/rest/openapi/pg-types.ts';
import { qualifiedKey } from '../../supabase/rest/schema-cache/qualified-key.ts';
import type { Column, ForeignKeyRelationship, Relation, Routine, SchemaCache } from '../../supabase/rest/schema-cache/types.ts';

describe('Postgres types in Swagger', () => {
  test('types map as PostgREST 12 maps them, the format keeping the Postgres name', () => {
    const cases: [string, string | null][] = [
      ['integer', 'integer'],
      ['smallint', 'integer'],
      ['bigint', 'integer'],
      ['numeric', 'number'],
      ['real', 'number'],
      ['double precision', 'number'],
      ['boolean', 'boolean'],
      ['text', 'string'],
      ['character varying', 'string'],
      ['character', 'string'],
      ['uuid', 'string'],
      ['timestamp with time zone', 'string'],
      ['public.mood', 'string'],
      ['json', null],
      ['jsonb', null],
      ['integer[]', 'array'],
      ['public.mood[]', 'array'],
    ];
    for (const [pg, swagger] of cases) assert.equal(swaggerType(pg), swagger, pg);
    assert.deepEqual(arrayItems('integer[]'), { type: 'integer' });
    assert.deepEqual(arrayItems('public.mood[]'), { type: 'string' });
    assert.deepEqual(arrayItems('jsonb[]'), {});
    assert.equal(arrayItems('text'), undefined);
  });

  test('defaults show when they are JSON once a string column loses its cast and quotes', () => {
    assert.equal(parseDefault('text', "'draft'::text"), 'draft');
    assert.equal(parseDefault('character varying', "'x'::character varying"), 'x');
    assert.equal(parseDefault('public.mood', "'happy'::public.mood"), 'happy');
    assert.equal(parseDefault('timestamp with time zone', 'now()'), 'now()');
    assert.equal(parseDefault('uuid', 'gen_random_uuid()'), 'gen_random_uuid()');
    assert.equal(parseDefault('integer', '0'), 0);
    assert.equal(parseDefault('numeric', '1.5'), 1.5);
    assert.equal(parseDefault('boolean', 'true'), true);
    // not JSON: no default at all
    assert.equal(parseDefault('integer', "nextval('public.t_id_seq'::regclass)"), undefined);
    assert.equal(parseDefault('integer', "'-1'::integer"), undefined);
    assert.equal(parseDefault('jsonb', "'{}'::jsonb"), undefined);
    assert.equal(parseDefault('text[]', "'{}'::text[]"), undefined);
    assert.equal(parseDefault('text', `'say "hi"'::text`), undefined);
  });

  test('comments split into a first-line summary and a description without leading newlines', () => {
    assert.deepEqual(splitComment('One line'), { summary: 'One line', description: '' });
    assert.deepEqual(splitComment('Title\n\n\nBody\nmore'), { summary: 'Title', description: 'Body\nmore' });
  });
});

// ---------------------------------------------------------------------------
// a hand-made cache

function column(name: string, position: number, dataType = 'integer', nullable = true): Column {
  return { name, position, description: null, nullable, dataType, nominalType: dataType, baseType: dataType, defaultValue: null, maxLength: null, enumValues: [], generated: false, identity: null };
}

function table(name: string, columns: Column[], primaryKey: string[]): Relation {
  return {
    schema: 'api',
    name,
    kind: 'table',
    isView: false,
    description: null,
    insertable: true,
    updatable: true,
    deletable: true,
    primaryKey,
    columns: new Map(columns.map((c) => [c.name, c])),
  };
}

function oneToOne(from: string, to: string, columns: [string, string][]): ForeignKeyRelationship {
  return {
    cardinality: 'one-to-one',
    holdsForeignKey: true, // not read by the OpenAPI code, which infers the direction itself
    table: { schema: 'api', name: from },
    foreignTable: { schema: 'api', name: to },
    isSelf: from === to,
    constraint: `${from}_${to}_fkey`,
    columns,
    tableIsView: false,
    foreignTableIsView: false,
  };
}

function cacheOf(relations: Relation[], relationships: ForeignKeyRelationship[], routines: Routine[] = []): SchemaCache {
  const rels = new Map<string, ForeignKeyRelationship[]>();
  for (const r of relationships) {
    const k = qualifiedKey(r.table.schema, r.table.name);
    rels.set(k, [...(rels.get(k) ?? []), r]);
  }
  const byName = new Map<string, Routine[]>();
  for (const r of routines) byName.set(qualifiedKey(r.schema, r.name), [...(byName.get(qualifiedKey(r.schema, r.name)) ?? []), r]);
  return { schemas: ['api'], relations: new Map(relations.map((r) => [qualifiedKey(r.schema, r.name), r])), relationships: rels, routines: byName, loadedAt: new Date() };
}

const descriptions = (cache: SchemaCache, name: string) => {
  const relation = cache.relations.get(qualifiedKey('api', name));
  assert.ok(relation);
  const props = definitionOf(cache, relation).properties ?? {};
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.description]));
};

describe('foreign-key notes on one-to-one relationships', () => {
  test('a unique foreign key column gets the note; the primary key it references does not', () => {
    const cache = cacheOf(
      [table('users', [column('id', 1, 'integer', false)], ['id']), table('profiles', [column('id', 1, 'integer', false), column('user_id', 2)], ['id'])],
      [oneToOne('profiles', 'users', [['user_id', 'id']]), oneToOne('users', 'profiles', [['id', 'user_id']])],
    );
    assert.deepEqual(descriptions(cache, 'profiles'), {
      id: 'Note:\nThis is a Primary Key.<pk/>',
      user_id: "Note:\nThis is a Foreign Key to `users.id`.<fk table='users' column='id'/>",
    });
    assert.deepEqual(descriptions(cache, 'users'), { id: 'Note:\nThis is a Primary Key.<pk/>' });
  });

  test('a self-referencing one-to-one notes the referencing column only', () => {
    const cache = cacheOf(
      [table('steps', [column('id', 1, 'integer', false), column('next_id', 2)], ['id'])],
      [oneToOne('steps', 'steps', [['id', 'next_id']]), oneToOne('steps', 'steps', [['next_id', 'id']])],
    );
    assert.deepEqual(descriptions(cache, 'steps'), {
      id: 'Note:\nThis is a Primary Key.<pk/>',
      next_id: "Note:\nThis is a Foreign Key to `steps.id`.<fk table='steps' column='id'/>",
    });
  });

  test('when both ends are primary keys the direction is unknown and no foreign-key note is written', () => {
    const cache = cacheOf(
      [table('students', [column('id', 1, 'integer', false)], ['id']), table('students_info', [column('id', 1, 'integer', false)], ['id'])],
      [oneToOne('students_info', 'students', [['id', 'id']]), oneToOne('students', 'students_info', [['id', 'id']])],
    );
    assert.deepEqual(descriptions(cache, 'students_info'), { id: 'Note:\nThis is a Primary Key.<pk/>' });
    assert.deepEqual(descriptions(cache, 'students'), { id: 'Note:\nThis is a Primary Key.<pk/>' });
  });
});

test('of executable overloads the one with the most parameters describes /rpc/<fn>', () => {
  const routine = (params: [string, string][]): Routine => ({
    schema: 'api',
    name: 'find',
    description: null,
    params: params.map(([name, type]) => ({ name, type, typeMaxLength: type, required: true, variadic: false })),
    outParams: [],
    returns: { kind: 'scalar', setOf: false, type: { schema: 'pg_catalog', name: 'int4' } },
    volatility: 'stable',
    hasVariadic: false,
    isolationLevel: null,
    settings: [],
  });
  const cache = cacheOf([], [], [routine([['a', 'text']]), routine([['a', 'text'], ['b', 'integer']])]);
  const all = openApiDocument(cache, 'api', { tables: [], functions: [{ name: 'find', args: ['text'] }, { name: 'find', args: ['text', 'integer'] }], schemaDescription: null }, { host: 'h', basePath: '/' });
  assert.deepEqual(all.paths['/rpc/find']?.get?.parameters?.map((p) => ('name' in p ? p.name : p.$ref)), ['a', 'b']);
  const one = openApiDocument(cache, 'api', { tables: [], functions: [{ name: 'find', args: ['text'] }], schemaDescription: null }, { host: 'h', basePath: '/' });
  assert.deepEqual(one.paths['/rpc/find']?.get?.parameters?.map((p) => ('name' in p ? p.name : p.$ref)), ['a']);
});
