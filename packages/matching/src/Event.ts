/**
 * What an {@link OrderBook} says about each command: a list of events, each tagged with the
 * `seq` of the command that caused it. A rejected command yields exactly one
 * `CommandRejected` and changes nothing; an accepted one yields its consequences in the
 * order they happened (an accepted order, its trades, then whether the rest rested,
 * expired or was cancelled).
 *
 * Events are plain objects of the types below (the Schemas encode them for the journal and
 * the wire). The same commands give the same events, field for field and in the same order,
 * on every machine, which is what makes replay and snapshots exact.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as Schema from "effect/Schema"

/**
 * Why a command was rejected.
 *
 * - `INVALID_COMMAND`: a malformed field (unknown side or mode, empty id, non-number, a
 *   post-only IOC/FOK, a market order without quantity or budget, a SELL with a budget, a FOK
 *   market order without quantity, an amend without any change requested).
 * - `SEQUENCE_NOT_INCREASING`: `seq` is not greater than the last accepted one.
 * - `MARKET_HALTED`: a place or amend while the market is halted.
 * - `UNKNOWN_ORDER`: no resting order has that id.
 * - `NOT_ORDER_OWNER`: the order belongs to another owner.
 * - `DUPLICATE_ORDER_ID`: a resting order already has that id.
 * - `NON_POSITIVE_QUANTITY`, `LOT_SIZE`, `BELOW_MIN_QUANTITY`, `ABOVE_MAX_QUANTITY`: the
 *   quantity leaves the instrument's quantity grid.
 * - `NON_POSITIVE_BUDGET`: a market budget of zero or less.
 * - `OFF_TICK`, `OUTSIDE_PRICE_BAND`: the price leaves the price grid.
 * - `NOTIONAL_OVERFLOW`: price x quantity, or the budget, could pass
 *   `Number.MAX_SAFE_INTEGER`.
 * - `POST_ONLY_WOULD_CROSS`: a post-only order would trade on arrival.
 * - `FOK_NOT_FILLABLE`: a fill-or-kill order cannot be filled entirely at once.
 * - `NOTHING_TO_AMEND`: the amendment leaves price and quantity as they are.
 * - `ALREADY_HALTED`, `NOT_HALTED`: a halt of a halted market, a resume of a running one.
 *
 * @category schemas
 * @since 0.1.0
 */
export const RejectReason = Schema.Literals([
  "INVALID_COMMAND",
  "SEQUENCE_NOT_INCREASING",
  "MARKET_HALTED",
  "UNKNOWN_ORDER",
  "NOT_ORDER_OWNER",
  "DUPLICATE_ORDER_ID",
  "NON_POSITIVE_QUANTITY",
  "LOT_SIZE",
  "BELOW_MIN_QUANTITY",
  "ABOVE_MAX_QUANTITY",
  "NON_POSITIVE_BUDGET",
  "OFF_TICK",
  "OUTSIDE_PRICE_BAND",
  "NOTIONAL_OVERFLOW",
  "POST_ONLY_WOULD_CROSS",
  "FOK_NOT_FILLABLE",
  "NOTHING_TO_AMEND",
  "ALREADY_HALTED",
  "NOT_HALTED"
])
/**
 * @category models
 * @since 0.1.0
 */
export type RejectReason = typeof RejectReason.Type

/**
 * Why a resting or incoming order was cancelled: at its owner's request, by a cancel-all,
 * or by self-trade prevention.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CancelReason = Schema.Literals(["REQUESTED", "CANCEL_ALL", "SELF_TRADE"])
/**
 * @category models
 * @since 0.1.0
 */
export type CancelReason = typeof CancelReason.Type

const Seq = Schema.Int
const Quantity = Schema.Int

/**
 * An order passed validation and entered matching.
 *
 * @category schemas
 * @since 0.1.0
 */
export const OrderAccepted = Schema.TaggedStruct("OrderAccepted", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The order. */
  orderId: Schema.String,
  /** The order's owner. */
  owner: Schema.String,
  /** The order's side. */
  side: Enums.OrderSide
})
/**
 * @category models
 * @since 0.1.0
 */
