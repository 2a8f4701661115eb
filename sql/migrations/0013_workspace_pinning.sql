/**
 * Rows never move between workspaces. A member of two workspaces could otherwise re-home a contact,
 * a team or an automation by updating its workspace_id (RLS checks both sides, and they pass).
 * Tables whose update grants leave workspace_id out (conversations, messages, workspace_members,
 * team_members, invitations) are already pinned; this covers the rest.
 */

/** Refuses a change of workspace_id (22023 → 400). */
create function private.keep_workspace_id() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.workspace_id is distinct from old.workspace_id then
    raise exception 'a % row cannot move to another workspace', tg_table_name
      using errcode = '22023', hint = 'Create it in the other workspace instead.';
  end if;
  return new;
end
$$;

create trigger contacts_keep_workspace_id before update of workspace_id on public.contacts
  for each row execute function private.keep_workspace_id();
create trigger channels_keep_workspace_id before update of workspace_id on public.channels
  for each row execute function private.keep_workspace_id();
create trigger teams_keep_workspace_id before update of workspace_id on public.teams
  for each row execute function private.keep_workspace_id();
create trigger canned_responses_keep_workspace_id before update of workspace_id on public.canned_responses
  for each row execute function private.keep_workspace_id();
create trigger automations_keep_workspace_id before update of workspace_id on public.automations
  for each row execute function private.keep_workspace_id();
