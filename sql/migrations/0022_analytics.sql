/**
 * Analytics: the inbox's figures over the last `days` days, computed in SQL by one RPC, with the
 * indexes that keep it to index range scans of the window on a workspace with a million messages.
 *
 * Errors: 42501 (403) the caller is not a member of the workspace; 22023 (400) days out of range;
 * PT404 (404) no such workspace (service_role only: members always have one).
 */

-- Every figure reads one workspace's rows in a time window, by the column that dates the event.
create index conversations_workspace_created_idx on public.conversations (workspace_id, created_at);
create index conversations_workspace_first_response_idx on public.conversations (workspace_id, first_response_at)
  where first_response_at is not null;
create index conversations_workspace_resolved_idx on public.conversations (workspace_id, resolved_at)
  where resolved_at is not null;
/** Covers the message counts: an index-only scan of the window, without visiting the table. */
create index messages_workspace_created_idx on public.messages (workspace_id, created_at)
  include (direction, sender_type, sender_member_id, type);

/**
 * The workspace's figures for the last `days` calendar days in its time zone (today included): the
 * window runs from local midnight `days - 1` days ago to local midnight tonight. Each event counts on
 * the day it happened, in the workspace's time zone:
 *
 *   conversations_created      conversations whose created_at is in the window
 *   inbound_messages           messages from contacts (direction inbound)
 *   outbound_messages          messages to contacts, from members, the AI or the system; private notes are not messages here
 *   first_responses            conversations whose first reply (first_response_at: the first agent or AI
 *                              message, set by the messages trigger) is in the window
 *   avg_first_response_seconds mean of first_response_at − created_at over those (NULL when there are none)
 *   resolutions                conversations resolved in the window (resolved_at; a conversation reopened
 *                              since has no resolved_at and no longer counts: there is no status history)
 *   avg_resolution_seconds     mean of resolved_at − created_at over those
 *   ai_handled                 resolutions with at least one AI reply and no reply from a member
 *   human_handled              resolutions with at least one reply from a member (whatever the AI did)
 *   unanswered                 resolutions with no reply at all (ai_handled + human_handled + unanswered = resolutions)
 *   per_day                    one row per local date, zero-filled: date, conversations_created,
 *                              inbound_messages, outbound_messages, resolutions, avg_first_response_seconds
 *   per_agent                  one row per member, by display name: member_id, display_name,
 *                              conversations_assigned (created in the window and assigned to them now),
 *                              messages_sent (their outbound messages, notes excluded), resolutions (of
 *                              conversations assigned to them), avg_first_response_seconds (over the
 *                              first responses they wrote)
 *
 * Averages are in seconds, rounded to 0.1. Members of the workspace may call it (and service_role);
 * anyone else gets 42501. Security definer so that it reads the window through its indexes once, rather
 * than calling the RLS helpers for every row; the membership check at the top is the access control.
 */
create function public.analytics(p_workspace_id uuid, days integer default 30)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  tz text;
  today date;
  first_day date;
  since timestamptz;
  until timestamptz;
  result jsonb;
