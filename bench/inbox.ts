/**
 * The inbox on a big workspace, through a real `convo start` with the app's migrations: 100k
 * conversations and 1M messages generated in SQL (triggers off, then ANALYZE), read at 50 connections by
 * a signed-in agent (a real access token from /auth/v1, RLS applying) with the queries a supabase-js
 * inbox sends: the inbox list (open conversations, newest activity first, with contact and last message,
 * 50 per page) and the conversation view (the last 50 messages of one conversation).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePorts, makeWorkdir, ROOT, startConvo } from '../tests/helpers/convo.ts';
import type { BenchRow, BenchSuite } from './types.ts';
import { runLoad } from './run-load.ts';

export const CONVERSATIONS = 100_000;
/** Conversations 1..LONG have LONG_MESSAGES messages (the conversation view reads them); the rest SHORT_MESSAGES. */
const LONG = 10_000;
const LONG_MESSAGES = 55;
const SHORT_MESSAGES = 5;
export const MESSAGES = LONG * LONG_MESSAGES + (CONVERSATIONS - LONG) * SHORT_MESSAGES;
const EMAIL = 'agent@bench.local';
const PASSWORD = 'bench-agent-password';

/** Row ids derived from the row number, so load URLs can name a random conversation (`{uuid}` in bench/load.ts). */
const uuidOf = (prefix: string, n: string) => `('${prefix}' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const CONV_PREFIX = '00000000-0000-4000-8000-';

/**
 * One workspace (plus a small second one, so RLS has something to keep out), its agent, a WhatsApp
 * channel, one contact per conversation; statuses 30% open, 20% pending, 40% resolved, 10% snoozed.
 */
export function generationSql(): string {
  return `
set session_replication_role = replica;
set maintenance_work_mem = '256MB';
-- Bulk-load practice: secondary indexes (full-text, trigram, non-unique b-trees) are dropped before the
-- load and rebuilt after it from their own definitions, which is several times faster than maintaining them.
create temp table bench_indexes as
  select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
  from pg_index i
  where i.indrelid in ('public.contacts'::regclass, 'public.conversations'::regclass, 'public.messages'::regclass)
    and not i.indisunique and not i.indisprimary;
do $$ declare r record; begin for r in select * from bench_indexes loop execute 'drop index ' || r.name; end loop; end $$;
insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values ('b0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', '${EMAIL}', extensions.crypt('${PASSWORD}', extensions.gen_salt('bf', 10)), now(),
        '{"provider": "email", "providers": ["email"]}', '{"full_name": "Bench Agent"}');
