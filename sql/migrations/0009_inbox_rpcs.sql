/**
 * The inbox's verbs as RPCs (`POST /rest/v1/rpc/<name>`). Those that only do what the caller could do
 * with RLS run as the caller (security invoker); the others check membership themselves.
 *
 * Errors: PT404 (404) the conversation or contact does not exist or is not the caller's;
 * 22023 (400) an argument is not valid; 42501 (403) the caller's role does not allow it;
 * PT409 (409) WhatsApp's 24-hour window is closed (from the messages trigger).
 */

/** Resets the conversation's unread count (opening a conversation in the inbox); returns it. */
create function public.mark_conversation_read(conversation_id uuid)
returns public.conversations
language plpgsql
security definer
set search_path = ''
as $$
declare
  conv public.conversations;
begin
  update public.conversations c set unread_count = 0
  where c.id = mark_conversation_read.conversation_id
    and private.is_workspace_member(c.workspace_id)
  returning * into conv;
  if not found then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  return conv;
end
$$;

/** Sets the status (open, pending, resolved, snoozed with an optional wake-up time); returns the conversation. */
create function public.set_conversation_status(conversation_id uuid, status text, snoozed_until timestamptz default null)
returns public.conversations
language plpgsql
set search_path = ''
as $$
declare
  conv public.conversations;
begin
  if set_conversation_status.status not in ('open', 'pending', 'resolved', 'snoozed') then
    raise exception 'unknown status "%"', set_conversation_status.status
      using errcode = '22023', hint = 'Use open, pending, resolved or snoozed.';
  end if;
  if set_conversation_status.snoozed_until is not null and set_conversation_status.status <> 'snoozed' then
    raise exception 'snoozed_until goes with status snoozed' using errcode = '22023';
  end if;
  update public.conversations c
  set status = set_conversation_status.status, snoozed_until = set_conversation_status.snoozed_until
  where c.id = set_conversation_status.conversation_id
  returning * into conv;
  if not found then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  return conv;
end
$$;

/**
 * Assigns the conversation to a member and/or a team of its workspace (NULL unassigns). Assigning a
 * member to a conversation whose AI asked for a human accepts the handoff.
 */
create function public.assign_conversation(conversation_id uuid, assignee_id uuid default null, team_id uuid default null)
returns public.conversations
language plpgsql
set search_path = ''
as $$
declare
  ws uuid;
  conv public.conversations;
begin
  select c.workspace_id into ws from public.conversations c where c.id = assign_conversation.conversation_id;
  if ws is null then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  if assign_conversation.assignee_id is not null and not exists (
    select 1 from public.workspace_members m where m.id = assign_conversation.assignee_id and m.workspace_id = ws
  ) then
    raise exception 'the assignee is not a member of this workspace' using errcode = '22023';
  end if;
  if assign_conversation.team_id is not null and not exists (
    select 1 from public.teams t where t.id = assign_conversation.team_id and t.workspace_id = ws
  ) then
    raise exception 'the team is not a team of this workspace' using errcode = '22023';
  end if;
  update public.conversations c set
    assignee_id = assign_conversation.assignee_id,
    team_id = assign_conversation.team_id,
    handoff_state = case when c.handoff_state = 'requested' and assign_conversation.assignee_id is not null
                         then 'accepted' else c.handoff_state end
  where c.id = assign_conversation.conversation_id
  returning * into conv;
  return conv;
end
$$;

