/** AI agents and their knowledge through supabase-js with real users: roles, validation, chunking, hybrid search, tenancy. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProductStack, type ProductStack } from './product-stack.ts';
import { inboxFixture, twoWorkspaces, type User } from './people.ts';

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

let agentCounter = 0;

/** An AI agent of workspace A made by its admin through the API; returns its id. */
async function newAgent(fields: Record<string, unknown> = {}): Promise<string> {
  const { data, error } = await admin.client
    .from('ai_agents')
    .insert({ workspace_id: wsA, name: `Ana ${++agentCounter}`, ...fields })
    .select('id')
    .single();
  assert.equal(error, null, JSON.stringify(error));
  return (data as { id: string }).id;
}

/** A document added by A's admin (workspace_id left for the trigger to fill); returns its id. */
async function addDocument(agentId: string, title: string, content: string, docType = 'text'): Promise<string> {
  const { data, error } = await admin.client
    .from('knowledge_documents')
    .insert({ agent_id: agentId, title, content, doc_type: docType })
    .select('id, workspace_id, status')
    .single();
  assert.equal(error, null, JSON.stringify(error));
  const row = data as { id: string; workspace_id: string; status: string };
  assert.equal(row.workspace_id, wsA, 'workspace_id comes from the agent');
  assert.equal(row.status, 'ready');
  return row.id;
}

async function chunksOf(client: User, documentId: string): Promise<{ ordinal: number; content: string }[]> {
  const { data, error } = await client.client.from('knowledge_chunks').select('ordinal, content').eq('document_id', documentId).order('ordinal');
  assert.equal(error, null, JSON.stringify(error));
  return data as { ordinal: number; content: string }[];
}

/** A paragraph of `n` characters (n ≥ 20) made of words, ending with a full stop, starting with `label`. */
function paragraph(label: string, n: number): string {
  let text = label;
  while (text.length < n - 1) text += ' lorem';
  return text.slice(0, n - 1).trimEnd() + '.';
}

test('admins create an AI agent with documented defaults; agents read it but cannot change it', async () => {
  const { channelId } = await inboxFixture(stack, wsA, 'whatsapp');
  const { data, error, status } = await admin.client
    .from('ai_agents')
    .insert({ workspace_id: wsA, name: 'Sales bot', channel_id: channelId, persona: 'Ana, cheerful', instructions: 'Sell politely.' })
    .select('name, status, channel_id, persona, instructions, auto_reply, handoff_rules, lead_qualification_fields, model, temperature, max_output_tokens')
    .single();
  assert.equal(error, null, JSON.stringify(error));
  assert.equal(status, 201);
  assert.deepEqual(data, {
    name: 'Sales bot',
    status: 'active',
    channel_id: channelId,
    persona: 'Ana, cheerful',
    instructions: 'Sell politely.',
    auto_reply: true,
    handoff_rules: { on_request_human: true, keywords: [] },
    lead_qualification_fields: [],
    model: 'default',
    temperature: 0.3,
    max_output_tokens: 1024,
  });

  const read = await agent.client.from('ai_agents').select('name').eq('channel_id', channelId);
  assert.deepEqual(read.data, [{ name: 'Sales bot' }]);
  const insert = await agent.client.from('ai_agents').insert({ workspace_id: wsA, name: 'Rogue bot' });
  assert.equal(insert.status, 403);
  assert.equal(insert.error?.code, '42501');
  await agent.client.from('ai_agents').update({ status: 'paused' }).eq('channel_id', channelId);
  const { rows } = await stack.admin.query(`select status from public.ai_agents where channel_id = $1`, [channelId]);
  assert.deepEqual(rows, [{ status: 'active' }], "an agent's update touches no row");
});

test('a channel has at most one active AI agent (409 23505); a paused second one is fine', async () => {
  const { channelId } = await inboxFixture(stack, wsA, 'whatsapp');
  await newAgent({ channel_id: channelId });
  const second = await admin.client.from('ai_agents').insert({ workspace_id: wsA, name: 'Second', channel_id: channelId });
  assert.equal(second.status, 409);
  assert.equal(second.error?.code, '23505');
  const paused = await admin.client.from('ai_agents').insert({ workspace_id: wsA, name: 'Second', channel_id: channelId, status: 'paused' });
  assert.equal(paused.error, null);
});

