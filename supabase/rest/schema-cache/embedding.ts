// In charge of PostgREST 12's embedding rules: which relationships `origin?select=target!hint(...)` can mean, and how candidates are described when it is ambiguous.

import type { AmbiguousCandidate } from '../errors.ts';
import type { ColumnPair, ForeignKeyRelationship, Relationship } from './types.ts';

const isForeignKey = (r: Relationship): r is ForeignKeyRelationship => r.cardinality !== 'many-to-many' && r.cardinality !== 'computed';

/** The foreign key has one column, and that column of `table` is `name`. */
function matchesFkColumn(r: Relationship, name: string): boolean {
  return isForeignKey(r) && r.columns.length === 1 && r.columns[0]?.[0] === name;
}

/** The foreign key has one column, and that column of `foreignTable` is `name`. */
function matchesFkRefColumn(r: Relationship, name: string): boolean {
  return isForeignKey(r) && r.columns.length === 1 && r.columns[0]?.[1] === name;
}

const matchesConstraint = (r: Relationship, name: string): boolean => isForeignKey(r) && r.constraint === name;
const matchesJunction = (r: Relationship, name: string): boolean => r.cardinality === 'many-to-many' && r.junction.table.name === name;

/**
 * The relationships (already restricted to those from the origin to relations of its schema) that `target` with
 * an optional `hint` designates, following PostgREST 12's `findRel`:
 *
 * - computed relationships: `target` is the function's name, whatever the hint;
 * - self-references: without hint, `target` is the table (one-to-many: the children) or the foreign key column
 *   (many-to-one: the parent); with a hint, `target` is the table and the hint the referenced column (one-to-many);
 * - otherwise, without hint: the foreign table's name, or (towards tables only) a constraint name or a foreign key column;
 * - otherwise, with a hint: the foreign table's name, and the hint is a constraint name, a foreign key column (either
 *   side) or, for many-to-many, the junction table's name.
 */
export function matchingRelationships(relationships: readonly Relationship[], target: string, hint: string | null): Relationship[] {
  return relationships.filter((r) => {
    if (r.cardinality === 'computed') return r.function.name === target;
    if (r.isSelf) {
      if (hint === null) {
        return (r.foreignTable.name === target && r.cardinality === 'one-to-many') || (matchesFkColumn(r, target) && r.cardinality === 'many-to-one');
      }
      return r.foreignTable.name === target && r.cardinality === 'one-to-many' && matchesFkRefColumn(r, hint);
    }
    if (hint === null) {
      return (
        r.foreignTable.name === target ||
        (matchesConstraint(r, target) && !r.foreignTableIsView) ||
        (matchesFkColumn(r, target) && !r.foreignTableIsView)
      );
    }
    return (
      r.foreignTable.name === target &&
      (matchesConstraint(r, hint) || matchesFkColumn(r, hint) || matchesFkRefColumn(r, hint) || matchesJunction(r, hint))
    );
  });
}

const list = (columns: readonly string[]): string => `(${columns.join(', ')})`;
const firsts = (pairs: readonly ColumnPair[]): string[] => pairs.map(([a]) => a);
const seconds = (pairs: readonly ColumnPair[]): string[] => pairs.map(([, b]) => b);

/**
 * How PGRST201 lists a candidate: `{cardinality, embedding, relationship}` plus the `'table!hint'` that selects it;
 * null for a computed relationship, which PostgREST 12 lists as `{}` with an empty hint (no hint can select it).
 */
export function describeCandidate(r: Relationship): AmbiguousCandidate | null {
  if (r.cardinality === 'computed') return null;
  const embedding = `${r.table.name} with ${r.foreignTable.name}`;
  if (r.cardinality === 'many-to-many') {
    const j = r.junction;
    return {
      cardinality: r.cardinality,
      embedding,
      relationship: `${j.table.name} using ${j.sourceConstraint}${list(seconds(j.sourceColumns))} and ${j.targetConstraint}${list(seconds(j.targetColumns))}`,
      hint: `'${r.foreignTable.name}!${j.table.name}'`,
    };
  }
  return {
    cardinality: r.cardinality,
    embedding,
    relationship: `${r.constraint} using ${r.table.name}${list(firsts(r.columns))} and ${r.foreignTable.name}${list(seconds(r.columns))}`,
    hint: `'${r.foreignTable.name}!${r.constraint}'`,
  };
}
