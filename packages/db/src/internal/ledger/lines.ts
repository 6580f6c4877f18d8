/**
 * The journal as the ledger stores it: one `asset_transactions` row per line of a
 * transfer, decoded by the domain's EUR or tonne codecs, read back into {@link Transfer}s,
 * and written in one statement per transfer. Lines are never updated (the database
 * refuses it).
 */
import { Enums, Ids, Money, Quantity } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import { format } from "../amounts.ts"
import { MissingRow } from "./errors.ts"
import { type Account, type Request, type Transfer, TransferId, TransferKind } from "./model.ts"

/** The `account` column's values: an entity's two accounts, then the platform's four. */
export const accountColumns = ["AVAILABLE", "LOCKED", "FEES", "CUSTODY", "SETTLEMENT_PENDING", "WORLD"] as const

const lineFields = {
  id: Ids.AssetTransactionId,
  entity_id: Schema.NullOr(Ids.EntityId),
  transaction_type: Enums.TransactionType,
  reference: Schema.String,
  idempotency_key: Schema.String,
  market_maker_id: Schema.NullOr(Ids.MarketMakerClientId),
  created_by: Schema.NullOr(Ids.UserId),
  notes: Schema.NullOr(Schema.String),
  created_at: Schema.DateTimeUtcFromDate,
  transfer_id: TransferId,
  account: Schema.Literals(accountColumns),
  transfer_kind: TransferKind,
  pending_id: Schema.NullOr(TransferId)
}

const ownedByEntity = Schema.makeFilter((line: { readonly entity_id: string | null; readonly account: string }) =>
  (line.entity_id !== null) === (line.account === "AVAILABLE" || line.account === "LOCKED")
    ? undefined
    : `line of account ${line.account} with entity ${String(line.entity_id)}`
)

/** A stored journal line, its amounts decoded by the domain's EUR or tonne codecs. */
const StoredLine = Schema.Union([
  Schema.Struct({
    ...lineFields,
    asset_type: Schema.Literal("EUR"),
    amount: Money.SignedCentsFromString,
    balance_after: Schema.NullOr(Money.CentsFromString)
  }).check(ownedByEntity),
  Schema.Struct({
    ...lineFields,
    asset_type: Schema.Literals(["CEA", "EUA"]),
    amount: Quantity.SignedTonnesFromString,
    balance_after: Schema.NullOr(Quantity.TonnesFromString)
  }).check(ownedByEntity)
])
/** A stored journal line. */
export type StoredLine = typeof StoredLine.Type

/** Decodes rows of `asset_transactions`; a row that does not decode is a defect. */
export const decodeStoredLines = Schema.decodeUnknownEffect(Schema.Array(StoredLine))

/** The idempotency key of a transfer's line `index`: `<key>#<index>`. */
export const legKey = (key: string, index: number): string => `${key}#${index}`
const legIndex = (idempotencyKey: string): number => Number(idempotencyKey.slice(idempotencyKey.lastIndexOf("#") + 1))
const transferKey = (idempotencyKey: string): string => idempotencyKey.slice(0, idempotencyKey.lastIndexOf("#"))

/** The account a stored line moves. */
export const accountOf = (line: StoredLine): Account => {
  switch (line.account) {
    case "AVAILABLE":
    case "LOCKED":
      // StoredLine's filter guarantees the entity of an entity account.
      return { _tag: line.account === "AVAILABLE" ? "Available" : "Locked", entity_id: line.entity_id as Ids.EntityId }
    default:
      return { _tag: "Platform", name: line.account }
  }
}

/** The `account` column of an account. */
export const accountColumn = (account: Account): (typeof accountColumns)[number] =>
  account._tag === "Available" ? "AVAILABLE" : account._tag === "Locked" ? "LOCKED" : account.name

/** The entity an account belongs to, or null for a platform account. */
export const entityOf = (account: Account): Ids.EntityId | null =>
  account._tag === "Platform" ? null : account.entity_id

