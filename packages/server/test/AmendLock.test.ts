/**
 * Found by the soak suite: a sell amended to less quantity kept its whole lock, and once it
 * filled the tonnes taken off stayed locked for ever (the order's lock is read as its
 * quantity, which the amend had lowered). The tonnes go back to the seller at the amend.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { Orders } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import { holdingOf, limitOrder, orderServices } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const backend = TestServer.quickBackend

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`a sell amended to less [${backend}]`, () => {
  it.effect("returns the tonnes taken off at once, and locks nothing once filled or cancelled", () =>
    Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(yield* orderServices(backend, { anonymitySecret: "amend-lock-test" }))
      yield* Effect.gen(function*() {
        const orders = yield* Orders.Orders
        const seller = yield* trader("Amending Seller", "CEA", { CEA: 100 })
        const buyer = yield* trader("Amend Buyer", "CEA", { EUR: 1_000_000 })

        const offer = yield* orders.place(seller.user, limitOrder("SELL", "20", "13.00"))
        assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 80, locked: 20 })
        yield* orders.amend(seller.user, offer.order.id, { quantity: "6" })
        assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 94, locked: 6 })
        const bought = yield* orders.place(buyer.user, limitOrder("BUY", "6", "13.00"))
        assert.strictEqual(bought.order.status, "FILLED")
        assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 94, locked: 0 })

        // Amended twice, partly filled, then cancelled: nothing stays locked.
        const second = yield* orders.place(seller.user, limitOrder("SELL", "30", "13.00"))
        yield* orders.amend(seller.user, second.order.id, { quantity: "25" })
        yield* orders.place(buyer.user, limitOrder("BUY", "5", "13.00"))
        yield* orders.amend(seller.user, second.order.id, { quantity: "10" })
        assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 79, locked: 10 })
        yield* orders.cancel(seller.user, second.order.id)
        assert.deepStrictEqual(yield* holdingOf(seller.entityId, "CEA"), { available: 89, locked: 0 })
        const report = yield* Ledger.make(yield* SqlClient.SqlClient).verify
        assert.isTrue(report.ok, JSON.stringify(report))
      }).pipe(Effect.provideContext(context))
    })))
})
