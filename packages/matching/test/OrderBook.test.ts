/**
 * Scenario tests of the order book: one behaviour per test, with the exact events expected.
 */
import { describe, expect, it } from "@effect/vitest"
import { Command, type Event, Instrument, OrderBook } from "@niha/matching"
import { Result } from "effect"
import { rejection, secret, session, tags, trades } from "./support/commands.ts"
import { prng } from "./support/generate.ts"

const cea = Instrument.ceaCash

describe("price-time priority", () => {
  it("fills the best price first, then the oldest order at a price, at the makers' prices", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 10)
    s.limit("bob", "b1", "SELL", 1_000, 10)
    s.limit("cat", "c1", "SELL", 999, 5)
    s.limit("ann", "a2", "SELL", 1_001, 10)
    const events = s.limit("dan", "d1", "BUY", 1_005, 18)
    expect(tags(events)).toEqual(["OrderAccepted", "Trade", "Trade", "Trade"])
    expect(trades(events).map((t) => [t.sellOrderId, t.price, t.quantity, t.makerRemaining, t.takerRemaining])).toEqual(
      [
        ["c1", 999, 5, 0, 13],
        ["a1", 1_000, 10, 0, 3],
        ["b1", 1_000, 3, 7, 0]
      ]
    )
    expect(trades(events).map((t) => t.tradeId)).toEqual(["CEA_CASH-5-1", "CEA_CASH-5-2", "CEA_CASH-5-3"])
    const first = trades(events)[0]
    expect(first).toMatchObject({
      seq: 5,
      timestamp: 50,
      aggressor: "BUY",
      buyOrderId: "d1",
      buyOwner: "dan",
      sellOwner: "cat"
    })
    expect(OrderBook.bestAsk(s.book)).toEqual({ price: 1_000, quantity: 7, orders: 1 })
    expect(OrderBook.bestBid(s.book)).toBeNull()
  })

  it("rests the rest of a GTC order after trading", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 4)
    const events = s.limit("bob", "b1", "SELL", 980, 10)
    expect(events.at(-1)).toEqual({
      _tag: "OrderRested",
      seq: 2,
      orderId: "b1",
      owner: "bob",
      side: "SELL",
      price: 980,
      quantity: 6
    })
    expect(OrderBook.bestAsk(s.book)).toEqual({ price: 980, quantity: 6, orders: 1 })
  })
})

describe("time in force and post-only", () => {
  it("IOC trades what it can and expires the rest", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 3)
    const events = s.limit("bob", "b1", "BUY", 1_000, 5, { timeInForce: "IOC" })
    expect(tags(events)).toEqual(["OrderAccepted", "Trade", "OrderExpired"])
    expect(events.at(-1)).toMatchObject({ remainingQuantity: 2, remainingBudget: null })
    expect(OrderBook.findOrder(s.book, "b1")).toBeNull()
  })

  it("FOK is rejected, changing nothing, unless it fills entirely", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 3)
    s.limit("ann", "a2", "SELL", 1_002, 3)
    const before = JSON.stringify(OrderBook.snapshot(s.book))
    expect(rejection(s.limit("bob", "b1", "BUY", 1_001, 5, { timeInForce: "FOK" }))).toBe("FOK_NOT_FILLABLE")
    expect(JSON.stringify(OrderBook.snapshot(s.book))).toBe(before)
    const filled = s.limit("bob", "b2", "BUY", 1_002, 5, { timeInForce: "FOK" })
    expect(tags(filled)).toEqual(["OrderAccepted", "Trade", "Trade"])
    expect(trades(filled).map((t) => t.quantity)).toEqual([3, 2])
  })

  it("post-only rests when it does not cross and is rejected when it would", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 3)
    expect(rejection(s.limit("bob", "b1", "BUY", 1_000, 1, { postOnly: true }))).toBe("POST_ONLY_WOULD_CROSS")
    expect(tags(s.limit("bob", "b2", "BUY", 999, 1, { postOnly: true }))).toEqual(["OrderAccepted", "OrderRested"])
    expect(rejection(s.limit("bob", "b3", "BUY", 999, 1, { postOnly: true, timeInForce: "IOC" }))).toBe(
      "INVALID_COMMAND"
    )
  })
})

