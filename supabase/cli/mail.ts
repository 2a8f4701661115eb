/** `convo mail [--json] [--to addr]`: lists the newest mails of the auth service's local outbox (auth.mail_outbox). */
import pg from 'pg';
import { listMails, type OutboxMail } from '../auth/outbox.ts';
import { ExpectedFailure } from '../shared/errors.ts';
import type { ConvoConfig } from './config.ts';
import { acquireDatabase, type Database } from './database.ts';
import { readRun } from './run-state.ts';

export interface MailOptions {
  json: boolean;
  /** Only mails to this address. */
  to?: string;
  /** How many mails, newest first; default 20. */
  limit?: number;
}

async function openDatabase(config: ConvoConfig): Promise<Database> {
  const running = await readRun(config.stateDir);
  // A running stack owns the embedded cluster: read through it rather than start a second server on the same files.
  if (running) return { url: running.db_url, shownUrl: running.db_url, embedded: null, release: async () => {} };
  return acquireDatabase(config, () => {});
}

function asJson(m: OutboxMail): Record<string, unknown> {
  return { ...m, created_at: m.created_at.toISOString() };
}

function asText(m: OutboxMail): string {
  const body = m.body_text.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
  return `${m.created_at.toISOString()}  to ${m.to_email}  [${m.template}]  ${m.subject}\n${body}\n`;
}

export async function mailCommand(config: ConvoConfig, opts: MailOptions, out: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const db = await openDatabase(config);
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let mails: OutboxMail[];
    try {
      mails = await listMails(client, { ...(opts.to ? { to: opts.to } : {}), limit: opts.limit ?? 20 });
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') throw new ExpectedFailure('bad_usage', 'the mail outbox does not exist yet; run `convo db migrate`');
      throw err;
    } finally {
      await client.end();
    }
    if (opts.json) out(JSON.stringify(mails.map(asJson), null, 2) + '\n');
    else if (mails.length === 0) out(opts.to ? `No mails to ${opts.to}.\n` : 'No mails yet.\n');
    else out(mails.map(asText).join('\n'));
    return 0;
  } finally {
    await db.release();
  }
}
