/**
 * The ledger's audit: {@link verify} compares every materialised balance (holdings,
 * platform accounts, pending remainders) with the sums of the journal, and checks that
 * every transfer balances, no pending transfer is over-posted and no account is outside
 * its limit. The report types are re-exported by `Ledger.ts`.
 */
import type { Enums } from "@niha/domain"
import * as Effect from "effect/Effect"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { PlatformAccountName } from "./model.ts"

/**
 * A holding whose balance is not the sum of its journal lines.
 *
 * @category verification
 * @since 0.1.0
 */
export interface HoldingDifference {
  /** The entity. */
  readonly entity_id: string
  /** The asset. */
  readonly asset_type: Enums.AssetType
  /** Which of the holding's two balances differs. */
  readonly account: "AVAILABLE" | "LOCKED"
  /** The balance in the holding row, as decimal text. */
  readonly holding: string
  /** The sum of the journal lines, as decimal text. */
  readonly journal: string
}

/**
 * What `Service.verify` found. `ok` is true when every list of problems is empty.
 *
 * @category verification
 * @since 0.1.0
 */
export interface Report {
  /** True when nothing below lists a problem. */
  readonly ok: boolean
  /** How many holdings rows were compared. */
  readonly holdings: number
  /** How many transfers were checked. */
  readonly transfers: number
  /** Each balance that is not the sum of its lines. */
  readonly differences: ReadonlyArray<HoldingDifference>
  /** Transfers whose lines do not sum to zero. */
  readonly unbalanced: ReadonlyArray<TransferSum>
  /** Pending transfers with more posted or returned than they held. */
  readonly overdrawnPending: ReadonlyArray<PendingOverdraft>
  /** Balances below zero (the check constraints make this impossible; reported for completeness). */
  readonly negative: ReadonlyArray<NegativeHolding>
  /** The balance of each platform account per asset (the sum of its lines). */
  readonly platform: ReadonlyArray<PlatformBalance>
  /** Platform accounts whose materialised row is not the sum of their lines. */
  readonly platformDifferences: ReadonlyArray<PlatformDifference>
  /** Platform accounts outside their limit (`CUSTODY`, `SETTLEMENT_PENDING`, `FEES` below zero). */
  readonly platformOverdrafts: ReadonlyArray<PlatformBalance>
  /** Pending transfers whose stored remainder is not their amount less what their posts and voids took. */
  readonly pendingDifferences: ReadonlyArray<PendingDifference>
}

/**
 * A platform account whose materialised balance is not the sum of its lines.
 *
 * @category verification
 * @since 0.1.0
 */
export interface PlatformDifference {
  /** The platform account. */
  readonly account: PlatformAccountName
  /** The asset. */
  readonly asset_type: Enums.AssetType
  /** The balance in its row, as decimal text. */
  readonly stored: string
  /** The sum of its lines, as decimal text. */
  readonly journal: string
}

/**
 * A pending transfer whose stored remainder disagrees with its journal.
 *
 * @category verification
 * @since 0.1.0
 */
export interface PendingDifference {
  /** The pending transfer. */
  readonly transfer_id: string
  /** The remainder in its row, as decimal text, or null when it has no row. */
  readonly stored: string | null
  /** Its amount less what its posts and voids took, as decimal text. */
  readonly journal: string
}

/**
 * A transfer whose lines do not sum to zero.
 *
 * @category verification
 * @since 0.1.0
 */
export interface TransferSum {
  /** The transfer. */
  readonly transfer_id: string
  /** The sum of its lines, as decimal text. */
  readonly sum: string
}

/**
 * A pending transfer posted or returned beyond its amount.
 *
 * @category verification
 * @since 0.1.0
 */
export interface PendingOverdraft {
  /** The pending transfer. */
  readonly transfer_id: string
  /** What remains, below zero, as decimal text. */
  readonly remaining: string
}

/**
 * A holding with a balance below zero.
 *
 * @category verification
 * @since 0.1.0
 */
export interface NegativeHolding {
  /** The entity. */
  readonly entity_id: string
  /** The asset. */
  readonly asset_type: Enums.AssetType
}

/**
 * The balance of a platform account in one asset.
 *
 * @category verification
 * @since 0.1.0
 */
export interface PlatformBalance {
  /** The platform account. */
  readonly account: PlatformAccountName
  /** The asset. */
  readonly asset_type: Enums.AssetType
  /** The sum of its lines, as decimal text. */
  readonly balance: string
}

const holdingDifferences = (sql: SqlClient.SqlClient) =>
  sql<HoldingDifference>`
    WITH journal AS (
      SELECT entity_id, asset_type, account, sum(amount) AS total
      FROM asset_transactions WHERE entity_id IS NOT NULL
      GROUP BY entity_id, asset_type, account
    ),
    balances AS (
      SELECT entity_id, asset_type, 'AVAILABLE' AS account, available AS balance FROM entity_holdings
      UNION ALL
      SELECT entity_id, asset_type, 'LOCKED', locked FROM entity_holdings
    )
    SELECT coalesce(b.entity_id, j.entity_id)::text AS entity_id,
           coalesce(b.asset_type, j.asset_type)::text AS asset_type,
           coalesce(b.account, j.account) AS account,
           coalesce(b.balance, 0)::text AS holding,
           coalesce(j.total, 0)::text AS journal
    FROM balances b
    FULL JOIN journal j ON j.entity_id = b.entity_id AND j.asset_type = b.asset_type AND j.account = b.account
    WHERE coalesce(b.balance, 0) <> coalesce(j.total, 0)
    ORDER BY 1, 2, 3`

