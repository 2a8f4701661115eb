import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { supabaseClient } from '../helpers/supabase.ts';
import { formatMessage } from '../../supabase/auth/smtp.ts';
import { startAuthStack, type AuthStack } from './auth-server.ts';

interface Received {
  commands: string[];
  data: string;
}

/** A fake SMTP server: answers every command, records the session, resolves each finished message. */
function fakeSmtp(): { server: net.Server; next: () => Promise<Received> } {
  const done: Received[] = [];
  const waiters: Array<(r: Received) => void> = [];
  const server = net.createServer((socket) => {
    const session: Received = { commands: [], data: '' };
    let inData = false;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          session.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const i = buffer.indexOf('\r\n');
        if (i < 0) return;
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        session.commands.push(line);
        if (line.startsWith('EHLO')) socket.write('250-fake\r\n250 AUTH PLAIN\r\n');
        else if (line.startsWith('AUTH')) socket.write('235 ok\r\n');
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (line === 'QUIT') {
          socket.end('221 bye\r\n');
          const w = waiters.shift();
          if (w) w(session);
          else done.push(session);
        } else socket.write('250 ok\r\n');
      }
    });
  });
  return { server, next: () => (done.length ? Promise.resolve(done.shift()!) : new Promise((resolve) => waiters.push(resolve))) };
}

let stack: AuthStack;
const smtp = fakeSmtp();

before(async () => {
  await new Promise<void>((resolve) => smtp.server.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as net.AddressInfo;
  stack = await startAuthStack({ smtpUrl: `smtp://mailer:s%40cret@127.0.0.1:${port}`, smtpFrom: 'auth@convo.test' });
});

after(async () => {
  await stack?.stop();
  await new Promise((resolve) => smtp.server.close(resolve));
});

test('with SMTP_URL, a magic-link mail is also sent over SMTP with AUTH PLAIN', async () => {
  const email = `smtp.${Date.now()}@example.com`;
  assert.equal((await supabaseClient(stack.url, stack.keys.anon).auth.signInWithOtp({ email })).error, null);
  const got = await smtp.next();
  assert.deepEqual(got.commands, [
    'EHLO convo.local',
    `AUTH PLAIN ${Buffer.from('\0mailer\0s@cret').toString('base64')}`,
    'MAIL FROM:<auth@convo.test>',
    `RCPT TO:<${email}>`,
    'DATA',
    'QUIT',
  ]);
  assert.match(got.data, /^From: auth@convo\.test\r\nTo: .*\r\nSubject: Your Magic Link\r\n/);
  assert.match(got.data, /Content-Type: multipart\/alternative/);
  const text = /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(got.data)?.[1];
  assert.ok(text);
  const decoded = Buffer.from(text.replace(/\r\n/g, ''), 'base64').toString('utf8');
  assert.match(decoded, /Or enter this code: \d{6}/);
  assert.ok(decoded.includes(`${stack.url}/auth/v1/verify?token=`));
});

test('formatMessage encodes a non-ASCII subject and sends a text-only mail as one part', () => {
  const msg = formatMessage({ from: 'a@x.test', to: 'b@x.test', subject: 'Bienvenue à bord', text: 'salut', html: null }, new Date(0));
  assert.ok(msg.includes(`Subject: =?UTF-8?B?${Buffer.from('Bienvenue à bord').toString('base64')}?=\r\n`));
  assert.ok(msg.includes('Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n'));
  assert.ok(msg.includes(`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('salut').toString('base64')}\r\n`));
  assert.ok(!msg.includes('multipart'));
});
