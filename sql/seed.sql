/**
 * Demo data: the "Convo Demo" workspace, a living inbox to click through after `npm start`.
 *
 * Loaded by `convo db reset` and by the first `convo start` on a new embedded cluster (never with
 * DATABASE_URL or in production), in one transaction after every migration, as the database owner.
 *
 * Users: owner@convo.local, admin@convo.local, agent@convo.local, made as the Auth service makes them
 * (auth.users + an `email` identity, bcrypt `$2a$10$` hashes from pgcrypto). Their password is
 * generated per machine by the CLI and handed over in the `convo.seed_password` setting; `convo start`
 * prints it (it is kept in `.convo/demo-users.json`). Run by hand without that setting, the users get
 * a random password nobody knows: set one with the Auth admin API.
 *
 * Mia, an AI agent on the WhatsApp channel, answers from three knowledge documents (shipping, returns, hours).
 *
 * Times are relative to now(): the inbox looks alive whenever the seed runs, and Tom Baker's
 * conversation sits outside WhatsApp's 24-hour window (free-form replies are refused there).
 */

-- Nothing the seed writes is an automation event: the demo automations are created last, and this
-- transaction enqueues no run_automations job either way.
select set_config('convo.automation_run', 'on', true);

do $seed$
declare
  password text := coalesce(nullif(current_setting('convo.seed_password', true), ''),
                            encode(extensions.gen_random_bytes(18), 'base64'));
  owner_id uuid := extensions.gen_random_uuid();
  admin_id uuid := extensions.gen_random_uuid();
  agent_id uuid := extensions.gen_random_uuid();
  ws uuid;
  owner_m uuid;
  admin_m uuid;
  agent_m uuid;
  support uuid;
  wa uuid;
  u record;
  c record;
  ct jsonb := '{}'::jsonb;
  cv jsonb := '{}'::jsonb;
  conv uuid;
