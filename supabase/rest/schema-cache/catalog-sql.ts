// In charge of the catalog queries behind the schema cache: each takes the exposed schemas as `$1` (text[]) and runs with an empty search_path, so every type and expression comes out schema-qualified.

/** Views of the exposed schemas and, recursively, the views and materialized views they read from (wherever they live). */
const REACHABLE_VIEWS = `
  reachable_views(oid) as (
    select c.oid
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('v', 'm') and n.nspname = any($1::text[])
    union
    select d.refobjid
    from reachable_views v
    join pg_catalog.pg_rewrite r on r.ev_class = v.oid
    join pg_catalog.pg_depend d
      on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid = r.oid
     and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.refobjid <> v.oid
    join pg_catalog.pg_class ref on ref.oid = d.refobjid and ref.relkind in ('v', 'm')
  )`;

/** Domains and the non-domain type at the bottom of each. */
const DOMAIN_BASES = `
  domain_chain(oid, base) as (
    select t.oid, t.typbasetype from pg_catalog.pg_type t where t.typtype = 'd'
    union all
    select d.oid, t.typbasetype
    from domain_chain d
    join pg_catalog.pg_type t on t.oid = d.base and t.typtype = 'd'
  ),
  domain_bases as (
    select d.oid, d.base
    from domain_chain d
    join pg_catalog.pg_type b on b.oid = d.base
    where b.typtype <> 'd'
  )`;

/** Tables, views, materialized views and foreign tables (not partitions) with their primary key and columns. */
export const RELATIONS_SQL = `
with recursive ${DOMAIN_BASES}
select
  c.oid as oid,
  n.nspname as schema,
  c.relname as name,
  c.relkind::text as kind,
  d.description,
  case
    when c.relkind in ('r', 'p') then 28
    when c.relkind in ('v', 'f') then pg_catalog.pg_relation_is_updatable(c.oid::pg_catalog.regclass, true)
    else 0
  end as updatable_mask,
  coalesce(pk.columns, '{}') as primary_key,
  coalesce(cols.columns, '[]') as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_description d
  on d.objoid = c.oid and d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objsubid = 0
left join lateral (
  select array_agg(a.attname::text order by k.ord) as columns
  from pg_catalog.pg_constraint con
  cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
  join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
  where con.conrelid = c.oid and con.contype = 'p'
) pk on true
left join lateral (
  select json_agg(json_build_object(
    'name', a.attname,
    'position', a.attnum,
    'description', cd.description,
    'nullable', not (a.attnotnull or (t.typtype = 'd' and t.typnotnull)),
    'data_type', case
      when t.typtype = 'd' then case
        when bt.typnamespace = 'pg_catalog'::pg_catalog.regnamespace then pg_catalog.format_type(t.typbasetype, null)
        else pg_catalog.format_type(a.atttypid, a.atttypmod)
      end
      when t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace then pg_catalog.format_type(a.atttypid, null)
      else pg_catalog.format_type(a.atttypid, a.atttypmod)
    end,
    'nominal_type', pg_catalog.format_type(a.atttypid, a.atttypmod),
    'base_type', pg_catalog.format_type(coalesce(db.base, a.atttypid), null),
    'max_length', information_schema._pg_char_max_length(
      information_schema._pg_truetypid(a.*, t.*), information_schema._pg_truetypmod(a.*, t.*)),
    'default', case
      when a.attgenerated <> '' then null
      when a.attidentity = 'd' then (
        select pg_catalog.format('nextval(%s)', pg_catalog.quote_literal(sn.nspname || '.' || s.relname))
        from pg_catalog.pg_depend dep
        join pg_catalog.pg_class s on s.oid = dep.objid
        join pg_catalog.pg_namespace sn on sn.oid = s.relnamespace
        where dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and dep.refobjid = a.attrelid
          and dep.refobjsubid = a.attnum and dep.deptype = 'i'
        limit 1)
      else coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), pg_catalog.pg_get_expr(t.typdefaultbin, 0))
    end,
    'enum_values', coalesce((
      select array_agg(e.enumlabel::text order by e.enumsortorder)
      from pg_catalog.pg_enum e where e.enumtypid = coalesce(db.base, a.atttypid)), '{}'),
    'generated', a.attgenerated <> '',
    'identity', a.attidentity::text
  ) order by a.attnum) as columns
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_type t on t.oid = a.atttypid
  left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
  left join domain_bases db on db.oid = a.atttypid
  left join pg_catalog.pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  left join pg_catalog.pg_description cd
    on cd.objoid = a.attrelid and cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass and cd.objsubid = a.attnum
  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
) cols on true
where n.nspname = any($1::text[])
  and c.relkind in ('r', 'v', 'm', 'f', 'p')
  and not c.relispartition
order by n.nspname, c.relname`;

/**
 * Primary and foreign keys that can matter: those on or to a relation of the exposed schemas, or on or to a
 * relation that an exposed view reads from. A foreign key is one-to-one when its columns are exactly the columns
 * of a primary key or unique constraint of its table.
 */
