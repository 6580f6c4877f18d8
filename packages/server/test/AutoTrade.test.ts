/**
 * Auto-trade through the SDK against started servers: the recurring job keeps a two-sided
 * CEA book from spread_from_best rules of two market makers while a client trades against
 * it (both backends); a run with a given seed places the same orders on a fresh server and
 * other orders with another seed; rules are created by admins only, with the parameters of
 * their modes; a percentage_from_market rule quotes from a fresh market price and stops
 * when it is missing or stale (PostgreSQL, whose second connection writes the prices);
 * liquidity to target tops both sides up within the band and records each operation (both
 * backends); the ledger verifies clean afterwards (PostgreSQL).
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Ledger } from "@niha/db"
import type { AutoTradeApi, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import { adminOf, call, failure, staffWithPassword } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "240 seconds" } as const

/** A market maker of `type` for a new MM user, funded by the admin with `funds`. */
const fundedMaker = (
  server: TestServer.Running,
  admin: PromiseClient.Client,
  email: string,
  type: "CEA_SELLER" | "CEA_BUYER",
  funds: { readonly asset_type: "EUR" | "CEA"; readonly amount: string }
) =>
  Effect.gen(function*() {
    const staff = yield* staffWithPassword(server, email)
    const userId = (yield* call(() => staff.client.account.me())).user.id
    const maker = yield* call(() =>
      admin.marketMakers.createMarketMaker({ payload: { user_id: userId, name: `Desk ${email}`, mm_type: type } })
    )
    yield* call(() =>
      admin.ledger.adjust({ params: { id: maker.entity_id }, payload: { ...funds, reason: "market-maker inventory" } })
    )
    return { ...maker, client: staff.client }
  })

/** The ledger's `verify` beside the server (PostgreSQL only: PGlite is one session); true elsewhere. */
const ledgerClean = (server: TestServer.Running) =>
  server.backend !== "postgres" ? Effect.succeed(true) : Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return (yield* Ledger.make(sql).verify).ok
  }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)

/** Polls `check` every 200 ms until it answers true, for at most `seconds`. */
const eventually = (check: Effect.Effect<boolean>, seconds: number) =>
  Effect.gen(function*() {
    for (let attempt = 0; attempt < seconds * 5; attempt++) {
      if (yield* check) return true
      yield* Effect.sleep("200 millis")
    }
    return false
  })

