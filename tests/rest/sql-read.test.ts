// The read statement's text on a hand-built schema cache: one statement, identifiers quoted from the cache only, every value a parameter, the same text for the same plan shape.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRequest } from '../../supabase/rest/parse/index.ts';
import type { ResponseMedia } from '../../supabase/rest/parse/types.ts';
import { planRead } from '../../supabase/rest/plan/read.ts';
import { qualifiedKey } from '../../supabase/rest/schema-cache/qualified-key.ts';
import type { ForeignKeyRelationship, SchemaCache } from '../../supabase/rest/schema-cache/types.ts';
import { cat, ident, kw, param, quoteIdent, render, sql } from '../../supabase/rest/sql/fragments.ts';
import { bodyExpression, readStatement } from '../../supabase/rest/sql/read.ts';
import type { CountPreference } from '../../supabase/rest/sql/read.ts';
import { arrayLiteral } from '../../supabase/rest/sql/where.ts';
import { col, q, table } from '../helpers/schema-cache-builders.ts';

const rel = (from: string, to: string, columns: [string, string][], cardinality: ForeignKeyRelationship['cardinality']): ForeignKeyRelationship => ({
  cardinality, holdsForeignKey: cardinality !== 'one-to-many', table: q(from), foreignTable: q(to), isSelf: false, tableIsView: false, foreignTableIsView: false, constraint: 'projects_client_id_fkey', columns,
});

const relations = [
  table('clients', [col('id', 1), col('name', 2, 'text'), col('data', 3, 'jsonb'), col('we"ird', 4, 'text')]),
  table('projects', [col('id', 1), col('name', 2, 'text'), col('client_id', 3), col('search', 4, 'tsvector')]),
];

const cache: SchemaCache = {
  schemas: ['public'],
  relations: new Map(relations.map((r) => [qualifiedKey(r.schema, r.name), r])),
  relationships: new Map([
    [qualifiedKey('public', 'projects'), [rel('projects', 'clients', [['client_id', 'id']], 'many-to-one')]],
    [qualifiedKey('public', 'clients'), [rel('clients', 'projects', [['id', 'client_id']], 'one-to-many')]],
  ]),
  routines: new Map(),
  loadedAt: new Date(0),
};

function statement(url: string, count: CountPreference = null, media: ResponseMedia = { type: 'json' }) {
  const parsed = parseRequest({ method: 'GET', url, headers: new Headers() }, { schemas: ['public'] });
  assert.ok(parsed.ok);
  const planned = planRead(parsed.request, cache, { aggregatesEnabled: true });
  if (!planned.ok) assert.fail(JSON.stringify(planned.error));
  return readStatement(planned.plan, { count, media });
}

const TAIL =
  `SELECT null::text AS total_result_set, pg_catalog.count(_postgrest_t)::text AS page_total, coalesce(json_agg(_postgrest_t), '[]')::text AS body, ` +
  `nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status ` +
  `FROM ( SELECT * FROM pgrst_source ) _postgrest_t`;

describe('fragments', () => {
  test('identifiers are double-quoted with quotes doubled', () => {
    assert.equal(quoteIdent('we"ird'), '"we""ird"');
    assert.equal(quoteIdent('a\u0000b'), '"ab"');
  });

  test('parameters are numbered in text order', () => {
    assert.deepEqual(render(cat(sql`SELECT ${param('a')}, `, ident('x'), kw(' = '), param('b'))), { text: 'SELECT $1, "x" = $2', values: ['a', 'b'] });
  });

  test('array literals quote every element and escape quotes and backslashes', () => {
    assert.equal(arrayLiteral(['a', 'b,c', 'd"e', 'f\\g', '']), '{"a","b,c","d\\"e","f\\\\g",""}');
  });
});

