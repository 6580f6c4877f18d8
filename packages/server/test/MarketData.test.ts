/**
 * Market data through the SDK against a started server, on both backends: a stream opened
 * on an empty market sees its snapshot, then every write in sequence order (a `book`
 * event with the levels it changed, then its trades); depth, best bid and ask, the recent
 * trades with anonymous codes (and no entity id anywhere), the ticker and the candles are
 * exact after known trades; a stream opened later starts from a snapshot of the book as
 * it is; bad input is a 400.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { type MarketDataApi, PromiseClient } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { call, failure } from "./support/Clients.ts"
import { limitOrder } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

/** Reads `count` more events of a stream (failing the test if it ends first). */
const take = (events: PromiseClient.EventStream<MarketDataApi.StreamEvent>, count: number) =>
  Effect.promise(async () => {
    const taken: Array<MarketDataApi.StreamEvent> = []
    while (taken.length < count) {
      const next = await events.next()
      if (next.done === true) throw new Error(`the stream ended after ${taken.length} of ${count} events`)
      taken.push(next.value)
    }
    return taken
  })

const level = (price: string, quantity: string, orders: number) => ({ price, quantity, orders })

/** The candles of `trades` (newest first) at one interval, computed here from their times and prices. */
const candlesOf = (trades: ReadonlyArray<MarketDataApi.PublicTrade>, stepMillis: number) => {
  const buckets = new Map<number, Array<MarketDataApi.PublicTrade>>()
  for (const trade of [...trades].reverse()) {
    const start = Math.floor(Date.parse(trade.executed_at) / stepMillis) * stepMillis
    buckets.set(start, [...(buckets.get(start) ?? []), trade])
  }
  const cents = (price: string) => Math.round(Number(price) * 100)
  const text = (value: number) => (value / 100).toFixed(2)
  return [...buckets].sort(([a], [b]) => a - b).map(([start, bucket]) => ({
    time: new Date(start).toISOString(),
    open: bucket[0]?.price ?? "",
    high: text(Math.max(...bucket.map((trade) => cents(trade.price)))),
    low: text(Math.min(...bucket.map((trade) => cents(trade.price)))),
    close: bucket[bucket.length - 1]?.price ?? "",
    volume: String(bucket.reduce((sum, trade) => sum + Number(trade.quantity), 0)),
    notional: text(bucket.reduce((sum, trade) => sum + cents(trade.price) * Number(trade.quantity), 0)),
    trades: bucket.length
  }))
}

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`market data through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("streams every write in order, and reads depth, trades, ticker and candles exactly", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bo@buyer.example", "Buyer Market SA", 1_000_000)
          const seller = yield* tradingCompany(server, "sam@seller.example", "Seller Market Ltd", 1)
          yield* call(() =>
            buyer.admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "1000", reason: "delivered to the registry account" }
            })
          )
          // Market data is public: no API key.
          const publicClient = PromiseClient.createClient({ baseUrl: server.baseUrl })
          const market = { params: { market: "CEA_CASH" as const } }
          const all = { ...market, query: {} }

          const events = yield* call(() => publicClient.marketData.stream(all))
          const [opening] = yield* take(events, 1)
          assert.deepStrictEqual(opening, {
            event: "snapshot",
            data: { market: "CEA_CASH", sequence: -1, bids: [], asks: [] }
          })

          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "12.00") }))
          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "12.50") }))
          yield* call(() => buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "150", "12.50") }))
          const bid = yield* call(() => buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "10", "11.00") }))

          // Each write: its book event (the levels it changed, as they stand after it), then its trades.
          const written = yield* take(events, 6)
          assert.deepStrictEqual(written.map((event) => event.event), [
            "book",
            "book",
            "book",
            "trade",
            "trade",
            "book"
          ])
          assert.deepStrictEqual(written.map((event) => event.data.sequence), [0, 1, 2, 2, 2, 3])
          assert.deepStrictEqual(written[0]?.data, {
            market: "CEA_CASH",
            previous_sequence: -1,
            sequence: 0,
            bids: [],
            asks: [level("12.00", "100", 1)]
          })
          assert.deepStrictEqual(written[2]?.data, {
            market: "CEA_CASH",
            previous_sequence: 1,
            sequence: 2,
            bids: [],
            asks: [level("12.00", "0", 0), level("12.50", "50", 1)]
          })
          assert.deepStrictEqual(written[5]?.data, {
            market: "CEA_CASH",
            previous_sequence: 2,
            sequence: 3,
            bids: [level("11.00", "10", 1)],
            asks: []
          })
          const streamed = written.flatMap((event) => event.event === "trade" ? [event.data] : [])
          assert.deepStrictEqual(streamed.map((trade) => [trade.price, trade.quantity, trade.aggressor]), [
            ["12.00", "100", "BUY"],
            ["12.50", "50", "BUY"]
          ])

          // The book as REST reads it.
          const depth = yield* call(() => publicClient.marketData.book(all))
          assert.deepStrictEqual(depth, {
            market: "CEA_CASH",
            sequence: 3,
            bids: [level("11.00", "10", 1)],
            asks: [level("12.50", "50", 1)]
          })
          const shallow = yield* call(() => publicClient.marketData.book({ ...market, query: { levels: 1 } }))
          assert.strictEqual(shallow.asks.length, 1)
          const top = yield* call(() => publicClient.marketData.top(market))
          assert.deepStrictEqual(top, {
            market: "CEA_CASH",
            sequence: 3,
            bid: level("11.00", "10", 1),
            ask: level("12.50", "50", 1)
          })

          // Recent trades, newest first, with the codes the stream showed and no entity id.
          const trades = yield* call(() => publicClient.marketData.trades(all))
          assert.deepStrictEqual(trades.data, [...streamed].reverse())
          const [newest, oldest] = trades.data
          assert.strictEqual(newest?.buyer, oldest?.buyer)
          assert.strictEqual(newest?.seller, oldest?.seller)
          assert.notStrictEqual(newest?.buyer, newest?.seller)
          assert.match(newest?.buyer ?? "", /^[A-Z0-9-]+$/u)
          const text = JSON.stringify([trades, written])
          for (const secret of [buyer.entityId, seller.entityId, bid.order.id]) assert.notInclude(text, secret)
          const one = yield* call(() => publicClient.marketData.trades({ ...market, query: { limit: 1 } }))
          assert.deepStrictEqual(one.data, trades.data.slice(0, 1))

          // The ticker over the last 24 hours.
          const ticker = yield* call(() => publicClient.marketData.ticker(market))
          assert.deepStrictEqual(
            {
              ...ticker,
              from: Date.parse(ticker.to) - Date.parse(ticker.from),
              to: Date.parse(ticker.to) >= Date.parse(newest?.executed_at ?? "")
            },
            {
              market: "CEA_CASH",
              sequence: 3,
              from: 24 * 3600 * 1000,
              to: true,
              open: "12.00",
              high: "12.50",
              low: "12.00",
              last: "12.50",
              change: "0.50",
              volume: "150",
              notional: "1825.00",
              trades: 2,
              best_bid: "11.00",
              best_ask: "12.50"
            }
          )

          // Candles at each interval, as computed here from the trades' own times.
          for (const [interval, step] of [["1m", 60_000], ["1h", 3_600_000], ["1d", 86_400_000]] as const) {
            const candles = yield* call(() => publicClient.marketData.candles({ ...market, query: { interval } }))
            assert.deepStrictEqual(candles.data, candlesOf(trades.data, step), interval)
            assert.strictEqual(candles.interval, interval)
          }
          const empty = yield* call(() =>
            publicClient.marketData.candles({
              ...market,
              query: {
                interval: "1h",
                from: DateTime.makeUnsafe("2020-01-01T00:00:00Z"),
                to: DateTime.makeUnsafe("2020-01-02T00:00:00Z")
              }
            })
          )
          assert.deepStrictEqual(empty.data, [])

          // A stream opened now starts from the book as it is; a cancel empties the bid level.
          const later = yield* call(() => publicClient.marketData.stream(all))
          const [snapshot] = yield* take(later, 1)
          assert.deepStrictEqual(snapshot, { event: "snapshot", data: depth })
          yield* call(() => buyer.client.orders.cancelOrder({ params: { id: bid.order.id } }))
          for (const stream of [events, later]) {
            const [cancelled] = yield* take(stream, 1)
            assert.deepStrictEqual(cancelled, {
              event: "book",
              data: { market: "CEA_CASH", previous_sequence: 3, sequence: 4, bids: [level("11.00", "0", 0)], asks: [] }
            })
          }
          yield* Effect.promise(() => later.close())
          yield* Effect.promise(() => events.close())
          assert.isTrue((yield* Effect.promise(() => events.next())).done)

          // Bad input is refused before anything is read.
          const tooMany = yield* failure(() => publicClient.marketData.book({ ...market, query: { levels: 5000 } }))
          assert.strictEqual(tooMany.code, "validation_failed")
          const response = yield* Effect.promise(() => fetch(`${server.baseUrl}/markets/NOPE/book`))
          assert.strictEqual(response.status, 400)
          const reversed = yield* Effect.promise(() =>
            fetch(
              `${server.baseUrl}/markets/CEA_CASH/candles?interval=1h&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`
            )
          )
          assert.strictEqual(reversed.status, 400)
          assert.strictEqual(((yield* Effect.promise(() => reversed.json())) as { field?: string }).field, "from")
          const wide = yield* Effect.promise(() =>
            fetch(
              `${server.baseUrl}/markets/CEA_CASH/candles?interval=1m&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z`
            )
          )
          assert.strictEqual(wide.status, 400)
        }))
    })
  })
}

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("the stream at shutdown", () => {
  it.live(
    "ends when the server begins to shut down, so shutdown does not wait out its timeout",
    () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const server = yield* TestServer.start(TestServer.quickBackend, { shutdownTimeout: "60 seconds" }).pipe(
          Scope.provide(scope)
        )
        const client = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const events = yield* call(() => client.marketData.stream({ params: { market: "SWAP" }, query: {} }))
        const [snapshot] = yield* take(events, 1)
        assert.strictEqual(snapshot?.event, "snapshot")
        const started = Date.now()
        yield* Scope.close(scope, Exit.void)
        assert.isBelow(Date.now() - started, 10_000)
        // The stream ended cleanly: the iteration is done, not failed.
        assert.isTrue((yield* Effect.promise(() => events.next())).done)
      }),
    90_000
  )
})
