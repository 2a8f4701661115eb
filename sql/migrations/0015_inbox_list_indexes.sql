/**
 * Indexes for the inbox list as supabase-js asks for it:
 *   conversations?select=*,contact:contacts(*),last:messages(*)&status=eq.open&order=last_message_at.desc&limit=50
 * `.order('last_message_at', { ascending: false })` sends `last_message_at.desc`, which Postgres sorts
 * NULLS FIRST; 0007's `(workspace_id, status, last_message_at desc nulls last)` cannot give that order, so
 * the list sorted every open conversation (with its contact and last message) before keeping 50:
 * ~3 s on 100k conversations. With these the list reads 50 index entries (~2 ms).
 *
 * The policy's `workspace_id in (select private.workspace_ids_with_role(…))` is a filter, not an index
 * condition, so a list without a workspace filter walks (status, last_message_at) across workspaces and
 * keeps the caller's rows; an app whose members may belong to several workspaces should add
 * `workspace_id=eq.<id>`, which the first index serves directly.
 */
create index conversations_workspace_status_recent_idx on public.conversations (workspace_id, status, last_message_at desc);
create index conversations_status_recent_idx on public.conversations (status, last_message_at desc);
