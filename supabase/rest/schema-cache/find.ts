// In charge of the lookups the plan stage makes in the schema cache — relations, columns, embedding relationships, routines — and of PostgREST's not-found and ambiguity errors with their "Perhaps you meant …" hints.

import { ambiguousRelationship, ambiguousRoutine, columnNotFound, noRelationship, noRoutine, tableNotFound } from '../errors.ts';
import { describeCandidate, matchingRelationships } from './embedding.ts';
import { closest, fuzzyMatches } from './fuzzy.ts';
import { qualifiedKey } from './qualified-key.ts';
import type { Column, Found, QualifiedName, Relation, Relationship, Routine, RoutineParam, SchemaCache } from './types.ts';

const found = <T>(value: T): Found<T> => ({ ok: true, value });

// ---------------------------------------------------------------------------
// relations and columns

/** A table, view, materialized view or foreign table of an exposed schema, or PGRST205. */
export function findRelation(cache: SchemaCache, schema: string, name: string): Found<Relation> {
  const relation = cache.relations.get(qualifiedKey(schema, name));
  if (relation !== undefined) return found(relation);
  const names = [...cache.relations.values()].filter((r) => r.schema === schema).map((r) => r.name);
  const suggestion = closest(names, name);
  return { ok: false, error: tableNotFound(schema, name, suggestion === null ? null : `Perhaps you meant the table '${schema}.${suggestion}'`) };
}

/**
 * A column of a relation, or PGRST204. PostgREST 12 gives PGRST204 no hint; this one names the closest column
 * (`Perhaps you meant the column 'films.title'`) when there is one.
 */
export function findColumn(relation: Relation, name: string): Found<Column> {
  const column = relation.columns.get(name);
  if (column !== undefined) return found(column);
  const suggestion = closest(relation.columns.keys(), name);
  const error = columnNotFound(relation.name, name);
  return { ok: false, error: suggestion === null ? error : { ...error, hint: `Perhaps you meant the column '${relation.name}.${suggestion}'` } };
}

// ---------------------------------------------------------------------------
// embedding

/**
 * Relationships from `origin` to relations of its own schema, and computed relationships whose function is in it:
 * the only ones PostgREST embeds.
 */
function relationshipsWithin(cache: SchemaCache, origin: QualifiedName): Relationship[] | undefined {
  const all = cache.relationships.get(qualifiedKey(origin.schema, origin.name));
  const within = all?.filter((r) => (r.cardinality === 'computed' ? r.function.schema : r.foreignTable.schema) === origin.schema);
  return within === undefined || within.length === 0 ? undefined : within;
}

/**
 * PostgREST's suggestion for PGRST200: a close origin name when the origin has no relationships, else a close
 * target name among the origin's related relations (none when the target is one of them: then the hint is wrong).
 */
function noRelationshipSuggestion(cache: SchemaCache, origin: QualifiedName, target: string): string | null {
  const rels = relationshipsWithin(cache, origin);
  if (rels === undefined) {
    const parents: string[] = [];
    for (const list of cache.relationships.values()) {
      const first = list[0];
      if (first !== undefined && first.table.schema === origin.schema && list.some((r) => r.foreignTable.schema === origin.schema)) parents.push(first.table.name);
    }
    const parent = closest(parents, origin.name);
    return parent === null ? null : `Perhaps you meant '${parent}' instead of '${origin.name}'.`;
  }
  const child = fuzzyMatches(new Set(rels.map((r) => r.foreignTable.name)), target).find(([score]) => score < 1)?.[1];
  return child === undefined ? null : `Perhaps you meant '${child}' instead of '${target}'.`;
}

/**
 * Resolves `origin?select=target!hint(...)` to one relationship, as PostgREST 12 does: PGRST200 when nothing
 * matches, PGRST201 (listing every candidate and the hint that selects it) when several do. `origin` is the
 * relation (or the alias PostgREST uses for it) embedded from; only relations of its schema can be embedded.
 */
export function findRelationships(cache: SchemaCache, origin: QualifiedName, target: string, hint: string | null = null): Found<Relationship> {
  const candidates = matchingRelationships(relationshipsWithin(cache, origin) ?? [], target, hint);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return found(only);
  if (candidates.length > 1) return { ok: false, error: ambiguousRelationship(origin.name, target, candidates.map(describeCandidate)) };
  return {
    ok: false,
    error: noRelationship({ parent: origin.name, child: target, hint, schema: origin.schema, suggestion: noRelationshipSuggestion(cache, origin, target) }),
  };
}

// ---------------------------------------------------------------------------
// routines