describe("market orders", () => {
  it("sweep the book by quantity and expire what is left", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 3)
    s.limit("ann", "a2", "SELL", 1_010, 3)
    const events = s.market("bob", "m1", "BUY", { quantity: 10 })
    expect(trades(events).map((t) => [t.price, t.quantity])).toEqual([[1_000, 3], [1_010, 3]])
    expect(events.at(-1)).toMatchObject({ _tag: "OrderExpired", remainingQuantity: 4, remainingBudget: null })
  })

  it("never trade beyond their protective limit price", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 1_000, 3)
    s.limit("ann", "a2", "BUY", 990, 3)
    s.limit("ann", "a3", "BUY", 980, 3)
    const events = s.market("bob", "m1", "SELL", { quantity: 9, limitPrice: 990 })
    expect(trades(events).map((t) => t.price)).toEqual([1_000, 990])
    expect(events.at(-1)).toMatchObject({ _tag: "OrderExpired", remainingQuantity: 3 })
    expect(OrderBook.bestBid(s.book)).toEqual({ price: 980, quantity: 3, orders: 1 })
  })

  it("spend at most their budget (BUY for at most EUR 100.00), in whole lots", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_250, 4) // EUR 12.50 per tonne
    s.limit("ann", "a2", "SELL", 1_300, 10)
    const events = s.market("bob", "m1", "BUY", { budget: 10_000 })
    // 4 t at 12.50 = 50.00; then 3 t at 13.00 = 39.00 (a 4th would pass 100.00).
    expect(trades(events).map((t) => [t.price, t.quantity, t.takerRemaining])).toEqual([[1_250, 4, null], [
      1_300,
      3,
      null
    ]])
    expect(events.at(-1)).toEqual({
      _tag: "OrderExpired",
      seq: 3,
      orderId: "m1",
      owner: "bob",
      side: "BUY",
      remainingQuantity: null,
      remainingBudget: 1_100
    })
  })

  it("stop at whichever comes first of quantity and budget", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 10)
    const byQuantity = s.market("bob", "m1", "BUY", { quantity: 2, budget: 100_000 })
    expect(trades(byQuantity).map((t) => t.quantity)).toEqual([2])
    expect(byQuantity.at(-1)?._tag).toBe("Trade")
    const byBudget = s.market("bob", "m2", "BUY", { quantity: 5, budget: 2_500 })
    expect(trades(byBudget).map((t) => t.quantity)).toEqual([2])
    expect(byBudget.at(-1)).toMatchObject({ _tag: "OrderExpired", remainingQuantity: 3, remainingBudget: 500 })
  })

  it("round a budget down to whole lots", () => {
    const instrument = Result.getOrThrow(Instrument.make({ ...cea, lotSize: 5, minQuantity: 5 }))
    const s = session(instrument)
    s.limit("ann", "a1", "SELL", 1_000, 20)
    const events = s.market("bob", "m1", "BUY", { budget: 9_999 }) // 9.999 t affordable: 5 t
    expect(trades(events).map((t) => t.quantity)).toEqual([5])
  })

  it("reject a budget on a SELL and a FOK without quantity", () => {
    const s = session(cea)
    expect(rejection(s.market("bob", "m1", "SELL", { budget: 1_000 }))).toBe("INVALID_COMMAND")
    expect(rejection(s.market("bob", "m2", "BUY", { budget: 1_000, timeInForce: "FOK" }))).toBe("INVALID_COMMAND")
    expect(rejection(s.market("bob", "m3", "BUY", {}))).toBe("INVALID_COMMAND")
  })

  it("FOK market orders fill entirely within protection and budget, or are rejected", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 5)
    s.limit("ann", "a2", "SELL", 1_100, 5)
    expect(rejection(s.market("bob", "m1", "BUY", { quantity: 8, limitPrice: 1_050, timeInForce: "FOK" }))).toBe(
      "FOK_NOT_FILLABLE"
    )
    expect(rejection(s.market("bob", "m2", "BUY", { quantity: 8, budget: 8_000, timeInForce: "FOK" }))).toBe(
      "FOK_NOT_FILLABLE"
    )
    const events = s.market("bob", "m3", "BUY", { quantity: 8, budget: 8_300, timeInForce: "FOK" })
    expect(trades(events).map((t) => t.quantity)).toEqual([5, 3])
  })
})