test('handoff rules and lead-qualification fields are validated on write: 400 naming the path of the problem', async () => {
  const id = await newAgent();
  const cases: [Record<string, unknown>, string][] = [
    [{ handoff_rules: { keywords: ['refund', 3] } }, 'handoff_rules.keywords[1]: expected a string of 1 to 100 characters'],
    [{ handoff_rules: { max_ai_turns: 2.5 } }, 'handoff_rules.max_ai_turns: expected an integer from 1 to 100, or null'],
    [{ handoff_rules: { min_confidence: 'high' } }, 'handoff_rules.min_confidence: expected a number from 0 to 1, or null'],
    [
      { handoff_rules: { on_angry: true } },
      'handoff_rules.on_angry: unknown key (expected keywords, on_request_human, on_negative_sentiment, max_ai_turns, min_confidence or message)',
    ],
    [{ lead_qualification_fields: [{ key: 'budget', question: 'Budget?' }] }, 'lead_qualification_fields[0].type: missing'],
    [
      { lead_qualification_fields: [{ key: 'plan', question: 'Which plan?', type: 'choice' }] },
      'lead_qualification_fields[0].options: a field of type choice needs options',
    ],
    [
      {
        lead_qualification_fields: [
          { key: 'email', question: 'Email?', type: 'email' },
          { key: 'email', question: 'Again?', type: 'text' },
        ],
      },
      'lead_qualification_fields[1].key: "email" is used by an earlier field',
    ],
    [{ lead_qualification_fields: [{ key: 'Budget', question: 'Budget?', type: 'number' }] }, 'lead_qualification_fields[0].key: expected a lowercase identifier (letters, digits, "_"; at most 50)'],
  ];
  for (const [patch, message] of cases) {
    const res = await admin.client.from('ai_agents').update(patch).eq('id', id);
    assert.equal(res.status, 400, JSON.stringify(patch));
    assert.equal(res.error?.code, '22023');
    assert.equal(res.error?.message, message);
  }

  const rules = { keywords: ['refund', 'manager'], on_request_human: true, on_negative_sentiment: true, max_ai_turns: 8, min_confidence: 0.4, message: 'A teammate will reply shortly.' };
  const fields = [
    { key: 'budget', question: 'What budget do you have in mind?', type: 'number', required: true },
    { key: 'plan', question: 'Which plan?', type: 'choice', options: ['Plus', 'Pro'] },
  ];
  const ok = await admin.client.from('ai_agents').update({ handoff_rules: rules, lead_qualification_fields: fields }).eq('id', id).select('handoff_rules, lead_qualification_fields').single();
  assert.equal(ok.error, null, JSON.stringify(ok.error));
  assert.deepEqual(ok.data, { handoff_rules: rules, lead_qualification_fields: fields });
});

test('a long document is split at paragraph breaks into chunks of at most 800 characters, in order', async () => {
  const id = await newAgent();
  const paras = ['one', 'two', 'three', 'four', 'five'].map((w) => paragraph(`Paragraph ${w}`, 350));
  const docId = await addDocument(id, 'Handbook', paras.join('\n\n'));
  const chunks = await agent.client.from('knowledge_chunks').select('ordinal, content, agent_id, workspace_id').eq('document_id', docId).order('ordinal');
  assert.equal(chunks.error, null);
  assert.deepEqual(chunks.data, [
    { ordinal: 1, content: `${paras[0]}\n\n${paras[1]}`, agent_id: id, workspace_id: wsA },
    { ordinal: 2, content: `${paras[2]}\n\n${paras[3]}`, agent_id: id, workspace_id: wsA },
    { ordinal: 3, content: paras[4], agent_id: id, workspace_id: wsA },
  ]);
});

test('a paragraph longer than a chunk is cut between sentences, and the next chunk starts with the last words of the previous one', async () => {
  const id = await newAgent();
  const sentences = Array.from({ length: 24 }, (_, i) => `Sentence number ${String(i + 1).padStart(2, '0')} tells one more thing about our shop.`);
  const docId = await addDocument(id, 'Story', sentences.join(' '));
  const chunks = await chunksOf(agent, docId);
  assert.equal(chunks.length, 2);
  const [first, second] = [chunks[0]!.content, chunks[1]!.content];
  assert.ok(first.length <= 800, `first chunk is ${first.length} characters`);
  assert.ok(first.endsWith('shop.'), 'the first chunk ends at a sentence end');
  assert.ok(second.length <= 901, `second chunk is ${second.length} characters`);
  // The overlap: the second chunk opens with whole words from the end of the first (at most 100 characters).
  const cutAt = sentences.findIndex((s) => !first.includes(s));
  const overlap = second.slice(0, second.indexOf(sentences[cutAt]!)).trim();
  assert.ok(overlap.length > 0 && overlap.length <= 100, `overlap "${overlap}"`);
  assert.ok(first.endsWith(overlap));
  assert.ok(second.endsWith(sentences.at(-1)!));
});

