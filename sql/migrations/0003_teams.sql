/**
 * Teams: named groups of members (Sales, Support) that conversations can be routed to. Admins manage
 * them; every member can read them.
 */

create table public.teams (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  name text not null,
  description text,
  /** Whether automatic assignment may pick members of this team (round robin, later). */
  allow_auto_assign boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint teams_pkey primary key (id),
  constraint teams_workspace_id_name_key unique (workspace_id, name),
  constraint teams_workspace_id_id_key unique (workspace_id, id),
  constraint teams_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint teams_name_length check (char_length(name) between 1 and 100)
);
comment on table public.teams is 'Named groups of members that conversations can be assigned to.';

create trigger teams_set_updated_at before update on public.teams
  for each row execute function private.set_updated_at();

/** A member's place in a team; both sides belong to the same workspace (composite foreign keys). */
create table public.team_members (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  team_id uuid not null,
  member_id uuid not null,
  created_at timestamptz not null default now(),
  constraint team_members_pkey primary key (id),
  constraint team_members_team_id_member_id_key unique (team_id, member_id),
  constraint team_members_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint team_members_team_fkey foreign key (workspace_id, team_id) references public.teams (workspace_id, id) on delete cascade,
  constraint team_members_member_fkey foreign key (workspace_id, member_id) references public.workspace_members (workspace_id, id) on delete cascade
);
comment on table public.team_members is 'Which members belong to which team.';
create index team_members_workspace_id_team_id_idx on public.team_members (workspace_id, team_id);
create index team_members_workspace_id_member_id_idx on public.team_members (workspace_id, member_id);

revoke update on public.team_members from anon, authenticated;

create policy "Members can read their workspace's teams" on public.teams
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can create teams" on public.teams
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can update teams" on public.teams
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')))
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can delete teams" on public.teams
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Members can read their workspace's team members" on public.team_members
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can add team members" on public.team_members
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can remove team members" on public.team_members
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));
