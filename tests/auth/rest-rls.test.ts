import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { supabaseClient } from '../helpers/supabase.ts';
import { startAuthRestStack } from './auth-rest-stack.ts';
import type { AuthStack } from './auth-server.ts';

const FIXTURE = `
  create table public.notes (
    id bigint generated always as identity primary key,
    owner uuid not null default auth.uid() references auth.users (id) on delete cascade,
    body text not null
  );
  create policy "Users can read their own notes" on public.notes for select to authenticated using (owner = (select auth.uid()));
  create policy "Users can write their own notes" on public.notes for insert to authenticated with check (owner = (select auth.uid()));
`;

let stack: AuthStack;

before(async () => {
  stack = await startAuthRestStack(FIXTURE);
});

after(() => stack?.stop());

test("a signed-in user's token reaches /rest/v1 as auth.uid(): each user sees only their own rows", async () => {
  const ada = supabaseClient(stack.url, stack.keys.anon);
  const bob = supabaseClient(stack.url, stack.keys.anon);
  const { data: a } = await ada.auth.signUp({ email: 'ada@example.com', password: 'correct-horse' });
  const { data: b } = await bob.auth.signUp({ email: 'bob@example.com', password: 'correct-horse' });

  const inserted = await ada.from('notes').insert({ body: 'from ada' }).select('owner, body').single();
  assert.equal(inserted.error, null);
  assert.deepEqual(inserted.data, { owner: a.user!.id, body: 'from ada' });
  assert.equal((await bob.from('notes').insert({ body: 'from bob' })).error, null);

  const adaRows = await ada.from('notes').select('owner, body');
  assert.deepEqual(adaRows.data, [{ owner: a.user!.id, body: 'from ada' }]);
  const bobRows = await bob.from('notes').select('owner, body');
  assert.deepEqual(bobRows.data, [{ owner: b.user!.id, body: 'from bob' }]);

  const forged = await bob.from('notes').insert({ body: 'as ada', owner: a.user!.id });
  assert.equal(forged.error?.code, '42501');
  const anonRows = await supabaseClient(stack.url, stack.keys.anon).from('notes').select('*');
  assert.equal(anonRows.error, null);
  assert.deepEqual(anonRows.data, []);
});
