/**
 * Pending transfers as rows of `ledger.pending_transfers`: who holds the amount, where it
 * came from, how much it locked and how much remains. The row is written with the
 * pending transfer and updated by every post and void of it, in the same transaction as
 * their lines, so a fill reads one row instead of summing the posts before it. Rows are
 * locked by id after the holder's holding (the lock order of `Transaction`).
 */
import { Enums, Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import { format, toMinor } from "../amounts.ts"
import { column } from "./arrays.ts"
import { MissingRow } from "./errors.ts"
import { legKey } from "./lines.ts"
import {
  type Account,
  available,
  type PendingRef,
  platform,
  PlatformAccountName,
  TransferId,
  TransferKind
} from "./model.ts"

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

const Resolution = Schema.Struct({
  idempotency_key: Schema.String,
  transfer_id: TransferId,
  transfer_kind: TransferKind,
  pending_id: Schema.NullOr(TransferId),
  asset_type: Schema.NullOr(Enums.AssetType),
  holder_id: Schema.NullOr(Ids.EntityId),
  source_account: Schema.NullOr(Schema.Union([Schema.Literal("AVAILABLE"), PlatformAccountName])),
  source_entity_id: Schema.NullOr(Ids.EntityId),
  amount: Schema.NullOr(Schema.String),
  remaining: Schema.NullOr(Schema.String)
})
const decodeResolutions = Schema.decodeUnknownEffect(Schema.Array(Resolution))

/** The pending row of a resolution, when the transfer has one (every column is then set). */
const pendingOf = (row: typeof Resolution.Type) =>
  row.pending_id === null || row.asset_type === null || row.holder_id === null || row.source_account === null ||
    row.amount === null || row.remaining === null
    ? Effect.succeed(undefined)
    : toPending({
      transfer_id: row.pending_id,
      asset_type: row.asset_type,
      holder_id: row.holder_id,
      source_account: row.source_account,
      source_entity_id: row.source_entity_id,
      amount: row.amount,
      remaining: row.remaining
    })

/** What a pending ref names in the journal: a transfer, its kind, and its pending row (none unless it is pending). */
export interface Resolved {
  readonly transfer_id: TransferId
  readonly kind: TransferKind
  readonly row: PendingRow | undefined
}

/** The stored transfers that pending refs name, by key and by transfer id. */
export interface Resolutions {
  readonly byKey: ReadonlyMap<string, Resolved>
  readonly byId: ReadonlyMap<TransferId, Resolved>
}

/**
 * Resolves pending refs (by key or by transfer id) in one query, with each pending
 * transfer's row read without a lock: who holds it, where it came from (immutable, so the
 * accounts to lock are known), and its remainder (read again under the lock).
 */
export const resolveRefs = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, refs: ReadonlyArray<PendingRef>) {
  const byKey = new Map<string, Resolved>()
  const byId = new Map<TransferId, Resolved>()
  if (refs.length === 0) return { byKey, byId } satisfies Resolutions
  const byKeys = refs.flatMap((ref) => "key" in ref ? [legKey(ref.key, 0)] : [])
  const byIds = refs.flatMap((ref) => "key" in ref ? [] : [ref.transfer_id])
  const keys = yield* column(byKeys)
  const ids = yield* column(byIds)
  // `transfer_id` has no index: its condition (a scan of the journal) only when some ref
  // names a transfer by id; refs by key (an order's lock) use the unique key's index.
  const where = byIds.length === 0 ?
    sql`a.idempotency_key = ANY(${keys}::text[])` :
    sql`a.idempotency_key = ANY(${keys}::text[])
      OR (a.transfer_id = ANY(${ids}::uuid[]) AND right(a.idempotency_key, 2) = '#0')`
  const rows = yield* sql`
    SELECT a.idempotency_key, a.transfer_id, a.transfer_kind, p.transfer_id AS pending_id,
      p.asset_type::text AS asset_type, p.holder_id, p.source_account, p.source_entity_id,
      p.amount::text AS amount, p.remaining::text AS remaining
    FROM asset_transactions AS a
    LEFT JOIN ledger.pending_transfers AS p ON p.transfer_id = a.transfer_id
    WHERE ${where}`
  for (const row of yield* Effect.orDie(decodeResolutions(rows))) {
    const resolved: Resolved = {
      transfer_id: row.transfer_id,
      kind: row.transfer_kind,
      row: yield* pendingOf(row)
    }
    byId.set(row.transfer_id, resolved)
    byKey.set(row.idempotency_key.slice(0, -2), resolved)
  }
  return { byKey, byId } satisfies Resolutions
})

