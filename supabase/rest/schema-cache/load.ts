// In charge of reading the schema cache from pg_catalog: five catalog queries in one read-only snapshot, assembled into a SchemaCache (relations, computed fields, foreign key and computed relationships, routines).

import type pg from 'pg';
import { KEYS_SQL, RELATIONS_SQL, ROLE_SETTINGS_SQL, ROUTINES_SQL, VIEWS_SQL } from './catalog-sql.ts';
import { qualifiedKey } from './qualified-key.ts';
import { computedRelationships, withComputedRelationships } from './computed-relationships.ts';
import { buildRelationships } from './relationships.ts';
import { groupRoutines, toRoutine } from './routines.ts';
import type { RoutineRow } from './routines.ts';
import { viewKeyDependencies } from './view-keys.ts';
import type { ExposedView, KeyConstraint, ViewKeyDependency } from './view-keys.ts';
import type { Column, ComputedField, QualifiedName, Relation, RelationKind, RoleSettings, Routine, SchemaCache } from './types.ts';

interface ColumnJson {
  name: string;
  position: number;
  description: string | null;
  nullable: boolean;
  data_type: string;
  nominal_type: string;
  base_type: string;
  max_length: number | null;
  default: string | null;
  enum_values: string[];
  generated: boolean;
  identity: string;
}

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  description: string | null;
  updatable_mask: number;
  primary_key: string[];
  columns: ColumnJson[];
}

interface KeyRow {
  type: 'p' | 'f';
  name: string;
  table_oid: number;
  table_schema: string;
  table_name: string;
  attnums: number[];
  columns: string[];
  foreign_table_oid: number;
  foreign_table_schema: string | null;
  foreign_table_name: string | null;
  foreign_attnums: number[];
  foreign_columns: string[];
  one_to_one: boolean;
}

interface RoleSettingRow {
  role: string;
  name: string;
  value: string;
}

/** Settings by role; a later row (database-specific) replaces an earlier one of the same name. */
function toRoleSettings(rows: readonly RoleSettingRow[]): Map<string, RoleSettings> {
  const byRole = new Map<string, Map<string, string>>();
  for (const row of rows) {
    let settings = byRole.get(row.role);
    if (!settings) byRole.set(row.role, (settings = new Map()));
    settings.set(row.name, row.value);
  }
  const out = new Map<string, RoleSettings>();
  for (const [role, settings] of byRole) {
    const isolation = settings.get('default_transaction_isolation') ?? null;
    settings.delete('default_transaction_isolation');
    out.set(role, { settings: [...settings], isolationLevel: isolation === null ? null : isolation.toLowerCase() });
  }
  return out;
}

interface ViewRow {
  oid: number;
  definition: string;
}

const KINDS: Readonly<Record<string, RelationKind>> = {
  r: 'table',
  p: 'partitioned-table',
  v: 'view',
  m: 'materialized-view',
  f: 'foreign-table',
};

// pg_relation_is_updatable's bits: 1 << CMD_UPDATE, CMD_INSERT, CMD_DELETE
const CAN_UPDATE = 4;
const CAN_INSERT = 8;
const CAN_DELETE = 16;

function toColumn(c: ColumnJson): Column {
  return {
    name: c.name,
    position: c.position,
    description: c.description,
    nullable: c.nullable,
    dataType: c.data_type,
    nominalType: c.nominal_type,
    baseType: c.base_type,
    defaultValue: c.default,
    maxLength: c.max_length,
    enumValues: c.enum_values,
    generated: c.generated,
    identity: c.identity === 'a' ? 'always' : c.identity === 'd' ? 'by-default' : null,
  };
}

function toRelation(row: RelationRow, primaryKey: readonly string[]): Relation {
  const kind = KINDS[row.kind] ?? 'table';
  return {
    schema: row.schema,
    name: row.name,
    kind,
    isView: kind === 'view' || kind === 'materialized-view',
    description: row.description,
    insertable: (row.updatable_mask & CAN_INSERT) !== 0,
    updatable: (row.updatable_mask & CAN_UPDATE) !== 0,
    deletable: (row.updatable_mask & CAN_DELETE) !== 0,
    primaryKey,
    columns: new Map(row.columns.map((c) => [c.name, toColumn(c)])),
  };
}

function toKey(row: KeyRow): KeyConstraint {
  const foreign = row.foreign_table_schema !== null && row.foreign_table_name !== null;
  return {
    type: row.type,
    name: row.name,
    tableOid: row.table_oid,
    table: { schema: row.table_schema, name: row.table_name },
    columns: row.columns,
    attnums: row.attnums,
    foreignTableOid: foreign ? row.foreign_table_oid : null,
    foreignTable: foreign ? { schema: row.foreign_table_schema ?? '', name: row.foreign_table_name ?? '' } : null,
    foreignColumns: row.foreign_columns,
    foreignAttnums: row.foreign_attnums,
    oneToOne: row.one_to_one,
  };
}