describe("cancel and amend", () => {
  it("cancels an owner's own order only", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 3)
    expect(rejection(s.cancel("bob", "a1"))).toBe("NOT_ORDER_OWNER")
    expect(s.cancel("ann", "a1")).toEqual([{
      _tag: "OrderCancelled",
      seq: 3,
      orderId: "a1",
      owner: "ann",
      side: "BUY",
      price: 990,
      remainingQuantity: 3,
      reason: "REQUESTED"
    }])
    expect(rejection(s.cancel("ann", "a1"))).toBe("UNKNOWN_ORDER")
    expect(OrderBook.bestBid(s.book)).toBeNull()
  })

  it("a size reduction keeps the order's place in its queue", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 10)
    s.limit("bob", "b1", "SELL", 1_000, 10)
    expect(s.amend("ann", "a1", null, 4)).toEqual([{
      _tag: "OrderAmended",
      seq: 3,
      orderId: "a1",
      owner: "ann",
      side: "SELL",
      price: 1_000,
      quantity: 4,
      priorityKept: true
    }])
    expect(trades(s.limit("cat", "c1", "BUY", 1_000, 5)).map((t) => [t.sellOrderId, t.quantity])).toEqual([
      ["a1", 4],
      ["b1", 1]
    ])
  })

  it("a size increase loses the order's place", () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 10)
    s.limit("bob", "b1", "SELL", 1_000, 10)
    expect(s.amend("ann", "a1", null, 12).map((e) => e._tag)).toEqual(["OrderAmended", "OrderRested"])
    expect(OrderBook.findOrder(s.book, "a1")?.priority).toBe(3)
    expect(trades(s.limit("cat", "c1", "BUY", 1_000, 5)).map((t) => t.sellOrderId)).toEqual(["b1"])
  })

  it("a price change loses the order's place and may trade at once", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 10)
    s.limit("bob", "b1", "SELL", 1_000, 4)
    const events = s.amend("ann", "a1", 1_000, null)
    expect(tags(events)).toEqual(["OrderAmended", "Trade", "OrderRested"])
    expect(events[0]).toMatchObject({ price: 1_000, quantity: 10, priorityKept: false })
    expect(trades(events)[0]).toMatchObject({ buyOrderId: "a1", aggressor: "BUY", quantity: 4, takerRemaining: 6 })
    expect(OrderBook.findOrder(s.book, "a1")).toMatchObject({ price: 1_000, quantity: 6, priority: 3 })
  })

  it("rejects amendments that change nothing or make a post-only order cross", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 10, { postOnly: true })
    s.limit("bob", "b1", "SELL", 1_000, 4)
    expect(rejection(s.amend("ann", "a1", 990, 10))).toBe("NOTHING_TO_AMEND")
    expect(rejection(s.amend("ann", "a1", null, null))).toBe("INVALID_COMMAND")
    expect(rejection(s.amend("ann", "a1", 1_000, null))).toBe("POST_ONLY_WOULD_CROSS")
    expect(rejection(s.amend("bob", "a1", 995, null))).toBe("NOT_ORDER_OWNER")
    expect(s.amend("ann", "a1", 995, null)[0]).toMatchObject({ priorityKept: false, price: 995 })
  })

  it("cancel-all cancels every order of one owner, oldest first, and nothing else", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 1)
    s.limit("bob", "b1", "BUY", 990, 1)
    s.limit("ann", "a2", "SELL", 1_010, 2)
    s.limit("ann", "a3", "BUY", 980, 3)
    s.amend("ann", "a1", null, 5) // a1 now has the newest priority
    const events = s.cancelAll("ann")
    expect(events.map((e) => (e._tag === "OrderCancelled" ? `${e.orderId}:${e.reason}` : e._tag))).toEqual([
      "a2:CANCEL_ALL",
      "a3:CANCEL_ALL",
      "a1:CANCEL_ALL",
      "OwnerOrdersCancelled"
    ])
    expect(events.at(-1)).toEqual({ _tag: "OwnerOrdersCancelled", seq: 6, owner: "ann", count: 3 })
    expect(OrderBook.restingOf(s.book, "ann")).toEqual({ buyQuantity: 0, sellQuantity: 0, orders: 0 })
    expect(OrderBook.restingOf(s.book, "bob")).toEqual({ buyQuantity: 1, sellQuantity: 0, orders: 1 })
    expect(s.cancelAll("zed")).toEqual([{ _tag: "OwnerOrdersCancelled", seq: 7, owner: "zed", count: 0 }])
  })
})

