/**
 * AI agents: the assistants that answer a workspace's contacts from a knowledge base (0021), hand the
 * conversation to a human when their rules say so, and collect lead-qualification answers. This is the
 * data side only: the worker that writes replies (messages with sender_type 'ai') reads these rows
 * with the service key. Admins manage agents; every member reads them.
 *
 * Errors raised here: 22023 (400) handoff_rules or lead_qualification_fields do not have the documented
 * shape (the message names the path of the first problem, e.g. `handoff_rules.keywords[2]`);
 * 23505 (409) a second active agent on the same channel, or a duplicate name.
 */

create table public.ai_agents (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  name text not null,
  status text not null default 'active',
  /** The channel whose conversations this agent answers; NULL for an agent not yet connected. */
  channel_id uuid,
  /** Who the agent is (tone, name it signs with), e.g. "Ana, friendly receptionist of Clínica Sol". */
  persona text,
  /** What the agent must and must not do: the system prompt the worker sends with every request. */
  instructions text,
  /** true: the agent replies on its own; false: it only suggests replies to the human in the inbox. */
  auto_reply boolean not null default true,
  /**
   * When the AI hands the conversation to a human (conversations.handoff_state becomes 'requested'):
   *   {
   *     "keywords": ["refund", "complaint"],   -- a contact message containing one of them (case-insensitive)
   *     "on_request_human": true,                -- the contact asks for a person
   *     "on_negative_sentiment": false,          -- the contact is upset
   *     "max_ai_turns": 10,                      -- after this many AI replies in a conversation (null: never)
   *     "min_confidence": 0.5,                   -- the model's confidence in its answer falls below (null: never)
   *     "message": "Connecting you with a teammate…"  -- sent to the contact at the handoff (null: nothing)
   *   }
   * Every key is optional; unknown keys are refused.
   */
  handoff_rules jsonb not null default '{"on_request_human": true, "keywords": []}'::jsonb,
  /**
   * The questions the agent works into the conversation to qualify a lead, in order:
   *   [{"key": "budget", "question": "What budget do you have in mind?", "type": "number", "required": true},
   *    {"key": "plan", "question": "Which plan?", "type": "choice", "options": ["Plus", "Pro"]}]
   * key: ^[a-z][a-z0-9_]{0,49}$, unique; type: text | number | email | phone | date | boolean | choice
   * (choice needs 1 to 20 options, the others take none); required defaults to false; at most 20 fields.
   * The answers are stored by the worker in the contact's custom_attributes under each key.
   */
  lead_qualification_fields jsonb not null default '[]'::jsonb,
  /** Model settings: a model name the AI worker knows ('default' lets it choose), sampling temperature, reply length cap. */
  model text not null default 'default',
  temperature numeric(3, 2) not null default 0.3,
  max_output_tokens integer not null default 1024,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint ai_agents_pkey primary key (id),
  constraint ai_agents_workspace_id_id_key unique (workspace_id, id),
  constraint ai_agents_workspace_id_name_key unique (workspace_id, name),
  constraint ai_agents_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint ai_agents_channel_fkey foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete set null (channel_id),
  constraint ai_agents_status_check check (status in ('active', 'paused')),
  constraint ai_agents_name_length check (char_length(name) between 1 and 100),
  constraint ai_agents_persona_length check (char_length(persona) <= 2000),
  constraint ai_agents_instructions_length check (char_length(instructions) <= 20000),
  constraint ai_agents_handoff_rules_object check (jsonb_typeof(handoff_rules) = 'object'),
  constraint ai_agents_lead_qualification_fields_array check (jsonb_typeof(lead_qualification_fields) = 'array'),
  constraint ai_agents_model_format check (model ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$'),
  constraint ai_agents_temperature_range check (temperature between 0 and 2),
  constraint ai_agents_max_output_tokens_range check (max_output_tokens between 1 and 8192)
);
comment on table public.ai_agents is 'AI assistants of a workspace: persona, instructions, channel, handoff rules, lead-qualification fields, model settings.';

-- Serves both foreign keys (workspace, and workspace + channel).
create index ai_agents_workspace_channel_idx on public.ai_agents (workspace_id, channel_id);
/** At most one active agent answers a channel, so an inbound message has one agent to route to. */
create unique index ai_agents_channel_id_active_key on public.ai_agents (channel_id)
  where status = 'active' and channel_id is not null;

create trigger ai_agents_set_updated_at before update on public.ai_agents
  for each row execute function private.set_updated_at();

/** Raises 22023 naming `path` and what was expected there. */
create function private.raise_shape_error(path text, expected text) returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  raise exception '%: %', raise_shape_error.path, raise_shape_error.expected
    using errcode = '22023', hint = 'See the comment on public.ai_agents for the documented shape.';
end
$$;

/** Checks the shape of handoff rules (see public.ai_agents.handoff_rules); raises 22023 with the path of the first problem. */
create function private.check_handoff_rules(rules jsonb) returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  k text;
  v jsonb;
  n numeric;
  i integer;
begin
  for k, v in select e.key, e.value from jsonb_each(rules) e loop
    case k
      when 'keywords' then
        if coalesce(case when jsonb_typeof(v) = 'array' then jsonb_array_length(v) end, 51) > 50 then
          perform private.raise_shape_error('handoff_rules.keywords', 'expected an array of at most 50 strings');
        end if;
        for i in 0 .. jsonb_array_length(v) - 1 loop
          if jsonb_typeof(v -> i) <> 'string' or char_length(btrim(v ->> i)) not between 1 and 100 then
            perform private.raise_shape_error(format('handoff_rules.keywords[%s]', i), 'expected a string of 1 to 100 characters');
          end if;
        end loop;
      when 'on_request_human', 'on_negative_sentiment' then
        if jsonb_typeof(v) <> 'boolean' then
          perform private.raise_shape_error('handoff_rules.' || k, 'expected true or false');
        end if;
      when 'max_ai_turns' then
        n := case when jsonb_typeof(v) = 'number' then v::numeric end;
        if jsonb_typeof(v) <> 'null' and (n is null or n <> trunc(n) or n not between 1 and 100) then
          perform private.raise_shape_error('handoff_rules.max_ai_turns', 'expected an integer from 1 to 100, or null');
        end if;
      when 'min_confidence' then
        n := case when jsonb_typeof(v) = 'number' then v::numeric end;
        if jsonb_typeof(v) <> 'null' and (n is null or n not between 0 and 1) then
          perform private.raise_shape_error('handoff_rules.min_confidence', 'expected a number from 0 to 1, or null');
        end if;
      when 'message' then
        if jsonb_typeof(v) <> 'null' and (jsonb_typeof(v) <> 'string' or char_length(v #>> '{}') not between 1 and 1000) then
          perform private.raise_shape_error('handoff_rules.message', 'expected a string of 1 to 1000 characters, or null');
        end if;
      else
        perform private.raise_shape_error('handoff_rules.' || k,
          'unknown key (expected keywords, on_request_human, on_negative_sentiment, max_ai_turns, min_confidence or message)');
    end case;
  end loop;
end
$$;

/** Checks the shape of lead-qualification fields (see public.ai_agents.lead_qualification_fields); raises 22023 with the path of the first problem. */
create function private.check_lead_qualification_fields(fields jsonb) returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
  field jsonb;
  path text;
  k text;
  v jsonb;
  i integer;
  j integer;
  keys text[] := '{}';
begin
  if jsonb_array_length(fields) > 20 then
    perform private.raise_shape_error('lead_qualification_fields', 'expected at most 20 fields');
  end if;
  for i in 0 .. jsonb_array_length(fields) - 1 loop
    field := fields -> i;
    path := format('lead_qualification_fields[%s]', i);
    if jsonb_typeof(field) <> 'object' then
      perform private.raise_shape_error(path, 'expected an object with key, question and type');
    end if;
    for k, v in select e.key, e.value from jsonb_each(field) e loop
      case k
        when 'key' then
          if jsonb_typeof(v) <> 'string' or (v #>> '{}') !~ '^[a-z][a-z0-9_]{0,49}$' then
            perform private.raise_shape_error(path || '.key', 'expected a lowercase identifier (letters, digits, "_"; at most 50)');
          end if;
          if (v #>> '{}') = any (keys) then
            perform private.raise_shape_error(path || '.key', format('"%s" is used by an earlier field', v #>> '{}'));
          end if;
          keys := keys || (v #>> '{}');
        when 'question' then
          if jsonb_typeof(v) <> 'string' or char_length(btrim(v #>> '{}')) not between 1 and 500 then
            perform private.raise_shape_error(path || '.question', 'expected a string of 1 to 500 characters');
          end if;
        when 'type' then
          if jsonb_typeof(v) <> 'string' or (v #>> '{}') not in ('text', 'number', 'email', 'phone', 'date', 'boolean', 'choice') then
            perform private.raise_shape_error(path || '.type', 'expected text, number, email, phone, date, boolean or choice');
          end if;
        when 'required' then
          if jsonb_typeof(v) <> 'boolean' then
            perform private.raise_shape_error(path || '.required', 'expected true or false');
          end if;
        when 'options' then
          if coalesce(case when jsonb_typeof(v) = 'array' then jsonb_array_length(v) end, 0) not between 1 and 20 then
            perform private.raise_shape_error(path || '.options', 'expected an array of 1 to 20 strings');
          end if;
          for j in 0 .. jsonb_array_length(v) - 1 loop
            if jsonb_typeof(v -> j) <> 'string' or char_length(btrim(v ->> j)) not between 1 and 100 then
              perform private.raise_shape_error(format('%s.options[%s]', path, j), 'expected a string of 1 to 100 characters');
            end if;
          end loop;
        else
          perform private.raise_shape_error(path || '.' || k, 'unknown key (expected key, question, type, required or options)');
      end case;
    end loop;
    foreach k in array array['key', 'question', 'type'] loop
      if not field ? k then
        perform private.raise_shape_error(path || '.' || k, 'missing');
      end if;
    end loop;
    if (field ->> 'type' = 'choice') <> (field ? 'options') then
      perform private.raise_shape_error(path || '.options',
        case when field ? 'options' then 'only fields of type choice take options' else 'a field of type choice needs options' end);
    end if;
  end loop;
end
$$;

/**
 * Validates handoff_rules and lead_qualification_fields on every write. A trigger rather than a check
 * constraint: it can name the path of the problem, and it runs for service_role too without granting
 * anything in `private` (a check constraint calls its function with the writer's privileges).
 */
create function private.validate_ai_agent() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if jsonb_typeof(new.handoff_rules) = 'object' then
    perform private.check_handoff_rules(new.handoff_rules);
  end if;
  if jsonb_typeof(new.lead_qualification_fields) = 'array' then
    perform private.check_lead_qualification_fields(new.lead_qualification_fields);
  end if;
  return new;
end
$$;

create trigger ai_agents_validate before insert or update of handoff_rules, lead_qualification_fields on public.ai_agents
  for each row execute function private.validate_ai_agent();

revoke execute on function
  private.raise_shape_error(text, text),
  private.check_handoff_rules(jsonb),
  private.check_lead_qualification_fields(jsonb),
  private.validate_ai_agent()
  from public;

-- An agent never moves to another workspace.
revoke update on public.ai_agents from anon, authenticated;
grant update (name, status, channel_id, persona, instructions, auto_reply, handoff_rules, lead_qualification_fields, model, temperature, max_output_tokens)
  on public.ai_agents to authenticated;

create policy "Members can read their workspace's AI agents" on public.ai_agents
  for select to authenticated
  using ((select private.is_workspace_member(workspace_id)));

create policy "Admins can create AI agents" on public.ai_agents
  for insert to authenticated
  with check ((select private.has_workspace_role(workspace_id, 'admin')));

create policy "Admins can update AI agents" on public.ai_agents
  for update to authenticated
  using ((select private.has_workspace_role(workspace_id, 'admin')))
  with check ((select private.has_workspace_role(workspace_id, 'admin')));

create policy "Admins can delete AI agents" on public.ai_agents
  for delete to authenticated
  using ((select private.has_workspace_role(workspace_id, 'admin')));
