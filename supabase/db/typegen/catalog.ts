// In charge of the little type generation needs beyond the REST schema cache: enums (with their labels), composite types (with their attributes), which view columns can be written, and a few facts about functions.

import type pg from 'pg';

export interface EnumType {
  readonly schema: string;
  readonly name: string;
  /** In sort order. */
  readonly values: readonly string[];
}

export interface CompositeType {
  readonly schema: string;
  readonly name: string;
  /** In attribute order; `type` as `format_type` prints it with an empty search_path (`integer`, `public.mood[]`). */
  readonly attributes: readonly { readonly name: string; readonly type: string }[];
}

/** What the routine cache leaves out of a function, keyed by `functionKey`. */
export interface FunctionExtra {
  /** `pg_get_function_arguments`, postgres-meta's first sort key for overloads. */
  readonly argumentTypes: string;
  /** `pg_get_function_result`, the second. */
  readonly returnType: string;
  /** `returns table (…)`: its columns are the out parameters (OUT parameters alone make a `record`). */
  readonly returnsTable: boolean;
  /** The planner's row estimate is above one: a set-returning function returns an array. */
  readonly returnsManyRows: boolean;
}

export interface TypegenCatalog {
  /** Every enum outside the system schemas: a column may use one that no exposed schema holds. */
  readonly enums: readonly EnumType[];
  /** Composite types (`create type … as (…)`) of the exposed schemas. */
  readonly compositeTypes: readonly CompositeType[];
  /**
   * Views of the exposed schemas that take updates and deletes without triggers (postgres-meta's `is_updatable`),
   * keyed by `viewKey`, with the columns `pg_column_is_updatable` accepts.
   */
  readonly updatableViews: ReadonlyMap<string, ReadonlySet<string>>;
  readonly functions: ReadonlyMap<string, FunctionExtra>;
  /** Trigger and event-trigger functions of the exposed schemas: /rpc cannot call them, postgres-meta lists them anyway. */
  readonly triggerFunctions: readonly (FunctionExtra & { readonly schema: string; readonly name: string })[];
}

const ENUMS_SQL = `
select n.nspname as schema, t.typname as name,
       array_agg(e.enumlabel::text order by e.enumsortorder) as values
from pg_catalog.pg_type t
join pg_catalog.pg_namespace n on n.oid = t.typnamespace
join pg_catalog.pg_enum e on e.enumtypid = t.oid
where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
group by n.nspname, t.typname
order by n.nspname, t.typname`;

const COMPOSITES_SQL = `
select n.nspname as schema, t.typname as name,
       coalesce(json_agg(json_build_object('name', a.attname, 'type', pg_catalog.format_type(a.atttypid, null)) order by a.attnum)
         filter (where a.attnum is not null), '[]') as attributes
from pg_catalog.pg_type t
join pg_catalog.pg_namespace n on n.oid = t.typnamespace
join pg_catalog.pg_class c on c.oid = t.typrelid and c.relkind = 'c'
left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = any($1::text[])
group by n.nspname, t.typname
order by n.nspname, t.typname`;

const UPDATABLE_VIEWS_SQL = `
select n.nspname as schema, c.relname as name,
       coalesce(array_agg(a.attname::text order by a.attnum)
         filter (where pg_catalog.pg_column_is_updatable(c.oid, a.attnum, false)), '{}') as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = any($1::text[]) and c.relkind = 'v'
  and (pg_catalog.pg_relation_is_updatable(c.oid, false) & 20) = 20
group by n.nspname, c.relname`;

const FUNCTIONS_SQL = `
select n.nspname as schema, p.proname as name,
       array(select t::pg_catalog.regtype::text from unnest(p.proargtypes::oid[]) with ordinality as u(t, ord) order by ord) as in_types,
       pg_catalog.pg_get_function_arguments(p.oid) as argument_types,
       pg_catalog.pg_get_function_result(p.oid) as return_type,
       coalesce('t' = any(p.proargmodes::text[]), false) as returns_table,
       p.prorows > 1 as returns_many_rows,
       p.prorettype in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype) as is_trigger
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = any($1::text[]) and p.prokind = 'f'`;

interface FunctionRow {
  schema: string;
  name: string;
  in_types: string[];
  argument_types: string;
  return_type: string;
  returns_table: boolean;
  returns_many_rows: boolean;
  is_trigger: boolean;
}

/** The key of `functions`: schema, name and the input parameter types as the routine cache spells them. */
export const functionKey = (schema: string, name: string, inTypes: readonly string[]): string => JSON.stringify([schema, name, inTypes]);

const key = (schema: string, name: string): string => JSON.stringify([schema, name]);
/** The key of `updatableViews`. */
export const viewKey = key;

/** Reads the catalog pieces in one read-only transaction with an empty search_path, so type names come out qualified. */
export async function loadTypegenCatalog(client: pg.ClientBase, schemas: readonly string[]): Promise<TypegenCatalog> {
  const params = [[...schemas]];
  await client.query(`begin isolation level repeatable read read only; set local search_path to ''`);
  try {
    const enums = await client.query<{ schema: string; name: string; values: string[] }>(ENUMS_SQL);
    const composites = await client.query<CompositeType>(COMPOSITES_SQL, params);
    const views = await client.query<{ schema: string; name: string; columns: string[] }>(UPDATABLE_VIEWS_SQL, params);
    const functions = await client.query<FunctionRow>(FUNCTIONS_SQL, params);
    await client.query('commit');
    const extraOf = (f: FunctionRow): FunctionExtra => ({
      argumentTypes: f.argument_types,
      returnType: f.return_type,
      returnsTable: f.returns_table,
      returnsManyRows: f.returns_many_rows,
    });
    return {
      functions: new Map(functions.rows.map((f) => [functionKey(f.schema, f.name, f.in_types), extraOf(f)])),
      triggerFunctions: functions.rows.filter((f) => f.is_trigger).map((f) => ({ schema: f.schema, name: f.name, ...extraOf(f) })),
      enums: enums.rows,
      compositeTypes: composites.rows,
      updatableViews: new Map(views.rows.map((r) => [key(r.schema, r.name), new Set(r.columns)])),
    };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}