/** A tag as stored: trimmed, lower case, 1 to 50 letters, digits, `_` or `-`. */
create function private.normalize_tag(tag text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  t text := lower(btrim(normalize_tag.tag));
begin
  if t is null or t !~ '^[[:alnum:]_-]{1,50}$' then
    raise exception 'invalid tag "%"', normalize_tag.tag
      using errcode = '22023', hint = 'Tags are 1 to 50 letters, digits, "_" or "-".';
  end if;
  return t;
end
$$;

/** Adds a tag to the conversation (once); returns its tags. */
create function public.add_conversation_tag(conversation_id uuid, tag text)
returns text[]
language plpgsql
set search_path = ''
as $$
declare
  t text := private.normalize_tag(add_conversation_tag.tag);
  result text[];
begin
  update public.conversations c
  set tags = case when t = any (c.tags) then c.tags else c.tags || t end
  where c.id = add_conversation_tag.conversation_id
  returning c.tags into result;
  if not found then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  return result;
end
$$;

/** Removes a tag from the conversation; returns its tags. */
create function public.remove_conversation_tag(conversation_id uuid, tag text)
returns text[]
language plpgsql
set search_path = ''
as $$
declare
  t text := private.normalize_tag(remove_conversation_tag.tag);
  result text[];
begin
  update public.conversations c
  set tags = array_remove(c.tags, t)
  where c.id = remove_conversation_tag.conversation_id
  returning c.tags into result;
  if not found then
    raise exception 'conversation not found' using errcode = 'PT404';
  end if;
  return result;
end
$$;

/**
 * Writes an outbound message (or, with type "note", a private note) as the caller and returns it.
 * The delivery job is enqueued in the same transaction; outside WhatsApp's 24-hour window only
 * templates are accepted (PT409).
 */
create function public.send_message(conversation_id uuid, text text default null, type text default 'text', content jsonb default '{}'::jsonb, reply_to_id uuid default null)
returns public.messages
language sql
set search_path = ''
as $$
  insert into public.messages (conversation_id, type, text, content, reply_to_id)
  values (send_message.conversation_id, send_message.type, send_message.text, coalesce(send_message.content, '{}'::jsonb), send_message.reply_to_id)
  returning *
$$;

/**
 * Merges `source_id` into `target_id` (both contacts of the same workspace): the source's
 * conversations move to the target, its tags and custom attributes are merged (the target's win), the
 * target's empty fields take the source's, and the source is deleted. Returns the merged contact.
 * Agents may merge. When bookings and orders exist they must move here too (they reference contacts).
 */
create function public.merge_contacts(target_id uuid, source_id uuid)
returns public.contacts
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.contacts;
  source public.contacts;
begin
  if merge_contacts.target_id = merge_contacts.source_id then
    raise exception 'a contact cannot be merged into itself' using errcode = '22023';
  end if;
  select * into target from public.contacts c where c.id = merge_contacts.target_id for update;
  select * into source from public.contacts c where c.id = merge_contacts.source_id for update;
  if target.id is null or not private.is_workspace_member(target.workspace_id)
     or source.id is null or not private.is_workspace_member(source.workspace_id) then
    raise exception 'contact not found' using errcode = 'PT404';
  end if;
  if target.workspace_id <> source.workspace_id then
    raise exception 'contacts of different workspaces cannot be merged' using errcode = '22023';
  end if;

  update public.conversations c set contact_id = target.id where c.contact_id = source.id;
  -- Bookings, orders and any later table referencing contacts move here too, once they exist.
  delete from public.contacts c where c.id = source.id;

  update public.contacts c set
    name = coalesce(c.name, source.name),
    phone = coalesce(c.phone, source.phone),
    wa_id = coalesce(c.wa_id, source.wa_id),
    email = coalesce(c.email, source.email),
    avatar_url = coalesce(c.avatar_url, source.avatar_url),
    custom_attributes = source.custom_attributes || c.custom_attributes,
    tags = array(select distinct t from unnest(c.tags || source.tags) t order by t),
    blocked = c.blocked or source.blocked
  where c.id = target.id
  returning * into target;
  return target;
end
$$;

revoke execute on function
  public.mark_conversation_read(uuid),
  public.set_conversation_status(uuid, text, timestamptz),
  public.assign_conversation(uuid, uuid, uuid),
  public.add_conversation_tag(uuid, text),
  public.remove_conversation_tag(uuid, text),
  public.send_message(uuid, text, text, jsonb, uuid),
  public.merge_contacts(uuid, uuid)
  from public;
grant execute on function
  public.mark_conversation_read(uuid),
  public.set_conversation_status(uuid, text, timestamptz),
  public.assign_conversation(uuid, uuid, uuid),
  public.add_conversation_tag(uuid, text),
  public.remove_conversation_tag(uuid, text),
  public.send_message(uuid, text, text, jsonb, uuid),
  public.merge_contacts(uuid, uuid)
  to authenticated, service_role;
grant execute on function private.normalize_tag(text) to authenticated;
