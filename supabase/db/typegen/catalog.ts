// In charge of the little type generation needs beyond the REST schema cache: enums (with their labels), composite types (with their attributes) and which view columns can be written.

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
    await client.query('commit');
    return {
      enums: enums.rows,
      compositeTypes: composites.rows,
      updatableViews: new Map(views.rows.map((r) => [key(r.schema, r.name), new Set(r.columns)])),
    };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}
