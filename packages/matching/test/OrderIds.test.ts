/**
 * The book keeps order ids in its own typed arrays (internal `orderId.ts`): short Latin-1 ids
 * packed in the slot record, others kept as strings beside it. These tests check that every
 * kind of id comes back exactly (events, views, snapshots), that a cancel finds an order by an
 * equal string that is not the same object, that slots and long ids are reused cleanly after
 * a cancel, and that all of it survives the growth of the slots and of the id table.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { Command, type Event, Instrument, OrderBook, Snapshot } from "@niha/matching"
import { Result } from "effect"
import { decode, IdKey, INLINE_MAX, isLong } from "../src/internal/orderId.ts"
import { secret, session, tags, trades } from "./support/commands.ts"

const cea = Instrument.ceaCash

/** An equal string that is a different object (built at run time, not a literal). */
const copyOf = (id: string): string => [...id].join("")

const ids: ReadonlyArray<readonly [string, string]> = [
  ["one character", "x"],
  ["seven ASCII characters", "o123456"],
  ["eleven ASCII characters (the longest inline)", "abcdefghijk"],
  ["twelve ASCII characters (the shortest long)", "abcdefghijkl"],
  ["fifteen ASCII characters", "abcdefghijklmno"],
  ["a UUID", "3f2b8c1e-9d4a-4e6f-8b7c-2a1d0e9f8c7b"],
  ["Latin-1 characters", "ordre-\u00e9t\u00e9-\u00ff"],
  ["a NUL character", "a\u0000b"],
  ["a character past Latin-1", "order-\u0100"],
  ["CJK characters", "\u6ce8\u6587-1"],
  ["a surrogate pair", "buy-\ud83d\ude00"],
  ["a lone surrogate", "x\ud800"],
  ["two hundred characters", "long-".repeat(40)]
]

describe("IdKey", () => {
  it("keeps short Latin-1 ids inline and decodes them exactly", () => {
    const key = new IdKey(7)
    for (let length = 1; length <= INLINE_MAX; length++) {
      for (const alphabet of ["0123456789abcdef", "\u00e0\u00e9\u00ee\u00f5\u00fc\u0001\u00ff\u0000"]) {
        const id = Array.from({ length }, (_, i) => alphabet[(i * 7 + length) % alphabet.length]).join("")
        key.set(id)
        assert.isFalse(isLong(key.w0), id)
        assert.strictEqual(key.long, "")
        assert.strictEqual(decode(key.w0, key.w1, key.w2), id)
      }
    }
  })

  it("marks longer or wider ids long and keeps their string", () => {
    const key = new IdKey(7)
    for (const id of ["a".repeat(INLINE_MAX + 1), "\u0100", "ab\u6ce8", "\ud83d\ude00", "long-".repeat(40)]) {
      key.set(id)
      assert.isTrue(isLong(key.w0), id)
      assert.strictEqual(key.long, id)
      assert.strictEqual(key.w1, id.length)
    }
  })

  it("gives ids that differ in any one character different words", () => {
    const key = new IdKey(7)
    const base = "abcdefghijk"
    key.set(base)
    const words = [key.w0, key.w1, key.w2].join()
    for (let at = 0; at < base.length; at++) {
      const other = base.slice(0, at) + "\u00ff" + base.slice(at + 1)
      key.set(other)
      assert.notStrictEqual([key.w0, key.w1, key.w2].join(), words, other)
    }
    // A prefix differs by its length byte, even when the missing characters are NUL.
    key.set("ab")
    const ab = [key.w0, key.w1, key.w2].join()
    key.set("ab\u0000")
    assert.notStrictEqual([key.w0, key.w1, key.w2].join(), ab)
  })

  it("hashes the same id to the same value and depends on the seed", () => {
    for (const [, id] of ids) {
      assert.strictEqual(new IdKey(1).set(id), new IdKey(1).set(copyOf(id)), id)
    }
    assert.notStrictEqual(new IdKey(1).set("o123456"), new IdKey(2).set("o123456"))
  })
})

