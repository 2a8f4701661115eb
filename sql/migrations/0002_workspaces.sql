/**
 * Tenancy: workspaces, their members (owner > admin > agent), the helpers every policy calls, the
 * `create_workspace` RPC, and the rules that keep a workspace owned.
 *
 * Errors raised here (PostgREST maps them to HTTP):
 *   42501 (403)  the caller's role in the workspace does not allow the change (an admin touching an owner)
 *   PT409 (409)  the change would leave the workspace without an owner
 *   22023 (400)  an argument is not valid (unknown role, bad time zone)
 */

/** A tenant: everything else belongs to exactly one workspace. */
create table public.workspaces (
  id uuid not null default extensions.gen_random_uuid(),
  name text not null,
  slug text not null,
  timezone text not null default 'UTC',
  plan text not null default 'free',
  /** Opening hours per weekday, e.g. {"mon": [{"open": "09:00", "close": "17:00"}], …}; shape checked by the app. */
  business_hours jsonb not null default '{}'::jsonb,
  settings jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workspaces_pkey primary key (id),
  constraint workspaces_slug_key unique (slug),
  constraint workspaces_name_length check (char_length(name) between 1 and 100),
  constraint workspaces_slug_format check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  constraint workspaces_plan_check check (plan in ('free', 'plus', 'pro', 'max', 'ultra')),
  constraint workspaces_business_hours_object check (jsonb_typeof(business_hours) = 'object'),
  constraint workspaces_settings_object check (jsonb_typeof(settings) = 'object'),
  constraint workspaces_created_by_fkey foreign key (created_by) references public.profiles (id) on delete set null
);
comment on table public.workspaces is 'A tenant: a business with its members, channels, contacts and conversations.';
create index workspaces_created_by_idx on public.workspaces (created_by);

/** Refuses a time zone Postgres does not know (a check constraint cannot read pg_timezone_names). */
create function private.check_workspace_timezone() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = new.timezone) then
    raise exception 'unknown time zone "%"', new.timezone
      using errcode = '22023', hint = 'Use an IANA name such as Europe/Lisbon or UTC.';
  end if;
  return new;
end
$$;

create trigger workspaces_check_timezone before insert or update of timezone on public.workspaces
  for each row execute function private.check_workspace_timezone();
create trigger workspaces_set_updated_at before update on public.workspaces
  for each row execute function private.set_updated_at();

-- Workspaces are made by create_workspace; the plan is billing's (service_role) to change.
revoke insert, update on public.workspaces from anon, authenticated;
grant update (name, slug, timezone, business_hours, settings) on public.workspaces to authenticated;

/** A user's membership of a workspace, with their role and their presence in the inbox. */
create table public.workspace_members (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  user_id uuid not null,
  role text not null default 'agent',
  display_name text,
  availability text not null default 'offline',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workspace_members_pkey primary key (id),
  constraint workspace_members_workspace_id_user_id_key unique (workspace_id, user_id),
  /** Lets other tables reference a member of the same workspace only: (workspace_id, member_id). */
  constraint workspace_members_workspace_id_id_key unique (workspace_id, id),
  constraint workspace_members_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint workspace_members_user_id_fkey foreign key (user_id) references public.profiles (id) on delete cascade,
  constraint workspace_members_role_check check (role in ('owner', 'admin', 'agent')),
  constraint workspace_members_availability_check check (availability in ('online', 'busy', 'offline')),
  constraint workspace_members_display_name_length check (char_length(display_name) <= 100)
);
comment on table public.workspace_members is 'Who belongs to which workspace, as owner, admin or agent.';
create index workspace_members_user_id_idx on public.workspace_members (user_id);

create trigger workspace_members_set_updated_at before update on public.workspace_members
  for each row execute function private.set_updated_at();

-- A membership never moves to another workspace or user.
revoke update on public.workspace_members from anon, authenticated;
grant update (role, display_name, availability) on public.workspace_members to authenticated;

/** Orders the roles: agent (1) < admin (2) < owner (3). NULL for anything else. */
create function private.workspace_role_rank(role text) returns integer
language sql
immutable
set search_path = ''
as $$
  select case workspace_role_rank.role when 'agent' then 1 when 'admin' then 2 when 'owner' then 3 end
$$;

/** True when the caller is a member of the workspace, whatever their role. */
create function private.is_workspace_member(workspace_id uuid) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.workspace_members m
    where m.workspace_id = is_workspace_member.workspace_id
      and m.user_id = (select auth.uid())
  )
$$;

/** True when the caller's role in the workspace is `min_role` or above (agent < admin < owner). */
create function private.has_workspace_role(workspace_id uuid, min_role text) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.workspace_members m
    where m.workspace_id = has_workspace_role.workspace_id
      and m.user_id = (select auth.uid())
      and private.workspace_role_rank(m.role) >= private.workspace_role_rank(has_workspace_role.min_role)
  )
$$;

/**
 * The workspaces where the caller's role is `min_role` or above. Policies use it as
 * `workspace_id in (select private.workspace_ids_with_role('agent'))`: the subquery does not depend on
 * the row, so Postgres runs it once per statement and probes a hash, where a per-row
 * `(select private.has_workspace_role(workspace_id, …))` runs once per row (a count over 100k
 * conversations: about 60 ms against 1 s).
 */
create function private.workspace_ids_with_role(min_role text) returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.workspace_id
  from public.workspace_members m
  where m.user_id = (select auth.uid())
    and private.workspace_role_rank(m.role) >= private.workspace_role_rank(workspace_ids_with_role.min_role)
$$;

/** The caller's membership id in the workspace, or NULL. */
create function private.current_member_id(workspace_id uuid) returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.id
  from public.workspace_members m
  where m.workspace_id = current_member_id.workspace_id
    and m.user_id = (select auth.uid())
