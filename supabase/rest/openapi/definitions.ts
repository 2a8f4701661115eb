// In charge of the `definitions` of the OpenAPI document: one object schema per table or view, its columns with types, defaults and PostgREST's primary-key and foreign-key notes.

import { qualifiedKey } from '../schema-cache/qualified-key.ts';
import type { Column, ForeignKeyRelationship, Relation, Relationship, SchemaCache } from '../schema-cache/types.ts';
import { arrayItems, parseDefault, swaggerType } from './pg-types.ts';
import type { Schema } from './types.ts';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length > 0 && a.length === b.length && a.every((x) => b.includes(x));

/**
 * Whether a one-to-one relationship starts at the relation holding the foreign key. The schema cache keeps no
 * direction for one-to-one relationships, so it is inferred from the keys: the end whose columns are its primary key,
 * facing columns that are not the other end's primary key, is the referenced one. Undecidable (both or neither
 * ends are primary keys) counts as not holding it, so no note is written rather than a wrong one.
 */
function holdsForeignKey(cache: SchemaCache, rel: ForeignKeyRelationship, relation: Relation): boolean {
  const foreign = cache.relations.get(qualifiedKey(rel.foreignTable.schema, rel.foreignTable.name));
  const ownIsKey = sameSet(rel.columns.map(([c]) => c), relation.primaryKey);
  const foreignIsKey = foreign !== undefined && sameSet(rel.columns.map(([, f]) => f), foreign.primaryKey);
  return !ownIsKey && foreignIsKey;
}

/**
 * The single-column foreign key a column is, as PostgREST finds it: among the relation's many-to-one (and
 * foreign-key-holding one-to-one) relationships to its own schema, tables before views, the first whose only
 * column is this one.
 */
function foreignKeyOf(cache: SchemaCache, relation: Relation, column: string): { table: string; column: string } | null {
  const rels: readonly Relationship[] = cache.relationships.get(qualifiedKey(relation.schema, relation.name)) ?? [];
  const candidates = rels
    .filter((r): r is ForeignKeyRelationship => r.foreignTable.schema === relation.schema && r.cardinality !== 'many-to-many' && r.cardinality !== 'computed')
    .filter((r) => r.cardinality === 'many-to-one' || (r.cardinality === 'one-to-one' && holdsForeignKey(cache, r, relation)))
    .sort((a, b) => Number(a.foreignTableIsView) - Number(b.foreignTableIsView));
  const rel = candidates.find((r) => r.columns.length === 1 && r.columns[0]?.[0] === column);
  const target = rel?.columns[0]?.[1];
  return rel === undefined || target === undefined ? null : { table: rel.foreignTable.name, column: target };
}

/** The column comment followed by PostgREST's machine-readable notes (`<pk/>`, `<fk table='…' column='…'/>`). */
function describeColumn(cache: SchemaCache, relation: Relation, column: Column): string | undefined {
  const notes = ['Note:'];
  if (relation.primaryKey.includes(column.name)) notes.push('This is a Primary Key.<pk/>');
  const fk = foreignKeyOf(cache, relation, column.name);
  if (fk !== null) notes.push(`This is a Foreign Key to \`${fk.table}.${fk.column}\`.<fk table='${fk.table}' column='${fk.column}'/>`);
  if (notes.length === 1) return column.description ?? undefined;
  return (column.description === null ? '' : `${column.description}\n\n`) + notes.join('\n');
}

function property(cache: SchemaCache, relation: Relation, column: Column): Schema {
  const def = column.defaultValue === null ? undefined : parseDefault(column.dataType, column.defaultValue);
  const description = describeColumn(cache, relation, column);
  const type = swaggerType(column.dataType);
  const items = arrayItems(column.dataType);
  return {
    ...(def === undefined ? {} : { default: def }),
    ...(description === undefined ? {} : { description }),
    ...(column.enumValues.length === 0 ? {} : { enum: column.enumValues }),
    format: column.dataType,
    ...(items === undefined ? {} : { items }),
    ...(column.maxLength === null ? {} : { maxLength: column.maxLength }),
    ...(type === null ? {} : { type }),
  };
}

/** A relation's row: every column in ordinal order; `required` lists the not-null ones (defaults or not), as PostgREST does. */
export function definitionOf(cache: SchemaCache, relation: Relation): Schema {
  const columns = [...relation.columns.values()];
  const required = columns.filter((c) => !c.nullable).map((c) => c.name);
  return {
    ...(relation.description === null ? {} : { description: relation.description }),
    ...(required.length === 0 ? {} : { required }),
    ...(columns.length === 0 ? {} : { properties: Object.fromEntries(columns.map((c) => [c.name, property(cache, relation, c)])) }),
    type: 'object',
  };
}
