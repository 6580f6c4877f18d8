import { assert, describe, it } from "@effect/vitest"
import { type MarketDataApi, MarketStream, NihaClient, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"

const depth = (sequence: number): MarketDataApi.StreamEvent => ({
  event: "snapshot",
  data: { market: "CEA_CASH", sequence, bids: [], asks: [{ price: "12.00", quantity: "10", orders: 1 }] }
})
const book = (previous: number, sequence: number): MarketDataApi.StreamEvent => ({
  event: "book",
  data: { market: "CEA_CASH", previous_sequence: previous, sequence, bids: [], asks: [] }
})
const trade = (sequence: number): MarketDataApi.StreamEvent => ({
  event: "trade",
  data: {
    id: `CEA_CASH-${sequence}-1`,
    market: "CEA_CASH",
    sequence,
    price: "12.00",
    quantity: "1",
    aggressor: "BUY",
    buyer: "B-1",
    seller: "S-2",
    executed_at: "2026-03-02T10:00:00.000Z"
  }
})

const text = (event: MarketDataApi.StreamEvent) => `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`

/**
 * A server whose stream skips a write (6 -> 7 never comes) on its first `gappy`
 * connections and is whole after; heartbeat comments between the events.
 */
const gappyServer = (gappy: number) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly server: NodeHttp.Server; readonly url: string; readonly connections: () => number }>(
      (resume) => {
        let connections = 0
        const server = NodeHttp.createServer((request, response) => {
          if (request.url?.startsWith("/markets/CEA_CASH/stream") !== true) {
            response.writeHead(404).end()
            return
          }
          connections++
          response.writeHead(200, { "content-type": "text/event-stream" })
          const events = connections <= gappy ?
            [depth(5), book(5, 6), trade(6), book(7, 8), trade(8)] :
            [depth(8), book(8, 9), trade(9)]
          response.end(events.map(text).join(": heartbeat\n\n"))
        })
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as NodeNet.AddressInfo
          resume(Effect.succeed({ server, url: `http://127.0.0.1:${port}`, connections: () => connections }))
        })
      }
    ),
    ({ server }) => Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))
  )

describe("MarketStream", () => {
  it("accepts a snapshot, then each write's book event and its trades, and names the first gap", () => {
    const next = MarketStream.check("CEA_CASH")
    for (const event of [depth(5), book(5, 6), trade(6), book(6, 9), trade(7), trade(9), book(9, 10)]) {
      assert.isUndefined(next(event), JSON.stringify(event))
    }
    // A trade outside its write, a skipped write, a repeated write.
    const gap = next(trade(10))
    assert.isUndefined(gap)
    assert.deepInclude(next(trade(11)), { held: 10, event: "trade", sequence: 11 })
    assert.deepInclude(MarketStream.check("CEA_CASH")(book(-1, 0)), { held: null, event: "book" })
    const skipped = MarketStream.check("CEA_CASH")
    skipped(depth(3))
    assert.deepInclude(skipped(book(4, 5)), { held: 3, event: "book", sequence: 5 })
    assert.include(skipped(book(4, 5))?.message ?? "", "a write was missed")
    const repeated = MarketStream.check("CEA_CASH")
    repeated(depth(3))
    repeated(book(3, 4))
    assert.isDefined(repeated(book(3, 4)))
    // A trade before any write of the stream is out of order too.
    const early = MarketStream.check("CEA_CASH")
    early(depth(3))
    assert.isDefined(early(trade(3)))
    // A snapshot resets what is held.
    repeated(depth(20))
    assert.isUndefined(repeated(book(20, 21)))
  })

  it.effect("follow fails with SequenceGap at a missed write, and with resync goes on from a new snapshot", () =>
    Effect.scoped(Effect.gen(function*() {
      const { connections, url } = yield* gappyServer(2)
      const client = NihaClient.layer({ baseUrl: url })
      const failed = yield* MarketStream.follow("CEA_CASH").pipe(
        Stream.runCollect,
        Effect.flip,
        Effect.provide(client)
      )
      assert.strictEqual(failed._tag, "SequenceGap")
      assert.deepInclude(failed, { market: "CEA_CASH", held: 6, event: "book", sequence: 8 })

      const resynchronised = yield* MarketStream.follow("CEA_CASH", { resync: true, levels: 5 }).pipe(
        Stream.runCollect,
        Effect.provide(client)
      )
      // What came before the gap, then a new snapshot and what follows it.
      assert.deepStrictEqual([...resynchronised], [depth(5), book(5, 6), trade(6), depth(8), book(8, 9), trade(9)])
      assert.strictEqual(connections(), 3)
    })))

  it.effect("the Promise client iterates the events and rejects the next() after a gap with SequenceGapError", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* gappyServer(1)
      const niha = PromiseClient.createClient({ baseUrl: url })
      const outcome = yield* Effect.promise(async () => {
        const seen: Array<string> = []
        try {
          for await (const event of await niha.marketData.stream({ params: { market: "CEA_CASH" }, query: {} })) {
            seen.push(`${event.event} ${event.data.sequence}`)
          }
          return { seen, error: undefined }
        } catch (error) {
          return { seen, error }
        }
      })
      assert.deepStrictEqual(outcome.seen, ["snapshot 5", "book 6", "trade 6"])
      assert.instanceOf(outcome.error, PromiseClient.SequenceGapError)
      assert.instanceOf(outcome.error, PromiseClient.NihaError)
      const error = outcome.error as PromiseClient.SequenceGapError
      assert.strictEqual(error.code, "sequence_gap")
      assert.deepStrictEqual(error.details, { held: 6, event: "book", sequence: 8 })

      // The second connection is whole; leaving the loop early closes it.
      const events = yield* Effect.promise(() => niha.marketData.stream({ params: { market: "CEA_CASH" }, query: {} }))
      const first = yield* Effect.promise(() => events.next())
      assert.deepStrictEqual(first, { done: false, value: depth(8) })
      yield* Effect.promise(() => events.close())
      assert.isTrue((yield* Effect.promise(() => events.next())).done)
    })))
})
