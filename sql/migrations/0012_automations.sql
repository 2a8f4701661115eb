/**
 * Automations in Chatwoot's model: on an event, if the conditions hold, run the actions. Admins manage
 * them. Rules are validated on write: a bad shape is 22023 (400) whose message starts with the JSON
 * path of the first error (`conditions[0].filter_operator: …`) and whose `details` is that path.
 *
 * They run after commit: the events below enqueue a `run_automations` job (only when the workspace has
 * an active automation for that event), and the worker evaluates conditions and applies actions. The
 * worker applies actions in a transaction that sets `convo.automation_run = 'on'` (set_config(…, true)),
 * and no event is enqueued from such a transaction, so automations cannot trigger themselves or each
 * other in a loop.
 *
 *   conditions: [{"attribute_key": "status", "filter_operator": "equal_to", "values": ["open"], "query_operator": "and"}, …]
 *     query_operator (and|or) joins a condition to the next one; the last one's is ignored.
 *   actions:    [{"action_name": "add_tag", "action_params": ["vip"]}, …]
 */

create table public.automations (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  name text not null,
  description text,
  event_name text not null,
  conditions jsonb not null default '[]'::jsonb,
  actions jsonb not null,
  active boolean not null default true,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint automations_pkey primary key (id),
  constraint automations_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint automations_created_by_fkey foreign key (created_by) references public.profiles (id) on delete set null,
  constraint automations_event_name_check check (event_name in ('conversation_created', 'message_created', 'conversation_updated', 'conversation_resolved')),
  constraint automations_name_length check (char_length(name) between 1 and 200)
);
comment on table public.automations is 'Event → conditions → actions rules (Chatwoot''s automation rules), run by the worker after commit.';
create index automations_workspace_event_idx on public.automations (workspace_id, event_name) where active;
create index automations_workspace_id_idx on public.automations (workspace_id);
create index automations_created_by_idx on public.automations (created_by);

create trigger automations_set_updated_at before update on public.automations
  for each row execute function private.set_updated_at();

/**
 * The first problem with an automation's shape, as {path, message, hint}, or NULL when it is valid.
 * References (assignee, team) must belong to the automation's workspace.
 */
create function private.automation_problem(workspace_id uuid, event_name text, conditions jsonb, actions jsonb)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  conversation_attributes constant text[] := array['status', 'priority', 'channel_id', 'channel_type', 'assignee_id', 'team_id',
    'tags', 'handoff_state', 'contact_name', 'contact_phone', 'contact_email', 'contact_tags'];
  message_attributes constant text[] := array['message_type', 'direction', 'sender_type', 'content'];
  operators constant text[] := array['equal_to', 'not_equal_to', 'contains', 'does_not_contain', 'starts_with', 'is_present', 'is_not_present'];
  action_names constant text[] := array['add_tag', 'assign_agent', 'assign_team', 'set_status', 'set_priority', 'send_message',
    'send_webhook_event', 'trigger_handoff'];
  uuid_format constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  n integer;
  item jsonb;
  path text;
  key text;
  attr text;
  op text;
  vals jsonb;
  val jsonb;
  params jsonb;
  allowed text[];
  j integer;
