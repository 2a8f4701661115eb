/**
 * analytics(p_workspace_id, days) through supabase-js against a hand-computed fixture (inserted behind the
 * API's back with explicit timestamps), its access rule, and its plans on a generated dataset.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { supabaseClient } from '../helpers/supabase.ts';
import { startProductStack, type ProductStack } from './product-stack.ts';
import { memberId, twoWorkspaces, type User } from './people.ts';

const TZ = 'America/Sao_Paulo'; // UTC−3 all year: local midnight is 03:00 UTC

let stack: ProductStack;
let owner: User;
let admin: User;
let agent: User;
let outsider: User;
let wsA: string;
let wsB: string;
let members: { owner: string; admin: string; agent: string };
/** The workspace's local date today, YYYY-MM-DD. */
let today: string;

/** The local date `daysAgo` days before today. */
function localDate(daysAgo: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - daysAgo)).toISOString().slice(0, 10);
}

/** A local wall-clock time `daysAgo` days before today, as an ISO timestamp with the zone's offset. */
function at(daysAgo: number, time: string): string {
  return `${localDate(daysAgo)}T${time}-03:00`;
}

interface Fixture {
  channelId: string;
  contactId: string;
}

async function channelAndContact(workspaceId: string): Promise<Fixture> {
  const channel = await stack.admin.query(`insert into public.channels (workspace_id, type, name) values ($1, 'webchat', 'Site chat') returning id`, [workspaceId]);
  const contact = await stack.admin.query(`insert into public.contacts (workspace_id, name) values ($1, 'Maria') returning id`, [workspaceId]);
  return { channelId: channel.rows[0].id, contactId: contact.rows[0].id };
}

type Event =
  | { at: string; from: 'contact' }
  | { at: string; from: 'ai' }
  | { at: string; from: 'member'; member: string; note?: boolean };

/**
 * A conversation created at `created`, its messages in order (the messages trigger sets
 * first_response_at), then, if `resolved`, resolved at that time.
 */
async function conversation(
  workspaceId: string,
  fx: Fixture,
  spec: { created: string; assignee?: string; events: Event[]; resolved?: string },
): Promise<string> {
  const { rows } = await stack.admin.query(
    `insert into public.conversations (workspace_id, contact_id, channel_id, assignee_id, created_at) values ($1, $2, $3, $4, $5) returning id`,
    [workspaceId, fx.contactId, fx.channelId, spec.assignee ?? null, spec.created],
  );
  const id = rows[0].id as string;
  for (const e of spec.events) {
    if (e.from === 'contact') {
      await stack.admin.query(
        `insert into public.messages (conversation_id, direction, sender_type, text, created_at) values ($1, 'inbound', 'contact', 'Hello', $2)`,
        [id, e.at],
      );
    } else if (e.from === 'ai') {
      await stack.admin.query(
        `insert into public.messages (conversation_id, direction, sender_type, text, status, created_at) values ($1, 'outbound', 'ai', 'Hi, I am the assistant', 'delivered', $2)`,
        [id, e.at],
      );
    } else {
      await stack.admin.query(
        `insert into public.messages (conversation_id, direction, sender_type, sender_member_id, type, text, status, created_at)
         values ($1, 'outbound', 'agent', $2, $3, 'On it', $4, $5)`,
        [id, e.member, e.note ? 'note' : 'text', e.note ? null : 'delivered', e.at],
      );
    }
  }
  if (spec.resolved) {
    // The status trigger stamps resolved_at with now(); the fixture's time is set afterwards.
    await stack.admin.query(`update public.conversations set status = 'resolved' where id = $1`, [id]);
    await stack.admin.query(`update public.conversations set resolved_at = $2 where id = $1`, [id, spec.resolved]);
  }
  return id;
}