begin
  if analytics.days is null or analytics.days not between 1 and 366 then
    raise exception 'days must be between 1 and 366' using errcode = '22023';
  end if;
  if (select auth.role()) is distinct from 'service_role' and not private.is_workspace_member(p_workspace_id) then
    raise exception 'only members of a workspace can read its analytics'
      using errcode = '42501', hint = 'Sign in as a member of the workspace.';
  end if;
  select w.timezone into tz from public.workspaces w where w.id = p_workspace_id;
  if tz is null then
    raise exception 'workspace not found' using errcode = 'PT404';
  end if;

  today := (now() at time zone tz)::date;
  first_day := today - (analytics.days - 1);
  since := first_day::timestamp at time zone tz;
  until := (today + 1)::timestamp at time zone tz;

  with
  -- The window's messages, counted by local day, direction, sender type and member: one index-only scan.
  msg as (
    select (m.created_at at time zone tz)::date as day, m.direction, m.sender_type, m.sender_member_id, count(*) as n
    from public.messages m
    where m.workspace_id = p_workspace_id and m.created_at >= since and m.created_at < until and m.type <> 'note'
    group by 1, 2, 3, 4
  ),
  created as (
    select c.id, c.assignee_id, (c.created_at at time zone tz)::date as day
    from public.conversations c
    where c.workspace_id = p_workspace_id and c.created_at >= since and c.created_at < until
  ),
  -- First replies in the window, with the member who wrote them (NULL when the AI did).
  first_reply as (
    select (c.first_response_at at time zone tz)::date as day,
      extract(epoch from c.first_response_at - c.created_at) as seconds,
      author.sender_member_id
    from public.conversations c
    left join lateral (
      select m.sender_member_id
      from public.messages m
      where m.workspace_id = c.workspace_id and m.conversation_id = c.id and m.created_at = c.first_response_at
        and m.direction = 'outbound' and m.sender_type in ('agent', 'ai') and m.type <> 'note'
      order by m.sender_type, m.id -- 'agent' before 'ai' when both replied in the same instant
      limit 1
    ) author on true
    where c.workspace_id = p_workspace_id and c.first_response_at >= since and c.first_response_at < until
  ),
  resolved as (
    select c.assignee_id, (c.resolved_at at time zone tz)::date as day,
      extract(epoch from c.resolved_at - c.created_at) as seconds,
      exists (
        select 1 from public.messages m
        where m.workspace_id = c.workspace_id and m.conversation_id = c.id
          and m.direction = 'outbound' and m.sender_type = 'agent' and m.type <> 'note'
      ) as human_replied,
      exists (
        select 1 from public.messages m
        where m.workspace_id = c.workspace_id and m.conversation_id = c.id
          and m.direction = 'outbound' and m.sender_type = 'ai' and m.type <> 'note'
      ) as ai_replied
    from public.conversations c
    where c.workspace_id = p_workspace_id and c.resolved_at >= since and c.resolved_at < until
  ),
  window_day as (
    select first_day + i as day from generate_series(0, analytics.days - 1) as i
  ),
  -- Per-day and per-member figures are grouped once and joined, never counted per row of the other side.
  per_day as (
    select jsonb_agg(jsonb_build_object(
      'date', d.day,
      'conversations_created', coalesce(cd.n, 0),
      'inbound_messages', coalesce(md.inbound, 0),
      'outbound_messages', coalesce(md.outbound, 0),
      'resolutions', coalesce(rd.n, 0),
      'avg_first_response_seconds', fd.avg_seconds
    ) order by d.day) as agg
    from window_day d
    left join (select x.day, count(*) as n from created x group by 1) cd on cd.day = d.day
    left join (
      select x.day, sum(x.n) filter (where x.direction = 'inbound') as inbound, sum(x.n) filter (where x.direction = 'outbound') as outbound
      from msg x group by 1
    ) md on md.day = d.day
    left join (select x.day, count(*) as n from resolved x group by 1) rd on rd.day = d.day
    left join (select x.day, round(avg(x.seconds), 1) as avg_seconds from first_reply x group by 1) fd on fd.day = d.day
  ),
  per_agent as (
    select jsonb_agg(jsonb_build_object(
      'member_id', wm.id,
      'display_name', coalesce(wm.display_name, p.full_name, p.email::text),
      'conversations_assigned', coalesce(ca.n, 0),
      'messages_sent', coalesce(ms.n, 0),
      'resolutions', coalesce(rs.n, 0),
      'avg_first_response_seconds', fr.avg_seconds
    ) order by coalesce(wm.display_name, p.full_name, p.email::text), wm.id) as agg
    from public.workspace_members wm
    left join public.profiles p on p.id = wm.user_id
    left join (select x.assignee_id, count(*) as n from created x group by 1) ca on ca.assignee_id = wm.id
    left join (
      select x.sender_member_id, sum(x.n) as n from msg x
      where x.direction = 'outbound' and x.sender_type = 'agent' group by 1
    ) ms on ms.sender_member_id = wm.id
    left join (select x.assignee_id, count(*) as n from resolved x group by 1) rs on rs.assignee_id = wm.id
    left join (select x.sender_member_id, round(avg(x.seconds), 1) as avg_seconds from first_reply x group by 1) fr
      on fr.sender_member_id = wm.id
    where wm.workspace_id = p_workspace_id
  )
  select jsonb_build_object(
    'workspace_id', p_workspace_id,
    'timezone', tz,
    'days', analytics.days,
    'from', first_day,
    'to', today,
    'conversations_created', (select count(*) from created),
    'inbound_messages', (select coalesce(sum(x.n), 0) from msg x where x.direction = 'inbound'),
    'outbound_messages', (select coalesce(sum(x.n), 0) from msg x where x.direction = 'outbound'),
    'first_responses', (select count(*) from first_reply),
    'avg_first_response_seconds', (select round(avg(x.seconds), 1) from first_reply x),
    'resolutions', (select count(*) from resolved),
    'avg_resolution_seconds', (select round(avg(x.seconds), 1) from resolved x),
    'ai_handled', (select count(*) from resolved x where x.ai_replied and not x.human_replied),
    'human_handled', (select count(*) from resolved x where x.human_replied),
    'unanswered', (select count(*) from resolved x where not x.ai_replied and not x.human_replied),
    'per_day', (select agg from per_day),
    'per_agent', coalesce((select agg from per_agent), '[]'::jsonb)
  ) into result;
  return result;
end
$$;

revoke execute on function public.analytics(uuid, integer) from public;
grant execute on function public.analytics(uuid, integer) to authenticated, service_role;
