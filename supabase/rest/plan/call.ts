// In charge of planning a function call (PostgREST's callReadPlan): GET/HEAD/POST on /rpc/<fn> resolved to one routine of the schema cache, its arguments, the shape of its result and the read tree (filters, order, range, embeds) over the rows it returns.

import type { ApiError } from '../errors.ts';
import type { ApiRequest } from '../parse/types.ts';
import { findRoutine } from '../schema-cache/find.ts';
import type { Routine, SchemaCache } from '../schema-cache/types.ts';
import { argumentNames, callArguments } from './call-args.ts';
import { SCALAR_COLUMN } from './call-types.ts';
import type { CallPlan, CallResult } from './call-types.ts';
import { SOURCE_CTE } from './mutate-types.ts';
import { planRead } from './read.ts';
import type { ReadColumn, ReadRoot } from './types.ts';

export interface CallPlanOptions {
  /** `db-aggregates-enabled`. */
  readonly aggregatesEnabled?: boolean;
  /** `db-max-rows` for embedded levels (parse already capped the top level). */
  readonly maxRows?: number;
}

export type CallPlanResult = { readonly ok: true; readonly plan: CallPlan } | { readonly ok: false; readonly error: ApiError };

function resultOf(routine: Routine): CallResult {
  const r = routine.returns;
  if (r.kind === 'void') return 'void';
  if (r.kind === 'scalar') return r.setOf ? 'setof-scalar' : 'scalar';
  return r.setOf ? 'setof-composite' : 'composite';
}

/**
 * Where the read's root takes its columns from: the table of the cache a function returns rows of (so embedding
 * works), its OUT/`returns table(...)` columns, or — for scalars — `pgrst_scalar` plus a column named after the
 * function, so `?fn=gt.1` and `order=fn` filter and order a set of scalars.
 */
function readRoot(routine: Routine): ReadRoot {
  const r = routine.returns;
  const source = { type: 'cte', name: SOURCE_CTE } as const;
  if (r.kind === 'composite' && r.relation !== null) return { source, relation: r.relation };
  if (r.kind === 'composite') return { source, relation: null, columns: routine.outParams.map((p) => ({ name: p.name, type: p.type })), name: routine.name };
  const type = r.kind === 'scalar' ? r.type.name : 'void';
  const columns: ReadColumn[] = [{ name: SCALAR_COLUMN, type }];
  if (routine.name !== SCALAR_COLUMN) columns.push({ name: routine.name, type });
  return { source, relation: null, columns, name: routine.name };
}

/**
 * Plans a call: PGRST202/PGRST203 when no overload (or several) fits the argument names, then the read's errors
 * (PGRST108, PGRST200/201, …, 42703 for unknown names). A volatile function called with GET runs read-only, as in
 * PostgREST, so one that writes fails with PostgreSQL's 25006 (405).
 */
/** The function settings PostgREST 12.2 applies to the whole transaction (its default `db-hoisted-tx-settings`). */
const HOISTED = new Set(['statement_timeout', 'plan_filter.statement_cost_limit']);

export function planCall(request: ApiRequest, cache: SchemaCache, options: CallPlanOptions = {}): CallPlanResult {
  if (request.target.kind !== 'routine' || request.action.type !== 'call') throw new Error('planCall needs a /rpc request');
  const isPost = request.action.invoke === 'post';
  const found = findRoutine(cache, request.target.schema, request.target.name, argumentNames(request), {
    isInvokePost: isPost,
    contentType: request.contentType,
    paramsSingleObject: request.preferences.params === 'single-object',
  });
  if (!found.ok) return { ok: false, error: found.error };
  const routine = found.value;
  const read = planRead(request, cache, {
    root: readRoot(routine),
    ...(options.aggregatesEnabled === undefined ? {} : { aggregatesEnabled: options.aggregatesEnabled }),
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
  });
  if (!read.ok) return { ok: false, error: read.error };
  return {
    ok: true,
    plan: {
      routine: { schema: routine.schema, name: routine.name },
      hoistedSettings: routine.settings.filter(([name]) => HOISTED.has(name)),
      isolationLevel: routine.isolationLevel,
      args: callArguments(request, routine),
      result: resultOf(routine),
      read: read.plan,
      readOnly: !isPost || routine.volatility !== 'volatile',
      media: request.media,
      count: request.preferences.count === 'exact' || request.preferences.count === 'estimated',
      headersOnly: request.action.headersOnly,
    },
  };
}
