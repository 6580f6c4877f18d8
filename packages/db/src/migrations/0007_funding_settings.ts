/**
 * Migration 7, `funding_settings`: the funding settings admins change at run time
 * (`FundingSettings.FundingSetting` in `@niha/domain`), one row per setting (the AML hold
 * policy, the withdrawal limits) with its value as JSON in the setting's own schema, and
 * no row for a setting still at its default; and the manual-review flag of a held deposit
 * (`deposits.manual_review`), which stops the release job from clearing it on its date.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE funding_settings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key text NOT NULL CHECK (key IN ('aml_policy', 'withdrawal_limits')),
  value jsonb NOT NULL CHECK (jsonb_typeof(value) = 'object'),
  updated_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT funding_settings_key_key UNIQUE (key)
)`,
  "ALTER TABLE funding_settings ADD CONSTRAINT funding_settings_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users (id)",
  "CREATE INDEX funding_settings_updated_by_idx ON funding_settings (updated_by)",
  "ALTER TABLE deposits ADD COLUMN manual_review boolean NOT NULL DEFAULT false",
  // Only a held deposit can be under review: clearing or rejecting it ends the review.
  "ALTER TABLE deposits ADD CONSTRAINT deposits_manual_review_check CHECK (NOT manual_review OR status = 'ON_HOLD')"
]
