/** auth.users rows: reading them (with their identities), writing them, and GoTrue's JSON for a user. */
import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  email: string | null;
}

export interface UserRow {
  id: string;
  aud: string;
  role: string;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  /** A pending email change: the new address, until its link (or both links) confirm it. */
  email_change: string | null;
  email_change_sent_at: Date | null;
  /** 1 once one of the two links of a secure email change was opened (GoTrue's singleConfirmation). */
  email_change_confirm_status: number;
  /** A pending phone change: the new number, until the code texted to it is verified. */
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  is_anonymous: boolean;
  banned_until: Date | null;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  identities: IdentityRow[];
}

/** Identities come back as JSON built by Postgres, so their timestamps are already ISO strings. */
const SELECT_USER = `
  select u.id, u.aud, u.role, u.email, u.encrypted_password, u.email_confirmed_at, u.invited_at, u.phone,
         u.phone_confirmed_at, u.confirmation_sent_at, u.email_change, u.email_change_sent_at,
         u.email_change_confirm_status, u.phone_change, u.phone_change_sent_at, u.raw_app_meta_data, u.raw_user_meta_data, u.is_anonymous,
         u.banned_until, u.last_sign_in_at, u.created_at, u.updated_at, u.deleted_at,
         coalesce((select json_agg(json_build_object(
             'id', i.id, 'provider_id', i.provider_id, 'user_id', i.user_id, 'identity_data', i.identity_data,
             'provider', i.provider, 'email', i.email,
             'last_sign_in_at', to_char(i.last_sign_in_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
             'created_at', to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
             'updated_at', to_char(i.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
           order by i.created_at)
           from auth.identities i where i.user_id = u.id), '[]'::json) as identities
  from auth.users u`;

export async function findUserById(db: Queryable, id: string, forUpdate = false): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`${SELECT_USER} where u.id = $1${forUpdate ? ' for update of u' : ''}`, [id]);
  return rows[0] ?? null;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`${SELECT_USER} where u.email = $1 and u.deleted_at is null`, [email.toLowerCase()]);
  return rows[0] ?? null;
}

export async function findUserByPhone(db: Queryable, phone: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>(`${SELECT_USER} where u.phone = $1 and u.deleted_at is null`, [phone]);
  return rows[0] ?? null;
}

/** One page of live (not soft-deleted) users, newest first, and how many there are in all. */
export async function listUsersPage(db: Queryable, limit: number, offset: number): Promise<{ users: UserRow[]; total: number }> {
  const [{ rows: users }, { rows: count }] = await Promise.all([
    db.query<UserRow>(`${SELECT_USER} where u.deleted_at is null order by u.created_at desc, u.id limit $1 offset $2`, [limit, offset]),
    db.query<{ n: string }>('select count(*) as n from auth.users where deleted_at is null'),
  ]);
  return { users, total: Number(count[0]?.n ?? 0) };
}

export interface NewUser {
  id?: string;
  email: string | null;
  phone: string | null;
  passwordHash: string | null;
  confirmed: boolean;
  phoneConfirmed?: boolean;
  role: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  bannedUntil?: Date | null;
}