before(async () => {
  stack = await startProductStack();
  ({ owner, admin, agent, outsider, wsA, wsB } = await twoWorkspaces(stack));
  members = { owner: await memberId(stack, wsA, owner.id), admin: await memberId(stack, wsA, admin.id), agent: await memberId(stack, wsA, agent.id) };
  await stack.admin.query(`update public.workspaces set timezone = $2 where id = $1`, [wsA, TZ]);
  for (const [id, name] of [[members.owner, 'Olga'], [members.admin, 'Ana'], [members.agent, 'Bruno']] as const) {
    await stack.admin.query(`update public.workspace_members set display_name = $2 where id = $1`, [id, name]);
  }
  const { rows } = await stack.admin.query(`select to_char((now() at time zone $1)::date, 'YYYY-MM-DD') as today`, [TZ]);
  today = rows[0].today;

  const fx = await channelAndContact(wsA);
  const { admin: ana, agent: bruno } = members;
  // C1, 6 days ago: Bruno answers in 5 minutes, resolved an hour after it opened. Human-handled.
  await conversation(wsA, fx, {
    created: at(6, '10:00:00'),
    assignee: bruno,
    events: [{ at: at(6, '10:00:00'), from: 'contact' }, { at: at(6, '10:05:00'), from: 'member', member: bruno }],
    resolved: at(6, '11:00:00'),
  });
  // C2, 5 days ago: the AI answers in 30 s and again later, resolved after 10 minutes, unassigned. AI-handled.
  await conversation(wsA, fx, {
    created: at(5, '09:00:00'),
    events: [
      { at: at(5, '09:00:00'), from: 'contact' },
      { at: at(5, '09:00:30'), from: 'ai' },
      { at: at(5, '09:02:00'), from: 'contact' },
      { at: at(5, '09:03:00'), from: 'ai' },
    ],
    resolved: at(5, '09:10:00'),
  });
  // C3, 2 days ago at 23:30 local (already the next day in UTC): a note by Ana (not a reply), then her
  // reply 10 minutes after the conversation opened. Still open.
  await conversation(wsA, fx, {
    created: at(2, '23:30:00'),
    assignee: ana,
    events: [
      { at: at(2, '23:30:00'), from: 'contact' },
      { at: at(2, '23:31:00'), from: 'member', member: ana, note: true },
      { at: at(2, '23:40:00'), from: 'member', member: ana },
    ],
  });
  // C4, yesterday: the AI answers in a minute, Bruno takes over; resolved today at 00:30 (16.5 hours). Human-handled.
  await conversation(wsA, fx, {
    created: at(1, '08:00:00'),
    assignee: bruno,
    events: [
      { at: at(1, '08:00:00'), from: 'contact' },
      { at: at(1, '08:01:00'), from: 'ai' },
      { at: at(1, '08:20:00'), from: 'member', member: bruno },
    ],
    resolved: at(0, '00:30:00'),
  });
  // C5, today: nobody answers; Ana resolves it an hour later. Unanswered.
  await conversation(wsA, fx, {
    created: at(0, '01:00:00'),
    assignee: ana,
    events: [{ at: at(0, '01:00:00'), from: 'contact' }],
    resolved: at(0, '02:00:00'),
  });
  // C6, opened one second before the 7-day window (local time) and answered by Bruno 31 s later, inside it:
  // its first response and his reply count, its creation and the inbound message do not.
  await conversation(wsA, fx, {
    created: at(7, '23:59:59'),
    assignee: bruno,
    events: [{ at: at(7, '23:59:59'), from: 'contact' }, { at: at(6, '00:00:30'), from: 'member', member: bruno }],
  });

  // Workspace B has the same kind of traffic at the same times; none of it may leak into A's figures.
  const fxB = await channelAndContact(wsB);
  const outsiderMember = await memberId(stack, wsB, outsider.id);
  await conversation(wsB, fxB, {
    created: at(1, '10:00:00'),
    assignee: outsiderMember,
    events: [{ at: at(1, '10:00:00'), from: 'contact' }, { at: at(1, '10:01:00'), from: 'member', member: outsiderMember }],
    resolved: at(1, '10:02:00'),
  });
});

after(() => stack?.stop());

