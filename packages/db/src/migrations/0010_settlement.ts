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
 * - `seller_certificates`: the lots (`certificates`) an external seller holds, one seller
 *   per lot.
 * - `certificate_allocations`: a lot allocated to the settlement batch it delivers; at most
 *   one open allocation per lot (a lot is never in two settlements), released when the
 *   batch fails.
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
  "ALTER TABLE settlement_overdue_flags ADD CONSTRAINT settlement_overdue_flags_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches (id)",
  `CREATE TABLE seller_certificates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seller_id uuid NOT NULL,
  certificate_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT seller_certificates_certificate_id_key UNIQUE (certificate_id)
)`,
  "ALTER TABLE seller_certificates ADD CONSTRAINT seller_certificates_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES sellers (id)",
  "ALTER TABLE seller_certificates ADD CONSTRAINT seller_certificates_certificate_id_fkey FOREIGN KEY (certificate_id) REFERENCES certificates (id)",
  "CREATE INDEX seller_certificates_seller_id_idx ON seller_certificates (seller_id)",
  `CREATE TABLE certificate_allocations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  certificate_id uuid NOT NULL,
  settlement_batch_id uuid NOT NULL,
  allocated_by uuid NOT NULL,
  released_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  "CREATE UNIQUE INDEX certificate_allocations_open_key ON certificate_allocations (certificate_id) WHERE released_at IS NULL",
  "CREATE INDEX certificate_allocations_certificate_id_idx ON certificate_allocations (certificate_id)",
  "CREATE INDEX certificate_allocations_settlement_batch_id_idx ON certificate_allocations (settlement_batch_id)",
  "CREATE INDEX certificate_allocations_allocated_by_idx ON certificate_allocations (allocated_by)",
  "ALTER TABLE certificate_allocations ADD CONSTRAINT certificate_allocations_certificate_id_fkey FOREIGN KEY (certificate_id) REFERENCES certificates (id)",
  "ALTER TABLE certificate_allocations ADD CONSTRAINT certificate_allocations_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches (id)",
  "ALTER TABLE certificate_allocations ADD CONSTRAINT certificate_allocations_allocated_by_fkey FOREIGN KEY (allocated_by) REFERENCES users (id)"
]
