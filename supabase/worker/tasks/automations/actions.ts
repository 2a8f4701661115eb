/**
 * Applies one automation action inside the run's transaction, as the system (the worker's connection
 * bypasses RLS), always scoped by the event's workspace_id. An action that cannot apply because of the
 * data (a handoff already requested, WhatsApp's 24-hour window closed) is skipped with a reason; one
 * that is wrong (an assignee no longer in the workspace) throws, and the whole run rolls back.
 */
import type { PoolClient } from 'pg';
import { z } from 'zod';

export const actionSchema = z.object({
  action_name: z.enum(['add_tag', 'assign_agent', 'assign_team', 'set_status', 'set_priority', 'send_message', 'send_webhook_event', 'trigger_handoff']),
  action_params: z.array(z.string()).nullish(),
});
export type Action = z.infer<typeof actionSchema>;

export interface ActionContext {
  client: PoolClient;
  workspaceId: string;
  conversationId: string;
  messageId: string | null;
  event: string;
  changed: string[] | null;
  automation: { id: string; name: string };
  /** WhatsApp's 24-hour customer service window, read with the conversation at the start of the run. */
  windowOpen: boolean;
  channelType: string;
}

export interface ActionResult {
  action_name: Action['action_name'];
  result: 'applied' | 'skipped';
  reason?: string;
}

export class ActionError extends Error {}

const CONVERSATION = 'c.workspace_id = $1 and c.id = $2';

export async function applyAction(ctx: ActionContext, action: Action): Promise<ActionResult> {
  const { client, workspaceId, conversationId } = ctx;
  const params = action.action_params ?? [];
  const name = action.action_name;
  const applied: ActionResult = { action_name: name, result: 'applied' };
  const skipped = (reason: string): ActionResult => ({ action_name: name, result: 'skipped', reason });

  switch (name) {
    case 'add_tag': {
      const tags = [...new Set(params.map((t) => t.trim().toLowerCase()))];
      await client.query(
        `update public.conversations c
         set tags = c.tags || array(select t from unnest($3::text[]) with ordinality u(t, n) where not t = any (c.tags) order by n)
         where ${CONVERSATION} and not $3::text[] <@ c.tags`,
        [workspaceId, conversationId, tags],
      );
      return applied;
    }
    case 'assign_agent': {
      const r = await client.query(
        `update public.conversations c
         set assignee_id = m.id,
             handoff_state = case when c.handoff_state = 'requested' then 'accepted' else c.handoff_state end
         from public.workspace_members m
         where ${CONVERSATION} and m.workspace_id = $1 and m.id::text = $3`,
        [workspaceId, conversationId, params[0]],
      );
      if (r.rowCount === 0) throw new ActionError(`assign_agent: ${params[0]} is not a member of this workspace`);
      return applied;
    }
    case 'assign_team': {
      const r = await client.query(
        `update public.conversations c set team_id = t.id
         from public.teams t
         where ${CONVERSATION} and t.workspace_id = $1 and t.id::text = $3`,
        [workspaceId, conversationId, params[0]],
      );
      if (r.rowCount === 0) throw new ActionError(`assign_team: ${params[0]} is not a team of this workspace`);
      return applied;
    }
    case 'set_status':
      await client.query(`update public.conversations c set status = $3, snoozed_until = null where ${CONVERSATION}`, [workspaceId, conversationId, params[0]]);
      return applied;
    case 'set_priority':
      await client.query(`update public.conversations c set priority = $3 where ${CONVERSATION}`, [workspaceId, conversationId, params[0]]);
      return applied;
    case 'send_message': {
      if (ctx.channelType === 'whatsapp' && !ctx.windowOpen) {
        return skipped('the 24-hour customer service window is closed (free-form messages need the contact to have written in the last 24 hours)');
      }
      await client.query(
        `insert into public.messages (workspace_id, conversation_id, direction, sender_type, type, text, content)
         values ($1, $2, 'outbound', 'system', 'text', $3, jsonb_build_object('automation_id', $4::text))`,
        [workspaceId, conversationId, params[0], ctx.automation.id],
      );
      return applied;
    }
    case 'send_webhook_event':
      // Delivery (signing, retries) belongs to the `webhook_event` task; this run only enqueues it, atomically with the run.
      await client.query(
        `select graphile_worker.add_job('webhook_event', jsonb_build_object(
           'url', $3::text,
           'event', $4::text,
           'workspace_id', $1::uuid,
           'automation', jsonb_build_object('id', $5::text, 'name', $6::text),
           'changed', $7::text[],
           'conversation', (select to_jsonb(c) from public.conversations c where ${CONVERSATION}),
           'message', (select to_jsonb(m) - 'search' from public.messages m where m.workspace_id = $1 and m.id = $8::uuid)
         )::json, max_attempts => 10)`,
        [workspaceId, conversationId, params[0], ctx.event, ctx.automation.id, ctx.automation.name, ctx.changed, ctx.messageId],
      );
      return applied;
    case 'trigger_handoff': {
      const r = await client.query(
        `update public.conversations c set handoff_state = 'requested', handoff_reason = $3
         where ${CONVERSATION} and c.handoff_state = 'none'`,
        [workspaceId, conversationId, params[0] ?? `automation: ${ctx.automation.name}`],
      );
      return r.rowCount === 0 ? skipped('a handoff is already requested or accepted') : applied;
    }
  }
}
