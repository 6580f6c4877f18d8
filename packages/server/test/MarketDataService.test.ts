/**
 * The `MarketData` service on a real database, driven by the test clock: trades at known
 * instants across a minute, an hour and a UTC day give exact candles at 1m, 1h and 1d and
 * an exact 24-hour ticker, which forgets them as the clock moves on; a sell that takes a
 * bid is a SELL aggression. The stream's text is SSE with a heartbeat comment every 15
 * seconds, and a stream whose instance missed a write (another instance wrote the market)
 * sends a new snapshot instead of the gap.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations, Repository } from "@niha/db"
import type { MarketDataApi } from "@niha/sdk"
import { Fees, MarketData, MarketDataHandlers, MarketWriter, Orders } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const writerOptions = { anonymitySecret: "market-data-test" }

/** Orders and market data on one writer (one server instance), over a database in context. */
const instance = Layer.mergeAll(Orders.Orders.layer, MarketData.MarketData.layer).pipe(
  Layer.provide(MarketWriter.MarketWriter.layer(writerOptions)),
  Layer.provide(Fees.layer),
  Layer.provideMerge(Repository.Repositories.layer)
)

const database = (backend: TestServer.Backend) =>
  Effect.map(TestServer.freshDatabase(backend), (fresh) => Layer.provideMerge(Migrations.layer, fresh))

const limit = (side: "BUY" | "SELL", quantity: string, price: string) => ({
  market: "CEA_CASH" as const,
  side,
  type: "LIMIT" as const,
  quantity,
  price
})

const at = (iso: string) => TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe(iso)))