describe("halt and resume", () => {
  it("a halted market rejects orders and amendments but accepts cancels", () => {
    const s = session(cea)
    s.limit("ann", "a1", "BUY", 990, 1)
    s.limit("ann", "a2", "BUY", 980, 1)
    expect(s.halt()).toEqual([{ _tag: "MarketHalted", seq: 3 }])
    expect(OrderBook.make({ instrument: cea, anonymitySecret: "" }).halted).toBe(false)
    expect(s.book.halted).toBe(true)
    expect(rejection(s.limit("bob", "b1", "SELL", 990, 1))).toBe("MARKET_HALTED")
    expect(rejection(s.market("bob", "b2", "SELL", { quantity: 1 }))).toBe("MARKET_HALTED")
    expect(rejection(s.amend("ann", "a1", 985, null))).toBe("MARKET_HALTED")
    expect(rejection(s.halt())).toBe("ALREADY_HALTED")
    expect(tags(s.cancel("ann", "a1"))).toEqual(["OrderCancelled"])
    expect(tags(s.cancelAll("ann"))).toEqual(["OrderCancelled", "OwnerOrdersCancelled"])
    expect(s.resume()).toEqual([{ _tag: "MarketResumed", seq: 10 }])
    expect(rejection(s.resume())).toBe("NOT_HALTED")
    expect(tags(s.limit("bob", "b3", "SELL", 990, 1))).toEqual(["OrderAccepted", "OrderRested"])
  })
})

