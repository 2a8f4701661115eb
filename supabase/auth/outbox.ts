/** The local mail outbox (auth.mail_outbox): mails are written in the caller's transaction, next to the token they carry. */
import type { AuthConfig } from './config.ts';
import type { AuthContext } from './context.ts';
import { onCommit, type Queryable } from './db.ts';
import { renderMail, type MailTemplate } from './mail-templates.ts';
import { issueToken, type IssuedToken, type OneTimeTokenType } from './one-time-tokens.ts';

/** The `type` of /verify that a mailed link uses. */
export type LinkType = 'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change';

/** GoTrue's action link: `${externalUrl}/verify?token=…&type=…&redirect_to=…`. */
export function actionLink(config: AuthConfig, tokenHash: string, type: LinkType, redirectTo: string): string {
  return `${config.externalUrl}/verify?token=${encodeURIComponent(tokenHash)}&type=${type}&redirect_to=${encodeURIComponent(redirectTo)}`;
}

const TOKEN_OF: Record<Exclude<LinkType, 'email_change'>, OneTimeTokenType> = {
  signup: 'confirmation_token',
  invite: 'confirmation_token',
  magiclink: 'recovery_token',
  recovery: 'recovery_token',
};

interface BaseLinkMail {
  userId: string;
  email: string;
  template: MailTemplate;
  redirectTo: string;
  /** A PKCE flow: the link's token starts with `pkce_`, so GET /verify answers with `?code=` (see pkce.ts). */
  pkce?: boolean;
}

/** An email-change mail names which of its two tokens it carries (to the new address, or to the current one). */
export type LinkMail =
  | (BaseLinkMail & { link: Exclude<LinkType, 'email_change'> })
  | (BaseLinkMail & { link: 'email_change'; token: 'email_change_token_new' | 'email_change_token_current' });

/** Issues the token for `mail.link` and writes the mail carrying it, both in `tx`; with SMTP, sends it once `tx` commits. */
export async function mailLink(tx: Queryable, ctx: Pick<AuthContext, 'config' | 'mailer'>, mail: LinkMail): Promise<IssuedToken> {
  const { config, mailer } = ctx;
  const type = mail.link === 'email_change' ? mail.token : TOKEN_OF[mail.link];
  const token = await issueToken(tx, mail.userId, mail.email, type, mail.pkce === true);
  const link = actionLink(config, token.tokenHash, mail.link, mail.redirectTo);
  const content = renderMail(mail.template, link, token.otp);
  await tx.query(
    `insert into auth.mail_outbox (to_email, template, subject, body_text, body_html, token_hash, action_link)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [mail.email, mail.template, content.subject, content.text, content.html, token.tokenHash, link],
  );
  if (mailer) onCommit(tx, () => mailer.send({ to: mail.email, subject: content.subject, text: content.text, html: content.html }));
  return token;
}

export interface OutboxMail {
  id: string;
  to_email: string;
  template: MailTemplate;
  subject: string;
  body_text: string;
  body_html: string | null;
  token_hash: string | null;
  action_link: string | null;
  created_at: Date;
}

/** The most recent mails, newest first, optionally to one address. */
export async function listMails(db: Queryable, opts: { to?: string; limit?: number } = {}): Promise<OutboxMail[]> {
  const { rows } = await db.query<OutboxMail>(
    `select id, to_email, template, subject, body_text, body_html, token_hash, action_link, created_at
       from auth.mail_outbox
      where $1::text is null or to_email = lower($1)
      order by created_at desc, id
      limit $2`,
    [opts.to ?? null, opts.limit ?? 20],
  );
  return rows;
}
