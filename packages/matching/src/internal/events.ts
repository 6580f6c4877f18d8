/**
 * The events the book makes, built by constructors rather than object literals.
 *
 * V8 tracks the objects made by each object literal (its "allocation site") and, when those
 * it sampled were still alive at a young-generation collection, allocates every later object
 * of that literal directly in the old generation ("pretenuring"). For the book's events that
 * guess is wrong (a caller reads them and drops them), and costly: an old event keeps the
 * young strings it references alive through collections, and each store into it pays a write
 * barrier. In the bench, the `OrderAccepted` and `OrderRested` literals were pretenured early
 * in some processes and not in others, and until V8 undid it (sometimes after millions of
 * commands, sometimes never) the book ran at about two thirds of its speed: that was most of
 * the difference between a slow process and a fast one. An object made by `new` has no
 * allocation site, so it is never pretenured.
 *
 * Each constructor's `prototype` is `Object.prototype`, so an event is a plain object as
 * before (same fields in the same order, `Object.getPrototypeOf(event) === Object.prototype`):
 * nothing a caller can observe changed.
 */
import type * as Event from "../Event.ts"

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

function OrderAcceptedEvent(
  this: Mutable<Event.OrderAccepted>,
  seq: Event.OrderAccepted["seq"],
  orderId: Event.OrderAccepted["orderId"],
  owner: Event.OrderAccepted["owner"],
  side: Event.OrderAccepted["side"]
): void {
  this._tag = "OrderAccepted"
  this.seq = seq
  this.orderId = orderId
  this.owner = owner
  this.side = side
}
OrderAcceptedEvent.prototype = Object.prototype
/** Makes an `OrderAccepted` event (a plain object; see the module's comment). */
export const OrderAccepted = OrderAcceptedEvent as unknown as new(
  seq: Event.OrderAccepted["seq"],
  orderId: Event.OrderAccepted["orderId"],
  owner: Event.OrderAccepted["owner"],
  side: Event.OrderAccepted["side"]
) => Event.OrderAccepted

function OrderRestedEvent(
  this: Mutable<Event.OrderRested>,
  seq: Event.OrderRested["seq"],
  orderId: Event.OrderRested["orderId"],
  owner: Event.OrderRested["owner"],
  side: Event.OrderRested["side"],
  price: Event.OrderRested["price"],
  quantity: Event.OrderRested["quantity"]
): void {
  this._tag = "OrderRested"
  this.seq = seq
  this.orderId = orderId
  this.owner = owner
  this.side = side
  this.price = price
  this.quantity = quantity
}
OrderRestedEvent.prototype = Object.prototype
/** Makes an `OrderRested` event (a plain object; see the module's comment). */
export const OrderRested = OrderRestedEvent as unknown as new(
  seq: Event.OrderRested["seq"],
  orderId: Event.OrderRested["orderId"],
  owner: Event.OrderRested["owner"],
  side: Event.OrderRested["side"],
  price: Event.OrderRested["price"],
  quantity: Event.OrderRested["quantity"]
) => Event.OrderRested

function OrderExpiredEvent(
  this: Mutable<Event.OrderExpired>,
  seq: Event.OrderExpired["seq"],
  orderId: Event.OrderExpired["orderId"],
  owner: Event.OrderExpired["owner"],
  side: Event.OrderExpired["side"],
  remainingQuantity: Event.OrderExpired["remainingQuantity"],
  remainingBudget: Event.OrderExpired["remainingBudget"]
): void {
  this._tag = "OrderExpired"
  this.seq = seq
  this.orderId = orderId
  this.owner = owner
  this.side = side
  this.remainingQuantity = remainingQuantity
  this.remainingBudget = remainingBudget
}
OrderExpiredEvent.prototype = Object.prototype
/** Makes an `OrderExpired` event (a plain object; see the module's comment). */
export const OrderExpired = OrderExpiredEvent as unknown as new(
  seq: Event.OrderExpired["seq"],
  orderId: Event.OrderExpired["orderId"],
  owner: Event.OrderExpired["owner"],
  side: Event.OrderExpired["side"],
  remainingQuantity: Event.OrderExpired["remainingQuantity"],
  remainingBudget: Event.OrderExpired["remainingBudget"]
) => Event.OrderExpired

