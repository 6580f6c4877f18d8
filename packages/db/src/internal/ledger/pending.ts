/**
 * Pending transfers as rows of `ledger.pending_transfers`: who holds the amount, where it
 * came from, how much it locked and how much remains. The row is written with the
 * pending transfer and updated by every post and void of it, in the same transaction as
 * their lines, so a fill reads one row instead of summing the posts before it. Rows are
 * locked by id after the holder's holding (the lock order of `Transaction`).
 */
import { Enums, Ids } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import { format, toMinor } from "../amounts.ts"
import { InconsistentPending, MissingRow } from "./errors.ts"
import type { Plan } from "./lines.ts"
import { type Account, available, platform, PlatformAccountName, TransferId } from "./model.ts"

/** A pending transfer's row, amounts in minor units. */
export interface PendingRow {
  readonly transfer_id: TransferId
  readonly asset: Enums.AssetType
  readonly holder: Ids.EntityId
  readonly source: Account
  readonly amount: bigint
  readonly remaining: bigint
}

const Row = Schema.Struct({
  transfer_id: TransferId,
  asset_type: Enums.AssetType,
  holder_id: Ids.EntityId,
  source_account: Schema.Union([Schema.Literal("AVAILABLE"), PlatformAccountName]),
  source_entity_id: Schema.NullOr(Ids.EntityId),
  amount: Schema.String,
  remaining: Schema.String
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))

const toPending = Effect.fnUntraced(function*(row: typeof Row.Type) {
  const source: Account | undefined = row.source_account === "AVAILABLE"
    ? row.source_entity_id === null ? undefined : available(row.source_entity_id)
    : platform(row.source_account)
  if (source === undefined) {
    return yield* Effect.die(
      new MissingRow({
        table: "entities",
        key: row.transfer_id,
        invariant: "the source of a pending transfer from an available balance names its entity"
      })
    )
  }
  return {
    transfer_id: row.transfer_id,
    asset: row.asset_type,
    holder: row.holder_id,
    source,
    amount: yield* toMinor(row.asset_type, row.amount),
    remaining: yield* toMinor(row.asset_type, row.remaining)
  } satisfies PendingRow
})

/**
 * The rows of the given pending transfers, locked (`FOR UPDATE`, by id) or not, by id. A
 * transfer without a row is not (or no longer) pending.
 */
export const readPending = (
  sql: SqlClient.SqlClient,
  ids: ReadonlyArray<TransferId>,
  lock: boolean
): Effect.Effect<ReadonlyMap<TransferId, PendingRow>, SqlError> => readSorted(sql, [...new Set(ids)].sort(), lock)

const readSorted = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, ids: Array<TransferId>, lock: boolean) {
  const result = new Map<TransferId, PendingRow>()
  if (!Arr.isArrayNonEmpty(ids)) return result
  const rows = yield* sql`
    SELECT transfer_id, asset_type::text AS asset_type, holder_id, source_account, source_entity_id,
           amount::text AS amount, remaining::text AS remaining
    FROM ledger.pending_transfers WHERE transfer_id IN ${sql.in(ids)}
    ORDER BY transfer_id ${sql.literal(lock ? "FOR UPDATE" : "")}`
  for (const row of yield* Effect.orDie(decodeRows(rows))) result.set(row.transfer_id, yield* toPending(row))
  return result
})

/** Writes the row of each new pending transfer and the new remainder of each one posted or voided. */
export const writePending = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  plans: ReadonlyArray<Plan>,
  before: ReadonlyMap<TransferId, PendingRow>,
  after: ReadonlyMap<TransferId, bigint>
) {
  const created = plans.filter((plan) => plan.kind === "PENDING").map((plan) => {
    const from = plan.lines[0]
    const into = plan.lines[1]
    return {
      transfer_id: plan.transfer_id,
      asset_type: plan.asset,
      holder_id: into?.entity_id ?? null,
      source_account: from?.account ?? null,
      source_entity_id: from?.entity_id ?? null,
      amount: format(plan.asset, into?.amount ?? 0n),
      remaining: format(plan.asset, into?.amount ?? 0n)
    }
  })
  if (Arr.isArrayNonEmpty(created)) {
    yield* Constraints.refine(sql`INSERT INTO ledger.pending_transfers ${sql.insert(created)}`)
  }
  for (const [transfer_id, remaining] of after) {
    const row = before.get(transfer_id)
    if (row === undefined || row.remaining === remaining) continue
    const [stored] = yield* Constraints.refine(sql<{ remaining: string }>`
      UPDATE ledger.pending_transfers SET remaining = ${format(row.asset, remaining)}, updated_at = now()
      WHERE transfer_id = ${transfer_id}
      RETURNING remaining::text AS remaining`)
    const actual = stored === undefined ? undefined : yield* toMinor(row.asset, stored.remaining)
    if (actual !== remaining) {
      return yield* Effect.die(
        new InconsistentPending({
          transfer_id,
          expected: String(remaining),
          actual: String(actual),
          invariant: "the database stores the remainder the ledger computed"
        })
      )
    }
  }
})
