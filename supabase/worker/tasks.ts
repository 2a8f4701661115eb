/**
 * The platform's job registry. Each later capability adds its task here (webhook deliveries,
 * WhatsApp sends, AI replies); a job is added from SQL with `graphile_worker.add_job('<name>', payload)`
 * inside the transaction that causes it, so it runs after commit and never after a rollback.
 */
import type { TaskList } from 'graphile-worker';
import { runAutomations } from './tasks/run-automations.ts';

export const platformTasks: TaskList = {
  /** Chatwoot-style automations after conversation and message events (sql/migrations/0012_automations.sql). */
  run_automations: runAutomations,
};
