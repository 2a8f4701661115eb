/**
 * Contacts: the people a workspace talks to. Agents create and edit them; admins delete them.
 * Searchable by name, phone and email with a full-text index and trigram indexes.
 */

create table public.contacts (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  name text,
  /** E.164: a plus sign, then 7 to 15 digits, the first not zero. */
  phone text,
  /** The WhatsApp id Meta uses for this contact (digits, usually the phone number without the plus). */
  wa_id text,
  email extensions.citext,
  avatar_url text,
  custom_attributes jsonb not null default '{}'::jsonb,
  tags text[] not null default '{}',
  blocked boolean not null default false,
  /** Full-text document over name, email, phone (with and without its plus) and wa_id, for `search=fts.…` filters. */
  search tsvector generated always as (
    to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(email::text, '') || ' ' || coalesce(phone, '') || ' '
      || coalesce(ltrim(phone, '+'), '') || ' ' || coalesce(wa_id, ''))
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint contacts_pkey primary key (id),
  constraint contacts_workspace_id_id_key unique (workspace_id, id),
  constraint contacts_workspace_id_phone_key unique (workspace_id, phone),
  constraint contacts_workspace_id_wa_id_key unique (workspace_id, wa_id),
  constraint contacts_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint contacts_phone_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  constraint contacts_wa_id_format check (wa_id ~ '^[0-9]{6,20}$'),
  constraint contacts_email_format check (email ~ '^[^@\s]+@[^@\s]+$'),
  constraint contacts_name_length check (char_length(name) <= 200),
  constraint contacts_avatar_url_check check (avatar_url ~ '^https?://'),
  constraint contacts_custom_attributes_object check (jsonb_typeof(custom_attributes) = 'object'),
  constraint contacts_tags_no_nulls check (array_position(tags, null) is null)
);
comment on table public.contacts is 'The people a workspace talks to, on any channel.';

create index contacts_search_idx on public.contacts using gin (search);
create index contacts_name_trgm_idx on public.contacts using gin (name extensions.gin_trgm_ops);
create index contacts_phone_trgm_idx on public.contacts using gin (phone extensions.gin_trgm_ops);
create index contacts_email_trgm_idx on public.contacts using gin ((email::text) extensions.gin_trgm_ops);
create index contacts_tags_idx on public.contacts using gin (tags);

create trigger contacts_set_updated_at before update on public.contacts
  for each row execute function private.set_updated_at();

create policy "Members can read their workspace's contacts" on public.contacts
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Members can create contacts" on public.contacts
  for insert to authenticated
  with check (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Members can update contacts" on public.contacts
  for update to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('agent')))
  with check (workspace_id in (select private.workspace_ids_with_role('agent')));

create policy "Admins can delete contacts" on public.contacts
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));