insert into auth.identities (provider_id, user_id, identity_data, provider)
values ('b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', '{"sub": "b0000000-0000-4000-8000-000000000001", "email": "${EMAIL}"}', 'email');
insert into public.profiles (id, email, full_name) values ('b0000000-0000-4000-8000-000000000001', '${EMAIL}', 'Bench Agent');
insert into public.workspaces (id, name, slug) values ('b1000000-0000-4000-8000-000000000001', 'Bench', 'bench'), ('b1000000-0000-4000-8000-000000000002', 'Other', 'other');
insert into public.workspace_members (id, workspace_id, user_id, role) values ('b2000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'agent');
insert into public.channels (id, workspace_id, type, name, status, test_mode) values
  ('b3000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000001', 'whatsapp', 'WhatsApp', 'active', true),
  ('b3000000-0000-4000-8000-000000000002', 'b1000000-0000-4000-8000-000000000002', 'whatsapp', 'WhatsApp', 'active', true);

insert into public.contacts (id, workspace_id, name, phone, wa_id, email)
select ${uuidOf('c0000000-0000-4000-8000-', 'g')}, 'b1000000-0000-4000-8000-000000000001', 'Contact ' || g,
       '+1555' || lpad(g::text, 7, '0'), '1555' || lpad(g::text, 7, '0'), 'contact' || g || '@example.com'
from generate_series(1, ${CONVERSATIONS}) g;

insert into public.conversations (id, workspace_id, contact_id, channel_id, status, priority, assignee_id, tags, unread_count,
                                  last_message_at, last_inbound_at, created_at)
select ${uuidOf(CONV_PREFIX, 'g')}, 'b1000000-0000-4000-8000-000000000001', ${uuidOf('c0000000-0000-4000-8000-', 'g')},
       'b3000000-0000-4000-8000-000000000001',
       case when g % 10 < 3 then 'open' when g % 10 < 5 then 'pending' when g % 10 < 9 then 'resolved' else 'snoozed' end,
       (array[null, 'low', 'medium', 'high', 'urgent'])[1 + g % 5],
       case when g % 3 = 0 then 'b2000000-0000-4000-8000-000000000001'::uuid end,
       case when g % 7 = 0 then array['vip'] else '{}' end,
       g % 4,
       now() - make_interval(secs => g * 30), now() - make_interval(secs => g * 30), now() - make_interval(secs => g * 30 + 86400)
from generate_series(1, ${CONVERSATIONS}) g;

-- Message k of conversation g: the last one (k = 1) is at the conversation's last_message_at.
insert into public.messages (id, workspace_id, conversation_id, channel_id, direction, sender_type, type, text, status, created_at)
select (lpad(to_hex(g), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid,
       'b1000000-0000-4000-8000-000000000001', ${uuidOf(CONV_PREFIX, 'g')}, 'b3000000-0000-4000-8000-000000000001',
       case when k % 2 = 1 then 'inbound' else 'outbound' end,
       case when k % 2 = 1 then 'contact' else 'agent' end,
       'text',
       case when k % 2 = 1 then 'Hello, I have a question about order #' || (g * 7 + k) || ', when will it arrive?'
            else 'Thanks for writing! Your order ships tomorrow and arrives in 2 to 4 days.' end,
       case when k % 2 = 0 then 'read' end,
       now() - make_interval(secs => g * 30 + (k - 1) * 60)
from generate_series(1, ${CONVERSATIONS}) g
cross join lateral generate_series(1, case when g <= ${LONG} then ${LONG_MESSAGES} else ${SHORT_MESSAGES} end) k;
do $$ declare r record; begin for r in select * from bench_indexes loop execute r.def; end loop; end $$;
set session_replication_role = origin;
analyze;
`;
}

export const INBOX_PATH = '/rest/v1/conversations?select=*,contact:contacts(*),last:messages(*)&status=eq.open&order=last_message_at.desc&limit=50&last.order=created_at.desc&last.limit=1';
export const VIEW_PATH = `/rest/v1/messages?conversation_id=eq.${CONV_PREFIX}{uuid12}&order=created_at.desc&limit=50`;

const row = (name: string, value: number, unit: string, note: string): BenchRow => ({ name, value, unit, baseline: null, ratio: null, target: '-', met: null, note });

export const inboxSuite: BenchSuite = {
  names: ['inbox.generate', 'inbox.list', 'inbox.list.p99', 'inbox.conversation_view', 'inbox.conversation_view.p99'],
  async run(only) {
    const wd = await makeWorkdir();
    // The app's migrations, not its seed: the generated workspace is the only data.
    await fs.cp(path.join(ROOT, 'sql', 'migrations'), wd.migrationsDir, { recursive: true });
    const convo = await startConvo(wd, await freePorts(), { LOG_LEVEL: 'warn' });
    const rows: BenchRow[] = [];
    try {
      const db = new pg.Client({ connectionString: convo.status.db_url });
      await db.connect();
      const began = performance.now();
      try {
        await db.query(generationSql());
      } finally {
        await db.end();
      }
      const seconds = (performance.now() - began) / 1000;
      process.stderr.write(`inbox: generated ${CONVERSATIONS.toLocaleString('en')} conversations and ${MESSAGES.toLocaleString('en')} messages in ${seconds.toFixed(1)} s\n`);
      if (only('inbox.generate')) rows.push(row('inbox.generate', Math.round(seconds * 10) / 10, 's', `${CONVERSATIONS} conversations, ${MESSAGES} messages, 100k contacts; triggers off, then ANALYZE`));

      const res = await fetch(`${convo.status.api_url}/auth/v1/token?grant_type=password`, {
        method: 'POST',
        headers: { apikey: convo.status.anon_key, 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      });
      const session = (await res.json()) as { access_token?: string };
      if (!session.access_token) throw new Error(`agent sign-in answered ${res.status}: ${JSON.stringify(session)}`);
      const rest = { url: convo.status.api_url, headers: { apikey: convo.status.anon_key, authorization: `Bearer ${session.access_token}` } };

      // The answers are what an inbox expects: 50 open conversations, each with its contact and one message.
      const check = await fetch(`${rest.url}${INBOX_PATH}`, { headers: rest.headers });
      const page = (await check.json()) as { status: string; contact: unknown; last: unknown[] }[];
      if (check.status !== 200 || page.length !== 50 || page.some((c) => c.status !== 'open' || !c.contact || c.last.length !== 1)) {
        throw new Error(`inbox list answered ${check.status}: ${JSON.stringify(page).slice(0, 300)}`);
      }

      if (only('inbox.list') || only('inbox.list.p99')) {
        await runLoad({ ...rest, path: INBOX_PATH, duration: 1 });
        const r = await runLoad({ ...rest, path: INBOX_PATH });
        if (only('inbox.list')) rows.push(row('inbox.list', Math.round(r.rps), 'req/s', `open conversations + contact + last message, 50 per page, agent JWT under RLS; p50 ${r.p50} ms, p99 ${r.p99} ms`));
        if (only('inbox.list.p99')) rows.push(row('inbox.list.p99', r.p99, 'ms', `p50 ${r.p50} ms`));
      }
      if (only('inbox.conversation_view') || only('inbox.conversation_view.p99')) {
        await runLoad({ ...rest, path: VIEW_PATH, max: LONG, duration: 1 });
        const r = await runLoad({ ...rest, path: VIEW_PATH, max: LONG });
        if (only('inbox.conversation_view')) rows.push(row('inbox.conversation_view', Math.round(r.rps), 'req/s', `last 50 messages of a random conversation (of ${LONG} with ${LONG_MESSAGES}); p50 ${r.p50} ms, p99 ${r.p99} ms`));
        if (only('inbox.conversation_view.p99')) rows.push(row('inbox.conversation_view.p99', r.p99, 'ms', `p50 ${r.p50} ms`));
      }
    } finally {
      await convo.stop();
      await wd.remove();
    }
    return rows;
  },
};
