/**
 * The asset ledger: every movement of EUR, CEA or EUA as a balanced transfer between
 * accounts, on the model of TigerBeetle's double entry.
 *
 * - Accounts: each entity has two accounts per asset, `Available` and `Locked`
 *   (materialised as the `available` and `locked` columns of its `entity_holdings` row),
 *   and the platform has four, `FEES`, `CUSTODY`, `SETTLEMENT_PENDING` and `WORLD` (the
 *   outside world: the bank and the registries, where deposits come from and withdrawals
 *   go). Platform accounts belong to no entity and have no row of their own: their
 *   balance is the sum of their lines, and `WORLD` is negative by design (it is the
 *   source of everything deposited).
 * - Transfers: a transfer moves one asset; its lines (one row of `asset_transactions`
 *   each, sharing a `transfer_id`) sum to zero, and it is written together with the
 *   holdings it changes in one database transaction. A line is never edited or deleted
 *   (the database refuses it); a mistake is corrected by {@link reverse}.
 * - Two-phase: a pending transfer moves an amount into the `Locked` account of its holder
 *   (from the holder's `Available` for an order or a withdrawal, from `WORLD` for a
 *   deposit on AML hold). It is later posted, in full or in part, to any accounts, with
 *   the rest returned to where it came from or kept pending for later posts (the fills of
 *   an order), or voided (the rest returned).
 * - Linked sets: {@link submit} takes several requests and applies all or none.
 * - Limits: no `Available` or `Locked` balance ever goes below zero; the ledger refuses
 *   with the domain's `InsufficientFunds` (and the database's check constraints back it).
 * - Idempotency: every request carries a caller-given key. Submitting it again with the
 *   same fields returns the original transfer and writes nothing; with other fields it is
 *   the domain's `Conflict`.
 * - Concurrency: the holdings a request touches are locked (`SELECT ... FOR UPDATE`) in
 *   one canonical order (entity id, then asset), so concurrent transfers never deadlock on
 *   them, and each waits for the others' commits before reading balances.
 * - `verify` compares every holding with the sum of its journal, and checks that
 *   every transfer balances and no pending transfer is over-posted.
 *
 * @since 0.1.0
 */
import { Enums, Errors, Funds, Ids, Money, Quantity } from "@niha/domain"
import * as Arr from "effect/Array"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Order from "effect/Order"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as Constraints from "./Constraints.ts"
import { format, toMinor } from "./internal/amounts.ts"

// ---------------------------------------------------------------------------------------------
// Accounts and amounts
// ---------------------------------------------------------------------------------------------

/**
 * The accounts of the platform itself.
 *
 * @category accounts
 * @since 0.1.0
 */
export const PlatformAccountName = Schema.Literals(["FEES", "CUSTODY", "SETTLEMENT_PENDING", "WORLD"])

/**
 * @category accounts
 * @since 0.1.0
 */
export type PlatformAccountName = typeof PlatformAccountName.Type

/**
 * An account: an entity's available or locked balance (of the transfer's asset), or a
 * platform account.
 *
 * @category accounts
 * @since 0.1.0
 */
export const Account = Schema.Union([
  Schema.TaggedStruct("Available", {
    /** The entity whose available balance this is. */
    entity_id: Ids.EntityId
  }),
  Schema.TaggedStruct("Locked", {
    /** The entity whose locked balance this is. */
    entity_id: Ids.EntityId
  }),
  Schema.TaggedStruct("Platform", {
    /** Which platform account. */
    name: PlatformAccountName
  })
])

/**
 * @category accounts
 * @since 0.1.0
 */
export type Account = typeof Account.Type

/**
 * The available balance of an entity.
 *
 * @category accounts
 * @since 0.1.0
 */
export const available = (entity_id: Ids.EntityId): Account => ({ _tag: "Available", entity_id })

/**
 * The locked balance of an entity.
 *
 * @category accounts
 * @since 0.1.0
 */
export const locked = (entity_id: Ids.EntityId): Account => ({ _tag: "Locked", entity_id })

/**
 * A platform account.
 *
 * @category accounts
 * @since 0.1.0
 */
export const platform = (name: PlatformAccountName): Account => ({ _tag: "Platform", name })

/**
 * A positive amount in the asset's minor unit: cents for EUR, tonnes for CEA and EUA.
 *
 * @category amounts
 * @since 0.1.0
 */
export const Amount = Schema.Int.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(Number.MAX_SAFE_INTEGER))

/**
 * A signed amount in the asset's minor unit, never zero: what one line adds to its account.
 *
 * @category amounts
 * @since 0.1.0
 */