describe("self-trade prevention", () => {
  const setup = () => {
    const s = session(cea)
    s.limit("mm", "x1", "SELL", 1_000, 5) // someone else's order first
    s.limit("ann", "a1", "SELL", 1_001, 5) // then the taker's own
    s.limit("mm", "x2", "SELL", 1_002, 5)
    return s
  }

  it("CANCEL_TAKER trades up to the own order, then cancels the rest of the taker", () => {
    const s = setup()
    const events = s.limit("ann", "t1", "BUY", 1_002, 12, { selfTradePrevention: "CANCEL_TAKER" })
    expect(tags(events)).toEqual(["OrderAccepted", "Trade", "OrderCancelled"])
    expect(events.at(-1)).toMatchObject({ orderId: "t1", remainingQuantity: 7, reason: "SELF_TRADE", price: 1_002 })
    expect(OrderBook.findOrder(s.book, "a1")?.quantity).toBe(5)
  })

  it("CANCEL_MAKER cancels the own resting order and keeps matching", () => {
    const s = setup()
    const events = s.limit("ann", "t1", "BUY", 1_002, 12, { selfTradePrevention: "CANCEL_MAKER" })
    expect(tags(events)).toEqual(["OrderAccepted", "Trade", "OrderCancelled", "Trade", "OrderRested"])
    expect(events[2]).toMatchObject({ orderId: "a1", reason: "SELF_TRADE", remainingQuantity: 5 })
    expect(trades(events).map((t) => t.sellOrderId)).toEqual(["x1", "x2"])
    expect(events.at(-1)).toMatchObject({ orderId: "t1", quantity: 2 })
  })

  it("CANCEL_BOTH cancels the own resting order and the rest of the taker", () => {
    const s = setup()
    const events = s.market("ann", "t1", "BUY", { quantity: 12, selfTradePrevention: "CANCEL_BOTH" })
    expect(events.map((e) => (e._tag === "OrderCancelled" ? e.orderId : e._tag))).toEqual([
      "OrderAccepted",
      "Trade",
      "a1",
      "t1"
    ])
    expect(events.at(-1)).toMatchObject({ price: null, remainingQuantity: 7 })
    expect(OrderBook.findOrder(s.book, "a1")).toBeNull()
    expect(OrderBook.findOrder(s.book, "x2")).not.toBeNull()
  })

  it("DECREMENT_BOTH reduces both sides by the overlap without trading", () => {
    const s = setup()
    const events = s.limit("ann", "t1", "BUY", 1_002, 8, { selfTradePrevention: "DECREMENT_BOTH" })
    expect(tags(events)).toEqual(["OrderAccepted", "Trade", "SelfTradeDecremented"])
    expect(events.at(-1)).toEqual({
      _tag: "SelfTradeDecremented",
      seq: 4,
      owner: "ann",
      takerOrderId: "t1",
      makerOrderId: "a1",
      price: 1_001,
      quantity: 3,
      takerRemaining: 0,
      makerRemaining: 2
    })
    expect(OrderBook.findOrder(s.book, "a1")?.quantity).toBe(2)
    expect(OrderBook.restingOf(s.book, "ann").sellQuantity).toBe(2)
  })

  it("never lets an owner trade with itself", () => {
    const s = session(cea)
    for (const mode of ["CANCEL_TAKER", "CANCEL_MAKER", "CANCEL_BOTH", "DECREMENT_BOTH"] as const) {
      s.limit("ann", `s-${mode}`, "SELL", 1_000, 3)
      const events = s.limit("ann", `b-${mode}`, "BUY", 1_000, 3, { selfTradePrevention: mode })
      expect(trades(events)).toEqual([])
      s.cancelAll("ann")
    }
  })
})

describe("sequence numbers", () => {
  it("rejects a sequence that does not increase; rejected commands do not consume theirs", () => {
    const book = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    const place = (seq: number, orderId: string, quantity = 1) =>
      OrderBook.apply(
        book,
        Command.limit({ seq, timestamp: 0, orderId, owner: "ann", side: "BUY", price: 900, quantity })
      )
    expect(tags(place(5, "a"))).toEqual(["OrderAccepted", "OrderRested"])
    expect(rejection(place(5, "b"))).toBe("SEQUENCE_NOT_INCREASING")
    expect(rejection(place(4, "b"))).toBe("SEQUENCE_NOT_INCREASING")
    expect(rejection(place(7, "c", 0))).toBe("NON_POSITIVE_QUANTITY")
    expect(book.lastSeq).toBe(5)
    expect(tags(place(7, "c"))).toEqual(["OrderAccepted", "OrderRested"])
    expect(rejection(place(-1, "d"))).toBe("INVALID_COMMAND")
    expect(rejection(place(8.5, "d"))).toBe("INVALID_COMMAND")
  })
})

