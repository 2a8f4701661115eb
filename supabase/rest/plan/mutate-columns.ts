// In charge of the columns of a write: the payload's columns checked against the table (PGRST204), and the columns the RETURNING clause must give so that the read over it, its embeds and the Location header work (PostgREST's inferColsEmbedNeeds).

import type { ApiError } from '../errors.ts';
import { findColumn } from '../schema-cache/find.ts';
import type { Relation } from '../schema-cache/types.ts';
import type { WriteColumn } from './mutate-types.ts';
import type { ReadPlan } from './types.ts';

/** PostgREST keeps column names in a set: sorted by code point, without duplicates. */
export const sortedNames = (names: Iterable<string>): string[] => [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The columns a payload writes, in PostgREST's (sorted) order; the first unknown one is PGRST204. */
export function writeColumns(relation: Relation, names: readonly string[]): { ok: true; columns: WriteColumn[] } | { ok: false; error: ApiError } {
  const columns: WriteColumn[] = [];
  for (const name of sortedNames(names)) {
    const found = findColumn(relation, name);
    if (!found.ok) return { ok: false, error: found.error };
    columns.push({ name: found.value.name, type: found.value.nominalType, defaultValue: found.value.defaultValue });
  }
  return { ok: true, columns };
}

/** The columns of the root that its embeds join on. */
function joinColumns(read: ReadPlan): string[] {
  return read.children.flatMap((child): string[] => {
    const rel = child.link?.relationship;
    if (rel === undefined || rel.cardinality === 'computed') return [];
    return rel.cardinality === 'many-to-many' ? rel.junction.sourceColumns.map(([c]) => c) : rel.columns.map(([c]) => c);
  });
}

/**
 * What the RETURNING clause lists: `*` when the read selects `*` (or nothing at all) or embeds a computed
 * relationship (its function takes the whole row), else the selected columns, the columns embeds join on and the
 * primary key (for Location), as a sorted set.
 */
export function returningColumns(read: ReadPlan, primaryKey: readonly string[]): '*' | string[] {
  if (read.select.length === 0 && read.children.length === 0) return '*';
  if (read.children.some((c) => c.link?.relationship.cardinality === 'computed')) return '*';
  const names: string[] = [];
  for (const s of read.select) {
    if (s.target.type === 'star') return '*';
    if (s.target.type === 'column') names.push(s.target.field.name);
  }
  return sortedNames([...names, ...joinColumns(read), ...primaryKey]);
}
