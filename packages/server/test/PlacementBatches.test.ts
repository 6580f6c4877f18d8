/**
 * Placements written set-based by the market's writer (`Orders.place` as a writer group):
 * a batch is made deterministic by holding the writer with a command of its own while the
 * placements queue, then releasing it, so they all run in the next batch, in order.
 *
 * - A batch mixing accepted and refused placements: insufficient funds, a post-only that
 *   would cross, a client reference given twice (answered with the first order) and reused
 *   for other terms (`Conflict`), and a buy paid by a fill earlier in the same batch (left
 *   to the batch's second round); every balance, lock and fee exact to the cent, the
 *   accepted commands stored in one transaction, `verify` clean, and the book equal to a
 *   rebuild from the stored commands.
 * - A placement that fails unexpectedly (a trigger refuses its row): the batch fails, runs
 *   again one command per transaction, and only that placement fails; the book is rebuilt
 *   and equals the stored commands.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { Errors } from "@niha/domain"
import { MarketWriter, Orders } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError } from "effect/sql/SqlError"
import * as TestClock from "effect/testing/TestClock"
import { assertBookRebuilds, holdingOf, inOneBatch, limitOrder, orderServices } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const failureOf = <A, E>(result: Result.Result<A, E>): E | undefined =>
  Result.isFailure(result) ? result.failure : undefined

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`placements in one batch [${backend}]`, () => {
    it.effect(
      "refuses each bad placement alone, writes the rest set-based, and every balance is exact",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "batches-test", snapshotEvery: 3 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const ledger = Ledger.make(sql)
            yield* sql`
              INSERT INTO trading_fee_configs (market, buyer_rate, seller_rate) VALUES ('CEA_CASH', 0.0025, 0.001)`
            const buyer = yield* trader("Batch Buyer", "CEA", { EUR: 1_000_000 })
            const seller = yield* trader("Batch Seller", "CEA", { CEA: 100 })
            const poor = yield* trader("Batch Poor", "CEA", { EUR: 100 })
            const ask = yield* orders.place(seller.user, limitOrder("SELL", "10", "12.00"))
            const results = yield* inOneBatch([
              // Takes 4 of the ask: 48.00, fees 0.12 (buyer) and 0.05 (seller, 0.048 half-up).
              orders.place(buyer.user, limitOrder("BUY", "4", "12.00")),
              // Needs 12.03 with 1.00 available: refused, also in the batch's second round.
              orders.place(poor.user, limitOrder("BUY", "1", "12.00")),
              // Would cross the ask: refused by the engine, nothing locked.
              orders.place(buyer.user, limitOrder("BUY", "1", "12.00", { post_only: true })),
              // Rests at 11.00, locking 11.03; sent again it answers the same order.
              orders.place(buyer.user, limitOrder("BUY", "1", "11.00", { client_reference: "r1" })),
              orders.place(buyer.user, limitOrder("BUY", "1", "11.00", { client_reference: "r1" })),
              orders.place(buyer.user, limitOrder("BUY", "2", "11.00", { client_reference: "r1" })),
              // The seller had no EUR before the batch: the fill above pays 47.95 for this
              // bid's 11.53 (11.50 and 0.03 fee); it waits for the second round.
              orders.place(seller.user, limitOrder("BUY", "1", "11.50"))
            ])
            const [taken, short, crossing, first, again, other, paid] = results
            if (taken === undefined || first === undefined || again === undefined || paid === undefined) {
              return assert.fail("every placement is answered")
            }
            assert.isTrue(Result.isSuccess(taken), String(failureOf(taken)))
            assert.instanceOf(short === undefined ? undefined : failureOf(short), Errors.InsufficientFunds)
            assert.instanceOf(crossing === undefined ? undefined : failureOf(crossing), Errors.OrderRejected)
            assert.instanceOf(other === undefined ? undefined : failureOf(other), Errors.Conflict)
            if (Result.isFailure(taken) || Result.isFailure(first) || Result.isFailure(again)) {
              return assert.fail("accepted")
            }
            if (Result.isFailure(paid)) return assert.fail(`the paid bid is refused: ${String(paid.failure)}`)
            assert.strictEqual(taken.success.order.status, "FILLED")
            assert.deepStrictEqual(
              taken.success.fills.map((fill) => [fill.quantity, fill.price, fill.notional, fill.fee, fill.liquidity]),
              [["4", "12.00", "48.00", "0.12", "TAKER"]]
            )
            assert.strictEqual(again.success.order.id, first.success.order.id)
            assert.strictEqual(first.success.order.status, "OPEN")
            assert.strictEqual(paid.success.order.status, "OPEN")

            // Exact to the cent: 10,000.00 - 48.12 - 11.03 locked; the seller 47.95 - 11.53 locked.
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), { available: 994_085, locked: 1_103 })
            assert.deepStrictEqual(yield* holdingOf(seller.entityId, "EUR"), { available: 3_642, locked: 1_153 })
            assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 90, locked: 6 })
            assert.deepStrictEqual(yield* holdingOf(poor.entityId, "EUR"), { available: 100, locked: 0 })
            assert.strictEqual(yield* ledger.platformBalance("FEES", "EUR"), 17n)
            assert.strictEqual(yield* ledger.platformBalance("SETTLEMENT_PENDING", "CEA"), 4n)
            const askAfter = yield* orders.get(seller.user, ask.order.id)
            assert.strictEqual(askAfter.order.status, "PARTIALLY_FILLED")
            assert.strictEqual(askAfter.order.filled_quantity, 4)

            // The batch's three accepted commands were stored by one transaction (one now()),
            // in sequence after the ask's, with no gap.
            const commands = yield* sql<{ sequence: string; created_at: Date; order_id: string | null }>`
              SELECT sequence::text AS sequence, created_at, order_id FROM market_commands
              ORDER BY market_commands.sequence`
            assert.deepStrictEqual(commands.map((row) => Number(row.sequence)), [0, 1, 2, 3])
            assert.strictEqual(new Set(commands.slice(1).map((row) => row.created_at.getTime())).size, 1)
            const [rows] = yield* sql<{ orders: number; trades: number; batches: number; history: number }>`
              SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM cash_market_trades) AS trades,
                (SELECT count(*)::int FROM settlement_batches) AS batches,
                (SELECT count(*)::int FROM settlement_status_history) AS history`
            assert.deepStrictEqual(rows, { orders: 4, trades: 1, batches: 1, history: 1 })
            // One audit line per accepted placement, none for the refused ones.
            const [audited] = yield* sql<{ count: number }>`
              SELECT count(*)::int AS count FROM ticket_logs WHERE action = 'orders.place' AND status = 'SUCCESS'`
            assert.strictEqual(audited?.count, 4)
            // The buyer's first purchase moved it to CEA_SETTLE.
            const [stage] = yield* sql<
              { role: string }
            >`SELECT role::text AS role FROM users WHERE id = ${buyer.user.id}`
            assert.strictEqual(stage?.role, "CEA_SETTLE")

            yield* assertBookRebuilds("CEA_CASH")
            const report = yield* ledger.verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provide(context))
        })),
      60_000
    )

    it.effect(
      "fails only the placement that fails unexpectedly, and rebuilds the book",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "batches-test", snapshotEvery: 3 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const writer = yield* MarketWriter.MarketWriter
            // A fault the service cannot foresee: the database refuses one order's row.
            yield* sql.unsafe(`
              CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                IF NEW.client_reference = 'boom' THEN RAISE EXCEPTION 'boom'; END IF;
                RETURN NEW;
              END $$`)
            yield* sql.unsafe(`
              CREATE TRIGGER refuse_boom BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_boom()`)
            const buyer = yield* trader("Fault Buyer", "CEA", { EUR: 10_000 })
            const seller = yield* trader("Fault Seller", "CEA", { CEA: 10 })
            yield* orders.place(seller.user, limitOrder("SELL", "5", "20.00"))
            const results = yield* inOneBatch([
              orders.place(buyer.user, limitOrder("BUY", "1", "10.00")),
              orders.place(buyer.user, limitOrder("BUY", "1", "10.01", { client_reference: "boom" })),
              orders.place(buyer.user, limitOrder("BUY", "1", "10.02"))
            ])
            const [before, boom, after] = results
            assert.isTrue(before !== undefined && Result.isSuccess(before))
            assert.isTrue(after !== undefined && Result.isSuccess(after))
            const failure = boom === undefined ? undefined : failureOf(boom)
            assert.isTrue(isSqlError(failure), String(failure))

            // Nothing of the failed placement: two bids locked, sequences without a gap.
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), {
              available: 10_000 - 2_002,
              locked: 2_002
            })
            const stored = yield* sql<{ sequence: string }>`
              SELECT sequence::text AS sequence FROM market_commands ORDER BY market_commands.sequence`
            assert.deepStrictEqual(stored.map((row) => Number(row.sequence)), [0, 1, 2])
            const [count] = yield* sql<{ count: number }>`SELECT count(*)::int AS count FROM orders`
            assert.strictEqual(count?.count, 3)
            // The writer rebuilt its book after the failed batch: it equals the stored commands.
            const hash = yield* writer.hash("CEA_CASH")
            yield* writer.forget("CEA_CASH")
            assert.strictEqual(yield* writer.hash("CEA_CASH"), hash)
            // And it goes on: a later placement trades with the resting ask.
            const taken = yield* orders.place(buyer.user, limitOrder("BUY", "1", "20.00"))
            assert.strictEqual(taken.order.status, "FILLED")
            const report = yield* Ledger.make(sql).verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provide(context))
        })),
      60_000
    )
  })
}
