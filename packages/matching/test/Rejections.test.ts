/**
 * Every kind of bad command is rejected with its typed reason and changes nothing: the
 * book's snapshot (orders, priorities, last sequence, halt state) is byte-identical before
 * and after, and so is every view.
 */
import { describe, expect, it } from "@effect/vitest"
import { Command, Event, Instrument, OrderBook } from "@niha/matching"
import { Result } from "effect"

const instrument = Result.getOrThrow(Instrument.make({
  market: "CEA_CASH",
  baseAsset: "CEA",
  quoteAsset: "EUR",
  priceDecimals: 2,
  tickSize: 5,
  lotSize: 2,
  minQuantity: 4,
  maxQuantity: 1_000,
  minPrice: 500,
  maxPrice: 1_500
}))

const populated = (halted = false) => {
  const book = OrderBook.make({ instrument, anonymitySecret: "r" })
  const setup: Array<Command.Command> = [
    Command.limit({ seq: 1, timestamp: 1, orderId: "a1", owner: "ann", side: "BUY", price: 990, quantity: 10 }),
    Command.limit({ seq: 2, timestamp: 2, orderId: "a2", owner: "ann", side: "SELL", price: 1_010, quantity: 6 }),
    Command.limit({
      seq: 3,
      timestamp: 3,
      orderId: "b1",
      owner: "bob",
      side: "BUY",
      price: 1_000,
      quantity: 4,
      postOnly: true
    }),
    Command.limit({ seq: 4, timestamp: 4, orderId: "b2", owner: "bob", side: "SELL", price: 1_020, quantity: 8 })
  ]
  OrderBook.applyAll(book, halted ? [...setup, { _tag: "Halt", seq: 5, timestamp: 5 }] : setup)
  return book
}

const seq = 10
const limit = (fields: Partial<Command.PlaceLimit>): Command.PlaceLimit => ({
  ...Command.limit({ seq, timestamp: 9, orderId: "new", owner: "cat", side: "BUY", price: 995, quantity: 4 }),
  ...fields
})
const market = (fields: Partial<Command.PlaceMarket>): Command.PlaceMarket => ({
  ...Command.market({ seq, timestamp: 9, orderId: "mkt", owner: "cat", side: "BUY", quantity: 4 }),
  ...fields
})
const amend = (fields: Partial<Command.Amend>): Command.Amend => ({
  _tag: "Amend",
  seq,
  timestamp: 9,
  orderId: "a1",
  owner: "ann",
  price: null,
  quantity: 8,
  ...fields
})
const cancel = (fields: Partial<Command.Cancel>): Command.Cancel => ({
  _tag: "Cancel",
  seq,
  timestamp: 9,
  orderId: "a1",
  owner: "ann",
  ...fields
})

// Untyped garbage a JavaScript caller could pass: the core must reject it, not crash.
const garbage = <A>(value: unknown): A => value as A

