/**
 * Migration 5, `jobs`: the table of the durable job runner (`Job.Job` in `@niha/domain`,
 * run by the server's `JobRunner`): work that must happen later and survive a restart,
 * leased with `FOR UPDATE SKIP LOCKED` so several servers never run one job at once.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (btrim(kind) = kind AND kind <> ''),
  key text NOT NULL CHECK (btrim(key) = key AND key <> ''),
  payload jsonb NOT NULL DEFAULT 'null'::jsonb,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'DONE', 'FAILED')),
  run_at timestamptz NOT NULL,
  repeat_ms integer CHECK (repeat_ms IS NULL OR repeat_ms > 0),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
  leased_by text,
  leased_until timestamptz,
  last_error text,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT jobs_kind_key_key UNIQUE (kind, key),
  CONSTRAINT jobs_running_is_leased CHECK ((status = 'RUNNING') = (leased_by IS NOT NULL AND leased_until IS NOT NULL)),
  CONSTRAINT jobs_finished_has_time CHECK ((status IN ('DONE', 'FAILED')) = (finished_at IS NOT NULL))
)`,
  // The runner's query: pending jobs that are due, and running ones whose lease ended.
  "CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'PENDING'",
  "CREATE INDEX jobs_lease_idx ON jobs (leased_until) WHERE status = 'RUNNING'"
]