describe("views", () => {
  const populated = () => {
    const s = session(cea)
    s.limit("ann", "a1", "SELL", 1_000, 3)
    s.limit("bob", "b1", "SELL", 1_000, 2)
    s.limit("ann", "a2", "SELL", 1_003, 4)
    s.limit("cat", "c1", "SELL", 1_010, 10)
    s.limit("bob", "b2", "BUY", 995, 6)
    s.limit("cat", "c2", "BUY", 990, 1)
    return s
  }

  it("best bid and ask and L2 depth to N levels", () => {
    const { book } = populated()
    expect(OrderBook.bestBid(book)).toEqual({ price: 995, quantity: 6, orders: 1 })
    expect(OrderBook.bestAsk(book)).toEqual({ price: 1_000, quantity: 5, orders: 2 })
    expect(OrderBook.depth(book, 2)).toEqual({
      bids: [{ price: 995, quantity: 6, orders: 1 }, { price: 990, quantity: 1, orders: 1 }],
      asks: [{ price: 1_000, quantity: 5, orders: 2 }, { price: 1_003, quantity: 4, orders: 1 }]
    })
    expect(OrderBook.depth(book, 0)).toEqual({ bids: [], asks: [] })
  })

  it("the level at one price, empty where nothing rests or off the band and tick", () => {
    const { book } = populated()
    expect(OrderBook.levelAt(book, "SELL", 1_000)).toEqual({ price: 1_000, quantity: 5, orders: 2 })
    expect(OrderBook.levelAt(book, "BUY", 990)).toEqual({ price: 990, quantity: 1, orders: 1 })
    expect(OrderBook.levelAt(book, "BUY", 1_000)).toEqual({ price: 1_000, quantity: 0, orders: 0 })
    expect(OrderBook.levelAt(book, "SELL", 1_001)).toEqual({ price: 1_001, quantity: 0, orders: 0 })
    for (const price of [0, -5, 10.5, cea.maxPrice + cea.tickSize, Number.NaN]) {
      expect(OrderBook.levelAt(book, "SELL", price).quantity).toBe(0)
    }
    // Every level of the depth reads the same at its price.
    const depth = OrderBook.depth(book, 100)
    for (const level of depth.asks) expect(OrderBook.levelAt(book, "SELL", level.price)).toEqual(level)
    for (const level of depth.bids) expect(OrderBook.levelAt(book, "BUY", level.price)).toEqual(level)
  })

  it("the cost of a quantity: exact notional, VWAP rounded half-up, worst price", () => {
    const { book } = populated()
    // 5 at 10.00 + 4 at 10.03 + 1 at 10.10 = 100.22 for 10 t: VWAP 10.022 -> 10.02
    expect(Result.getOrThrow(OrderBook.quote(book, "BUY", 10))).toEqual({
      side: "BUY",
      requested: 10,
      quantity: 10,
      notional: 10_022n,
      vwap: 1_002,
      worstPrice: 1_010,
      complete: true
    })
    // 6 at 9.95 + 1 at 9.90 = 69.60 for 7 t: VWAP 9.942857 -> 9.94; only 7 of 8 available
    expect(Result.getOrThrow(OrderBook.quote(book, "SELL", 8))).toEqual({
      side: "SELL",
      requested: 8,
      quantity: 7,
      notional: 6_960n,
      vwap: 994,
      worstPrice: 990,
      complete: false
    })
    expect(Result.getOrThrow(OrderBook.quote(book, "BUY", 2)).vwap).toBe(1_000)
    // Half-up: 1 at 10.00 and 1 at 10.03 is 10.015 -> 10.02 (a 3 t quote: 5 at 10.00 only)
    const s = session(cea)
    s.limit("ann", "x", "SELL", 1_000, 1)
    s.limit("ann", "y", "SELL", 1_001, 1)
    expect(Result.getOrThrow(OrderBook.quote(s.book, "BUY", 2)).vwap).toBe(1_001) // 10.005 -> 10.01
    expect(Result.getOrThrow(OrderBook.quote(s.book, "BUY", 0))).toMatchObject({ quantity: 0, vwap: null })
    expect(Result.isFailure(OrderBook.quote(book, "BUY", -1))).toBe(true)
    expect(Result.isFailure(OrderBook.quote(book, "BUY", 1.5))).toBe(true)
  })

  it("resting quantity per owner", () => {
    const { book } = populated()
    expect(OrderBook.restingOf(book, "ann")).toEqual({ buyQuantity: 0, sellQuantity: 7, orders: 2 })
    expect(OrderBook.restingOf(book, "bob")).toEqual({ buyQuantity: 6, sellQuantity: 2, orders: 2 })
    expect(OrderBook.restingOf(book, "nobody")).toEqual({ buyQuantity: 0, sellQuantity: 0, orders: 0 })
  })

  it("public views show anonymous codes, never owner ids", () => {
    const s = populated()
    const levels = OrderBook.queue(s.book, "SELL", 1)
    const ann = OrderBook.counterpartyCode(s.book, "ann")
    const bob = OrderBook.counterpartyCode(s.book, "bob")
    expect(levels).toEqual([{
      price: 1_000,
      quantity: 5,
      orders: 2,
      queue: [{ counterparty: ann, quantity: 3 }, { counterparty: bob, quantity: 2 }]
    }])
    expect(ann).toMatch(/^CP-[0-9A-HJKMNP-TV-Z]{10}$/)
    expect(ann).not.toBe(bob)
    expect(JSON.stringify(OrderBook.queue(s.book, "BUY", 10))).not.toMatch(/ann|bob|cat/)
    const [trade] = trades(s.limit("dan", "d1", "BUY", 1_000, 1))
    expect(trade).toBeDefined()
    if (trade !== undefined) {
      expect(OrderBook.publicTrade(s.book, trade)).toEqual({
        tradeId: "CEA_CASH-7-1",
        timestamp: 70,
        price: 1_000,
        quantity: 1,
        aggressor: "BUY",
        buyer: OrderBook.counterpartyCode(s.book, "dan"),
        seller: ann
      })
    }
    // The same secret gives the same codes in another book; another secret gives others.
    const same = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    const other = OrderBook.make({ instrument: cea, anonymitySecret: "another" })
    expect(OrderBook.counterpartyCode(same, "ann")).toBe(ann)
    expect(OrderBook.counterpartyCode(other, "ann")).not.toBe(ann)
  })
})

