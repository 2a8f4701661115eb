/** The inbox's business rules, exercised through supabase-js against the real REST engine with real users. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { supabaseClient } from '../helpers/supabase.ts';
import { startProductStack, type ProductStack } from './product-stack.ts';
import { createWorkspace, inboxFixture, join, memberId, signUp, twoWorkspaces, type User } from './people.ts';

let stack: ProductStack;
let owner: User;
let admin: User;
let agent: User;
let outsider: User;
let wsA: string;
let wsB: string;

before(async () => {
  stack = await startProductStack();
  ({ owner, admin, agent, outsider, wsA, wsB } = await twoWorkspaces(stack));
});

after(() => stack?.stop());

async function jobsFor(messageId: string): Promise<{ task_identifier: string; payload: Record<string, string>; queue_name: string | null }[]> {
  const { rows } = await stack.admin.query(
    `select t.identifier as task_identifier, j.payload, q.queue_name
     from graphile_worker._private_jobs j
     join graphile_worker._private_tasks t on t.id = j.task_id
     left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
     where j.payload->>'message_id' = $1`,
    [messageId],
  );
  return rows;
}

async function inbound(conversationId: string, text: string, at = 'now()'): Promise<void> {
  await stack.admin.query(
    `insert into public.messages (conversation_id, direction, sender_type, type, text, created_at) values ($1, 'inbound', 'contact', 'text', $2, ${at})`,
    [conversationId, text],
  );
}

test('create_workspace makes the caller its owner', async () => {
  const { data, error } = await owner.client.from('workspace_members').select('role, user_id').eq('workspace_id', wsA).eq('user_id', owner.id);
  assert.equal(error, null);
  assert.deepEqual(data, [{ role: 'owner', user_id: owner.id }]);
});

test('the last owner can neither leave nor be demoted (409 PT409); with a second owner they can', async () => {
  const solo = await signUp(stack, 'solo');
  const ws = await createWorkspace(solo, 'Solo');
  const leave = await solo.client.from('workspace_members').delete().eq('workspace_id', ws).eq('user_id', solo.id);
  assert.equal(leave.status, 409);
  assert.equal(leave.error?.code, 'PT409');
  assert.equal(leave.error?.message, 'a workspace must keep at least one owner');
  const demote = await solo.client.from('workspace_members').update({ role: 'admin' }).eq('workspace_id', ws).eq('user_id', solo.id);
  assert.equal(demote.status, 409);
  assert.equal(demote.error?.code, 'PT409');

  const partner = await signUp(stack, 'partner');
  await join(solo, ws, partner, 'admin');
  const promote = await solo.client.from('workspace_members').update({ role: 'owner' }).eq('workspace_id', ws).eq('user_id', partner.id).select('role');
  assert.equal(promote.error, null);
  assert.deepEqual(promote.data, [{ role: 'owner' }]);
  const left = await solo.client.from('workspace_members').delete().eq('workspace_id', ws).eq('user_id', solo.id);
  assert.equal(left.error, null);
  const { rows } = await stack.admin.query(`select user_id, role from public.workspace_members where workspace_id = $1`, [ws]);
  assert.deepEqual(rows, [{ user_id: partner.id, role: 'owner' }]);
});

test('an admin can neither remove nor demote an owner, nor make anyone an owner (403 42501)', async () => {
  const remove = await admin.client.from('workspace_members').delete().eq('workspace_id', wsA).eq('user_id', owner.id);
  assert.equal(remove.status, 403);
  assert.equal(remove.error?.code, '42501');
  assert.equal(remove.error?.message, 'only an owner can remove an owner');
  const demote = await admin.client.from('workspace_members').update({ role: 'agent' }).eq('workspace_id', wsA).eq('user_id', owner.id);
  assert.equal(demote.status, 403);
  assert.equal(demote.error?.code, '42501');
  const crown = await admin.client.from('workspace_members').update({ role: 'owner' }).eq('workspace_id', wsA).eq('user_id', admin.id);
  assert.equal(crown.status, 403);
  const selfPromote = await agent.client.from('workspace_members').update({ role: 'admin' }).eq('workspace_id', wsA).eq('user_id', agent.id);
  assert.equal(selfPromote.status, 403);
  assert.equal(selfPromote.error?.message, "only an admin or an owner can change a member's role");
  const { rows } = await stack.admin.query(`select role from public.workspace_members where workspace_id = $1 order by role`, [wsA]);
  assert.deepEqual(rows.map((r) => r.role), ['admin', 'agent', 'owner']);
});

test('an invitation works once, for the invited email only', async () => {
  const invitee = await signUp(stack, 'invitee');
  const stranger = await signUp(stack, 'stranger');
  const { data } = await admin.client.rpc('create_invitation', { workspace_id: wsA, email: invitee.email.toUpperCase(), role: 'agent' });
  const token = (data as { token: string }[])[0]!.token;
  const wrong = await stranger.client.rpc('accept_invitation', { token });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.error?.message, 'this invitation is for another email address');
  const ok = await invitee.client.rpc('accept_invitation', { token });
  assert.equal(ok.error, null);
  assert.equal((ok.data as { role: string }).role, 'agent');
  const again = await invitee.client.rpc('accept_invitation', { token });
  assert.equal(again.status, 410);
  assert.equal(again.error?.code, 'PT410');
  const byAgent = await agent.client.rpc('create_invitation', { workspace_id: wsA, email: 'x@example.com' });
  assert.equal(byAgent.status, 403);
  const { rows } = await stack.admin.query(`select count(*)::int as n from public.invitations where token_hash = $1`, [token]);
  assert.equal(rows[0].n, 0, 'the token itself is never stored');
});

test("WhatsApp's 24-hour window: free-form text is refused (409 PT409) until the contact writes; templates always go", async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'whatsapp');
  const closed = await agent.client.rpc('send_message', { conversation_id: conversationId, text: 'Hello?' });
  assert.equal(closed.status, 409);
  assert.equal(closed.error?.code, 'PT409');
  assert.equal(closed.error?.message, 'the 24-hour customer service window is closed');
  assert.match(closed.error?.hint ?? '', /template/);
  const direct = await agent.client.from('messages').insert({ conversation_id: conversationId, text: 'sneaky' });
  assert.equal(direct.status, 409, 'a plain insert is held to the same rule');

  const template = await agent.client.rpc('send_message', {
    conversation_id: conversationId,
    type: 'template',
    content: { template: { name: 'follow_up', language: 'en' } },
  });
  assert.equal(template.error, null);
  assert.equal((template.data as { status: string }).status, 'queued');

  await inbound(conversationId, 'old news', `now() - interval '25 hours'`);
  assert.equal((await agent.client.rpc('send_message', { conversation_id: conversationId, text: 'late' })).status, 409);

  await inbound(conversationId, 'Hi, are you open today?');
  const open = await agent.client.rpc('send_message', { conversation_id: conversationId, text: 'Yes, until 6pm!' });
  assert.equal(open.error, null);
  const msg = open.data as Record<string, unknown>;
  assert.equal(msg.direction, 'outbound');
  assert.equal(msg.sender_type, 'agent');
  assert.equal(msg.sender_member_id, await memberId(stack, wsA, agent.id));
  assert.equal(msg.status, 'queued');
});

test('an outbound message enqueues its whatsapp_send job in the same transaction; a private note never does', async () => {
  const { conversationId, channelId } = await inboxFixture(stack, wsA, 'whatsapp');
  await inbound(conversationId, 'Hello');
  const sent = await agent.client.rpc('send_message', { conversation_id: conversationId, text: 'Hi there' });
  assert.equal(sent.error, null);
  const id = (sent.data as { id: string }).id;
  assert.deepEqual(await jobsFor(id), [{
    task_identifier: 'whatsapp_send',
    payload: { message_id: id, conversation_id: conversationId, channel_id: channelId, workspace_id: wsA },
    queue_name: `conversation:${conversationId}`,
  }]);

  const note = await agent.client.rpc('send_message', { conversation_id: conversationId, type: 'note', text: 'VIP, be nice' });
  assert.equal(note.error, null);
  const noteRow = note.data as { id: string; status: string | null; direction: string };
  assert.equal(noteRow.status, null);
  assert.deepEqual(await jobsFor(noteRow.id), []);

  // A rolled-back send leaves no job behind.
  const before = await stack.admin.query('select count(*)::int as n from graphile_worker._private_jobs');
  await stack.admin.query('begin');
  await stack.admin.query(`insert into public.messages (conversation_id, direction, sender_type, text) values ($1, 'outbound', 'ai', 'draft')`, [conversationId]);
  await stack.admin.query('rollback');
  const afterRollback = await stack.admin.query('select count(*)::int as n from graphile_worker._private_jobs');
  assert.equal(afterRollback.rows[0].n, before.rows[0].n);

  // Members of the workspace read the note; nobody else does.
  const seen = await admin.client.from('messages').select('type, text').eq('id', noteRow.id);
  assert.deepEqual(seen.data, [{ type: 'note', text: 'VIP, be nice' }]);
  const unseen = await outsider.client.from('messages').select('id').eq('id', noteRow.id);
  assert.deepEqual(unseen.data, []);
});

test('members cannot write inbound messages or pick their sender: a member writes as themself', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'webchat');
  const spoof = await agent.client.from('messages').insert({ conversation_id: conversationId, text: 'I am the customer', direction: 'inbound', sender_type: 'contact' });
  assert.equal(spoof.status, 403);
  assert.equal(spoof.error?.code, '42501');
});

test('inbound messages count as unread and reopen a resolved conversation; mark_conversation_read resets the count', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'whatsapp');
  assert.equal((await agent.client.rpc('set_conversation_status', { conversation_id: conversationId, status: 'resolved' })).error, null);
  const service = supabaseClient(stack.url, stack.keys.service_role);
  const ins = await service.from('messages').insert([
    { conversation_id: conversationId, direction: 'inbound', sender_type: 'contact', text: 'one', external_id: 'wamid.1' },
    { conversation_id: conversationId, direction: 'inbound', sender_type: 'contact', text: 'two', external_id: 'wamid.2' },
  ]);
  assert.equal(ins.error, null);
  const before = await agent.client.from('conversations').select('unread_count, status, resolved_at, last_inbound_at, last_message_at').eq('id', conversationId).single();
  assert.equal(before.data?.unread_count, 2);
  assert.equal(before.data?.status, 'open');
  assert.equal(before.data?.resolved_at, null);
  assert.notEqual(before.data?.last_inbound_at, null);
  assert.equal(before.data?.last_message_at, before.data?.last_inbound_at);

  const read = await agent.client.rpc('mark_conversation_read', { conversation_id: conversationId });
  assert.equal(read.error, null);
  assert.equal((read.data as { unread_count: number }).unread_count, 0);
  const direct = await agent.client.from('conversations').update({ unread_count: 5 }).eq('id', conversationId);
  assert.equal(direct.error?.code, '42501', 'counters are not writable through the API');

  const dup = await service.from('messages').insert({ conversation_id: conversationId, direction: 'inbound', sender_type: 'contact', text: 'again', external_id: 'wamid.1' });
  assert.equal(dup.status, 409, 'an external id is unique per channel');
});

test('status, assignment and tags through their RPCs', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'webchat');
  await stack.admin.query(`update public.conversations set handoff_state = 'requested' where id = $1`, [conversationId]);
  const agentMember = await memberId(stack, wsA, agent.id);
  const assigned = await admin.client.rpc('assign_conversation', { conversation_id: conversationId, assignee_id: agentMember });
  assert.equal(assigned.error, null);
  assert.equal((assigned.data as { assignee_id: string }).assignee_id, agentMember);
  assert.equal((assigned.data as { handoff_state: string }).handoff_state, 'accepted');
  const outsiderMember = await memberId(stack, wsB, outsider.id);
  const foreign = await admin.client.rpc('assign_conversation', { conversation_id: conversationId, assignee_id: outsiderMember });
  assert.equal(foreign.status, 400);

  const tagged = await agent.client.rpc('add_conversation_tag', { conversation_id: conversationId, tag: ' VIP ' });
  assert.deepEqual(tagged.data, ['vip']);
  await agent.client.rpc('add_conversation_tag', { conversation_id: conversationId, tag: 'vip' });
  assert.deepEqual((await agent.client.rpc('add_conversation_tag', { conversation_id: conversationId, tag: 'billing' })).data, ['vip', 'billing']);
  assert.deepEqual((await agent.client.rpc('remove_conversation_tag', { conversation_id: conversationId, tag: 'vip' })).data, ['billing']);
  assert.equal((await agent.client.rpc('add_conversation_tag', { conversation_id: conversationId, tag: 'no spaces' })).status, 400);

  const snoozed = await agent.client.rpc('set_conversation_status', { conversation_id: conversationId, status: 'snoozed', snoozed_until: '2030-01-01T00:00:00Z' });
  assert.equal(snoozed.error, null);
  assert.equal((snoozed.data as { status: string }).status, 'snoozed');
  const resolved = await agent.client.rpc('set_conversation_status', { conversation_id: conversationId, status: 'resolved' });
  assert.equal((resolved.data as { snoozed_until: string | null }).snoozed_until, null);
  assert.notEqual((resolved.data as { resolved_at: string | null }).resolved_at, null);
  const bad = await agent.client.rpc('set_conversation_status', { conversation_id: conversationId, status: 'closed' });
  assert.equal(bad.status, 400);
  assert.equal(bad.error?.code, '22023');
});

test("a member of another workspace sees and touches none of workspace A's data", async () => {
  const { conversationId, contactId, channelId } = await inboxFixture(stack, wsA, 'whatsapp');
  await inbound(conversationId, 'private matter');
  for (const table of ['workspaces', 'workspace_members', 'contacts', 'channels', 'conversations', 'messages', 'teams', 'invitations', 'canned_responses']) {
    const { data, error } = await outsider.client.from(table).select('*').eq(table === 'workspaces' ? 'id' : 'workspace_id', wsA);
    assert.equal(error, null, table);
    assert.deepEqual(data, [], table);
  }
  const profiles = await outsider.client.from('profiles').select('id').in('id', [owner.id, admin.id, agent.id]);
  assert.deepEqual(profiles.data, []);
  for (const [fn, args] of [
    ['mark_conversation_read', { conversation_id: conversationId }],
    ['set_conversation_status', { conversation_id: conversationId, status: 'resolved' }],
    ['assign_conversation', { conversation_id: conversationId }],
    ['add_conversation_tag', { conversation_id: conversationId, tag: 'x' }],
    ['send_message', { conversation_id: conversationId, text: 'hi' }],
  ] as const) {
    const res = await outsider.client.rpc(fn, args);
    assert.equal(res.status, 404, fn);
    assert.equal(res.error?.message, 'conversation not found', fn);
  }
  const target = await outsider.client.from('contacts').insert({ workspace_id: wsB, name: 'Mine' }).select('id').single();
  assert.equal((await outsider.client.rpc('merge_contacts', { target_id: target.data!.id, source_id: contactId })).status, 404);
  assert.equal((await outsider.client.rpc('set_channel_secrets', { channel_id: channelId, access_token: 'x' })).status, 404);
  // A conversation in B cannot point at A's contact (composite foreign keys keep rows in their workspace).
  const { channelId: channelB } = await inboxFixture(stack, wsB, 'webchat');
  const crossed = await outsider.client.from('conversations').insert({ workspace_id: wsB, contact_id: contactId, channel_id: channelB });
  assert.equal(crossed.status, 409);
  assert.equal(crossed.error?.code, '23503');
});

test('channel secrets are written by admins through set_channel_secrets and readable by no API role', async () => {
  const { channelId } = await inboxFixture(stack, wsA, 'whatsapp');
  const set = await admin.client.rpc('set_channel_secrets', { channel_id: channelId, access_token: 'EAAG-secret', app_secret: 'app-secret' });
  assert.equal(set.error, null);
  assert.deepEqual(set.data, { access_token: true, app_secret: true, verify_token: false });
  const keep = await admin.client.rpc('set_channel_secrets', { channel_id: channelId, verify_token: 'verify-me' });
  assert.deepEqual(keep.data, { access_token: true, app_secret: true, verify_token: true });
  const byAgent = await agent.client.rpc('set_channel_secrets', { channel_id: channelId, access_token: 'mine' });
  assert.equal(byAgent.status, 403);
  assert.equal(byAgent.error?.code, '42501');

  const viaRest = await admin.client.schema('private').from('channel_secrets').select('*');
  assert.equal(viaRest.status, 406);
  assert.equal(viaRest.error?.code, 'PGRST106');
  const service = supabaseClient(stack.url, stack.keys.service_role);
  assert.equal((await service.schema('private').from('channel_secrets').select('*')).status, 406);
  assert.equal((await service.from('channel_secrets').select('*')).status, 404);

  for (const role of ['anon', 'authenticated', 'service_role']) {
    await stack.admin.query('begin');
    await stack.admin.query(`set local role ${role}`);
    await assert.rejects(stack.admin.query('select * from private.channel_secrets'), /permission denied/, role);
    await stack.admin.query('rollback');
  }
  const { rows } = await stack.admin.query('select access_token, app_secret, verify_token from private.channel_secrets where channel_id = $1', [channelId]);
  assert.deepEqual(rows, [{ access_token: 'EAAG-secret', app_secret: 'app-secret', verify_token: 'verify-me' }]);
});

test('merge_contacts moves conversations to the target and deletes the source', async () => {
  const a = await inboxFixture(stack, wsA, 'webchat');
  const b = await inboxFixture(stack, wsA, 'webchat');
  await stack.admin.query(`update public.contacts set email = 'b@example.com', tags = '{lead}', custom_attributes = '{"city": "Porto", "tier": "gold"}' where id = $1`, [b.contactId]);
  await stack.admin.query(`update public.contacts set tags = '{vip}', custom_attributes = '{"tier": "silver"}' where id = $1`, [a.contactId]);
  const merged = await agent.client.rpc('merge_contacts', { target_id: a.contactId, source_id: b.contactId });
  assert.equal(merged.error, null);
  const c = merged.data as { email: string; tags: string[]; custom_attributes: Record<string, string> };
  assert.equal(c.email, 'b@example.com');
  assert.deepEqual(c.tags, ['lead', 'vip']);
  assert.deepEqual(c.custom_attributes, { city: 'Porto', tier: 'silver' });
  const { rows } = await stack.admin.query(`select contact_id from public.conversations where id = $1`, [b.conversationId]);
  assert.equal(rows[0].contact_id, a.contactId);
  assert.equal((await stack.admin.query(`select 1 from public.contacts where id = $1`, [b.contactId])).rowCount, 0);
});

test('contacts: phones are E.164 and unique per workspace; canned response short codes are unique per workspace', async () => {
  const bad = await agent.client.from('contacts').insert({ workspace_id: wsA, name: 'Bad', phone: '0612345678' });
  assert.equal(bad.status, 400);
  assert.equal(bad.error?.code, '23514');
  assert.equal((await agent.client.from('contacts').insert({ workspace_id: wsA, phone: '+351912345678' })).error, null);
  assert.equal((await agent.client.from('contacts').insert({ workspace_id: wsA, phone: '+351912345678' })).status, 409);
  assert.equal((await outsider.client.from('contacts').insert({ workspace_id: wsB, phone: '+351912345678' })).error, null);
  const found = await agent.client.from('contacts').select('phone').textSearch('search', '351912345678');
  assert.deepEqual(found.data, [{ phone: '+351912345678' }]);

  assert.equal((await admin.client.from('canned_responses').insert({ workspace_id: wsA, short_code: 'hours', content: 'We open at 9.' })).error, null);
  assert.equal((await admin.client.from('canned_responses').insert({ workspace_id: wsA, short_code: 'hours', content: 'Again' })).status, 409);
  assert.equal((await outsider.client.from('canned_responses').insert({ workspace_id: wsB, short_code: 'hours', content: 'Ours' })).error, null);
});

test('deleting a workspace removes its members without tripping the owner rules', async () => {
  const solo = await signUp(stack, 'leaver');
  const ws = await createWorkspace(solo, 'Short lived');
  const del = await solo.client.from('workspaces').delete().eq('id', ws);
  assert.equal(del.error, null);
  assert.equal((await stack.admin.query(`select 1 from public.workspace_members where workspace_id = $1`, [ws])).rowCount, 0);
});

test('search_conversations finds conversations by contact or message text, and REST filters and paging apply on top', async () => {
  const a = await inboxFixture(stack, wsA, 'webchat');
  const b = await inboxFixture(stack, wsA, 'webchat');
  await stack.admin.query(`update public.contacts set name = 'Zélia Quaresma', email = 'zelia@example.com' where id = $1`, [a.contactId]);
  await inbound(b.conversationId, 'I would like a refund for order 1234');
  const byName = await agent.client.rpc('search_conversations', { workspace_id: wsA, query: 'quares' }).select('id');
  assert.deepEqual(byName.data, [{ id: a.conversationId }]);
  const byEmail = await agent.client.rpc('search_conversations', { workspace_id: wsA, query: 'zelia@example' }).select('id');
  assert.deepEqual(byEmail.data, [{ id: a.conversationId }]);
  const byMessage = await agent.client.rpc('search_conversations', { workspace_id: wsA, query: 'refund' }).select('id, status');
  assert.deepEqual(byMessage.data, [{ id: b.conversationId, status: 'open' }]);
  const filtered = await agent.client.rpc('search_conversations', { workspace_id: wsA, query: 'refund' }).select('id').eq('status', 'resolved');
  assert.deepEqual(filtered.data, []);
  const outside = await outsider.client.rpc('search_conversations', { workspace_id: wsA, query: 'refund' }).select('id');
  assert.deepEqual(outside.data, []);
  const wild = await agent.client.rpc('search_conversations', { workspace_id: wsA, query: '%' }).select('id');
  assert.deepEqual(wild.data, []);
});

test('delivery statuses only move forward', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'whatsapp');
  await inbound(conversationId, 'hi');
  const sent = await agent.client.rpc('send_message', { conversation_id: conversationId, text: 'hello' });
  const id = (sent.data as { id: string }).id;
  const service = supabaseClient(stack.url, stack.keys.service_role);
  for (const status of ['sent', 'read', 'delivered', 'failed']) {
    assert.equal((await service.from('messages').update({ status }).eq('id', id)).error, null);
  }
  const { rows } = await stack.admin.query('select status from public.messages where id = $1', [id]);
  assert.equal(rows[0].status, 'read');
});

test('the inbox list: conversations with their contact and last message, embedded in one request', async () => {
  const { conversationId, contactId } = await inboxFixture(stack, wsA, 'webchat');
  await inbound(conversationId, 'first', `now() - interval '1 minute'`);
  await inbound(conversationId, 'second');
  const { data, error } = await agent.client
    .from('conversations')
    .select('id, unread_count, contacts(id, name), channels(type), messages(text)')
    .eq('id', conversationId)
    .order('created_at', { referencedTable: 'messages', ascending: false })
    .limit(1, { referencedTable: 'messages' });
  assert.equal(error, null, JSON.stringify(error));
  const { rows } = await stack.admin.query('select name from public.contacts where id = $1', [contactId]);
  assert.deepEqual(data, [{
    id: conversationId,
    unread_count: 2,
    contacts: { id: contactId, name: rows[0].name },
    channels: { type: 'webchat' },
    messages: [{ text: 'second' }],
  }]);
});

test('automations are validated on write: a bad shape is 400 with the JSON path of the first error', async () => {
  const base = { workspace_id: wsA, name: 'VIP routing', event_name: 'message_created' };
  const cases: [Record<string, unknown>, string, string][] = [
    [{ conditions: [{ attribute_key: 'status', filter_operator: 'equals', values: ['open'] }], actions: [{ action_name: 'add_tag', action_params: ['vip'] }] },
      'conditions[0].filter_operator', 'conditions[0].filter_operator: unknown operator "equals"'],
    [{ conditions: [{ attribute_key: 'status', filter_operator: 'equal_to', values: ['closed'] }], actions: [{ action_name: 'add_tag', action_params: ['vip'] }] },
      'conditions[0].values[0]', 'conditions[0].values[0]: "closed" is not a status'],
    [{ conditions: [
        { attribute_key: 'content', filter_operator: 'contains', values: ['refund'] },
        { attribute_key: 'priority', filter_operator: 'is_present' },
      ], actions: [{ action_name: 'add_tag', action_params: ['vip'] }] },
      'conditions[0].query_operator', 'conditions[0].query_operator: must be "and" or "or" (it joins this condition to the next)'],
    [{ conditions: [], actions: [] }, 'actions', 'actions: must be a non-empty array'],
    [{ conditions: [], actions: [{ action_name: 'add_tag', action_params: ['vip'] }, { action_name: 'delete_everything' }] },
      'actions[1].action_name', 'actions[1].action_name: unknown action "delete_everything"'],
    [{ conditions: [], actions: [{ action_name: 'set_priority', action_params: ['asap'] }] },
      'actions[0].action_params[0]', 'actions[0].action_params[0]: must be low, medium, high or urgent'],
  ];
  for (const [body, path, message] of cases) {
    const res = await admin.client.from('automations').insert({ ...base, ...body });
    assert.equal(res.status, 400, message);
    assert.equal(res.error?.code, '22023');
    assert.equal(res.error?.message, message);
    assert.equal(res.error?.details, path);
  }
  // A content condition only makes sense for message events.
  const wrongEvent = await admin.client.from('automations').insert({ ...base, event_name: 'conversation_created',
    conditions: [{ attribute_key: 'content', filter_operator: 'contains', values: ['hi'] }], actions: [{ action_name: 'add_tag', action_params: ['hi'] }] });
  assert.equal(wrongEvent.error?.details, 'conditions[0].attribute_key');
  // References must stay inside the workspace.
  const foreignMember = await memberId(stack, wsB, outsider.id);
  const foreign = await admin.client.from('automations').insert({ ...base, conditions: [], actions: [{ action_name: 'assign_agent', action_params: [foreignMember] }] });
  assert.equal(foreign.status, 400);
  assert.equal(foreign.error?.message, 'actions[0].action_params[0]: not a member of this workspace');

  const good = await admin.client.from('automations').insert({
    ...base,
    conditions: [
      { attribute_key: 'content', filter_operator: 'contains', values: ['refund'], query_operator: 'or' },
      { attribute_key: 'contact_tags', filter_operator: 'contains', values: ['vip'] },
    ],
    actions: [
      { action_name: 'assign_agent', action_params: [await memberId(stack, wsA, agent.id)] },
      { action_name: 'set_priority', action_params: ['high'] },
      { action_name: 'trigger_handoff', action_params: [] },
    ],
  }).select('id, active').single();
  assert.equal(good.error, null, JSON.stringify(good.error));
  assert.equal(good.data!.active, true);
  const toggled = await admin.client.rpc('toggle_automation', { automation_id: good.data!.id });
  assert.equal((toggled.data as { active: boolean }).active, false);
  const byAgent = await agent.client.rpc('toggle_automation', { automation_id: good.data!.id });
  assert.equal(byAgent.status, 404);
  await stack.admin.query('delete from public.automations where id = $1', [good.data!.id]);
});

test('events enqueue run_automations after the write only when an active automation listens, and never from an automation run', async () => {
  const owner2 = await signUp(stack, 'auto-owner');
  const ws = await createWorkspace(owner2, 'Automated');
  const jobs = async () => (await stack.admin.query(
    `select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'run_automations' and j.payload->>'workspace_id' = $1 order by j.id`, [ws])).rows.map((r) => r.payload);

  await inboxFixture(stack, ws, 'webchat');
  assert.deepEqual(await jobs(), [], 'no automation, no job');

  const created = await owner2.client.from('automations').insert({
    workspace_id: ws, name: 'Tag new', event_name: 'conversation_created', conditions: [], actions: [{ action_name: 'add_tag', action_params: ['new'] }],
  }).select('id').single();
  assert.equal(created.error, null);
  await owner2.client.from('automations').insert({
    workspace_id: ws, name: 'Thank on resolve', event_name: 'conversation_resolved', conditions: [], actions: [{ action_name: 'send_message', action_params: ['Thanks!'] }],
  });
  const { conversationId } = await inboxFixture(stack, ws, 'webchat');
  await owner2.client.rpc('set_conversation_status', { conversation_id: conversationId, status: 'resolved' });
  assert.deepEqual(await jobs(), [
    { event: 'conversation_created', workspace_id: ws, conversation_id: conversationId, message_id: null, changed: null },
    { event: 'conversation_resolved', workspace_id: ws, conversation_id: conversationId, message_id: null, changed: ['status'] },
  ]);

  // The worker applies actions with convo.automation_run on: nothing it does enqueues another run.
  await stack.admin.query('begin');
  await stack.admin.query(`select set_config('convo.automation_run', 'on', true)`);
  await inboxFixture(stack, ws, 'webchat');
  await stack.admin.query('commit');
  assert.equal((await jobs()).length, 2);

  await owner2.client.rpc('toggle_automation', { automation_id: created.data!.id });
  await inboxFixture(stack, ws, 'webchat');
  assert.equal((await jobs()).length, 2, 'a paused automation does not listen');
});

test('rows never move between workspaces, even for a member of both', async () => {
  const both = await signUp(stack, 'both');
  const ws1 = await createWorkspace(both, 'One');
  const ws2 = await createWorkspace(both, 'Two');
  const contact = await both.client.from('contacts').insert({ workspace_id: ws1, name: 'Mover' }).select('id').single();
  const moved = await both.client.from('contacts').update({ workspace_id: ws2 }).eq('id', contact.data!.id);
  assert.equal(moved.status, 400);
  assert.equal(moved.error?.message, 'a contacts row cannot move to another workspace');
  const conv = await inboxFixture(stack, ws1, 'webchat');
  const convMoved = await both.client.from('conversations').update({ workspace_id: ws2 }).eq('id', conv.conversationId);
  assert.equal(convMoved.error?.code, '42501');
});

test('the inbox list filters by channel type through an inner embed and by tag', async () => {
  const wa = await inboxFixture(stack, wsA, 'whatsapp');
  const web = await inboxFixture(stack, wsA, 'webchat');
  await agent.client.rpc('add_conversation_tag', { conversation_id: wa.conversationId, tag: 'channel-test' });
  await agent.client.rpc('add_conversation_tag', { conversation_id: web.conversationId, tag: 'channel-test' });
  const { data, error } = await agent.client
    .from('conversations')
    .select('id, channels!inner(type)')
    .eq('workspace_id', wsA)
    .eq('channels.type', 'whatsapp')
    .contains('tags', ['channel-test']);
  assert.equal(error, null, JSON.stringify(error));
  assert.deepEqual(data, [{ id: wa.conversationId, channels: { type: 'whatsapp' } }]);
});

test('members edit their own profile name and presence, nothing else of theirs', async () => {
  const named = await agent.client.from('profiles').update({ full_name: 'Agent Smith' }).eq('id', agent.id).select('full_name');
  assert.deepEqual(named.data, [{ full_name: 'Agent Smith' }]);
  const email = await agent.client.from('profiles').update({ email: 'other@example.com' }).eq('id', agent.id);
  assert.equal(email.error?.code, '42501');
  const busy = await agent.client.from('workspace_members').update({ availability: 'busy' }).eq('workspace_id', wsA).eq('user_id', agent.id).select('availability');
  assert.deepEqual(busy.data, [{ availability: 'busy' }]);
  const other = await agent.client.from('workspace_members').update({ availability: 'offline' }).eq('workspace_id', wsA).eq('user_id', admin.id).select('id');
  assert.deepEqual(other.data, [], "an agent cannot change a teammate's row");
  const teammates = await agent.client.from('profiles').select('id').in('id', [owner.id, admin.id, agent.id, outsider.id]);
  assert.deepEqual(new Set(teammates.data!.map((p) => p.id)), new Set([owner.id, admin.id, agent.id]));
});

test('a template message must name its template', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'whatsapp');
  const unnamed = await agent.client.rpc('send_message', { conversation_id: conversationId, type: 'template', content: {} });
  assert.equal(unnamed.status, 400);
  assert.equal(unnamed.error?.code, '23514');
});

test('a text message or a note needs text', async () => {
  const { conversationId } = await inboxFixture(stack, wsA, 'webchat');
  for (const type of ['text', 'note']) {
    const empty = await agent.client.rpc('send_message', { conversation_id: conversationId, type });
    assert.equal(empty.status, 400, type);
    assert.equal(empty.error?.code, '23514', type);
  }
});

test('two owners leaving at the same moment: the second one waits, then is refused', async () => {
  const first = await signUp(stack, 'first');
  const second = await signUp(stack, 'second');
  const ws = await createWorkspace(first, 'Duo');
  await join(first, ws, second, 'admin');
  await stack.admin.query(`update public.workspace_members set role = 'owner' where workspace_id = $1`, [ws]);
  const asUser = async (user: User) => {
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    await c.query('begin');
    await c.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: user.id, role: 'authenticated' })]);
    return c;
  };
  const t1 = await asUser(first);
  const t2 = await asUser(second);
  try {
    await t1.query('delete from public.workspace_members where workspace_id = $1 and user_id = $2', [ws, first.id]);
    const blocked = t2.query('delete from public.workspace_members where workspace_id = $1 and user_id = $2', [ws, second.id]).then(
      () => null,
      (err: { code?: string }) => err.code,
    );
    await t1.query('commit');
    assert.equal(await blocked, 'PT409');
    await t2.query('rollback');
  } finally {
    await t1.end();
    await t2.end();
  }
  const { rows } = await stack.admin.query(`select user_id, role from public.workspace_members where workspace_id = $1`, [ws]);
  assert.deepEqual(rows, [{ user_id: second.id, role: 'owner' }]);
});

test('admins change workspace settings but not the plan; an expired invitation is refused with 410', async () => {
  const settings = await admin.client.from('workspaces').update({ settings: { greeting: 'Olá!' }, business_hours: { mon: [{ open: '09:00', close: '17:00' }] } }).eq('id', wsA).select('settings');
  assert.deepEqual(settings.data, [{ settings: { greeting: 'Olá!' } }]);
  const plan = await owner.client.from('workspaces').update({ plan: 'ultra' }).eq('id', wsA);
  assert.equal(plan.error?.code, '42501');
  const tz = await admin.client.from('workspaces').update({ timezone: 'Mars/Olympus_Mons' }).eq('id', wsA);
  assert.equal(tz.status, 400);
  assert.equal(tz.error?.code, '22023');

  const late = await signUp(stack, 'late');
  const { data } = await admin.client.rpc('create_invitation', { workspace_id: wsA, email: late.email });
  const { invitation_id: id, token } = (data as { invitation_id: string; token: string }[])[0]!;
  await stack.admin.query(`update public.invitations set expires_at = now() - interval '1 second' where id = $1`, [id]);
  const expired = await late.client.rpc('accept_invitation', { token });
  assert.equal(expired.status, 410);
  assert.equal(expired.error?.message, 'this invitation has expired');
});
