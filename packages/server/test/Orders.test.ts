/**
 * The `Orders` service on a real database: a funded buyer takes two sellers' offers at two
 * prices, rests and cancels, and tries IOC, FOK, post-only and budget orders; every
 * balance, lock, fee and platform account is checked to the cent after each step, the
 * ledger's `verify` is clean at the end, and a writer that forgets its book rebuilds the
 * same book from the stored commands.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger, Migrations, Repository } from "@niha/db"
import { Errors, Rate } from "@niha/domain"
import { Admin, Fees, MarketWriter, Orders, Password } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { assertBookRebuilds, holdingOf, limitOrder, orderServices } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const platform = (name: Ledger.PlatformAccountName, asset: "EUR" | "CEA" | "EUA") =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Ledger.make(sql).platformBalance(name, asset))

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the Orders service [${backend}]`, () => {
    it.effect(
      "uses the fee schedule in force at each batch on every instance: an admin's change is seen at once",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const database = yield* TestServer.freshDatabase(backend)
          const base = yield* Layer.build(
            Fees.layer.pipe(
              Layer.provideMerge(Repository.Repositories.layer),
              Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
            )
          )
          // Two instances on one database: each its own writer and order service.
          const instance = () =>
            Layer.build(
              Orders.Orders.layer.pipe(
                Layer.provide(MarketWriter.MarketWriter.layer({ anonymitySecret: "orders-test" }))
              )
            ).pipe(Effect.provideContext(base))
          const one = yield* instance()
          const two = yield* instance()
          yield* Effect.gen(function*() {
            const fees = yield* Fees.Fees
            const created = yield* Admin.ensureFirst("admin@orders-fees.test").pipe(
              Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
            )
            if (created === undefined) return yield* Effect.die("no admin was made")
            const admin = created.user
            const buyer = yield* trader("Fee Buyer", "CEA", { EUR: 1_000_000 })
            // Bids that rest (no seller): the rate each was placed with is on the order.
            const rateOn = (on: typeof one) =>
              Effect.map(
                Effect.flatMap(Orders.Orders, (orders) => orders.place(buyer.user, limitOrder("BUY", "1", "10.00"))),
                (placed) => placed.order.fee_rate
              ).pipe(Effect.provideContext(on))
            assert.deepStrictEqual([yield* rateOn(one), yield* rateOn(two)], [0, 0])
            const config = yield* fees.createConfig(admin, {
              market: "CEA_CASH",
              buyer_rate: Rate.Ppm.make(2500),
              seller_rate: Rate.Ppm.make(1000)
            })
            assert.deepStrictEqual([yield* rateOn(two), yield* rateOn(one)], [2500, 2500])
            yield* fees.changeConfig(admin, config.id, { buyer_rate: Rate.Ppm.make(4000) })
            assert.deepStrictEqual([yield* rateOn(one), yield* rateOn(two)], [4000, 4000])
            const override = yield* fees.createOverride(admin, {
              entity_id: buyer.entityId,
              market: "CEA_CASH",
              buyer_rate: Rate.Ppm.make(500)
            })
            assert.deepStrictEqual([yield* rateOn(two), yield* rateOn(one)], [500, 500])
            yield* fees.deactivateOverride(admin, override.id)
            yield* fees.deactivateConfig(admin, config.id)
            assert.deepStrictEqual([yield* rateOn(one), yield* rateOn(two)], [0, 0])
          }).pipe(Effect.provideContext(base))
        }))
    )

    it.effect(
      "fills at two prices with exact fees, rests, cancels, and refuses what it must",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "orders-test", snapshotEvery: 4 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            yield* sql`
            INSERT INTO trading_fee_configs (market, buyer_rate, seller_rate) VALUES ('CEA_CASH', 0.0025, 0.001)`
            const buyer = yield* trader("Buyer Energy", "CEA", { EUR: 1_000_000 })
            const first = yield* trader("First Seller", "CEA", { CEA: 1000 })
            const second = yield* trader("Second Seller", "CEA", { CEA: 1000 })

            // Two offers rest, their allowances locked.
            const ask1 = yield* orders.place(first.user, limitOrder("SELL", "100", "12.00"))
            const ask2 = yield* orders.place(second.user, limitOrder("SELL", "100", "12.50"))
            assert.strictEqual(ask1.order.status, "OPEN")
            assert.deepStrictEqual(yield* holdingOf(first.entityId, "CEA"), { available: 900, locked: 100 })

            // The buyer takes both at their prices. Its lock was 150 x 12.50 + 0.25% = 1879.69;
            // fees on its cumulative notional: 1200.00 -> 3.00, 1825.00 -> 4.5625 -> 4.56.
            const bought = yield* orders.place(buyer.user, limitOrder("BUY", "150", "12.50"))
            assert.strictEqual(bought.order.status, "FILLED")
            assert.strictEqual(bought.order.filled_quantity, 150)
            assert.strictEqual(bought.order.locked_amount, 187_969)
            assert.strictEqual(bought.order.filled_notional, 182_500)
            assert.strictEqual(bought.order.fees_paid, 456)
            assert.deepStrictEqual(
              bought.fills.map((fill) => [fill.price, fill.quantity, fill.notional, fill.fee, fill.liquidity]),
              [["12.00", "100", "1200.00", "3.00", "TAKER"], ["12.50", "50", "625.00", "1.56", "TAKER"]]
            )
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), { available: 817_044, locked: 0 })
            // The allowances wait for settlement; the buyer holds none yet.
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "CEA"), { available: 0, locked: 0 })
            assert.strictEqual(yield* platform("SETTLEMENT_PENDING", "CEA"), 150n)
            // Sellers: notional less 0.10% (1.20, and 0.625 -> 0.63).
            assert.deepStrictEqual(yield* holdingOf(first.entityId, "EUR"), { available: 119_880, locked: 0 })
            assert.deepStrictEqual(yield* holdingOf(first.entityId, "CEA"), { available: 900, locked: 0 })
            assert.deepStrictEqual(yield* holdingOf(second.entityId, "EUR"), { available: 62_437, locked: 0 })
            assert.deepStrictEqual(yield* holdingOf(second.entityId, "CEA"), { available: 900, locked: 50 })
            assert.strictEqual(yield* platform("FEES", "EUR"), 456n + 120n + 63n)
            const makerView = yield* orders.get(second.user, ask2.order.id)
            assert.strictEqual(makerView.order.status, "PARTIALLY_FILLED")
            assert.deepStrictEqual(makerView.fills.map((fill) => [fill.fee, fill.liquidity]), [["0.63", "MAKER"]])
            const batches = yield* sql<{ entity_id: string; quantity: string; status: string; expected: string }>`
            SELECT entity_id, quantity::text AS quantity, status, expected_settlement_date::text AS expected
            FROM settlement_batches ORDER BY settlement_batches.quantity DESC`
            assert.deepStrictEqual(batches.map((batch) => [batch.entity_id, batch.quantity, batch.status]), [
              [buyer.entityId, "100", "PENDING"],
              [buyer.entityId, "50", "PENDING"]
            ])
            const [stage] = yield* sql<{ role: string }>`SELECT role FROM users WHERE id = ${buyer.user.id}`
            assert.strictEqual(stage?.role, "CEA_SETTLE")

            // A bid that does not cross rests with its lock, and a cancel returns all of it.
            const bid = yield* orders.place(buyer.user, limitOrder("BUY", "100", "12.40"))
            assert.strictEqual(bid.order.status, "OPEN")
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), { available: 692_734, locked: 124_310 })
            const cancelled = yield* orders.cancel(buyer.user, bid.order.id)
            assert.strictEqual(cancelled.order.status, "CANCELLED")
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), { available: 817_044, locked: 0 })
            // Cancelling again is a move the machine refuses.
            assert.instanceOf(yield* Effect.flip(orders.cancel(buyer.user, bid.order.id)), Errors.InvalidTransition)

            // The second seller cancels the rest of its offer: 50 tonnes come back.
            yield* orders.cancel(second.user, ask2.order.id)
            assert.deepStrictEqual(yield* holdingOf(second.entityId, "CEA"), { available: 950, locked: 0 })

            // IOC on an empty book: nothing trades, the order ends cancelled, the lock comes back.
            const ioc = yield* orders.place(buyer.user, limitOrder("BUY", "10", "13.00", { time_in_force: "IOC" }))
            assert.strictEqual(ioc.order.status, "CANCELLED")
            assert.strictEqual(ioc.fills.length, 0)
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), { available: 817_044, locked: 0 })

            // A FOK that cannot fill and a post-only that would cross change nothing.
            yield* orders.place(first.user, limitOrder("SELL", "10", "12.00"))
            const before = yield* holdingOf(buyer.entityId, "EUR")
            const fok = yield* Effect.flip(
              orders.place(buyer.user, limitOrder("BUY", "20", "12.00", { time_in_force: "FOK" }))
            )
            assert.instanceOf(fok, Errors.OrderRejected)
            assert.strictEqual(fok._tag === "OrderRejected" ? fok.reason : "", "FOK_NOT_FILLABLE")
            const post = yield* Effect.flip(
              orders.place(buyer.user, limitOrder("BUY", "5", "12.00", { post_only: true }))
            )
            assert.strictEqual(post._tag === "OrderRejected" ? post.reason : "", "POST_ONLY_WOULD_CROSS")
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), before)

            // A market buy bounded by a budget of 60.00 takes 5 tonnes at 12.00; the rest expires.
            const market = yield* orders.place(buyer.user, {
              market: "CEA_CASH",
              side: "BUY",
              type: "MARKET",
              quantity: "100",
              budget: "60.00"
            })
            assert.strictEqual(market.order.status, "CANCELLED")
            assert.strictEqual(market.order.filled_quantity, 5)
            // 60.00 + fee(60.00 at 0.25%) = 0.15
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), {
              available: before.available - 6000 - 15,
              locked: 0
            })

            // Insufficient funds and bad input change nothing.
            const poor = yield* Effect.flip(orders.place(buyer.user, limitOrder("BUY", "100000", "100.00")))
            assert.instanceOf(poor, Errors.InsufficientFunds)
            for (
              const bad of [
                limitOrder("BUY", "0", "12.00"),
                limitOrder("BUY", "-1", "12.00"),
                limitOrder("BUY", "1.5", "12.00"),
                limitOrder("BUY", "10", "12.001"),
                limitOrder("BUY", "10", "abc"),
                limitOrder("BUY", "10", "2000.00"),
                { market: "CEA_CASH" as const, side: "BUY" as const, type: "LIMIT" as const, quantity: "10" }
              ]
            ) {
              assert.instanceOf(yield* Effect.flip(orders.place(buyer.user, bad)), Errors.ValidationFailed)
            }
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "EUR"), {
              available: before.available - 6015,
              locked: 0
            })

            // Another entity's order is unknown to a client.
            assert.instanceOf(yield* Effect.flip(orders.get(first.user, bought.order.id)), Errors.NotFound)
            assert.instanceOf(yield* Effect.flip(orders.cancel(first.user, bought.order.id)), Errors.NotFound)

            // Placement is idempotent by client reference; the same reference with other fields conflicts.
            const once = yield* orders.place(buyer.user, {
              ...limitOrder("BUY", "1", "11.00"),
              client_reference: "r-1"
            })
            const again = yield* orders.place(buyer.user, {
              ...limitOrder("BUY", "1", "11.00"),
              client_reference: "r-1"
            })
            assert.strictEqual(again.order.id, once.order.id)
            assert.instanceOf(
              yield* Effect.flip(
                orders.place(buyer.user, { ...limitOrder("BUY", "2", "11.00"), client_reference: "r-1" })
              ),
              Errors.Conflict
            )

            // A client below CEA may not trade.
            const early = yield* trader("Early Client", "CEA", {})
            yield* sql`UPDATE users SET role = 'AML' WHERE id = ${early.user.id}`
            const notYet = { ...early.user, role: "AML" as const }
            assert.instanceOf(
              yield* Effect.flip(orders.place(notYet, limitOrder("BUY", "1", "11.00"))),
              Errors.NotPermitted
            )

            // Amends: a smaller open quantity keeps the order's place, a lower bid is fine, a
            // larger quantity or a higher bid would need more locked and is refused.
            const resting = yield* orders.place(buyer.user, limitOrder("BUY", "100", "10.40"))
            const lockedBefore = (yield* holdingOf(buyer.entityId, "EUR")).locked
            const smaller = yield* orders.amend(buyer.user, resting.order.id, { quantity: "60" })
            assert.strictEqual(smaller.order.quantity, 60)
            assert.strictEqual(smaller.order.status, "OPEN")
            const lower = yield* orders.amend(buyer.user, resting.order.id, { price: "10.30" })
            assert.strictEqual(lower.order.price, 1030)
            assert.instanceOf(
              yield* Effect.flip(orders.amend(buyer.user, resting.order.id, { price: "10.50" })),
              Errors.Conflict
            )
            assert.instanceOf(
              yield* Effect.flip(orders.amend(buyer.user, resting.order.id, { quantity: "61" })),
              Errors.Conflict
            )
            // The lock stays as placed until the order leaves the book.
            assert.strictEqual((yield* holdingOf(buyer.entityId, "EUR")).locked, lockedBefore)
            // A seller amends its offer down to the bids: it trades at once, as the taker, first
            // with the best bid (1 t at 11.00 rests from above), then with the amended one.
            const offer = yield* orders.place(second.user, limitOrder("SELL", "10", "13.00"))
            const crossed = yield* orders.amend(second.user, offer.order.id, { price: "10.30" })
            assert.strictEqual(crossed.order.status, "FILLED")
            assert.deepStrictEqual(crossed.fills.map((fill) => [fill.price, fill.quantity, fill.liquidity]), [
              ["11.00", "1", "TAKER"],
              ["10.30", "9", "TAKER"]
            ])
            const bidAfter = yield* orders.get(buyer.user, resting.order.id)
            assert.strictEqual(bidAfter.order.status, "PARTIALLY_FILLED")
            assert.strictEqual(bidAfter.order.filled_quantity, 9)
            assert.deepStrictEqual(bidAfter.fills.map((fill) => fill.liquidity), ["MAKER"])
            yield* orders.cancel(buyer.user, resting.order.id)
            assert.strictEqual((yield* holdingOf(buyer.entityId, "EUR")).locked, 0)

            // The book is a cache of the stored commands: forgotten, it is rebuilt the same.
            yield* assertBookRebuilds("CEA_CASH")
            const [snapshots] = yield* sql<{ count: number }>`SELECT count(*)::int AS count FROM market_snapshots`
            assert.isAbove(snapshots?.count ?? 0, 0)

            const report = yield* Ledger.make(sql).verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provide(context))
        })),
      60_000
    )

    it.effect(
      "trades EUA for CEA in the SWAP market, rounding each fill's notional half-up to the tonne",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "orders-test", snapshotEvery: 4 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            yield* sql`INSERT INTO trading_fee_configs (market, buyer_rate, seller_rate) VALUES ('SWAP', 0.01, 0)`
            const buyer = yield* trader("Swap Buyer", "SWAP", { CEA: 10_000 })
            const seller = yield* trader("Swap Seller", "SWAP", { EUA: 1_000 })
            const swap = (side: "BUY" | "SELL", quantity: string, price: string) => ({
              market: "SWAP" as const,
              side,
              type: "LIMIT" as const,
              quantity,
              price
            })
            // Each fill's CEA notional rounds half-up on its own: 1 x 1.5001 -> 2, 2 x 1.5001 -> 3.
            yield* orders.place(seller.user, swap("SELL", "1", "1.5001"))
            yield* orders.place(seller.user, swap("SELL", "2", "1.5001"))
            // The buy locks 3 x 1.5001 = 4.5003 plus half a tonne per tonne for that rounding,
            // floor(4.5003 + 1.5) = 6, plus 1% of 6 half-up (0.06 -> 0): 6 in all.
            const bought = yield* orders.place(buyer.user, swap("BUY", "3", "1.5001"))
            assert.strictEqual(bought.order.status, "FILLED")
            assert.strictEqual(bought.order.locked_amount, 6)
            assert.deepStrictEqual(bought.fills.map((fill) => [fill.quantity, fill.notional, fill.fee]), [
              ["1", "2", "0"],
              ["2", "3", "0"]
            ])
            // Fees on the cumulative notional: 2 -> 0.02 -> 0, then 5 -> 0.05 -> 0.
            assert.strictEqual(bought.order.filled_notional, 5)
            assert.deepStrictEqual(yield* holdingOf(buyer.entityId, "CEA"), { available: 9_995, locked: 0 })
            assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 5, locked: 0 })
            assert.deepStrictEqual(yield* holdingOf(seller.entityId, "EUA"), { available: 997, locked: 0 })
            assert.strictEqual(yield* platform("SETTLEMENT_PENDING", "EUA"), 3n)
            const [batch] = yield* sql<{ settlement_type: string; asset_type: string }>`
              SELECT settlement_type, asset_type FROM settlement_batches LIMIT 1`
            assert.deepStrictEqual(batch, { settlement_type: "SWAP_CEA_TO_EUA", asset_type: "EUA" })
            const [stage] = yield* sql<{ role: string }>`SELECT role FROM users WHERE id = ${buyer.user.id}`
            assert.strictEqual(stage?.role, "EUA_SETTLE")
            // A client at CEA may not trade in SWAP yet.
            const early = yield* trader("Early Swapper", "CEA", { CEA: 10 })
            assert.instanceOf(
              yield* Effect.flip(orders.place(early.user, swap("BUY", "1", "1.0000"))),
              Errors.NotPermitted
            )
            const report = yield* Ledger.make(sql).verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provide(context))
        })),
      60_000
    )

    it.effect(
      "commits the commands queued meanwhile in one transaction, and a refused one alone fails",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T09:00:00Z")))
          const context = yield* Layer.build(
            yield* orderServices(backend, { anonymitySecret: "orders-test", snapshotEvery: 4 })
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const rich = yield* trader("Rich Bidder", "CEA", { EUR: 10_000_000 })
            const poor = yield* trader("Poor Bidder", "CEA", { EUR: 100 })
            // Forty bids at once from the rich company, and ten the poor one cannot pay for.
            const placed = yield* Effect.forEach(
              [...Array.from({ length: 40 }, () => rich), ...Array.from({ length: 10 }, () => poor)],
              (who, index) =>
                Effect.result(orders.place(who.user, limitOrder("BUY", "1", (10 + index / 100).toFixed(2)))),
              { concurrency: "unbounded" }
            )
            const refused = placed.filter((result) => result._tag === "Failure")
            assert.strictEqual(placed.length - refused.length, 40)
            assert.strictEqual(refused.length, 10)
            for (const result of refused) {
              assert.instanceOf(result._tag === "Failure" ? result.failure : undefined, Errors.InsufficientFunds)
            }
            // Rows written by one transaction share its start time (now()): fewer transactions than commands.
            const [stats] = yield* sql<{ commands: number; transactions: number }>`
              SELECT count(*)::int AS commands, count(DISTINCT created_at)::int AS transactions FROM market_commands`
            assert.strictEqual(stats?.commands, 40)
            assert.isBelow(stats?.transactions ?? 40, 40)
            assert.deepStrictEqual(yield* holdingOf(poor.entityId, "EUR"), { available: 100, locked: 0 })
            const report = yield* Ledger.make(sql).verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provide(context))
        })),
      60_000
    )
  })
}
