/** The auth mails' subjects and bodies (text and HTML), each carrying the verify link and the 6-digit code. */
export type MailTemplate = 'confirmation' | 'magiclink' | 'recovery' | 'email_change' | 'invite' | 'otp';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

interface Wording {
  subject: string;
  heading: string;
  lead: string;
  button: string;
}

const WORDING: Record<MailTemplate, Wording> = {
  confirmation: { subject: 'Confirm Your Signup', heading: 'Confirm your signup', lead: 'Open this link to confirm your account:', button: 'Confirm your email' },
  magiclink: { subject: 'Your Magic Link', heading: 'Magic link', lead: 'Open this link to sign in:', button: 'Sign in' },
  otp: { subject: 'Your Magic Link', heading: 'Magic link', lead: 'Open this link to sign in:', button: 'Sign in' },
  recovery: { subject: 'Reset Your Password', heading: 'Reset your password', lead: 'Open this link to reset the password of your account:', button: 'Reset password' },
  email_change: { subject: 'Confirm Email Change', heading: 'Confirm your new email', lead: 'Open this link to confirm the change of your email address:', button: 'Confirm email change' },
  invite: { subject: 'You have been invited', heading: 'You have been invited', lead: 'You have been invited to create an account. Open this link to accept:', button: 'Accept the invite' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderMail(template: MailTemplate, link: string, otp: string): MailContent {
  const w = WORDING[template];
  const text = `${w.heading}\n\n${w.lead}\n${link}\n\nOr enter this code: ${otp}\n`;
  const html =
    `<h2>${escapeHtml(w.heading)}</h2>\n<p>${escapeHtml(w.lead)}</p>\n` +
    `<p><a href="${escapeHtml(link)}">${escapeHtml(w.button)}</a></p>\n<p>Or enter this code: ${escapeHtml(otp)}</p>\n`;
  return { subject: w.subject, text, html };
}
