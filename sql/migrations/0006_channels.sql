/**
 * Channels: where conversations happen (a WhatsApp number, a web chat widget, …). Every member reads
 * them; admins manage them. Their credentials live in `private.channel_secrets`, which no API role
 * can read, and are written only through the admin-only `set_channel_secrets` RPC.
 */

create table public.channels (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  type text not null,
  name text not null,
  /** The channel's own number in E.164 (WhatsApp, SMS). */
  phone_number text,
  /** Meta's phone number id: inbound WhatsApp webhooks are routed to the channel by it. */
  phone_number_id text,
  status text not null default 'pending',
  /** In test mode nothing reaches a real customer: the sender marks messages sent without calling Meta. */
  test_mode boolean not null default false,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint channels_pkey primary key (id),
  constraint channels_workspace_id_id_key unique (workspace_id, id),
  constraint channels_phone_number_id_key unique (phone_number_id),
  constraint channels_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint channels_type_check check (type in ('whatsapp', 'webchat', 'email', 'sms', 'api')),
  constraint channels_status_check check (status in ('pending', 'active', 'disconnected', 'error')),
  constraint channels_name_length check (char_length(name) between 1 and 100),
  constraint channels_phone_number_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  constraint channels_phone_number_id_format check (phone_number_id ~ '^[0-9]{1,32}$'),
  constraint channels_settings_object check (jsonb_typeof(settings) = 'object')
);
comment on table public.channels is 'Where a workspace talks to contacts: WhatsApp numbers, web chat, email, SMS, API.';

create trigger channels_set_updated_at before update on public.channels
  for each row execute function private.set_updated_at();

create policy "Members can read their workspace's channels" on public.channels
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can create channels" on public.channels
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can update channels" on public.channels
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')))
  with check (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can delete channels" on public.channels
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));

/**
 * A channel's credentials: WhatsApp's access token and app secret (for webhook signatures) and the
 * verify token of the webhook handshake. Read by server code connecting as the database owner only.
 */
create table private.channel_secrets (
  channel_id uuid not null,
  access_token text,
  app_secret text,
  verify_token text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint channel_secrets_pkey primary key (channel_id),
  constraint channel_secrets_channel_id_fkey foreign key (channel_id) references public.channels (id) on delete cascade
);
comment on table private.channel_secrets is 'Channel credentials; granted to no API role.';
alter table private.channel_secrets enable row level security;
revoke all on private.channel_secrets from public, anon, authenticated, service_role;

create trigger channel_secrets_set_updated_at before update on private.channel_secrets
  for each row execute function private.set_updated_at();

/**
 * Stores a channel's secrets (admins of its workspace only). A NULL argument keeps the stored value,
 * an empty string clears it. Returns which secrets are now set, never their values.
 */
create function public.set_channel_secrets(channel_id uuid, access_token text default null, app_secret text default null, verify_token text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  ws uuid;
  s private.channel_secrets;
begin
  select c.workspace_id into ws from public.channels c where c.id = set_channel_secrets.channel_id;
  if ws is null or not private.has_workspace_role(ws, 'admin') then
    if ws is not null and private.is_workspace_member(ws) then
      raise exception 'only admins can set channel secrets' using errcode = '42501';
    end if;
    raise exception 'channel not found' using errcode = 'PT404';
  end if;
  insert into private.channel_secrets as cs (channel_id, access_token, app_secret, verify_token)
  values (set_channel_secrets.channel_id, nullif(set_channel_secrets.access_token, ''),
          nullif(set_channel_secrets.app_secret, ''), nullif(set_channel_secrets.verify_token, ''))
  on conflict on constraint channel_secrets_pkey do update set
    access_token = case when set_channel_secrets.access_token is null then cs.access_token else nullif(set_channel_secrets.access_token, '') end,
    app_secret = case when set_channel_secrets.app_secret is null then cs.app_secret else nullif(set_channel_secrets.app_secret, '') end,
    verify_token = case when set_channel_secrets.verify_token is null then cs.verify_token else nullif(set_channel_secrets.verify_token, '') end
  returning * into s;
  return jsonb_build_object(
    'access_token', s.access_token is not null,
    'app_secret', s.app_secret is not null,
    'verify_token', s.verify_token is not null
  );
end
$$;

revoke execute on function public.set_channel_secrets(uuid, text, text, text) from public;
grant execute on function public.set_channel_secrets(uuid, text, text, text) to authenticated;
