/**
 * A seller's orders in one batch of the writer with a buyer's (`Orders` on both backends):
 * the seller's first order reserves two lots, the buyer's order in the same batch fills it
 * (a lot whole, the other split), the filled order releases the rest of its lots, and the
 * seller's second order, whose lots were all reserved when the round read them, waits for
 * the next round, which finds the released lot too small: a `Conflict` that writes nothing.
 * Every balance is exact and `verify` is clean.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger, Repository } from "@niha/db"
import { Errors, type Ids, type Parties } from "@niha/domain"
import { Orders } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { inOneBatch, limitOrder, orderServices } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`a seller's orders in a batch [${backend}]`, () => {
    it.effect(
      "reserves, fills, splits, releases and refuses within one batch",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "seller-batch", snapshotEvery: 100 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const repositories = yield* Repository.Repositories
            const [adminRow] = yield* sql<{ id: Ids.UserId }>`
            INSERT INTO users (email, first_name, last_name, role) VALUES ('desk@batch.test', 'Ada', 'Admin', 'ADMIN')
            RETURNING id`
            if (adminRow === undefined) return assert.fail("an admin")
            const admin: Parties.User = yield* Effect.orDie(repositories.users.findById(adminRow.id))
            const [seller] = yield* sql<{ id: Ids.SellerId }>`
            INSERT INTO sellers (name, code, jurisdiction) VALUES ('Batch Seller', 'BAT-01', 'CN') RETURNING id`
            if (seller === undefined) return assert.fail("a seller")
            for (const [serial, quantity, at] of [["BAT-A", 30, "2026-11-01"], ["BAT-B", 30, "2026-11-02"]] as const) {
              yield* sql`
              WITH lot AS (
                INSERT INTO certificates (certificate_type, status, quantity, serial_number, vintage_year, created_at)
                VALUES ('CEA', 'AVAILABLE', ${quantity}, ${serial}, 2025, ${at}) RETURNING id)
              INSERT INTO seller_certificates (seller_id, certificate_id) SELECT ${seller.id}, id FROM lot`
            }
            const buyer = yield* trader("Batch Lot Buyer", "CEA", { EUR: 100_000 })

            const [first, bought, second] = yield* inOneBatch([
              orders.placeForSeller(admin, seller.id, limitOrder("SELL", "40", "10.00")),
              orders.place(buyer.user, limitOrder("BUY", "40", "10.00")),
              orders.placeForSeller(admin, seller.id, limitOrder("SELL", "30", "11.00"))
            ])
            if (first === undefined || bought === undefined || second === undefined) return assert.fail("three")
            if (Result.isFailure(first) || Result.isFailure(bought)) return assert.fail("placed")
            assert.strictEqual(bought.success.order.status, "FILLED")
            assert.strictEqual(bought.success.fills.length, 1)
            // The second order waited for the next round: lot B's 20 t left do not cover 30 t.
            assert.isTrue(Result.isFailure(second) && second.failure instanceof Errors.Conflict)
            const sellerOrders = yield* sql<{ id: string; status: string }>`
            SELECT id, status FROM orders WHERE seller_id = ${seller.id}`
            assert.deepStrictEqual(sellerOrders.map((row) => ({ ...row })), [{
              id: first.success.order.id,
              status: "FILLED"
            }])

            const lots = yield* sql<{ serial: string; status: string; quantity: string; order_id: string | null }>`
            SELECT serial_number AS serial, status::text AS status, quantity::text AS quantity, order_id::text AS order_id
            FROM certificates ORDER BY serial_number`
            const orderId = first.success.order.id
            const fill = bought.success.fills[0]
            if (fill === undefined) return assert.fail("a fill")
            assert.deepStrictEqual(lots.map((row) => ({ ...row })), [
              { serial: "BAT-A", status: "RESERVED", quantity: "30", order_id: orderId },
              { serial: "BAT-B", status: "AVAILABLE", quantity: "20", order_id: null },
              { serial: lots[2]?.serial ?? "", status: "RESERVED", quantity: "10", order_id: orderId }
            ])
            assert.isTrue(lots[2]?.serial.startsWith("BAT-B/CEA_CASH-"))
            const allocated = yield* sql<{ serial: string }>`
            SELECT c.serial_number AS serial FROM certificate_allocations a
            JOIN certificates c ON c.id = a.certificate_id
            JOIN settlement_batches b ON b.id = a.settlement_batch_id
            WHERE b.cash_market_trade_id = ${fill.trade_id} AND a.released_at IS NULL ORDER BY c.serial_number`
            assert.deepStrictEqual(allocated.map((row) => row.serial), ["BAT-A", lots[2]?.serial ?? ""])

            const ledger = Ledger.make(sql)
            const holding = (yield* ledger.holdings(buyer.entityId)).find((row) => row.asset_type === "EUR")
            assert.deepStrictEqual([Number(holding?.available), Number(holding?.locked)], [60_000, 0])
            assert.strictEqual(yield* ledger.platformBalance("SETTLEMENT_PENDING", "CEA"), 40n)
            const report = yield* ledger.verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )
  })
}
