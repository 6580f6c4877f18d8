/**
 * Trading through the SDK against a started server, on both backends: two companies
 * funded through the API (EUR by a cleared deposit, allowances by an admin's adjustment),
 * a sell side resting at two prices, a buy taking both, a resting bid cancelled, a
 * fill-or-kill and a post-only refused, insufficient funds refused, another entity's
 * order a 404, and a placement repeated with its `Idempotency-Key` placed once. Every
 * balance is checked after every step.
 */
import { assert, describe, layer } from "@effect/vitest"
import type { OrdersApi } from "@niha/sdk"
import * as Effect from "effect/Effect"
import { call, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

const limit = (
  side: "BUY" | "SELL",
  quantity: string,
  price: string,
  extra: Partial<OrdersApi.PlaceOrder> = {}
): OrdersApi.PlaceOrder => ({ market: "CEA_CASH", side, type: "LIMIT", quantity, price, ...extra })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`trading through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("buys CEA from a funded seller at two prices, cancels, and refuses what it must", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bea@buyer.example", "Buyer Power SA", 1_000_000)
          const seller = yield* tradingCompany(server, "sol@seller.example", "Seller Carbon Ltd", 1)
          const admin = buyer.admin

          // Allowances reach the seller's account by an admin's adjustment; a client may not adjust.
          const refused = yield* failure(() =>
            seller.client.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "1000", reason: "self-service" }
            })
          )
          assert.strictEqual(refused.status, 403)
          const adjusted = yield* call(() =>
            admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "1000", reason: "delivered to the registry account" },
              headers: { "idempotency-key": "adjust-seller-1" }
            })
          )
          assert.strictEqual(Number(adjusted.available), 1000)
          // The same key again adjusts once.
          yield* call(() =>
            admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "1000", reason: "delivered to the registry account" },
              headers: { "idempotency-key": "adjust-seller-1" }
            })
          )
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "CEA"), {
            available: 1000,
            locked: 0
          })
          const overdraw = yield* failure(() =>
            admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "-5000", reason: "correction" }
            })
          )
          assert.strictEqual(overdraw.code, "insufficient_funds")

          // Two offers rest.
          const ask1 = yield* call(() => seller.client.orders.placeOrder({ payload: limit("SELL", "100", "12.00") }))
          yield* call(() => seller.client.orders.placeOrder({ payload: limit("SELL", "100", "12.50") }))
          assert.strictEqual(ask1.order.status, "OPEN")
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "CEA"), {
            available: 800,
            locked: 200
          })

          // The buy takes 100 at 12.00 and 50 at 12.50, with its fills in the answer.
          const bought = yield* call(() =>
            buyer.client.orders.placeOrder({
              payload: limit("BUY", "150", "12.50"),
              headers: { "idempotency-key": "buy-1" }
            })
          )
          assert.strictEqual(bought.order.status, "FILLED")
          assert.deepStrictEqual(bought.fills.map((fill) => [fill.price, fill.quantity, fill.notional]), [
            ["12.00", "100", "1200.00"],
            ["12.50", "50", "625.00"]
          ])
          // Sent again with its key, the placement answers the same order and buys nothing more.
          const replayed = yield* call(() =>
            buyer.client.orders.placeOrder({
              payload: limit("BUY", "150", "12.50"),
              headers: { "idempotency-key": "buy-1" }
            })
          )
          assert.strictEqual(replayed.order.id, bought.order.id)
          // One ticket per placement, the batch's own (with the order), and none from the request
          // layer on top; the replay, which wrote nothing, leaves the request's ticket.
          const ofBought = yield* call(() => admin.audit.listTickets({ query: { subject_id: bought.order.id } }))
          assert.deepStrictEqual(ofBought.data.map((ticket) => ticket.action), ["orders.place"])
          const ofRequests = yield* call(() => admin.audit.listTickets({ query: { action: "POST /orders" } }))
          assert.deepStrictEqual(ofRequests.data.map((ticket) => ticket.status), ["SUCCESS"])
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 182_500,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "EUR"), {
            available: 1 + 182_500,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "CEA"), {
            available: 800,
            locked: 50
          })
          assert.strictEqual((yield* call(() => buyer.client.account.me())).user.role, "CEA_SETTLE")

          // A bid rests with its lock and is cancelled with all of it back.
          const bid = yield* call(() => buyer.client.orders.placeOrder({ payload: limit("BUY", "10", "12.00") }))
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 182_500 - 12_000,
            locked: 12_000
          })
          const cancelled = yield* call(() => buyer.client.orders.cancelOrder({ params: { id: bid.order.id } }))
          assert.strictEqual(cancelled.order.status, "CANCELLED")
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 182_500,
            locked: 0
          })

          // Refusals change nothing.
          const fok = yield* failure(() =>
            buyer.client.orders.placeOrder({ payload: limit("BUY", "500", "12.50", { time_in_force: "FOK" }) })
          )
          assert.strictEqual(fok.status, 409)
          assert.strictEqual(fok.code, "order_rejected")
          const post = yield* failure(() =>
            buyer.client.orders.placeOrder({ payload: limit("BUY", "5", "12.50", { post_only: true }) })
          )
          assert.strictEqual(post.code, "order_rejected")
          const poor = yield* failure(() =>
            buyer.client.orders.placeOrder({ payload: limit("BUY", "100000", "100.00") })
          )
          assert.strictEqual(poor.code, "insufficient_funds")
          const bad = yield* failure(() => buyer.client.orders.placeOrder({ payload: limit("BUY", "10", "12.001") }))
          assert.strictEqual(bad.status, 400)
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 182_500,
            locked: 0
          })

          // Another entity's order is a 404; the owner lists its own.
          const hidden = yield* failure(() => seller.client.orders.getOrder({ params: { id: bought.order.id } }))
          assert.strictEqual(hidden.status, 404)
          const listed = yield* call(() => buyer.client.orders.listOrders({ query: { market: "CEA_CASH" } }))
          assert.deepStrictEqual(listed.data.map((order) => order.status), ["FILLED", "CANCELLED"])
          const filled = yield* call(() => buyer.client.orders.listOrders({ query: { status: "FILLED" } }))
          assert.deepStrictEqual(filled.data.map((order) => order.id), [bought.order.id])
          const one = yield* call(() => buyer.client.orders.getOrder({ params: { id: bought.order.id } }))
          assert.strictEqual(one.fills.length, 2)

          // Cancel-all takes back every resting order of the entity in the market, and only those.
          yield* call(() => buyer.client.orders.placeOrder({ payload: limit("BUY", "10", "11.00") }))
          const twenty = yield* call(() => buyer.client.orders.placeOrder({ payload: limit("BUY", "20", "11.50") }))
          const fifteen = yield* call(() =>
            buyer.client.orders.amendOrder({ params: { id: twenty.order.id }, payload: { quantity: "15" } })
          )
          assert.strictEqual(fifteen.order.quantity, 15)
          const larger = yield* failure(() =>
            buyer.client.orders.amendOrder({ params: { id: twenty.order.id }, payload: { quantity: "30" } })
          )
          assert.strictEqual(larger.status, 409)
          const theirs = yield* call(() => seller.client.orders.placeOrder({ payload: limit("SELL", "5", "13.00") }))
          const all = yield* call(() => buyer.client.orders.cancelAll({ payload: { market: "CEA_CASH" } }))
          assert.deepStrictEqual(all.cancelled.map((order) => [order.quantity, order.status]), [
            [10, "CANCELLED"],
            [15, "CANCELLED"]
          ])
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 182_500,
            locked: 0
          })
          const still = yield* call(() => seller.client.orders.getOrder({ params: { id: theirs.order.id } }))
          assert.strictEqual(still.order.status, "OPEN")
          const none = yield* call(() => buyer.client.orders.cancelAll({ payload: { market: "CEA_CASH" } }))
          assert.deepStrictEqual(none.cancelled, [])
        }))
    })
  })
}