const rule = (
  makerId: AutoTradeApi.CreateRule["market_maker_id"],
  name: string,
  terms: Partial<AutoTradeApi.CreateRule>
): AutoTradeApi.CreateRule => ({
  market_maker_id: makerId,
  name,
  market: "CEA_CASH",
  side: "SELL",
  is_enabled: true,
  price_mode: "fixed",
  quantity_mode: "fixed",
  interval_seconds: 1,
  ...terms
})

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`auto-trade on the job runner [${backend}]`, () => {
    layer(TestServer.layer(backend, { autoTradeInterval: "300 millis", autoTradeSeed: 1 }), live)((it) => {
      it.effect("spread_from_best rules keep a two-sided book while a client trades against it", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bea@buyer.example", "Buyer Power SA", 1_000_000)
          const admin = buyer.admin
          const seller = yield* fundedMaker(server, admin, "sam@maker.example", "CEA_SELLER", {
            asset_type: "CEA",
            amount: "10000"
          })
          const bidder = yield* fundedMaker(server, admin, "bob@maker.example", "CEA_BUYER", {
            asset_type: "EUR",
            amount: "50000.00"
          })

          // Only an admin makes rules, and a rule needs the parameters of its modes.
          const byStaff = yield* failure(() =>
            seller.client.autoTrade.createRule({
              payload: rule(seller.market_maker.id, "mine", { fixed_price: "12.00" })
            })
          )
          assert.strictEqual(byStaff.status, 403)
          const incomplete = yield* failure(() =>
            admin.autoTrade.createRule({
              payload: rule(seller.market_maker.id, "incomplete", { price_mode: "spread_from_best" })
            })
          )
          assert.strictEqual(incomplete.status, 400)

          // Each side starts from an order of its market maker, then the rules quote 1 % behind the best.
          yield* call(() =>
            admin.marketMakers.placeOrder({
              params: { id: seller.market_maker.id },
              payload: { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "10", price: "12.00" }
            })
          )
          yield* call(() =>
            admin.marketMakers.placeOrder({
              params: { id: bidder.market_maker.id },
              payload: { market: "CEA_CASH", side: "BUY", type: "LIMIT", quantity: "10", price: "11.00" }
            })
          )
          // A rule made disabled places nothing.
          const ask = yield* call(() =>
            admin.autoTrade.createRule({
              payload: rule(seller.market_maker.id, "ask", {
                fixed_price: "15.00",
                fixed_quantity: 5,
                is_enabled: false
              })
            })
          )
          assert.isFalse(ask.is_enabled)
          yield* call(() =>
            admin.autoTrade.createRule({
              payload: rule(bidder.market_maker.id, "bid", {
                side: "BUY",
                price_mode: "spread_from_best",
                spread: "0.01",
                quantity_mode: "fixed",
                fixed_quantity: 20
              })
            })
          )
          yield* call(() =>
            admin.autoTrade.createRule({
              payload: rule(seller.market_maker.id, "ask-spread", {
                price_mode: "spread_from_best",
                spread: "0.01",
                fixed_quantity: 20
              })
            })
          )

          const ordersOf = (id: typeof seller.market_maker.id) =>
            Effect.map(
              call(() => admin.marketMakers.listOrders({ params: { id }, query: { limit: 100 } })),
              (page) => page.data
            )
          // The job places for both without anyone asking.
          assert.isTrue(
            yield* eventually(
              Effect.map(
                Effect.all([ordersOf(seller.market_maker.id), ordersOf(bidder.market_maker.id)]),
                ([asks, bids]) => asks.length >= 2 && bids.length >= 2
              ),
              30
            )
          )
          const asks = yield* ordersOf(seller.market_maker.id)
          const auto = asks.filter((order) => order.client_reference?.startsWith("auto:") === true)
          assert.isAbove(auto.length, 0)
          for (const order of auto) {
            assert.strictEqual(order.price, 1212) // 12.00 + 1 %, in cents
            assert.strictEqual(order.quantity, 20)
          }
          const bids = (yield* ordersOf(bidder.market_maker.id)).filter((order) =>
            order.client_reference?.startsWith("auto:") === true
          )
          for (const order of bids) assert.strictEqual(order.price, 1089) // 11.00 - 1 %, in cents

          // The client takes the best ask; the book stays two-sided.
          const bought = yield* call(() =>
            buyer.client.orders.placeOrder({
              payload: { market: "CEA_CASH", side: "BUY", type: "LIMIT", quantity: "10", price: "12.00" }
            })
          )
          assert.strictEqual(bought.order.status, "FILLED")
          assert.isTrue(
            yield* eventually(
              Effect.map(
                call(() => buyer.client.marketData.top({ params: { market: "CEA_CASH" } })),
                (top) => top.bid !== null && top.ask !== null && top.ask.price === "12.12"
              ),
              30
            )
          )
          // The disabled rule never ran.
          const rules = yield* call(() => admin.autoTrade.listRules())
          assert.deepStrictEqual(rules.map((found) => found.name), ["ask", "ask-spread", "bid"])
          assert.isNull(rules[0]?.last_executed_at)
          assert.isFalse(
            (yield* ordersOf(seller.market_maker.id)).some((order) =>
              order.client_reference?.startsWith(`auto:${ask.id}`) === true
            )
          )
          assert.isTrue(yield* ledgerClean(server))
        }))
    })
  })
}

