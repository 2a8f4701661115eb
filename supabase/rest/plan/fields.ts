// In charge of resolving a request's field names against a node's columns (PostgREST's resolveTypeOrUnknown), of the aliases PostgREST derives for JSON paths, and of which cast type names may be written into SQL.

import type { ApiError } from '../errors.ts';
import type { Field, JsonPath } from '../parse/types.ts';
import type { Draft } from './draft.ts';
import { undefinedColumn, undefinedType } from './pg-errors.ts';
import type { CoercibleField, ReadColumn } from './types.ts';

/** The columns a node reads, in ordinal order. */
export function columnsOf(node: Draft): readonly ReadColumn[] {
  if (node.relation !== null) return [...node.relation.columns.values()].map((c) => ({ name: c.name, type: c.dataType }));
  return node.columns ?? [];
}

/** The name PostgreSQL reports a missing column of this node under (`projects`, `clients_1`). */
export const qualifierName = (node: Draft): string => node.qualifier?.name ?? node.relName;

const isJson = (type: string): boolean => type === 'json' || type === 'jsonb';

export function coercible(column: ReadColumn, jsonPath: JsonPath): CoercibleField {
  return { name: column.name, jsonPath, toJson: !isJson(column.type), type: column.type };
}

/** A column (or computed field) of the node with its JSON path, or PostgreSQL's 42703 for a name the node does not have. */
export function resolveField(node: Draft, field: Field): { ok: true; field: CoercibleField } | { ok: false; error: ApiError } {
  const columns = columnsOf(node);
  const column = columns.find((c) => c.name === field.name);
  if (column !== undefined) return { ok: true, field: coercible(column, field.jsonPath) };
  // A computed field reads as `table.fn`, which PostgreSQL resolves to `fn(table)`.
  const computed = node.relation?.computedFields?.get(field.name);
  if (computed !== undefined) return { ok: true, field: coercible({ name: computed.name, type: computed.type }, field.jsonPath) };
  return { ok: false, error: undefinedColumn(qualifierName(node), field.name, columns.map((c) => c.name)) };
}

/**
 * The alias PostgREST gives a select field with a JSON path and no alias: the last key (`data->a->>b` → `b`), or
 * for a path ending in an index the last key before it, else the column name (`data->0` → `data`).
 */
export function jsonPathAlias(field: Field): string | null {
  const last = field.jsonPath[field.jsonPath.length - 1];
  if (last === undefined) return null;
  if (last.operand.type === 'key') return last.operand.value;
  const lastKey = [...field.jsonPath].reverse().find((op) => op.operand.type === 'key');
  return lastKey?.operand.value ?? field.name;
}

/** Built-in type names of several words, as PostgreSQL's grammar spells them. */
const MULTI_WORD_TYPES = new Set([
  'double precision',
  'character varying',
  'bit varying',
  'timestamp with time zone',
  'timestamp without time zone',
  'time with time zone',
  'time without time zone',
]);

/** One unquoted identifier: it cannot end the expression, open a comment or reference a parameter. */
const SINGLE_WORD = /^[\p{L}_][\p{L}\p{N}_$]*$/u;

/**
 * The cast as it may be written after `AS` in `CAST(x AS type)`: one identifier, or a built-in multi-word type
 * name. PostgREST writes casts unquoted (quoting would break `int`, `bigint`), so anything else is refused here.
 */
export function validCast(cast: string): { ok: true; type: string } | { ok: false; error: ApiError } {
  const normalized = cast.trim().replace(/\s+/g, ' ');
  if (SINGLE_WORD.test(normalized)) return { ok: true, type: normalized };
  if (MULTI_WORD_TYPES.has(normalized.toLowerCase())) return { ok: true, type: normalized.toLowerCase() };
  return { ok: false, error: undefinedType(cast) };
}
