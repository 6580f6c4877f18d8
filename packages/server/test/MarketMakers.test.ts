/**
 * Market makers through the SDK against a started server, on both backends: an admin makes
 * two market makers for two MM users (each with an entity of its own) and funds one with
 * allowances; its MM user sells to a client through the order path of clients (locks,
 * fees, ledger, idempotency); an MM user cannot act for another market maker nor for a
 * client's entity; a client cannot act for a market maker; an inactive one places nothing.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, failure, staffWithPassword } from "./support/Clients.ts"
import { limitOrder } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`market makers through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("a market maker sells to a client; nobody acts for an account it does not operate", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bea@buyer.example", "Buyer Power SA", 1_000_000)
          const admin = buyer.admin
          const mia = yield* staffWithPassword(server, "mia@maker.example")
          const max = yield* staffWithPassword(server, "max@maker.example")
          const miaId = (yield* call(() => mia.client.account.me())).user.id
          const maxId = (yield* call(() => max.client.account.me())).user.id
          const buyerUserId = (yield* call(() => buyer.client.account.me())).user.id

          // Only an admin creates one, for a user of role MM, one per user.
          const notAdmin = yield* failure(() =>
            mia.client.marketMakers.createMarketMaker({
              payload: { user_id: miaId, name: "Self Made", mm_type: "CEA_SELLER" }
            })
          )
          assert.strictEqual(notAdmin.status, 403)
          const clientUser = yield* failure(() =>
            admin.marketMakers.createMarketMaker({
              payload: { user_id: buyerUserId, name: "Not A Maker", mm_type: "CEA_SELLER" }
            })
          )
          assert.strictEqual(clientUser.status, 409)
          const seller = yield* call(() =>
            admin.marketMakers.createMarketMaker({
              payload: { user_id: miaId, name: "Niha Liquidity", mm_type: "CEA_SELLER", anonymous_code: "MM-SELL" },
              headers: { "idempotency-key": "mm-seller" }
            })
          )
          assert.strictEqual(seller.market_maker.mm_type, "CEA_SELLER")
          assert.strictEqual(seller.market_maker.anonymous_code, "MM-SELL")
          assert.strictEqual(seller.market_maker.user_id, miaId)
          assert.notStrictEqual(seller.entity_id, buyer.entityId)
          // The same key answers the same market maker; another for the same user is refused.
          const again = yield* call(() =>
            admin.marketMakers.createMarketMaker({
              payload: { user_id: miaId, name: "Niha Liquidity", mm_type: "CEA_SELLER", anonymous_code: "MM-SELL" },
              headers: { "idempotency-key": "mm-seller" }
            })
          )
          assert.strictEqual(again.market_maker.id, seller.market_maker.id)
          const twice = yield* failure(() =>
            admin.marketMakers.createMarketMaker({
              payload: { user_id: miaId, name: "Second Desk", mm_type: "EUA_OFFER" }
            })
          )
          assert.strictEqual(twice.status, 409)
          const other = yield* call(() =>
            admin.marketMakers.createMarketMaker({
              payload: { user_id: maxId, name: "Niha Bids", mm_type: "CEA_BUYER" }
            })
          )
          assert.match(other.market_maker.anonymous_code, /^MM-[0-9A-F]{8}$/)

          // Each MM user sees its own; the admin sees both.
          const mine = yield* call(() => mia.client.marketMakers.listMarketMakers())
          assert.deepStrictEqual(mine.map((maker) => maker.market_maker.id), [seller.market_maker.id])
          const all = yield* call(() => admin.marketMakers.listMarketMakers())
          assert.deepStrictEqual(
            all.map((maker) => maker.market_maker.id).sort(),
            [seller.market_maker.id, other.market_maker.id].sort()
          )

          // The admin funds the seller's entity with allowances.
          yield* call(() =>
            admin.ledger.adjust({
              params: { id: seller.entity_id },
              payload: { asset_type: "CEA", amount: "1000", reason: "market-maker inventory" }
            })
          )

          // Mia offers for her market maker; the key makes the placement once.
          const offer = { params: { id: seller.market_maker.id }, payload: limitOrder("SELL", "100", "12.00") }
          const ask = yield* call(() =>
            mia.client.marketMakers.placeOrder({ ...offer, headers: { "idempotency-key": "ask-1" } })
          )
          const askAgain = yield* call(() =>
            mia.client.marketMakers.placeOrder({ ...offer, headers: { "idempotency-key": "ask-1" } })
          )
          assert.strictEqual(ask.order.status, "OPEN")
          assert.strictEqual(askAgain.order.id, ask.order.id)
          assert.strictEqual(ask.order.entity_id, seller.entity_id)
          assert.deepStrictEqual(yield* balanceOf(mia.client, seller.entity_id, "CEA"), { available: 900, locked: 100 })

          // The client buys 40 from it through its own order path.
          const bought = yield* call(() =>
            buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "40", "12.00") })
          )
          assert.strictEqual(bought.order.status, "FILLED")
          assert.deepStrictEqual(bought.fills.map((fill) => [fill.price, fill.quantity]), [["12.00", "40"]])
          assert.deepStrictEqual(yield* balanceOf(mia.client, seller.entity_id, "CEA"), { available: 900, locked: 60 })
          const makerOrders = yield* call(() =>
            mia.client.marketMakers.listOrders({ params: { id: seller.market_maker.id }, query: {} })
          )
          assert.deepStrictEqual(makerOrders.data.map((order) => [order.id, order.status, order.filled_quantity]), [
            [ask.order.id, "PARTIALLY_FILLED", 40]
          ])
          // 40 x 12.00 EUR in cents, less the seller's fee, lands on the market maker's entity.
          const fee = Number(makerOrders.data[0]?.fees_paid ?? Number.NaN)
          const eur = yield* balanceOf(admin, seller.entity_id, "EUR")
          assert.deepStrictEqual(eur, { available: 48_000 - fee, locked: 0 })

          // Max cannot reach Mia's market maker: not to place, list or cancel, nor with his own id.
          const placeOther = yield* failure(() => max.client.marketMakers.placeOrder(offer))
          assert.strictEqual(placeOther.status, 404)
          const listOther = yield* failure(() =>
            max.client.marketMakers.listOrders({ params: { id: seller.market_maker.id }, query: {} })
          )
          assert.strictEqual(listOther.status, 404)
          const cancelOther = yield* failure(() =>
            max.client.marketMakers.cancelOrder({ params: { id: seller.market_maker.id, order_id: ask.order.id } })
          )
          assert.strictEqual(cancelOther.status, 404)
          const viaOwn = yield* failure(() =>
            max.client.marketMakers.cancelOrder({ params: { id: other.market_maker.id, order_id: ask.order.id } })
          )
          assert.strictEqual(viaOwn.status, 404)
          const viaOrders = yield* failure(() => max.client.orders.cancelOrder({ params: { id: ask.order.id } }))
          assert.strictEqual(viaOrders.status, 404)

          // Mia cannot act for the client's entity: not its order, nor its balances, nor place as a client.
          const bid = yield* call(() => buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "10", "11.00") }))
          const cancelClient = yield* failure(() =>
            mia.client.marketMakers.cancelOrder({ params: { id: seller.market_maker.id, order_id: bid.order.id } })
          )
          assert.strictEqual(cancelClient.status, 404)
          const cancelClientDirect = yield* failure(() =>
            mia.client.orders.cancelOrder({ params: { id: bid.order.id } })
          )
          assert.strictEqual(cancelClientDirect.status, 404)
          const clientHoldings = yield* failure(() => mia.client.funding.holdings({ params: { id: buyer.entityId } }))
          assert.strictEqual(clientHoldings.status, 404)
          const asClient = yield* failure(() =>
            mia.client.orders.placeOrder({ payload: limitOrder("SELL", "1", "13.00") })
          )
          assert.strictEqual(asClient.status, 403)
          // And a client cannot act for a market maker.
          const clientForMaker = yield* failure(() => buyer.client.marketMakers.placeOrder(offer))
          assert.strictEqual(clientForMaker.status, 403)
          assert.deepStrictEqual(yield* balanceOf(admin, buyer.entityId, "CEA"), { available: 0, locked: 0 })

          // The admin cancels the rest for the market maker: its allowances are free again.
          const cancelled = yield* call(() =>
            admin.marketMakers.cancelOrder({ params: { id: seller.market_maker.id, order_id: ask.order.id } })
          )
          assert.strictEqual(cancelled.order.status, "CANCELLED")
          assert.deepStrictEqual(yield* balanceOf(admin, seller.entity_id, "CEA"), { available: 960, locked: 0 })

          // Stopped, it places nothing, and nothing moves.
          const stopped = yield* call(() =>
            admin.marketMakers.setMarketMakerActive({
              params: { id: seller.market_maker.id },
              payload: { is_active: false }
            })
          )
          assert.isFalse(stopped.market_maker.is_active)
          const inactive = yield* failure(() => mia.client.marketMakers.placeOrder(offer))
          assert.strictEqual(inactive.status, 409)
          assert.deepStrictEqual(yield* balanceOf(admin, seller.entity_id, "CEA"), { available: 960, locked: 0 })
        }))
    })
  })
}
