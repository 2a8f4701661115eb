// In charge of resolving every embed to a relationship of the schema cache (PostgREST's addRels): the related relation, the aliases the SQL uses, and the join conditions to the parent (or, for a computed relationship, the function called with the parent row).

import type { ApiError } from '../errors.ts';
import { findRelation, findRelationships } from '../schema-cache/find.ts';
import type { Relationship, SchemaCache } from '../schema-cache/types.ts';
import type { Draft } from './draft.ts';
import type { JoinCondition, SqlQualifier } from './types.ts';

/** Many-to-one, one-to-one and to-one computed: the embed is one object (or null), related orders and spreads are allowed. */
export const isToOne = (r: Relationship): boolean =>
  r.cardinality === 'many-to-one' || r.cardinality === 'one-to-one' || (r.cardinality === 'computed' && r.toOne);

function joinConditions(rel: Relationship, child: SqlQualifier, parent: SqlQualifier): JoinCondition[] {
  // the function call is given the parent row: nothing to join on
  if (rel.cardinality === 'computed') return [];
  if (rel.cardinality === 'many-to-many') {
    const junction: SqlQualifier = { schema: rel.junction.table.schema, name: rel.junction.table.name };
    return [
      ...rel.junction.targetColumns.map(([fc, jc]): JoinCondition => ({ left: { qualifier: junction, column: jc }, right: { qualifier: child, column: fc } })),
      ...rel.junction.sourceColumns.map(([c, jc]): JoinCondition => ({ left: { qualifier: junction, column: jc }, right: { qualifier: parent, column: c } })),
    ];
  }
  return rel.columns.map(([c, fc]): JoinCondition => ({ left: { qualifier: child, column: fc }, right: { qualifier: parent, column: c } }));
}

/**
 * Resolves the children of `parent` (whose relation is known), depth first and in select order, as PostgREST does:
 * the first embed that matches no relationship (PGRST200) or several (PGRST201) is the error.
 */
export function addRelationships(parent: Draft, cache: SchemaCache, schema: string): ApiError | null {
  const parentQualifier = parent.qualifier;
  const origin = parent.relationName;
  if (parentQualifier === null || origin === null) return null;
  for (const child of parent.children) {
    const found = findRelationships(cache, { schema, name: origin.name }, child.relName, child.relHint);
    if (!found.ok) return found.error;
    const rel = found.value;
    const target = findRelation(cache, rel.foreignTable.schema, rel.foreignTable.name);
    child.relation = target.ok ? target.value : null;
    child.relationName = rel.foreignTable;
    child.source =
      rel.cardinality === 'computed'
        ? { type: 'function', function: rel.function, argument: parentQualifier.name, argumentType: rel.table }
        : { type: 'relation', relation: rel.foreignTable };
    // many-to-many joins the junction implicitly and reads the target unaliased, as PostgREST does
    child.fromAlias = rel.cardinality === 'many-to-many' ? null : `${rel.foreignTable.name}_${child.depth}`;
    child.qualifier = child.fromAlias === null ? { schema: rel.foreignTable.schema, name: rel.foreignTable.name } : { schema: null, name: child.fromAlias };
    child.relationship = rel;
    child.junction = rel.cardinality === 'many-to-many' ? rel.junction.table : null;
    child.aggAlias = `${rel.table.name}_${child.relAlias ?? child.relName}_${child.depth}`;
    child.joinConditions = joinConditions(rel, child.qualifier, parentQualifier);
    const nested = addRelationships(child, cache, schema);
    if (nested !== null) return nested;
  }
  return null;
}
