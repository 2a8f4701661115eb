// In charge of turning foreign keys into the relationships resource embedding uses: many-to-one/one-to-one, their inverses, many-to-many through junctions, and the same inferred for views (PostgREST's addViewM2OAndO2ORels, addM2MRels, addInverseRels, removeInternal).

import { keyOf, sameName } from './qualified-key.ts';
import type { KeyConstraint, ViewKeyDependency } from './view-keys.ts';
import type { ColumnPair, ComputedRelationship, ForeignKeyRelationship, ManyToManyRelationship, QualifiedName, Relationship } from './types.ts';

type ToOne = ForeignKeyRelationship & { readonly cardinality: 'many-to-one' | 'one-to-one' };

const swap = (pairs: readonly ColumnPair[]): ColumnPair[] => pairs.map(([a, b]) => [b, a] as const);

function zipPairs<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  const n = Math.min(as.length, bs.length);
  const out: [A, B][] = [];
  for (let i = 0; i < n; i++) out.push([as[i] as A, bs[i] as B]);
  return out;
}

/** Every way to pick one view column per key column, when a view shows a key column more than once. */
function choices(columns: ViewKeyDependency['columns']): (readonly [string, string])[][] {
  let acc: (readonly [string, string])[][] = [[]];
  for (const [tableColumn, viewColumns] of columns) {
    acc = acc.flatMap((prefix) => viewColumns.map((v) => [...prefix, [tableColumn, v] as const]));
  }
  return acc;
}

function baseRelationships(keys: readonly KeyConstraint[]): ToOne[] {
  const out: ToOne[] = [];
  for (const k of keys) {
    if (k.type !== 'f' || k.foreignTable === null) continue;
    out.push({
      cardinality: k.oneToOne ? 'one-to-one' : 'many-to-one',
      holdsForeignKey: true,
      table: k.table,
      foreignTable: k.foreignTable,
      isSelf: sameName(k.table, k.foreignTable),
      constraint: k.name,
      columns: zipPairs(k.columns, k.foreignColumns),
      tableIsView: false,
      foreignTableIsView: false,
    });
  }
  return out;
}

/** view → table, table → view and view → view relationships for every foreign key that views show in full. */
function viewRelationships(base: readonly ToOne[], deps: readonly ViewKeyDependency[]): ToOne[] {
  const out: ToOne[] = [];
  for (const rel of base) {
    const fromViews = deps.filter((d) => d.type === 'f' && d.constraint === rel.constraint && sameName(d.table, rel.table));
    const toViews = deps.filter((d) => d.type === 'f_ref' && d.constraint === rel.constraint && sameName(d.table, rel.foreignTable));
    const make = (table: QualifiedName, foreignTable: QualifiedName, columns: ColumnPair[], tableIsView: boolean, foreignTableIsView: boolean, isSelf: boolean): ToOne => ({
      cardinality: rel.cardinality,
      holdsForeignKey: true,
      table,
      foreignTable,
      isSelf,
      constraint: rel.constraint,
      columns,
      tableIsView,
      foreignTableIsView,
    });
    for (const vt of fromViews) {
      for (const pick of choices(vt.columns)) {
        out.push(make(vt.view, rel.foreignTable, zipPairs(pick, rel.columns).map(([[, v], [, f]]) => [v, f] as const), true, false, false));
      }
    }
    for (const tv of toViews) {
      for (const pick of choices(tv.columns)) {
        out.push(make(rel.table, tv.view, zipPairs(rel.columns, pick).map(([[t], [, v]]) => [t, v] as const), false, true, false));
      }
    }
    for (const vt of fromViews) {
      for (const pickFrom of choices(vt.columns)) {
        for (const tv of toViews) {
          for (const pickTo of choices(tv.columns)) {
            const columns = zipPairs(pickFrom, pickTo).map(([[, v1], [, v2]]) => [v1, v2] as const);
            out.push(make(vt.view, tv.view, columns, true, true, sameName(vt.view, tv.view)));
          }
        }
      }
    }
  }
  return out;
}

/**
 * A junction is a relation with two foreign keys whose columns all belong to its primary key: it relates the two
 * referenced relations many-to-many (in both directions, and with itself for two keys to the same table).
 */
function manyToMany(toOne: readonly ToOne[], primaryKeyOf: (q: QualifiedName) => readonly string[]): ManyToManyRelationship[] {
  const byJunction = new Map<string, ToOne[]>();
  for (const r of toOne) {
    if (r.cardinality !== 'many-to-one') continue;
    const k = keyOf(r.table);
    const list = byJunction.get(k);
    if (list === undefined) byJunction.set(k, [r]);
    else list.push(r);
  }
  const out: ManyToManyRelationship[] = [];
  for (const rels of byJunction.values()) {
    for (const r1 of rels) {
      for (const r2 of rels) {
        if (r1.constraint === r2.constraint) continue;
        const pk = new Set(primaryKeyOf(r1.table));
        const junctionColumns = [...r1.columns, ...r2.columns].map(([c]) => c);
        if (!junctionColumns.every((c) => pk.has(c))) continue;
        out.push({
          cardinality: 'many-to-many',
          table: r1.foreignTable,
          foreignTable: r2.foreignTable,
          isSelf: sameName(r1.foreignTable, r2.foreignTable),
          junction: {
            table: r1.table,
            sourceConstraint: r1.constraint,
            targetConstraint: r2.constraint,
            sourceColumns: swap(r1.columns),
            targetColumns: swap(r2.columns),
          },
          tableIsView: r1.foreignTableIsView,
          foreignTableIsView: r2.foreignTableIsView,
        });
      }
    }
  }
  return out;
}

