/** POST /invite (service role; supabase-js `auth.admin.inviteUserByEmail`): creates the user if new and mails the invite link. */
import type { Handler } from '../context.ts';
import { InviteBody, readBody, validateEmail } from '../body.ts';
import { audit, type Actor } from '../audit.ts';
import { requireAdmin } from '../caller.ts';
import { emailExists } from '../email-change.ts';
import { jsonResponse } from '../errors.ts';
import { mailLink } from '../outbox.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { clientMeta } from '../sessions.ts';
import { findUserByEmail, findUserById, insertUser, userJson } from '../users.ts';

const ADMIN: Actor = { id: '00000000-0000-0000-0000-000000000000', email: 'service_role' };

/**
 * As GoTrue's Invite: a confirmed address is refused with email_exists; an unconfirmed one is invited again. The new
 * user has no password; `verify` with `type=invite` confirms the address and signs them in.
 */
export const invite: Handler = async (req, ctx) => {
  await requireAdmin(req, ctx);
  const body = await readBody(req, InviteBody);
  const email = validateEmail(body.email ?? '');
  const redirectTo = redirectTarget(ctx.config, requestedRedirect(req));
  const meta = clientMeta(req);
  try {
    const user = await ctx.db.tx(async (tx) => {
      const existing = await findUserByEmail(tx, email);
      if (existing?.email_confirmed_at) throw emailExists();
      const id =
        existing?.id ??
        (await insertUser(tx, { email, phone: null, passwordHash: null, confirmed: false, role: 'authenticated', appMetadata: {}, userMetadata: body.data ?? {} }));
      await tx.query('update auth.users set invited_at = now(), updated_at = now() where id = $1', [id]);
      await audit(tx, ADMIN, 'user_invited', meta.ip, { user_id: id, user_email: email });
      await mailLink(tx, ctx, { userId: id, email, link: 'invite', template: 'invite', redirectTo });
      return findUserById(tx, id);
    });
    return jsonResponse(200, userJson(user!));
  } catch (err) {
    if (isUniqueViolation(err)) throw emailExists();
    throw err;
  }
};
