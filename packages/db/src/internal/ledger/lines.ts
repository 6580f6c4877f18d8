/**
 * The journal as the ledger stores it: one `asset_transactions` row per line of a
 * transfer, decoded by the domain's EUR or tonne codecs, read back into {@link Transfer}s,
 * and given as columns to the batch's one writing statement (`write.ts`). Lines are never
 * updated (the database refuses it).
 */
import { Enums, Ids, Money, Quantity } from "@niha/domain"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { format } from "../amounts.ts"
import { column } from "./arrays.ts"
import { MissingRow } from "./errors.ts"
import { timeOrdered } from "./ids.ts"
import { type Account, type Line, type Request, type Transfer, TransferId, TransferKind } from "./model.ts"

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
  /** The account the line moves. */
  readonly target: Account
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

/** The stored transfers of the given caller's keys, in one query, by key (a key never used has none). */
export const findStoredByKeys = Effect.fnUntraced(function*(sql: SqlClient.SqlClient, keys: ReadonlyArray<string>) {
  const found = new Map<string, Transfer>()
  if (keys.length === 0) return found as ReadonlyMap<string, Transfer>
  const first = yield* column(keys.map((key) => legKey(key, 0)))
  // The first lines, by the unique key's index: a batch's keys are almost always new, and
  // `transfer_id` has no index (a lookup by it reads the whole journal), so the other
  // lines are read only for the keys that were used before.
  const firsts = yield* sql<{ transfer_id: string }>`
    SELECT transfer_id FROM asset_transactions WHERE idempotency_key = ANY(${first}::text[])`
  if (firsts.length === 0) return found as ReadonlyMap<string, Transfer>
  const transfers = yield* column(firsts.map((row) => row.transfer_id))
  const rows = yield* sql`SELECT * FROM asset_transactions WHERE transfer_id = ANY(${transfers}::uuid[])`
  const byTransfer = new Map<string, Array<StoredLine>>()
  for (const line of yield* Effect.orDie(decodeStoredLines(rows))) {
    const lines = byTransfer.get(line.transfer_id)
    if (lines === undefined) byTransfer.set(line.transfer_id, [line])
    else lines.push(line)
  }
  for (const lines of byTransfer.values()) {
    const transfer = toTransfer(lines)
    found.set(transfer.key, transfer)
  }
  return found as ReadonlyMap<string, Transfer>
})

/** What one transfer writes: the request it applies, its id, kind, asset and lines. */
export interface Plan {
  readonly request: Request
  readonly transfer_id: TransferId
  readonly kind: TransferKind
  readonly asset: Enums.AssetType
  readonly pending_id: TransferId | null
  readonly lines: ReadonlyArray<PlannedLine>
}

/** A transfer as a replay compares it: a stored one, or one planned earlier in the same batch. */
export const comparable = (plan: Plan): Comparable => ({
  kind: plan.kind,
  type: plan.request.type,
  asset: plan.asset,
  reference: plan.request.reference,
  pending_id: plan.pending_id,
  notes: plan.request.notes ?? null,
  created_by: plan.request.created_by ?? null,
  market_maker_id: plan.request.market_maker_id ?? null,
  lines: plan.lines.map((line) => ({ account: line.target, amount: Number(line.amount) }))
})

/** What a replay compares of a transfer. */
export interface Comparable {
  readonly kind: TransferKind
  readonly type: Enums.TransactionType
  readonly asset: Enums.AssetType
  readonly reference: string
  readonly pending_id: TransferId | null
  readonly notes: string | null
  readonly created_by: Ids.UserId | null
  readonly market_maker_id: Ids.MarketMakerClientId | null
  readonly lines: ReadonlyArray<{ readonly account: Account; readonly amount: number }>
}

/**
 * The stored transfer of a plan, its lines given their ids, written at `created_at`; a
 * string naming the defect when a line has no id or an amount beyond the safe integers
 * (a `Line` carries numbers, which would round it). Plain code: a batch makes thousands.
 */
