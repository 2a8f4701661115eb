/** POST /signup with neither email nor phone (supabase-js `signInAnonymously()`): GoTrue's anonymous sign-in, when enabled. */
import { randomUUID } from 'node:crypto';
import type { AuthContext } from '../context.ts';
import { audit } from '../audit.ts';
import { jsonResponse, unprocessable } from '../errors.ts';
import { clientMeta, startSession } from '../sessions.ts';
import type { ServiceRequest } from '../../gateway/types.ts';

/**
 * An anonymous user has no email, phone, password or identity, and empty app_metadata (as GoTrue's ToUserModel);
 * `is_anonymous` is true in the user and in its tokens until an email is added (email-change.ts).
 */
export async function signupAnonymously(req: ServiceRequest, ctx: AuthContext, data: Record<string, unknown>): Promise<Response> {
  if (!ctx.config.anonymousSignIns) throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  const meta = clientMeta(req);
  const session = await ctx.db.tx(async (tx) => {
    const id = randomUUID();
    await tx.query(
      `insert into auth.users (id, aud, role, encrypted_password, is_anonymous, raw_app_meta_data, raw_user_meta_data)
       values ($1, 'authenticated', 'authenticated', '', true, '{}'::jsonb, $2)`,
      [id, data],
    );
    await audit(tx, { id, email: null }, 'user_signedup', meta.ip, { provider: 'anonymous' });
    return startSession(tx, ctx.config, id, 'anonymous', meta);
  });
  return jsonResponse(200, session);
}
