// In charge of asking the database, as the caller's role, which tables, views and functions of a schema that role can reach (PostgREST's accessibleTables, accessibleFuncs and schemaDescription, in one statement).

import { z } from 'zod';
import type { Row, Statement } from '../execute.ts';

/** What the role may do with one table, view, materialized view or foreign table. */
export interface RelationAccess {
  readonly name: string;
  readonly select: boolean;
  readonly insert: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

/** A function the role may execute: its name and input argument types (`regtype` text as the schema cache spells it). */
export interface FunctionAccess {
  readonly name: string;
  readonly args: readonly string[];
}

export interface Accessible {
  /** Tables, views, materialized views and foreign tables, sorted by name. */
  readonly tables: readonly RelationAccess[];
  readonly functions: readonly FunctionAccess[];
  /** `comment on schema`, which the schema cache does not keep. */
  readonly schemaDescription: string | null;
}

/**
 * A type as `regtype` prints it with an empty search_path (how the schema cache reads parameter types), whatever
 * the session's search_path: built-in types by their SQL name, others schema-qualified, arrays with `[]`.
 */
const TYPE_TEXT = `(
  select case
    when t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace then pg_catalog.format_type(t.oid, null)
    when e.oid is not null then
      case
        when e.typnamespace = 'pg_catalog'::pg_catalog.regnamespace then pg_catalog.format_type(e.oid, null)
        else pg_catalog.quote_ident(en.nspname) || '.' || pg_catalog.quote_ident(e.typname)
      end || '[]'
    else pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(t.typname)
  end
  from pg_catalog.pg_type t
  join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
  left join pg_catalog.pg_type e
    on e.oid = t.typelem and t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc
  left join pg_catalog.pg_namespace en on en.oid = e.typnamespace
  where t.oid = arg.type)`;

/**
 * Relations: as PostgREST, any table privilege, any column privilege or membership in the owner role makes a relation
 * reachable; the four flags say which requests the role may make (a column privilege is enough for SELECT, INSERT and
 * UPDATE). Functions: those it may EXECUTE (`prokind = 'f'`, as the schema cache reads them).
 */
const TEXT = `
with relations as (
  select
    c.relname::text as name,
    pg_catalog.has_table_privilege(c.oid, 'SELECT') or pg_catalog.has_any_column_privilege(c.oid, 'SELECT') as "select",
    pg_catalog.has_table_privilege(c.oid, 'INSERT') or pg_catalog.has_any_column_privilege(c.oid, 'INSERT') as "insert",
    pg_catalog.has_table_privilege(c.oid, 'UPDATE') or pg_catalog.has_any_column_privilege(c.oid, 'UPDATE') as "update",
    pg_catalog.has_table_privilege(c.oid, 'DELETE') as "delete"
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname = $1::text
    and c.relkind in ('r', 'v', 'm', 'f', 'p')
    and not c.relispartition
    and (
      pg_catalog.pg_has_role(c.relowner, 'USAGE')
      or pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
      or pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
    )
),
functions as (
  select
    p.proname::text as name,
    array(
      select ${TYPE_TEXT}
      from pg_catalog.unnest(p.proargtypes::oid[]) with ordinality as arg(type, ord)
      order by arg.ord
    ) as args
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname = $1::text
    and p.prokind = 'f'
    and pg_catalog.has_function_privilege(p.oid, 'EXECUTE')
)
select pg_catalog.json_build_object(
  'tables', coalesce((select pg_catalog.json_agg(r order by r.name) from relations r), '[]'),
  'functions', coalesce((select pg_catalog.json_agg(f order by f.name, f.args) from functions f), '[]'),
  'schemaDescription', (
    select d.description
    from pg_catalog.pg_namespace n
    join pg_catalog.pg_description d
      on d.objoid = n.oid and d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass and d.objsubid = 0
    where n.nspname = $1::text)
)::text as accessible`;

/** One statement, run as the caller's role, whose single row (column `accessible`, JSON text) `parseAccessible` reads. */
export function accessibleStatement(schema: string): Statement {
  return { text: TEXT, values: [schema] };
}

const AccessibleJson = z.object({
  tables: z.array(z.object({ name: z.string(), select: z.boolean(), insert: z.boolean(), update: z.boolean(), delete: z.boolean() })),
  functions: z.array(z.object({ name: z.string(), args: z.array(z.string()) })),
  schemaDescription: z.string().nullable(),
});

/** Reads the row of `accessibleStatement`; throws when it is not that row (a programming error, not a request error). */
export function parseAccessible(rows: readonly Row[]): Accessible {
  const text = rows[0]?.['accessible'];
  if (rows.length !== 1 || typeof text !== 'string') throw new Error('accessibleStatement must return exactly one row with an `accessible` column');
  return AccessibleJson.parse(JSON.parse(text));
}

/** The key `parseAccessible`'s functions and the schema cache's routines are matched by: name and input argument types. */
export const functionKey = (name: string, args: readonly string[]): string => JSON.stringify([name, ...args]);