/** A view's primary key: for every base primary key it shows in full, the first view column showing each key column. */
function viewPrimaryKey(view: QualifiedName, deps: readonly ViewKeyDependency[]): string[] {
  return deps
    .filter((d) => d.type === 'p' && d.view.schema === view.schema && d.view.name === view.name)
    .flatMap((d) => d.columns.map(([, viewColumns]) => viewColumns[0]).filter((c): c is string => c !== undefined));
}

/** Computed fields by the relation they compute from: one-argument functions of a row returning a single value. */
function computedFields(routines: readonly RoutineRow[]): Map<string, Map<string, ComputedField>> {
  const out = new Map<string, Map<string, ComputedField>>();
  for (const r of routines) {
    if (!r.row_argument_of || r.set_of || (r.type_schema === 'pg_catalog' && r.type_name === 'void')) continue;
    const key = qualifiedKey(r.row_argument_of[0], r.row_argument_of[1]);
    let fields = out.get(key);
    if (!fields) out.set(key, (fields = new Map()));
    fields.set(r.name, { name: r.name, function: { schema: r.schema, name: r.name }, type: r.type_name });
  }
  return out;
}

/** Builds the cache from the rows of the four catalog queries (pure: no database access). */
export function assembleSchemaCache(
  schemas: readonly string[],
  rows: { relations: readonly RelationRow[]; keys: readonly KeyRow[]; views: readonly ViewRow[]; routines: readonly RoutineRow[]; roleSettings?: readonly RoleSettingRow[] },
): SchemaCache {
  const keys = rows.keys.map(toKey);
  const exposedViews: ExposedView[] = rows.relations
    .filter((r) => r.kind === 'v' || r.kind === 'm')
    .map((r) => ({ oid: r.oid, view: { schema: r.schema, name: r.name }, columnNames: new Map(r.columns.map((c) => [c.position, c.name])) }));
  const viewKeys = viewKeyDependencies(exposedViews, new Map(rows.views.map((v) => [v.oid, v.definition])), keys);

  const relations = new Map<string, Relation>();
  for (const row of rows.relations) {
    const isView = row.kind === 'v' || row.kind === 'm';
    const pk = isView ? viewPrimaryKey({ schema: row.schema, name: row.name }, viewKeys) : row.primary_key;
    relations.set(qualifiedKey(row.schema, row.name), toRelation(row, pk));
  }

  for (const [key, fields] of computedFields(rows.routines)) {
    const relation = relations.get(key);
    if (relation) relations.set(key, { ...relation, computedFields: fields });
  }

  const foreignKeyRelationships = buildRelationships({
    schemas,
    keys,
    viewKeys,
    primaryKeyOf: (q) => relations.get(qualifiedKey(q.schema, q.name))?.primaryKey ?? [],
  });
  const relationships = withComputedRelationships(foreignKeyRelationships, computedRelationships(rows.routines, relations));

  const relationKeys = new Set(relations.keys());
  const routines = groupRoutines(rows.routines.map((r) => toRoutine(r, relationKeys)).filter((r): r is Routine => r !== null));

  return { schemas: [...schemas], relations, relationships, routines, roleSettings: toRoleSettings(rows.roleSettings ?? []), loadedAt: new Date() };
}

/**
 * Reads the schema cache for the exposed `schemas`: seven round trips (begin, five catalog queries, commit) in a
 * repeatable-read, read-only transaction with an empty search_path, so the queries see one snapshot and report
 * every non-catalog type and default qualified. The client must not be inside a transaction.
 */
export async function loadSchemaCache(client: pg.ClientBase, schemas: readonly string[]): Promise<SchemaCache> {
  const params = [[...schemas]];
  await client.query(`begin isolation level repeatable read read only; set local search_path to ''`);
  try {
    const relations = await client.query<RelationRow>(RELATIONS_SQL, params);
    const keys = await client.query<KeyRow>(KEYS_SQL, params);
    const views = await client.query<ViewRow>(VIEWS_SQL, params);
    const routines = await client.query<RoutineRow>(ROUTINES_SQL, params);
    const roleSettings = await client.query<RoleSettingRow>(ROLE_SETTINGS_SQL);
    await client.query('commit');
    return assembleSchemaCache(schemas, { relations: relations.rows, keys: keys.rows, views: views.rows, routines: routines.rows, roleSettings: roleSettings.rows });
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}
