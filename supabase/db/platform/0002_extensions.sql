/**
 * Extensions live in their own schema, as in Supabase, and that schema is on every role's
 * search_path. Functions with `set search_path = ''` qualify them: `extensions.similarity(a, b)`.
 */
create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists btree_gist with schema extensions;
create extension if not exists citext with schema extensions;

do $$
begin
  execute format('alter database %I set search_path = "$user", public, extensions', current_database());
end
$$;