export type OrderAccepted = typeof OrderAccepted.Type

/**
 * A trade between an incoming order (the aggressor) and a resting one, at the resting
 * order's price. `tradeId` is `<market>-<seq>-<n>`, n counting the trades of the command
 * from 1. `makerRemaining` is what is left of the resting order (0: filled and gone);
 * `takerRemaining` is what is left of the incoming order, `null` for a market order bounded
 * only by a budget.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Trade = Schema.TaggedStruct("Trade", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** `<market>-<seq>-<n>`: unique and derived, never random. */
  tradeId: Schema.String,
  /** The command's timestamp: the time of the trade. */
  timestamp: Schema.Int,
  /** The price, the resting order's, in minor price units. */
  price: Schema.Int,
  /** The quantity traded, in tonnes. */
  quantity: Quantity,
  /** The side of the incoming order. */
  aggressor: Enums.OrderSide,
  /** The buying order. */
  buyOrderId: Schema.String,
  /** Its owner. */
  buyOwner: Schema.String,
  /** The selling order. */
  sellOrderId: Schema.String,
  /** Its owner. */
  sellOwner: Schema.String,
  /** What is left of the resting order (0: filled, gone). */
  makerRemaining: Quantity,
  /** What is left of the incoming order; `null` for a budget-only market order. */
  takerRemaining: Schema.NullOr(Quantity)
})
/**
 * @category models
 * @since 0.1.0
 */
export type Trade = typeof Trade.Type

/**
 * The unfilled part of a GTC order now rests in the book.
 *
 * @category schemas
 * @since 0.1.0
 */
export const OrderRested = Schema.TaggedStruct("OrderRested", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The order. */
  orderId: Schema.String,
  /** The order's owner. */
  owner: Schema.String,
  /** The order's side. */
  side: Enums.OrderSide,
  /** The price it rests at. */
  price: Schema.Int,
  /** The quantity resting. */
  quantity: Quantity
})
/**
 * @category models
 * @since 0.1.0
 */
export type OrderRested = typeof OrderRested.Type

/**
 * The unfilled part of an IOC or market order was dropped. `remainingQuantity` is `null`
 * for a market order bounded only by a budget; `remainingBudget` is `null` for an order
 * without a budget.
 *
 * @category schemas
 * @since 0.1.0
 */
export const OrderExpired = Schema.TaggedStruct("OrderExpired", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The order. */
  orderId: Schema.String,
  /** The order's owner. */
  owner: Schema.String,
  /** The order's side. */
  side: Enums.OrderSide,
  /** The quantity dropped, `null` for a budget-only market order. */
  remainingQuantity: Schema.NullOr(Quantity),
  /** The budget left, `null` without a budget. */
  remainingBudget: Schema.NullOr(Schema.Int)
})
/**
 * @category models
 * @since 0.1.0
 */
export type OrderExpired = typeof OrderExpired.Type

/**
 * An order left the book, or an incoming order stopped, by cancellation. `price` is `null`
 * for a market order; `remainingQuantity` is `null` for a market order bounded only by a
 * budget.
 *
 * @category schemas
 * @since 0.1.0
 */
export const OrderCancelled = Schema.TaggedStruct("OrderCancelled", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The order. */
  orderId: Schema.String,
  /** The order's owner. */
  owner: Schema.String,
  /** The order's side. */
  side: Enums.OrderSide,
  /** The price of the order, `null` for a market order. */
  price: Schema.NullOr(Schema.Int),
  /** The quantity cancelled, `null` for a budget-only market order. */
  remainingQuantity: Schema.NullOr(Quantity),
  /** Why: REQUESTED, CANCEL_ALL or SELF_TRADE. */
  reason: CancelReason
})
/**
 * @category models
 * @since 0.1.0
 */
export type OrderCancelled = typeof OrderCancelled.Type

