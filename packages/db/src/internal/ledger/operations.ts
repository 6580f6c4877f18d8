/**
 * The platform's money movements as ledger requests: deposits and AML holds, order locks
 * and fills, withdrawals, settlement deliveries, custody stock and adjustments. Each
 * builder returns plain requests (data); the service applies them. Re-exported by
 * `Ledger.ts`.
 */
import type { Enums, Ids } from "@niha/domain"
import { type Account, available, type Leg, type PendingRef, platform, type Request } from "./model.ts"

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
 * One side of a trade: an entity paying out of its order's lock, a market maker trading
 * the platform's own inventory (the `CUSTODY` account), or an external seller outside the
 * platform (`WORLD`).
 *
 * @category operations
 * @since 0.1.0
 */
export type TradeSide = EntitySide | MarketMakerSide | SellerSide

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
 * An external seller's side of a trade. Its allowances are in its own registry account
 * and its proceeds go to its bank, both outside the platform: the allowances it delivers
 * come from `WORLD` and what it receives goes to `WORLD` (its lots, reserved for its
 * order in inventory, are what guarantees the delivery, not a ledger lock).
 *
 * @category operations
 * @since 0.1.0
 */
export interface SellerSide {
  /** The seller. */
  readonly seller_id: Ids.SellerId
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
  // Who is outside the entities' accounts trades the platform's inventory (a market maker)
  // or the outside world (an external seller).
  const outside = (side: MarketMakerSide | SellerSide): Account =>
    "seller_id" in side ? platform("WORLD") : platform("CUSTODY")
  const receives = (side: TradeSide): Account => "entity_id" in side ? available(side.entity_id) : outside(side)
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
      legs: [{ account: outside(options.buyer), amount: -(options.notional + options.buyer_fee) }, ...payment]
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
      legs: [{ account: outside(options.seller), amount: -options.quantity }, {
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

/**
 * Stocks the platform's `CUSTODY` with inventory that arrived from outside (allowances
 * delivered to the platform's registry account, EUR for market makers to buy with), from
 * `WORLD`. Market makers trade `CUSTODY`, which never goes below zero, so it is stocked
 * before they sell or buy from it.
 *
 * @category operations
 * @since 0.1.0
 */
export const fundCustody = (
  options: Common & { readonly asset: Enums.AssetType; readonly amount: number; readonly reference: string }
): Request => ({
  _tag: "Transfer",
  ...common(options),
  type: "DEPOSIT",
  reference: options.reference,
  asset: options.asset,
  legs: [{ account: platform("WORLD"), amount: -options.amount }, {
    account: platform("CUSTODY"),
    amount: options.amount
  }]
})