const cases: ReadonlyArray<readonly [string, Command.Command, Event.RejectReason]> = [
  ["sequence equal to the last", limit({ seq: 4 }), "SEQUENCE_NOT_INCREASING"],
  ["sequence below the last", cancel({ seq: 2 }), "SEQUENCE_NOT_INCREASING"],
  ["negative sequence", limit({ seq: -3 }), "INVALID_COMMAND"],
  ["fractional sequence", limit({ seq: 10.5 }), "INVALID_COMMAND"],
  ["zero quantity", limit({ quantity: 0 }), "NON_POSITIVE_QUANTITY"],
  ["negative quantity", limit({ quantity: -4 }), "NON_POSITIVE_QUANTITY"],
  ["quantity off the lot", limit({ quantity: 5 }), "LOT_SIZE"],
  ["fractional quantity", limit({ quantity: 4.5 }), "LOT_SIZE"],
  ["quantity below the minimum", limit({ quantity: 2 }), "BELOW_MIN_QUANTITY"],
  ["quantity above the maximum", limit({ quantity: 1_002 }), "ABOVE_MAX_QUANTITY"],
  ["NaN quantity", limit({ quantity: Number.NaN }), "INVALID_COMMAND"],
  ["price off the tick", limit({ price: 997 }), "OFF_TICK"],
  ["price below the band", limit({ price: 495 }), "OUTSIDE_PRICE_BAND"],
  ["price above the band", limit({ price: 1_505 }), "OUTSIDE_PRICE_BAND"],
  ["zero price", limit({ price: 0 }), "OUTSIDE_PRICE_BAND"],
  ["infinite price", limit({ price: Number.POSITIVE_INFINITY }), "INVALID_COMMAND"],
  ["duplicate order id", limit({ orderId: "a2" }), "DUPLICATE_ORDER_ID"],
  ["post-only that would cross", limit({ side: "SELL", price: 1_000, postOnly: true }), "POST_ONLY_WOULD_CROSS"],
  ["post-only IOC", limit({ postOnly: true, timeInForce: "IOC" }), "INVALID_COMMAND"],
  ["FOK that cannot fill", limit({ side: "SELL", price: 990, quantity: 20, timeInForce: "FOK" }), "FOK_NOT_FILLABLE"],
  [
    "FOK stopped by its own order",
    limit({ owner: "ann", side: "SELL", price: 990, quantity: 10, timeInForce: "FOK" }),
    "FOK_NOT_FILLABLE"
  ],
  ["unknown side", limit({ side: garbage("HOLD") }), "INVALID_COMMAND"],
  ["unknown time in force", limit({ timeInForce: garbage("GTD") }), "INVALID_COMMAND"],
  ["unknown self-trade mode", limit({ selfTradePrevention: garbage("NONE") }), "INVALID_COMMAND"],
  ["empty order id", limit({ orderId: "" }), "INVALID_COMMAND"],
  ["empty owner", limit({ owner: "" }), "INVALID_COMMAND"],
  ["non-boolean post-only", limit({ postOnly: garbage("yes") }), "INVALID_COMMAND"],
  ["market without quantity or budget", market({ quantity: null }), "INVALID_COMMAND"],
  ["market SELL with a budget", market({ side: "SELL", budget: 10_000 }), "INVALID_COMMAND"],
  ["market FOK without quantity", market({ quantity: null, budget: 10_000, timeInForce: "FOK" }), "INVALID_COMMAND"],
  ["market GTC", market({ timeInForce: garbage("GTC") }), "INVALID_COMMAND"],
  ["market zero quantity", market({ quantity: 0 }), "NON_POSITIVE_QUANTITY"],
  ["market zero budget", market({ quantity: null, budget: 0 }), "NON_POSITIVE_BUDGET"],
  ["market fractional budget", market({ quantity: null, budget: 100.5 }), "INVALID_COMMAND"],
  ["market budget past 2^53", market({ quantity: null, budget: 2 ** 60 }), "NOTIONAL_OVERFLOW"],
  ["market protection off the tick", market({ limitPrice: 1_003 }), "OFF_TICK"],
  ["market protection outside the band", market({ limitPrice: 2_000 }), "OUTSIDE_PRICE_BAND"],
  ["market duplicate id", market({ orderId: "b2" }), "DUPLICATE_ORDER_ID"],
  ["market FOK that cannot fill", market({ quantity: 100, timeInForce: "FOK" }), "FOK_NOT_FILLABLE"],
  ["cancel of an unknown order", cancel({ orderId: "zzz" }), "UNKNOWN_ORDER"],
  ["cancel of another owner's order", cancel({ owner: "bob" }), "NOT_ORDER_OWNER"],
  ["cancel with an empty id", cancel({ orderId: "" }), "INVALID_COMMAND"],
  ["amend of an unknown order", amend({ orderId: "zzz" }), "UNKNOWN_ORDER"],
  ["amend of another owner's order", amend({ owner: "bob" }), "NOT_ORDER_OWNER"],
  ["amend to zero", amend({ quantity: 0 }), "NON_POSITIVE_QUANTITY"],
  ["amend off the lot", amend({ quantity: 7 }), "LOT_SIZE"],
  ["amend below the minimum", amend({ quantity: 2 }), "BELOW_MIN_QUANTITY"],
  ["amend off the tick", amend({ price: 991, quantity: null }), "OFF_TICK"],
  ["amend outside the band", amend({ price: 5_000, quantity: null }), "OUTSIDE_PRICE_BAND"],
  ["amend changing nothing", amend({ price: 990, quantity: 10 }), "NOTHING_TO_AMEND"],
  ["amend asking nothing", amend({ price: null, quantity: null }), "INVALID_COMMAND"],
  [
    "amend of a post-only to a crossing price",
    amend({ orderId: "b1", owner: "bob", price: 1_010, quantity: null }),
    "POST_ONLY_WOULD_CROSS"
  ],
  ["cancel-all of an empty owner id", { _tag: "CancelAll", seq, timestamp: 9, owner: "" }, "INVALID_COMMAND"],
  ["resume of a running market", { _tag: "Resume", seq, timestamp: 9 }, "NOT_HALTED"],
  ["unknown command", garbage({ _tag: "Explode", seq, timestamp: 9 }), "INVALID_COMMAND"]
]

const haltedCases: ReadonlyArray<readonly [string, Command.Command, Event.RejectReason]> = [
  ["limit order to a halted market", limit({}), "MARKET_HALTED"],
  ["market order to a halted market", market({}), "MARKET_HALTED"],
  ["amend in a halted market", amend({}), "MARKET_HALTED"],
  ["halt of a halted market", { _tag: "Halt", seq, timestamp: 9 }, "ALREADY_HALTED"]
]

const views = (book: OrderBook.OrderBook) =>
  JSON.stringify({
    snapshot: OrderBook.snapshot(book),
    depth: OrderBook.depth(book, 100),
    ann: OrderBook.restingOf(book, "ann"),
    bob: OrderBook.restingOf(book, "bob"),
    cat: OrderBook.restingOf(book, "cat")
  })

const check = (halted: boolean) => ([name, command, reason]: readonly [string, Command.Command, Event.RejectReason]) =>
  it(name, () => {
    const book = populated(halted)
    const before = views(book)
    const events = OrderBook.apply(book, command)
    expect(events).toEqual([{
      _tag: "CommandRejected",
      seq: command.seq,
      command: command._tag,
      orderId: "orderId" in command ? command.orderId : null,
      reason
    }])
    expect(views(book)).toBe(before)
  })

describe("bad commands are rejected with a typed reason and change nothing", () => {
  cases.forEach(check(false))
  describe("halted market", () => haltedCases.forEach(check(true)))

  it("every reject reason is covered", () => {
    const covered = new Set([...cases, ...haltedCases].map(([, , reason]) => reason))
    expect(Event.RejectReason.literals.filter((reason) => !covered.has(reason))).toEqual([])
  })

  it("a valid command after the rejections is still accepted with the same sequence", () => {
    const book = populated()
    for (const [, command] of cases) OrderBook.apply(book, command)
    expect(OrderBook.apply(book, limit({})).map((e) => e._tag)).toEqual(["OrderAccepted", "OrderRested"])
  })
})
