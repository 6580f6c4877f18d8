import { MarketStream, NihaClient, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

// Promise client: the book, then the live stream until `count` events have come.
export const watchMarket = async (baseUrl: string, count: number) => {
  const niha = PromiseClient.createClient({ baseUrl })
  const book = await niha.marketData.book({ params: { market: "CEA_CASH" }, query: { levels: 10 } })

  const seen: Array<string> = []
  try {
    // First a snapshot; then each write as a `book` event (the levels it changed) and its trades.
    for await (const event of await niha.marketData.stream({ params: { market: "CEA_CASH" }, query: {} })) {
      seen.push(event.event === "trade" ? `trade ${event.data.quantity} @ ${event.data.price}` : event.event)
      if (seen.length === count) break // leaving the loop closes the connection
    }
  } catch (error) {
    // A write was missed: call stream() again for a new snapshot.
    if (!(error instanceof PromiseClient.SequenceGapError)) throw error
    seen.push("gap")
  }
  return { best_ask: book.asks[0]?.price ?? null, sequence: book.sequence, seen }
}

// Effect client: the same stream, its sequences checked; `resync` starts again from a new
// snapshot after a gap instead of failing with `SequenceGap`.
export const followMarket = (baseUrl: string, count: number) =>
  MarketStream.follow("CEA_CASH", { resync: true }).pipe(
    Stream.take(count),
    Stream.map((event) => `${event.event} ${event.data.sequence}`),
    Stream.runCollect,
    Effect.provide(NihaClient.layer({ baseUrl }))
  )
