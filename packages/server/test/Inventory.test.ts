/**
 * Inventory through the SDK against a started server, on both backends: an admin registers
 * an external seller and its certificate lots; lots are allocated (AVAILABLE -> RESERVED) to
 * the settlement batches they deliver, SOLD when a batch settles, AVAILABLE again when one
 * fails; a lot is never in two settlements, and reserving a SOLD lot, a lot of the wrong
 * type or more than a batch delivers are 409s that change nothing.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, failure } from "./support/Clients.ts"
import { limitOrder } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { settleBatch, tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "240 seconds" } as const

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`inventory through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("reserves lots for a batch, sells them at settlement, frees them on failure", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "ian@inventory-buyer.example", "Inventory Buyer SA", 1_000_000)
          const trader = yield* tradingCompany(server, "ida@inventory-desk.example", "Inventory Desk Ltd", 1)
          const admin = buyer.admin

          const seller = yield* call(() =>
            admin.inventory.registerSeller({
              payload: {
                name: "Shanghai Green Power",
                code: "SGP-01",
                jurisdiction: "CN",
                contact_email: "Desk@SGP.example",
                registry_account: "CN-REG-778899"
              }
            })
          )
          assert.strictEqual(seller.contact_email, "desk@sgp.example")
          const taken = yield* failure(() =>
            admin.inventory.registerSeller({
              payload: { name: "Other", code: "SGP-01", jurisdiction: "CN", registry_account: "CN-REG-1" }
            })
          )
          assert.strictEqual(taken.status, 409)
          const notAdmin = yield* failure(() => buyer.client.inventory.listSellers({ query: {} }))
          assert.strictEqual(notAdmin.status, 403)

          const lot = (serial: string, quantity: string, type: "CEA" | "EUA" = "CEA") =>
            call(() =>
              admin.inventory.registerLot({
                payload: {
                  certificate_type: type,
                  quantity,
                  serial_number: serial,
                  vintage_year: 2025,
                  seller_id: seller.id,
                  entity_id: trader.entityId
                }
              })
            )
          const a = yield* lot("CEA-2025-0001", "60")
          const b = yield* lot("CEA-2025-0002", "40")
          const c = yield* lot("CEA-2025-0003", "100")
          const eua = yield* lot("EUA-2025-0001", "10", "EUA")
          assert.strictEqual(a.certificate.status, "AVAILABLE")
          assert.strictEqual(a.seller_id, seller.id)
          const again = yield* failure(() =>
            admin.inventory.registerLot({
              payload: { certificate_type: "CEA", quantity: "1", serial_number: "CEA-2025-0001", vintage_year: 2025 }
            })
          )
          assert.strictEqual(again.status, 409)

          // The desk sells 200 CEA in two offers; the buyer takes both: two batches of 100.
          yield* call(() =>
            admin.ledger.adjust({
              params: { id: trader.entityId },
              payload: { asset_type: "CEA", amount: "200", reason: "lots delivered to the registry account" }
            })
          )
          yield* call(() => trader.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "10.00") }))
          yield* call(() => trader.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "11.00") }))
          yield* call(() => buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "200", "11.00") }))
          const page = yield* call(() => admin.settlements.listSettlements({ query: { entity_id: buyer.entityId } }))
          const first = page.data.find((batch) => batch.price === 1000)
          const second = page.data.find((batch) => batch.price === 1100)
          if (first === undefined || second === undefined) return assert.fail("two batches")

          // Lots a (60) and b (40) deliver the first batch.
          const reserved = yield* call(() =>
            admin.inventory.allocateLot({
              params: { id: a.certificate.id },
              payload: { settlement_batch_id: first.id }
            })
          )
          assert.strictEqual(reserved.certificate.status, "RESERVED")
          assert.strictEqual(reserved.settlement_batch_id, first.id)
          yield* call(() =>
            admin.inventory.allocateLot({
              params: { id: b.certificate.id },
              payload: { settlement_batch_id: first.id }
            })
          )
          // Never in two settlements; never more than a batch delivers; never the wrong type.
          const twice = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: a.certificate.id },
              payload: { settlement_batch_id: second.id }
            })
          )
          assert.strictEqual(twice.status, 409)
          const tooMuch = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: c.certificate.id },
              payload: { settlement_batch_id: first.id }
            })
          )
          assert.strictEqual(tooMuch.status, 409)
          const wrongType = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: eua.certificate.id },
              payload: { settlement_batch_id: second.id }
            })
          )
          assert.strictEqual(wrongType.status, 409)
          const available = yield* call(() => admin.inventory.listLots({ query: { status: "AVAILABLE" } }))
          assert.deepStrictEqual(available.data.map((entry) => entry.certificate.serial_number).sort(), [
            "CEA-2025-0003",
            "EUA-2025-0001"
          ])

          // The first batch settles: its lots are SOLD.
          yield* settleBatch(admin, first.id, "CEA-REG-I1")
          const sold = yield* call(() => admin.inventory.listLots({ query: { status: "SOLD" } }))
          assert.deepStrictEqual(sold.data.map((entry) => entry.certificate.serial_number).sort(), [
            "CEA-2025-0001",
            "CEA-2025-0002"
          ])
          assert.isTrue(sold.data.every((entry) => entry.certificate.sold_at !== null))
          // A SOLD lot cannot be reserved again.
          const soldAgain = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: a.certificate.id },
              payload: { settlement_batch_id: second.id }
            })
          )
          assert.strictEqual(soldAgain.status, 409)

          // Lot c delivers the second batch, which fails: c is AVAILABLE again, and free for another batch.
          yield* call(() =>
            admin.inventory.allocateLot({
              params: { id: c.certificate.id },
              payload: { settlement_batch_id: second.id }
            })
          )
          yield* call(() =>
            admin.settlements.failSettlement({ params: { id: second.id }, payload: { reason: "registry rejected" } })
          )
          const freed = yield* call(() => admin.inventory.listLots({ query: { status: "AVAILABLE" } }))
          const cAfter = freed.data.find((entry) => entry.certificate.id === c.certificate.id)
          assert.deepStrictEqual(cAfter && [cAfter.certificate.status, cAfter.settlement_batch_id], ["AVAILABLE", null])
          const closed = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: c.certificate.id },
              payload: { settlement_batch_id: second.id }
            })
          )
          assert.strictEqual(closed.status, 409)
        }))
    })
  })
}