/** What the runs of a fresh server with `seed` place: rule name, side, price and quantity. */
const runsWithSeed = (seed: number) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* TestServer.start(TestServer.quickBackend, {
      autoTradeSeed: seed,
      autoTradeInterval: "1 hour"
    })
    const admin = (yield* adminOf(server)).client
    const seller = yield* fundedMaker(server, admin, "rae@maker.example", "CEA_SELLER", {
      asset_type: "CEA",
      amount: "100000"
    })
    const rules = [
      rule(seller.market_maker.id, "a-anchor", {
        fixed_price: "12.00",
        quantity_mode: "random_range",
        min_quantity: 5,
        max_quantity: 50
      }),
      rule(seller.market_maker.id, "b-random", {
        price_mode: "random_spread",
        min_spread: "0.01",
        max_spread: "0.05",
        quantity_mode: "random_range",
        min_quantity: 1,
        max_quantity: 100
      })
    ]
    const names = new Map<string, string>()
    for (const terms of rules) {
      const created = yield* call(() => admin.autoTrade.createRule({ payload: terms }))
      names.set(created.id, created.name)
    }
    const placed: Array<string> = []
    for (let run = 0; run < 3; run++) {
      if (run > 0) yield* Effect.sleep("1100 millis")
      for (const outcome of yield* call(() => admin.autoTrade.run())) {
        const order = outcome.order
        placed.push(
          order === null ?
            `${names.get(outcome.rule_id)} skipped ${outcome.skipped}` :
            `${names.get(outcome.rule_id)} ${order.side} ${order.quantity} @ ${order.price}`
        )
      }
    }
    return placed
  }))

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("auto-trade with a seed", () => {
  it.live(
    "places the same orders with the same seed, others with another",
    () =>
      Effect.gen(function*() {
        const first = yield* runsWithSeed(42)
        const again = yield* runsWithSeed(42)
        const other = yield* runsWithSeed(43)
        assert.strictEqual(first.length, 6)
        assert.isTrue(first.every((line) => !line.includes("skipped")), first.join("\n"))
        assert.deepStrictEqual(again, first)
        assert.notDeepEqual(other, first)
        // The anchor's quantity is drawn within its range at its fixed price.
        for (const line of first.filter((entry) => entry.startsWith("a-anchor"))) {
          const [, , quantity, , price] = line.split(" ")
          assert.strictEqual(price, "1200")
          assert.isTrue(Number(quantity) >= 5 && Number(quantity) <= 50, line)
        }
      }),
    { timeout: 240_000 }
  )
})

