/**
 * The Effect service: several markets, batches serialised per market, reads between
 * batches, restore from a snapshot plus commands, typed errors.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Command, Instrument, MatchingEngine, OrderBook } from "@niha/matching"
import { Effect, Exit, Layer } from "effect"

const place = (seq: number, orderId: string, side: "BUY" | "SELL", price: number, quantity: number, owner = "ann") =>
  Command.limit({ seq, timestamp: seq, orderId, owner, side, price, quantity })

layer(MatchingEngine.layer(MatchingEngine.defaultOptions("secret")))("MatchingEngine", (it) => {
  it.effect("holds both default markets and matches each independently", () =>
    Effect.gen(function*() {
      const engine = yield* MatchingEngine.MatchingEngine
      expect(engine.markets).toEqual(["CEA_CASH", "SWAP"])
      const cash = yield* engine.submit("CEA_CASH", [
        place(1, "a1", "SELL", 1_000, 5),
        place(2, "b1", "BUY", 1_000, 3, "bob")
      ])
      expect(cash.map((e) => e._tag)).toEqual(["OrderAccepted", "OrderRested", "OrderAccepted", "Trade"])
      // SWAP has its own sequence: seq 1 is fine there.
      const swap = yield* engine.submit("SWAP", [place(1, "s1", "SELL", 70_000, 5)])
      expect(swap.map((e) => e._tag)).toEqual(["OrderAccepted", "OrderRested"])
      expect(yield* engine.read("CEA_CASH", OrderBook.bestAsk)).toEqual({ price: 1_000, quantity: 2, orders: 1 })
      expect(yield* engine.read("SWAP", (book) => OrderBook.depth(book, 5).asks.length)).toBe(1)
    }))

  it.effect("serialises concurrent batches of one market: no batch interleaves with another", () =>
    Effect.gen(function*() {
      const engine = yield* MatchingEngine.MatchingEngine
      const start = (yield* engine.read("SWAP", (book) => book.lastSeq)) + 1
      const batches = Array.from(
        { length: 20 },
        (_, b) => Array.from({ length: 10 }, (_, i) => place(start + b * 10 + i, `c${b}-${i}`, "BUY", 60_000 - b, 1))
      )
      // Submitted concurrently, in reverse: each batch is applied whole, so a batch that
      // runs after a later one is rejected whole for its sequence numbers.
      const results = yield* Effect.forEach(batches.toReversed(), (batch) => engine.submit("SWAP", batch), {
        concurrency: "unbounded"
      })
      for (const events of results) {
        const rejected = events.filter((e) => e._tag === "CommandRejected").length
        expect([0, 10]).toContain(rejected)
      }
      const snapshot = yield* engine.snapshot("SWAP")
      expect(snapshot.lastSeq).toBeGreaterThanOrEqual(start + 9)
    }))

  it.effect("decodes untrusted commands and refuses malformed ones", () =>
    Effect.gen(function*() {
      const engine = yield* MatchingEngine.MatchingEngine
      const error = yield* Effect.flip(engine.submitUnknown("CEA_CASH", [{ _tag: "PlaceLimit", seq: "x" }]))
      expect(error._tag).toBe("InvalidCommand")
      const events = yield* engine.submitUnknown("CEA_CASH", [{
        _tag: "Cancel",
        seq: 1_000,
        timestamp: 0,
        orderId: "a1",
        owner: "ann"
      }])
      expect(events.map((e) => e._tag)).toEqual(["OrderCancelled"])
    }))

  it.effect("restores a market from a snapshot plus the commands after it", () =>
    Effect.gen(function*() {
      const engine = yield* MatchingEngine.MatchingEngine
      const snapshot = yield* engine.snapshot("CEA_CASH")
      const next = snapshot.lastSeq + 1
      const after = [place(next, "r1", "BUY", 900, 7), place(next + 1, "r2", "SELL", 1_100, 2)]
      const live = yield* engine.submit("CEA_CASH", after)
      const expected = yield* engine.snapshot("CEA_CASH")
      // Rebuild (as after a failed transaction) and compare.
      const replayed = yield* engine.restore(snapshot, after)
      expect(replayed).toEqual(live)
      expect(JSON.stringify(yield* engine.snapshot("CEA_CASH"))).toBe(JSON.stringify(expected))
      const bad = yield* Effect.flip(engine.restore({ ...snapshot, lastSeq: 1.5 }, []))
      expect(bad._tag).toBe("InvalidSnapshot")
      expect(JSON.stringify(yield* engine.snapshot("CEA_CASH"))).toBe(JSON.stringify(expected))
    }))
})

describe("MatchingEngine configuration", () => {
  it.effect("names a market it does not hold in a typed error", () =>
    Effect.gen(function*() {
      const engine = yield* MatchingEngine.MatchingEngine
      const error = yield* Effect.flip(engine.submit("SWAP", []))
      expect(error).toEqual(new MatchingEngine.UnknownMarket({ market: "SWAP" }))
    }).pipe(
      Effect.provide(
        MatchingEngine.layer({ books: [{ instrument: Instrument.ceaCash, anonymitySecret: "s" }] })
      )
    ))

  it.effect("refuses two books for one market", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Layer.build(MatchingEngine.layer({
        books: [
          { instrument: Instrument.ceaCash, anonymitySecret: "s" },
          { instrument: Instrument.ceaCash, anonymitySecret: "t" }
        ]
      })))
      expect(Exit.isFailure(exit)).toBe(true)
    }).pipe(Effect.scoped))
})

describe("MatchingEngine batches", () => {
  it.effect("gives a batch the events the core gives its commands one by one, across batches", () =>
    Effect.gen(function*() {
      // `submit` is one synchronous step per batch (no span, no lock): it must still be
      // exactly the core, batch after batch.
      const engine = yield* MatchingEngine.MatchingEngine
      const book = OrderBook.make({ instrument: Instrument.ceaCash, anonymitySecret: "s" })
      const commands: Array<Command.Command> = []
      for (let seq = 1; seq <= 600; seq++) {
        const side = seq % 2 === 0 ? "BUY" : "SELL"
        commands.push(
          seq % 7 === 0
            ? { _tag: "Cancel", seq, timestamp: seq, orderId: `o${seq - 2}`, owner: `w${(seq - 2) % 5}` }
            : place(
              seq,
              `o${seq}`,
              side,
              1_000 + (side === "BUY" ? -1 : 1) * (seq % 5) - (seq % 3),
              1 + seq % 9,
              `w${seq % 5}`
            )
        )
      }
      const expected = commands.map((command) => OrderBook.apply(book, command)).flat()
      const got: Array<unknown> = []
      for (let first = 0; first < commands.length; first += 256) {
        got.push(...yield* engine.submit("CEA_CASH", commands.slice(first, first + 256)))
      }
      expect(got).toEqual(expected)
      expect(expected.filter((e) => e._tag === "Trade").length).toBeGreaterThan(0)
      expect(expected.filter((e) => e._tag === "OrderCancelled").length).toBeGreaterThan(0)
      expect(JSON.stringify(yield* engine.snapshot("CEA_CASH"))).toBe(JSON.stringify(OrderBook.snapshot(book)))
    }).pipe(
      Effect.provide(MatchingEngine.layer({ books: [{ instrument: Instrument.ceaCash, anonymitySecret: "s" }] }))
    ))
})