describe("instruments", () => {
  it("validates the grid", () => {
    const bad = (patch: Partial<Instrument.InstrumentFields>) => Result.isFailure(Instrument.make({ ...cea, ...patch }))
    expect(bad({})).toBe(false)
    expect(bad({ tickSize: 3 })).toBe(true) // band not on the tick grid
    expect(bad({ minPrice: 2_000, maxPrice: 1_000 })).toBe(true)
    expect(bad({ lotSize: 3 })).toBe(true) // minimum not on the lot grid
    expect(bad({ minQuantity: 0 })).toBe(true)
    expect(bad({ quoteAsset: "CEA" })).toBe(true)
    expect(bad({ maxPrice: 100_000_000 })).toBe(true) // more than 2^24 levels
    expect(Instrument.levels(Instrument.ceaCash)).toBe(100_000)
    expect(Instrument.levels(Instrument.swap)).toBe(1_000_000)
    expect(Instrument.forMarket("SWAP")).toBe(Instrument.swap)
  })

  it("rejects a notional that could pass Number.MAX_SAFE_INTEGER", () => {
    const wide = Result.getOrThrow(Instrument.make({ ...cea, maxPrice: 10_000_000, maxQuantity: 2_000_000_000 }))
    const s = session(wide)
    expect(rejection(s.limit("ann", "a1", "BUY", 10_000_000, 1_000_000_000))).toBe("NOTIONAL_OVERFLOW")
    expect(rejection(s.market("ann", "m1", "BUY", { quantity: 1_000_000_000 }))).toBe("NOTIONAL_OVERFLOW")
    expect(tags(s.market("ann", "m2", "BUY", { quantity: 1_000_000_000, limitPrice: 1_000 }))).toEqual([
      "OrderAccepted",
      "OrderExpired"
    ])
    expect(rejection(s.market("ann", "m3", "BUY", { budget: 2 ** 60 }))).toBe("NOTIONAL_OVERFLOW")
  })

  it("SWAP trades EUA for CEA at four decimals", () => {
    const s = session(Instrument.swap)
    s.limit("ann", "a1", "SELL", 71_234, 100) // 7.1234 CEA per EUA
    const [trade] = trades(s.limit("bob", "b1", "BUY", 71_300, 40))
    expect(trade).toMatchObject({ tradeId: "SWAP-2-1", price: 71_234, quantity: 40 })
  })
})

