/** The signed-in caller of /user and /logout: the Bearer JWT's user and session, which must both still exist. */
import type { AuthContext } from './context.ts';
import { badRequest, forbidden } from './errors.ts';
import { sessionExists } from './sessions.ts';
import { requireClaims } from './tokens.ts';
import { findUserById, isBanned, type UserRow } from './users.ts';
import type { ServiceRequest } from '../gateway/types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Caller {
  user: UserRow;
  sessionId: string | null;
}

export async function requireCaller(req: ServiceRequest, ctx: AuthContext): Promise<Caller> {
  const claims = await requireClaims(ctx.config, req);
  if (typeof claims.sub !== 'string' || claims.sub === '') throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
  if (!UUID.test(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(ctx.db.pool, claims.sub);
  if (!user || user.deleted_at) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
  if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
  const sessionId = typeof claims.session_id === 'string' && claims.session_id !== '' ? claims.session_id : null;
  if (sessionId !== null) {
    if (!UUID.test(sessionId)) throw forbidden('bad_jwt', 'invalid claim: session_id claim must be a UUID');
    if (!(await sessionExists(ctx.db.pool, sessionId, user.id))) {
      throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
    }
  }
  return { user, sessionId };
}

/** GoTrue's requireAdmin: a verified JWT whose role is one of the admin roles (service_role). */
export async function requireAdmin(req: ServiceRequest, ctx: AuthContext): Promise<void> {
  const claims = await requireClaims(ctx.config, req);
  if (typeof claims.role !== 'string' || !ctx.config.adminRoles.includes(claims.role)) throw forbidden('not_admin', 'User not allowed');
}
