/**
 * Messages of a conversation. Members read them and write outbound messages and private notes (the
 * trigger makes every message a member writes an outbound one from them); inbound messages and
 * delivery statuses are written by server code (service_role). Messages are never edited or deleted
 * through the API.
 *
 * In the same transaction as the insert:
 *   * the conversation's counters move (last_message_at, last_inbound_at, unread_count, first_response_at);
 *   * an outbound message waiting to be sent (status queued, not a note) gets its delivery job in
 *     graphile-worker: `whatsapp_send` for WhatsApp channels, `<type>_send` for the others.
 * A free-form message to a WhatsApp contact who has not written in 24 hours is refused (PT409);
 * templates are allowed.
 */

create table public.messages (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  conversation_id uuid not null,
  /** The conversation's channel, copied by the trigger: external ids are unique per channel. */
  channel_id uuid not null,
  direction text not null default 'outbound',
  sender_type text not null default 'agent',
  sender_member_id uuid,
  type text not null default 'text',
  text text,
  /** Everything but the text: media ids and captions, location, template name and parameters, interactive payloads, reactions. */
  content jsonb not null default '{}'::jsonb,
  /** The provider's id (WhatsApp's wamid), once sent or received. */
  external_id text,
  /** Delivery status of outbound messages; NULL for inbound messages and notes. */
  status text,
  error_code text,
  error_message text,
  reply_to_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search tsvector generated always as (to_tsvector('simple', coalesce(text, ''))) stored,
  constraint messages_pkey primary key (id),
  constraint messages_workspace_id_id_key unique (workspace_id, id),
  constraint messages_channel_id_external_id_key unique (channel_id, external_id),
  constraint messages_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint messages_conversation_fkey foreign key (workspace_id, conversation_id) references public.conversations (workspace_id, id) on delete cascade,
  constraint messages_channel_fkey foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete cascade,
  constraint messages_sender_member_fkey foreign key (workspace_id, sender_member_id) references public.workspace_members (workspace_id, id) on delete set null (sender_member_id),
  constraint messages_reply_to_fkey foreign key (workspace_id, reply_to_id) references public.messages (workspace_id, id) on delete set null (reply_to_id),
  constraint messages_direction_check check (direction in ('inbound', 'outbound')),
  constraint messages_sender_type_check check (sender_type in ('contact', 'agent', 'ai', 'system')),
  constraint messages_sender_matches_direction check ((direction = 'inbound') = (sender_type = 'contact')),
  constraint messages_type_check check (type in ('text', 'image', 'audio', 'video', 'document', 'location', 'interactive', 'template', 'reaction', 'note')),
  constraint messages_status_check check (status in ('queued', 'sent', 'delivered', 'read', 'failed')),
  constraint messages_note_is_internal check (type <> 'note' or (direction = 'outbound' and status is null)),
  constraint messages_text_needs_text check (type not in ('text', 'note') or coalesce(char_length(text), 0) > 0),
  constraint messages_text_length check (char_length(text) <= 4096),
  constraint messages_content_object check (jsonb_typeof(content) = 'object'),
  /** A template message names its approved template: content.template = {name, language, components?}. */
  constraint messages_template_named check (type <> 'template' or coalesce(jsonb_typeof(content #> '{template,name}') = 'string', false))
);
comment on table public.messages is 'Messages and private notes of a conversation, with their delivery status.';

-- The conversation view (newest first) also serves the conversation foreign key.
create index messages_workspace_conversation_created_idx on public.messages (workspace_id, conversation_id, created_at desc);
create index messages_workspace_channel_idx on public.messages (workspace_id, channel_id);
create index messages_workspace_sender_member_idx on public.messages (workspace_id, sender_member_id) where sender_member_id is not null;
create index messages_workspace_reply_to_idx on public.messages (workspace_id, reply_to_id) where reply_to_id is not null;
create index messages_search_idx on public.messages using gin (search);

create trigger messages_set_updated_at before update on public.messages
  for each row execute function private.set_updated_at();

/**
 * Fills a new message from its conversation and its author, and applies WhatsApp's 24-hour rule.
 * A signed-in member always writes an outbound message as themself: direction, sender, status and
 * external id are not theirs to choose.
 */
create function private.prepare_message() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  conv record;
begin
  select c.workspace_id, c.channel_id, c.last_inbound_at, ch.type as channel_type
  into conv
  from public.conversations c
  join public.channels ch on ch.id = c.channel_id
  where c.id = new.conversation_id;

  if not found or ((select auth.role()) = 'authenticated' and not private.is_workspace_member(conv.workspace_id)) then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  new.workspace_id := conv.workspace_id;
  new.channel_id := conv.channel_id;

  if (select auth.role()) = 'authenticated' then
    new.direction := 'outbound';
    new.sender_type := 'agent';
    new.sender_member_id := private.current_member_id(conv.workspace_id);
    new.external_id := null;
    new.error_code := null;
    new.error_message := null;
    new.status := null;
  end if;
  if new.direction = 'outbound' and new.type <> 'note' and new.status is null then
    new.status := 'queued';
  end if;

  if new.status = 'queued' and new.type not in ('template', 'note') and conv.channel_type = 'whatsapp'
     and (conv.last_inbound_at is null or conv.last_inbound_at < now() - interval '24 hours') then
    raise exception 'the 24-hour customer service window is closed'
      using errcode = 'PT409',
            detail = case when conv.last_inbound_at is null then 'The contact has never written on this channel.'
                          else format('The contact last wrote at %s.', conv.last_inbound_at) end,
            hint = 'Send an approved template message (type "template") to reopen the conversation.';
  end if;
  return new;
end
$$;

create trigger messages_prepare before insert on public.messages
  for each row execute function private.prepare_message();

/** Moves the conversation's counters and enqueues the delivery job of an outbound message. */
create function private.after_message_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  channel_type text;
begin
  update public.conversations c set
    last_message_at = case when new.type = 'note' then c.last_message_at
                           else greatest(c.last_message_at, new.created_at) end,
    last_inbound_at = case when new.direction = 'inbound' then greatest(c.last_inbound_at, new.created_at)
                           else c.last_inbound_at end,
    unread_count = case when new.direction = 'inbound' then c.unread_count + 1
                        when new.sender_type = 'agent' and new.type <> 'note' then 0
                        else c.unread_count end,
    -- A contact writing again reopens a resolved or snoozed conversation.
    status = case when new.direction = 'inbound' and c.status in ('resolved', 'snoozed') then 'open' else c.status end,
    first_response_at = case when c.first_response_at is null and new.direction = 'outbound'
                              and new.sender_type in ('agent', 'ai') and new.type <> 'note'
                             then new.created_at else c.first_response_at end
  where c.id = new.conversation_id;

  if new.direction = 'outbound' and new.type <> 'note' and new.status = 'queued' then
    select ch.type into channel_type from public.channels ch where ch.id = new.channel_id;
    perform graphile_worker.add_job(
      channel_type || '_send',
      json_build_object(
        'message_id', new.id,
        'conversation_id', new.conversation_id,
        'channel_id', new.channel_id,
        'workspace_id', new.workspace_id
      ),
      -- One queue per conversation: its messages leave in the order they were written.
      queue_name => 'conversation:' || new.conversation_id::text,
      max_attempts => 10,
      job_key => 'message:' || new.id::text
    );
  end if;
  return null;
end
$$;

create trigger messages_after_insert after insert on public.messages
  for each row execute function private.after_message_insert();

/**
 * Delivery statuses only move forward (queued → sent → delivered → read; failed from queued or sent).
 * Provider webhooks arrive out of order: a late "delivered" after "read" is ignored, not an error.
 * A failed message may move anywhere (a retry queues it again, a late receipt proves delivery).
 */
create function private.keep_message_status_forward() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  old_rank integer := array_position(array['queued', 'sent', 'delivered', 'read'], old.status);
  new_rank integer := array_position(array['queued', 'sent', 'delivered', 'read'], new.status);
begin
  if new.status is distinct from old.status and old.status is distinct from 'failed' then
    if new.status = 'failed' then
      if old_rank >= 3 then
        new.status := old.status;
      end if;
    elsif new_rank < old_rank then
      new.status := old.status;
    end if;
  end if;
  return new;
end
$$;

create trigger messages_keep_status_forward before update of status on public.messages
  for each row execute function private.keep_message_status_forward();

revoke insert, update, delete on public.messages from anon, authenticated;
grant insert (id, workspace_id, conversation_id, type, text, content, reply_to_id) on public.messages to authenticated;

create policy "Members can read their workspace's messages" on public.messages
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Members can write messages in their workspace's conversations" on public.messages
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('agent')) and direction = 'outbound' and sender_type = 'agent');
