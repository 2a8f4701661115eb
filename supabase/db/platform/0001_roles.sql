/**
 * The four API roles, as in Supabase. Roles are cluster-wide, so each is created only if missing
 * (a `db reset` recreates the database, not the roles).
 *   anon           requests carrying only the anon key
 *   authenticated  requests carrying a user's access token
 *   service_role   server-side code with the service key; bypasses RLS
 *   authenticator  the login role the REST engine connects as; switches to one of the three per request
 */
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

alter role anon nologin noinherit nobypassrls;
alter role authenticated nologin noinherit nobypassrls;
alter role service_role nologin noinherit bypassrls;
alter role authenticator login noinherit nobypassrls;

grant anon, authenticated, service_role to authenticator;

-- Supabase's request timeouts: a runaway query from a client cannot hold a connection for long.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
