/**
 * What the API roles may reach. As in Supabase, tables in `public` are granted to the API roles and
 * RLS decides row by row; unlike a bare Supabase project, every table created in `public` gets RLS
 * enabled at once (no policy = no rows), so forgetting a policy closes a table instead of opening it.
 * Functions are not executable by PUBLIC by default: each migration grants its functions to the roles
 * that need them. `private` holds secrets and internals and is reachable by no API role.
 */
grant usage on schema public to anon, authenticated, service_role;

alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges revoke execute on functions from public;
alter default privileges in schema public grant execute on functions to service_role;

create schema if not exists private;
revoke all on schema private from public;

create schema if not exists convo;
revoke all on schema convo from public;

/** Enables row level security on every table created in `public`. */
create or replace function convo.enable_rls_on_new_tables() returns event_trigger
language plpgsql
as $$
declare
  obj record;
begin
  for obj in
    select * from pg_event_trigger_ddl_commands()
    where command_tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
      and object_type = 'table' and schema_name = 'public'
  loop
    execute format('alter table %s enable row level security', obj.object_identity);
  end loop;
end
$$;

drop event trigger if exists convo_enable_rls_on_new_tables;
create event trigger convo_enable_rls_on_new_tables on ddl_command_end
  when tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
  execute function convo.enable_rls_on_new_tables();

/** Tells the REST engine's schema cache to reload after any DDL, as PostgREST's recommended event trigger does. */
create or replace function convo.notify_schema_change() returns event_trigger
language plpgsql
as $$
begin
  perform pg_notify('pgrst', 'reload schema');
end
$$;

drop event trigger if exists convo_notify_ddl;
create event trigger convo_notify_ddl on ddl_command_end
  execute function convo.notify_schema_change();

drop event trigger if exists convo_notify_drop;
create event trigger convo_notify_drop on sql_drop
  execute function convo.notify_schema_change();
