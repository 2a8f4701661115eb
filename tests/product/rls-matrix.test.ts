/**
 * The RLS matrix: every table and view in `public`, read from pg_catalog, × every kind of caller ×
 * select/insert/update/delete, through supabase-js against the real REST engine with real tokens from
 * /auth/v1, compared with the decisions below. A table without a decision here fails the suite.
 * Outcomes are read behind the API's back (superuser), so a silent no-op counts as denied.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { startProductStack, type ProductStack } from './product-stack.ts';
import { createWorkspace, inboxFixture, join, signUp, type User } from './people.ts';

const CALLERS = ['anon', 'agent', 'admin', 'owner', 'outsider', 'service'] as const;
type Caller = (typeof CALLERS)[number];
type Op = 'select' | 'insert' | 'update' | 'delete';

/**
 * What each caller may do to a row of workspace A: four letters, S I U D, or '-' where denied.
 * agent/admin/owner are members of A with that role; outsider owns workspace B.
 */
const EXPECTED: Record<string, Record<Caller, string>> = {
  profiles: /*            */ { anon: '----', agent: 'S---', admin: 'S---', owner: 'S---', outsider: '----', service: 'SIUD' },
  workspaces: /*          */ { anon: '----', agent: 'S---', admin: 'S-U-', owner: 'S-UD', outsider: '----', service: 'SIUD' },
  workspace_members: /*   */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  teams: /*               */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  team_members: /*        */ { anon: '----', agent: 'S---', admin: 'SI-D', owner: 'SI-D', outsider: '----', service: 'SIUD' },
  invitations: /*         */ { anon: '----', agent: '----', admin: 'S--D', owner: 'S--D', outsider: '----', service: 'SIUD' },
  contacts: /*            */ { anon: '----', agent: 'SIU-', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  channels: /*            */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  conversations: /*       */ { anon: '----', agent: 'SIU-', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  messages: /*            */ { anon: '----', agent: 'SI--', admin: 'SI--', owner: 'SI--', outsider: '----', service: 'SIUD' },
  canned_responses: /*    */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  automations: /*         */ { anon: '----', agent: '----', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  // AI agents and knowledge (0020, 0021): admins manage, members read; chunks are written by a trigger only.
  ai_agents: /*           */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  knowledge_documents: /* */ { anon: '----', agent: 'S---', admin: 'SIUD', owner: 'SIUD', outsider: '----', service: 'SIUD' },
  knowledge_chunks: /*    */ { anon: '----', agent: 'S---', admin: 'S---', owner: 'S---', outsider: '----', service: 'SIUD' },
};

type Row = Record<string, unknown>;

interface TableSpec {
  /** A new row for workspace A (prerequisites made behind the API's back). */
  newRow(): Promise<Row>;
  /** A change to try on an existing row of A; it must differ from what newRow() makes. */
  patch(): Row;
  /** Extra setup after a victim row is made (e.g. making a profile visible to A's members). */
  afterVictim?(row: Row): Promise<void>;
}

let stack: ProductStack;
let clients: Record<Caller, SupabaseClient>;
let wsA: string;
let users: Record<'agent' | 'admin' | 'owner' | 'outsider', User>;
let fixtureA: Awaited<ReturnType<typeof inboxFixture>>;
let agentMemberA: string;
let adminMemberA: string;
let specs: Record<string, TableSpec>;

const uniq = () => randomBytes(5).toString('hex');

async function newAuthUser(): Promise<string> {
  const id = randomUUID();
  await stack.admin.query(`insert into auth.users (id, email) values ($1, $2)`, [id, `u-${uniq()}@example.com`]);
  return id;
}

before(async () => {
  stack = await startProductStack();
  const owner = await signUp(stack, 'owner');
  const admin = await signUp(stack, 'admin');
  const agent = await signUp(stack, 'agent');
  const outsider = await signUp(stack, 'outsider');
  users = { owner, admin, agent, outsider };
  wsA = await createWorkspace(owner, 'Workspace A');
  await createWorkspace(outsider, 'Workspace B');
  adminMemberA = await join(owner, wsA, admin, 'admin');
  agentMemberA = await join(owner, wsA, agent, 'agent');
  fixtureA = await inboxFixture(stack, wsA, 'webchat');
  clients = {
    anon: supabaseClient(stack.url, stack.keys.anon),
    service: supabaseClient(stack.url, stack.keys.service_role),
    owner: owner.client,
    admin: admin.client,
    agent: agent.client,
    outsider: outsider.client,
  };

  specs = {
    profiles: {
      async newRow() {
        const id = await newAuthUser();
        await stack.admin.query('delete from public.profiles where id = $1', [id]);
        return { id, full_name: `p ${uniq()}` };
      },
      patch: () => ({ full_name: `changed ${uniq()}` }),
      // Someone else's profile, visible to A's members because they are an agent of A.
      async afterVictim(row) {
        await stack.admin.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'agent')`, [wsA, row.id]);
      },
    },
    workspaces: {
      newRow: async () => ({ name: `w ${uniq()}`, slug: `w-${uniq()}` }),
      patch: () => ({ name: `changed ${uniq()}` }),
      // A second workspace where A's people hold the same roles, so deleting it costs the suite nothing.
      async afterVictim(row) {
        for (const [who, role] of [['owner', 'owner'], ['admin', 'admin'], ['agent', 'agent']] as const) {
          await stack.admin.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, $3)`, [row.id, users[who].id, role]);
        }
      },
    },
    workspace_members: {
      newRow: async () => ({ workspace_id: wsA, user_id: await newAuthUser(), role: 'agent' }),
      patch: () => ({ display_name: `changed ${uniq()}` }),
    },
    teams: {
      newRow: async () => ({ workspace_id: wsA, name: `t ${uniq()}` }),
      patch: () => ({ name: `changed ${uniq()}` }),
    },
    team_members: {
      async newRow() {
        const { rows } = await stack.admin.query(`insert into public.teams (workspace_id, name) values ($1, $2) returning id`, [wsA, `t ${uniq()}`]);
        return { workspace_id: wsA, team_id: rows[0].id, member_id: agentMemberA };
      },
      patch: () => ({ member_id: adminMemberA }),
    },
    invitations: {
      newRow: async () => ({ workspace_id: wsA, email: `i-${uniq()}@example.com`, role: 'agent', token_hash: randomBytes(32).toString('hex') }),
      patch: () => ({ role: 'admin' }),
    },
    contacts: {
      newRow: async () => ({ workspace_id: wsA, name: `c ${uniq()}`, phone: `+4915${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}` }),
      patch: () => ({ name: `changed ${uniq()}` }),
    },
    channels: {
      newRow: async () => ({ workspace_id: wsA, type: 'webchat', name: `ch ${uniq()}` }),
      patch: () => ({ name: `changed ${uniq()}` }),
    },
    conversations: {
      newRow: async () => ({ workspace_id: wsA, contact_id: fixtureA.contactId, channel_id: fixtureA.channelId }),
      patch: () => ({ priority: 'urgent' }),
    },
    messages: {
      newRow: async () => ({ conversation_id: fixtureA.conversationId, type: 'note', text: `note ${uniq()}` }),
      patch: () => ({ text: `changed ${uniq()}` }),
    },
    canned_responses: {
      newRow: async () => ({ workspace_id: wsA, short_code: `c${uniq()}`, content: 'Thanks for writing!' }),
      patch: () => ({ content: `changed ${uniq()}` }),
    },
    automations: {
      newRow: async () => ({
        workspace_id: wsA,
        name: `a ${uniq()}`,
        event_name: 'conversation_created',
        conditions: [{ attribute_key: 'channel_type', filter_operator: 'equal_to', values: ['whatsapp'] }],
        actions: [{ action_name: 'add_tag', action_params: ['whatsapp'] }],
      }),
      patch: () => ({ name: `changed ${uniq()}` }),
    },
    // AI agents and knowledge (0020, 0021). A fresh agent (and document) per row, made behind the API's back.
    ai_agents: {
      newRow: async () => ({ workspace_id: wsA, name: `ai ${uniq()}` }),
      patch: () => ({ instructions: `changed ${uniq()}` }),
    },
    knowledge_documents: {
      async newRow() {
        const agent = await stack.admin.query(`insert into public.ai_agents (workspace_id, name) values ($1, $2) returning id`, [wsA, `ai ${uniq()}`]);
        return { workspace_id: wsA, agent_id: agent.rows[0].id, title: `d ${uniq()}`, content: 'We open at nine.', doc_type: 'text' };
      },
      patch: () => ({ title: `changed ${uniq()}` }),
    },
    knowledge_chunks: {
      async newRow() {
        const agent = await stack.admin.query(`insert into public.ai_agents (workspace_id, name) values ($1, $2) returning id`, [wsA, `ai ${uniq()}`]);
        const doc = await stack.admin.query(
          `insert into public.knowledge_documents (agent_id, title, content) values ($1, 'd', 'We open at nine.') returning id`,
          [agent.rows[0].id],
        );
        // Ordinal 1 is the trigger's chunk of the document's content.
        return { workspace_id: wsA, agent_id: agent.rows[0].id, document_id: doc.rows[0].id, ordinal: 2, content: `c ${uniq()}` };
      },
      patch: () => ({ content: `changed ${uniq()}` }),
    },
  };
});