$$;

/** The user ids of everyone who shares a workspace with the caller (the caller included). */
create function private.teammate_user_ids() returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select distinct them.user_id
  from public.workspace_members me
  join public.workspace_members them on them.workspace_id = me.workspace_id
  where me.user_id = (select auth.uid())
$$;

/**
 * Guards role changes and removals of members, whoever makes them through the API:
 *   * only an owner may make, demote or remove an owner (42501 for an admin);
 *   * only an admin may change a role, and no one their own to a higher one;
 *   * the last owner can be neither demoted nor removed, not even by themself (PT409).
 * Deleting the whole workspace removes its members without these checks.
 */
create function private.guard_workspace_member_change() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  caller_rank integer;
  losing_owner boolean;
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.workspaces w where w.id = old.workspace_id) then
    return old; -- the workspace itself is being deleted
  end if;

  if caller is not null then
    select private.workspace_role_rank(m.role) into caller_rank
    from public.workspace_members m
    where m.workspace_id = old.workspace_id and m.user_id = caller;

    if tg_op = 'UPDATE' and new.role is distinct from old.role then
      if coalesce(caller_rank, 0) < 2 then
        raise exception 'only an admin or an owner can change a member''s role'
          using errcode = '42501';
      end if;
      if (old.role = 'owner' or new.role = 'owner') and coalesce(caller_rank, 0) < 3 then
        raise exception 'only an owner can make or demote an owner'
          using errcode = '42501';
      end if;
    elsif tg_op = 'DELETE' and old.role = 'owner' and old.user_id <> caller and coalesce(caller_rank, 0) < 3 then
      raise exception 'only an owner can remove an owner'
        using errcode = '42501';
    end if;
  end if;

  losing_owner := old.role = 'owner' and (tg_op = 'DELETE' or new.role <> 'owner');
  if losing_owner then
    -- Serialise owner changes per workspace on the workspace row, so two owners leaving at once cannot
    -- both see the other as the remaining owner (the second waits, then sees the first one gone).
    -- NO KEY UPDATE does not block inserts that reference the workspace.
    perform 1 from public.workspaces w where w.id = old.workspace_id for no key update;
    if not exists (
      select 1 from public.workspace_members m
      where m.workspace_id = old.workspace_id and m.role = 'owner' and m.id <> old.id
    ) then
      raise exception 'a workspace must keep at least one owner'
        using errcode = 'PT409',
              hint = 'Make another member an owner first, or delete the workspace.';
    end if;
  end if;

  return case when tg_op = 'DELETE' then old else new end;
end
$$;

create trigger workspace_members_guard_change before update of role or delete on public.workspace_members
  for each row execute function private.guard_workspace_member_change();

/** Only an owner may add an owner; the role check of inserts that RLS cannot express. */
create function private.guard_workspace_member_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.role = 'owner' and (select auth.uid()) is not null
     and not private.has_workspace_role(new.workspace_id, 'owner')
     and exists (select 1 from public.workspace_members m where m.workspace_id = new.workspace_id) then
    raise exception 'only an owner can add an owner' using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger workspace_members_guard_insert before insert on public.workspace_members
  for each row execute function private.guard_workspace_member_insert();

/**
 * Creates a workspace and makes the caller its owner, in one step; returns the new workspace.
 * A taken slug is 23505 (409).
 */
create function public.create_workspace(name text, slug text, timezone text default 'UTC')
returns public.workspaces
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  ws public.workspaces;
begin
  if caller is null then
    raise exception 'sign in to create a workspace' using errcode = '42501';
  end if;
  insert into public.workspaces (name, slug, timezone, created_by)
  values (create_workspace.name, lower(create_workspace.slug), create_workspace.timezone, caller)
  returning * into ws;
  insert into public.workspace_members (workspace_id, user_id, role, display_name)
  select ws.id, caller, 'owner', p.full_name from public.profiles p where p.id = caller;
  return ws;
end
$$;

revoke execute on function public.create_workspace(text, text, text) from public;
grant execute on function public.create_workspace(text, text, text) to authenticated, service_role;

-- Policies call the helpers as the requesting role: it may use the private schema's helpers, nothing else
-- there (no table in `private` is granted to an API role).
grant usage on schema private to authenticated;
revoke execute on all functions in schema private from public;
grant execute on function
  private.workspace_role_rank(text),
  private.is_workspace_member(uuid),
  private.has_workspace_role(uuid, text),
  private.workspace_ids_with_role(text),
  private.current_member_id(uuid),
  private.teammate_user_ids()
  to authenticated;

create policy "Members can read their workspaces" on public.workspaces
  for select to authenticated
  using (id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can update their workspaces" on public.workspaces
  for update to authenticated
  using (id in (select private.workspace_ids_with_role('admin')))
  with check (id in (select private.workspace_ids_with_role('admin')));

create policy "Owners can delete their workspaces" on public.workspaces
  for delete to authenticated
  using (id in (select private.workspace_ids_with_role('owner')));

create policy "Members can read their workspace's members" on public.workspace_members
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can add members to their workspace" on public.workspace_members
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Members can update themselves and admins anyone in their workspace" on public.workspace_members
  for update to authenticated
  using (user_id = (select auth.uid()) or workspace_id in (select private.workspace_ids_with_role('admin')))
  with check (user_id = (select auth.uid()) or workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Members can leave and admins remove members" on public.workspace_members
  for delete to authenticated
  using (user_id = (select auth.uid()) or workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Members can read their teammates' profiles" on public.profiles
  for select to authenticated
  using (id in (select private.teammate_user_ids()));