describe('the read statement', () => {
  test('a filtered, ordered, paged read', () => {
    assert.deepEqual(statement('/projects?select=id,name&id=gt.1&order=name.desc.nullslast&limit=10&offset=20'), {
      text:
        `WITH pgrst_source AS ( SELECT "public"."projects"."id", "public"."projects"."name" FROM "public"."projects" ` +
        `WHERE "public"."projects"."id" > $1 ORDER BY "public"."projects"."name" DESC NULLS LAST LIMIT 10 OFFSET 20 ) ${TAIL}`,
      values: ['1'],
    });
  });

  test('quoted names, JSON paths, in-lists, like, logic trees and an exact count', () => {
    assert.deepEqual(statement('/clients?select=id,"we\\"ird",data->a->0&name=in.(a,"b,c",d\\e)&data->>k=like.*x*&or=(id.eq.1,not.and(id.gt.2,id.lt.5))&order=data->>k.desc&limit=5&offset=10', 'exact'), {
      text:
        `WITH pgrst_source AS ( SELECT "public"."clients"."id", "public"."clients"."we""ird", "public"."clients"."data"->$1->$2::int AS "a" FROM "public"."clients" ` +
        `WHERE ("public"."clients"."id" = $3 OR NOT ("public"."clients"."id" > $4 AND "public"."clients"."id" < $5)) AND "public"."clients"."name" = ANY ($6) ` +
        `AND "public"."clients"."data"->>$7 like $8 ORDER BY "public"."clients"."data"->>$9 DESC LIMIT 5 OFFSET 10 ), ` +
        `pgrst_source_count AS ( SELECT 1 FROM "public"."clients" WHERE ("public"."clients"."id" = $10 OR NOT ("public"."clients"."id" > $11 AND "public"."clients"."id" < $12)) ` +
        `AND "public"."clients"."name" = ANY ($13) AND "public"."clients"."data"->>$14 like $15 ) ` +
        TAIL.replace('null::text AS total_result_set', '(SELECT pg_catalog.count(*) FROM pgrst_source_count)::text AS total_result_set'),
      values: ['a', '+0', '1', '2', '5', '{"a","b,c","d\\\\e"}', 'k', '%x%', 'k', '1', '2', '5', '{"a","b,c","d\\\\e"}', 'k', '%x%'],
    });
  });

  test('embeds: to-one object, to-many json_agg array, !inner, spread; null filters and inner joins become EXISTS in the count', () => {
    assert.deepEqual(statement('/clients?select=name,projects!inner(name)&projects=not.is.null', 'exact').text,
      `WITH pgrst_source AS ( SELECT "public"."clients"."name", COALESCE( "clients_projects_1"."clients_projects_1", '[]') AS "projects" FROM "public"."clients" ` +
      `INNER JOIN LATERAL ( SELECT json_agg("clients_projects_1")::jsonb AS "clients_projects_1" FROM (SELECT "projects_1"."name" FROM "public"."projects" AS "projects_1" ` +
      `WHERE "projects_1"."client_id" = "public"."clients"."id" ) AS "clients_projects_1" ) AS "clients_projects_1" ON "clients_projects_1" IS NOT NULL ` +
      `WHERE "clients_projects_1" IS DISTINCT FROM NULL ), pgrst_source_count AS ( SELECT 1 FROM "public"."clients" WHERE ` +
      `EXISTS (SELECT 1 FROM "public"."projects" AS "projects_1" WHERE "projects_1"."client_id" = "public"."clients"."id") AND ` +
      `EXISTS (SELECT 1 FROM "public"."projects" AS "projects_1" WHERE "projects_1"."client_id" = "public"."clients"."id" ) ) ` +
      TAIL.replace('null::text AS total_result_set', '(SELECT pg_catalog.count(*) FROM pgrst_source_count)::text AS total_result_set'));
    const spread = statement('/projects?select=name,client:clients(name),...clients(cname:name)&search=wfts(french).rapide').text;
    const prefix =
      `WITH pgrst_source AS ( SELECT "public"."projects"."name", row_to_json("projects_client_1".*)::jsonb AS "client", "projects_clients_1"."cname" FROM "public"."projects" ` +
      `LEFT JOIN LATERAL ( SELECT "clients_1"."name" FROM "public"."clients" AS "clients_1" WHERE "clients_1"."id" = "public"."projects"."client_id" ) AS "projects_client_1" ON TRUE ` +
      `LEFT JOIN LATERAL ( SELECT "clients_1"."name" AS "cname" FROM "public"."clients" AS "clients_1" WHERE "clients_1"."id" = "public"."projects"."client_id" ) AS "projects_clients_1" ON TRUE WHERE`;
    assert.equal(spread.slice(0, prefix.length), prefix);
  });

  test('full-text search passes the language as a regconfig parameter', () => {
    const st = statement('/projects?select=id&search=wfts(french).rapide&name=not.plfts.x');
    assert.match(st.text, /"search" @@ websearch_to_tsquery\(\$1::regconfig, \$2\) AND NOT "public"\."projects"\."name" @@ plainto_tsquery\(\$3\)/);
    assert.deepEqual(st.values, ['french', 'rapide', 'x']);
  });

  test('hostile values stay parameters; the text is the same for every value of a shape', () => {
    const evil = statement(`/clients?select=id&name=eq.${encodeURIComponent(`'); drop table clients; --`)}&id=in.(1,"2)")`);
    const plain = statement('/clients?select=id&name=eq.x&id=in.(1,2)');
    assert.equal(evil.text, plain.text);
    assert.deepEqual(evil.values, [`'); drop table clients; --`, '{"1","2)"}']);
    assert.ok(!evil.text.includes('drop'));
  });

  test('is values are keywords, in.() is the empty array, isdistinct a parameter', () => {
    const st = statement('/projects?select=id&client_id=is.null&name=not.is.true&id=in.()&client_id=isdistinct.3');
    assert.match(st.text, /"client_id" IS NULL AND NOT "public"\."projects"\."name" IS TRUE AND "public"\."projects"\."id" = ANY\('\{\}'\) AND "public"\."projects"\."client_id" IS DISTINCT FROM \$1 \)/);
    assert.deepEqual(st.values, ['3']);
  });

  test('aggregates with casts, and the GROUP BY of the other columns', () => {
    const st = statement('/projects?select=client_id,n:id.count()::text,name::text.max(),count()');
    assert.match(st.text, /SELECT "public"\."projects"\."client_id", CAST\( COUNT\("public"\."projects"\."id"\) AS text \) AS "n", MAX\(CAST\( "public"\."projects"\."name" AS text \)\), COUNT\("public"\."projects"\.\*\) FROM "public"\."projects" GROUP BY "public"\."projects"\."client_id" \)/);
  });
});

describe('the body for each media type', () => {
  const text = (media: ResponseMedia, headersOnly = false): string => render(bodyExpression(media, headersOnly)).text;
  test('JSON array, stripped array, singular object, CSV, and nothing for HEAD', () => {
    assert.equal(text({ type: 'json' }), `coalesce(json_agg(_postgrest_t), '[]')::text`);
    assert.equal(text({ type: 'array-stripped' }), `coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')::text`);
    assert.equal(text({ type: 'singular', nullsStripped: false }), `coalesce(json_agg(_postgrest_t)->0, 'null')::text`);
    assert.equal(text({ type: 'singular', nullsStripped: true }), `coalesce(json_strip_nulls(json_agg(_postgrest_t)->0), 'null')::text`);
    assert.match(text({ type: 'csv' }), /^\(SELECT coalesce\(string_agg\(a\.k, ','\), ''\) FROM .* pgrst_source as hh limit 1\) s\) a\) \|\| chr\(10\) \|\| coalesce\(string_agg\(substring\(_postgrest_t::text/);
    assert.equal(text({ type: 'json' }, true), `''::text`);
  });
});