export const transferOf = (
  plan: Plan,
  ids: ReadonlyArray<Ids.AssetTransactionId>,
  created_at: DateTime.Utc
): Transfer | string => {
  const lines: Array<Line> = []
  for (const [index, line] of plan.lines.entries()) {
    const id = ids[index]
    if (id === undefined) return "every line has its id"
    const amount = Number(line.amount)
    const balance_after = line.balance_after === null ? null : Number(line.balance_after)
    if (!Number.isSafeInteger(amount) || (balance_after !== null && !Number.isSafeInteger(balance_after))) {
      return "a line's amount and balance are safe integers"
    }
    lines.push({ id, account: line.target, amount, balance_after })
  }
  return {
    transfer_id: plan.transfer_id,
    key: plan.request.key,
    kind: plan.kind,
    type: plan.request.type,
    asset: plan.asset,
    reference: plan.request.reference,
    pending_id: plan.pending_id,
    notes: plan.request.notes ?? null,
    created_by: plan.request.created_by ?? null,
    market_maker_id: plan.request.market_maker_id ?? null,
    created_at,
    lines
  }
}

/** The journal lines of a batch as columns (one array each, in the order of the plans), with their new ids. */
export interface LineColumns {
  /** The ids of each plan's lines. */
  readonly ids: ReadonlyArray<ReadonlyArray<Ids.AssetTransactionId>>
  /** The columns of `asset_transactions`, one value per line. */
  readonly columns: { readonly [Column in LineColumn]: ReadonlyArray<string | null> }
}

/** The columns of `asset_transactions` the ledger writes. */
export type LineColumn =
  | "id"
  | "entity"
  | "type"
  | "reference"
  | "key"
  | "marketMaker"
  | "createdBy"
  | "notes"
  | "asset"
  | "amount"
  | "balanceAfter"
  | "transfer"
  | "account"
  | "kind"
  | "pending"

/**
 * The lines of every planned transfer as columns, their ids made here (version 7 UUIDs):
 * the values the batch's one `INSERT ... SELECT * FROM unnest(...)` takes. A plan without
 * lines is a defect.
 */
export const lineColumns = (plans: ReadonlyArray<Plan>): LineColumns | MissingRow => {
  const ids = plans.map((plan) =>
    plan.lines.map(() => Ids.AssetTransactionId.make(timeOrdered(), { disableChecks: true }))
  )
  const empty = plans.find((plan) => plan.lines.length === 0)
  if (empty !== undefined) {
    return new MissingRow({
      table: "asset_transactions",
      key: empty.request.key,
      invariant: "a transfer has at least one line"
    })
  }
  const lines = plans.flatMap((plan) => plan.lines.map((line, index) => ({ plan, line, index })))
  const text = (value: string | null | undefined) => value ?? null
  return {
    ids,
    columns: {
      id: ids.flat(),
      entity: lines.map(({ line }) => line.entity_id),
      type: lines.map(({ plan }) => plan.request.type),
      reference: lines.map(({ plan }) => plan.request.reference),
      key: lines.map(({ index, plan }) => legKey(plan.request.key, index)),
      marketMaker: lines.map(({ plan }) => text(plan.request.market_maker_id)),
      createdBy: lines.map(({ plan }) => text(plan.request.created_by)),
      notes: lines.map(({ plan }) => text(plan.request.notes)),
      asset: lines.map(({ plan }) => plan.asset),
      amount: lines.map(({ line, plan }) => format(plan.asset, line.amount)),
      balanceAfter: lines.map(({ line, plan }) =>
        line.balance_after === null ? null : format(plan.asset, line.balance_after)
      ),
      transfer: lines.map(({ plan }) => plan.transfer_id),
      account: lines.map(({ line }) => line.account),
      kind: lines.map(({ plan }) => plan.kind),
      pending: lines.map(({ plan }) => plan.pending_id)
    }
  }
}
