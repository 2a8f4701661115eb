/**
 * The `run_automations` task: for one event (enqueued after commit by 0012_automations.sql), runs every
 * active automation of the event's workspace that listens to it, oldest first. Each automation is one
 * transaction with `convo.automation_run = on` (so its own writes enqueue no further event): the
 * conversation is locked, the conditions evaluated, the actions applied, and the run recorded in
 * `private.automation_runs`. A failing automation rolls back alone and is recorded as failed; the job
 * then fails so graphile-worker retries it, and the retry skips the automations this job already applied.
 */
import type { PoolClient } from 'pg';
import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { actionSchema, applyAction, type ActionResult } from './automations/actions.ts';
import { conditionSchema, conditionsHold, type Subject } from './automations/conditions.ts';

const payloadSchema = z.object({
  event: z.enum(['conversation_created', 'message_created', 'conversation_updated', 'conversation_resolved']),
  workspace_id: z.guid(),
  conversation_id: z.guid(),
  message_id: z.guid().nullish(),
  changed: z.array(z.string()).nullish(),
});
type Payload = z.infer<typeof payloadSchema>;

interface AutomationRow {
  id: string;
  name: string;
  conditions: unknown;
  actions: unknown;
}

export const runAutomations: Task = async (raw, helpers) => {
  const payload = payloadSchema.parse(raw);
  const jobId = helpers.job.id;
  const failures: string[] = [];
  await helpers.withPgClient(async (client) => {
    const { rows: automations } = await client.query<AutomationRow>(
      `select a.id, a.name, a.conditions, a.actions
       from public.automations a
       where a.workspace_id = $1 and a.event_name = $2 and a.active
         and not exists (select 1 from private.automation_runs r where r.job_id = $3 and r.automation_id = a.id and r.outcome = 'applied')
       order by a.created_at, a.id`,
      [payload.workspace_id, payload.event, jobId],
    );
    for (const automation of automations) {
      try {
        const outcome = await runOne(client, payload, automation, jobId, helpers.job.attempts);
        if (outcome) helpers.logger.info(`automation "${automation.name}" applied: ${outcome.map((a) => `${a.action_name} ${a.result}`).join(', ')}`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        failures.push(`automation "${automation.name}" (${automation.id}): ${message}`);
        await client.query(
          `insert into private.automation_runs (job_id, attempt, automation_id, workspace_id, event_name, conversation_id, message_id, outcome, error)
           values ($1, $2, $3, $4, $5, $6, $7, 'failed', $8)`,
          [jobId, helpers.job.attempts, automation.id, payload.workspace_id, payload.event, payload.conversation_id, payload.message_id ?? null, message],
        ).catch((e: unknown) => helpers.logger.error(`could not record the failed run: ${String(e)}`));
      }
    }
  });
  if (failures.length > 0) throw new Error(`${failures.length} automation(s) failed and were rolled back: ${failures.join('; ')}`);
};

/** One automation in one transaction; returns what its actions did, or null when its conditions do not hold. */
async function runOne(client: PoolClient, payload: Payload, automation: AutomationRow, jobId: string, attempt: number): Promise<ActionResult[] | null> {
  const conditions = z.array(conditionSchema).parse(automation.conditions);
  const actions = z.array(actionSchema).min(1).parse(automation.actions);
  await client.query('begin');
  try {
    await client.query(`select set_config('convo.automation_run', 'on', true)`);
    const subject = await loadSubject(client, payload);
    if (!subject || !conditionsHold(subject.subject, conditions)) {
      await client.query('rollback');
      return null;
    }
    const results: ActionResult[] = [];
    for (const action of actions) {
      results.push(await applyAction({
        client,
        workspaceId: payload.workspace_id,
        conversationId: payload.conversation_id,
        messageId: payload.message_id ?? null,
        event: payload.event,
        changed: payload.changed ?? null,
        automation: { id: automation.id, name: automation.name },
        windowOpen: subject.windowOpen,
        channelType: subject.subject.channel_type,
      }, action));
    }
    await client.query(
      `insert into private.automation_runs (job_id, attempt, automation_id, workspace_id, event_name, conversation_id, message_id, outcome, actions)
       values ($1, $2, $3, $4, $5, $6, $7, 'applied', $8)`,
      [jobId, attempt, automation.id, payload.workspace_id, payload.event, payload.conversation_id, payload.message_id ?? null, JSON.stringify(results)],
    );
    await client.query('commit');
    return results;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

/** The conversation (locked for the run), its contact and channel type, and the event's message; null when the conversation is gone. */
async function loadSubject(client: PoolClient, payload: Payload): Promise<{ subject: Subject; windowOpen: boolean } | null> {
  const { rows } = await client.query(
    `select c.status, c.priority, c.channel_id, c.assignee_id, c.team_id, c.tags, c.handoff_state, c.custom_attributes,
            coalesce(c.last_inbound_at > now() - interval '24 hours', false) as window_open,
            ch.type as channel_type,
            ct.name as contact_name, ct.phone as contact_phone, ct.email::text as contact_email,
            ct.tags as contact_tags, ct.custom_attributes as contact_attributes
     from public.conversations c
     join public.channels ch on ch.workspace_id = c.workspace_id and ch.id = c.channel_id
     join public.contacts ct on ct.workspace_id = c.workspace_id and ct.id = c.contact_id
     where c.workspace_id = $1 and c.id = $2
     for update of c`,
    [payload.workspace_id, payload.conversation_id],
  );
  const r = rows[0];
  if (!r) return null;
  let message: Subject['message'] = null;
  if (payload.message_id) {
    const m = await client.query(
      'select type, direction, sender_type, text from public.messages where workspace_id = $1 and id = $2',
      [payload.workspace_id, payload.message_id],
    );
    message = m.rows[0] ?? null;
  }
  return {
    windowOpen: r.window_open,
    subject: {
      conversation: {
        status: r.status, priority: r.priority, channel_id: r.channel_id, assignee_id: r.assignee_id, team_id: r.team_id,
        tags: r.tags, handoff_state: r.handoff_state, custom_attributes: r.custom_attributes,
      },
      channel_type: r.channel_type,
      contact: { name: r.contact_name, phone: r.contact_phone, email: r.contact_email, tags: r.contact_tags, custom_attributes: r.contact_attributes },
      message,
    },
  };
}