const candle = (
  time: string,
  [open, high, low, close]: readonly [string, string, string, string],
  volume: string,
  notional: string,
  trades: number
) => ({ time, open, high, low, close, volume, notional, trades })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the MarketData service [${backend}]`, () => {
    it.effect(
      "gives exact candles and a 24-hour ticker for trades at known instants",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* at("2026-03-02T23:58:30Z")
          const context = yield* Layer.build(Layer.provideMerge(instance, yield* database(backend)))
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const marketData = yield* MarketData.MarketData
            const buyer = yield* trader("Candle Buyer", "CEA", { EUR: 1_000_000 })
            const seller = yield* trader("Candle Seller", "CEA", { CEA: 1000 })

            yield* orders.place(seller.user, limit("SELL", "100", "12.00"))
            yield* orders.place(seller.user, limit("SELL", "100", "13.00"))
            yield* at("2026-03-02T23:58:40Z")
            yield* orders.place(buyer.user, limit("BUY", "40", "12.00")) // 40 at 12.00
            yield* at("2026-03-02T23:59:10Z")
            yield* orders.place(buyer.user, limit("BUY", "30", "12.00")) // 30 at 12.00
            yield* at("2026-03-03T00:00:05Z")
            yield* orders.place(buyer.user, limit("BUY", "50", "13.00")) // 30 at 12.00, 20 at 13.00
            yield* at("2026-03-03T00:30:00Z")
            yield* orders.place(buyer.user, limit("BUY", "20", "11.50"))
            yield* orders.place(seller.user, limit("SELL", "5", "11.00")) // 5 at 11.50, the seller aggressing
            yield* at("2026-03-03T00:31:00Z")

            const query = (interval: MarketDataApi.CandleInterval, from?: string) => ({
              interval,
              from: DateTime.makeUnsafe(from ?? "2026-03-02T00:00:00Z")
            })
            assert.deepStrictEqual((yield* marketData.candles("CEA_CASH", query("1m", "2026-03-02T23:00:00Z"))).data, [
              candle("2026-03-02T23:58:00.000Z", ["12.00", "12.00", "12.00", "12.00"], "40", "480.00", 1),
              candle("2026-03-02T23:59:00.000Z", ["12.00", "12.00", "12.00", "12.00"], "30", "360.00", 1),
              candle("2026-03-03T00:00:00.000Z", ["12.00", "13.00", "12.00", "13.00"], "50", "620.00", 2),
              candle("2026-03-03T00:30:00.000Z", ["11.50", "11.50", "11.50", "11.50"], "5", "57.50", 1)
            ])
            assert.deepStrictEqual((yield* marketData.candles("CEA_CASH", query("1h"))).data, [
              candle("2026-03-02T23:00:00.000Z", ["12.00", "12.00", "12.00", "12.00"], "70", "840.00", 2),
              candle("2026-03-03T00:00:00.000Z", ["12.00", "13.00", "11.50", "11.50"], "55", "677.50", 3)
            ])
            const days = yield* marketData.candles("CEA_CASH", query("1d", "2026-02-01T12:00:00Z"))
            assert.deepStrictEqual(days.data, [
              candle("2026-03-02T00:00:00.000Z", ["12.00", "12.00", "12.00", "12.00"], "70", "840.00", 2),
              candle("2026-03-03T00:00:00.000Z", ["12.00", "13.00", "11.50", "11.50"], "55", "677.50", 3)
            ])
            // `from` is rounded down to its interval; `to` (now unless given) is excluded.
            assert.deepStrictEqual([days.from, days.to], ["2026-02-01T00:00:00.000Z", "2026-03-03T00:31:00.000Z"])
            const late = yield* marketData.candles("CEA_CASH", {
              interval: "1m",
              from: DateTime.makeUnsafe("2026-03-02T23:59:30Z"),
              to: DateTime.makeUnsafe("2026-03-03T00:30:00Z")
            })
            assert.deepStrictEqual(late.data.map((row) => row.time), [
              "2026-03-02T23:59:00.000Z",
              "2026-03-03T00:00:00.000Z"
            ])

            const ticker = yield* marketData.ticker("CEA_CASH")
            assert.deepStrictEqual(ticker, {
              market: "CEA_CASH",
              sequence: 6,
              from: "2026-03-02T00:31:00.000Z",
              to: "2026-03-03T00:31:00.000Z",
              open: "12.00",
              high: "13.00",
              low: "11.50",
              last: "11.50",
              change: "-0.50",
              volume: "125",
              notional: "1517.50",
              trades: 5,
              best_bid: "11.50",
              best_ask: "13.00"
            })
            const [last] = (yield* marketData.trades("CEA_CASH", 1)).data
            assert.deepStrictEqual([last?.price, last?.quantity, last?.aggressor, last?.sequence], [
              "11.50",
              "5",
              "SELL",
              6
            ])

            // A day later only the last trade is in the window; two days later none is.
            yield* at("2026-03-04T00:00:10Z")
            const next = yield* marketData.ticker("CEA_CASH")
            assert.deepStrictEqual(
              [next.open, next.high, next.low, next.last, next.change, next.volume, next.notional, next.trades],
              ["11.50", "11.50", "11.50", "11.50", "0.00", "5", "57.50", 1]
            )
            yield* at("2026-03-05T00:00:00Z")
            const quiet = yield* marketData.ticker("CEA_CASH")
            assert.deepStrictEqual(
              [quiet.open, quiet.high, quiet.low, quiet.last, quiet.change, quiet.volume, quiet.notional, quiet.trades],
              [null, null, null, null, null, "0", "0.00", 0]
            )
            assert.deepStrictEqual([quiet.best_bid, quiet.best_ask], ["11.50", "13.00"])
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    it.effect(
      "follows a write of another instance: caught up before its own next write, in sequence",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* at("2026-03-02T10:00:00Z")
          const shared = yield* Layer.build(yield* database(backend))
          // Two instances on one database, each with its own writer.
          const first = yield* Layer.build(Layer.provideMerge(instance, Layer.succeedContext(shared)))
          const second = yield* Layer.build(Layer.provideMerge(instance, Layer.succeedContext(shared)))
          const [buyer, seller] = yield* Effect.all([
            trader("Gap Buyer", "CEA", { EUR: 1_000_000 }),
            trader("Gap Seller", "CEA", { CEA: 1000 })
          ]).pipe(Effect.provideContext(first))
          const place = (context: typeof first, who: typeof buyer, order: ReturnType<typeof limit>) =>
            Effect.gen(function*() {
              const orders = yield* Orders.Orders
              return yield* orders.place(who.user, order)
            }).pipe(Effect.provideContext(context))
          const marketData = yield* Effect.provideContext(
            Effect.gen(function*() {
              return yield* MarketData.MarketData
            }),
            first
          )
          const opened = yield* Deferred.make<void>()
          const events = yield* marketData.stream("CEA_CASH", 10).pipe(
            Stream.tap(() => Deferred.succeed(opened, undefined)),
            Stream.take(4),
            Stream.runCollect,
            Effect.forkScoped
          )
          yield* Deferred.await(opened)
          yield* place(first, seller, limit("SELL", "10", "12.00"))
          // The second instance's write reaches the database; the first instance applies it
          // (and streams it) when it brings its book up to date before its own next write.
          yield* place(second, seller, limit("SELL", "10", "12.50"))
          yield* place(first, buyer, limit("BUY", "5", "12.00"))
          const seen = [...(yield* Fiber.join(events))]
          assert.deepStrictEqual(
            seen.map((
              event
            ) => [
              event.event,
              event.data.sequence,
              "previous_sequence" in event.data ? event.data.previous_sequence : null
            ]),
            [
              ["snapshot", -1, null],
              ["book", 0, -1],
              ["book", 1, 0],
              ["book", 2, 1]
            ]
          )
        })),
      { timeout: 120_000 }
    )
  })
}

describe("the stream's text", () => {
  it.effect("is Server-Sent Events with a heartbeat comment every 15 seconds", () =>
    Effect.gen(function*() {
      const snapshot: MarketDataApi.StreamEvent = {
        event: "snapshot",
        data: { market: "SWAP", sequence: 7, bids: [], asks: [{ price: "1.2500", quantity: "10", orders: 1 }] }
      }
      const text = MarketDataHandlers.render(Stream.concat(Stream.succeed(snapshot), Stream.never))
      const fiber = yield* Stream.take(text, 3).pipe(Stream.runCollect, Effect.forkChild)
      yield* TestClock.adjust("14 seconds")
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("16 seconds")
      assert.deepStrictEqual([...(yield* Fiber.join(fiber))], [
        "event: snapshot\ndata: " + JSON.stringify(snapshot.data) + "\n\n",
        ": heartbeat\n\n",
        ": heartbeat\n\n"
      ])
    }))
})
