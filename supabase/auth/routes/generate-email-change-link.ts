/** generate_link's `email_change_current` / `email_change_new`: records the pending address and issues the one token asked for, unmailed. */
import type { AuthContext } from '../context.ts';
import { validateEmail } from '../body.ts';
import { emailExists } from '../email-change.ts';
import { badRequest } from '../errors.ts';
import { issueToken } from '../one-time-tokens.ts';
import { actionLink } from '../outbox.ts';
import { findUserByEmail, type UserRow } from '../users.ts';

export interface EmailChangeLinkRequest {
  user: UserRow;
  newEmail: string;
  type: 'email_change_current' | 'email_change_new';
  redirectTo: string;
}

/** As GoTrue's adminGenerateLink: the link is a `type=email_change` verify link; the current address's half needs secure email change. */
export async function emailChangeLink(ctx: Pick<AuthContext, 'config' | 'db'>, r: EmailChangeLinkRequest): Promise<Record<string, string>> {
  if (r.type === 'email_change_current' && !ctx.config.secureEmailChange) {
    throw badRequest('validation_failed', 'Enable secure email change to generate link for current email');
  }
  const newEmail = validateEmail(r.newEmail);
  const token = await ctx.db.tx(async (tx) => {
    const other = await findUserByEmail(tx, newEmail);
    if (other && other.id !== r.user.id) throw emailExists();
    await tx.query('update auth.users set email_change = $2, email_change_confirm_status = 0, updated_at = now() where id = $1', [r.user.id, newEmail]);
    return r.type === 'email_change_current'
      ? issueToken(tx, r.user.id, r.user.email ?? '', 'email_change_token_current')
      : issueToken(tx, r.user.id, newEmail, 'email_change_token_new');
  });
  return {
    action_link: actionLink(ctx.config, token.tokenHash, 'email_change', r.redirectTo),
    email_otp: token.otp,
    hashed_token: token.tokenHash,
    verification_type: r.type,
    redirect_to: r.redirectTo,
  };
}
