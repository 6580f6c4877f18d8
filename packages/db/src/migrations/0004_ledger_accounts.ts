/**
 * Migration 4, `ledger_accounts`: the ledger's own state, in a schema of its own
 * (`ledger`) beside the domain's tables in `public`.
 *
 * - `ledger.platform_accounts`: one materialised row per platform account and asset, so
 *   the platform accounts have limits the database holds as well as the ledger:
 *   `CUSTODY`, `SETTLEMENT_PENDING` and `FEES` never below zero (the ledger also refuses
 *   any debit of `FEES`, which is credit-only), `WORLD` the only account below zero. The
 *   rows are filled from the journal, so a database whose journal already took a platform
 *   account other than `WORLD` below zero fails this migration on
 *   `platform_accounts_limit_check` instead of carrying the broken state forward.
 * - `ledger.pending_transfers`: one row per pending transfer with its remainder, updated
 *   by every post and void, so a fill reads one row instead of summing the posts before
 *   it. Filled from the journal for the pending transfers already written; a pending
 *   transfer posted beyond its amount fails on `pending_transfers_remaining_check`.
 *
 * Written as literal SQL; once released it is frozen like the migrations before it.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  "CREATE SCHEMA ledger",
  `CREATE TABLE ledger.platform_accounts (
  account text NOT NULL CHECK (account IN ('FEES', 'CUSTODY', 'SETTLEMENT_PENDING', 'WORLD')),
  asset_type assettype NOT NULL,
  balance numeric(20,2) NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT platform_accounts_pkey PRIMARY KEY (account, asset_type),
  CONSTRAINT platform_accounts_limit_check CHECK (account = 'WORLD' OR balance >= 0),
  CONSTRAINT platform_accounts_whole_tonnes_check CHECK (asset_type = 'EUR' OR balance = trunc(balance))
)`,
  `INSERT INTO ledger.platform_accounts (account, asset_type, balance)
SELECT a.account, t.asset_type, coalesce(sum(x.amount), 0)
FROM unnest(ARRAY['FEES', 'CUSTODY', 'SETTLEMENT_PENDING', 'WORLD']) AS a(account)
CROSS JOIN unnest(enum_range(NULL::assettype)) AS t(asset_type)
LEFT JOIN asset_transactions x ON x.account = a.account AND x.asset_type = t.asset_type
GROUP BY a.account, t.asset_type`,
  `CREATE TABLE ledger.pending_transfers (
  transfer_id uuid PRIMARY KEY,
  asset_type assettype NOT NULL,
  holder_id uuid NOT NULL,
  source_account text NOT NULL CHECK (source_account IN ('AVAILABLE', 'FEES', 'CUSTODY', 'SETTLEMENT_PENDING', 'WORLD')),
  source_entity_id uuid,
  amount numeric(20,2) NOT NULL CHECK (amount > 0),
  remaining numeric(20,2) NOT NULL CHECK (remaining >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pending_transfers_remaining_within_amount_check CHECK (remaining <= amount),
  CONSTRAINT pending_transfers_source_check CHECK ((source_entity_id IS NOT NULL) = (source_account = 'AVAILABLE')),
  CONSTRAINT pending_transfers_whole_tonnes_check CHECK (asset_type = 'EUR' OR (amount = trunc(amount) AND remaining = trunc(remaining)))
)`,
  "ALTER TABLE ledger.pending_transfers ADD CONSTRAINT pending_transfers_holder_id_fkey FOREIGN KEY (holder_id) REFERENCES entities (id)",
  "ALTER TABLE ledger.pending_transfers ADD CONSTRAINT pending_transfers_source_entity_id_fkey FOREIGN KEY (source_entity_id) REFERENCES entities (id)",
  "CREATE INDEX pending_transfers_holder_id_idx ON ledger.pending_transfers (holder_id)",
  "CREATE INDEX pending_transfers_source_entity_id_idx ON ledger.pending_transfers (source_entity_id)",
  `INSERT INTO ledger.pending_transfers
  (transfer_id, asset_type, holder_id, source_account, source_entity_id, amount, remaining, created_at)
SELECT p.transfer_id, p.asset_type, p.entity_id, s.account, s.entity_id, p.amount,
       p.amount + coalesce((
         SELECT sum(r.amount) FROM asset_transactions r
         WHERE r.pending_id = p.transfer_id AND r.account = 'LOCKED' AND r.entity_id = p.entity_id), 0),
       p.created_at
FROM asset_transactions p
JOIN asset_transactions s ON s.transfer_id = p.transfer_id AND s.amount < 0
WHERE p.transfer_kind = 'PENDING' AND p.account = 'LOCKED' AND p.amount > 0`
]