/**
 * The rows of the given pending transfers, locked (`FOR UPDATE`, by id) or not, by id. A
 * transfer without a row is not (or no longer) pending.
 */
export const readPending = Effect.fnUntraced(function*(
  sql: SqlClient.SqlClient,
  ids: ReadonlyArray<TransferId>,
  lock: boolean
) {
  const result = new Map<TransferId, PendingRow>()
  if (ids.length === 0) return result as ReadonlyMap<TransferId, PendingRow>
  const list = yield* column([...new Set(ids)])
  const rows = yield* sql`
    SELECT transfer_id, asset_type::text AS asset_type, holder_id, source_account, source_entity_id,
           amount::text AS amount, remaining::text AS remaining
    FROM ledger.pending_transfers WHERE transfer_id = ANY(${list}::uuid[])
    ORDER BY transfer_id ${sql.literal(lock ? "FOR UPDATE" : "")}`
  for (const row of yield* Effect.orDie(decodeRows(rows))) result.set(row.transfer_id, yield* toPending(row))
  return result as ReadonlyMap<TransferId, PendingRow>
})

/** The pending rows locked with the book (`accounts.ts`'s `lockBook`), decoded, by id. */
export const pendingRowsOf = Effect.fnUntraced(function*(rows: unknown) {
  const result = new Map<TransferId, PendingRow>()
  for (const row of yield* Effect.orDie(decodeRows(rows))) result.set(row.transfer_id, yield* toPending(row))
  return result as ReadonlyMap<TransferId, PendingRow>
})

/** The pending rows a batch writes, as columns: the new ones, and the new remainders of the others. */
export interface PendingColumns {
  /** The rows of the pending transfers the batch creates, remainders after the batch's own posts. */
  readonly created: {
    readonly [Column in "id" | "asset" | "holder" | "source" | "sourceEntity" | "amount" | "remaining"]: ReadonlyArray<
      string | null
    >
  }
  /** The stored pending transfers whose remainder the batch changed, and that remainder. */
  readonly changed: { readonly [Column in "id" | "remaining"]: ReadonlyArray<string | null> }
}

/**
 * The pending rows to write: each new pending transfer with its remainder after the
 * batch (`after`), and each stored one (`before`) whose remainder changed.
 */
export const pendingColumns = (
  created: ReadonlyArray<PendingRow>,
  before: ReadonlyMap<TransferId, PendingRow>,
  after: ReadonlyMap<TransferId, bigint>
): PendingColumns => {
  const changed: Array<readonly [TransferId, string]> = []
  for (const [transfer_id, remaining] of after) {
    const row = before.get(transfer_id)
    if (row !== undefined && row.remaining !== remaining) changed.push([transfer_id, format(row.asset, remaining)])
  }
  return {
    created: {
      id: created.map((row) => row.transfer_id),
      asset: created.map((row) => row.asset),
      holder: created.map((row) => row.holder),
      source: created.map((row) => row.source._tag === "Platform" ? row.source.name : "AVAILABLE"),
      sourceEntity: created.map((row) => row.source._tag === "Platform" ? null : row.source.entity_id),
      amount: created.map((row) => format(row.asset, row.amount)),
      remaining: created.map((row) => format(row.asset, after.get(row.transfer_id) ?? row.amount))
    },
    changed: { id: changed.map(([id]) => id), remaining: changed.map(([, remaining]) => remaining) }
  }
}