export interface RoutineCall {
  /** POST (the body carries the arguments) rather than GET/HEAD (the query string does). */
  readonly isInvokePost?: boolean;
  /** The request body's media type, for a POST; `application/json` by default. */
  readonly contentType?: string;
  /** `Prefer: params=single-object`: the whole JSON body is the single json/jsonb argument. */
  readonly paramsSingleObject?: boolean;
}

const RAW_BODY_TYPES: Readonly<Record<string, readonly string[]>> = {
  'application/json': ['json', 'jsonb'],
  'text/plain': ['text'],
  'text/xml': ['xml'],
  'application/octet-stream': ['bytea'],
};

const RAW_ONLY = new Set(['text/plain', 'text/xml', 'application/octet-stream']);

function matchesArguments(routine: Routine, keys: ReadonlySet<string>, call: Required<RoutineCall>): boolean {
  const params = routine.params;
  if (call.paramsSingleObject) return params.length === 1 && (params[0]?.type === 'json' || params[0]?.type === 'jsonb');
  if (params.length === 0) return keys.size === 0 && !(call.isInvokePost && RAW_ONLY.has(call.contentType));
  const required = new Set(params.filter((p) => p.required).map((p) => p.name));
  const optional = new Set(params.filter((p) => !p.required).map((p) => p.name));
  // the given arguments that are not optional parameters must be exactly the required ones
  const beyondOptional = [...keys].filter((k) => !optional.has(k));
  return beyondOptional.length === required.size && beyondOptional.every((k) => required.has(k));
}

/** A single unnamed parameter whose type takes the raw body of a POST with this media type. */
function takesRawBody(routine: Routine, call: Required<RoutineCall>): boolean {
  const [param, ...rest] = routine.params;
  return call.isInvokePost && param !== undefined && rest.length === 0 && param.name === '' && (RAW_BODY_TYPES[call.contentType] ?? []).includes(param.type);
}

const paramList = (names: readonly string[]): string => `(${[...names].sort().join(', ')})`;
const signature = (r: Routine): string => `${r.schema}.${r.name}(${r.params.map((p: RoutineParam) => `${p.name} => ${p.type}`).join(', ')})`;

function noRoutineSuggestion(cache: SchemaCache, schema: string, name: string, keys: readonly string[], overloads: readonly Routine[]): string | null {
  if (overloads.length === 0) {
    const names = [...cache.routines.values()].flatMap((list) => list.slice(0, 1)).filter((r) => r.schema === schema).map((r) => r.name);
    const s = closest(names, name);
    return s === null ? null : `Perhaps you meant to call the function ${schema}.${s}`;
  }
  const s = closest(new Set(overloads.map((r) => paramList(r.params.map((p) => p.name)))), paramList(keys));
  return s === null ? null : `Perhaps you meant to call the function ${schema}.${name}${s}`;
}

/**
 * Chooses the function `schema.name` that the argument names (query parameters of a GET, body keys of a POST) call,
 * as PostgREST 12 does: the overload whose required parameters are all given and whose other given arguments are
 * all optional parameters; failing that, for a POST, the overload with a single unnamed json/jsonb (JSON body),
 * text, xml or bytea parameter that takes the raw body. PGRST202 when none fits, PGRST203 when several do.
 */
export function findRoutine(cache: SchemaCache, schema: string, name: string, argNames: readonly string[], call: RoutineCall = {}): Found<Routine> {
  const how: Required<RoutineCall> = {
    isInvokePost: call.isInvokePost ?? false,
    contentType: call.contentType ?? 'application/json',
    paramsSingleObject: call.paramsSingleObject ?? false,
  };
  const keys = new Set(argNames);
  const overloads = cache.routines.get(qualifiedKey(schema, name)) ?? [];
  const matched = overloads.filter((r) => matchesArguments(r, keys, how));
  const fallback = overloads.filter((r) => !matchesArguments(r, keys, how) && takesRawBody(r, how));
  const chosen = matched.length > 0 ? matched : fallback;
  const [only] = chosen;
  if (chosen.length === 1 && only !== undefined) return found(only);
  if (chosen.length > 1) return { ok: false, error: ambiguousRoutine(chosen.map(signature)) };
  const sortedKeys = [...keys].sort();
  return {
    ok: false,
    error: noRoutine({
      schema,
      name,
      argumentKeys: sortedKeys,
      contentType: how.contentType,
      isInvokePost: how.isInvokePost,
      suggestion: noRoutineSuggestion(cache, schema, name, sortedKeys, overloads),
    }),
  };
}