/**
 * A resting order was amended to `price` and open `quantity`; `priorityKept` tells whether
 * it kept its place in the queue. When it did not, trades and an `OrderRested` may follow,
 * as for a new order.
 *
 * @category schemas
 * @since 0.1.0
 */
export const OrderAmended = Schema.TaggedStruct("OrderAmended", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The order. */
  orderId: Schema.String,
  /** The order's owner. */
  owner: Schema.String,
  /** The order's side. */
  side: Enums.OrderSide,
  /** The new price. */
  price: Schema.Int,
  /** The new open quantity. */
  quantity: Quantity,
  /** Whether the order kept its place in the queue. */
  priorityKept: Schema.Boolean
})
/**
 * @category models
 * @since 0.1.0
 */
export type OrderAmended = typeof OrderAmended.Type

/**
 * Self-trade prevention `DECREMENT_BOTH` reduced an incoming order and a resting order of
 * the same owner by `quantity` instead of trading them (a `makerRemaining` of 0 means the
 * resting order is gone).
 *
 * @category schemas
 * @since 0.1.0
 */
export const SelfTradeDecremented = Schema.TaggedStruct("SelfTradeDecremented", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The owner of both orders. */
  owner: Schema.String,
  /** The incoming order. */
  takerOrderId: Schema.String,
  /** The resting order. */
  makerOrderId: Schema.String,
  /** The resting order's price. */
  price: Schema.Int,
  /** The quantity removed from each. */
  quantity: Quantity,
  /** What is left of the incoming order; `null` for a budget-only market order. */
  takerRemaining: Schema.NullOr(Quantity),
  /** What is left of the resting order (0: gone). */
  makerRemaining: Quantity
})
/**
 * @category models
 * @since 0.1.0
 */
export type SelfTradeDecremented = typeof SelfTradeDecremented.Type

/**
 * A cancel-all finished: `count` orders of `owner` were cancelled (each with its own
 * `OrderCancelled` before this event).
 *
 * @category schemas
 * @since 0.1.0
 */
export const OwnerOrdersCancelled = Schema.TaggedStruct("OwnerOrdersCancelled", {
  /** The sequence number of the command that caused the event. */
  seq: Seq,
  /** The owner. */
  owner: Schema.String,
  /** How many orders were cancelled. */
  count: Schema.Int
})
/**
 * @category models
 * @since 0.1.0
 */
export type OwnerOrdersCancelled = typeof OwnerOrdersCancelled.Type

/**
 * The market was halted.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MarketHalted = Schema.TaggedStruct("MarketHalted", {
  /** The sequence number of the command. */
  seq: Seq
})
/**
 * @category models
 * @since 0.1.0
 */
export type MarketHalted = typeof MarketHalted.Type

/**
 * The market was resumed.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MarketResumed = Schema.TaggedStruct("MarketResumed", {
  /** The sequence number of the command. */
  seq: Seq
})
/**
 * @category models
 * @since 0.1.0
 */
export type MarketResumed = typeof MarketResumed.Type

/**
 * A command was rejected and changed nothing. `command` is the rejected command's `_tag`,
 * `orderId` its order id when it has one.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CommandRejected = Schema.TaggedStruct("CommandRejected", {
  /** The sequence number the rejected command carried. */
  seq: Schema.Number,
  /** The rejected command's `_tag`. */
  command: Schema.String,
  /** Its order id, `null` when it has none. */
  orderId: Schema.NullOr(Schema.String),
  /** Why it was rejected. */
  reason: RejectReason
})
/**
 * @category models
 * @since 0.1.0
 */
export type CommandRejected = typeof CommandRejected.Type

/**
 * Any event.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Event = Schema.Union([
  OrderAccepted,
  Trade,
  OrderRested,
  OrderExpired,
  OrderCancelled,
  OrderAmended,
  SelfTradeDecremented,
  OwnerOrdersCancelled,
  MarketHalted,
  MarketResumed,
  CommandRejected
])
/**
 * @category models
 * @since 0.1.0
 */
export type Event = typeof Event.Type
