/**
 * The record of what the automation runner did: one row per automation that a `run_automations` job
 * applied or failed to apply. The runner writes the `applied` row in the same transaction as the
 * automation's actions, so a retried job (graphile-worker keeps its id across attempts) skips the
 * automations it already applied and only re-runs the ones that failed. Internal: no API role reads it.
 */

create table private.automation_runs (
  id bigint generated always as identity,
  /** graphile-worker's job id (the same on every attempt of that job). */
  job_id bigint not null,
  attempt integer not null,
  automation_id uuid not null,
  workspace_id uuid not null,
  event_name text not null,
  conversation_id uuid,
  message_id uuid,
  outcome text not null,
  /** Per action: {action_name, result: applied|skipped, reason?}. */
  actions jsonb not null default '[]'::jsonb,
  error text,
  created_at timestamptz not null default now(),
  constraint automation_runs_pkey primary key (id),
  constraint automation_runs_automation_id_fkey foreign key (automation_id) references public.automations (id) on delete cascade,
  constraint automation_runs_workspace_id_fkey foreign key (workspace_id) references public.workspaces (id) on delete cascade,
  constraint automation_runs_outcome_check check (outcome in ('applied', 'failed'))
);
comment on table private.automation_runs is 'What the automation runner applied (or failed to apply), per job and automation.';

/** An automation is applied at most once per job, however often the job is retried. */
create unique index automation_runs_job_automation_applied_idx on private.automation_runs (job_id, automation_id) where outcome = 'applied';
create index automation_runs_automation_id_idx on private.automation_runs (automation_id, created_at desc);
create index automation_runs_workspace_id_idx on private.automation_runs (workspace_id);
