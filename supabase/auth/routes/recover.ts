/** POST /recover: mails a password-recovery link and code; always `200 {}` so the answer never tells which emails exist. */
import type { Handler } from '../context.ts';
import { RecoverBody, readBody, validateEmail } from '../body.ts';
import { audit } from '../audit.ts';
import { badRequest, jsonResponse } from '../errors.ts';
import { mailLink } from '../outbox.ts';
import { createFlowState, pkceChallenge } from '../pkce.ts';
import { redirectTarget, requestedRedirect } from '../redirect.ts';
import { clientMeta } from '../sessions.ts';
import { findUserByEmail } from '../users.ts';

export const recover: Handler = async (req, ctx) => {
  const body = await readBody(req, RecoverBody);
  if (!body.email) throw badRequest('validation_failed', 'Password recovery requires an email');
  const email = validateEmail(body.email);
  const pkce = pkceChallenge(body);
  // Counted for unknown addresses too, so the limit itself reveals nothing.
  ctx.limiter.hit('emails_per_address', email, ctx.config.rateLimits.emailsPerAddress, 'over_email_send_rate_limit');
  const redirectTo = redirectTarget(ctx.config, requestedRedirect(req));
  const meta = clientMeta(req);
  await ctx.db.tx(async (tx) => {
    const user = await findUserByEmail(tx, email);
    if (!user) return;
    await audit(tx, user, 'user_recovery_requested', meta.ip);
    if (pkce) await createFlowState(tx, user.id, pkce, 'recovery', 'recovery');
    await mailLink(tx, ctx, { userId: user.id, email, link: 'recovery', template: 'recovery', redirectTo, pkce: pkce !== null });
  });
  return jsonResponse(200, {});
};
