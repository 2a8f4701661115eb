// In charge of finding which primary and foreign keys of base tables an exposed view still shows, column by column (PostgREST's `allViewsKeyDependencies`).

import { viewColumnOrigins } from './node-tree.ts';
import type { QualifiedName } from './types.ts';

/** A primary or foreign key constraint as the catalog query returns it. */
export interface KeyConstraint {
  readonly type: 'p' | 'f';
  readonly name: string;
  readonly tableOid: number;
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly attnums: readonly number[];
  /** Foreign keys only (null/empty for primary keys). */
  readonly foreignTableOid: number | null;
  readonly foreignTable: QualifiedName | null;
  readonly foreignColumns: readonly string[];
  readonly foreignAttnums: readonly number[];
  readonly oneToOne: boolean;
}

/** An exposed view: its oid and its column names by attnum. */
export interface ExposedView {
  readonly oid: number;
  readonly view: QualifiedName;
  readonly columnNames: ReadonlyMap<number, string>;
}

/**
 * `p`: the view shows every column of the table's primary key; `f`: every referencing column of a foreign key;
 * `f_ref`: every referenced column of a foreign key (on the referenced table).
 */
export type KeyDependencyType = 'p' | 'f' | 'f_ref';

export interface ViewKeyDependency {
  readonly view: QualifiedName;
  readonly table: QualifiedName;
  readonly constraint: string;
  readonly type: KeyDependencyType;
  /** Per key column, in key order: the table column and every view column that shows it (a column may be shown twice). */
  readonly columns: readonly (readonly [string, readonly string[]])[];
}

type Origin = { readonly table: number; readonly column: number };

/** Follows a view column through views on views down to the column of a table (or of nothing, for computed values). */
function baseOrigin(origins: ReadonlyMap<number, ReadonlyMap<number, Origin>>, start: Origin): Origin | null {
  let at = start;
  const seen = new Set<string>();
  for (;;) {
    if (at.table === 0) return null;
    const inner = origins.get(at.table);
    if (inner === undefined) return at; // not a view: a table (or foreign table)
    const key = `${at.table}:${at.column}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const next = inner.get(at.column);
    if (next === undefined) return null;
    at = next;
  }
}

/**
 * For every exposed view, the key constraints whose columns it shows in full. `definitions` holds the stored query
 * of the exposed views and of every view they read from.
 */
export function viewKeyDependencies(
  views: readonly ExposedView[],
  definitions: ReadonlyMap<number, string>,
  keys: readonly KeyConstraint[],
): ViewKeyDependency[] {
  const origins = new Map<number, Map<number, Origin>>();
  for (const [oid, text] of definitions) {
    origins.set(oid, new Map(viewColumnOrigins(text).map((o) => [o.resno, { table: o.table, column: o.column }])));
  }
  const sides: { type: KeyDependencyType; key: KeyConstraint; oid: number; table: QualifiedName; columns: readonly string[]; attnums: readonly number[] }[] = [];
  for (const key of keys) {
    sides.push({ type: key.type, key, oid: key.tableOid, table: key.table, columns: key.columns, attnums: key.attnums });
    if (key.type === 'f' && key.foreignTableOid !== null && key.foreignTable !== null) {
      sides.push({ type: 'f_ref', key, oid: key.foreignTableOid, table: key.foreignTable, columns: key.foreignColumns, attnums: key.foreignAttnums });
    }
  }

  const out: ViewKeyDependency[] = [];
  for (const view of views) {
    const own = origins.get(view.oid);
    if (own === undefined) continue;
    // base column ("tableOid:attnum") → the view columns that show it, in view column order
    const shownBy = new Map<string, string[]>();
    for (const [resno, origin] of [...own].sort((a, b) => a[0] - b[0])) {
      const base = baseOrigin(origins, origin);
      const name = view.columnNames.get(resno);
      if (base === null || name === undefined) continue;
      const k = `${base.table}:${base.column}`;
      const list = shownBy.get(k);
      if (list === undefined) shownBy.set(k, [name]);
      else list.push(name);
    }
    if (shownBy.size === 0) continue;
    for (const side of sides) {
      const columns: (readonly [string, readonly string[]])[] = [];
      for (const [i, attnum] of side.attnums.entries()) {
        const viewColumns = shownBy.get(`${side.oid}:${attnum}`);
        const column = side.columns[i];
        if (viewColumns === undefined || column === undefined) break;
        columns.push([column, viewColumns]);
      }
      if (columns.length === side.attnums.length && columns.length > 0) {
        out.push({ view: view.view, table: side.table, constraint: side.key.name, type: side.type, columns });
      }
    }
  }
  return out;
}
