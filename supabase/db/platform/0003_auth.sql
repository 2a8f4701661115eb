/**
 * The `auth` schema and the helpers every RLS policy uses. They read the claims the REST engine sets
 * transaction-locally in `request.jwt.claims` (and the legacy per-claim `request.jwt.claim.<name>`
 * settings, which win when present), with Supabase's semantics: NULL when there is no caller.
 */
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

/** The caller's user id: the `sub` claim, or NULL. */
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select nullif(
    coalesce(
      current_setting('request.jwt.claim.sub', true),
      nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
    ),
    ''
  )::uuid
$$;

/** The caller's database role claim: anon, authenticated or service_role. */
create or replace function auth.role() returns text
language sql stable
as $$
  select nullif(
    coalesce(
      current_setting('request.jwt.claim.role', true),
      nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
    ),
    ''
  )::text
$$;

/** The caller's email claim, or NULL. */
create or replace function auth.email() returns text
language sql stable
as $$
  select nullif(
    coalesce(
      current_setting('request.jwt.claim.email', true),
      nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
    ),
    ''
  )::text
$$;

/** Every claim of the caller's JWT as jsonb, or NULL. */
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

revoke execute on all functions in schema auth from public;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;
