/**
 * Migration 10, `settlement`: what the settlement lifecycle keeps beyond the seed's
 * batches and history.
 *
 * - `settlement_batches.reschedule_pending`: the batch of a trade whose schedule runs past
 *   the calendars' data was given provisional dates and waits for the year to be added.
 * - `settlement_resolutions`: how an admin resolved a FAILED batch (REVERSAL or BUY_IN),
 *   one per batch, with the note both parties see and, for a buy-in, the price paid and
 *   what the failed seller was charged.
 * - `settlement_overdue_flags`: a milestone the overdue job found past its due date, one
 *   per batch and milestone, so it is flagged and mailed once.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  "ALTER TABLE settlement_batches ADD COLUMN reschedule_pending boolean NOT NULL DEFAULT false",
  "CREATE INDEX settlement_batches_reschedule_pending_idx ON settlement_batches (reschedule_pending) WHERE reschedule_pending",
  "CREATE INDEX settlement_batches_status_idx ON settlement_batches (status)",
  `CREATE TABLE settlement_resolutions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  settlement_batch_id uuid NOT NULL,
  resolution text NOT NULL CHECK (resolution IN ('REVERSAL', 'BUY_IN')),
  note text NOT NULL CHECK (btrim(note) = note AND note <> ''),
  buy_in_price numeric(20,4) CHECK (buy_in_price IS NULL OR buy_in_price > 0),
  charged_to_seller numeric(20,2) CHECK (charged_to_seller IS NULL OR charged_to_seller >= 0),
  resolved_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT settlement_resolutions_settlement_batch_id_key UNIQUE (settlement_batch_id),
  CONSTRAINT settlement_resolutions_buy_in_check CHECK ((resolution = 'BUY_IN') = (buy_in_price IS NOT NULL))
)`,
  "ALTER TABLE settlement_resolutions ADD CONSTRAINT settlement_resolutions_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches (id)",
  "ALTER TABLE settlement_resolutions ADD CONSTRAINT settlement_resolutions_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES users (id)",
  "CREATE INDEX settlement_resolutions_resolved_by_idx ON settlement_resolutions (resolved_by)",
  `CREATE TABLE settlement_overdue_flags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  settlement_batch_id uuid NOT NULL,
  milestone settlementstatus NOT NULL CHECK (milestone IN ('TRANSFER_INITIATED', 'IN_TRANSIT', 'AT_CUSTODY', 'SETTLED')),
  due_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT settlement_overdue_flags_batch_milestone_key UNIQUE (settlement_batch_id, milestone)
)`,
  "ALTER TABLE settlement_overdue_flags ADD CONSTRAINT settlement_overdue_flags_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches (id)"
]
