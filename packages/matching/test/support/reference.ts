/**
 * A naive reference matcher, written independently of the engine to be obviously correct
 * rather than fast: the book is one array of resting orders, matching sorts the crossing
 * orders of the other side by price then priority and walks them. The differential test
 * runs long random streams through both and requires identical events and final books.
 */
import type { Command, Event, Instrument, Snapshot } from "@niha/matching"

interface Resting {
  orderId: string
  owner: string
  side: "BUY" | "SELL"
  price: number
  quantity: number
  priority: number
  postOnly: boolean
  selfTradePrevention: Command.SelfTradePrevention
}

type Reason = Event.RejectReason

const SIDES = ["BUY", "SELL"]
const MODES = ["CANCEL_TAKER", "CANCEL_MAKER", "CANCEL_BOTH", "DECREMENT_BOTH"]

export class ReferenceBook {
  readonly instrument: Instrument.Instrument
  orders: Array<Resting> = []
  lastSeq = -1
  halted = false

  constructor(instrument: Instrument.Instrument) {
    this.instrument = instrument
  }

  private quantityProblem(q: number): Reason | undefined {
    const i = this.instrument
    if (typeof q !== "number" || !Number.isFinite(q)) return "INVALID_COMMAND"
    if (q <= 0) return "NON_POSITIVE_QUANTITY"
    if (q > i.maxQuantity) return "ABOVE_MAX_QUANTITY"
    if (q % i.lotSize !== 0) return "LOT_SIZE"
    if (q < i.minQuantity) return "BELOW_MIN_QUANTITY"
    return undefined
  }

  private priceProblem(p: number): Reason | undefined {
    const i = this.instrument
    if (typeof p !== "number" || !Number.isFinite(p)) return "INVALID_COMMAND"
    if (p < i.minPrice || p > i.maxPrice) return "OUTSIDE_PRICE_BAND"
    if (p % i.tickSize !== 0) return "OFF_TICK"
    return undefined
  }

  private budgetProblem(b: number): Reason | undefined {
    if (typeof b !== "number" || Number.isNaN(b)) return "INVALID_COMMAND"
    if (b <= 0) return "NON_POSITIVE_BUDGET"
    if (b > Number.MAX_SAFE_INTEGER) return "NOTIONAL_OVERFLOW"
    if (!Number.isInteger(b)) return "INVALID_COMMAND"
    return undefined
  }

  /** The orders of the other side an order at `limit` could trade with, best first. */
  private crossing(side: "BUY" | "SELL", limit: number): Array<Resting> {
    return this.orders
      .filter((o) => o.side !== side && (side === "BUY" ? o.price <= limit : o.price >= limit))
      .sort((a, b) => (side === "BUY" ? a.price - b.price : b.price - a.price) || a.priority - b.priority)
  }

  private rejected(c: Command.Command, reason: Reason): Array<Event.Event> {
    return [{
      _tag: "CommandRejected",
      seq: c.seq,
      command: c._tag,
      orderId: "orderId" in c ? c.orderId : null,
      reason
    }]
  }

  private lots(budget: number, price: number): number {
    const units = Math.floor(budget / price)
    return units - (units % this.instrument.lotSize)
  }

  /** Whether the order fills completely now (the FOK rule), changing nothing. */
  private fillable(
    side: "BUY" | "SELL",
    owner: string,
    mode: string,
    limit: number,
    quantity: number,
    budget: number | null
  ): boolean {
    let left = quantity
    let money = budget
    for (const maker of this.crossing(side, limit)) {
      let wanted = left
      if (money !== null) wanted = Math.min(wanted, this.lots(money, maker.price))
      if (wanted === 0) return false
      if (maker.owner === owner) {
        if (mode === "CANCEL_TAKER" || mode === "CANCEL_BOTH") return false
        if (mode === "CANCEL_MAKER") continue
      }
      const q = Math.min(wanted, maker.quantity)
      left -= q
      if (money !== null) money -= q * maker.price
      if (left === 0) return true
    }
    return false
  }

