/** Builders for hand-made schema caches, for plan and sql tests that need no database. */
import type { Column, QualifiedName, Relation } from '../../supabase/rest/schema-cache/types.ts';

export function col(name: string, position: number, dataType = 'integer'): Column {
  return {
    name, position, description: null, nullable: true, dataType, nominalType: dataType, baseType: dataType,
    defaultValue: null, maxLength: null, enumValues: [], generated: false, identity: null,
  };
}

export function table(name: string, columns: readonly Column[]): Relation {
  return {
    schema: 'public', name, kind: 'table', isView: false, description: null, insertable: true, updatable: true, deletable: true,
    primaryKey: ['id'], columns: new Map(columns.map((c) => [c.name, c])),
  };
}

export const q = (name: string): QualifiedName => ({ schema: 'public', name });
