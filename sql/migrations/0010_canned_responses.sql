/**
 * Canned responses: saved replies an agent inserts by typing `/shortcode`. Every member reads them;
 * admins manage them.
 */

create table public.canned_responses (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  short_code text not null,
  content text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint canned_responses_pkey primary key (id),
  constraint canned_responses_workspace_id_short_code_key unique (workspace_id, short_code),
  constraint canned_responses_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint canned_responses_short_code_format check (short_code ~ '^[a-z0-9_-]{1,50}$'),
  constraint canned_responses_content_length check (char_length(content) between 1 and 4096)
);
comment on table public.canned_responses is 'Saved replies, inserted in the composer by their short code.';

create trigger canned_responses_set_updated_at before update on public.canned_responses
  for each row execute function private.set_updated_at();

create policy "Members can read their workspace's canned responses" on public.canned_responses
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can create canned responses" on public.canned_responses
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can update canned responses" on public.canned_responses
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')))
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can delete canned responses" on public.canned_responses
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));
