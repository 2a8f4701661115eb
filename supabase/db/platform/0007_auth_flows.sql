/**
 * Auth flows beyond sign-up and sign-in: a pending email change on the user (GoTrue's `email_change`
 * columns; its two tokens live in auth.one_time_tokens) and the PKCE flow state that GET /verify turns into
 * a one-time auth code. Closed to every API role, like the rest of the `auth` schema.
 */

/**
 * The address a signed-in user asked to change to, until the mailed link (or links) confirm it;
 * `email_change_confirm_status` is 1 once the first of the two links of a secure email change was opened.
 */
alter table auth.users
  add column email_change varchar(255),
  add column email_change_sent_at timestamptz,
  add column email_change_confirm_status smallint not null default 0,
  add constraint users_email_change_lowercase check (email_change = lower(email_change)),
  add constraint users_email_change_confirm_status_check check (email_change_confirm_status in (0, 1));

/**
 * One row per PKCE flow (supabase-js `flowType: 'pkce'`): the code challenge sent with signup / otp /
 * magiclink / recover / email change, and once the mailed link is opened, the digest of the auth code it
 * was redirected with. `POST /token?grant_type=pkce` deletes the row when it exchanges the code.
 */
create table auth.flow_state (
  id uuid not null default extensions.gen_random_uuid(),
  user_id uuid,
  auth_code_hash text,
  code_challenge_method text not null,
  code_challenge text not null,
  provider_type text not null,
  authentication_method text not null,
  auth_code_issued_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint flow_state_pkey primary key (id),
  constraint flow_state_code_challenge_method_check check (code_challenge_method in ('s256', 'plain')),
  constraint flow_state_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade
);
create unique index flow_state_auth_code_hash_key on auth.flow_state (auth_code_hash);
create index flow_state_user_id_authentication_method_idx on auth.flow_state (user_id, authentication_method, created_at desc);
create index flow_state_created_at_idx on auth.flow_state (created_at desc);
comment on table auth.flow_state is 'Auth: PKCE flows between the request that sent a mail and the code exchange.';

alter table auth.flow_state enable row level security;
revoke all on auth.flow_state from public, anon, authenticated, service_role;
