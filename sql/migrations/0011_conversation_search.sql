/**
 * Inbox search: conversations whose contact (name, phone, email) or messages match a free-text query.
 * A set-returning RPC, so the usual filters, order and paging apply on top:
 *   supabase.rpc('search_conversations', { workspace_id, query: 'refund' })
 *     .eq('status', 'open').contains('tags', ['vip']).order('last_message_at', { ascending: false }).range(0, 49)
 * Runs as the caller, so RLS decides what it sees.
 */
create function public.search_conversations(workspace_id uuid, query text)
returns setof public.conversations
language sql
stable
set search_path = ''
as $$
  with q as (
    select
      websearch_to_tsquery('simple', search_conversations.query) as ts,
      '%' || replace(replace(replace(btrim(search_conversations.query), '\', '\\'), '%', '\%'), '_', '\_') || '%' as pattern
  )
  select c.*
  from public.conversations c, q
  where c.workspace_id = search_conversations.workspace_id
    and btrim(coalesce(search_conversations.query, '')) <> ''
    and (
      exists (
        select 1 from public.contacts ct
        where ct.workspace_id = c.workspace_id and ct.id = c.contact_id
          and (ct.search @@ q.ts or ct.name ilike q.pattern or ct.phone like q.pattern or ct.email::text ilike q.pattern)
      )
      or exists (
        select 1 from public.messages m
        where m.workspace_id = c.workspace_id and m.conversation_id = c.id and m.search @@ q.ts
      )
    )
  order by c.last_message_at desc nulls last, c.id
$$;

revoke execute on function public.search_conversations(uuid, text) from public;
grant execute on function public.search_conversations(uuid, text) to authenticated, service_role;