describe("order ids kept by the book", () => {
  for (const [name, id] of ids) {
    it(`are exact for ${name}: events, views, cancel by an equal string`, () => {
      const s = session(cea)
      s.limit("mm", id, "SELL", 1_000, 10)
      s.limit("mm2", "other", "SELL", 1_000, 5)
      // A trade with the order as maker makes its id again from the book's arrays.
      const events = s.limit("buyer", "b1", "BUY", 1_000, 4)
      expect(trades(events).map((t) => t.sellOrderId)).toEqual([id])
      expect(OrderBook.findOrder(s.book, copyOf(id))).toMatchObject({ orderId: id, owner: "mm", quantity: 6 })
      expect(OrderBook.snapshot(s.book).orders.map((o) => o.orderId)).toEqual([id, "other"])
      // A duplicate is refused, by an equal string.
      const duplicate = s.limit("mm", copyOf(id), "BUY", 900, 1)
      expect(duplicate).toMatchObject([{ _tag: "CommandRejected", reason: "DUPLICATE_ORDER_ID" }])
      // Only its owner may cancel it; the cancellation names it exactly.
      expect(s.cancel("mm2", copyOf(id))).toMatchObject([{ _tag: "CommandRejected", reason: "NOT_ORDER_OWNER" }])
      expect(s.cancel("mm", copyOf(id))).toMatchObject([{ _tag: "OrderCancelled", orderId: id, remainingQuantity: 6 }])
      expect(OrderBook.findOrder(s.book, id)).toBeNull()
      expect(s.cancel("mm", id)).toMatchObject([{ _tag: "CommandRejected", reason: "UNKNOWN_ORDER" }])
    })
  }

  it("names every kind of id in the cancellations the book makes itself", () => {
    const s = session(cea)
    for (const [, id] of ids) s.limit("mm", id, "SELL", 1_010, 1)
    s.limit("mm", "own-bid", "BUY", 990, 1)
    // Self-trade prevention cancelling the makers, then cancel-all of the owner.
    const stp = s.limit("mm", "taker", "BUY", 1_010, 2, { selfTradePrevention: "CANCEL_MAKER" })
    const cancelled = stp.filter((e): e is Event.OrderCancelled => e._tag === "OrderCancelled")
    expect(cancelled.map((e) => e.orderId)).toEqual(ids.map(([, id]) => id))
    const all = s.apply({ _tag: "CancelAll", seq: s.peek(), timestamp: 0, owner: "mm" })
    expect(all.filter((e): e is Event.OrderCancelled => e._tag === "OrderCancelled").map((e) => e.orderId)).toEqual([
      "own-bid",
      "taker"
    ])
  })

  it("keeps an amended order's id, whether the amendment keeps its place or not", () => {
    for (const [, id] of ids) {
      const s = session(cea)
      s.limit("mm", id, "SELL", 1_000, 10)
      expect(s.amend("mm", copyOf(id), null, 8)).toMatchObject([{ _tag: "OrderAmended", orderId: id }])
      expect(s.amend("mm", copyOf(id), 1_001, null)).toMatchObject([
        { _tag: "OrderAmended", orderId: id, priorityKept: false },
        { _tag: "OrderRested", orderId: id }
      ])
      expect(trades(s.limit("b", "b1", "BUY", 1_001, 1)).map((t) => t.sellOrderId)).toEqual([id])
      expect(OrderBook.findOrder(s.book, id)).toMatchObject({ orderId: id, quantity: 7, price: 1_001 })
    }
  })

  it("reuses a freed slot for another id, long after short and short after long", () => {
    const s = session(cea)
    const long = "L".repeat(40)
    s.limit("mm", "short-1", "SELL", 1_000, 1)
    s.cancel("mm", "short-1")
    s.limit("mm", long, "SELL", 1_000, 2) // the freed slot, now with a long id
    expect(OrderBook.findOrder(s.book, "short-1")).toBeNull()
    s.cancel("mm", long)
    s.limit("mm", "short-2", "SELL", 1_000, 3) // the same slot, short again
    expect(OrderBook.findOrder(s.book, long)).toBeNull()
    expect(OrderBook.findOrder(s.book, "short-2")).toMatchObject({ quantity: 3 })
    // An id can be used again once its order is gone.
    s.limit("mm", "short-1", "SELL", 1_001, 4)
    s.limit("mm", long, "SELL", 1_002, 5)
    expect(OrderBook.snapshot(s.book).orders.map((o) => [o.orderId, o.quantity])).toEqual([
      ["short-2", 3],
      ["short-1", 4],
      [long, 5]
    ])
    const events = s.limit("b", "b1", "BUY", 1_002, 12)
    expect(trades(events).map((t) => t.sellOrderId)).toEqual(["short-2", "short-1", long])
    expect(OrderBook.snapshot(s.book).orders).toEqual([])
  })

  it("stays exact through the growth of slots and id table, and a snapshot round trip", () => {
    const book = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    // 6,000 orders (past several doublings of the slots and of the id table), every kind of
    // id, a third of them cancelled along the way so freed slots are reused.
    const idOf = (i: number): string => {
      const [, kind] = ids[i % ids.length] ?? ["", ""]
      return `${kind}#${i}`
    }
    const live = new Set<string>()
    let seq = 0
    for (let i = 0; i < 6_000; i++) {
      const id = idOf(i)
      const side = i % 2 === 0 ? "BUY" : "SELL"
      const price = side === "BUY" ? 900 + (i % 50) : 1_100 - (i % 50)
      OrderBook.apply(
        book,
        Command.limit({ seq: ++seq, timestamp: seq, orderId: id, owner: `o${i % 7}`, side, price, quantity: 1 })
      )
      live.add(id)
      if (i % 3 === 2) {
        const victim = idOf(i - 2)
        const events = OrderBook.apply(book, {
          _tag: "Cancel",
          seq: ++seq,
          timestamp: seq,
          orderId: copyOf(victim),
          owner: `o${(i - 2) % 7}`
        })
        expect(tags(events)).toEqual(["OrderCancelled"])
        live.delete(victim)
      }
    }
    const snapshot = OrderBook.snapshot(book)
    expect(snapshot.orders.map((o) => o.orderId).sort()).toEqual([...live].sort())
    for (const id of live) assert.strictEqual(OrderBook.findOrder(book, copyOf(id))?.orderId, id)
    // Through the snapshot's JSON text, as the journal stores it.
    const text = Result.getOrThrow(Snapshot.toJson(snapshot))
    const decoded = Result.getOrThrow(Snapshot.fromJson(text))
    const copy = Result.getOrThrow(OrderBook.restore({ instrument: cea, anonymitySecret: secret }, decoded))
    expect(OrderBook.snapshot(copy)).toEqual(snapshot)
    // The restored book finds and cancels every order by an equal string.
    for (const order of snapshot.orders) {
      const events = OrderBook.apply(copy, {
        _tag: "Cancel",
        seq: ++seq,
        timestamp: seq,
        orderId: copyOf(order.orderId),
        owner: order.owner
      })
      expect(events).toMatchObject([{ _tag: "OrderCancelled", orderId: order.orderId }])
    }
    expect(OrderBook.snapshot(copy).orders).toEqual([])
  })

  it("keeps priorities beyond 32 bits exact (snapshots, cancel-all order)", () => {
    const book = OrderBook.make({ instrument: cea, anonymitySecret: secret })
    const seqs = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 1, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER - 1]
    for (const seq of seqs) {
      OrderBook.apply(
        book,
        Command.limit({ seq, timestamp: 0, orderId: `p${seq}`, owner: "mm", side: "SELL", price: 1_000, quantity: 1 })
      )
    }
    expect(OrderBook.snapshot(book).orders.map((o) => o.priority)).toEqual(seqs)
    const restored = Result.getOrThrow(
      OrderBook.restore({ instrument: cea, anonymitySecret: secret }, OrderBook.snapshot(book))
    )
    expect(OrderBook.snapshot(restored)).toEqual(OrderBook.snapshot(book))
    const events = OrderBook.apply(restored, {
      _tag: "CancelAll",
      seq: Number.MAX_SAFE_INTEGER,
      timestamp: 0,
      owner: "mm"
    })
    expect(events.map((e) => ("orderId" in e ? e.orderId : e._tag))).toEqual([
      ...seqs.map((seq) => `p${seq}`),
      "OwnerOrdersCancelled"
    ])
  })
})

describe("events", () => {
  it("are plain objects, their fields in schema order", () => {
    const s = session(cea)
    const events = [
      ...s.limit("mm", "a1", "SELL", 1_000, 5),
      ...s.limit("b", "b1", "BUY", 1_000, 2, { timeInForce: "IOC" }),
      ...s.limit("b", "b2", "BUY", 1_000, 9, { timeInForce: "IOC" }),
      ...s.cancel("b", "nothing")
    ]
    expect(tags(events)).toEqual([
      "OrderAccepted",
      "OrderRested",
      "OrderAccepted",
      "Trade",
      "OrderAccepted",
      "Trade",
      "OrderExpired",
      "CommandRejected"
    ])
    for (const event of events) assert.strictEqual(Object.getPrototypeOf(event), Object.prototype)
    expect(Object.keys(events[1] ?? {})).toEqual(["_tag", "seq", "orderId", "owner", "side", "price", "quantity"])
    expect(Object.keys(events[3] ?? {})[0]).toBe("_tag")
  })
})
