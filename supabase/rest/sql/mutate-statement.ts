// In charge of the one statement of a write (PostgREST's prepareWrite): the mutation as the CTE `pgrst_source`, read back with the read builder, and the row the response is made from — counts, body, GUC headers/status, Location and the inserted-row count.

import { SOURCE_CTE } from '../plan/mutate-types.ts';
import type { MutatePlan } from '../plan/mutate-types.ts';
import { cat, kw, param, render, sql } from './fragments.ts';
import type { Fragment, Statement } from './fragments.ts';
import { csvBody } from './mutate-csv.ts';
import { mutationQuery } from './mutate.ts';
import { readQuery } from './query.ts';
import { bodyExpression, RESPONSE_SETTINGS } from './read.ts';
import { arrayLiteral } from './where.ts';


/**
 * `[["id","eq.1"], ["k","is.null"]]`: the primary-key columns of the single returned row with PostgREST's
 * `eq.`/`is.null` values, in the row's column order and as `row_to_json` writes them; null unless exactly one row.
 */
function locationExpression(primaryKey: readonly string[]): Fragment {
  return sql`CASE WHEN pg_catalog.count(_postgrest_t) = 1 THEN (SELECT json_agg(json_build_array(pgrst_loc.key, coalesce('eq.' || pgrst_loc.value, 'is.null')))::text FROM (SELECT row_to_json(_) AS r FROM ${kw(SOURCE_CTE)} AS _ LIMIT 1) pgrst_row CROSS JOIN json_each_text(pgrst_row.r) AS pgrst_loc WHERE pgrst_loc.key = ANY(${param(arrayLiteral(primaryKey))}::text[])) END`;
}

/** Only `return=headers-only` on POST answers with a Location (PostgREST 11+), for a table with a primary key. */
export const answersLocation = (plan: MutatePlan): boolean =>
  plan.kind === 'insert' && plan.returnPreference === 'headers-only' && plan.primaryKey.length > 0;

/**
 * `WITH pgrst_source AS (mutation) SELECT total_result_set, page_total, body, response_headers, response_status,
 * location, response_inserted FROM (read over pgrst_source) _postgrest_t`: one row, every column text or null.
 * `page_total` is the number of rows written; `body` is built only for `return=representation`.
 */
export function mutateStatementFragment(plan: MutatePlan): Fragment {
  const representation = plan.returnPreference === 'representation';
  const inserted = plan.mutation.type === 'insert' && plan.mutation.countInserted;
  return cat(
    sql`WITH ${kw(SOURCE_CTE)} AS (${mutationQuery(plan)}) `,
    kw('SELECT null::text AS total_result_set, pg_catalog.count(_postgrest_t)::text AS page_total, '),
    representation && plan.media.type === 'csv' ? csvBody() : bodyExpression(plan.media, !representation),
    kw(' AS body, '),
    RESPONSE_SETTINGS,
    kw(', '),
    answersLocation(plan) ? locationExpression(plan.primaryKey) : kw('null::text'),
    kw(' AS location, '),
    kw(inserted ? `nullif(current_setting('pgrst.inserted', true), '')` : 'null::text'),
    kw(' AS response_inserted'),
    representation ? sql` FROM (${readQuery(plan.read)}) _postgrest_t` : kw(` FROM (SELECT * FROM ${SOURCE_CTE}) _postgrest_t`),
  );
}

export function mutateStatement(plan: MutatePlan): Statement {
  return render(mutateStatementFragment(plan));
}
