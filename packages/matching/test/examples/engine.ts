import { Command, MatchingEngine, OrderBook } from "@niha/matching"
import { Effect } from "effect"

// The Effect service: the books of both markets, commands serialised per market.
export const program = Effect.gen(function*() {
  const engine = yield* MatchingEngine.MatchingEngine
  const events = yield* engine.submit("SWAP", [
    Command.limit({ seq: 1, timestamp: 0, orderId: "s-1", owner: "mm", side: "SELL", price: 71_500, quantity: 200 }),
    Command.limit({ seq: 2, timestamp: 1, orderId: "b-1", owner: "e-7", side: "BUY", price: 72_000, quantity: 50 })
  ])
  const best = yield* engine.read("SWAP", OrderBook.bestAsk) // 7.1500 CEA per EUA, 150 t left
  return { events, best }
}).pipe(Effect.provide(MatchingEngine.layer(MatchingEngine.defaultOptions("from-your-vault"))))