test('analytics over 7 days matches the hand-computed figures, bucketed by local day in the workspace time zone', async () => {
  const { data, error, status } = await agent.client.rpc('analytics', { p_workspace_id: wsA, days: 7 });
  assert.equal(error, null, JSON.stringify(error));
  assert.equal(status, 200);
  const day = (daysAgo: number, f: Partial<Record<string, number | null>> = {}) => ({
    date: localDate(daysAgo),
    conversations_created: 0,
    inbound_messages: 0,
    outbound_messages: 0,
    resolutions: 0,
    avg_first_response_seconds: null,
    ...f,
  });
  assert.deepEqual(data, {
    workspace_id: wsA,
    timezone: TZ,
    days: 7,
    from: localDate(6),
    to: localDate(0),
    // C1–C5 (C6 was created before the window).
    conversations_created: 5,
    // C1 1, C2 2, C3 1, C4 1, C5 1 (C6's came before the window).
    inbound_messages: 6,
    // C1 1, C2 2, C3 1 (the note is not a message to the contact), C4 2, C6 1.
    outbound_messages: 7,
    // C1 300 s, C2 30 s, C3 600 s, C4 60 s, C6 31 s: 1021 / 5.
    first_responses: 5,
    avg_first_response_seconds: 204.2,
    // C1 3600 s, C2 600 s, C4 59400 s, C5 3600 s: 67200 / 4.
    resolutions: 4,
    avg_resolution_seconds: 16800,
    ai_handled: 1, // C2
    human_handled: 2, // C1, C4 (the AI answered C4 first)
    unanswered: 1, // C5
    per_day: [
      // C1 opened and resolved; Bruno's replies to C1 and C6; first responses 300 s and 31 s.
      day(6, { conversations_created: 1, inbound_messages: 1, outbound_messages: 2, resolutions: 1, avg_first_response_seconds: 165.5 }),
      day(5, { conversations_created: 1, inbound_messages: 2, outbound_messages: 2, resolutions: 1, avg_first_response_seconds: 30 }),
      day(4),
      day(3),
      // C3 at 23:30 local counts on its local day, not on the UTC one.
      day(2, { conversations_created: 1, inbound_messages: 1, outbound_messages: 1, avg_first_response_seconds: 600 }),
      day(1, { conversations_created: 1, inbound_messages: 1, outbound_messages: 2, avg_first_response_seconds: 60 }),
      // C4 resolved after midnight, C5 opened and resolved.
      day(0, { conversations_created: 1, inbound_messages: 1, resolutions: 2 }),
    ],
    per_agent: [
      // Ana: C3 and C5 assigned, one reply (C3; the note does not count), C5 resolved, first response C3 600 s.
      { member_id: members.admin, display_name: 'Ana', conversations_assigned: 2, messages_sent: 1, resolutions: 1, avg_first_response_seconds: 600 },
      // Bruno: C1 and C4 assigned (C6 opened before the window), replies in C1, C4, C6, resolutions C1 and C4,
      // first responses C1 300 s and C6 31 s (C4's first response was the AI's).
      { member_id: members.agent, display_name: 'Bruno', conversations_assigned: 2, messages_sent: 3, resolutions: 2, avg_first_response_seconds: 165.5 },
      { member_id: members.owner, display_name: 'Olga', conversations_assigned: 0, messages_sent: 0, resolutions: 0, avg_first_response_seconds: null },
    ],
  });
});

test('analytics over 1 day covers only today; days defaults to 30 and zero-fills every day', async () => {
  const one = await owner.client.rpc('analytics', { p_workspace_id: wsA, days: 1 });
  assert.equal(one.error, null, JSON.stringify(one.error));
  const d = one.data as Record<string, unknown>;
  assert.deepEqual(
    [d.conversations_created, d.inbound_messages, d.outbound_messages, d.resolutions, d.avg_resolution_seconds, d.unanswered, d.human_handled],
    [1, 1, 0, 2, 31500, 1, 1], // C5 opened; C4 (59400 s) and C5 (3600 s) resolved
  );
  const month = await admin.client.rpc('analytics', { p_workspace_id: wsA });
  assert.equal(month.error, null, JSON.stringify(month.error));
  const m = month.data as { days: number; conversations_created: number; per_day: { date: string }[] };
  assert.equal(m.days, 30);
  assert.equal(m.conversations_created, 6, 'C6 is inside a 30-day window');
  assert.deepEqual(m.per_day.map((r) => r.date), Array.from({ length: 30 }, (_, i) => localDate(29 - i)));
});

test("a non-member gets 403 42501 for another workspace's analytics; service_role may read it, anon may not; days outside 1..366 is 400", async () => {
  const theirs = await outsider.client.rpc('analytics', { p_workspace_id: wsA });
  assert.equal(theirs.status, 403);
  assert.equal(theirs.error?.code, '42501');
  assert.equal(theirs.error?.message, 'only members of a workspace can read its analytics');
  assert.equal(theirs.data, null);
  const own = await outsider.client.rpc('analytics', { p_workspace_id: wsB, days: 7 });
  assert.equal(own.error, null);
  assert.equal((own.data as { conversations_created: number }).conversations_created, 1);

  const service = await supabaseClient(stack.url, stack.keys.service_role).rpc('analytics', { p_workspace_id: wsA, days: 7 });
  assert.equal(service.error, null, 'server code with the service key may read any workspace');
  assert.equal((service.data as { conversations_created: number }).conversations_created, 5);

  const anon = await supabaseClient(stack.url, stack.keys.anon).rpc('analytics', { p_workspace_id: wsA });
  assert.notEqual(anon.error, null);
  assert.equal(anon.data, null);

  for (const days of [0, 367]) {
    const bad = await owner.client.rpc('analytics', { p_workspace_id: wsA, days });
    assert.equal(bad.status, 400);
    assert.equal(bad.error?.code, '22023');
  }
});