export const KEYS_SQL = `
with recursive ${REACHABLE_VIEWS},
view_sources as (
  select d.refobjid as oid
  from reachable_views v
  join pg_catalog.pg_rewrite r on r.ev_class = v.oid
  join pg_catalog.pg_depend d
    on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid = r.oid
   and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
)
select
  c.contype::text as type,
  c.conname as name,
  c.conrelid as table_oid,
  tn.nspname as table_schema,
  t.relname as table_name,
  c.conkey::int4[] as attnums,
  array(
    select a.attname::text
    from unnest(c.conkey) with ordinality as k(attnum, ord)
    join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
    order by k.ord) as columns,
  c.confrelid as foreign_table_oid,
  fn.nspname as foreign_table_schema,
  f.relname as foreign_table_name,
  coalesce(c.confkey, '{}')::int4[] as foreign_attnums,
  array(
    select a.attname::text
    from unnest(c.confkey) with ordinality as k(attnum, ord)
    join pg_catalog.pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum
    order by k.ord) as foreign_columns,
  c.contype = 'f' and exists (
    select 1
    from pg_catalog.pg_constraint u
    where u.conrelid = c.conrelid and u.contype in ('p', 'u')
      and (select array_agg(x order by x) from unnest(u.conkey) x) = (select array_agg(x order by x) from unnest(c.conkey) x)
  ) as one_to_one
from pg_catalog.pg_constraint c
join pg_catalog.pg_class t on t.oid = c.conrelid
join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
left join pg_catalog.pg_class f on f.oid = c.confrelid
left join pg_catalog.pg_namespace fn on fn.oid = f.relnamespace
where c.contype in ('p', 'f')
  and c.conparentid = 0
  and (
    tn.nspname = any($1::text[]) or fn.nspname = any($1::text[])
    or c.conrelid in (select oid from view_sources) or c.confrelid in (select oid from view_sources)
  )
order by tn.nspname, t.relname, c.conname`;

/** The stored query of every view and materialized view that an exposed view depends on, itself included. */
export const VIEWS_SQL = `
with recursive ${REACHABLE_VIEWS}
select v.oid as oid, r.ev_action::text as definition
from reachable_views v
join pg_catalog.pg_rewrite r on r.ev_class = v.oid and r.rulename = '_RETURN'`;

/**
 * Functions (not procedures, aggregates or window functions, not trigger functions) of the exposed schemas.
 * Argument types come as `regtype` text, per argument of `proallargtypes` (or of `proargtypes` when all are IN).
 * `row_argument_of` names the relation whose row is the one argument (computed fields and relationships);
 * `single_row` says a function returns at most one row (not SETOF, or `ROWS 1`), as PostgREST reads computed relationships.
 */
export const ROUTINES_SQL = `
with recursive ${DOMAIN_BASES}
select
  pn.nspname as schema,
  p.proname as name,
  d.description,
  array(
    select u.type::pg_catalog.regtype::text
    from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as u(type, ord)
    order by u.ord) as arg_types,
  coalesce(p.proargmodes::text[], '{}') as arg_modes,
  coalesce(p.proargnames, '{}') as arg_names,
  p.pronargs::int4 as nargs,
  p.pronargdefaults::int4 as ndefaults,
  p.proretset as set_of,
  not p.proretset or p.prorows = 1 as single_row,
  tn.nspname as type_schema,
  coalesce(comp.relname, t.typname)::text as type_name,
  t.typtype = 'c' or coalesce(p.proargmodes::text[] && '{t,b,o}'::text[], false) as is_composite,
  rt.typtype = 'd' as is_alias,
  coalesce(comp.relkind in ('r', 'v', 'm', 'f', 'p'), false) as returns_relation,
  p.provolatile::text as volatility,
  p.provariadic <> 0 as has_variadic,
  coalesce(p.proconfig, '{}') as config,
  (select array[cn.nspname::text, c.relname::text]
     from pg_catalog.pg_type at
     join pg_catalog.pg_class c on c.oid = at.typrelid and c.relkind in ('r', 'v', 'm', 'f', 'p')
     join pg_catalog.pg_namespace cn on cn.oid = c.relnamespace
    where p.pronargs = 1 and at.oid = p.proargtypes[0]) as row_argument_of
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
join pg_catalog.pg_type rt on rt.oid = p.prorettype
left join domain_bases db on db.oid = rt.oid
join pg_catalog.pg_type t on t.oid = coalesce(db.base, rt.oid)
join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
left join pg_catalog.pg_class comp on comp.oid = t.typrelid
left join pg_catalog.pg_description d
  on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass and d.objsubid = 0
where pn.nspname = any($1::text[])
  and p.prokind = 'f'
  and t.oid not in ('pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype)
order by pn.nspname, p.proname, p.oid`;

/**
 * Settings given to roles with `ALTER ROLE … SET` (for this database or all), which PostgREST applies per
 * request to the role it switches to (`set_config` does not apply them). Only what an ordinary user may set:
 * settings of context `user`, and custom (dotted) ones. Database-specific entries come last, so they win.
 */
export const ROLE_SETTINGS_SQL = `
select r.rolname as role, kv.name, kv.value
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
cross join lateral (
  select split_part(e, '=', 1) as name, substr(e, strpos(e, '=') + 1) as value
  from unnest(s.setconfig) as e
) kv
left join pg_catalog.pg_settings ps on ps.name = kv.name
where s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()))
  and (ps.context = 'user' or (ps.name is null and kv.name like '%.%'))
  and kv.name not in ('search_path', 'role', 'session_authorization')
order by r.rolname, s.setdatabase <> 0`;
