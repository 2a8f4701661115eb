/** The automation runner (`run_automations`): events written through supabase-js, a real graphile-worker applying the rules. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { SupabaseClient } from '@supabase/supabase-js';
import { startWorker, type JobWorker } from '../../supabase/worker/index.ts';
import { platformTasks } from '../../supabase/worker/tasks.ts';
import { conditionsHold, type Condition, type Subject } from '../../supabase/worker/tasks/automations/conditions.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startProductStack, type ProductStack } from './product-stack.ts';
import { createWorkspace, join, memberId, signUp, type User } from './people.ts';

let stack: ProductStack;
let worker: JobWorker;
let owner: User;
let agent: User;
let service: SupabaseClient;

before(async () => {
  stack = await startProductStack();
  worker = await startWorker({ url: stack.db.url, tasks: platformTasks, log: pino({ level: 'silent' }), pollInterval: 500 });
  owner = await signUp(stack, 'auto-owner');
  agent = await signUp(stack, 'auto-agent');
  service = supabaseClient(stack.url, stack.keys.service_role);
});

after(async () => {
  await worker?.stop();
  await stack?.stop();
});

let n = 0;

/** A workspace with the agent as a member and one channel of the given type. */
async function workspace(channelType = 'whatsapp') {
  const ws = await createWorkspace(owner, `Auto ${++n}`);
  await join(owner, ws, agent, 'agent');
  const channel = await owner.client.from('channels').insert({ workspace_id: ws, type: channelType, name: `${channelType} ${n}` }).select('id').single();
  assert.equal(channel.error, null, JSON.stringify(channel.error));
  return { ws, channelId: channel.data!.id as string, agentMember: await memberId(stack, ws, agent.id) };
}

async function automation(ws: string, body: Record<string, unknown>): Promise<string> {
  const res = await owner.client.from('automations').insert({ workspace_id: ws, name: `rule ${++n}`, conditions: [], ...body }).select('id').single();
  assert.equal(res.error, null, JSON.stringify(res.error));
  return res.data!.id as string;
}

/** A contact and a conversation with them, written by the agent as the inbox app would. */
async function conversation(ws: string, channelId: string, contact: Record<string, unknown> = {}, fields: Record<string, unknown> = {}): Promise<string> {
  const c = await agent.client.from('contacts').insert({ workspace_id: ws, name: `Contact ${++n}`, phone: `+1444${String(1000000 + n).slice(-7)}`, ...contact }).select('id').single();
  assert.equal(c.error, null, JSON.stringify(c.error));
  const conv = await agent.client.from('conversations').insert({ workspace_id: ws, contact_id: c.data!.id, channel_id: channelId, ...fields }).select('id').single();
  assert.equal(conv.error, null, JSON.stringify(conv.error));
  return conv.data!.id as string;
}

/** The contact writes (inbound messages are written by server code with the service key). */
async function inbound(conversationId: string, text: string): Promise<string> {
  const m = await service.from('messages').insert({ conversation_id: conversationId, direction: 'inbound', sender_type: 'contact', type: 'text', text }).select('id').single();
  assert.equal(m.error, null, JSON.stringify(m.error));
  return m.data!.id as string;
}