begin
  -- Users, as the Auth service writes them (supabase/auth/users.ts insertUser).
  for u in
    select * from (values
      (owner_id, 'owner@convo.local', 'Olivia Owner'),
      (admin_id, 'admin@convo.local', 'Adam Admin'),
      (agent_id, 'agent@convo.local', 'Ada Agent')
    ) v(id, email, full_name)
  loop
    insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
    values (u.id, 'authenticated', 'authenticated', u.email, extensions.crypt(password, extensions.gen_salt('bf', 10)), now(),
            '{"provider": "email", "providers": ["email"]}',
            jsonb_build_object('full_name', u.full_name, 'sub', u.id, 'email', u.email, 'email_verified', true, 'phone_verified', false));
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
    values (u.id::text, u.id, jsonb_build_object('sub', u.id, 'email', u.email, 'email_verified', true, 'phone_verified', false), 'email', now());
  end loop;

  insert into public.workspaces (name, slug, timezone, plan, created_by, business_hours)
  values ('Convo Demo', 'convo-demo', 'Europe/Berlin', 'pro', owner_id,
          '{"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"], "thu": ["09:00", "18:00"], "fri": ["09:00", "17:00"]}')
  returning id into ws;
  insert into public.workspace_members (workspace_id, user_id, role, display_name, availability) values (ws, owner_id, 'owner', 'Olivia', 'offline') returning id into owner_m;
  insert into public.workspace_members (workspace_id, user_id, role, display_name, availability) values (ws, admin_id, 'admin', 'Adam', 'busy') returning id into admin_m;
  insert into public.workspace_members (workspace_id, user_id, role, display_name, availability) values (ws, agent_id, 'agent', 'Ada', 'online') returning id into agent_m;
  insert into public.teams (workspace_id, name, description) values (ws, 'Support', 'Orders, shipping and returns') returning id into support;
  insert into public.team_members (workspace_id, team_id, member_id) values (ws, support, agent_m), (ws, support, admin_m);

  -- Test mode: the sender marks messages sent without calling Meta.
  insert into public.channels (workspace_id, type, name, phone_number, phone_number_id, status, test_mode)
  values (ws, 'whatsapp', 'WhatsApp (test)', '+15550100000', '100000000000001', 'active', true)
  returning id into wa;

  for c in
    select * from (values
      ('maria',  'Maria Garcia',  '+15550100101', 'maria.garcia@example.com', array['returning'],   '{"city": "Austin"}'),
      ('james',  'James Chen',    '+15550100102', 'james.chen@example.com',   array['b2b'],         '{"company": "Chen Logistics"}'),
      ('aisha',  'Aisha Khan',    '+15550100103', null,                       '{}'::text[],         '{}'),
      ('lukas',  'Lukas Müller',  '+4915550100104', 'lukas@example.de',       array['returning'],   '{"language": "de"}'),
      ('sofia',  'Sofia Rossi',   '+393550100105', 'sofia.rossi@example.it',  '{}'::text[],         '{"language": "it"}'),
      ('tom',    'Tom Baker',     '+15550100106', null,                       '{}'::text[],         '{}'),
      ('priya',  'Priya Patel',   '+15550100107', 'priya@example.com',        array['lead'],        '{"interest": "gift cards"}'),
      ('diego',  'Diego Alvarez', '+15550100108', 'diego@example.com',        array['vip'],         '{"lifetime_value": 2400}'),
      ('emma',   'Emma Wilson',   '+15550100109', 'emma.wilson@example.com',  array['newsletter'],  '{}'),
      ('noah',   'Noah Kim',      '+15550100110', null,                       '{}'::text[],         '{}')
    ) v(key, name, phone, email, tags, attrs)
  loop
    insert into public.contacts (workspace_id, name, phone, wa_id, email, tags, custom_attributes)
    values (ws, c.name, c.phone, ltrim(c.phone, '+'), c.email, c.tags, c.attrs::jsonb)
    returning jsonb_set(ct, array[c.key], to_jsonb(id)) into ct;
  end loop;

  -- Conversations open first (messages drive their counters), their final state is set at the end.
  for c in
    select * from (values
      ('maria', agent_m, null::uuid, null,     array['booking']),
      ('james', null,    support,    'high',   array['order', 'shipping']),
      ('aisha', agent_m, support,    null,     array['returns']),
      ('lukas', agent_m, null,       null,     array['booking']),
      ('sofia', admin_m, null,       'low',    '{}'::text[]),
      ('tom',   agent_m, null,       null,     array['shipping']),
      ('priya', null,    null,       'medium', array['lead']),
      ('diego', admin_m, null,       'urgent', array['vip', 'order'])
    ) v(key, assignee, team, priority, tags)
  loop
    insert into public.conversations (workspace_id, contact_id, channel_id, assignee_id, team_id, priority, tags)
    values (ws, (ct ->> c.key)::uuid, wa, c.assignee, c.team, c.priority, c.tags)
    returning jsonb_set(cv, array[c.key], to_jsonb(id)) into cv;
  end loop;

  -- Messages: (conversation, minutes ago, direction, sender, author, type, text, status).
  insert into public.messages (workspace_id, conversation_id, direction, sender_type, sender_member_id, type, text, status, content, created_at)
  select ws, (cv ->> m.key)::uuid, m.direction, m.sender, m.author, m.type, m.text,
         case when m.direction = 'outbound' and m.type <> 'note' then m.status end,
         case when m.type = 'template' then '{"template": {"name": "order_update", "language": "en"}}'::jsonb else '{}'::jsonb end,
         now() - make_interval(mins => m.ago)
  from (values
    ('maria', 95,   'inbound',  'contact', null::uuid, 'text', 'Hi! Can I book a haircut for Saturday morning?', null),
    ('maria', 90,   'outbound', 'agent',   agent_m,    'text', 'Hi Maria! Saturday we have 10:00 or 11:30 free. Which one suits you?', 'read'),
    ('maria', 12,   'inbound',  'contact', null,       'text', '10:00 works, thank you!', null),
    ('james', 240,  'inbound',  'contact', null,       'text', 'Hello, my order #1042 was supposed to arrive yesterday and the tracking has not moved.', null),
    ('james', 230,  'outbound', 'agent',   admin_m,    'note', 'Checked with the courier: the parcel is stuck in the Memphis hub. Asked them for an ETA.', null),
    ('james', 30,   'inbound',  'contact', null,       'text', 'Any news? I need it for Friday.', null),
    ('aisha', 600,  'inbound',  'contact', null,       'text', 'I would like to return the blue jacket, it is too small.', null),
    ('aisha', 590,  'outbound', 'agent',   agent_m,    'text', 'Sorry about that! Could you send a photo of your receipt so I can start the return?', 'delivered'),
    ('lukas', 1500, 'inbound',  'contact', null,       'text', 'Hallo! Is the appointment on Monday still confirmed?', null),
    ('lukas', 1490, 'outbound', 'agent',   agent_m,    'text', 'Yes, Monday at 14:00 is confirmed. See you then!', 'read'),
    ('lukas', 1480, 'inbound',  'contact', null,       'text', 'Perfect, danke!', null),
    ('sofia', 300,  'inbound',  'contact', null,       'text', 'Do you have the linen shirt in size M again?', null),
    ('sofia', 290,  'outbound', 'agent',   admin_m,    'text', 'Not yet: the next delivery comes in tomorrow. I will write to you as soon as it is in.', 'read'),
    ('tom',   4320, 'inbound',  'contact', null,       'text', 'Do you ship to Canada?', null),
    ('tom',   4300, 'outbound', 'agent',   agent_m,    'text', 'We do! Shipping to Canada takes 5 to 7 business days.', 'read'),
    ('tom',   60,   'outbound', 'agent',   agent_m,    'note', 'He never answered. The 24-hour window is closed: follow up with the order_update template.', null),
    ('priya', 20,   'inbound',  'contact', null,       'text', 'Hi, do you sell gift cards? And what are your opening hours?', null),
    ('priya', 19,   'outbound', 'ai',      null,       'text', 'Hi Priya! Yes, gift cards from $25 are available in store and online. We are open Monday to Friday, 9:00 to 18:00.', 'read'),
    ('priya', 15,   'inbound',  'contact', null,       'text', 'Can I get a discount for 20 cards for my team?', null),
    ('diego', 45,   'inbound',  'contact', null,       'text', 'The espresso machine I bought last week leaks water. I want a refund or a replacement today.', null),
    ('diego', 40,   'outbound', 'agent',   admin_m,    'text', 'I am very sorry, Diego. I am arranging a replacement right now and will confirm the courier slot shortly.', 'sent'),
    ('diego', 5,    'inbound',  'contact', null,       'text', 'Thanks. Please make sure it arrives before the weekend.', null)
  ) m(key, ago, direction, sender, author, type, text, status);

  update public.conversations set status = 'pending' where id = (cv ->> 'aisha')::uuid;
  update public.conversations set status = 'resolved' where id = (cv ->> 'lukas')::uuid;
  update public.conversations set status = 'snoozed', snoozed_until = now() + interval '1 day' where id = (cv ->> 'sofia')::uuid;
  update public.conversations set handoff_state = 'requested', handoff_reason = 'asks for a bulk discount', ai_enabled = false
  where id = (cv ->> 'priya')::uuid;
  update public.conversations set subject = 'Order #1042 late' where id = (cv ->> 'james')::uuid;

  insert into public.canned_responses (workspace_id, short_code, content) values
    (ws, 'hello', 'Hi! Thanks for writing to Convo Demo. How can I help you today?'),
    (ws, 'hours', 'We are open Monday to Friday, 9:00 to 18:00 (Berlin time).'),
    (ws, 'shipping', 'Orders leave our warehouse within one business day; delivery takes 2 to 4 days in the EU and 5 to 7 days to the US and Canada.'),
    (ws, 'receipt', 'Could you send a photo of your receipt? Then I can start the return for you.'),
    (ws, 'thanks', 'Thank you! Is there anything else I can help you with?');

  insert into public.automations (workspace_id, name, description, event_name, conditions, actions, created_by) values
    (ws, 'Flag refund requests', 'Incoming messages that mention a refund get the refund tag and high priority.', 'message_created',
     '[{"attribute_key": "direction", "filter_operator": "equal_to", "values": ["inbound"], "query_operator": "and"},
       {"attribute_key": "content", "filter_operator": "contains", "values": ["refund", "money back"]}]',
     '[{"action_name": "add_tag", "action_params": ["refund"]}, {"action_name": "set_priority", "action_params": ["high"]}]',
     admin_id),
    (ws, 'Urgent conversations go to Adam', 'When a conversation becomes urgent, the admin takes it over with the Support team.', 'conversation_updated',
     '[{"attribute_key": "priority", "filter_operator": "equal_to", "values": ["urgent"]}]',
     jsonb_build_array(jsonb_build_object('action_name', 'assign_agent', 'action_params', jsonb_build_array(admin_m)),
                       jsonb_build_object('action_name', 'assign_team', 'action_params', jsonb_build_array(support))),
     admin_id);

  -- The AI agent of the WhatsApp channel and what it knows (0020, 0021): the documents are split into
  -- searchable chunks by their trigger, so search_knowledge answers straight away.
  declare
    ai uuid;
  begin
    insert into public.ai_agents (workspace_id, name, channel_id, persona, instructions, auto_reply, handoff_rules, lead_qualification_fields)
    values (ws, 'Mia', wa,
            'Mia, the friendly assistant of Convo Demo, an online shop for home goods.',
            'Answer from the knowledge base only. Be brief and warm. Never promise refunds: hand refund requests to a human.',
            true,
            '{"keywords": ["refund", "complaint", "lawyer"], "on_request_human": true, "max_ai_turns": 8, "message": "Let me bring in a teammate who can help with that."}',
            '[{"key": "order_number", "question": "What is your order number?", "type": "text"},
              {"key": "email", "question": "Which email address did you order with?", "type": "email"}]')
    returning id into ai;
    insert into public.knowledge_documents (workspace_id, agent_id, title, doc_type, status, content) values
      (ws, ai, 'Shipping', 'text', 'ready',
       E'Orders leave our warehouse within one business day.\n\nDelivery takes 2 to 4 business days in the EU and 5 to 7 business days to the US and Canada. Every order ships with tracking; the tracking link arrives by email as soon as the parcel leaves.\n\nShipping is free above 50 EUR, otherwise 4.90 EUR.'),
      (ws, ai, 'Returns and refunds', 'faq', 'ready',
       E'Q: Can I return an item?\nA: Yes, within 30 days of delivery, unused and in its original packaging.\n\nQ: How do I start a return?\nA: Send us your order number and a photo of the receipt; we email a prepaid return label.\n\nQ: When do I get my money back?\nA: Refunds reach your original payment method within 5 business days after the return arrives.'),
      (ws, ai, 'Opening hours', 'text', 'ready',
       E'Our team answers Monday to Friday, 9:00 to 18:00 Berlin time. Mia, our assistant, answers around the clock.');
  end;
end
$seed$;
