// In charge of computed relationships (PostgREST's allComputedRels and getOverrideRelationshipsMap): functions of a table's or view's row that return rows of another, and how they replace the foreign key relationships of the same name.

import { compareRelationships } from './relationships.ts';
import { keyOf, qualifiedKey, sameName } from './qualified-key.ts';
import type { RoutineRow } from './routines.ts';
import type { ComputedRelationship, Relation, Relationship } from './types.ts';

/**
 * One relationship per function of the exposed schemas whose one argument is a row of a relation of the cache and
 * whose return type is a relation of the cache (directly: not a domain over it). To-one when the function returns
 * a single row (`returns films`) or is declared `SETOF … ROWS 1`.
 */
export function computedRelationships(routines: readonly RoutineRow[], relations: ReadonlyMap<string, Relation>): ComputedRelationship[] {
  const out: ComputedRelationship[] = [];
  for (const r of routines) {
    if (!r.row_argument_of || !r.returns_relation || r.is_alias) continue;
    const table = relations.get(qualifiedKey(r.row_argument_of[0], r.row_argument_of[1]));
    const foreignTable = relations.get(qualifiedKey(r.type_schema, r.type_name));
    if (table === undefined || foreignTable === undefined) continue;
    const from = { schema: table.schema, name: table.name };
    const to = { schema: foreignTable.schema, name: foreignTable.name };
    out.push({
      cardinality: 'computed',
      function: { schema: r.schema, name: r.name },
      toOne: r.single_row ?? !r.set_of,
      table: from,
      foreignTable: to,
      isSelf: sameName(from, to),
      tableIsView: table.isView,
      foreignTableIsView: foreignTable.isView,
    });
  }
  return out;
}

/**
 * Adds the computed relationships to the relationships grouped by table. A computed relationship replaces every
 * relationship from its table to the relation that has the function's (qualified) name, as PostgREST keys both by
 * `(table, foreign table or function)` and lets the function win.
 */
export function withComputedRelationships(grouped: ReadonlyMap<string, readonly Relationship[]>, computed: readonly ComputedRelationship[]): Map<string, Relationship[]> {
  const out = new Map<string, Relationship[]>([...grouped].map(([k, list]) => [k, [...list]]));
  for (const c of computed) {
    const k = keyOf(c.table);
    const list = (out.get(k) ?? []).filter((r) => r.cardinality === 'computed' || !sameName(r.foreignTable, c.function));
    list.push(c);
    out.set(k, list);
  }
  for (const list of out.values()) list.sort(compareRelationships);
  return out;
}
