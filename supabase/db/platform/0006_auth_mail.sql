/**
 * The local mail outbox of the auth service: every confirmation, magic-link, OTP, recovery, invite and
 * email-change mail is written here in the same transaction as the one-time token it carries, and
 * `convo mail` lists them. Closed to every API role, like the rest of the `auth` schema.
 */

/** One row per mail the auth service sent (or would have sent through SMTP). */
create table auth.mail_outbox (
  id uuid not null default extensions.gen_random_uuid(),
  to_email varchar(255) not null,
  template text not null,
  subject text not null,
  body_text text not null,
  body_html text,
  token_hash text,
  action_link text,
  created_at timestamptz not null default now(),
  constraint mail_outbox_pkey primary key (id),
  constraint mail_outbox_template_check
    check (template in ('confirmation', 'magiclink', 'recovery', 'email_change', 'invite', 'otp'))
);
create index mail_outbox_to_email_created_at_idx on auth.mail_outbox (to_email, created_at desc);
create index mail_outbox_created_at_idx on auth.mail_outbox (created_at desc);
comment on table auth.mail_outbox is 'Auth: mails sent by the auth service, newest last; the local inbox of `convo mail`.';

alter table auth.mail_outbox enable row level security;
revoke all on auth.mail_outbox from public, anon, authenticated, service_role;
