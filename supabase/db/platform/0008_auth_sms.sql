/**
 * Phone flows: the local SMS outbox of the auth service, where every phone OTP (phone signup,
 * signInWithOtp({ phone }), a phone change) is written in the same transaction as the one-time token it
 * carries, and a pending phone change on the user (GoTrue's `phone_change` columns). Closed to every API
 * role, like the rest of the `auth` schema.
 */

/** The number a signed-in user asked to change to, until the code texted to it is verified. */
alter table auth.users
  add column phone_change text,
  add column phone_change_sent_at timestamptz;

/** One row per text message the auth service sent (or would have sent through an SMS provider). */
create table auth.sms_outbox (
  id uuid not null default extensions.gen_random_uuid(),
  to_phone text not null,
  template text not null,
  body text not null,
  created_at timestamptz not null default now(),
  constraint sms_outbox_pkey primary key (id),
  constraint sms_outbox_template_check check (template in ('sms_otp')),
  constraint sms_outbox_to_phone_check check (to_phone ~ '^[1-9][0-9]{7,14}$')
);
create index sms_outbox_to_phone_created_at_idx on auth.sms_outbox (to_phone, created_at desc);
comment on table auth.sms_outbox is 'Auth: text messages sent by the auth service (phone OTPs), the local stand-in for an SMS provider.';

alter table auth.sms_outbox enable row level security;
revoke all on auth.sms_outbox from public, anon, authenticated, service_role;
