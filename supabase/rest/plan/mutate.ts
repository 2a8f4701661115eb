// In charge of planning a write (PostgREST's mutateReadPlan): POST, PUT, PATCH and DELETE on a table or view resolved against the schema cache into one mutation and the read tree over its RETURNING rows, in PostgREST 12's order of checks.

import type { ApiError } from '../errors.ts';
import type { ApiRequest, Payload } from '../parse/types.ts';
import { findRelation } from '../schema-cache/find.ts';
import type { Relation, SchemaCache } from '../schema-cache/types.ts';
import { returningColumns, writeColumns } from './mutate-columns.ts';
import { limitWithoutOrder, unknownConflictColumn } from './mutate-errors.ts';
import { checkPutFilters, rootConditions, rootOrder } from './mutate-filters.ts';
import { SOURCE_CTE } from './mutate-types.ts';
import type { JsonBody, MutatePlan, Mutation, MutationKind, OnConflict } from './mutate-types.ts';
import { planRead } from './read.ts';
import type { ReadPlan } from './types.ts';

export interface MutatePlanOptions {
  /** `db-aggregates-enabled`, for the select of the returned rows. */
  readonly aggregatesEnabled?: boolean;
  /** `db-max-rows`, applied to embedded levels of the returned rows. */
  readonly maxRows?: number;
}

export type MutatePlanResult = { readonly ok: true; readonly plan: MutatePlan } | { readonly ok: false; readonly error: ApiError };

type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const fail = (error: ApiError): MutatePlanResult => ({ ok: false, error });

const isPgrstError = (e: ApiError): boolean => e.code.startsWith('PGRST');

function kindOf(request: ApiRequest): MutationKind {
  switch (request.action.type) {
    case 'insert':
    case 'update':
    case 'delete':
    case 'upsert-put':
      return request.action.type;
    default:
      throw new Error(`planMutate needs a write request, not ${request.action.type}`);
  }
}

/** The JSON body as one parameter; parse already refused bodies that are not JSON (or CSV/url-encoded turned into JSON). */
function jsonBody(payload: Payload | null): JsonBody {
  const raw = payload?.type === 'json' || payload?.type === 'raw-json' ? payload.raw : '{}';
  return { raw, isObject: raw.trimStart().startsWith('{') };
}

const isLimited = (request: ApiRequest): boolean => request.range.offset !== 0 || request.range.limit !== null;

/** `Prefer: resolution` with `on_conflict=` (default: the primary key); no clause when neither names a column. */
function onConflictOf(relation: Relation, request: ApiRequest): Result<OnConflict | null> {
  const resolution = request.preferences.resolution;
  if (resolution === null) return { ok: true, value: null };
  const columns = request.onConflict ?? relation.primaryKey;
  if (columns.length === 0) return { ok: true, value: null };
  const unknown = columns.find((c) => !relation.columns.has(c));
  if (unknown !== undefined) return { ok: false, error: unknownConflictColumn(unknown) };
  return { ok: true, value: { resolution, columns } };
}

/** The mutation itself; PGRST errors (204, 105) come before PostgreSQL ones (42703 in the WHERE or ON CONFLICT). */
function mutationOf(kind: MutationKind, relation: Relation, request: ApiRequest): Result<Mutation> {
  const target = { schema: relation.schema, name: relation.name };
  const applyDefaults = request.preferences.missing === 'default';
  const body = jsonBody(request.payload);
  if (kind === 'delete') {
    const where = rootConditions(relation, request);
    if (!where.ok) return where;
    const order = isLimited(request) ? rootOrder(relation, request) : { ok: true as const, value: [] };
    if (!order.ok) return order;
    return { ok: true, value: { type: 'delete', relation: target, where: where.value, range: request.range, order: order.value } };
  }
  const columns = writeColumns(relation, request.payloadColumns);
  if (!columns.ok) return columns;
  if (kind === 'upsert-put') {
    const putError = checkPutFilters(relation, request);
    if (putError !== null) return { ok: false, error: putError };
  }
  const where = rootConditions(relation, request);
  if (!where.ok) return where;
  if (kind === 'update') {
    const order = isLimited(request) ? rootOrder(relation, request) : { ok: true as const, value: [] };
    if (!order.ok) return order;
    return {
      ok: true,
      value: { type: 'update', relation: target, columns: columns.columns, body, where: where.value, range: request.range, order: order.value, applyDefaults },
    };
  }
  if (kind === 'upsert-put') {
    const onConflict: OnConflict = { resolution: 'merge-duplicates', columns: relation.primaryKey };
    return {
      ok: true,
      value: { type: 'insert', relation: target, columns: columns.columns, body, onConflict, putConditions: where.value, applyDefaults: false, countInserted: true },
    };
  }
  const onConflict = onConflictOf(relation, request);
  if (!onConflict.ok) return onConflict;
  const countInserted = onConflict.value?.resolution === 'merge-duplicates';
  return {
    ok: true,
    value: { type: 'insert', relation: target, columns: columns.columns, body, onConflict: onConflict.value, putConditions: [], applyDefaults, countInserted },
  };
}

/** The read over `pgrst_source`: the request's select and embeds; its top-level filters, order and ranges belong to the write. */
function readOf(relation: Relation, request: ApiRequest, cache: SchemaCache, options: MutatePlanOptions): Result<ReadPlan> {
  const readRequest: ApiRequest = { ...request, logic: request.logic.filter((l) => l.path.length > 0) };
  const planned = planRead(readRequest, cache, {
    root: { source: { type: 'cte', name: SOURCE_CTE }, relation: { schema: relation.schema, name: relation.name } },
    rootFilters: false,
    orders: false,
    ranges: false,
    ...(options.aggregatesEnabled === undefined ? {} : { aggregatesEnabled: options.aggregatesEnabled }),
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
  });
  return planned.ok ? { ok: true, value: planned.plan } : { ok: false, error: planned.error };
}

/**
 * Plans POST (insert, bulk insert, upsert with `Prefer: resolution`), PUT (single-row upsert), PATCH and DELETE.
 * Errors in PostgREST 12's order: PGRST205 (unknown table), PGRST109 (limit without order), the read's PGRST1xx/2xx
 * (select, embeds), PGRST204 (unknown payload column), PGRST105 (PUT filters), then PostgreSQL's 42703 for unknown
 * names in the write's filters or `on_conflict`, then in the select.
 */
export function planMutate(request: ApiRequest, cache: SchemaCache, options: MutatePlanOptions = {}): MutatePlanResult {
  const kind = kindOf(request);
  if (request.target.kind !== 'relation') throw new Error('planMutate needs a table or view target');
  const found = findRelation(cache, request.target.schema, request.target.name);
  if (!found.ok) return fail(found.error);
  const relation = found.value;
  if ((kind === 'update' || kind === 'delete') && isLimited(request) && !request.order.some((o) => o.path.length === 0)) return fail(limitWithoutOrder());

  const read = readOf(relation, request, cache, options);
  if (!read.ok && isPgrstError(read.error)) return fail(read.error);
  const mutation = mutationOf(kind, relation, request);
  if (!mutation.ok) return fail(mutation.error);
  if (!read.ok) return fail(read.error);

  const returnPreference = request.preferences.return;
  const returnsRows = returnPreference === 'representation' || returnPreference === 'headers-only';
  return {
    ok: true,
    plan: {
      kind,
      mutation: mutation.value,
      read: read.value,
      returning: returnsRows ? returningColumns(read.value, relation.primaryKey) : [],
      returnPreference,
      primaryKey: relation.primaryKey,
      media: request.media,
    },
  };
}
