/**
 * Migration 6, `withdrawal_approvals`: the second admin's approval of a first withdrawal
 * to a beneficiary account the entity never used (`WithdrawalPolicy.WithdrawalApproval`
 * in `@niha/domain`), one per withdrawal.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE withdrawal_approvals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  withdrawal_id uuid NOT NULL,
  approved_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT withdrawal_approvals_withdrawal_id_key UNIQUE (withdrawal_id)
)`,
  "ALTER TABLE withdrawal_approvals ADD CONSTRAINT withdrawal_approvals_withdrawal_id_fkey FOREIGN KEY (withdrawal_id) REFERENCES withdrawals (id)",
  "ALTER TABLE withdrawal_approvals ADD CONSTRAINT withdrawal_approvals_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES users (id)",
  "CREATE INDEX withdrawal_approvals_approved_by_idx ON withdrawal_approvals (approved_by)"
]