begin
  if jsonb_typeof(conditions) is distinct from 'array' then
    return jsonb_build_object('path', 'conditions', 'message', 'must be an array');
  end if;
  n := jsonb_array_length(conditions);
  for i in 0 .. n - 1 loop
    item := conditions -> i;
    path := format('conditions[%s]', i);
    if jsonb_typeof(item) <> 'object' then
      return jsonb_build_object('path', path, 'message', 'must be an object');
    end if;
    select k into key from jsonb_object_keys(item) k
    where k not in ('attribute_key', 'filter_operator', 'values', 'query_operator', 'custom_attribute_type') limit 1;
    if key is not null then
      return jsonb_build_object('path', path || '.' || key, 'message', 'unknown key');
    end if;

    attr := item ->> 'attribute_key';
    allowed := conversation_attributes || case when event_name = 'message_created' then message_attributes else '{}'::text[] end;
    if jsonb_typeof(item -> 'attribute_key') is distinct from 'string' then
      return jsonb_build_object('path', path || '.attribute_key', 'message', 'must be a string');
    end if;
    if not (attr = any (allowed) or attr ~ '^custom_attributes\.[A-Za-z0-9_]{1,64}$') then
      return jsonb_build_object('path', path || '.attribute_key', 'message', format('unknown attribute "%s" for event %s', attr, event_name),
        'hint', 'One of: ' || array_to_string(allowed, ', ') || ', or custom_attributes.<key>');
    end if;

    op := item ->> 'filter_operator';
    if jsonb_typeof(item -> 'filter_operator') is distinct from 'string' or not op = any (operators) then
      return jsonb_build_object('path', path || '.filter_operator', 'message', format('unknown operator %s', coalesce((item -> 'filter_operator')::text, 'null')),
        'hint', 'One of: ' || array_to_string(operators, ', '));
    end if;

    vals := item -> 'values';
    if op in ('is_present', 'is_not_present') then
      if vals is not null and jsonb_typeof(vals) <> 'null' and vals <> '[]'::jsonb then
        return jsonb_build_object('path', path || '.values', 'message', format('%s takes no values', op));
      end if;
    else
      if jsonb_typeof(vals) is distinct from 'array' or jsonb_array_length(vals) = 0 then
        return jsonb_build_object('path', path || '.values', 'message', 'must be a non-empty array');
      end if;
      allowed := case attr
        when 'status' then array['open', 'pending', 'resolved', 'snoozed']
        when 'priority' then array['low', 'medium', 'high', 'urgent']
        when 'channel_type' then array['whatsapp', 'webchat', 'email', 'sms', 'api']
        when 'handoff_state' then array['none', 'requested', 'accepted']
        when 'message_type' then array['text', 'image', 'audio', 'video', 'document', 'location', 'interactive', 'template', 'reaction']
        when 'direction' then array['inbound', 'outbound']
        when 'sender_type' then array['contact', 'agent', 'ai', 'system']
      end;
      for j in 0 .. jsonb_array_length(vals) - 1 loop
        val := vals -> j;
        if jsonb_typeof(val) not in ('string', 'number', 'boolean') then
          return jsonb_build_object('path', format('%s.values[%s]', path, j), 'message', 'must be a string, number or boolean');
        end if;
        if allowed is not null and not (val #>> '{}') = any (allowed) then
          return jsonb_build_object('path', format('%s.values[%s]', path, j), 'message', format('%s is not a %s', val::text, attr),
            'hint', 'One of: ' || array_to_string(allowed, ', '));
        end if;
      end loop;
    end if;

    if i < n - 1 and (item ->> 'query_operator') is distinct from 'and' and (item ->> 'query_operator') is distinct from 'or' then
      return jsonb_build_object('path', path || '.query_operator', 'message', 'must be "and" or "or" (it joins this condition to the next)');
    end if;
  end loop;

  if jsonb_typeof(actions) is distinct from 'array' or jsonb_array_length(actions) = 0 then
    return jsonb_build_object('path', 'actions', 'message', 'must be a non-empty array');
  end if;
  for i in 0 .. jsonb_array_length(actions) - 1 loop
    item := actions -> i;
    path := format('actions[%s]', i);
    if jsonb_typeof(item) <> 'object' then
      return jsonb_build_object('path', path, 'message', 'must be an object');
    end if;
    select k into key from jsonb_object_keys(item) k where k not in ('action_name', 'action_params') limit 1;
    if key is not null then
      return jsonb_build_object('path', path || '.' || key, 'message', 'unknown key');
    end if;
    if jsonb_typeof(item -> 'action_name') is distinct from 'string' or not (item ->> 'action_name') = any (action_names) then
      return jsonb_build_object('path', path || '.action_name', 'message', format('unknown action %s', coalesce((item -> 'action_name')::text, 'null')),
        'hint', 'One of: ' || array_to_string(action_names, ', '));
    end if;
    params := coalesce(item -> 'action_params', '[]'::jsonb);
    if jsonb_typeof(params) <> 'array' then
      return jsonb_build_object('path', path || '.action_params', 'message', 'must be an array');
    end if;
    for j in 0 .. jsonb_array_length(params) - 1 loop
      if jsonb_typeof(params -> j) <> 'string' then
        return jsonb_build_object('path', format('%s.action_params[%s]', path, j), 'message', 'must be a string');
      end if;
    end loop;

    case item ->> 'action_name'
      when 'add_tag' then
        if jsonb_array_length(params) = 0 then
          return jsonb_build_object('path', path || '.action_params', 'message', 'add_tag takes one or more tags');
        end if;
        for j in 0 .. jsonb_array_length(params) - 1 loop
          if lower(btrim(params ->> j)) !~ '^[[:alnum:]_-]{1,50}$' then
            return jsonb_build_object('path', format('%s.action_params[%s]', path, j), 'message', 'tags are 1 to 50 letters, digits, "_" or "-"');
          end if;
        end loop;
      when 'trigger_handoff' then
        if jsonb_array_length(params) > 1 then
          return jsonb_build_object('path', path || '.action_params', 'message', 'trigger_handoff takes at most one reason');
        end if;
      else
        if jsonb_array_length(params) <> 1 then
          return jsonb_build_object('path', path || '.action_params', 'message', format('%s takes exactly one parameter', item ->> 'action_name'));
        end if;
        val := params -> 0;
        path := path || '.action_params[0]';
        case item ->> 'action_name'
          when 'assign_agent' then
            if (val #>> '{}') !~ uuid_format or not exists (
              select 1 from public.workspace_members m where m.id = (val #>> '{}')::uuid and m.workspace_id = automation_problem.workspace_id
            ) then
              return jsonb_build_object('path', path, 'message', 'not a member of this workspace');
            end if;
          when 'assign_team' then
            if (val #>> '{}') !~ uuid_format or not exists (
              select 1 from public.teams t where t.id = (val #>> '{}')::uuid and t.workspace_id = automation_problem.workspace_id
            ) then
              return jsonb_build_object('path', path, 'message', 'not a team of this workspace');
            end if;
          when 'set_status' then
            if not (val #>> '{}') = any (array['open', 'pending', 'resolved', 'snoozed']) then
              return jsonb_build_object('path', path, 'message', 'must be open, pending, resolved or snoozed');
            end if;
          when 'set_priority' then
            if not (val #>> '{}') = any (array['low', 'medium', 'high', 'urgent']) then
              return jsonb_build_object('path', path, 'message', 'must be low, medium, high or urgent');
            end if;
          when 'send_message' then
            if char_length(val #>> '{}') not between 1 and 4096 then
              return jsonb_build_object('path', path, 'message', 'must be 1 to 4096 characters');
            end if;
          when 'send_webhook_event' then
            if (val #>> '{}') !~ '^https?://[^\s/]+' then
              return jsonb_build_object('path', path, 'message', 'must be an http(s) URL');
            end if;
        end case;
    end case;
  end loop;
  return null;
end
$$;

/** Refuses an automation whose conditions or actions are malformed (22023 → 400, path first). */
create function private.validate_automation() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  problem jsonb := private.automation_problem(new.workspace_id, new.event_name, new.conditions, new.actions);
begin
  if problem is not null then
    raise exception '%: %', problem ->> 'path', problem ->> 'message'
      using errcode = '22023', detail = problem ->> 'path', hint = coalesce(problem ->> 'hint', '');
  end if;
  return new;
end
$$;

create trigger automations_validate before insert or update of workspace_id, event_name, conditions, actions on public.automations
  for each row execute function private.validate_automation();

/** Flips an automation between active and paused; returns it. */
create function public.toggle_automation(automation_id uuid)
returns public.automations
language plpgsql
set search_path = ''
as $$
declare
  result public.automations;
begin
  update public.automations a set active = not a.active
  where a.id = toggle_automation.automation_id
  returning * into result;
  if not found then
    raise exception 'automation not found' using errcode = 'PT404';
  end if;
  return result;
end
$$;

revoke execute on function public.toggle_automation(uuid) from public;
grant execute on function public.toggle_automation(uuid) to authenticated, service_role;

/** Enqueues `run_automations` for an event when the workspace has an active automation for it, unless an automation caused it. */
create function private.enqueue_automation_event(workspace_id uuid, event_name text, conversation_id uuid, message_id uuid, changed text[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if current_setting('convo.automation_run', true) = 'on' then
    return;
  end if;
  if exists (
    select 1 from public.automations a
    where a.workspace_id = enqueue_automation_event.workspace_id and a.event_name = enqueue_automation_event.event_name and a.active
  ) then
    perform graphile_worker.add_job(
      'run_automations',
      json_build_object(
        'event', event_name,
        'workspace_id', workspace_id,
        'conversation_id', conversation_id,
        'message_id', message_id,
        'changed', changed
      ),
      queue_name => 'conversation:' || conversation_id::text || ':automations'
    );
  end if;
end
$$;

/** conversation_created, conversation_updated (a working column changed) and conversation_resolved. */
create function private.conversation_automation_events() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed text[];
begin
  if tg_op = 'INSERT' then
    perform private.enqueue_automation_event(new.workspace_id, 'conversation_created', new.id, null, null);
    return null;
  end if;
  changed := array_remove(array[
    case when new.status is distinct from old.status then 'status' end,
    case when new.priority is distinct from old.priority then 'priority' end,
    case when new.assignee_id is distinct from old.assignee_id then 'assignee_id' end,
    case when new.team_id is distinct from old.team_id then 'team_id' end,
    case when new.tags is distinct from old.tags then 'tags' end,
    case when new.handoff_state is distinct from old.handoff_state then 'handoff_state' end,
    case when new.custom_attributes is distinct from old.custom_attributes then 'custom_attributes' end
  ], null);
  if cardinality(changed) > 0 then
    perform private.enqueue_automation_event(new.workspace_id, 'conversation_updated', new.id, null, changed);
  end if;
  if new.status = 'resolved' and old.status <> 'resolved' then
    perform private.enqueue_automation_event(new.workspace_id, 'conversation_resolved', new.id, null, changed);
  end if;
  return null;
end
$$;

/** message_created, for every message but private notes. */
create function private.message_automation_event() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.type <> 'note' then
    perform private.enqueue_automation_event(new.workspace_id, 'message_created', new.conversation_id, new.id, null);
  end if;
  return null;
end
$$;

create trigger conversations_automation_events after insert or update on public.conversations
  for each row execute function private.conversation_automation_events();
create trigger messages_automation_event after insert on public.messages
  for each row execute function private.message_automation_event();

create policy "Admins can read their workspace's automations" on public.automations
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can create automations" on public.automations
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can update automations" on public.automations
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')))
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can delete automations" on public.automations
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));
