/** sql/seed.sql through `convo start` as `npm start` runs it: the first start seeds, prints the demo users, and they can work the inbox. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freePorts, makeWorkdir, ROOT, runConvo, startConvo, type Ports, type RunningConvo, type Workdir } from '../helpers/convo.ts';
import { supabaseClient } from '../helpers/supabase.ts';

let wd: Workdir;
let ports: Ports;
let convo: RunningConvo | null = null;

before(async () => {
  wd = await makeWorkdir();
  await fs.cp(path.join(ROOT, 'sql'), path.join(wd.dir, 'sql'), { recursive: true });
  ports = await freePorts();
});

after(async () => {
  await convo?.stop();
  await wd?.remove();
});

function demoPassword(output: string): string {
  const m = /Demo password: (\S+)/.exec(output);
  assert.ok(m, `no demo password in:\n${output}`);
  return m[1]!;
}

test('the first start loads the seed and prints the demo users under the keys; the agent signs in and lists the inbox', async () => {
  convo = await startConvo(wd, ports);
  const out = convo.output();
  assert.match(out, /loaded sql\/seed\.sql \(demo users: owner@convo\.local, admin@convo\.local, agent@convo\.local\)/);
  assert.match(out, /service_role key: \S+\n\n\s*Demo users: owner@convo\.local, admin@convo\.local, agent@convo\.local\n\s*Demo password: \S+/);
  const password = demoPassword(out);
  const saved = JSON.parse(await fs.readFile(path.join(wd.stateDir, 'demo-users.json'), 'utf8'));
  assert.equal(saved.password, password);
  assert.equal((await fs.stat(path.join(wd.stateDir, 'demo-users.json'))).mode & 0o777, 0o600);

  const client = supabaseClient(convo.status.api_url, convo.status.anon_key);
  const signedIn = await client.auth.signInWithPassword({ email: 'agent@convo.local', password });
  assert.equal(signedIn.error, null, JSON.stringify(signedIn.error));
  const wrong = await supabaseClient(convo.status.api_url, convo.status.anon_key).auth.signInWithPassword({ email: 'agent@convo.local', password: 'convo-demo' });
  assert.equal(wrong.error?.code, 'invalid_credentials');

  const ws = await client.from('workspaces').select('id, name, slug, plan').single();
  assert.deepEqual([ws.data?.name, ws.data?.slug], ['Convo Demo', 'convo-demo']);
  const me = await client.from('workspace_members').select('role').eq('user_id', signedIn.data.user!.id).single();
  assert.equal(me.data?.role, 'agent');

  // The inbox a supabase-js app shows: open conversations, newest activity first, with contact and last message.
  const inbox = await client.from('conversations')
    .select('id, status, tags, unread_count, last_message_at, contact:contacts(name, phone), last:messages(text, direction, sender_type, created_at)')
    .eq('status', 'open')
    .order('last_message_at', { ascending: false })
    .order('created_at', { referencedTable: 'last', ascending: false })
    .limit(1, { referencedTable: 'last' })
    .limit(50);
  assert.equal(inbox.error, null, JSON.stringify(inbox.error));
  const rows = inbox.data as unknown as { contact: { name: string }; last: { text: string; direction: string }[]; unread_count: number }[];
  assert.deepEqual(rows.map((r) => r.contact.name), ['Diego Alvarez', 'Maria Garcia', 'Priya Patel', 'James Chen', 'Tom Baker']);
  assert.deepEqual(rows[0]!.last.map((m) => [m.direction, m.text]), [['inbound', 'Thanks. Please make sure it arrives before the weekend.']]);
  assert.deepEqual(rows.map((r) => r.unread_count), [1, 1, 2, 2, 0]);

  const all = await client.from('conversations').select('status');
  assert.deepEqual(Object.fromEntries(['open', 'pending', 'resolved', 'snoozed'].map((s) => [s, all.data!.filter((c) => c.status === s).length])), { open: 5, pending: 1, resolved: 1, snoozed: 1 });
  const contacts = await client.from('contacts').select('id', { count: 'exact', head: true });
  assert.equal(contacts.count, 10);
  const notes = await client.from('messages').select('text').eq('type', 'note');
  assert.equal(notes.data!.length, 2, 'private notes are visible to members');
  const agents = await client.from('ai_agents').select('id, name, status, channel_id');
  assert.deepEqual(agents.data?.map((a) => [a.name, a.status]), [['Mia', 'active']]);
  const answer = await client.rpc('search_knowledge', { agent_id: agents.data![0]!.id, query: 'when do I get my money back', k: 1 });
  assert.equal(answer.error, null, JSON.stringify(answer.error));
  assert.match((answer.data as Array<{ content: string }>)[0]!.content, /Refunds reach your original payment method/);
  const canned = await client.from('canned_responses').select('short_code').order('short_code');
  assert.deepEqual(canned.data!.map((c) => c.short_code), ['hello', 'hours', 'receipt', 'shipping', 'thanks']);
  const channel = await client.from('channels').select('type, test_mode, status').single();
  assert.deepEqual(channel.data, { type: 'whatsapp', test_mode: true, status: 'active' });

  // Tom last wrote three days ago: a free-form reply is refused by the 24-hour rule.
  const tom = await client.from('conversations').select('id, contacts!inner(name)').eq('contacts.name', 'Tom Baker').single();
  const reply = await client.rpc('send_message', { conversation_id: tom.data!.id, text: 'Any news?' });
  assert.equal(reply.error?.code, 'PT409');

  // The admin sees the two demo automations (agents do not).
  const admin = supabaseClient(convo.status.api_url, convo.status.anon_key);
  assert.equal((await admin.auth.signInWithPassword({ email: 'admin@convo.local', password })).error, null);
  const automations = await admin.from('automations').select('name, active').order('name');
  assert.deepEqual(automations.data, [{ name: 'Flag refund requests', active: true }, { name: 'Urgent conversations go to Adam', active: true }]);
  assert.deepEqual((await client.from('automations').select('id')).data, []);
});

test('a later start does not seed again and still shows the demo users; db reset --no-seed forgets them', async () => {
  const before = demoPassword(convo!.output());
  assert.equal(await convo!.stop(), 0);
  convo = await startConvo(wd, ports);
  assert.doesNotMatch(convo.output(), /loaded sql\/seed\.sql/);
  assert.equal(demoPassword(convo.output()), before);
  const status = await runConvo(['status'], wd, ports);
  assert.equal(demoPassword(status.stdout), before);

  const reset = await runConvo(['db', 'reset', '--no-seed', '--yes'], wd, ports);
  assert.equal(reset.code, 0, reset.stderr);
  const after = await runConvo(['status'], wd, ports);
  assert.doesNotMatch(after.stdout, /Demo/);
});