/** Inserts the user and its `email` (or `phone`) identity; GoTrue copies the identity's data into user_metadata. */
export async function insertUser(db: Queryable, u: NewUser): Promise<string> {
  const id = u.id ?? randomUUID();
  const provider = u.email ? 'email' : 'phone';
  const identityData: Record<string, unknown> = {
    sub: id,
    ...(u.email ? { email: u.email } : {}),
    ...(u.phone ? { phone: u.phone } : {}),
    email_verified: Boolean(u.email && u.confirmed),
    phone_verified: Boolean(u.phone && u.phoneConfirmed),
  };
  const appMetadata = { provider, providers: [provider], ...u.appMetadata };
  const userMetadata = { ...u.userMetadata, ...identityData };
  await db.query(
    `insert into auth.users (id, aud, role, email, phone, encrypted_password, email_confirmed_at, phone_confirmed_at,
                             raw_app_meta_data, raw_user_meta_data, banned_until)
     values ($1, 'authenticated', $2, $3, $4, $5, case when $6 then now() end, case when $7 then now() end, $8, $9, $10)`,
    [id, u.role, u.email, u.phone, u.passwordHash ?? '', u.confirmed && Boolean(u.email), Boolean(u.phoneConfirmed && u.phone),
      appMetadata, userMetadata, u.bannedUntil ?? null],
  );
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
     values ($1, $2, $3, $4, now())`,
    [id, id, identityData, provider],
  );
  return id;
}

/**
 * The user's identity of this provider now carries this verified address (after an email or phone change):
 * its identity_data gains it, or the identity is created when the user had none of this provider.
 */
export async function verifiedIdentity(db: Queryable, userId: string, provider: 'email' | 'phone', address: string): Promise<void> {
  const { rowCount } = await db.query(
    `update auth.identities set identity_data = identity_data || jsonb_build_object($3::text, $2::text, $3 || '_verified', true), updated_at = now()
      where user_id = $1 and provider = $3`,
    [userId, address, provider],
  );
  if (rowCount) return;
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at) values ($1, $2, $3, $4, now())`,
    [userId, userId, { sub: userId, [provider]: address, email_verified: provider === 'email', phone_verified: provider === 'phone' }, provider],
  );
}

/** app_metadata once the user has an identity of this provider (GoTrue's UpdateAppMetaDataProviders): listed, and the provider if none was. */
export function withProvider(appMetadata: Record<string, unknown>, provider: 'email' | 'phone'): Record<string, unknown> {
  const providers = Array.isArray(appMetadata.providers) ? appMetadata.providers.filter((p): p is string => typeof p === 'string') : [];
  return {
    ...appMetadata,
    provider: typeof appMetadata.provider === 'string' ? appMetadata.provider : provider,
    providers: providers.includes(provider) ? providers : [...providers, provider],
  };
}

/** Applies GoTrue's metadata merge: keys set to null are removed, others replace. */
export function mergeMetadata(current: Record<string, unknown>, updates: Record<string, unknown>): Record<string, unknown> {
  const next = { ...current };
  for (const [k, v] of Object.entries(updates)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  return next;
}

export function isBanned(u: UserRow, now = new Date()): boolean {
  return u.banned_until !== null && u.banned_until > now;
}

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

/** A user as GoTrue serialises it: optional timestamps are omitted when null, email and phone are "" when unset. */
export function userJson(u: UserRow): Record<string, unknown> {
  const confirmed = u.email_confirmed_at ?? u.phone_confirmed_at;
  const body: Record<string, unknown> = {
    id: u.id,
    aud: u.aud,
    role: u.role,
    email: u.email ?? '',
    email_confirmed_at: iso(u.email_confirmed_at),
    invited_at: iso(u.invited_at),
    phone: u.phone ?? '',
    phone_confirmed_at: iso(u.phone_confirmed_at),
    new_phone: u.phone_change ?? undefined,
    phone_change_sent_at: iso(u.phone_change_sent_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    new_email: u.email_change ?? undefined,
    email_change_sent_at: iso(u.email_change_sent_at),
    confirmed_at: iso(confirmed),
    last_sign_in_at: iso(u.last_sign_in_at),
    app_metadata: u.raw_app_meta_data,
    user_metadata: u.raw_user_meta_data,
    identities: u.identities.map(identityJson),
    created_at: u.created_at.toISOString(),
    updated_at: u.updated_at.toISOString(),
    banned_until: iso(u.banned_until),
    deleted_at: iso(u.deleted_at),
    is_anonymous: u.is_anonymous,
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

function identityJson(i: IdentityRow): Record<string, unknown> {
  return {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data,
    provider: i.provider,
    last_sign_in_at: i.last_sign_in_at,
    created_at: i.created_at,
    updated_at: i.updated_at,
    email: i.email ?? undefined,
  };
}