test('updating the content re-chunks the document; updating the title does not', async () => {
  const id = await newAgent();
  const docId = await addDocument(id, 'Prices', [paragraph('Old prices', 500), paragraph('More old prices', 500)].join('\n\n'));
  const before = await agent.client.from('knowledge_chunks').select('id').eq('document_id', docId);
  assert.equal(before.data?.length, 2);

  await admin.client.from('knowledge_documents').update({ title: 'Prices 2026' }).eq('id', docId);
  const same = await agent.client.from('knowledge_chunks').select('id').eq('document_id', docId);
  assert.deepEqual(same.data?.map((r) => r.id).sort(), before.data?.map((r) => r.id).sort());

  const updated = await admin.client.from('knowledge_documents').update({ content: 'Summer plans start at $49/mo.' }).eq('id', docId).select('status').single();
  assert.equal(updated.error, null);
  assert.deepEqual(await chunksOf(agent, docId), [{ ordinal: 1, content: 'Summer plans start at $49/mo.' }]);
  const { rows } = await stack.admin.query(`select count(*)::int as n from public.knowledge_chunks where id = any ($1)`, [before.data!.map((r) => r.id)]);
  assert.equal(rows[0].n, 0, 'the old chunks are gone');
});

test('a url document waits (pending, no chunks) until its page is fetched; agents cannot add documents', async () => {
  const id = await newAgent();
  const { data, error } = await admin.client
    .from('knowledge_documents')
    .insert({ agent_id: id, title: 'Site', doc_type: 'url', source_url: 'https://example.com/faq' })
    .select('id, status')
    .single();
  assert.equal(error, null, JSON.stringify(error));
  const doc = data as { id: string; status: string };
  assert.equal(doc.status, 'pending');
  assert.deepEqual(await chunksOf(agent, doc.id), []);
  // The fetcher (service role) stores the page: ready and chunked.
  await stack.admin.query(`update public.knowledge_documents set content = 'Open every day.' where id = $1`, [doc.id]);
  assert.deepEqual(await chunksOf(agent, doc.id), [{ ordinal: 1, content: 'Open every day.' }]);

  const byAgent = await agent.client.from('knowledge_documents').insert({ agent_id: id, workspace_id: wsA, title: 'Mine', content: 'x' });
  assert.equal(byAgent.status, 403);
  const noUrl = await admin.client.from('knowledge_documents').insert({ agent_id: id, title: 'Site', doc_type: 'url' });
  assert.equal(noUrl.status, 400);
  assert.equal(noUrl.error?.code, '23514');
});

/** An agent whose knowledge has one paragraph (so one chunk) per topic. */
async function shopAgent(): Promise<{ id: string; topics: Record<string, string> }> {
  const id = await newAgent();
  const topics = {
    refunds: paragraph('Refund policy: you can return any unused item within 30 days of delivery and we refund the full price to your card', 480),
    delivery: paragraph('Delivery: we ship to Lisbon and Porto in two business days; deliveries to the islands take a week and cost 9 euros', 480),
    hours: paragraph('Opening hours: the shop is open Monday to Friday from 9am to 6pm and on Saturdays until 1pm', 480),
    warranty: paragraph('Warranty: every ceramic piece carries a two-year warranty against manufacturing defects', 480),
    payments: paragraph('Payment methods: we accept Visa, Mastercard, MB Way and bank transfer', 480),
  };
  await addDocument(id, 'Shop FAQ', Object.values(topics).join('\n\n'), 'faq');
  return { id, topics };
}

async function search(user: User, agentId: string, query: string, k?: number) {
  return user.client.rpc('search_knowledge', { agent_id: agentId, query, ...(k === undefined ? {} : { k }) });
}

