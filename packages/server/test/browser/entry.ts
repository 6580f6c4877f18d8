/**
 * What the browser suite loads in Chromium: the SDK (bundled from its sources for the
 * browser platform, so a Node built-in would fail the bundle) and a few functions the
 * suite calls in the page through `globalThis.nihaTest`. The page reads markets and the
 * book with the Promise client, and follows a market's stream twice at once: with the
 * Promise client's async iterator and with `MarketStream.follow` (the Effect client);
 * what each one receives is kept for the suite to read.
 */
import { type MarketDataApi, MarketStream, NihaClient, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

interface Followed {
  readonly events: Array<MarketDataApi.StreamEvent>
  readonly errors: Array<string>
}

const promiseStream: Followed = { events: [], errors: [] }
const effectStream: Followed = { events: [], errors: [] }

const api = {
  promiseStream,
  effectStream,
  /** The markets, the book and the ticker of one market, read with the Promise client. */
  read: async (baseUrl: string, market: "CEA_CASH" | "SWAP") => {
    const niha = PromiseClient.createClient({ baseUrl })
    const markets = await niha.markets.list({ query: {} })
    const book = await niha.marketData.book({ params: { market }, query: {} })
    const ticker = await niha.marketData.ticker({ params: { market } })
    let refused = ""
    try {
      await niha.marketData.book({ params: { market }, query: { levels: 0 } })
    } catch (error) {
      if (error instanceof PromiseClient.InvalidRequestError) refused = error.code
    }
    return { markets: markets.data.map((row) => row.market), book, volume: ticker.volume, refused }
  },
  /** Follows a market with the Promise client's iterator. */
  followWithPromises: (baseUrl: string, market: "CEA_CASH" | "SWAP") => {
    const niha = PromiseClient.createClient({ baseUrl })
    void (async () => {
      for await (const event of await niha.marketData.stream({ params: { market }, query: {} })) {
        promiseStream.events.push(event)
      }
    })().catch((error: unknown) => promiseStream.errors.push(String(error)))
  },
  /** Follows a market with `MarketStream.follow` on the Effect client. */
  followWithEffect: (baseUrl: string, market: "CEA_CASH" | "SWAP") => {
    Effect.runFork(
      MarketStream.follow(market).pipe(
        Stream.runForEach((event) => Effect.sync(() => effectStream.events.push(event))),
        Effect.catchCause((cause) => Effect.sync(() => effectStream.errors.push(String(cause)))),
        Effect.provide(NihaClient.layer({ baseUrl }))
      )
    )
  }
}

/** What the suite calls in the page. */
export type Api = typeof api

Object.assign(globalThis, { nihaTest: api })
