/**
 * Conversations: one thread with a contact on a channel, worked by the workspace's members.
 * Agents create and work them; admins delete them. Counters and timestamps (unread_count,
 * last_message_at, last_inbound_at, first_response_at) belong to the messages trigger and are not
 * writable through the API; resolved_at and snoozed_until follow the status.
 */

create table public.conversations (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  contact_id uuid not null,
  channel_id uuid not null,
  status text not null default 'open',
  /** Wake-up time of a snoozed conversation; NULL while snoozed means "until the contact writes". */
  snoozed_until timestamptz,
  priority text,
  assignee_id uuid,
  team_id uuid,
  tags text[] not null default '{}',
  subject text,
  unread_count integer not null default 0,
  last_message_at timestamptz,
  /** When the contact last wrote: WhatsApp allows free-form replies for 24 hours after it. */
  last_inbound_at timestamptz,
  ai_enabled boolean not null default true,
  /** AI → human handoff: none, requested (the AI asked for a human), accepted (a human took over). */
  handoff_state text not null default 'none',
  handoff_reason text,
  handoff_at timestamptz,
  first_response_at timestamptz,
  resolved_at timestamptz,
  custom_attributes jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint conversations_pkey primary key (id),
  constraint conversations_workspace_id_id_key unique (workspace_id, id),
  constraint conversations_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint conversations_contact_fkey foreign key (workspace_id, contact_id) references public.contacts (workspace_id, id) on delete cascade,
  constraint conversations_channel_fkey foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete cascade,
  constraint conversations_assignee_fkey foreign key (workspace_id, assignee_id) references public.workspace_members (workspace_id, id) on delete set null (assignee_id),
  constraint conversations_team_fkey foreign key (workspace_id, team_id) references public.teams (workspace_id, id) on delete set null (team_id),
  constraint conversations_status_check check (status in ('open', 'pending', 'resolved', 'snoozed')),
  constraint conversations_priority_check check (priority in ('low', 'medium', 'high', 'urgent')),
  constraint conversations_handoff_state_check check (handoff_state in ('none', 'requested', 'accepted')),
  constraint conversations_snoozed_until_needs_snoozed check (snoozed_until is null or status = 'snoozed'),
  constraint conversations_unread_count_check check (unread_count >= 0),
  constraint conversations_tags_no_nulls check (array_position(tags, null) is null),
  constraint conversations_custom_attributes_object check (jsonb_typeof(custom_attributes) = 'object')
);
comment on table public.conversations is 'A thread with a contact on a channel: status, priority, assignee, team, tags, counters.';

-- The inbox list: a workspace's conversations by status, newest activity first; and the foreign keys.
create index conversations_workspace_status_last_message_idx on public.conversations (workspace_id, status, last_message_at desc nulls last);
create index conversations_workspace_last_message_idx on public.conversations (workspace_id, last_message_at desc nulls last);
create index conversations_workspace_contact_idx on public.conversations (workspace_id, contact_id);
create index conversations_workspace_channel_idx on public.conversations (workspace_id, channel_id);
create index conversations_workspace_assignee_idx on public.conversations (workspace_id, assignee_id) where assignee_id is not null;
create index conversations_workspace_team_idx on public.conversations (workspace_id, team_id) where team_id is not null;
create index conversations_tags_idx on public.conversations using gin (tags);

/** Keeps resolved_at, snoozed_until and handoff_at in step with status and handoff_state. */
create function private.conversation_status_timestamps() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.resolved_at := case when new.status = 'resolved' then now() end;
    if new.status <> 'snoozed' then
      new.snoozed_until := null;
    end if;
  end if;
  if tg_op = 'INSERT' or new.handoff_state is distinct from old.handoff_state then
    new.handoff_at := case when new.handoff_state <> 'none' then now() end;
  end if;
  return new;
end
$$;

create trigger conversations_status_timestamps before insert or update on public.conversations
  for each row execute function private.conversation_status_timestamps();
create trigger conversations_set_updated_at before update on public.conversations
  for each row execute function private.set_updated_at();

-- What a client may write; the counters and timestamps are the triggers'.
revoke insert, update on public.conversations from anon, authenticated;
grant insert (id, workspace_id, contact_id, channel_id, status, snoozed_until, priority, assignee_id, team_id, tags, subject, ai_enabled, custom_attributes)
  on public.conversations to authenticated;
grant update (status, snoozed_until, priority, assignee_id, team_id, tags, subject, ai_enabled, handoff_state, handoff_reason, custom_attributes)
  on public.conversations to authenticated;

create policy "Members can read their workspace's conversations" on public.conversations
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Members can create conversations" on public.conversations
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Members can update their workspace's conversations" on public.conversations
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')))
  with check (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can delete conversations" on public.conversations
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));