after(() => stack?.stop());

async function primaryKey(table: string): Promise<string[]> {
  const { rows } = await stack.admin.query(
    `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
     where i.indrelid = $1::regclass and i.indisprimary order by a.attnum`,
    [`public.${table}`],
  );
  return rows.map((r) => r.attname as string);
}

/** Inserts a row as the superuser (triggers run, defaults apply) and returns its primary key. */
async function insertBehindTheBack(table: string, row: Row): Promise<Row> {
  const cols = Object.keys(row).map((c) => `"${c}"`).join(', ');
  const pk = await primaryKey(table);
  const { rows } = await stack.admin.query(
    `insert into public."${table}" (${cols}) select ${cols} from jsonb_populate_record(null::public."${table}", $1) returning ${pk.map((c) => `"${c}"`).join(', ')}`,
    [JSON.stringify(row)],
  );
  return rows[0];
}

async function fetchBehindTheBack(table: string, key: Row): Promise<Row | undefined> {
  const keys = Object.keys(key);
  const where = keys.map((k, i) => `"${k}" = $${i + 1}`).join(' and ');
  const { rows } = await stack.admin.query(`select to_jsonb(t) as row from public."${table}" t where ${where}`, keys.map((k) => key[k]));
  return rows[0]?.row;
}

async function attempt(table: string, caller: Caller, op: Op): Promise<boolean> {
  const spec = specs[table]!;
  const client = clients[caller];
  if (op === 'insert') {
    const row = await spec.newRow();
    const { error } = await client.from(table).insert(row);
    return error === null;
  }
  const row = await spec.newRow();
  const key = await insertBehindTheBack(table, row);
  await spec.afterVictim?.({ ...row, ...key });
  if (op === 'select') {
    const { data, error } = await client.from(table).select('*').match(key);
    return error === null && (data ?? []).length === 1;
  }
  if (op === 'update') {
    const patch = spec.patch();
    await client.from(table).update(patch).match(key);
    const now = await fetchBehindTheBack(table, key);
    return now !== undefined && Object.entries(patch).every(([k, v]) => now[k] === v);
  }
  await client.from(table).delete().match(key);
  return (await fetchBehindTheBack(table, key)) === undefined;
}