function OrderCancelledEvent(
  this: Mutable<Event.OrderCancelled>,
  seq: Event.OrderCancelled["seq"],
  orderId: Event.OrderCancelled["orderId"],
  owner: Event.OrderCancelled["owner"],
  side: Event.OrderCancelled["side"],
  price: Event.OrderCancelled["price"],
  remainingQuantity: Event.OrderCancelled["remainingQuantity"],
  reason: Event.OrderCancelled["reason"]
): void {
  this._tag = "OrderCancelled"
  this.seq = seq
  this.orderId = orderId
  this.owner = owner
  this.side = side
  this.price = price
  this.remainingQuantity = remainingQuantity
  this.reason = reason
}
OrderCancelledEvent.prototype = Object.prototype
/** Makes an `OrderCancelled` event (a plain object; see the module's comment). */
export const OrderCancelled = OrderCancelledEvent as unknown as new(
  seq: Event.OrderCancelled["seq"],
  orderId: Event.OrderCancelled["orderId"],
  owner: Event.OrderCancelled["owner"],
  side: Event.OrderCancelled["side"],
  price: Event.OrderCancelled["price"],
  remainingQuantity: Event.OrderCancelled["remainingQuantity"],
  reason: Event.OrderCancelled["reason"]
) => Event.OrderCancelled

function TradeEvent(
  this: Mutable<Event.Trade>,
  seq: Event.Trade["seq"],
  tradeId: Event.Trade["tradeId"],
  timestamp: Event.Trade["timestamp"],
  price: Event.Trade["price"],
  quantity: Event.Trade["quantity"],
  aggressor: Event.Trade["aggressor"],
  buyOrderId: Event.Trade["buyOrderId"],
  buyOwner: Event.Trade["buyOwner"],
  sellOrderId: Event.Trade["sellOrderId"],
  sellOwner: Event.Trade["sellOwner"],
  makerRemaining: Event.Trade["makerRemaining"],
  takerRemaining: Event.Trade["takerRemaining"]
): void {
  this._tag = "Trade"
  this.seq = seq
  this.tradeId = tradeId
  this.timestamp = timestamp
  this.price = price
  this.quantity = quantity
  this.aggressor = aggressor
  this.buyOrderId = buyOrderId
  this.buyOwner = buyOwner
  this.sellOrderId = sellOrderId
  this.sellOwner = sellOwner
  this.makerRemaining = makerRemaining
  this.takerRemaining = takerRemaining
}
TradeEvent.prototype = Object.prototype
/** Makes an `Trade` event (a plain object; see the module's comment). */
export const Trade = TradeEvent as unknown as new(
  seq: Event.Trade["seq"],
  tradeId: Event.Trade["tradeId"],
  timestamp: Event.Trade["timestamp"],
  price: Event.Trade["price"],
  quantity: Event.Trade["quantity"],
  aggressor: Event.Trade["aggressor"],
  buyOrderId: Event.Trade["buyOrderId"],
  buyOwner: Event.Trade["buyOwner"],
  sellOrderId: Event.Trade["sellOrderId"],
  sellOwner: Event.Trade["sellOwner"],
  makerRemaining: Event.Trade["makerRemaining"],
  takerRemaining: Event.Trade["takerRemaining"]
) => Event.Trade

function SelfTradeDecrementedEvent(
  this: Mutable<Event.SelfTradeDecremented>,
  seq: Event.SelfTradeDecremented["seq"],
  owner: Event.SelfTradeDecremented["owner"],
  takerOrderId: Event.SelfTradeDecremented["takerOrderId"],
  makerOrderId: Event.SelfTradeDecremented["makerOrderId"],
  price: Event.SelfTradeDecremented["price"],
  quantity: Event.SelfTradeDecremented["quantity"],
  takerRemaining: Event.SelfTradeDecremented["takerRemaining"],
  makerRemaining: Event.SelfTradeDecremented["makerRemaining"]
): void {
  this._tag = "SelfTradeDecremented"
  this.seq = seq
  this.owner = owner
  this.takerOrderId = takerOrderId
  this.makerOrderId = makerOrderId
  this.price = price
  this.quantity = quantity
  this.takerRemaining = takerRemaining
  this.makerRemaining = makerRemaining
}
SelfTradeDecrementedEvent.prototype = Object.prototype
/** Makes an `SelfTradeDecremented` event (a plain object; see the module's comment). */
export const SelfTradeDecremented = SelfTradeDecrementedEvent as unknown as new(
  seq: Event.SelfTradeDecremented["seq"],
  owner: Event.SelfTradeDecremented["owner"],
  takerOrderId: Event.SelfTradeDecremented["takerOrderId"],
  makerOrderId: Event.SelfTradeDecremented["makerOrderId"],
  price: Event.SelfTradeDecremented["price"],
  quantity: Event.SelfTradeDecremented["quantity"],
  takerRemaining: Event.SelfTradeDecremented["takerRemaining"],
  makerRemaining: Event.SelfTradeDecremented["makerRemaining"]
) => Event.SelfTradeDecremented