describe.skipIf(TestServer.postgresSkipReason !== undefined)("auto-trade from the market price [postgres]", () => {
  layer(TestServer.layer("postgres", { autoTradeInterval: "1 hour", autoTradePriceMaxAge: "1 hour" }), live)((it) => {
    it.effect("percentage_from_market quotes from a fresh price and stops on a stale or missing one", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = (yield* adminOf(server)).client
        const seller = yield* fundedMaker(server, admin, "pia@maker.example", "CEA_SELLER", {
          asset_type: "CEA",
          amount: "1000"
        })
        // The prices service fills price_history; here a second connection writes it.
        const price = (euros: string, hoursAgo: number) =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* sql`
              INSERT INTO price_history (certificate_type, price, currency, recorded_at)
              VALUES ('CEA', ${euros}, 'EUR', now() - make_interval(hours => ${hoursAgo}))`
          }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)
        yield* call(() =>
          admin.autoTrade.createRule({
            payload: rule(seller.market_maker.id, "market", {
              price_mode: "percentage_from_market",
              market_offset: "0.02",
              fixed_quantity: 10
            })
          })
        )
        const runOnce = Effect.gen(function*() {
          const [outcome] = yield* call(() => admin.autoTrade.run())
          yield* Effect.sleep("1100 millis")
          return outcome
        })
        // No price yet: nothing.
        assert.strictEqual((yield* runOnce)?.skipped, "no_reference")
        // Only a stale one: nothing.
        yield* price("10.0000", 2)
        assert.strictEqual((yield* runOnce)?.skipped, "no_reference")
        // A fresh one: 2 % above it.
        yield* price("10.5000", 0)
        const placed = yield* runOnce
        assert.strictEqual(placed?.order?.price, 1071)
        assert.strictEqual(placed?.order?.quantity, 10)
      }))
  })
})

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`liquidity to target [${backend}]`, () => {
    layer(TestServer.layer(backend, { autoTradeInterval: "1 hour" }), live)((it) => {
      it.effect("tops each side up to its target within the band, recording each operation", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "lou@buyer.example", "Liquid Buyer SA", 1_000_000)
          const admin = buyer.admin
          const seller = yield* fundedMaker(server, admin, "sal@maker.example", "CEA_SELLER", {
            asset_type: "CEA",
            amount: "1000"
          })
          const bidder = yield* fundedMaker(server, admin, "ben@maker.example", "CEA_BUYER", {
            asset_type: "EUR",
            amount: "50000.00"
          })
          const limit = (side: "BUY" | "SELL", quantity: string, price: string) =>
            ({ market: "CEA_CASH", side, type: "LIMIT", quantity, price }) as const
          yield* call(() =>
            admin.marketMakers.placeOrder({
              params: { id: bidder.market_maker.id },
              payload: limit("BUY", "10", "11.00")
            })
          )
          yield* call(() =>
            admin.marketMakers.placeOrder({
              params: { id: seller.market_maker.id },
              payload: limit("SELL", "10", "12.00")
            })
          )
          // A bid far below the band does not count towards the target.
          yield* call(() =>
            admin.marketMakers.placeOrder({
              params: { id: bidder.market_maker.id },
              payload: limit("BUY", "500", "5.00")
            })
          )
          const settings = { is_enabled: false, target_bid_quantity: 100, target_ask_quantity: 100 } as const
          const refused = yield* failure(() =>
            seller.client.autoTrade.setMarketSettings({
              params: { market: "CEA_CASH" },
              payload: { ...settings, max_price_deviation: "0.10" }
            })
          )
          assert.strictEqual(refused.status, 403)
          const noSettings = yield* failure(() =>
            admin.autoTrade.provideLiquidity({ params: { market: "SWAP" }, payload: {} })
          )
          assert.strictEqual(noSettings.status, 404)
          const saved = yield* call(() =>
            admin.autoTrade.setMarketSettings({
              params: { market: "CEA_CASH" },
              payload: { ...settings, max_price_deviation: "0.10" }
            })
          )
          assert.strictEqual(saved.target_bid_quantity, 100)

          // The book's midpoint (11.50) is the reference without a market price; the band is 10 % around it.
          const first = yield* call(() =>
            admin.autoTrade.provideLiquidity({ params: { market: "CEA_CASH" }, payload: { reason: "opening" } })
          )
          assert.deepStrictEqual(
            [first.placed_bid_quantity, first.placed_ask_quantity, first.orders_placed, first.reason],
            [90, 90, 2, "opening"]
          )
          const top = yield* call(() => admin.marketData.top({ params: { market: "CEA_CASH" } }))
          assert.deepStrictEqual([top.bid?.price, top.bid?.quantity, top.ask?.price, top.ask?.quantity], [
            "11.00",
            "100",
            "12.00",
            "100"
          ])
          // At target: nothing more, still recorded when asked.
          const again = yield* call(() =>
            admin.autoTrade.provideLiquidity({ params: { market: "CEA_CASH" }, payload: {} })
          )
          assert.deepStrictEqual([again.placed_bid_quantity, again.placed_ask_quantity, again.orders_placed], [0, 0, 0])

          // A client takes 60 of the ask; enabled, a run tops it up again.
          yield* call(() => buyer.client.orders.placeOrder({ payload: limit("BUY", "60", "12.00") }))
          yield* call(() =>
            admin.autoTrade.setMarketSettings({
              params: { market: "CEA_CASH" },
              payload: { ...settings, is_enabled: true, max_price_deviation: "0.10" }
            })
          )
          yield* call(() => admin.autoTrade.run())
          const after = yield* call(() => admin.marketData.top({ params: { market: "CEA_CASH" } }))
          assert.deepStrictEqual([after.ask?.price, after.ask?.quantity], ["12.00", "100"])
          assert.deepStrictEqual(yield* balanceOf(admin, seller.entity_id, "CEA"), { available: 840, locked: 100 })
          assert.isTrue(yield* ledgerClean(server))

          // What was set and done reads back: the settings by market, the operations oldest first, paged.
          const listed = yield* call(() => admin.autoTrade.listMarketSettings())
          assert.deepStrictEqual(listed.map((row) => [row.market, row.is_enabled, row.target_ask_quantity]), [
            ["CEA_CASH", true, 100]
          ])
          const operations = yield* call(() => admin.autoTrade.listLiquidityOperations({ query: {} }))
          assert.deepStrictEqual(
            operations.data.map((
              row
            ) => [row.reason, Number(row.placed_bid_quantity), Number(row.placed_ask_quantity)]),
            [["opening", 90, 90], ["requested by an admin", 0, 0], ["liquidity to target", 0, 60]]
          )
          assert.isFalse(operations.has_more)
          const firstPage = yield* call(() => admin.autoTrade.listLiquidityOperations({ query: { limit: 2 } }))
          assert.isTrue(firstPage.has_more)
          const secondPage = yield* call(() =>
            admin.autoTrade.listLiquidityOperations({
              query: { limit: 2, ...(firstPage.data[1] === undefined ? {} : { starting_after: firstPage.data[1].id }) }
            })
          )
          assert.deepStrictEqual(secondPage.data.map((row) => row.id), [operations.data[2]?.id])
          const swaps = yield* call(() => admin.autoTrade.listLiquidityOperations({ query: { market: "SWAP" } }))
          assert.deepStrictEqual(swaps.data, [])
          const notAdmin = yield* failure(() => seller.client.autoTrade.listLiquidityOperations({ query: {} }))
          assert.strictEqual(notAdmin.status, 403)
        }))

      it.effect("admins read, replace and delete a rule, each audited; a replacement needs its modes' parameters", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const admin = (yield* adminOf(server)).client
          const maker = yield* fundedMaker(server, admin, "rita@maker.example", "CEA_SELLER", {
            asset_type: "CEA",
            amount: "10"
          })
          const created = yield* call(() =>
            admin.autoTrade.createRule({
              payload: rule(maker.market_maker.id, "desk", {
                is_enabled: false,
                price_mode: "spread_from_best",
                spread: "0.01",
                fixed_quantity: 5
              })
            })
          )
          assert.deepStrictEqual(yield* call(() => admin.autoTrade.getRule({ params: { id: created.id } })), created)

          const { market_maker_id: _, ...terms } = rule(maker.market_maker.id, "desk fixed", {
            price_mode: "fixed",
            fixed_price: "13.00",
            quantity_mode: "random_range",
            min_quantity: 1,
            max_quantity: 3
          })
          const missing = yield* failure(() =>
            admin.autoTrade.updateRule({
              params: { id: created.id },
              payload: { ...terms, quantity_mode: "fixed" }
            })
          )
          assert.strictEqual(missing.status, 400)
          assert.deepStrictEqual(yield* call(() => admin.autoTrade.getRule({ params: { id: created.id } })), created)
          const refused = yield* failure(() =>
            maker.client.autoTrade.updateRule({ params: { id: created.id }, payload: terms })
          )
          assert.strictEqual(refused.status, 403)

          const replaced = yield* call(() => admin.autoTrade.updateRule({ params: { id: created.id }, payload: terms }))
          // Replaced whole: the old spread is cleared, the market maker kept, the schedule restarted.
          assert.deepStrictEqual(
            [
              replaced.name,
              replaced.price_mode,
              replaced.fixed_price,
              replaced.spread,
              replaced.quantity_mode,
              replaced.min_quantity,
              replaced.max_quantity,
              replaced.market_maker_id,
              replaced.is_enabled,
              replaced.next_execution_at
            ],
            ["desk fixed", "fixed", 1300, null, "random_range", 1, 3, maker.market_maker.id, true, null]
          )

          yield* call(() => admin.autoTrade.deleteRule({ params: { id: created.id } }))
          const gone = yield* failure(() => admin.autoTrade.getRule({ params: { id: created.id } }))
          assert.strictEqual(gone.status, 404)
          const again = yield* failure(() => admin.autoTrade.deleteRule({ params: { id: created.id } }))
          assert.strictEqual(again.status, 404)
          assert.notInclude((yield* call(() => admin.autoTrade.listRules())).map((one) => one.id), created.id)

          const trail = yield* call(() =>
            admin.audit.listTickets({ query: { subject_id: created.id, status: "SUCCESS" } })
          )
          assert.deepStrictEqual(trail.data.map((row) => row.action), [
            "auto_trade.create_rule",
            "auto_trade.update_rule",
            "auto_trade.delete_rule"
          ])
        }))
    })
  })
}