test('every table and view in public has a decision in the matrix, and RLS is on for every table', async () => {
  const { rows } = await stack.admin.query(
    `select c.relname as name, c.relkind as kind, c.relrowsecurity as rls
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f') order by c.relname`,
  );
  const inCatalog = rows.map((r) => r.name as string);
  assert.deepEqual(inCatalog.filter((t) => !(t in EXPECTED)), [], 'tables in public without a decision in EXPECTED');
  assert.deepEqual(Object.keys(EXPECTED).filter((t) => !inCatalog.includes(t)), [], 'decisions for tables that no longer exist');
  assert.deepEqual(rows.filter((r) => r.kind === 'r' && !r.rls).map((r) => r.name), [], 'tables without row level security');
});

test('each caller can do exactly what the matrix says to a row of workspace A', async () => {
  const { rows } = await stack.admin.query(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f') order by c.relname`,
  );
  const ops: Op[] = ['select', 'insert', 'update', 'delete'];
  const mismatches: string[] = [];
  for (const { name } of rows as { name: string }[]) {
    const expected = EXPECTED[name];
    if (!expected || !specs[name]) {
      mismatches.push(`${name}: no decision or no row recipe`);
      continue;
    }
    for (const caller of CALLERS) {
      let got = '';
      for (const [i, op] of ops.entries()) got += (await attempt(name, caller, op)) ? 'SIUD'[i] : '-';
      if (got !== expected[caller]) mismatches.push(`${name} × ${caller}: expected ${expected[caller]}, got ${got}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test('every foreign key in public is served by an index that starts with its columns', async () => {
  const { rows } = await stack.admin.query(`
    select con.conrelid::regclass::text as tbl, con.conname as fk,
      (select array_agg(a.attname order by k.i) from unnest(con.conkey) with ordinality k(attnum, i)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum) as cols
    from pg_constraint con join pg_namespace n on n.oid = con.connamespace
    where con.contype = 'f' and n.nspname = 'public'
      and not exists (
        select 1 from pg_index i
        where i.indrelid = con.conrelid
          and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
          and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey
      )
    order by 1, 2`);
  assert.deepEqual(rows, []);
});

test('functions: none is executable by anon or PUBLIC, and every security definer function pins its search_path', async () => {
  const { rows: open } = await stack.admin.query(`
    select p.oid::regprocedure::text as fn
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'execute')
    order by 1`);
  assert.deepEqual(open, []);
  const { rows: unpinned } = await stack.admin.query(`
    select p.oid::regprocedure::text as fn
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private') and p.prosecdef
      and not coalesce(p.proconfig, '{}') @> array['search_path=""']
    order by 1`);
  assert.deepEqual(unpinned, []);
});

test('policies: every one is scoped to authenticated and names itself in a sentence', async () => {
  const { rows } = await stack.admin.query(`
    select tablename, policyname, roles::text[] as roles from pg_policies where schemaname = 'public' order by 1, 2`);
  assert.ok(rows.length > 0);
  assert.deepEqual(rows.filter((r) => r.roles.join() !== 'authenticated').map((r) => `${r.tablename}: ${r.policyname}`), []);
  assert.deepEqual(rows.filter((r) => !/^[A-Z][a-z]+ can .+/.test(r.policyname)).map((r) => r.policyname), []);
});
