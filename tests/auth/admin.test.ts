import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthApiError } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';

let stack: AuthStack;

before(async () => {
  stack = await startAuthStack();
});

after(async () => {
  await stack?.stop();
});

const admin = () => supabaseClient(stack.url, stack.keys.service_role).auth.admin;
const anon = () => supabaseClient(stack.url, stack.keys.anon);

test('admin.createUser makes a user, unconfirmed unless email_confirm, with metadata and role', async () => {
  const { data, error } = await admin().createUser({
    email: 'Staff@Example.com',
    password: 'correct-horse',
    email_confirm: true,
    user_metadata: { name: 'Grace' },
    app_metadata: { plan: 'team' },
  });
  assert.equal(error, null);
  const user = data.user!;
  assert.equal(user.email, 'staff@example.com');
  assert.ok(user.email_confirmed_at);
  assert.deepEqual(user.app_metadata, { provider: 'email', providers: ['email'], plan: 'team' });
  assert.equal(user.user_metadata.name, 'Grace');
  const signIn = await anon().auth.signInWithPassword({ email: 'staff@example.com', password: 'correct-horse' });
  assert.equal(signIn.error, null);

  const pending = await admin().createUser({ email: 'pending@example.com', password: 'correct-horse' });
  assert.equal(pending.data.user?.email_confirmed_at, undefined);
  const refused = await anon().auth.signInWithPassword({ email: 'pending@example.com', password: 'correct-horse' });
  assert.equal(refused.error?.code, 'email_not_confirmed');
  assert.equal(refused.error?.status, 400);

  const dup = await admin().createUser({ email: 'staff@example.com', password: 'correct-horse' });
  assert.ok(dup.error instanceof AuthApiError);
  assert.equal(dup.error.status, 422);
  assert.equal(dup.error.code, 'email_exists');
});

test('admin.listUsers pages with X-Total-Count and Link like GoTrue', async () => {
  for (let i = 0; i < 3; i++) await admin().createUser({ email: `list${i}@example.com`, password: 'correct-horse', email_confirm: true });
  const all = await admin().listUsers();
  assert.equal(all.error, null);
  const total = (all.data as { total: number }).total;
  assert.ok(total >= 3);
  assert.equal(all.data.users.length, total);
  const page = await admin().listUsers({ page: 1, perPage: 2 });
  assert.equal(page.data.users.length, 2);
  assert.equal((page.data as { nextPage: number | null }).nextPage, 2);
  const raw = await fetch(`${stack.url}/auth/v1/admin/users?page=2&per_page=2`, {
    headers: { apikey: stack.keys.service_role, authorization: `Bearer ${stack.keys.service_role}` },
  });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.get('x-total-count'), String(total));
  const body = (await raw.json()) as { users: unknown[]; aud: string };
  assert.equal(body.aud, 'authenticated');
});

test('admin get, update (metadata merge, password, ban) and delete a user', async () => {
  const created = await admin().createUser({ email: 'target@example.com', password: 'correct-horse', email_confirm: true, user_metadata: { a: 1, b: 2 } });
  const id = created.data.user!.id;
  const got = await admin().getUserById(id);
  assert.equal(got.data.user?.email, 'target@example.com');

  const client = anon();
  const { data: signedIn } = await client.auth.signInWithPassword({ email: 'target@example.com', password: 'correct-horse' });
  const refresh = signedIn.session!.refresh_token;

  const updated = await admin().updateUserById(id, { user_metadata: { b: null, c: 3 }, role: 'authenticated' });
  assert.equal(updated.error, null);
  assert.equal(updated.data.user?.user_metadata.a, 1);
  assert.equal('b' in (updated.data.user?.user_metadata ?? {}), false);
  assert.equal(updated.data.user?.user_metadata.c, 3);

  const banned = await admin().updateUserById(id, { ban_duration: '24h' });
  assert.equal(banned.error, null);
  assert.ok(banned.data.user?.banned_until);
  const me = await client.auth.getUser();
  assert.ok(me.error);
  const refreshed = await fetch(`${stack.url}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST',
    headers: { apikey: stack.keys.anon, 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refresh }),
  });
  assert.equal(refreshed.status, 400);
  const login = await anon().auth.signInWithPassword({ email: 'target@example.com', password: 'correct-horse' });
  assert.equal(login.error?.code, 'user_banned');
  const badBan = await admin().updateUserById(id, { ban_duration: 'forever' });
  assert.equal(badBan.error?.status, 400);
  await admin().updateUserById(id, { ban_duration: 'none', password: 'battery-staple' });
  assert.equal((await anon().auth.signInWithPassword({ email: 'target@example.com', password: 'battery-staple' })).error, null);

  const survivor = anon();
  await survivor.auth.signInWithPassword({ email: 'target@example.com', password: 'battery-staple' });
  const deleted = await admin().deleteUser(id);
  assert.equal(deleted.error, null);
  const gone = await admin().getUserById(id);
  assert.equal(gone.error?.status, 404);
  assert.equal(gone.error?.code, 'user_not_found');
  const orphan = await survivor.auth.getUser();
  assert.ok(orphan.error);
  assert.equal((orphan.error as AuthApiError).code, 'user_not_found');
});

test('soft delete keeps the row but the user can no longer sign in or be listed', async () => {
  const { data } = await admin().createUser({ email: 'soft@example.com', password: 'correct-horse', email_confirm: true });
  const id = data.user!.id;
  assert.equal((await admin().deleteUser(id, true)).error, null);
  const got = await admin().getUserById(id);
  assert.ok(got.data.user?.deleted_at);
  assert.equal(got.data.user?.email, '');
  const login = await anon().auth.signInWithPassword({ email: 'soft@example.com', password: 'correct-horse' });
  assert.equal(login.error?.code, 'invalid_credentials');
  const listed = await admin().listUsers({ perPage: 1000 });
  assert.equal(listed.data.users.some((u) => u.id === id), false);
  // The email is free again.
  assert.equal((await admin().createUser({ email: 'soft@example.com', password: 'correct-horse' })).error, null);
});

test('admin endpoints refuse the anon key and user tokens with 403 not_admin, and no token with 401', async () => {
  const { data } = await anon().auth.signUp({ email: 'plain@example.com', password: 'correct-horse' });
  const userToken = data.session!.access_token;
  for (const bearer of [stack.keys.anon, userToken]) {
    for (const [method, path] of [['GET', '/admin/users'], ['POST', '/admin/users'], ['GET', `/admin/users/${data.user!.id}`], ['DELETE', `/admin/users/${data.user!.id}`]] as const) {
      const res = await fetch(`${stack.url}/auth/v1${path}`, {
        method,
        headers: { apikey: stack.keys.anon, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: JSON.stringify({ email: 'evil@example.com', password: 'correct-horse' }) } : {}),
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.deepEqual(await res.json(), { code: 403, error_code: 'not_admin', msg: 'User not allowed' });
    }
  }
  const none = await fetch(`${stack.url}/auth/v1/admin/users`, { headers: { apikey: stack.keys.service_role } });
  assert.equal(none.status, 401);
  const viaClient = await supabaseClient(stack.url, stack.keys.anon).auth.admin.listUsers();
  assert.equal(viaClient.error?.status, 403);
  // The user still exists: the refused DELETE did nothing.
  assert.equal((await admin().getUserById(data.user!.id)).error, null);
});
