/** Appends to auth.audit_log_entries, inside the caller's transaction, with GoTrue's payload shape. */
import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';

export type AuditAction =
  | 'user_signedup'
  | 'login'
  | 'logout'
  | 'token_refreshed'
  | 'token_revoked'
  | 'user_modified'
  | 'user_updated_password'
  | 'user_deleted'
  | 'user_recovery_requested'
  | 'user_confirmation_requested'
  | 'user_invited'
  | 'user_repeated_signup';

const LOG_TYPE: Record<AuditAction, string> = {
  user_signedup: 'team',
  login: 'account',
  logout: 'account',
  token_refreshed: 'token',
  token_revoked: 'token',
  user_modified: 'user',
  user_updated_password: 'user',
  user_deleted: 'team',
  user_recovery_requested: 'user',
  user_confirmation_requested: 'user',
  user_invited: 'team',
  user_repeated_signup: 'user',
};

export interface Actor {
  id: string;
  email: string | null;
}

export async function audit(db: Queryable, actor: Actor, action: AuditAction, ip: string | null, traits?: Record<string, unknown>): Promise<void> {
  const payload = {
    actor_id: actor.id,
    actor_username: actor.email ?? '',
    actor_via_sso: false,
    action,
    log_type: LOG_TYPE[action],
    ...(traits ? { traits } : {}),
  };
  await db.query('insert into auth.audit_log_entries (id, payload, ip_address) values ($1, $2, $3)', [randomUUID(), JSON.stringify(payload), ip ?? '']);
}
