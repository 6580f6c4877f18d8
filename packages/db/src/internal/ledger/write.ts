/**
 * How a batch is written, after its plans passed the invariants: one statement, one
 * round trip, whatever the batch's size. Its data-modifying CTEs insert every journal line,
 * insert the new pending rows, update the remainders of the stored ones, and update every
 * holding and platform account whose balance changed, each from arrays (`unnest`); the
 * statement's text never changes, so it is prepared once per connection. The database
 * itself compares what it stored with what the ledger sent (after each column's own
 * rounding), and the statement answers with how many rows each part wrote and the first row
 * that stores something else; the ledger dies naming the invariant when a count or a value
 * differs (the transaction then rolls back).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import { type Book, bookColumns, describeRow } from "./accounts.ts"
import { columns } from "./arrays.ts"
import { InconsistentBalance, InconsistentPending, MissingRow } from "./errors.ts"
import { lineColumns, type Plan, transferOf } from "./lines.ts"
import type { Transfer, TransferId } from "./model.ts"
import { pendingColumns, type PendingRow } from "./pending.ts"

/** What the batch writes besides its plans' lines. */
export interface Writes {
  /** The plans of the applied sets, in order. */
  readonly plans: ReadonlyArray<Plan>
  /** The locked book, balances as the plans leave them. */
  readonly book: Book
  /** The rows of the pending transfers the batch creates. */
  readonly created: ReadonlyArray<PendingRow>
  /** The locked rows of the stored pending transfers the batch resolves. */
  readonly locked: ReadonlyMap<TransferId, PendingRow>
  /** Each pending transfer's remainder after the batch (those it touched). */
  readonly remaining: ReadonlyMap<TransferId, bigint>
}

const Report = Schema.Struct({
  created_at: Schema.DateTimeUtcFromDate,
  lines: Schema.Number,
  pending_created: Schema.Number,
  pending_created_wrong: Schema.NullOr(Schema.String),
  pending_changed: Schema.Number,
  pending_changed_wrong: Schema.NullOr(Schema.String),
  pending_actual: Schema.NullOr(Schema.String),
  holdings: Schema.Number,
  holdings_wrong: Schema.NullOr(Schema.String),
  holdings_actual: Schema.NullOr(Schema.String),
  platform: Schema.Number,
  platform_wrong: Schema.NullOr(Schema.String),
  platform_actual: Schema.NullOr(Schema.String)
})
const decodeReport = Schema.decodeUnknownEffect(Schema.Array(Report))

const notWritten = (table: string, written: number, expected: number) =>
  Effect.die(
    new MissingRow({ table, key: `${written} of ${expected}`, invariant: "the batch writes every row it planned" })
  )

/** Dies unless the statement wrote every row and stored every value the ledger computed. */
const check = (report: typeof Report.Type, writes: Writes, expected: {
  readonly lines: number
  readonly created: number
  readonly changed: number
  readonly holdings: number
  readonly platform: number
}): Effect.Effect<void> => {
  if (report.lines !== expected.lines) return notWritten("asset_transactions", report.lines, expected.lines)
  if (report.pending_created !== expected.created) {
    return notWritten("ledger.pending_transfers", report.pending_created, expected.created)
  }
  if (report.pending_changed !== expected.changed) {
    return notWritten("ledger.pending_transfers", report.pending_changed, expected.changed)
  }
  if (report.holdings !== expected.holdings) return notWritten("entity_holdings", report.holdings, expected.holdings)
  if (report.platform !== expected.platform) {
    return notWritten("ledger.platform_accounts", report.platform, expected.platform)
  }
  const pendingWrong = report.pending_created_wrong ?? report.pending_changed_wrong
  if (pendingWrong !== null) {
    const expected = [...writes.remaining].find(([id]) => id === pendingWrong)?.[1]
    return Effect.die(
      new InconsistentPending({
        transfer_id: pendingWrong,
        expected: String(expected ?? ""),
        actual: report.pending_actual ?? "",
        invariant: "the database stores the remainder the ledger computed"
      })
    )
  }
  const balanceWrong = report.holdings_wrong ?? report.platform_wrong
  if (balanceWrong !== null) {
    const row = describeRow(writes.book, balanceWrong)
    return Effect.die(
      new InconsistentBalance({
        account: row.account,
        expected: row.expected,
        actual: report.holdings_actual ?? report.platform_actual ?? "",
        invariant: "the database stores the balance the ledger computed"
      })
    )
  }
  return Effect.void
}

/**
 * Writes a batch in one statement and returns the stored transfer of each plan (its
 * `created_at` is the transaction's `now()`, which the statement returns).
 */