async function pendingJobs(conversationId: string): Promise<{ attempts: number; last_error: string | null }[]> {
  const { rows } = await stack.admin.query(
    `select j.attempts, j.last_error from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'run_automations' and j.payload->>'conversation_id' = $1 order by j.id`,
    [conversationId],
  );
  return rows;
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until every run_automations job of the conversation has finished successfully (done jobs are deleted). */
const settled = (conversationId: string) => eventually(`the automations of ${conversationId}`, async () => (await pendingJobs(conversationId)).length === 0);

async function runs(automationId: string): Promise<{ outcome: string; actions: { action_name: string; result: string; reason?: string }[]; error: string | null; attempt: number }[]> {
  const { rows } = await stack.admin.query('select outcome, actions, error, attempt from private.automation_runs where automation_id = $1 order by id', [automationId]);
  return rows;
}

async function conv(id: string) {
  const { data, error } = await agent.client.from('conversations').select('tags, assignee_id, team_id, priority, status, handoff_state, handoff_reason').eq('id', id).single();
  assert.equal(error, null);
  return data!;
}

test('conversation_created: conditions on the channel and the contact decide, and the actions tag, assign and prioritise', async () => {
  const { ws, channelId, agentMember } = await workspace('whatsapp');
  await automation(ws, {
    event_name: 'conversation_created',
    conditions: [
      { attribute_key: 'channel_type', filter_operator: 'equal_to', values: ['whatsapp'], query_operator: 'and' },
      { attribute_key: 'contact_tags', filter_operator: 'contains', values: ['VIP'] },
    ],
    actions: [
      { action_name: 'add_tag', action_params: ['vip', 'priority-lane'] },
      { action_name: 'assign_agent', action_params: [agentMember] },
      { action_name: 'set_priority', action_params: ['high'] },
    ],
  });
  const vip = await conversation(ws, channelId, { tags: ['vip', 'b2b'] }, { tags: ['existing'] });
  const plain = await conversation(ws, channelId, { tags: ['b2b'] });
  await settled(vip);
  await settled(plain);
  assert.deepEqual(await conv(vip), { tags: ['existing', 'vip', 'priority-lane'], assignee_id: agentMember, team_id: null, priority: 'high', status: 'open', handoff_state: 'none', handoff_reason: null });
  assert.deepEqual(await conv(plain), { tags: [], assignee_id: null, team_id: null, priority: null, status: 'open', handoff_state: 'none', handoff_reason: null });
});

test('message_created: "contains" matches the message text case-insensitively; the reply goes out as a queued system message', async () => {
  const { ws, channelId } = await workspace('whatsapp');
  const id = await automation(ws, {
    event_name: 'message_created',
    conditions: [
      { attribute_key: 'content', filter_operator: 'contains', values: ['refund', 'money back'], query_operator: 'and' },
      { attribute_key: 'direction', filter_operator: 'equal_to', values: ['inbound'] },
    ],
    actions: [
      { action_name: 'add_tag', action_params: ['refund'] },
      { action_name: 'send_message', action_params: ['We got your refund request and will answer within a day.'] },
      { action_name: 'trigger_handoff', action_params: ['refund request'] },
    ],
  });
  const c = await conversation(ws, channelId);
  await inbound(c, 'hello there');
  await settled(c);
  assert.deepEqual((await conv(c)).tags, []);
  assert.deepEqual(await runs(id), [], 'conditions did not hold: nothing recorded');

  await inbound(c, 'I want my REFUND please');
  await settled(c);
  const after = await conv(c);
  assert.deepEqual([after.tags, after.handoff_state, after.handoff_reason], [['refund'], 'requested', 'refund request']);
  const { data: messages } = await agent.client.from('messages').select('direction, sender_type, type, text, status, content').eq('conversation_id', c).order('created_at');
  assert.deepEqual(messages!.map((m) => [m.direction, m.sender_type, m.text, m.status]), [
    ['inbound', 'contact', 'hello there', null],
    ['inbound', 'contact', 'I want my REFUND please', null],
    ['outbound', 'system', 'We got your refund request and will answer within a day.', 'queued'],
  ]);
  assert.deepEqual(messages![2]!.content, { automation_id: id });
  const send = await stack.admin.query(
    `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'whatsapp_send' and j.payload->>'conversation_id' = $1`, [c]);
  assert.equal(send.rows[0].n, 1, 'the reply is handed to the WhatsApp sender like any outbound message');
  assert.deepEqual((await runs(id)).map((r) => [r.outcome, r.actions.map((a) => a.result)]), [['applied', ['applied', 'applied', 'applied']]]);
});

test('send_message respects the 24-hour window: outside it the message is skipped with a reason and the other actions apply', async () => {
  const { ws, channelId } = await workspace('whatsapp');
  const id = await automation(ws, {
    event_name: 'conversation_updated',
    actions: [
      { action_name: 'send_message', action_params: ['Are you still there?'] },
      { action_name: 'set_status', action_params: ['pending'] },
    ],
  });
  const c = await conversation(ws, channelId);
  await agent.client.from('conversations').update({ priority: 'low' }).eq('id', c);
  await settled(c);
  assert.equal((await conv(c)).status, 'pending');
  const [run] = await runs(id);
  assert.equal(run!.outcome, 'applied');
  assert.equal(run!.actions[0]!.result, 'skipped');
  assert.match(run!.actions[0]!.reason!, /24-hour/);
  const { count } = await agent.client.from('messages').select('*', { count: 'exact', head: true }).eq('conversation_id', c);
  assert.equal(count, 0);
});

test('query_operator chains conditions with AND before OR, as Chatwoot does', async () => {
  const { ws, channelId } = await workspace('webchat');
  // urgent OR (name starts with "ann" AND status pending)
  await automation(ws, {
    event_name: 'conversation_created',
    conditions: [
      { attribute_key: 'priority', filter_operator: 'equal_to', values: ['urgent'], query_operator: 'or' },
      { attribute_key: 'contact_name', filter_operator: 'starts_with', values: ['ann'], query_operator: 'and' },
      { attribute_key: 'status', filter_operator: 'equal_to', values: ['pending'] },
    ],
    actions: [{ action_name: 'add_tag', action_params: ['matched'] }],
  });
  const urgentBob = await conversation(ws, channelId, { name: 'Bob' }, { priority: 'urgent' });
  const pendingAnna = await conversation(ws, channelId, { name: 'Anna Smith' }, { status: 'pending' });
  const openAnna = await conversation(ws, channelId, { name: 'Annabel' }, { priority: 'low' });
  const pendingBob = await conversation(ws, channelId, { name: 'Bob' }, { status: 'pending' });
  for (const c of [urgentBob, pendingAnna, openAnna, pendingBob]) await settled(c);
  assert.deepEqual(
    await Promise.all([urgentBob, pendingAnna, openAnna, pendingBob].map(async (c) => (await conv(c)).tags)),
    [['matched'], ['matched'], [], []],
  );
});

test('an automation whose actions would fire its own event runs once', async () => {
  const { ws, channelId } = await workspace('webchat');
  const id = await automation(ws, {
    event_name: 'conversation_updated',
    actions: [
      { action_name: 'add_tag', action_params: ['touched'] },
      { action_name: 'set_priority', action_params: ['urgent'] },
      { action_name: 'set_status', action_params: ['pending'] },
    ],
  });
  const c = await conversation(ws, channelId);
  const upd = await agent.client.from('conversations').update({ subject: 'x', tags: ['by-agent'] }).eq('id', c);
  assert.equal(upd.error, null);
  await eventually('the run', async () => (await runs(id)).length === 1);
  await new Promise((r) => setTimeout(r, 1500));
  await settled(c);
  assert.equal((await runs(id)).length, 1, 'its own writes enqueued no further run');
  assert.deepEqual(await conv(c), { tags: ['by-agent', 'touched'], assignee_id: null, team_id: null, priority: 'urgent', status: 'pending', handoff_state: 'none', handoff_reason: null });
});

test('a paused automation does nothing while an active one on the same event runs', async () => {
  const { ws, channelId } = await workspace('webchat');
  const paused = await automation(ws, { event_name: 'conversation_created', actions: [{ action_name: 'add_tag', action_params: ['paused'] }] });
  const active = await automation(ws, { event_name: 'conversation_created', actions: [{ action_name: 'add_tag', action_params: ['active'] }] });
  const toggled = await owner.client.rpc('toggle_automation', { automation_id: paused });
  assert.equal((toggled.data as { active: boolean }).active, false);
  const c = await conversation(ws, channelId);
  await settled(c);
  assert.deepEqual((await conv(c)).tags, ['active']);
  assert.equal((await runs(paused)).length, 0);
  assert.equal((await runs(active)).length, 1);
});

test('a failing action rolls its run back and fails the job; the retry applies only what had failed', async () => {
  const { ws, channelId } = await workspace('webchat');
  const team = await owner.client.from('teams').insert({ workspace_id: ws, name: 'Billing' }).select('id').single();
  assert.equal(team.error, null);
  const teamId = team.data!.id as string;
  const first = await automation(ws, { event_name: 'conversation_created', actions: [{ action_name: 'add_tag', action_params: ['first'] }] });
  const doomed = await automation(ws, {
    event_name: 'conversation_created',
    actions: [{ action_name: 'add_tag', action_params: ['doomed'] }, { action_name: 'assign_team', action_params: [teamId] }],
  });
  // The team goes away after the rule was written: its assign_team action can no longer apply.
  const removed = await owner.client.from('teams').delete().eq('id', teamId);
  assert.equal(removed.error, null);

  const c = await conversation(ws, channelId);
  const [job] = await eventually('the failed attempt', async () => {
    const jobs = await pendingJobs(c);
    return jobs.length === 1 && jobs[0]!.last_error ? jobs : null;
  });
  // Hold the retry (graphile would run it within seconds) while the failure is inspected.
  const reschedule = (runAt: string) => stack.admin.query(
    `select graphile_worker.reschedule_jobs(array(select j.id from graphile_worker._private_jobs j where j.payload->>'conversation_id' = $1), run_at => ${runAt})`,
    [c],
  );
  await reschedule(`now() + interval '1 hour'`);
  assert.match(job!.last_error!, /1 automation\(s\) failed and were rolled back: automation "rule \d+" \(.+\): assign_team: .+ is not a team of this workspace/);
  assert.deepEqual((await conv(c)).tags, ['first'], 'the failed run left nothing behind (no "doomed" tag)');
  assert.deepEqual((await runs(first)).map((r) => r.outcome), ['applied']);
  const failed = await runs(doomed);
  assert.deepEqual(failed.map((r) => [r.outcome, r.attempt]), [['failed', 1]]);
  assert.match(failed[0]!.error!, /not a team of this workspace/);

  // The team comes back (same id); the retry, brought forward, applies the failed rule only.
  await stack.admin.query(`insert into public.teams (id, workspace_id, name) values ($1, $2, 'Billing')`, [teamId, ws]);
  await reschedule('now()');
  await settled(c);
  const after = await conv(c);
  assert.deepEqual([after.tags, after.team_id], [['first', 'doomed'], teamId]);
  assert.deepEqual((await runs(first)).map((r) => r.outcome), ['applied'], 'not applied twice');
  assert.deepEqual((await runs(doomed)).map((r) => [r.outcome, r.attempt]), [['failed', 1], ['applied', 2]]);
});

test('send_webhook_event enqueues a webhook_event job with the event and the conversation', async () => {
  const { ws, channelId } = await workspace('webchat');
  const id = await automation(ws, {
    event_name: 'conversation_resolved',
    actions: [{ action_name: 'send_webhook_event', action_params: ['https://hooks.example.com/convo'] }],
  });
  const c = await conversation(ws, channelId);
  const resolved = await agent.client.rpc('set_conversation_status', { conversation_id: c, status: 'resolved' });
  assert.equal(resolved.error, null);
  await settled(c);
  const { rows } = await stack.admin.query(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'webhook_event' and j.payload #>> '{conversation,id}' = $1`, [c]);
  assert.equal(rows.length, 1);
  const p = rows[0].payload;
  assert.deepEqual([p.url, p.event, p.workspace_id, p.automation.id, p.changed, p.conversation.status, p.message], ['https://hooks.example.com/convo', 'conversation_resolved', ws, id, ['status'], 'resolved', null]);
});

describe('conditionsHold (pure)', () => {
  const subject: Subject = {
    conversation: { status: 'open', priority: null, channel_id: 'ch', assignee_id: null, team_id: null, tags: ['Sales', 'eu'], handoff_state: 'none', custom_attributes: { plan: 'pro', seats: 12 } },
    channel_type: 'whatsapp',
    contact: { name: 'Ana', phone: '+4915112345678', email: null, tags: [], custom_attributes: { city: 'Berlin' } },
    message: null,
  };
  const c = (attribute_key: string, filter_operator: Condition['filter_operator'], values?: (string | number)[], query_operator?: 'and' | 'or'): Condition =>
    ({ attribute_key, filter_operator, ...(values ? { values } : {}), ...(query_operator ? { query_operator } : {}) });

  test('operators over text, lists, absent values and custom attributes', () => {
    assert.equal(conditionsHold(subject, []), true);
    assert.equal(conditionsHold(subject, [c('status', 'equal_to', ['pending', 'open'])]), true);
    assert.equal(conditionsHold(subject, [c('status', 'not_equal_to', ['open'])]), false);
    assert.equal(conditionsHold(subject, [c('tags', 'equal_to', ['sales'])]), true);
    assert.equal(conditionsHold(subject, [c('tags', 'does_not_contain', ['sal'])]), false);
    assert.equal(conditionsHold(subject, [c('priority', 'is_not_present')]), true);
    assert.equal(conditionsHold(subject, [c('contact_email', 'is_present')]), false);
    assert.equal(conditionsHold(subject, [c('contact_tags', 'is_present')]), false);
    assert.equal(conditionsHold(subject, [c('contact_phone', 'starts_with', ['+49'])]), true);
    assert.equal(conditionsHold(subject, [c('custom_attributes.seats', 'equal_to', [12])]), true);
    assert.equal(conditionsHold(subject, [{ ...c('custom_attributes.city', 'equal_to', ['berlin']), custom_attribute_type: 'contact_attribute' }]), true);
    assert.equal(conditionsHold(subject, [c('custom_attributes.city', 'is_present')]), false, 'conversation attribute by default');
    assert.equal(conditionsHold(subject, [c('content', 'is_not_present')]), true, 'no message');
  });

  test('AND binds tighter than OR', () => {
    const t = c('status', 'equal_to', ['open']);
    const f = c('status', 'equal_to', ['resolved']);
    const j = (x: Condition, q: 'and' | 'or') => ({ ...x, query_operator: q });
    assert.equal(conditionsHold(subject, [j(f, 'and'), j(f, 'or'), t]), true); // (f and f) or t
    assert.equal(conditionsHold(subject, [j(t, 'or'), j(f, 'and'), f]), true); // t or (f and f)
    assert.equal(conditionsHold(subject, [j(f, 'or'), j(t, 'and'), f]), false); // f or (t and f)
    assert.equal(conditionsHold(subject, [j(t, 'and'), j(t, 'and'), f]), false);
  });
});