export const SignedAmount = Schema.Int.check(
  Schema.isBetween({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  Schema.makeFilter((value: number) => value === 0 ? "a line must move a non-zero amount" : undefined)
)

/**
 * The id of a transfer, shared by its lines (`asset_transactions.transfer_id`).
 *
 * @category transfers
 * @since 0.1.0
 */
export const TransferId = Ids.Uuid.pipe(Schema.brand("TransferId"))

/**
 * @category transfers
 * @since 0.1.0
 */
export type TransferId = typeof TransferId.Type

/**
 * What a transfer is: posted at once, pending, the post of a pending transfer, or its void.
 *
 * @category transfers
 * @since 0.1.0
 */
export const TransferKind = Schema.Literals(["POSTED", "PENDING", "POST_PENDING", "VOID_PENDING"])

/**
 * @category transfers
 * @since 0.1.0
 */
export type TransferKind = typeof TransferKind.Type

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const Key = Schema.String.check(Schema.isTrimmed(), Schema.isNonEmpty(), Schema.isMaxLength(200))

const metadata = {
  /** The caller's idempotency key; unique across the ledger. */
  key: Key,
  /** The kind of movement, as the journal's `transaction_type`. */
  type: Enums.TransactionType,
  /** What the movement belongs to, as `<table>:<id>`. */
  reference: Key,
  /** Free text kept on every line (the reason of an adjustment or a reversal). */
  notes: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** The admin who asked for the movement; absent or null for the system. */
  created_by: Schema.optionalKey(Schema.NullOr(Ids.UserId)),
  /** The market maker the movement is for, if any. */
  market_maker_id: Schema.optionalKey(Schema.NullOr(Ids.MarketMakerClientId))
}

/**
 * A line of a transfer request.
 *
 * @category requests
 * @since 0.1.0
 */
export const Leg = Schema.Struct({
  /** The account the line moves. */
  account: Account,
  /** What the line adds to the account (negative to take from it), in the asset's minor unit. */
  amount: SignedAmount
})

/**
 * @category requests
 * @since 0.1.0
 */
export type Leg = typeof Leg.Type

/**
 * A posted transfer with explicit lines, which must sum to zero. `Locked` accounts are
 * moved only through pending transfers, never directly.
 *
 * @category requests
 * @since 0.1.0
 */
export const TransferRequest = Schema.TaggedStruct("Transfer", {
  ...metadata,
  /** The asset every line moves. */
  asset: Enums.AssetType,
  /** At least two lines, summing to zero. */
  legs: Schema.Array(Leg).check(Schema.isMinLength(2))
})

/**
 * @category requests
 * @since 0.1.0
 */
export type TransferRequest = typeof TransferRequest.Type

/**
 * A pending transfer: `amount` moves from `from` into the `Locked` account of `holder`.
 *
 * @category requests
 * @since 0.1.0
 */
export const PendingRequest = Schema.TaggedStruct("Pending", {
  ...metadata,
  /** The asset held. */
  asset: Enums.AssetType,
  /** The entity whose locked balance holds the amount. */
  holder: Ids.EntityId,
  /** Where the amount comes from, and where a void returns it. */
  from: Account,
  /** How much, in the asset's minor unit. */
  amount: Amount
})

/**
 * @category requests
 * @since 0.1.0
 */
export type PendingRequest = typeof PendingRequest.Type

/**
 * Which pending transfer: by its transfer id, or by the key it was created with.
 *
 * @category requests
 * @since 0.1.0
 */
export const PendingRef = Schema.Union([
  Schema.Struct({
    /** The pending transfer's id. */
    transfer_id: TransferId
  }),
  Schema.Struct({
    /** The key the pending transfer was created with. */
    key: Key
  })
])

/**
 * @category requests
 * @since 0.1.0
 */
export type PendingRef = typeof PendingRef.Type

/**
 * A post of a pending transfer: each destination receives its amount out of the holder's
 * `Locked` account (`to` alone posts everything that remains). The rest is returned to the
 * pending transfer's source (`remainder: "return"`, the default), or kept pending for later
 * posts (`"keep"`, for the fills of an order).
 *
 * @category requests
 * @since 0.1.0
 */
export const PostRequest = Schema.TaggedStruct("Post", {
  ...metadata,
  /** The pending transfer to post. */
  pending: PendingRef,
  /** Where the posted amount goes. */
  destinations: Schema.Union([
    Schema.Struct({
      /** The one account that receives everything that remains pending. */
      to: Account
    }),
    Schema.Struct({
      /** The accounts that receive a part each. */
      legs: Schema.Array(Schema.Struct({
        /** The receiving account. */
        account: Account,
        /** What it receives, in the asset's minor unit. */
        amount: Amount
      })).check(Schema.isMinLength(1))
    })
  ]),
  /** What happens to the rest: returned to the source (the default) or kept pending. */
  remainder: Schema.optionalKey(Schema.Literals(["return", "keep"]))
})

/**
 * @category requests
 * @since 0.1.0
 */
export type PostRequest = typeof PostRequest.Type

/**
 * A void of a pending transfer: what remains of it goes back to its source.
 *
 * @category requests
 * @since 0.1.0
 */
export const VoidRequest = Schema.TaggedStruct("Void", {
  ...metadata,
  /** The pending transfer to void. */
  pending: PendingRef
})

/**
 * @category requests
 * @since 0.1.0
 */
export type VoidRequest = typeof VoidRequest.Type

/**
 * Any request the ledger applies.
 *
 * @category requests
 * @since 0.1.0
 */
export const Request = Schema.Union([TransferRequest, PendingRequest, PostRequest, VoidRequest])

/**
 * @category requests
 * @since 0.1.0
 */
export type Request = typeof Request.Type

// ---------------------------------------------------------------------------------------------
// Operations: the requests of the platform's money movements
// ---------------------------------------------------------------------------------------------

/**
 * What every operation takes besides its own fields.
 *
 * @category operations
 * @since 0.1.0
 */
export interface Common {
  /** The caller's idempotency key. */
  readonly key: string
  /** The admin who asked for the movement, if any. */
  readonly created_by?: Ids.UserId | null | undefined
  /** Free text kept on every line. */
  readonly notes?: string | null | undefined
}

const common = (options: Common) => ({
  key: options.key,
  ...(options.created_by === undefined ? {} : { created_by: options.created_by }),
  ...(options.notes === undefined ? {} : { notes: options.notes })
})

/** Lines of a transfer, without the zero amounts (a fee of zero moves nothing). */
const nonZero = (legs: ReadonlyArray<Leg>): ReadonlyArray<Leg> => legs.filter((leg) => leg.amount !== 0)

/**
 * Credits a deposit straight to the entity's available EUR (from `WORLD`).
 *
 * @category operations
 * @since 0.1.0
 */
export const creditDeposit = (
  options: Common & { readonly entity_id: Ids.EntityId; readonly deposit_id: string; readonly amount: number }
): Request => ({
  _tag: "Transfer",
  ...common(options),
  type: "DEPOSIT",
  reference: `deposits:${options.deposit_id}`,
  asset: "EUR",
  legs: [{ account: platform("WORLD"), amount: -options.amount }, {
    account: available(options.entity_id),
    amount: options.amount
  }]
})

/**
 * Places a deposit on AML hold: the amount arrives from `WORLD` into the entity's locked
 * EUR, pending until the hold is released or the deposit rejected.
 *
 * @category operations
 * @since 0.1.0
 */
export const placeHold = (
  options: Common & { readonly entity_id: Ids.EntityId; readonly deposit_id: string; readonly amount: number }
): Request => ({
  _tag: "Pending",
  ...common(options),
  type: "DEPOSIT",
  reference: `deposits:${options.deposit_id}`,
  asset: "EUR",
  holder: options.entity_id,
  from: platform("WORLD"),
  amount: options.amount
})

/**
 * Releases an AML hold: the held amount (or `amount` of it, the rest going back to
 * `WORLD`) becomes available.
 *
 * @category operations
 * @since 0.1.0
 */
export const releaseHold = (
  options: Common & {
    readonly hold: PendingRef
    readonly entity_id: Ids.EntityId
    readonly deposit_id: string
    readonly amount?: number | undefined
  }
): Request => ({
  _tag: "Post",
  ...common(options),
  type: "DEPOSIT",
  reference: `deposits:${options.deposit_id}`,
  pending: options.hold,
  destinations: options.amount === undefined
    ? { to: available(options.entity_id) }
    : { legs: [{ account: available(options.entity_id), amount: options.amount }] }
})

/**
 * Rejects a deposit on hold: the held amount goes back to `WORLD`.
 *
 * @category operations
 * @since 0.1.0
 */
export const rejectHold = (
  options: Common & { readonly hold: PendingRef; readonly deposit_id: string }
): Request => ({
  _tag: "Void",
  ...common(options),
  type: "DEPOSIT",
  reference: `deposits:${options.deposit_id}`,
  pending: options.hold
})

/**
 * Locks an amount for an order: from the entity's available balance of the asset it pays
 * with into its locked balance, pending until the fills post it or a cancel unlocks it.
 *
 * @category operations
 * @since 0.1.0
 */
export const lockForOrder = (
  options: Common & {
    readonly entity_id: Ids.EntityId
    readonly order_id: string
    readonly asset: Enums.AssetType
    readonly amount: number
  }
): Request => ({
  _tag: "Pending",
  ...common(options),
  type: "TRADE_DEBIT",
  reference: `orders:${options.order_id}`,
  asset: options.asset,
  holder: options.entity_id,
  from: available(options.entity_id),
  amount: options.amount
})

/**
 * Unlocks what remains of an order's lock (the order is cancelled or filled for less).
 *
 * @category operations
 * @since 0.1.0
 */
export const unlockOrder = (options: Common & { readonly lock: PendingRef; readonly order_id: string }): Request => ({
  _tag: "Void",
  ...common(options),
  type: "TRADE_CREDIT",
  reference: `orders:${options.order_id}`,
  pending: options.lock
})

/**
 * Locks the amount of a withdrawal request in the entity's locked EUR.
 *
 * @category operations
 * @since 0.1.0
 */
export const lockForWithdrawal = (
  options: Common & { readonly entity_id: Ids.EntityId; readonly withdrawal_id: string; readonly amount: number }
): Request => ({
  _tag: "Pending",
  ...common(options),
  type: "WITHDRAWAL",
  reference: `withdrawals:${options.withdrawal_id}`,
  asset: "EUR",
  holder: options.entity_id,
  from: available(options.entity_id),
  amount: options.amount
})

/**
 * Releases a rejected withdrawal's lock back to the entity's available EUR.
 *
 * @category operations
 * @since 0.1.0
 */
export const unlockWithdrawal = (
  options: Common & { readonly lock: PendingRef; readonly withdrawal_id: string }
): Request => ({
  _tag: "Void",
  ...common(options),
  type: "WITHDRAWAL",
  reference: `withdrawals:${options.withdrawal_id}`,
  pending: options.lock
})

/**
 * Completes a withdrawal: the locked amount leaves for `WORLD` (the wire is sent).
 *
 * @category operations
 * @since 0.1.0
 */
export const completeWithdrawal = (
  options: Common & { readonly lock: PendingRef; readonly withdrawal_id: string }
): Request => ({
  _tag: "Post",
  ...common(options),
  type: "WITHDRAWAL",
  reference: `withdrawals:${options.withdrawal_id}`,
  pending: options.lock,
  destinations: { to: platform("WORLD") }
})

/**
 * Adjusts an entity's available balance by a signed amount against `WORLD`, with the
 * reason an admin gave (required).
 *
 * @category operations
 * @since 0.1.0
 */
export const adjust = (
  options: Common & {
    readonly entity_id: Ids.EntityId
    readonly asset: Enums.AssetType
    readonly amount: number
    readonly reason: string
    readonly reference?: string | undefined
  }
): Request => ({
  _tag: "Transfer",
  ...common(options),
  notes: options.reason,
  type: "ADJUSTMENT",
  reference: options.reference ?? `entities:${options.entity_id}`,
  asset: options.asset,
  legs: [{ account: platform("WORLD"), amount: -options.amount }, {
    account: available(options.entity_id),
    amount: options.amount
  }]
})

/**
 * One side of a trade: an entity paying out of its order's lock, or a market maker trading
 * the platform's own inventory (the `CUSTODY` account).
 *
 * @category operations
 * @since 0.1.0
 */
export type TradeSide = EntitySide | MarketMakerSide

/**
 * An entity's side of a trade, paid out of its order's lock.
 *
 * @category operations
 * @since 0.1.0
 */
export interface EntitySide {
  /** The entity. */
  readonly entity_id: Ids.EntityId
  /** The pending transfer that locked what its order pays. */
  readonly lock: PendingRef
}

/**
 * A market maker's side of a trade, settled against the platform's `CUSTODY` account.
 *
 * @category operations
 * @since 0.1.0
 */
export interface MarketMakerSide {
  /** The market maker. */
  readonly market_maker_id: Ids.MarketMakerClientId
}

/**
 * Settles one fill of a trade as a linked set of two transfers. The buyer pays
 * `notional + buyer_fee` of the quote asset; the seller receives `notional - seller_fee`
 * and `FEES` both fees. The seller delivers `quantity` of the base asset to the buyer, or
 * to `SETTLEMENT_PENDING` when the market settles later (T+N, then {@link deliverSettlement}).
 * Locks stay pending for the order's next fills.
 *
 * @category operations
 * @since 0.1.0
 */
export const settleTrade = (
  options: Common & {
    readonly trade_id: string
    readonly base: Enums.AssetType
    readonly quote: Enums.AssetType
    readonly quantity: number
    readonly notional: number
    readonly buyer_fee: number
    readonly seller_fee: number
    readonly buyer: TradeSide
    readonly seller: TradeSide
    readonly delivery: "buyer" | "settlement_pending"
  }
): ReadonlyArray<Request> => {
  const reference = `cash_market_trades:${options.trade_id}`
  const receives = (side: TradeSide): Account => "entity_id" in side ? available(side.entity_id) : platform("CUSTODY")
  const mm = (side: TradeSide) => "market_maker_id" in side ? { market_maker_id: side.market_maker_id } : {}
  const payment = nonZero([
    { account: receives(options.seller), amount: options.notional - options.seller_fee },
    { account: platform("FEES"), amount: options.buyer_fee + options.seller_fee }
  ])
  const delivery: Account = options.delivery === "settlement_pending"
    ? platform("SETTLEMENT_PENDING")
    : receives(options.buyer)
  const pay: Request = "entity_id" in options.buyer
    ? {
      _tag: "Post",
      ...common({ ...options, key: `${options.key}:pay` }),
      type: "TRADE_BUY",
      reference,
      pending: options.buyer.lock,
      destinations: { legs: payment.map((leg) => ({ account: leg.account, amount: leg.amount })) },
      remainder: "keep"
    }
    : {
      _tag: "Transfer",
      ...common({ ...options, key: `${options.key}:pay` }),
      ...mm(options.buyer),
      type: "TRADE_BUY",
      reference,
      asset: options.quote,
      legs: [{ account: platform("CUSTODY"), amount: -(options.notional + options.buyer_fee) }, ...payment]
    }
  const deliver: Request = "entity_id" in options.seller
    ? {
      _tag: "Post",
      ...common({ ...options, key: `${options.key}:deliver` }),
      type: "TRADE_SELL",
      reference,
      pending: options.seller.lock,
      destinations: { legs: [{ account: delivery, amount: options.quantity }] },
      remainder: "keep"
    }
    : {
      _tag: "Transfer",
      ...common({ ...options, key: `${options.key}:deliver` }),
      ...mm(options.seller),
      type: "TRADE_SELL",
      reference,
      asset: options.base,
      legs: [{ account: platform("CUSTODY"), amount: -options.quantity }, {
        account: delivery,
        amount: options.quantity
      }]
    }
  return [pay, deliver]
}

/**
 * Delivers allowances held in `SETTLEMENT_PENDING` to the entity whose settlement batch
 * has settled.
 *
 * @category operations
 * @since 0.1.0
 */
export const deliverSettlement = (
  options: Common & {
    readonly entity_id: Ids.EntityId
    readonly settlement_batch_id: string
    readonly asset: Enums.AssetType
    readonly amount: number
  }
): Request => ({
  _tag: "Transfer",
  ...common(options),
  type: "TRADE_CREDIT",
  reference: `settlement_batches:${options.settlement_batch_id}`,
  asset: options.asset,
  legs: [{ account: platform("SETTLEMENT_PENDING"), amount: -options.amount }, {
    account: available(options.entity_id),
    amount: options.amount
  }]
})

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/**
 * One stored line of a transfer.
 *
 * @category results
 * @since 0.1.0
 */
export interface Line {
  /** The row of `asset_transactions`. */
  readonly id: Ids.AssetTransactionId
  /** The account the line moved. */
  readonly account: Account
  /** Signed amount in the asset's minor unit. */
  readonly amount: number
  /** The entity's holding (available + locked) after the line; null on platform lines. */
  readonly balance_after: number | null
}

/**
 * A stored transfer, as the ledger returns it.
 *
 * @category results
 * @since 0.1.0
 */
export interface Transfer {
  /** The id its lines share. */
  readonly transfer_id: TransferId
  /** The caller's idempotency key. */
  readonly key: string
  /** Posted, pending, a post or a void. */
  readonly kind: TransferKind
  /** The journal's `transaction_type`. */
  readonly type: Enums.TransactionType
  /** The asset moved. */
  readonly asset: Enums.AssetType
  /** What it belongs to, as `<table>:<id>`. */
  readonly reference: string
  /** For a post or a void, the pending transfer it resolves. */
  readonly pending_id: TransferId | null
  /** The free text kept on its lines. */
  readonly notes: string | null
  /** The admin who asked for it, if any. */
  readonly created_by: Ids.UserId | null
  /** The market maker it is for, if any. */
  readonly market_maker_id: Ids.MarketMakerClientId | null
  /** When it was written. */
  readonly created_at: DateTime.Utc
  /** Its lines, in the order they were requested; they sum to zero. */
  readonly lines: ReadonlyArray<Line>
}

/**
 * The state of a pending transfer.
 *
 * @category results
 * @since 0.1.0
 */
export interface PendingState {
  /** The pending transfer's id. */
  readonly transfer_id: TransferId
  /** The key it was created with. */
  readonly key: string
  /** The asset held. */
  readonly asset: Enums.AssetType
  /** The entity whose locked balance holds it. */
  readonly holder: Ids.EntityId
  /** Where a void or a returned remainder goes. */
  readonly source: Account
  /** The amount it locked, in the asset's minor unit. */
  readonly amount: number
  /** What is still pending: the amount less everything posted or returned since. */
  readonly remaining: number
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A post or void of a transfer that is not pending, or has nothing left pending.
 *
 * @category errors
 * @since 0.1.0
 */
export class PendingClosed extends Schema.TaggedError<PendingClosed>()("PendingClosed", {
  /** The transfer asked for. */
  transfer_id: Schema.String,
  /** Why it cannot be posted or voided. */
  reason: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `pending transfer ${this.transfer_id}: ${this.reason}`
  }
}

/**
 * A post of more than what remains of the pending transfer.
 *
 * @category errors
 * @since 0.1.0
 */
export class ExceedsPending extends Schema.TaggedError<ExceedsPending>()("ExceedsPending", {
  /** The pending transfer. */
  transfer_id: Schema.String,
  /** What the post asked for, as decimal text. */
  requested: Schema.String,
  /** What remains pending, as decimal text. */
  remaining: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `pending transfer ${this.transfer_id}: ${this.requested} requested, ${this.remaining} remaining`
  }
}

/**
 * A reversal of a transfer that cannot be reversed (pending transfers are voided instead,
 * and posts of pending transfers are part of their pending transfer's story).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotReversible extends Schema.TaggedError<NotReversible>()("NotReversible", {
  /** The transfer asked for. */
  transfer_id: Schema.String,
  /** What it is. */
  kind: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `transfer ${this.transfer_id} is ${this.kind} and cannot be reversed`
  }
}

/**
 * What a ledger operation can fail with.
 *
 * @category errors
 * @since 0.1.0
 */
export type LedgerError =
  | Errors.InsufficientFunds
  | Errors.Conflict
  | Errors.NotFound
  | Errors.ValidationFailed
  | PendingClosed
  | ExceedsPending
  | NotReversible
  | Constraints.ConstraintViolation
  | SqlError

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

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
  /** The balance of each platform account per asset. */
  readonly platform: ReadonlyArray<PlatformBalance>
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

// ---------------------------------------------------------------------------------------------
// Stored lines
// ---------------------------------------------------------------------------------------------

const accountColumns = ["AVAILABLE", "LOCKED", "FEES", "CUSTODY", "SETTLEMENT_PENDING", "WORLD"] as const

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
type StoredLine = typeof StoredLine.Type

const decodeStoredLines = Schema.decodeUnknownEffect(Schema.Array(StoredLine))

const legKey = (key: string, index: number): string => `${key}#${index}`
const legIndex = (idempotencyKey: string): number => Number(idempotencyKey.slice(idempotencyKey.lastIndexOf("#") + 1))
const transferKey = (idempotencyKey: string): string => idempotencyKey.slice(0, idempotencyKey.lastIndexOf("#"))

const accountOf = (line: StoredLine): Account => {
  switch (line.account) {
    case "AVAILABLE":
    case "LOCKED":
      // StoredLine's filter guarantees the entity of an entity account.
      return { _tag: line.account === "AVAILABLE" ? "Available" : "Locked", entity_id: line.entity_id as Ids.EntityId }
    default:
      return { _tag: "Platform", name: line.account }
  }
}

const accountColumn = (account: Account): (typeof accountColumns)[number] =>
  account._tag === "Available" ? "AVAILABLE" : account._tag === "Locked" ? "LOCKED" : account.name

const entityOf = (account: Account): Ids.EntityId | null => account._tag === "Platform" ? null : account.entity_id

const sameAccount = (a: Account, b: Account): boolean =>
  a._tag === b._tag && (a._tag === "Platform"
    ? a.name === (b as { readonly name: string }).name
    : a.entity_id === (b as { readonly entity_id: string }).entity_id)

const toTransfer = (lines: ReadonlyArray<StoredLine>): Transfer => {
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

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/**
 * What a reversal needs.
 *
 * @category services
 * @since 0.1.0
 */
export interface ReverseOptions {
  /** The posted transfer to reverse. */
  readonly transfer_id: TransferId
  /** Why, kept on the reversal's lines. */
  readonly reason: string
  /** The admin who reverses it, if any. */
  readonly created_by?: Ids.UserId | null | undefined
}

/**
 * The ledger's operations.
 *
 * @category services
 * @since 0.1.0
 */
export interface Service {
  /** Applies the requests as one linked set: all of them or none. */
  readonly submit: (requests: ReadonlyArray<Request>) => Effect.Effect<ReadonlyArray<Transfer>, LedgerError>
  /** Applies one request. */
  readonly apply: (request: Request) => Effect.Effect<Transfer, LedgerError>
  /** Reverses a posted transfer with a new transfer of the opposite lines (at most once). */
  readonly reverse: (options: ReverseOptions) => Effect.Effect<Transfer, LedgerError>
  /** The transfer stored under a key, if any. */
  readonly findByKey: (key: string) => Effect.Effect<Transfer, Errors.NotFound | SqlError | Errors.ValidationFailed>
  /** The state of a pending transfer. */
  readonly pending: (ref: PendingRef) => Effect.Effect<PendingState, Errors.NotFound | PendingClosed | SqlError>
  /** The holdings of an entity, decoded by the domain's model. */
  readonly holdings: (entity_id: Ids.EntityId) => Effect.Effect<ReadonlyArray<Funds.EntityHolding>, SqlError>
  /** The balance of a platform account, in minor units. */
  readonly platformBalance: (name: PlatformAccountName, asset: Enums.AssetType) => Effect.Effect<bigint, SqlError>
  /** Compares every holding with its journal and checks every transfer. */
  readonly verify: Effect.Effect<Report, SqlError>
}

/**
 * The ledger service.
 *
 * @category services
 * @since 0.1.0
 */
export class Ledger extends Context.Service<Ledger, Service>()("@niha/db/Ledger") {
  /**
   * The ledger on the `SqlClient` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Ledger, never, SqlClient.SqlClient> = Layer.effect(
    Ledger,
    Effect.map(Effect.service(SqlClient.SqlClient), (sql) => make(sql))
  )
}

interface HoldingState {
  readonly id: string
  readonly entity_id: Ids.EntityId
  readonly asset: Enums.AssetType
  available: bigint
  locked: bigint
  changed: boolean
}

interface PlannedLine {
  readonly entity_id: Ids.EntityId | null
  readonly account: (typeof accountColumns)[number]
  readonly amount: bigint
  readonly balance_after: bigint | null
}

interface Plan {
  readonly request: Request
  readonly transfer_id: TransferId
  readonly kind: TransferKind
  readonly asset: Enums.AssetType
  readonly pending_id: TransferId | null
  readonly lines: ReadonlyArray<PlannedLine>
}

const holdingKey = (entity_id: string, asset: Enums.AssetType) => `${entity_id}/${asset}`

const assetOrder: ReadonlyArray<Enums.AssetType> = Enums.AssetType.literals

const validationFailed = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

/**
 * Builds the ledger on a SQL client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (sql: SqlClient.SqlClient): Service => {
  const loadLines = (where: "key" | "transfer", value: string) =>
    Effect.flatMap(
      where === "key"
        ? sql`SELECT * FROM asset_transactions WHERE transfer_id = (
            SELECT transfer_id FROM asset_transactions WHERE idempotency_key = ${legKey(value, 0)})`
        : sql`SELECT * FROM asset_transactions WHERE transfer_id = ${value}`,
      (rows) => Effect.orDie(decodeStoredLines(rows))
    )

  const findStored = (key: string) =>
    Effect.map(loadLines("key", key), (lines) => lines.length === 0 ? undefined : toTransfer(lines))

  const findByKey = (key: string) =>
    Effect.flatMap(findStored(key), (transfer) =>
      transfer === undefined
        ? Effect.fail(new Errors.NotFound({ resource: "asset_transactions", id: key }))
        : Effect.succeed(transfer))

  const pendingState = (ref: PendingRef) =>
    Effect.gen(function*() {
      const lines = "key" in ref ? yield* loadLines("key", ref.key) : yield* loadLines("transfer", ref.transfer_id)
      const id = "key" in ref ? ref.key : ref.transfer_id
      if (lines.length === 0) return yield* new Errors.NotFound({ resource: "asset_transactions", id })
      const transfer = toTransfer(lines)
      if (transfer.kind !== "PENDING") {
        return yield* new PendingClosed({ transfer_id: transfer.transfer_id, reason: `it is ${transfer.kind}` })
      }
      const into = transfer.lines.find((line) => line.account._tag === "Locked" && line.amount > 0)
      const from = transfer.lines.find((line) => line.amount < 0)
      if (into === undefined || from === undefined || into.account._tag !== "Locked") {
        return yield* Effect.die(new Error(`pending transfer ${transfer.transfer_id} has no locked line`))
      }
      const [resolved] = yield* sql<{ total: string | null }>`
        SELECT sum(amount)::text AS total FROM asset_transactions
        WHERE pending_id = ${transfer.transfer_id} AND account = 'LOCKED' AND entity_id = ${into.account.entity_id}`
      const taken = resolved?.total === null || resolved?.total === undefined
        ? 0n
        : -(yield* toMinor(transfer.asset, resolved.total))
      return {
        transfer_id: transfer.transfer_id,
        key: transfer.key,
        asset: transfer.asset,
        holder: into.account.entity_id,
        source: from.account,
        amount: into.amount,
        remaining: into.amount - Number(taken)
      } satisfies PendingState
    })

  /** Whether a stored transfer is what the request asks for. */
  const matches = (request: Request, stored: Transfer, pending: TransferId | null): boolean => {
    const sameMetadata = stored.type === request.type && stored.reference === request.reference &&
      stored.notes === (request.notes ?? null) && stored.created_by === (request.created_by ?? null) &&
      stored.market_maker_id === (request.market_maker_id ?? null)
    if (!sameMetadata) return false
    switch (request._tag) {
      case "Transfer":
        return stored.kind === "POSTED" && stored.asset === request.asset &&
          stored.lines.length === request.legs.length &&
          stored.lines.every((line, index) => {
            const leg = request.legs[index]
            return leg !== undefined && line.amount === leg.amount && sameAccount(line.account, leg.account)
          })
      case "Pending":
        return stored.kind === "PENDING" && stored.asset === request.asset && stored.lines.length === 2 &&
          stored.lines[0]?.amount === -request.amount && sameAccount(stored.lines[0].account, request.from) &&
          sameAccount(stored.lines[1]?.account ?? request.from, locked(request.holder))
      case "Post": {
        if (stored.kind !== "POST_PENDING" || stored.pending_id !== pending) return false
        const credits = stored.lines.filter((line) => line.amount > 0)
        if ("to" in request.destinations) {
          const to = request.destinations.to
          return credits.length > 0 && credits[0] !== undefined && sameAccount(credits[0].account, to)
        }
        const legs = request.destinations.legs
        return legs.every((leg, index) => {
          const credit = credits[index]
          return credit !== undefined && credit.amount === leg.amount && sameAccount(credit.account, leg.account)
        })
      }
      case "Void":
        return stored.kind === "VOID_PENDING" && stored.pending_id === pending
    }
  }

  /** Loads the holdings rows of the given keys, creating missing ones, locked in canonical order. */
  const lockHoldings = (keys: ReadonlyArray<readonly [Ids.EntityId, Enums.AssetType]>) =>
    Effect.gen(function*() {
      const states = new Map<string, HoldingState>()
      const unique = Arr.dedupeWith(keys, (a, b) => a[0] === b[0] && a[1] === b[1])
      if (!Arr.isArrayNonEmpty(unique)) return states
      // The canonical order: entity id, then the asset in the enum's order, which is also
      // how PostgreSQL sorts the two columns, so the inserts and the row locks below follow it.
      const sorted = Arr.sort(
        unique,
        Order.make<readonly [Ids.EntityId, Enums.AssetType]>((a, b) =>
          a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Order.Number(assetOrder.indexOf(a[1]), assetOrder.indexOf(b[1]))
        )
      )
      yield* Constraints.refine(sql`
        INSERT INTO entity_holdings ${
        sql.insert(Arr.map(sorted, ([entity_id, asset_type]) => ({ entity_id, asset_type })))
      }
        ON CONFLICT (entity_id, asset_type) DO NOTHING`)
      const rows = yield* sql`
        SELECT * FROM entity_holdings
        WHERE entity_id IN ${sql.in(sorted.map(([entity_id]) => entity_id))}
          AND entity_id::text || '/' || asset_type::text IN ${sql.in(sorted.map(([e, a]) => holdingKey(e, a)))}
        ORDER BY entity_id, asset_type
        FOR UPDATE`
      const holdings = yield* Effect.orDie(Schema.decodeUnknownEffect(Schema.Array(Funds.EntityHolding))(rows))
      for (const holding of holdings) {
        states.set(holdingKey(holding.entity_id, holding.asset_type), {
          id: holding.id,
          entity_id: holding.entity_id,
          asset: holding.asset_type,
          available: BigInt(holding.available),
          locked: BigInt(holding.locked),
          changed: false
        })
      }
      return states
    })

  const holderKeys = (request: Request, pendings: ReadonlyMap<Request, PendingState>) => {
    const keys: Array<readonly [Ids.EntityId, Enums.AssetType]> = []
    const add = (account: Account, asset: Enums.AssetType) => {
      const entity = entityOf(account)
      if (entity !== null) keys.push([entity, asset])
    }
    switch (request._tag) {
      case "Transfer":
        for (const leg of request.legs) add(leg.account, request.asset)
        break
      case "Pending":
        add(request.from, request.asset)
        keys.push([request.holder, request.asset])
        break
      case "Post":
      case "Void": {
        const state = pendings.get(request)
        if (state === undefined) break
        keys.push([state.holder, state.asset])
        add(state.source, state.asset)
        if (request._tag === "Post") {
          if ("to" in request.destinations) add(request.destinations.to, state.asset)
          else for (const leg of request.destinations.legs) add(leg.account, state.asset)
        }
      }
    }
    return keys
  }

  /** The lines of one request against the current (locked) balances. */
  const planLines = Effect.fnUntraced(function*(
    request: Request,
    state: PendingState | undefined
  ): Effect.fn.Return<
    {
      readonly kind: TransferKind
      readonly asset: Enums.AssetType
      readonly legs: ReadonlyArray<readonly [Account, bigint]>
    },
    Errors.ValidationFailed | ExceedsPending | PendingClosed
  > {
    switch (request._tag) {
      case "Transfer": {
        if (request.type === "ADJUSTMENT" && (request.notes ?? "").trim() === "") {
          return yield* validationFailed("notes", "an adjustment needs a reason")
        }
        const sum = request.legs.reduce((total, leg) => total + BigInt(leg.amount), 0n)
        if (sum !== 0n) return yield* validationFailed("legs", `the lines of a transfer must sum to zero: got ${sum}`)
        if (request.legs.some((leg) => leg.account._tag === "Locked")) {
          return yield* validationFailed("legs", "a locked balance moves only through pending transfers")
        }
        return {
          kind: "POSTED",
          asset: request.asset,
          legs: request.legs.map((leg) => [leg.account, BigInt(leg.amount)] as const)
        }
      }
      case "Pending": {
        if (request.from._tag === "Locked") {
          return yield* validationFailed("from", "a pending transfer cannot start from a locked balance")
        }
        const amount = BigInt(request.amount)
        return {
          kind: "PENDING",
          asset: request.asset,
          legs: [[request.from, -amount], [locked(request.holder), amount]]
        }
      }
      case "Post":
      case "Void": {
        if (state === undefined) return yield* Effect.die(new Error("pending state not loaded"))
        const remaining = BigInt(state.remaining)
        if (remaining <= 0n) {
          return yield* new PendingClosed({ transfer_id: state.transfer_id, reason: "nothing remains pending" })
        }
        const holder = locked(state.holder)
        if (request._tag === "Void") {
          return { kind: "VOID_PENDING", asset: state.asset, legs: [[holder, -remaining], [state.source, remaining]] }
        }
        const destinations: ReadonlyArray<readonly [Account, bigint]> = "to" in request.destinations
          ? [[request.destinations.to, remaining]]
          : request.destinations.legs.map((leg) => [leg.account, BigInt(leg.amount)] as const)
        if (destinations.some(([account]) => account._tag === "Locked")) {
          return yield* validationFailed("destinations", "a post cannot move into a locked balance")
        }
        const posted = destinations.reduce((total, [, amount]) => total + amount, 0n)
        if (posted > remaining) {
          return yield* new ExceedsPending({
            transfer_id: state.transfer_id,
            requested: format(state.asset, posted),
            remaining: format(state.asset, remaining)
          })
        }
        const rest = remaining - posted
        const returned: ReadonlyArray<readonly [Account, bigint]> = rest > 0n && request.remainder !== "keep"
          ? [[holder, -rest], [state.source, rest]]
          : []
        return {
          kind: "POST_PENDING",
          asset: state.asset,
          legs: [[holder, -posted], ...destinations, ...returned]
        }
      }
    }
  })

  const applyLegs = (
    holdings: Map<string, HoldingState>,
    asset: Enums.AssetType,
    legs: ReadonlyArray<readonly [Account, bigint]>
  ) =>
    Effect.gen(function*() {
      const lines: Array<PlannedLine> = []
      for (const [account, amount] of legs) {
        if (account._tag === "Platform") {
          lines.push({ entity_id: null, account: account.name, amount, balance_after: null })
          continue
        }
        const holding = holdings.get(holdingKey(account.entity_id, asset))
        if (holding === undefined) return yield* Effect.die(new Error("holding not locked"))
        const balance = account._tag === "Available" ? holding.available : holding.locked
        const next = balance + amount
        if (next < 0n) {
          return yield* new Errors.InsufficientFunds({
            entity_id: account.entity_id,
            asset_type: asset,
            required: format(asset, -amount),
            available: format(asset, balance)
          })
        }
        if (account._tag === "Available") holding.available = next
        else holding.locked = next
        holding.changed = true
        lines.push({
          entity_id: account.entity_id,
          account: accountColumn(account),
          amount,
          balance_after: holding.available + holding.locked
        })
      }
      return lines
    })

  const writeTransfer = (plan: Plan) => {
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
      : Effect.die(new Error(`transfer ${request.key} has no lines`))
  }

  const decodeRequests = (requests: ReadonlyArray<Request>) =>
    Effect.mapError(
      Schema.decodeUnknownEffect(Schema.Array(Request))(requests),
      (error) => Errors.validationFailed(error)
    )

  const attempt = (requests: ReadonlyArray<Request>) =>
    Effect.gen(function*() {
      const keys = requests.map((request) => request.key)
      if (new Set(keys).size !== keys.length) {
        return yield* validationFailed("", "the requests of a linked set must have distinct keys")
      }
      // Pending transfers are immutable facts: read them before locking anything.
      const pendingIds = new Map<Request, TransferId>()
      for (const request of requests) {
        if (request._tag !== "Post" && request._tag !== "Void") continue
        const lines = "key" in request.pending
          ? yield* loadLines("key", request.pending.key)
          : yield* loadLines("transfer", request.pending.transfer_id)
        if (lines.length === 0) {
          const id = "key" in request.pending ? request.pending.key : request.pending.transfer_id
          return yield* new Errors.NotFound({ resource: "asset_transactions", id })
        }
        pendingIds.set(request, toTransfer(lines).transfer_id)
      }
      const replay = () =>
        Effect.gen(function*() {
          const stored = yield* Effect.forEach(requests, (request) => findStored(request.key))
          const found = stored.filter((transfer) => transfer !== undefined).length
          if (found === 0) return undefined
          const conflicting = requests.findIndex((request, index) => {
            const transfer = stored[index]
            return transfer === undefined || !matches(request, transfer, pendingIds.get(request) ?? null)
          })
          if (conflicting >= 0) {
            const request = requests[conflicting] as Request
            return yield* new Errors.Conflict({
              resource: "asset_transactions",
              reason: stored[conflicting] === undefined
                ? `the linked set was partly applied before: key ${JSON.stringify(request.key)} is missing`
                : `idempotency key ${JSON.stringify(request.key)} was used for a different transfer`
            })
          }
          return stored as ReadonlyArray<Transfer>
        })
      const earlier = yield* replay()
      if (earlier !== undefined) return earlier

      // Lock every holding any request touches, then read the pending states under the lock.
      const firstStates = new Map<Request, PendingState>()
      for (const [request, transfer_id] of pendingIds) {
        firstStates.set(request, yield* pendingState({ transfer_id }))
      }
      const holdings = yield* lockHoldings(requests.flatMap((request) => holderKeys(request, firstStates)))
      // Another transaction may have applied the same keys while this one waited for the locks.
      const raced = yield* replay()
      if (raced !== undefined) return raced

      const plans: Array<Plan> = []
      for (const request of requests) {
        const pendingId = pendingIds.get(request)
        // Re-read after the earlier requests of the set, which may have posted the same pending transfer.
        const state = pendingId === undefined ? undefined : yield* pendingStateAfter(pendingId, plans)
        const planned = yield* planLines(request, state)
        const lines = yield* applyLegs(holdings, planned.asset, planned.legs)
        const plan: Plan = {
          request,
          transfer_id: TransferId.make(crypto.randomUUID()),
          kind: planned.kind,
          asset: planned.asset,
          pending_id: pendingId ?? null,
          lines
        }
        plans.push(plan)
      }
      const transfers = yield* Effect.forEach(plans, writeTransfer)
      for (const holding of holdings.values()) {
        if (!holding.changed) continue
        yield* Constraints.refine(sql`
          UPDATE entity_holdings
          SET available = ${format(holding.asset, holding.available)}, locked = ${
          format(holding.asset, holding.locked)
        },
              updated_at = now()
          WHERE id = ${holding.id}`)
      }
      return transfers
    })

  /** The state of a pending transfer, less what the plans already made in this set take from it. */
  const pendingStateAfter = (transfer_id: TransferId, plans: ReadonlyArray<Plan>) =>
    Effect.map(pendingState({ transfer_id }), (state): PendingState => {
      let taken = 0n
      for (const plan of plans) {
        if (plan.pending_id !== transfer_id) continue
        for (const line of plan.lines) {
          if (line.account === "LOCKED" && line.entity_id === state.holder && line.amount < 0n) taken -= line.amount
        }
      }
      return { ...state, remaining: state.remaining - Number(taken) }
    })

  const isKeyRace = (error: unknown) =>
    Predicate.isTagged(error, "UniqueViolation") &&
    (error as Constraints.UniqueViolation).constraint === "asset_transactions_idempotency_key_key"

  const submit = (requests: ReadonlyArray<Request>): Effect.Effect<ReadonlyArray<Transfer>, LedgerError> =>
    Effect.gen(function*() {
      if (requests.length === 0) return []
      const decoded = yield* decodeRequests(requests)
      const once = sql.withTransaction(attempt(decoded))
      // Two first submissions of one key that touch no common holding meet at the unique
      // key instead of a lock; the loser runs again and finds the winner's transfer.
      return yield* once.pipe(
        Effect.catchIf(isKeyRace, () => sql.withTransaction(attempt(decoded)))
      )
    }).pipe(
      Effect.mapError((error): LedgerError => isSqlError(error) ? Constraints.fromSqlError(error) ?? error : error),
      Effect.withSpan("Ledger.submit")
    )

  const apply = (request: Request) =>
    Effect.flatMap(submit([request]), (transfers) =>
      transfers[0] === undefined
        ? Effect.die(new Error("the ledger applied no transfer"))
        : Effect.succeed(transfers[0]))

  const reverse: Service["reverse"] = (options) =>
    Effect.gen(function*() {
      const lines = yield* loadLines("transfer", options.transfer_id)
      if (lines.length === 0) {
        return yield* new Errors.NotFound({ resource: "asset_transactions", id: options.transfer_id })
      }
      const original = toTransfer(lines)
      if (original.kind !== "POSTED") {
        return yield* new NotReversible({ transfer_id: original.transfer_id, kind: original.kind })
      }
      if (original.key.startsWith("reverse:")) {
        return yield* new NotReversible({ transfer_id: original.transfer_id, kind: "a reversal" })
      }
      // The key is the original's: reversing twice returns the first reversal.
      return yield* apply({
        _tag: "Transfer",
        key: `reverse:${original.transfer_id}`,
        type: "ADJUSTMENT",
        reference: `asset_transactions:${original.transfer_id}`,
        notes: options.reason,
        created_by: options.created_by ?? null,
        market_maker_id: original.market_maker_id,
        asset: original.asset,
        legs: original.lines.map((line) => ({ account: line.account, amount: -line.amount }))
      })
    })

  const holdings = (entity_id: Ids.EntityId) =>
    Effect.flatMap(
      sql`SELECT * FROM entity_holdings WHERE entity_id = ${entity_id} ORDER BY asset_type`,
      (rows) => Effect.orDie(Schema.decodeUnknownEffect(Schema.Array(Funds.EntityHolding))(rows))
    )

  const platformBalance = (name: PlatformAccountName, asset: Enums.AssetType) =>
    Effect.flatMap(
      sql<{ total: string | null }>`
        SELECT sum(amount)::text AS total FROM asset_transactions WHERE account = ${name} AND asset_type = ${asset}`,
      (rows) =>
        rows[0]?.total === null || rows[0]?.total === undefined ? Effect.succeed(0n) : toMinor(asset, rows[0].total)
    )

  const verify = Effect.gen(function*() {
    const differences = yield* sql<HoldingDifference>`
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
    const unbalanced = yield* sql<{ transfer_id: string; sum: string }>`
      SELECT transfer_id::text AS transfer_id, sum(amount)::text AS sum
      FROM asset_transactions GROUP BY transfer_id HAVING sum(amount) <> 0 ORDER BY 1`
    const overdrawnPending = yield* sql<{ transfer_id: string; remaining: string }>`
      SELECT p.transfer_id::text AS transfer_id, (p.amount + coalesce(sum(r.amount), 0))::text AS remaining
      FROM asset_transactions p
      LEFT JOIN asset_transactions r
        ON r.pending_id = p.transfer_id AND r.account = 'LOCKED' AND r.entity_id = p.entity_id
      WHERE p.transfer_kind = 'PENDING' AND p.account = 'LOCKED' AND p.amount > 0
      GROUP BY p.transfer_id, p.amount
      HAVING p.amount + coalesce(sum(r.amount), 0) < 0
      ORDER BY 1`
    const negative = yield* sql<{ entity_id: string; asset_type: Enums.AssetType }>`
      SELECT entity_id::text AS entity_id, asset_type::text AS asset_type FROM entity_holdings
      WHERE available < 0 OR locked < 0 ORDER BY 1, 2`
    const platform = yield* sql<{ account: PlatformAccountName; asset_type: Enums.AssetType; balance: string }>`
      SELECT account, asset_type::text AS asset_type, sum(amount)::text AS balance
      FROM asset_transactions WHERE entity_id IS NULL GROUP BY account, asset_type ORDER BY 1, 2`
    const [counts] = yield* sql<{ holdings: number; transfers: number }>`
      SELECT (SELECT count(*)::int FROM entity_holdings) AS holdings,
             (SELECT count(DISTINCT transfer_id)::int FROM asset_transactions) AS transfers`
    return {
      ok: differences.length === 0 && unbalanced.length === 0 && overdrawnPending.length === 0 && negative.length === 0,
      holdings: counts?.holdings ?? 0,
      transfers: counts?.transfers ?? 0,
      differences,
      unbalanced,
      overdrawnPending,
      negative,
      platform
    } satisfies Report
  }).pipe(Effect.withSpan("Ledger.verify"))

  const findByKeyChecked = (key: string) =>
    Effect.flatMap(
      Effect.mapError(Schema.decodeUnknownEffect(Key)(key), (error) => Errors.validationFailed(error)),
      findByKey
    )

  return {
    submit,
    apply,
    reverse,
    findByKey: findByKeyChecked,
    pending: pendingState,
    holdings,
    platformBalance,
    verify
  }
}