function OrderAmendedEvent(
  this: Mutable<Event.OrderAmended>,
  seq: Event.OrderAmended["seq"],
  orderId: Event.OrderAmended["orderId"],
  owner: Event.OrderAmended["owner"],
  side: Event.OrderAmended["side"],
  price: Event.OrderAmended["price"],
  quantity: Event.OrderAmended["quantity"],
  priorityKept: Event.OrderAmended["priorityKept"]
): void {
  this._tag = "OrderAmended"
  this.seq = seq
  this.orderId = orderId
  this.owner = owner
  this.side = side
  this.price = price
  this.quantity = quantity
  this.priorityKept = priorityKept
}
OrderAmendedEvent.prototype = Object.prototype
/** Makes an `OrderAmended` event (a plain object; see the module's comment). */
export const OrderAmended = OrderAmendedEvent as unknown as new(
  seq: Event.OrderAmended["seq"],
  orderId: Event.OrderAmended["orderId"],
  owner: Event.OrderAmended["owner"],
  side: Event.OrderAmended["side"],
  price: Event.OrderAmended["price"],
  quantity: Event.OrderAmended["quantity"],
  priorityKept: Event.OrderAmended["priorityKept"]
) => Event.OrderAmended

function OwnerOrdersCancelledEvent(
  this: Mutable<Event.OwnerOrdersCancelled>,
  seq: Event.OwnerOrdersCancelled["seq"],
  owner: Event.OwnerOrdersCancelled["owner"],
  count: Event.OwnerOrdersCancelled["count"]
): void {
  this._tag = "OwnerOrdersCancelled"
  this.seq = seq
  this.owner = owner
  this.count = count
}
OwnerOrdersCancelledEvent.prototype = Object.prototype
/** Makes an `OwnerOrdersCancelled` event (a plain object; see the module's comment). */
export const OwnerOrdersCancelled = OwnerOrdersCancelledEvent as unknown as new(
  seq: Event.OwnerOrdersCancelled["seq"],
  owner: Event.OwnerOrdersCancelled["owner"],
  count: Event.OwnerOrdersCancelled["count"]
) => Event.OwnerOrdersCancelled

function MarketHaltedEvent(this: Mutable<Event.MarketHalted>, seq: Event.MarketHalted["seq"]): void {
  this._tag = "MarketHalted"
  this.seq = seq
}
MarketHaltedEvent.prototype = Object.prototype
/** Makes an `MarketHalted` event (a plain object; see the module's comment). */
export const MarketHalted = MarketHaltedEvent as unknown as new(seq: Event.MarketHalted["seq"]) => Event.MarketHalted

function MarketResumedEvent(this: Mutable<Event.MarketResumed>, seq: Event.MarketResumed["seq"]): void {
  this._tag = "MarketResumed"
  this.seq = seq
}
MarketResumedEvent.prototype = Object.prototype
/** Makes an `MarketResumed` event (a plain object; see the module's comment). */
export const MarketResumed = MarketResumedEvent as unknown as new(
  seq: Event.MarketResumed["seq"]
) => Event.MarketResumed

function CommandRejectedEvent(
  this: Mutable<Event.CommandRejected>,
  seq: Event.CommandRejected["seq"],
  command: Event.CommandRejected["command"],
  orderId: Event.CommandRejected["orderId"],
  reason: Event.CommandRejected["reason"]
): void {
  this._tag = "CommandRejected"
  this.seq = seq
  this.command = command
  this.orderId = orderId
  this.reason = reason
}
CommandRejectedEvent.prototype = Object.prototype
/** Makes an `CommandRejected` event (a plain object; see the module's comment). */
export const CommandRejected = CommandRejectedEvent as unknown as new(
  seq: Event.CommandRejected["seq"],
  command: Event.CommandRejected["command"],
  orderId: Event.CommandRejected["orderId"],
  reason: Event.CommandRejected["reason"]
) => Event.CommandRejected