const platformDifferences = (sql: SqlClient.SqlClient) =>
  sql<PlatformDifference>`
    WITH journal AS (
      SELECT account, asset_type, sum(amount) AS total
      FROM asset_transactions WHERE entity_id IS NULL GROUP BY account, asset_type
    )
    SELECT coalesce(p.account, j.account) AS account, coalesce(p.asset_type, j.asset_type)::text AS asset_type,
           coalesce(p.balance, 0)::text AS stored, coalesce(j.total, 0)::text AS journal
    FROM ledger.platform_accounts p
    FULL JOIN journal j ON j.account = p.account AND j.asset_type = p.asset_type
    WHERE p.balance IS DISTINCT FROM coalesce(j.total, 0)
    ORDER BY 1, 2`

const pendingDifferences = (sql: SqlClient.SqlClient) =>
  sql<PendingDifference>`
    WITH journal AS (
      SELECT p.transfer_id, p.amount + coalesce(sum(r.amount), 0) AS remaining
      FROM asset_transactions p
      LEFT JOIN asset_transactions r
        ON r.pending_id = p.transfer_id AND r.account = 'LOCKED' AND r.entity_id = p.entity_id
      WHERE p.transfer_kind = 'PENDING' AND p.account = 'LOCKED' AND p.amount > 0
      GROUP BY p.transfer_id, p.amount
    )
    SELECT coalesce(j.transfer_id, s.transfer_id)::text AS transfer_id, s.remaining::text AS stored,
           coalesce(j.remaining, 0)::text AS journal
    FROM journal j
    FULL JOIN ledger.pending_transfers s ON s.transfer_id = j.transfer_id
    WHERE s.remaining IS DISTINCT FROM j.remaining
    ORDER BY 1`

const journalChecks = Effect.fnUntraced(function*(sql: SqlClient.SqlClient) {
  const unbalanced = yield* sql<TransferSum>`
    SELECT transfer_id::text AS transfer_id, sum(amount)::text AS sum
    FROM asset_transactions GROUP BY transfer_id HAVING sum(amount) <> 0 ORDER BY 1`
  const overdrawnPending = yield* sql<PendingOverdraft>`
    SELECT p.transfer_id::text AS transfer_id, (p.amount + coalesce(sum(r.amount), 0))::text AS remaining
    FROM asset_transactions p
    LEFT JOIN asset_transactions r
      ON r.pending_id = p.transfer_id AND r.account = 'LOCKED' AND r.entity_id = p.entity_id
    WHERE p.transfer_kind = 'PENDING' AND p.account = 'LOCKED' AND p.amount > 0
    GROUP BY p.transfer_id, p.amount
    HAVING p.amount + coalesce(sum(r.amount), 0) < 0
    ORDER BY 1`
  const negative = yield* sql<NegativeHolding>`
    SELECT entity_id::text AS entity_id, asset_type::text AS asset_type FROM entity_holdings
    WHERE available < 0 OR locked < 0 ORDER BY 1, 2`
  const platform = yield* sql<PlatformBalance>`
    SELECT account, asset_type::text AS asset_type, sum(amount)::text AS balance
    FROM asset_transactions WHERE entity_id IS NULL GROUP BY account, asset_type ORDER BY 1, 2`
  return { unbalanced, overdrawnPending, negative, platform }
})

/** Compares every materialised balance with the journal and checks every transfer and limit. */
export const verify = (sql: SqlClient.SqlClient): Effect.Effect<Report, SqlError> =>
  Effect.gen(function*() {
    const differences = yield* holdingDifferences(sql)
    const checks = yield* journalChecks(sql)
    const platformDiffs = yield* platformDifferences(sql)
    const pendingDiffs = yield* pendingDifferences(sql)
    const platformOverdrafts = yield* sql<PlatformBalance>`
      SELECT account, asset_type::text AS asset_type, balance::text AS balance FROM ledger.platform_accounts
      WHERE account <> 'WORLD' AND balance < 0 ORDER BY 1, 2`
    const [counts] = yield* sql<{ holdings: number; transfers: number }>`
      SELECT (SELECT count(*)::int FROM entity_holdings) AS holdings,
             (SELECT count(DISTINCT transfer_id)::int FROM asset_transactions) AS transfers`
    const problems = [
      differences,
      checks.unbalanced,
      checks.overdrawnPending,
      checks.negative,
      platformDiffs,
      platformOverdrafts,
      pendingDiffs
    ]
    return {
      ok: problems.every((list) => list.length === 0),
      holdings: counts?.holdings ?? 0,
      transfers: counts?.transfers ?? 0,
      differences,
      ...checks,
      platformDifferences: platformDiffs,
      platformOverdrafts,
      pendingDifferences: pendingDiffs
    } satisfies Report
  }).pipe(Effect.withSpan("Ledger.verify"))