test('on a generated dataset (20k messages over a year in 10 workspaces) every statement reads conversations and messages through indexes', async () => {
  // Generated behind the API's back with triggers off (session_replication_role = replica), then analyzed.
  const load = new pg.Client({ connectionString: stack.db.url });
  await load.connect();
  try {
    await load.query(`set session_replication_role = replica`);
    await load.query(`
      insert into public.workspaces (id, name, slug, timezone)
      select ('00000000-0000-4000-8000-' || lpad(w::text, 12, '0'))::uuid, 'Gen ' || w, 'gen-' || w, 'Europe/Lisbon'
      from generate_series(1, 10) w`);
    await load.query(`
      insert into public.workspace_members (workspace_id, user_id, role, display_name)
      select w.id, $1, 'agent', 'Gen agent' from public.workspaces w where w.slug like 'gen-%'`, [agent.id]);
    await load.query(`
      insert into public.channels (id, workspace_id, type, name) select w.id, w.id, 'webchat', 'Gen' from public.workspaces w where w.slug like 'gen-%';
      insert into public.contacts (id, workspace_id, name) select w.id, w.id, 'Gen' from public.workspaces w where w.slug like 'gen-%';`);
    // 500 conversations per workspace over the last 365 days; 4 messages each (in, reply by the member or the AI, in, reply).
    await load.query(`
      insert into public.conversations (workspace_id, contact_id, channel_id, assignee_id, status, created_at, first_response_at, resolved_at)
      select w.id, w.id, w.id, m.id, case when i % 3 = 0 then 'resolved' else 'open' end, t, t + interval '2 minutes',
        case when i % 3 = 0 then t + interval '1 hour' end
      from public.workspaces w
      join public.workspace_members m on m.workspace_id = w.id
      cross join generate_series(1, 500) i
      cross join lateral (select now() - (i * interval '17 hours 31 minutes') as t) ts
      where w.slug like 'gen-%'`);
    await load.query(`
      insert into public.messages (workspace_id, conversation_id, channel_id, direction, sender_type, sender_member_id, text, status, created_at)
      select c.workspace_id, c.id, c.channel_id,
        case when k % 2 = 1 then 'inbound' else 'outbound' end,
        case when k % 2 = 1 then 'contact' when c.assignee_id is not null and k = 2 then 'ai' else 'agent' end,
        case when k % 2 = 0 and k <> 2 then c.assignee_id end,
        'message ' || k, case when k % 2 = 0 then 'delivered' end,
        c.created_at + (k - 1) * interval '2 minutes'
      from public.conversations c
      join public.workspaces w on w.id = c.workspace_id and w.slug like 'gen-%'
      cross join generate_series(1, 4) k`);
    const { rows } = await load.query(`select count(*)::int as n from public.messages m join public.workspaces w on w.id = m.workspace_id and w.slug like 'gen-%'`);
    assert.equal(rows[0].n, 20000);
    await load.query(`set session_replication_role = origin`);
    await load.query(`vacuum analyze public.conversations, public.messages, public.workspace_members, public.workspaces`);

    // auto_explain prints the plan of every statement the function runs as a notice to this session.
    const plans: unknown[] = [];
    load.on('notice', (n) => {
      const text = n.message ?? '';
      const json = text.slice(text.indexOf('{'));
      if (text.includes('Plan')) plans.push(JSON.parse(json));
    });
    await load.query(`load 'auto_explain'`);
    await load.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
      set auto_explain.log_format = 'json'; set auto_explain.log_level = 'notice'`);
    await load.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: agent.id, role: 'authenticated' })]);
    const result = await load.query(`select public.analytics('00000000-0000-4000-8000-000000000001', 30) as a`);
    await load.query(`set auto_explain.log_min_duration = -1`);
    assert.ok((result.rows[0].a as { inbound_messages: number }).inbound_messages > 0);

    // Scans of a table name it; index scans (plain, index-only, bitmap) name their index.
    const seqScans: string[] = [];
    const indexes = new Set<string>();
    let tablesRead = 0;
    const walk = (node: Record<string, unknown>) => {
      const relation = node['Relation Name'];
      if (relation === 'messages' || relation === 'conversations') {
        tablesRead++;
        if (node['Node Type'] === 'Seq Scan') seqScans.push(relation);
      }
      if (typeof node['Index Name'] === 'string') indexes.add(node['Index Name']);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    for (const p of plans) walk((p as { Plan: Record<string, unknown> }).Plan);
    // SHOW_PLANS=1 prints the plans, to see which index each statement takes.
    if (process.env.SHOW_PLANS) console.log(JSON.stringify(plans, null, 1));
    assert.ok(tablesRead > 0, 'auto_explain reported the function body');
    assert.deepEqual(seqScans, [], 'no sequential scan of messages or conversations');
    for (const name of [
      'messages_workspace_created_idx',
      'conversations_workspace_created_idx',
      'conversations_workspace_first_response_idx',
      'conversations_workspace_resolved_idx',
    ]) {
      assert.ok(indexes.has(name), `${name} is used (used: ${[...indexes].join(', ')})`);
    }
  } finally {
    await load.end();
  }
});
