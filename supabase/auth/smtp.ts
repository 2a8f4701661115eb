/** A minimal SMTP client over node:net / node:tls: one connection per mail, AUTH PLAIN, text and HTML parts. */
import net from 'node:net';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/** `smtp://user:pass@host:587` (plain) or `smtps://user:pass@host:465` (TLS from the first byte). */
export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  pass: string | null;
}

export function parseSmtpUrl(raw: string): SmtpTarget {
  const u = new URL(raw);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${u.protocol}`);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    user: u.username ? decodeURIComponent(u.username) : null,
    pass: u.password ? decodeURIComponent(u.password) : null,
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const wrap = (s: string) => (b64(s).match(/.{1,76}/g) ?? []).join('\r\n');
const header = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${b64(s)}?=`);

/** The RFC 5322 message: headers, then a text part (and an HTML alternative), base64 so no line is too long. */
export function formatMessage(m: OutgoingMail, date = new Date()): string {
  const head = [`From: ${m.from}`, `To: ${m.to}`, `Subject: ${header(m.subject)}`, `Date: ${date.toUTCString()}`, `Message-ID: <${randomUUID()}@convo>`, 'MIME-Version: 1.0'];
  const part = (type: string, body: string) => `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(body)}`;
  if (m.html === null) return `${head.join('\r\n')}\r\n${part('text/plain', m.text)}\r\n`;
  const boundary = `convo-${randomUUID()}`;
  return (
    `${head.join('\r\n')}\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
    `--${boundary}\r\n${part('text/plain', m.text)}\r\n--${boundary}\r\n${part('text/html', m.html)}\r\n--${boundary}--\r\n`
  );
}

/** Reads SMTP replies (multi-line `250-…` up to `250 …`) from a socket, one at a time. */
function replies(socket: net.Socket): () => Promise<{ code: number; text: string }> {
  let buffer = '';
  const lines: string[] = [];
  let waiting: (() => void) | null = null;
  let failure: Error | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, i).replace(/\r$/, ''));
      buffer = buffer.slice(i + 1);
    }
    waiting?.();
  });
  const fail = (err: Error) => {
    failure = err;
    waiting?.();
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('SMTP server closed the connection')));
  return async () => {
    const collected: string[] = [];
    for (;;) {
      while (lines.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (waiting = resolve));
        waiting = null;
      }
      const line = lines.shift()!;
      collected.push(line.slice(4));
      if (line[3] !== '-') return { code: Number(line.slice(0, 3)), text: collected.join('\n') };
    }
  };
}

export async function sendSmtp(target: SmtpTarget, mail: OutgoingMail, timeoutMs = 10_000): Promise<void> {
  const socket = target.secure
    ? tls.connect({ host: target.host, port: target.port, servername: target.host })
    : net.connect({ host: target.host, port: target.port });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error('SMTP timeout')));
  const next = replies(socket);
  const expect = async (ok: number[], what: string) => {
    const r = await next();
    if (!ok.includes(r.code)) throw new Error(`SMTP ${what} refused: ${r.code} ${r.text}`);
  };
  const send = (line: string) => socket.write(`${line}\r\n`);
  try {
    await expect([220], 'greeting');
    send('EHLO convo.local');
    await expect([250], 'EHLO');
    if (target.user !== null) {
      send(`AUTH PLAIN ${b64(`\0${target.user}\0${target.pass ?? ''}`)}`);
      await expect([235], 'AUTH');
    }
    send(`MAIL FROM:<${mail.from}>`);
    await expect([250], 'MAIL FROM');
    send(`RCPT TO:<${mail.to}>`);
    await expect([250, 251], 'RCPT TO');
    send('DATA');
    await expect([354], 'DATA');
    // Dot-stuffing: a line starting with "." gets another one.
    socket.write(`${formatMessage(mail).replace(/\r\n\./g, '\r\n..')}\r\n.\r\n`);
    await expect([250], 'message');
    send('QUIT');
    await next().catch(() => undefined);
  } finally {
    socket.destroy();
  }
}

export interface MailSender {
  /** Sends in the background; a failure is logged, never raised (the mail is in the outbox either way). */
  send(mail: Omit<OutgoingMail, 'from'>): void;
}

export function createSmtpSender(url: string, from: string, onError: (err: unknown, to: string) => void): MailSender {
  const target = parseSmtpUrl(url);
  return {
    send(mail) {
      sendSmtp(target, { ...mail, from }).catch((err: unknown) => onError(err, mail.to));
    },
  };
}