describe("best bid and ask across a wide band", () => {
  it("tracks the best levels incrementally, even when orders are sparse across the band", () => {
    // Random orders over the whole SWAP band (1,000,000 levels, 977 chunks), cancelled in
    // random order; after every step the best levels must equal a naive scan.
    const random = prng(77)
    const s = session(Instrument.swap)
    const live = new Map<string, { side: "BUY" | "SELL"; price: number }>()
    const naive = (side: "BUY" | "SELL") => {
      const prices = [...live.values()].filter((o) => o.side === side).map((o) => o.price)
      return prices.length === 0 ? null : side === "BUY" ? Math.max(...prices) : Math.min(...prices)
    }
    for (let i = 0; i < 600; i++) {
      if (live.size > 0 && random.chance(0.45)) {
        const ids = [...live.keys()]
        const orderId = ids[random.int(0, ids.length - 1)] ?? ""
        s.cancel("ann", orderId)
        live.delete(orderId)
      } else {
        // Bids in the lower half, asks in the upper half: the book never crosses.
        const side = random.chance(0.5) ? "BUY" : "SELL"
        const price = side === "BUY" ? random.int(1, 499_999) : random.int(500_000, 1_000_000)
        const edge = random.chance(0.05) ? (side === "BUY" ? 1 : 1_000_000) : price
        const orderId = `o${i}`
        expect(tags(s.limit("ann", orderId, side, edge, 1))).toEqual(["OrderAccepted", "OrderRested"])
        live.set(orderId, { side, price: edge })
      }
      expect(OrderBook.bestBid(s.book)?.price ?? null).toBe(naive("BUY"))
      expect(OrderBook.bestAsk(s.book)?.price ?? null).toBe(naive("SELL"))
    }
    const depth = OrderBook.depth(s.book, 1_000_000)
    const bidPrices = [...live.values()].filter((o) => o.side === "BUY").map((o) => o.price)
    expect(depth.bids.map((l) => l.price)).toEqual([...new Set(bidPrices)].sort((a, b) => b - a))
  })
})

describe("the arrays apply returns", () => {
  it("are fresh, dense and exactly the command's events, from one event to many", () => {
    // `apply` builds its result with `new Array()` (room for four events at first): a command
    // with more events than that must still get them all, in order, in an array of its own.
    const book = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    const twin = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    const commands: Array<Command.Command> = []
    for (let i = 1; i <= 8; i++) {
      commands.push(
        Command.limit({
          seq: i,
          timestamp: i,
          orderId: `s${i}`,
          owner: `m${i}`,
          side: "SELL",
          price: 1_000 + i,
          quantity: 2
        })
      )
    }
    commands.push(
      Command.limit({ seq: 9, timestamp: 9, orderId: "b1", owner: "t", side: "BUY", price: 1_010, quantity: 17 })
    )
    commands.push({ _tag: "Cancel", seq: 10, timestamp: 10, orderId: "b1", owner: "t" })
    const results: Array<Array<Event.Event>> = []
    for (const command of commands) {
      const events = OrderBook.apply(book, command)
      const expected: Array<Event.Event> = []
      OrderBook.applyInto(twin, command, expected)
      expect(Object.getPrototypeOf(events)).toBe(Array.prototype)
      expect(events).toEqual(expected)
      expect(Object.keys(events)).toEqual(events.map((_, i) => String(i))) // no holes
      expect(results).not.toContain(events)
      results.push(events)
    }
    // The crossing buy: accepted, one trade per maker, then its last tonne rests; the cancel
    // of that rest is one event.
    expect(results.map((events) => events.length)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 10, 1])
    expect(tags(results[8] ?? [])).toEqual(["OrderAccepted", ...Array(8).fill("Trade"), "OrderRested"])
  })
})
