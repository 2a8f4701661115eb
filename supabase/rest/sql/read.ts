// In charge of the one statement of a GET/HEAD on a table or view (PostgREST's createReadStatement): the read as a CTE, the count, and the response body built in the database as JSON or CSV text.

import type { ResponseMedia } from '../parse/types.ts';
import type { ReadPlan } from '../plan/types.ts';
import { cat, kw, render, sql } from './fragments.ts';
import type { Fragment, Statement } from './fragments.ts';
import { countQuery, readQuery } from './query.ts';

export type CountPreference = 'exact' | 'planned' | 'estimated' | null;

export interface ReadStatementOptions {
  /**
   * `exact` and `estimated` count the matching rows in the statement (PostgREST then replaces an `estimated` total
   * above max-rows by the planner's estimate: see `plannedCountStatement`); `planned` leaves the total null.
   */
  readonly count: CountPreference;
  readonly media: ResponseMedia;
  /** HEAD: no body is built. */
  readonly headersOnly?: boolean;
}

/** The CTE the read's rows are named by in the final SELECT, as in PostgREST. */
export const SOURCE_CTE = 'pgrst_source';

const stripped = (strip: boolean, x: string): string => (strip ? `json_strip_nulls(${x})` : x);

/** CSV: a header from the first row's keys, then each row's record text without its parentheses (PostgREST's asCsvF). */
const CSV_BODY =
  `(SELECT coalesce(string_agg(a.k, ','), '') FROM (SELECT json_object_keys(r)::text as k FROM ( ` +
  `SELECT row_to_json(hh) as r from ${SOURCE_CTE} as hh limit 1) s) a) || chr(10) || ` +
  `coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`;

/** The expression over the rows `_postgrest_t` that makes the response body (PostgREST's handlerF for the built-in media types). */
export function bodyExpression(media: ResponseMedia, headersOnly = false): Fragment {
  if (headersOnly) return kw(`''::text`);
  switch (media.type) {
    case 'singular':
      return kw(`coalesce(${stripped(media.nullsStripped, 'json_agg(_postgrest_t)->0')}, 'null')::text`);
    case 'array-stripped':
      return kw(`coalesce(${stripped(true, 'json_agg(_postgrest_t)')}, '[]')::text`);
    case 'csv':
      return kw(CSV_BODY);
    case 'json':
    case 'openapi':
      return kw(`coalesce(json_agg(_postgrest_t), '[]')::text`);
  }
}

/** The `response.headers` / `response.status` a function or trigger set, read at the end of the statement. */
export const RESPONSE_SETTINGS = kw(
  `nullif(current_setting('response.headers', true), '') AS response_headers, ` +
    `nullif(current_setting('response.status', true), '') AS response_status`,
);

/**
 * `WITH pgrst_source AS (read) [, pgrst_source_count AS (count)] SELECT total_result_set, page_total, body,
 * response_headers, response_status`: one row, every column text (or null). Its text depends only on the plan's
 * shape and the options, so it can be a prepared statement.
 */
export function readStatementFragment(plan: ReadPlan, opts: ReadStatementOptions): Fragment {
  const counts = opts.count === 'exact' || opts.count === 'estimated';
  return cat(
    sql`WITH ${kw(SOURCE_CTE)} AS ( ${readQuery(plan)} )`,
    counts ? sql`, pgrst_source_count AS ( ${countQuery(plan)} )` : kw(''),
    kw(' SELECT '),
    kw(counts ? '(SELECT pg_catalog.count(*) FROM pgrst_source_count)::text' : 'null::text'),
    kw(' AS total_result_set, pg_catalog.count(_postgrest_t)::text AS page_total, '),
    bodyExpression(opts.media, opts.headersOnly ?? false),
    kw(' AS body, '),
    RESPONSE_SETTINGS,
    kw(` FROM ( SELECT * FROM ${SOURCE_CTE} ) _postgrest_t`),
  );
}

export function readStatement(plan: ReadPlan, opts: ReadStatementOptions): Statement {
  return render(readStatementFragment(plan, opts));
}

/**
 * `EXPLAIN (FORMAT JSON) <count query>`: PostgreSQL's estimate of the top level's rows, which PostgREST reads for
 * `count=planned` (and for `count=estimated` above max-rows) in a statement of its own. Read the answer with `planRows`.
 */
export function plannedCountStatement(plan: ReadPlan): Statement {
  return render(sql`EXPLAIN (FORMAT JSON) ${countQuery(plan)}`);
}

/** The "Plan Rows" of `plannedCountStatement`'s one row (its `QUERY PLAN` column), or null. */
export function planRows(explainJson: string | null | undefined): number | null {
  if (explainJson === null || explainJson === undefined) return null;
  try {
    const parsed = JSON.parse(explainJson) as unknown;
    const first = Array.isArray(parsed) ? (parsed[0] as { Plan?: { 'Plan Rows'?: unknown } } | undefined) : undefined;
    const rows = first?.Plan?.['Plan Rows'];
    return typeof rows === 'number' ? rows : null;
  } catch {
    return null;
  }
}