  private cancelledOf(seq: number, o: Resting, reason: Event.CancelReason): Event.Event {
    return {
      _tag: "OrderCancelled",
      seq,
      orderId: o.orderId,
      owner: o.owner,
      side: o.side,
      price: o.price,
      remainingQuantity: o.quantity,
      reason
    }
  }

  /** Matches a taker; returns what is left, whether STP cancelled it, and its budget left. */
  private take(
    c: { seq: number; timestamp: number; orderId: string; owner: string },
    side: "BUY" | "SELL",
    mode: string,
    limit: number,
    quantity: number | null,
    budget: number | null,
    events: Array<Event.Event>
  ) {
    let left = quantity ?? Number.MAX_SAFE_INTEGER
    let money = budget
    let cancelled = false
    let n = 0
    for (const maker of this.crossing(side, limit)) {
      if (left === 0) break
      let wanted = left
      if (money !== null) wanted = Math.min(wanted, this.lots(money, maker.price))
      if (wanted === 0) break
      const q = Math.min(wanted, maker.quantity)
      if (maker.owner === c.owner) {
        if (mode === "CANCEL_MAKER" || mode === "CANCEL_BOTH") {
          events.push(this.cancelledOf(c.seq, maker, "SELF_TRADE"))
          this.orders = this.orders.filter((o) => o !== maker)
          if (mode === "CANCEL_BOTH") {
            cancelled = true
            break
          }
          continue
        }
        if (mode === "CANCEL_TAKER") {
          cancelled = true
          break
        }
        left -= q
        if (money !== null) money -= q * maker.price
        maker.quantity -= q
        events.push({
          _tag: "SelfTradeDecremented",
          seq: c.seq,
          owner: c.owner,
          takerOrderId: c.orderId,
          makerOrderId: maker.orderId,
          price: maker.price,
          quantity: q,
          takerRemaining: quantity === null ? null : left,
          makerRemaining: maker.quantity
        })
      } else {
        left -= q
        if (money !== null) money -= q * maker.price
        maker.quantity -= q
        const buy = side === "BUY"
        events.push({
          _tag: "Trade",
          seq: c.seq,
          tradeId: `${this.instrument.market}-${c.seq}-${++n}`,
          timestamp: c.timestamp,
          price: maker.price,
          quantity: q,
          aggressor: side,
          buyOrderId: buy ? c.orderId : maker.orderId,
          buyOwner: buy ? c.owner : maker.owner,
          sellOrderId: buy ? maker.orderId : c.orderId,
          sellOwner: buy ? maker.owner : c.owner,
          makerRemaining: maker.quantity,
          takerRemaining: quantity === null ? null : left
        })
      }
      if (maker.quantity === 0) this.orders = this.orders.filter((o) => o !== maker)
    }
    return { left, cancelled, money }
  }

  private crosses(side: "BUY" | "SELL", price: number): boolean {
    return this.crossing(side, price).length > 0
  }