/** Whether two accounts are the same. */
export const sameAccount = (a: Account, b: Account): boolean =>
  a._tag === b._tag && (a._tag === "Platform"
    ? a.name === (b as { readonly name: string }).name
    : a.entity_id === (b as { readonly entity_id: string }).entity_id)

/** The transfer of its stored lines (at least one), in the order they were requested. */
export const toTransfer = (lines: ReadonlyArray<StoredLine>): Transfer => {
  const sorted = [...lines].sort((a, b) => legIndex(a.idempotency_key) - legIndex(b.idempotency_key))
  const first = sorted[0] as StoredLine
  return {
    transfer_id: first.transfer_id,
    key: transferKey(first.idempotency_key),
    kind: first.transfer_kind,
    type: first.transaction_type,
    asset: first.asset_type,
    reference: first.reference,
    pending_id: first.pending_id,
    notes: first.notes,
    created_by: first.created_by,
    market_maker_id: first.market_maker_id,
    created_at: first.created_at,
    lines: sorted.map((line) => ({
      id: line.id,
      account: accountOf(line),
      amount: line.amount,
      balance_after: line.balance_after
    }))
  }
}

/** One planned line: the account column, its entity (null on platform lines), the amount and `balance_after`. */
export interface PlannedLine {
  readonly entity_id: Ids.EntityId | null
  readonly account: (typeof accountColumns)[number]
  readonly amount: bigint
  readonly balance_after: bigint | null
}

/**
 * The stored lines of the transfer under a caller's key, or of a transfer id: empty when
 * there is none.
 */
export const loadLines = (
  sql: SqlClient.SqlClient,
  where: "key" | "transfer",
  value: string
): Effect.Effect<ReadonlyArray<StoredLine>, SqlError> =>
  Effect.flatMap(
    where === "key"
      ? sql`SELECT * FROM asset_transactions WHERE transfer_id = (
          SELECT transfer_id FROM asset_transactions WHERE idempotency_key = ${legKey(value, 0)})`
      : sql`SELECT * FROM asset_transactions WHERE transfer_id = ${value}`,
    (rows) => Effect.orDie(decodeStoredLines(rows))
  )

/** The transfer stored under a caller's key, if any. */
export const findStored = (sql: SqlClient.SqlClient, key: string): Effect.Effect<Transfer | undefined, SqlError> =>
  Effect.map(loadLines(sql, "key", key), (lines) => lines.length === 0 ? undefined : toTransfer(lines))

/** What one transfer writes: the request it applies, its id, kind, asset and lines. */
export interface Plan {
  readonly request: Request
  readonly transfer_id: TransferId
  readonly kind: TransferKind
  readonly asset: Enums.AssetType
  readonly pending_id: TransferId | null
  readonly lines: ReadonlyArray<PlannedLine>
}

/** Writes the lines of a planned transfer in one statement and returns the stored transfer. */
export const insertLines = (
  sql: SqlClient.SqlClient,
  plan: Plan
): Effect.Effect<Transfer, SqlError | Constraints.ConstraintViolation> => {
  const request = plan.request
  const rows = plan.lines.map((line, index) => ({
    entity_id: line.entity_id,
    transaction_type: request.type,
    reference: request.reference,
    idempotency_key: legKey(request.key, index),
    market_maker_id: request.market_maker_id ?? null,
    created_by: request.created_by ?? null,
    notes: request.notes ?? null,
    asset_type: plan.asset,
    amount: format(plan.asset, line.amount),
    balance_after: line.balance_after === null ? null : format(plan.asset, line.balance_after),
    transfer_id: plan.transfer_id,
    account: line.account,
    transfer_kind: plan.kind,
    pending_id: plan.pending_id
  }))
  return Arr.isArrayNonEmpty(rows)
    ? Effect.flatMap(
      Constraints.refine(sql`INSERT INTO asset_transactions ${sql.insert(rows)} RETURNING *`),
      (stored) => Effect.map(Effect.orDie(decodeStoredLines(stored)), toTransfer)
    )
    : Effect.die(
      new MissingRow({ table: "asset_transactions", key: request.key, invariant: "a transfer has at least one line" })
    )
}
