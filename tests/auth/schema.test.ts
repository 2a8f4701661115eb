import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import bcrypt from 'bcryptjs';
import { createScryptHasher } from '../../supabase/auth/password.ts';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';

let stack: AuthStack;
let client: pg.Client;

before(async () => {
  stack = await startAuthStack();
  client = new pg.Client({ connectionString: stack.db.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await stack?.stop();
});

const AUTH_TABLES = ['audit_log_entries', 'flow_state', 'identities', 'mail_outbox', 'mfa_amr_claims', 'one_time_tokens', 'refresh_tokens', 'sessions', 'sms_outbox', 'users'];

test('platform migrations 0005 to 0008 create the auth tables (mail and SMS outboxes, PKCE flow state) with RLS on', async () => {
  const { rows } = await client.query<{ relname: string; relrowsecurity: boolean }>(
    `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'auth' and c.relkind = 'r' order by 1`,
  );
  assert.deepEqual(rows, AUTH_TABLES.map((relname) => ({ relname, relrowsecurity: true })));
});

test('no API role can read or write any auth table', async () => {
  for (const role of ['anon', 'authenticated', 'service_role', 'authenticator']) {
    for (const table of AUTH_TABLES) {
      for (const privilege of ['select', 'insert', 'update', 'delete']) {
        const { rows } = await client.query<{ ok: boolean }>('select has_table_privilege($1, $2, $3) as ok', [role, `auth.${table}`, privilege]);
        assert.equal(rows[0]?.ok, false, `${role} ${privilege} auth.${table}`);
      }
    }
  }
  await client.query('begin');
  try {
    await client.query('set local role service_role');
    await assert.rejects(client.query('select * from auth.users'), /permission denied/);
  } finally {
    await client.query('rollback');
  }
});

test("an issued access token, set as request.jwt.claims, makes auth.uid() the user's id", async () => {
  const { data } = await supabaseClient(stack.url, stack.keys.anon).auth.signUp({ email: 'rls@example.com', password: 'correct-horse' });
  const token = data.session!.access_token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  await client.query('begin');
  try {
    await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [claims.role, JSON.stringify(claims)]);
    const { rows } = await client.query<{ uid: string; role: string; email: string; user: string }>(
      'select auth.uid() as uid, auth.role() as role, auth.email() as email, current_user as user',
    );
    assert.deepEqual(rows[0], { uid: data.user!.id, role: 'authenticated', email: 'rls@example.com', user: 'authenticated' });
  } finally {
    await client.query('rollback');
  }
});

test('a signup writes the user, identity, session, refresh token and audit entries in one go', async () => {
  const { data } = await supabaseClient(stack.url, stack.keys.anon).auth.signUp({ email: 'rows@example.com', password: 'correct-horse' });
  const id = data.user!.id;
  const count = async (sql: string) => Number((await client.query<{ n: string }>(sql, [id])).rows[0]!.n);
  assert.equal(await count('select count(*) as n from auth.identities where user_id = $1'), 1);
  assert.equal(await count('select count(*) as n from auth.sessions where user_id = $1'), 1);
  assert.equal(await count('select count(*) as n from auth.refresh_tokens where user_id = $1::text and revoked = false'), 1);
  assert.equal(await count(`select count(*) as n from auth.audit_log_entries where payload ->> 'actor_id' = $1::text`), 2);
  const { rows } = await client.query<{ encrypted_password: string }>('select encrypted_password from auth.users where id = $1', [id]);
  assert.match(rows[0]!.encrypted_password, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.equal(rows[0]!.encrypted_password.includes('correct-horse'), false);
});

test('users whose stored hash is scrypt (before bcrypt) or made by GoTrue still sign in', async () => {
  const sb = supabaseClient(stack.url, stack.keys.anon);
  const { data } = await sb.auth.signUp({ email: 'legacy@example.com', password: 'first-password' });
  const id = data.user!.id;
  await client.query('update auth.users set encrypted_password = $2 where id = $1', [id, await createScryptHasher().hash('old-scrypt-pw')]);
  const old = await sb.auth.signInWithPassword({ email: 'legacy@example.com', password: 'old-scrypt-pw' });
  assert.equal(old.error, null);
  assert.equal(old.data.user!.id, id);
  const gotrue = bcrypt.hashSync('gotrue-pw', bcrypt.genSaltSync(10).replace(/^\$2b\$/, '$2a$'));
  await client.query('update auth.users set encrypted_password = $2 where id = $1', [id, gotrue]);
  assert.equal((await sb.auth.signInWithPassword({ email: 'legacy@example.com', password: 'gotrue-pw' })).error, null);
  assert.equal((await sb.auth.signInWithPassword({ email: 'legacy@example.com', password: 'old-scrypt-pw' })).error?.code, 'invalid_credentials');
});
