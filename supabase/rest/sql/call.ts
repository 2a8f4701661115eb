// In charge of the one statement of a function call (PostgREST's callPlanToQuery and prepareCall): the call as the CTE `pgrst_source`, read back with the read builder (filters, order, range, embeds), an optional count, and the body shaped by what the function returns.

import { SCALAR_COLUMN } from '../plan/call-types.ts';
import type { CallArgs, CallPlan, CallResult } from '../plan/call-types.ts';
import { SOURCE_CTE } from '../plan/mutate-types.ts';
import { cat, empty, ident, join, kw, param, qualifier, render, sql } from './fragments.ts';
import type { Fragment, Statement } from './fragments.ts';
import { BODY, jsonBodyFrom } from './mutate-body.ts';
import { csvBody } from './mutate-csv.ts';
import { RESPONSE_SETTINGS } from './read.ts';
import { countQuery, readQuery } from './query.ts';
import { bodyExpression } from './read.ts';

const returnsScalar = (result: CallResult): boolean => result === 'void' || result === 'scalar' || result === 'setof-scalar';

/** `"s"."fn"(args) pgrst_call`, or `(SELECT "s"."fn"(args) pgrst_scalar) pgrst_call` for scalars. */
function callIt(plan: CallPlan, args: Fragment): Fragment {
  const fn = qualifier(plan.routine);
  return returnsScalar(plan.result) ? sql`(SELECT ${fn}(${args}) ${kw(SCALAR_COLUMN)}) pgrst_call` : sql`${fn}(${args}) pgrst_call`;
}

function fromCall(plan: CallPlan, args: CallArgs): Fragment {
  switch (args.type) {
    case 'none':
      return sql`FROM ${callIt(plan, empty)}`;
    case 'positional':
      return sql`FROM ${callIt(plan, sql`${param(args.value)}::${kw(args.paramType)}`)}`;
    case 'named': {
      const fields = args.params.map((p) => ({ name: p.name, type: p.typeMaxLength, defaultValue: null }));
      const named = join(args.params.map((p) => sql`${kw(p.variadic ? 'VARIADIC ' : '')}${ident(p.name)} := ${ident(BODY)}.${ident(p.name)}`), ', ');
      return cat(jsonBodyFrom(args.body, fields, { select: false, limitOne: true, applyDefaults: false }), sql`, LATERAL ${callIt(plan, named)}`);
    }
  }
}

/** `SELECT pgrst_call.* FROM …`; scalars also under the function's name, so filters and orders can name it. */
export function callQuery(plan: CallPlan): Fragment {
  const columns = returnsScalar(plan.result)
    ? plan.routine.name === SCALAR_COLUMN
      ? kw(`pgrst_call.${SCALAR_COLUMN}`)
      : sql`pgrst_call.${kw(SCALAR_COLUMN)}, pgrst_call.${kw(SCALAR_COLUMN)} AS ${ident(plan.routine.name)}`
    : kw('pgrst_call.*');
  return sql`SELECT ${columns} ${fromCall(plan, plan.args)}`;
}

const stripped = (strip: boolean, x: string): string => (strip ? `json_strip_nulls(${x})` : x);

/** PostgREST's asJsonF/asJsonSingleF with the routine: a scalar is the JSON value itself, a single composite an object. */
export function callBodyExpression(plan: CallPlan): Fragment {
  const media = plan.media;
  if (plan.headersOnly || media.type === 'openapi') return bodyExpression(media, plan.headersOnly);
  if (media.type === 'csv') return csvBody();
  const rows = returnsScalar(plan.result) ? `_postgrest_t.${SCALAR_COLUMN}` : '_postgrest_t';
  if (media.type === 'singular') return kw(`coalesce(${stripped(media.nullsStripped, `json_agg(${rows})->0`)}, 'null')::text`);
  const strip = media.type === 'array-stripped';
  const single = plan.result === 'scalar' || plan.result === 'void' || plan.result === 'composite';
  return kw(single ? `coalesce(${stripped(strip, `json_agg(${rows})->0`)}, 'null')::text` : `coalesce(${stripped(strip, `json_agg(${rows})`)}, '[]')::text`);
}

/**
 * `WITH pgrst_source AS (call) [, pgrst_source_count AS (count)] SELECT total_result_set, page_total, body,
 * response_headers, response_status FROM (read over pgrst_source) _postgrest_t`: one row, every column text or null.
 */
export function callStatementFragment(plan: CallPlan): Fragment {
  return cat(
    sql`WITH ${kw(SOURCE_CTE)} AS (${callQuery(plan)})`,
    plan.count ? sql`, pgrst_source_count AS (${countQuery(plan.read)})` : empty,
    kw(' SELECT '),
    kw(plan.count ? '(SELECT pg_catalog.count(*) FROM pgrst_source_count)::text' : 'null::text'),
    kw(' AS total_result_set, pg_catalog.count(_postgrest_t)::text AS page_total, '),
    callBodyExpression(plan),
    kw(' AS body, '),
    RESPONSE_SETTINGS,
    sql` FROM (${readQuery(plan.read)}) _postgrest_t`,
  );
}

export function callStatement(plan: CallPlan): Statement {
  return render(callStatementFragment(plan));
}