test('search_knowledge ranks the chunk that answers a keyword query first, best score first, at most k', async () => {
  const { id, topics } = await shopAgent();
  for (const [query, topic] of [
    ['refund', 'refunds'],
    ['deliveries to Porto', 'delivery'],
    ['opening hours saturday', 'hours'],
    ['"bank transfer"', 'payments'],
  ] as const) {
    const { data, error, status } = await search(agent, id, query, 3);
    assert.equal(error, null, JSON.stringify(error));
    assert.equal(status, 200);
    const rows = data as { content: string; document_title: string; score: number; ordinal: number }[];
    assert.ok(rows.length >= 1 && rows.length <= 3, `${query}: ${rows.length} rows`);
    assert.equal(rows[0]!.content, topics[topic], `"${query}" → ${topic} first`);
    assert.equal(rows[0]!.document_title, 'Shop FAQ');
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.score >= rows[i]!.score, 'best first');
  }
  const one = await search(agent, id, 'refund', 1);
  assert.equal((one.data as unknown[]).length, 1);
});

test('search_knowledge finds the right chunk for misspelt and partial words (trigram similarity)', async () => {
  const { id, topics } = await shopAgent();
  for (const [query, topic] of [
    ['waranty', 'warranty'],
    ['refnud policy', 'refunds'],
    ['mastercrd', 'payments'],
    ['opning hours', 'hours'],
  ] as const) {
    const { data, error } = await search(agent, id, query);
    assert.equal(error, null, JSON.stringify(error));
    const rows = data as { content: string; trigram_similarity: number }[];
    assert.ok(rows.length >= 1, `"${query}" finds something`);
    assert.equal(rows[0]!.content, topics[topic], `"${query}" → ${topic} first`);
    assert.ok(rows[0]!.trigram_similarity >= 0.3);
  }
});

test('search_knowledge leaves out disabled documents, returns nothing for an empty query, refuses k outside 1..50', async () => {
  const { id } = await shopAgent();
  const { rows } = await stack.admin.query(`select id from public.knowledge_documents where agent_id = $1`, [id]);
  const off = await admin.client.from('knowledge_documents').update({ status: 'disabled' }).eq('id', rows[0].id).select('status').single();
  assert.deepEqual(off.data, { status: 'disabled' });
  assert.deepEqual((await search(agent, id, 'refund')).data, []);
  const on = await admin.client.from('knowledge_documents').update({ status: 'ready' }).eq('id', rows[0].id).select('status').single();
  assert.deepEqual(on.data, { status: 'ready' });
  assert.equal(((await search(agent, id, 'refund')).data as unknown[]).length, 1);

  assert.deepEqual((await search(agent, id, '   ')).data, []);
  const bad = await search(agent, id, 'refund', 0);
  assert.equal(bad.status, 400);
  assert.equal(bad.error?.code, '22023');
  assert.equal(bad.error?.message, 'k must be between 1 and 50');
});

test("a member of another workspace sees none of A's agents, documents or chunks, and searching them returns nothing", async () => {
  const { id } = await shopAgent();
  const { rows } = await stack.admin.query(`select id from public.knowledge_documents where agent_id = $1`, [id]);
  const docId = rows[0].id as string;
  assert.equal(((await search(agent, id, 'refund')).data as unknown[]).length, 1, 'a member of A finds it');

  assert.deepEqual((await outsider.client.from('ai_agents').select('id').eq('id', id)).data, []);
  assert.deepEqual((await outsider.client.from('knowledge_documents').select('id').eq('agent_id', id)).data, []);
  assert.deepEqual((await outsider.client.from('knowledge_chunks').select('id').eq('document_id', docId)).data, []);
  const theirs = await search(outsider, id, 'refund');
  assert.equal(theirs.error, null);
  assert.deepEqual(theirs.data, []);

  // Nor can they write into A's agent, with or without naming A's workspace.
  const guess = await outsider.client.from('knowledge_documents').insert({ agent_id: id, title: 'x', content: 'x' });
  assert.notEqual(guess.error, null);
  const named = await outsider.client.from('knowledge_documents').insert({ agent_id: id, workspace_id: wsA, title: 'x', content: 'x' });
  assert.equal(named.status, 403);
  const { rows: count } = await stack.admin.query(`select count(*)::int as n from public.knowledge_documents where agent_id = $1`, [id]);
  assert.equal(count[0].n, 1);

  // And the other way round: B's own agent is invisible to A's members.
  const b = await outsider.client.from('ai_agents').insert({ workspace_id: wsB, name: 'B bot' }).select('id').single();
  assert.equal(b.error, null, JSON.stringify(b.error));
  const bId = (b.data as { id: string }).id;
  await outsider.client.from('knowledge_documents').insert({ agent_id: bId, title: 'B', content: 'Refund policy of B.' });
  assert.deepEqual((await search(owner, bId, 'refund')).data, []);
  assert.equal(((await search(outsider, bId, 'refund')).data as unknown[]).length, 1);
});
