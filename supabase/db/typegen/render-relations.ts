// In charge of one schema's `Tables` and `Views`: Row, Insert and Update types per relation and the foreign keys it holds, as postgres-meta writes them.

import type { Column, ForeignKeyRelationship, Relation, SchemaCache } from '../../rest/schema-cache/types.ts';
import { qualifiedKey } from '../../rest/schema-cache/qualified-key.ts';
import type { TypegenCatalog } from './catalog.ts';
import { viewKey } from './catalog.ts';
import type { Doc } from './doc.ts';
import { parseTypeText, tsType } from './pg-to-ts.ts';
import type { TypeWorld } from './pg-to-ts.ts';
import { emptyMappedType, nullable, objectType, str, tuple } from './ts-doc.ts';
import type { Member } from './ts-doc.ts';

/** postgres-meta sorts every name with `localeCompare`; a fixed locale keeps the output the same on every machine. */
export const byName = (a: string, b: string): number => a.localeCompare(b, 'en');

export const sortedColumns = (r: Relation): Column[] => [...r.columns.values()].sort((a, b) => byName(a.name, b.name));

const columnType = (c: Column, world: TypeWorld): Doc => tsType(parseTypeText(c.baseType), world).doc;

/** `{ col: T | null … }` as a Row (or a function returning rows of the relation) shows it. */
export function rowType(r: Relation, world: TypeWorld): Doc {
  return objectType(sortedColumns(r).map((c) => ({ key: c.name, value: nullable(columnType(c, world), c.nullable) })), true);
}

const never = (c: Column): Member => ({ key: c.name, optional: true, value: 'never' });

function tableWrites(r: Relation, world: TypeWorld): { insert: Doc; update: Doc } {
  const columns = sortedColumns(r);
  const write = (c: Column, optional: boolean): Member =>
    c.identity === 'always' ? never(c) : { key: c.name, optional, value: nullable(columnType(c, world), c.nullable) };
  return {
    insert: objectType(columns.map((c) => write(c, c.nullable || c.identity !== null || c.generated || c.defaultValue !== null)), true),
    update: objectType(columns.map((c) => write(c, true)), true),
  };
}

function viewWrites(r: Relation, writable: ReadonlySet<string>, world: TypeWorld): Doc {
  const members = sortedColumns(r).map((c): Member =>
    writable.has(c.name) ? { key: c.name, optional: true, value: nullable(columnType(c, world), true) } : never(c),
  );
  return objectType(members, true);
}

/** The foreign keys `r` holds (or shows, for a view) towards relations of its own schema, sorted as postgres-meta sorts them. */
function relationships(r: Relation, cache: SchemaCache): Doc {
  const held = (cache.relationships.get(qualifiedKey(r.schema, r.name)) ?? [])
    .filter((x): x is ForeignKeyRelationship => x.cardinality !== 'many-to-many' && x.cardinality !== 'computed' && x.holdsForeignKey && x.foreignTable.schema === r.schema)
    .map((x) => ({
      name: x.constraint,
      columns: x.columns.map(([c]) => c),
      oneToOne: x.cardinality === 'one-to-one',
      referenced: x.foreignTable.name,
      referencedColumns: x.columns.map(([, f]) => f),
    }))
    .sort((a, b) => byName(a.name, b.name) || byName(a.referenced, b.referenced) || byName(JSON.stringify(a.referencedColumns), JSON.stringify(b.referencedColumns)));
  return tuple(
    held.map((h) =>
      objectType(
        [
          { key: 'foreignKeyName', value: str(h.name) },
          { key: 'columns', value: tuple(h.columns.map(str)) },
          { key: 'isOneToOne', value: String(h.oneToOne) },
          { key: 'referencedRelation', value: str(h.referenced) },
          { key: 'referencedColumns', value: tuple(h.referencedColumns.map(str)) },
        ],
        true,
      ),
    ),
  );
}

function relationsOf(schema: string, cache: SchemaCache, views: boolean): Relation[] {
  return [...cache.relations.values()].filter((r) => r.schema === schema && r.isView === views).sort((a, b) => byName(a.name, b.name));
}

export function tablesSection(schema: string, cache: SchemaCache, world: TypeWorld): Doc {
  const tables = relationsOf(schema, cache, false);
  if (tables.length === 0) return emptyMappedType;
  return objectType(
    tables.map((t) => {
      const { insert, update } = tableWrites(t, world);
      return {
        key: t.name,
        value: objectType(
          [
            { key: 'Row', value: rowType(t, world) },
            { key: 'Insert', value: insert },
            { key: 'Update', value: update },
            { key: 'Relationships', value: relationships(t, cache) },
          ],
          true,
        ),
      };
    }),
    true,
  );
}

export function viewsSection(schema: string, cache: SchemaCache, extra: TypegenCatalog, world: TypeWorld): Doc {
  const views = relationsOf(schema, cache, true);
  if (views.length === 0) return emptyMappedType;
  return objectType(
    views.map((v) => {
      const writable = v.kind === 'view' ? extra.updatableViews.get(viewKey(v.schema, v.name)) : undefined;
      const members: Member[] = [{ key: 'Row', value: rowType(v, world) }];
      if (writable !== undefined) {
        members.push({ key: 'Insert', value: viewWrites(v, writable, world) }, { key: 'Update', value: viewWrites(v, writable, world) });
      }
      members.push({ key: 'Relationships', value: relationships(v, cache) });
      return { key: v.name, value: objectType(members, true) };
    }),
    true,
  );
}
