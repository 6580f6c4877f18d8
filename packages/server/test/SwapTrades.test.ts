/**
 * The `trades` rows of swaps (migration 13), on both backends through `Orders`: every SWAP
 * fill writes one row of type SWAP, in the statement that writes the fill (buyer and seller
 * entity, quantity, the rate in CEA per EUA, no EUR price or value, CONFIRMED, linked to its
 * fill); a CEA_CASH fill writes none (`cash_market_trades` is its record); the database
 * refuses a SWAP row without a rate and a second row for one fill.
 */
import { assert, describe, it } from "@effect/vitest"
import { Orders } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as SqlClient from "effect/sql/SqlClient"
import { limitOrder, orderServices } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the trades rows of swaps [${backend}]`, () => {
    it.live(
      "writes one SWAP row per SWAP fill with its rate, and none for a CEA_CASH fill",
      () =>
        Effect.gen(function*() {
          const layer = yield* orderServices(backend, { anonymitySecret: "swap-trades", snapshotEvery: 100 })
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const swapper = yield* trader("Swap Buyer", "SWAP", { CEA: 1_000, EUR: 100_000 })
            const offerer = yield* trader("Swap Offerer", "SWAP", { EUA: 100, CEA: 10 })
            yield* orders.place(offerer.user, limitOrder("SELL", "30", "1.2500", { market: "SWAP" }))
            yield* orders.place(offerer.user, limitOrder("SELL", "30", "1.3000", { market: "SWAP" }))
            const swapped = yield* orders.place(swapper.user, limitOrder("BUY", "50", "1.3000", { market: "SWAP" }))
            assert.deepStrictEqual(swapped.fills.map((fill) => [fill.quantity, fill.price]), [["30", "1.2500"], [
              "20",
              "1.3000"
            ]])
            // A CEA_CASH fill: no trades row.
            yield* orders.place(offerer.user, limitOrder("SELL", "10", "10.00"))
            yield* orders.place(swapper.user, limitOrder("BUY", "10", "10.00"))

            const rows = yield* sql<Record<string, string | boolean | null>>`
            SELECT trade_type::text, certificate_type::text, buyer_entity_id::text, seller_entity_id::text,
              quantity::text, rate::text, price_per_tonne::text AS price, total_value::text AS total, status::text,
              cash_market_trade_id::text AS fill, confirmed_at IS NOT NULL AS confirmed
            FROM trades ORDER BY rate`
            assert.deepStrictEqual(
              rows.map((row) => ({ ...row })),
              swapped.fills.map((fill) => ({
                trade_type: "SWAP",
                certificate_type: "EUA",
                buyer_entity_id: swapper.entityId,
                seller_entity_id: offerer.entityId,
                quantity: fill.quantity,
                rate: fill.price,
                price: null,
                total: null,
                status: "CONFIRMED",
                fill: fill.trade_id,
                confirmed: true
              }))
            )

            // The database keeps the shape: a SWAP row needs a rate, a fill has one row at most.
            const noRate = yield* Effect.exit(sql`
            INSERT INTO trades (trade_type, certificate_type, quantity, status)
            VALUES ('SWAP', 'EUA', 1, 'PENDING')`)
            assert.isTrue(Exit.isFailure(noRate))
            const first = swapped.fills[0]
            if (first === undefined) return assert.fail("a fill")
            const twice = yield* Effect.exit(sql`
            INSERT INTO trades (trade_type, certificate_type, quantity, rate, cash_market_trade_id, status)
            VALUES ('SWAP', 'EUA', 1, 1.25, ${first.trade_id}, 'PENDING')`)
            assert.isTrue(Exit.isFailure(twice))
          }).pipe(Effect.provide(layer))
        }).pipe(Effect.scoped),
      { timeout: 120_000 }
    )
  })
}
