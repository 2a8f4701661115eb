/** Signed-in users and workspaces for the product suites, made through /auth/v1 and the RPCs as an app would. */
import assert from 'node:assert/strict';
import type { SupabaseClient } from '@supabase/supabase-js';
import { supabaseClient } from '../helpers/supabase.ts';
import type { ProductStack } from './product-stack.ts';

export interface User {
  id: string;
  email: string;
  client: SupabaseClient;
}

let counter = 0;

/** Signs up a fresh user; the returned client carries their session. */
export async function signUp(stack: ProductStack, name: string): Promise<User> {
  const email = `${name}-${++counter}-${Date.now()}@example.com`;
  const client = supabaseClient(stack.url, stack.keys.anon);
  const { data, error } = await client.auth.signUp({ email, password: 'correct-horse-battery', options: { data: { full_name: name } } });
  assert.equal(error, null);
  return { id: data.user!.id, email, client };
}

/** `create_workspace` as `owner`; returns the workspace id. */
export async function createWorkspace(owner: User, name: string): Promise<string> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${++counter}`;
  const { data, error } = await owner.client.rpc('create_workspace', { name, slug });
  assert.equal(error, null, JSON.stringify(error));
  return (data as { id: string }).id;
}

/** Invites `user` as `role` (by `inviter`, an admin) and has them accept; returns the membership id. */
export async function join(inviter: User, workspaceId: string, user: User, role: 'admin' | 'agent'): Promise<string> {
  const invited = await inviter.client.rpc('create_invitation', { workspace_id: workspaceId, email: user.email, role });
  assert.equal(invited.error, null, JSON.stringify(invited.error));
  const token = (invited.data as { token: string }[])[0]!.token;
  const accepted = await user.client.rpc('accept_invitation', { token });
  assert.equal(accepted.error, null, JSON.stringify(accepted.error));
  return (accepted.data as { id: string }).id;
}

export async function memberId(stack: ProductStack, workspaceId: string, userId: string): Promise<string> {
  const { rows } = await stack.admin.query('select id from public.workspace_members where workspace_id = $1 and user_id = $2', [workspaceId, userId]);
  return rows[0].id as string;
}

/** A channel, a contact and a conversation in the workspace, made behind the API's back; returns their ids. */
export async function inboxFixture(stack: ProductStack, workspaceId: string, channelType = 'whatsapp') {
  const n = ++counter;
  const channel = await stack.admin.query(
    `insert into public.channels (workspace_id, type, name) values ($1, $2, $3) returning id`,
    [workspaceId, channelType, `channel ${n}`],
  );
  const contact = await stack.admin.query(
    `insert into public.contacts (workspace_id, name, phone) values ($1, $2, $3) returning id`,
    [workspaceId, `Contact ${n}`, `+1555${String(1000000 + n).slice(-7)}`],
  );
  const conversation = await stack.admin.query(
    `insert into public.conversations (workspace_id, contact_id, channel_id) values ($1, $2, $3) returning id`,
    [workspaceId, contact.rows[0].id, channel.rows[0].id],
  );
  return { channelId: channel.rows[0].id as string, contactId: contact.rows[0].id as string, conversationId: conversation.rows[0].id as string };
}

export interface TwoWorkspaces {
  owner: User;
  admin: User;
  agent: User;
  outsider: User;
  /** Acme: owner, with admin and agent as members. */
  wsA: string;
  /** Other: the outsider's own workspace. */
  wsB: string;
}

/** The usual cast: an owner with an admin and an agent in workspace A, and an outsider who owns workspace B. */
export async function twoWorkspaces(stack: ProductStack): Promise<TwoWorkspaces> {
  const owner = await signUp(stack, 'owner');
  const admin = await signUp(stack, 'admin');
  const agent = await signUp(stack, 'agent');
  const outsider = await signUp(stack, 'outsider');
  const wsA = await createWorkspace(owner, 'Acme');
  const wsB = await createWorkspace(outsider, 'Other');
  await join(owner, wsA, admin, 'admin');
  await join(owner, wsA, agent, 'agent');
  return { owner, admin, agent, outsider, wsA, wsB };
}