  apply(c: Command.Command): Array<Event.Event> {
    if (!Number.isSafeInteger(c.seq) || c.seq < 0) return this.rejected(c, "INVALID_COMMAND")
    if (c.seq <= this.lastSeq) return this.rejected(c, "SEQUENCE_NOT_INCREASING")
    const i = this.instrument
    const valid = (s: unknown) => typeof s === "string" && s.length > 0
    switch (c._tag) {
      case "PlaceLimit": {
        if (this.halted) return this.rejected(c, "MARKET_HALTED")
        if (
          !SIDES.includes(c.side) || !["GTC", "IOC", "FOK"].includes(c.timeInForce) ||
          !MODES.includes(c.selfTradePrevention) || typeof c.postOnly !== "boolean" ||
          (c.postOnly && c.timeInForce !== "GTC") || !valid(c.orderId) || !valid(c.owner)
        ) return this.rejected(c, "INVALID_COMMAND")
        const problem = this.quantityProblem(c.quantity) ?? this.priceProblem(c.price)
        if (problem) return this.rejected(c, problem)
        if (c.price * c.quantity > Number.MAX_SAFE_INTEGER) return this.rejected(c, "NOTIONAL_OVERFLOW")
        if (this.orders.some((o) => o.orderId === c.orderId)) return this.rejected(c, "DUPLICATE_ORDER_ID")
        if (c.postOnly && this.crosses(c.side, c.price)) return this.rejected(c, "POST_ONLY_WOULD_CROSS")
        if (
          c.timeInForce === "FOK" &&
          !this.fillable(c.side, c.owner, c.selfTradePrevention, c.price, c.quantity, null)
        ) return this.rejected(c, "FOK_NOT_FILLABLE")
        this.lastSeq = c.seq
        const events: Array<Event.Event> = [{
          _tag: "OrderAccepted",
          seq: c.seq,
          orderId: c.orderId,
          owner: c.owner,
          side: c.side
        }]
        const { cancelled, left } = this.take(c, c.side, c.selfTradePrevention, c.price, c.quantity, null, events)
        const base = { seq: c.seq, orderId: c.orderId, owner: c.owner, side: c.side }
        if (cancelled) {
          events.push({
            _tag: "OrderCancelled",
            ...base,
            price: c.price,
            remainingQuantity: left,
            reason: "SELF_TRADE"
          })
        } else if (left > 0 && c.timeInForce === "GTC") {
          this.orders.push({
            orderId: c.orderId,
            owner: c.owner,
            side: c.side,
            price: c.price,
            quantity: left,
            priority: c.seq,
            postOnly: c.postOnly,
            selfTradePrevention: c.selfTradePrevention
          })
          events.push({ _tag: "OrderRested", ...base, price: c.price, quantity: left })
        } else if (left > 0) {
          events.push({ _tag: "OrderExpired", ...base, remainingQuantity: left, remainingBudget: null })
        }
        return events
      }
      case "PlaceMarket": {
        if (this.halted) return this.rejected(c, "MARKET_HALTED")
        if (
          !SIDES.includes(c.side) || !["IOC", "FOK"].includes(c.timeInForce) ||
          !MODES.includes(c.selfTradePrevention) || !valid(c.orderId) || !valid(c.owner) ||
          (c.quantity === null && c.budget === null) || (c.budget !== null && c.side !== "BUY") ||
          (c.timeInForce === "FOK" && c.quantity === null)
        ) return this.rejected(c, "INVALID_COMMAND")
        const problem = (c.quantity === null ? undefined : this.quantityProblem(c.quantity)) ??
          (c.budget === null ? undefined : this.budgetProblem(c.budget)) ??
          (c.limitPrice === null ? undefined : this.priceProblem(c.limitPrice))
        if (problem) return this.rejected(c, problem)
        if (c.quantity !== null) {
          const worst = c.side === "BUY" && c.limitPrice !== null ? c.limitPrice : i.maxPrice
          if (worst * c.quantity > Number.MAX_SAFE_INTEGER) return this.rejected(c, "NOTIONAL_OVERFLOW")
        }
        if (this.orders.some((o) => o.orderId === c.orderId)) return this.rejected(c, "DUPLICATE_ORDER_ID")
        const limit = c.limitPrice ?? (c.side === "BUY" ? i.maxPrice : i.minPrice)
        if (
          c.timeInForce === "FOK" &&
          !this.fillable(c.side, c.owner, c.selfTradePrevention, limit, c.quantity ?? 0, c.budget)
        ) return this.rejected(c, "FOK_NOT_FILLABLE")
        this.lastSeq = c.seq
        const events: Array<Event.Event> = [{
          _tag: "OrderAccepted",
          seq: c.seq,
          orderId: c.orderId,
          owner: c.owner,
          side: c.side
        }]
        const { cancelled, left, money } = this.take(
          c,
          c.side,
          c.selfTradePrevention,
          limit,
          c.quantity,
          c.budget,
          events
        )
        const base = { seq: c.seq, orderId: c.orderId, owner: c.owner, side: c.side }
        const remainingQuantity = c.quantity === null ? null : left
        if (cancelled) {
          events.push({ _tag: "OrderCancelled", ...base, price: null, remainingQuantity, reason: "SELF_TRADE" })
        } else if (c.quantity === null || left > 0) {
          events.push({ _tag: "OrderExpired", ...base, remainingQuantity, remainingBudget: money })
        }
        return events
      }
      case "Cancel": {
        if (!valid(c.orderId) || !valid(c.owner)) return this.rejected(c, "INVALID_COMMAND")
        const order = this.orders.find((o) => o.orderId === c.orderId)
        if (order === undefined) return this.rejected(c, "UNKNOWN_ORDER")
        if (order.owner !== c.owner) return this.rejected(c, "NOT_ORDER_OWNER")
        this.lastSeq = c.seq
        this.orders = this.orders.filter((o) => o !== order)
        return [this.cancelledOf(c.seq, order, "REQUESTED")]
      }
      case "Amend": {
        if (this.halted) return this.rejected(c, "MARKET_HALTED")
        if (!valid(c.orderId) || !valid(c.owner) || (c.price === null && c.quantity === null)) {
          return this.rejected(c, "INVALID_COMMAND")
        }
        const order = this.orders.find((o) => o.orderId === c.orderId)
        if (order === undefined) return this.rejected(c, "UNKNOWN_ORDER")
        if (order.owner !== c.owner) return this.rejected(c, "NOT_ORDER_OWNER")
        const quantity = c.quantity ?? order.quantity
        const price = c.price ?? order.price
        const problem = (c.quantity === null ? undefined : this.quantityProblem(quantity)) ??
          (c.price === null ? undefined : this.priceProblem(price))
        if (problem) return this.rejected(c, problem)
        if (price * quantity > Number.MAX_SAFE_INTEGER) return this.rejected(c, "NOTIONAL_OVERFLOW")
        if (price === order.price && quantity === order.quantity) return this.rejected(c, "NOTHING_TO_AMEND")
        if (price !== order.price && order.postOnly && this.crosses(order.side, price)) {
          return this.rejected(c, "POST_ONLY_WOULD_CROSS")
        }
        this.lastSeq = c.seq
        const base = { seq: c.seq, orderId: c.orderId, owner: c.owner, side: order.side }
        if (price === order.price && quantity < order.quantity) {
          order.quantity = quantity
          return [{ _tag: "OrderAmended", ...base, price, quantity, priorityKept: true }]
        }
        this.orders = this.orders.filter((o) => o !== order)
        const events: Array<Event.Event> = [{ _tag: "OrderAmended", ...base, price, quantity, priorityKept: false }]
        const { cancelled, left } = this.take(c, order.side, order.selfTradePrevention, price, quantity, null, events)
        if (cancelled) {
          events.push({ _tag: "OrderCancelled", ...base, price, remainingQuantity: left, reason: "SELF_TRADE" })
        } else if (left > 0) {
          this.orders.push({ ...order, price, quantity: left, priority: c.seq })
          events.push({ _tag: "OrderRested", ...base, price, quantity: left })
        }
        return events
      }
      case "CancelAll": {
        if (!valid(c.owner)) return this.rejected(c, "INVALID_COMMAND")
        this.lastSeq = c.seq
        const mine = this.orders.filter((o) => o.owner === c.owner).sort((a, b) => a.priority - b.priority)
        this.orders = this.orders.filter((o) => o.owner !== c.owner)
        return [
          ...mine.map((o) => this.cancelledOf(c.seq, o, "CANCEL_ALL")),
          { _tag: "OwnerOrdersCancelled", seq: c.seq, owner: c.owner, count: mine.length }
        ]
      }
      case "Halt": {
        if (this.halted) return this.rejected(c, "ALREADY_HALTED")
        this.lastSeq = c.seq
        this.halted = true
        return [{ _tag: "MarketHalted", seq: c.seq }]
      }
      case "Resume": {
        if (!this.halted) return this.rejected(c, "NOT_HALTED")
        this.lastSeq = c.seq
        this.halted = false
        return [{ _tag: "MarketResumed", seq: c.seq }]
      }
    }
  }

  /** The resting orders in the snapshot's form and order. */
  resting(): Array<Snapshot.RestingOrder> {
    return [...this.orders].sort((a, b) => a.priority - b.priority).map((o) => ({ ...o }))
  }
}