export const writeBatch = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, writes: Writes) {
  const result = new Map<Plan, Transfer>()
  const journal = lineColumns(writes.plans)
  if (journal instanceof MissingRow) return yield* Effect.die(journal)
  const pending = pendingColumns(writes.created, writes.locked, writes.remaining)
  const book = bookColumns(writes.book)
  const line = yield* columns(journal.columns)
  const created = yield* columns(pending.created)
  const changed = yield* columns(pending.changed)
  const holding = yield* columns(book.holdings)
  const platform = yield* columns(book.platform)
  const rows: ReadonlyArray<unknown> = yield* Constraints.refine(sql`
    WITH lines AS (
      INSERT INTO asset_transactions (id, entity_id, transaction_type, reference, idempotency_key, market_maker_id,
        created_by, notes, asset_type, amount, balance_after, transfer_id, account, transfer_kind, pending_id)
      SELECT * FROM unnest(${line.id}::uuid[], ${line.entity}::uuid[], ${line.type}::transactiontype[],
        ${line.reference}::text[], ${line.key}::text[], ${line.marketMaker}::uuid[], ${line.createdBy}::uuid[],
        ${line.notes}::text[], ${line.asset}::assettype[], ${line.amount}::numeric[], ${line.balanceAfter}::numeric[],
        ${line.transfer}::uuid[], ${line.account}::text[], ${line.kind}::text[], ${line.pending}::uuid[])
      RETURNING 1
    ), created AS (
      INSERT INTO ledger.pending_transfers
        (transfer_id, asset_type, holder_id, source_account, source_entity_id, amount, remaining)
      SELECT * FROM unnest(${created.id}::uuid[], ${created.asset}::assettype[], ${created.holder}::uuid[],
        ${created.source}::text[], ${created.sourceEntity}::uuid[], ${created.amount}::numeric[],
        ${created.remaining}::numeric[])
      RETURNING transfer_id, remaining
    ), created_sent AS (
      SELECT * FROM unnest(${created.id}::uuid[], ${created.remaining}::numeric[]) AS v(transfer_id, remaining)
    ), changed AS (
      UPDATE ledger.pending_transfers AS p SET remaining = v.remaining, updated_at = now()
      FROM unnest(${changed.id}::uuid[], ${changed.remaining}::numeric[]) AS v(transfer_id, remaining)
      WHERE p.transfer_id = v.transfer_id
      RETURNING p.transfer_id, p.remaining = v.remaining AS same, p.remaining::text AS actual
    ), holdings AS (
      UPDATE entity_holdings AS h SET available = v.available, locked = v.locked, updated_at = now()
      FROM unnest(${holding.id}::uuid[], ${holding.available}::numeric[], ${holding.locked}::numeric[])
        AS v(id, available, locked)
      WHERE h.id = v.id
      RETURNING h.id, h.available = v.available AND h.locked = v.locked AS same,
        h.available::text || '/' || h.locked::text AS actual
    ), platform AS (
      UPDATE ledger.platform_accounts AS p SET balance = v.balance, updated_at = now()
      FROM unnest(${platform.name}::text[], ${platform.asset}::assettype[], ${platform.balance}::numeric[])
        AS v(account, asset_type, balance)
      WHERE p.account = v.account AND p.asset_type = v.asset_type
      RETURNING p.account || '/' || p.asset_type::text AS key, p.balance = v.balance AS same, p.balance::text AS actual
    ), created_wrong AS (
      SELECT c.transfer_id, c.remaining::text AS actual FROM created AS c JOIN created_sent AS s USING (transfer_id)
      WHERE c.remaining <> s.remaining LIMIT 1
    ), changed_wrong AS (
      SELECT transfer_id, actual FROM changed WHERE NOT same LIMIT 1
    )
    SELECT now() AS created_at,
      (SELECT count(*) FROM lines)::int AS lines,
      (SELECT count(*) FROM created)::int AS pending_created,
      (SELECT transfer_id::text FROM created_wrong) AS pending_created_wrong,
      (SELECT count(*) FROM changed)::int AS pending_changed,
      (SELECT transfer_id::text FROM changed_wrong) AS pending_changed_wrong,
      coalesce((SELECT actual FROM created_wrong), (SELECT actual FROM changed_wrong)) AS pending_actual,
      (SELECT count(*) FROM holdings)::int AS holdings,
      (SELECT id::text FROM holdings WHERE NOT same LIMIT 1) AS holdings_wrong,
      (SELECT actual FROM holdings WHERE NOT same LIMIT 1) AS holdings_actual,
      (SELECT count(*) FROM platform)::int AS platform,
      (SELECT key FROM platform WHERE NOT same LIMIT 1) AS platform_wrong,
      (SELECT actual FROM platform WHERE NOT same LIMIT 1) AS platform_actual`)
  const [report] = yield* Effect.orDie(decodeReport(rows))
  if (report === undefined) return yield* notWritten("asset_transactions", 0, journal.columns.id.length)
  yield* check(report, writes, {
    lines: journal.columns.id.length,
    created: pending.created.id.length,
    changed: pending.changed.id.length,
    holdings: book.holdings.id.length,
    platform: book.platform.name.length
  })
  for (const [index, plan] of writes.plans.entries()) {
    const transfer = transferOf(plan, journal.ids[index] ?? [], report.created_at)
    if (typeof transfer === "string") {
      return yield* Effect.die(
        new MissingRow({ table: "asset_transactions", key: plan.request.key, invariant: transfer })
      )
    }
    result.set(plan, transfer)
  }
  return result as ReadonlyMap<Plan, Transfer>
}) satisfies (
  sql: SqlClient.SqlClient,
  writes: Writes
) => Effect.Effect<ReadonlyMap<Plan, Transfer>, SqlError | Constraints.ConstraintViolation>
