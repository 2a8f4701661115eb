/**
 * Invitations: an admin invites an email address with a role; the invitee, signed in with that email,
 * accepts with the token they were given and becomes a member. Only the token's sha256 is stored.
 *
 * Errors: 42501 (403) not allowed; PT404 (404) no such invitation; PT410 (410) used or expired;
 * PT409 (409) already a member.
 */

create table public.invitations (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  email extensions.citext not null,
  role text not null default 'agent',
  /** sha256 (hex) of the token handed to the invitee; the token itself is never stored. */
  token_hash text not null,
  invited_by uuid default auth.uid(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint invitations_pkey primary key (id),
  constraint invitations_token_hash_key unique (token_hash),
  constraint invitations_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint invitations_invited_by_fkey foreign key (invited_by) references public.profiles (id) on delete set null,
  constraint invitations_accepted_by_fkey foreign key (accepted_by) references public.profiles (id) on delete set null,
  /** Owners are never invited: an owner promotes a member, so ownership always passes through an owner's hands. */
  constraint invitations_role_check check (role in ('admin', 'agent')),
  constraint invitations_email_format check (email ~ '^[^@\s]+@[^@\s]+$'),
  constraint invitations_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$')
);
comment on table public.invitations is 'Pending and accepted invitations to join a workspace; tokens are stored hashed.';
create index invitations_workspace_id_idx on public.invitations (workspace_id);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

create trigger invitations_set_updated_at before update on public.invitations
  for each row execute function private.set_updated_at();

-- Invitations are made by create_invitation (which hands out the token) and used by accept_invitation.
revoke insert, update on public.invitations from anon, authenticated;

create policy "Admins can read their workspace's invitations" on public.invitations
  for select to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));

create policy "Admins can revoke invitations" on public.invitations
  for delete to authenticated
  using (workspace_id in (select private.workspace_ids_with_role('admin')));

/**
 * Invites `email` to the workspace with `role` and returns the invitation's id and its token, shown
 * only this once. Admins invite admins and agents.
 */
create function public.create_invitation(workspace_id uuid, email text, role text default 'agent', valid_for interval default interval '7 days')
returns table (invitation_id uuid, token text, expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  new_token text := encode(extensions.gen_random_bytes(32), 'hex');
begin
  if not private.has_workspace_role(create_invitation.workspace_id, 'admin') then
    raise exception 'only admins can invite members' using errcode = '42501';
  end if;
  if create_invitation.role not in ('admin', 'agent') then
    raise exception 'invite members as admin or agent; an owner promotes a member to owner'
      using errcode = '22023';
  end if;
  if valid_for <= interval '0' or valid_for > interval '30 days' then
    raise exception 'an invitation is valid for up to 30 days' using errcode = '22023';
  end if;
  return query
  insert into public.invitations as i (workspace_id, email, role, token_hash, invited_by, expires_at)
  values (create_invitation.workspace_id, create_invitation.email, create_invitation.role,
          encode(extensions.digest(new_token, 'sha256'), 'hex'), (select auth.uid()), now() + valid_for)
  returning i.id, new_token, i.expires_at;
end
$$;

/**
 * Makes the caller a member with the invitation's role. The caller must be signed in with the invited
 * email. Returns the new membership.
 */
create function public.accept_invitation(token text)
returns public.workspace_members
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  inv public.invitations;
  member public.workspace_members;
begin
  if caller is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  select * into inv from public.invitations i
  where i.token_hash = encode(extensions.digest(accept_invitation.token, 'sha256'), 'hex')
  for update;
  if not found then
    raise exception 'invitation not found' using errcode = 'PT404';
  end if;
  if inv.accepted_at is not null then
    raise exception 'this invitation has already been used' using errcode = 'PT410';
  end if;
  if inv.expires_at <= now() then
    raise exception 'this invitation has expired' using errcode = 'PT410', hint = 'Ask an admin for a new invitation.';
  end if;
  -- citext's case-insensitive `=` is not on the empty search_path, so compare lower-cased text.
  if not exists (select 1 from public.profiles p where p.id = caller and lower(p.email::text) = lower(inv.email::text)) then
    raise exception 'this invitation is for another email address' using errcode = '42501';
  end if;
  if exists (select 1 from public.workspace_members m where m.workspace_id = inv.workspace_id and m.user_id = caller) then
    raise exception 'you are already a member of this workspace' using errcode = 'PT409';
  end if;

  insert into public.workspace_members (workspace_id, user_id, role, display_name)
  select inv.workspace_id, caller, inv.role, p.full_name from public.profiles p where p.id = caller
  returning * into member;
  update public.invitations set accepted_at = now(), accepted_by = caller where id = inv.id;
  return member;
end
$$;

revoke execute on function public.create_invitation(uuid, text, text, interval), public.accept_invitation(text) from public;
grant execute on function public.create_invitation(uuid, text, text, interval), public.accept_invitation(text)
  to authenticated, service_role;