function inverse(r: ToOne): ForeignKeyRelationship {
  return {
    cardinality: r.cardinality === 'many-to-one' ? 'one-to-many' : 'one-to-one',
    holdsForeignKey: false,
    table: r.foreignTable,
    foreignTable: r.table,
    isSelf: r.isSelf,
    constraint: r.constraint,
    columns: swap(r.columns),
    tableIsView: r.foreignTableIsView,
    foreignTableIsView: r.tableIsView,
  };
}

// ---------------------------------------------------------------------------
// PostgREST's derived `Ord Relationship`: the order of candidates in an ambiguity error.

type FkOrM2M = Exclude<Relationship, ComputedRelationship>;

const RANK: Readonly<Record<FkOrM2M['cardinality'], number>> = { 'one-to-many': 0, 'many-to-one': 1, 'one-to-one': 2, 'many-to-many': 3 };

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpBool = (a: boolean, b: boolean): number => Number(a) - Number(b);
const cmpName = (a: QualifiedName, b: QualifiedName): number => cmp(a.schema, b.schema) || cmp(a.name, b.name);

function cmpPairs(a: readonly ColumnPair[], b: readonly ColumnPair[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as ColumnPair;
    const y = b[i] as ColumnPair;
    const c = cmp(x[0], y[0]) || cmp(x[1], y[1]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function cmpCardinality(a: FkOrM2M, b: FkOrM2M): number {
  const byRank = RANK[a.cardinality] - RANK[b.cardinality];
  if (byRank !== 0) return byRank;
  if (a.cardinality === 'many-to-many' && b.cardinality === 'many-to-many') {
    const x = a.junction;
    const y = b.junction;
    return (
      cmpName(x.table, y.table) ||
      cmp(x.sourceConstraint, y.sourceConstraint) ||
      cmp(x.targetConstraint, y.targetConstraint) ||
      cmpPairs(x.sourceColumns, y.sourceColumns) ||
      cmpPairs(x.targetColumns, y.targetColumns)
    );
  }
  if (a.cardinality !== 'many-to-many' && b.cardinality !== 'many-to-many') return cmp(a.constraint, b.constraint) || cmpPairs(a.columns, b.columns);
  return 0;
}

/** Computed relationships (PostgREST's second constructor) after all others, by function, ends, then to-one. */
function cmpComputed(a: ComputedRelationship, b: ComputedRelationship): number {
  return (
    cmpName(a.function, b.function) ||
    cmpName(a.table, b.table) ||
    cmpName(a.foreignTable, b.foreignTable) ||
    cmpBool(a.toOne, b.toOne) ||
    cmpBool(a.isSelf, b.isSelf)
  );
}

export function compareRelationships(a: Relationship, b: Relationship): number {
  if (a.cardinality === 'computed' || b.cardinality === 'computed') {
    if (a.cardinality !== 'computed') return -1;
    if (b.cardinality !== 'computed') return 1;
    return cmpComputed(a, b);
  }
  return (
    cmpName(a.table, b.table) ||
    cmpName(a.foreignTable, b.foreignTable) ||
    cmpBool(a.isSelf, b.isSelf) ||
    cmpCardinality(a, b) ||
    cmpBool(a.tableIsView, b.tableIsView) ||
    cmpBool(a.foreignTableIsView, b.foreignTableIsView)
  );
}

// ---------------------------------------------------------------------------

export interface RelationshipInput {
  readonly schemas: readonly string[];
  readonly keys: readonly KeyConstraint[];
  readonly viewKeys: readonly ViewKeyDependency[];
  /** Primary key of a relation of the cache (views included), empty when unknown. */
  readonly primaryKeyOf: (q: QualifiedName) => readonly string[];
}

/** All relationships between relations of the exposed schemas, grouped by `qualifiedKey` of their `table` and sorted. */
export function buildRelationships(input: RelationshipInput): Map<string, Relationship[]> {
  const base = baseRelationships(input.keys);
  const toOne = [...base, ...viewRelationships(base, input.viewKeys)];
  const all: Relationship[] = [...toOne, ...manyToMany(toOne, input.primaryKeyOf), ...toOne.map(inverse)];
  const exposed = new Set(input.schemas);
  const grouped = new Map<string, Relationship[]>();
  for (const r of all) {
    if (!exposed.has(r.table.schema) || !exposed.has(r.foreignTable.schema)) continue;
    if (r.cardinality === 'many-to-many' && !exposed.has(r.junction.table.schema)) continue;
    const k = keyOf(r.table);
    const list = grouped.get(k);
    if (list === undefined) grouped.set(k, [r]);
    else list.push(r);
  }
  for (const list of grouped.values()) list.sort(compareRelationships);
  return grouped;
}
