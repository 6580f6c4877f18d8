/**
 * Sellers' sell orders through the SDK against a started server, on both backends: an
 * admin places a seller's order, which reserves its lots oldest first (the last one covers
 * more than the order); two partial fills allocate lots to the buyer's batches (a lot
 * larger than a fill is split); lots that do not cover another order are a 409 that
 * changes nothing; a cancel releases what no fill took; SETTLED marks a batch's lots SOLD,
 * FAILED + REVERSAL makes them AVAILABLE with the buyer refunded; a lot is never in two
 * settlements (refused by the machine and by the database); reserving a SOLD lot is a 409
 * that changes nothing; public trades show the seller's code; the ledger verifies.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { FeesApi, type InventoryApi, type OrdersApi, type PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { call, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, settleBatch, tradingCompany } from "./support/Trading.ts"

const rate = Schema.decodeSync(FeesApi.Rate)
const live = { excludeTestServices: true, timeout: "240 seconds" } as const

const buy = (quantity: string, price: string): OrdersApi.PlaceOrder => ({
  market: "CEA_CASH",
  side: "BUY",
  type: "LIMIT",
  quantity,
  price
})

/** Every lot, by serial: status, quantity, order, batch. */
const lotsOf = (admin: PromiseClient.Client) =>
  Effect.map(call(() => admin.inventory.listLots({ query: { limit: 100 } })), (page) =>
    Object.fromEntries(
      page.data.map((lot: InventoryApi.Lot) => [lot.certificate.serial_number, {
        status: lot.certificate.status,
        quantity: Number(lot.certificate.quantity),
        order: lot.certificate.order_id,
        batch: lot.settlement_batch_id
      }])
    ))

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`sellers' orders through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("reserves lots, allocates them fill by fill, releases, sells and frees them", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bea@seller-buyer.example", "Seller Buyer SA", 1_000_000)
          const admin = buyer.admin
          // Buyers pay 1 %, sellers 0.5 % (a seller has no override: the market's rate).
          yield* call(() =>
            admin.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0.01"), seller_rate: rate("0.005") }
            })
          )
          const seller = yield* call(() =>
            admin.inventory.registerSeller({
              payload: { name: "Guangdong Wind", code: "GDW-07", jurisdiction: "CN", registry_account: "CN-REG-4411" }
            })
          )
          const lot = (serial: string, quantity: string, type: "CEA" | "EUA" = "CEA") =>
            call(() =>
              admin.inventory.registerLot({
                payload: {
                  certificate_type: type,
                  quantity,
                  serial_number: serial,
                  vintage_year: 2024,
                  seller_id: seller.id
                }
              })
            )
          yield* lot("GDW-0001", "60")
          yield* lot("GDW-0002", "40")
          yield* lot("GDW-0003", "100")
          yield* lot("GDW-E-0001", "500", "EUA")

          // Only an admin places a seller's order; a seller of no lots or an unknown seller is refused.
          const notAdmin = yield* failure(() =>
            buyer.client.inventory.placeSellerOrder({
              params: { id: seller.id },
              payload: { quantity: "10", price: "10.00" }
            })
          )
          assert.strictEqual(notAdmin.status, 403)

          // 130 t: lots 1 and 2 (100 t) do not cover it, so lot 3 is reserved too (oldest first).
          const placed = yield* call(() =>
            admin.inventory.placeSellerOrder({
              params: { id: seller.id },
              payload: { quantity: "130", price: "10.00", client_reference: "gdw-1" }
            })
          )
          const orderId = placed.order.id
          assert.deepStrictEqual(
            [placed.order.status, placed.order.seller_id, placed.order.entity_id, placed.order.side],
            ["OPEN", seller.id, null, "SELL"]
          )
          assert.deepStrictEqual(yield* lotsOf(admin), {
            "GDW-0001": { status: "RESERVED", quantity: 60, order: orderId, batch: null },
            "GDW-0002": { status: "RESERVED", quantity: 40, order: orderId, batch: null },
            "GDW-0003": { status: "RESERVED", quantity: 100, order: orderId, batch: null },
            "GDW-E-0001": { status: "AVAILABLE", quantity: 500, order: null, batch: null }
          })
          // The same reference answers the first order.
          const replayed = yield* call(() =>
            admin.inventory.placeSellerOrder({
              params: { id: seller.id },
              payload: { quantity: "130", price: "10.00", client_reference: "gdw-1" }
            })
          )
          assert.strictEqual(replayed.order.id, orderId)
          // No AVAILABLE CEA lot is left (the EUA lot does not count): a 409 that changes nothing.
          const before = yield* lotsOf(admin)
          const uncovered = yield* failure(() =>
            admin.inventory.placeSellerOrder({ params: { id: seller.id }, payload: { quantity: "1", price: "9.00" } })
          )
          assert.strictEqual(uncovered.status, 409)
          assert.deepStrictEqual(yield* lotsOf(admin), before)
          const listed = yield* call(() => admin.inventory.listSellerOrders({ params: { id: seller.id }, query: {} }))
          assert.deepStrictEqual(listed.data.map((order) => order.id), [orderId])

          // Two partial fills: 50 t (lot 1 split: 50 to the batch, 10 stay), then 60 t (lot 1's
          // 10, lot 2's 40, and lot 3 split: 10 to the batch, 90 stay).
          const first = yield* call(() => buyer.client.orders.placeOrder({ payload: buy("50", "10.00") }))
          assert.strictEqual(first.fills.length, 1)
          const second = yield* call(() => buyer.client.orders.placeOrder({ payload: buy("60", "10.00") }))
          assert.strictEqual(second.fills.length, 1)
          const batches = yield* call(() => buyer.client.settlements.listSettlements({ query: {} }))
          const batchOf = (quantity: number) => {
            const batch = batches.data.find((candidate) => candidate.quantity === quantity)
            if (batch === undefined) throw new Error(`no batch of ${quantity} t`)
            return batch
          }
          const fifty = batchOf(50)
          const sixty = batchOf(60)
          const firstMatch = first.fills[0]?.trade_id
          assert.isDefined(firstMatch)
          const lots = yield* lotsOf(admin)
          const split = (serial: string) => {
            const found = Object.keys(lots).find((key) => key.startsWith(`${serial}/`))
            if (found === undefined) throw new Error(`no split of ${serial} in ${JSON.stringify(lots)}`)
            return found
          }
          assert.deepStrictEqual(lots[split("GDW-0001")], {
            status: "RESERVED",
            quantity: 50,
            order: orderId,
            batch: fifty.id
          })
          assert.deepStrictEqual(lots["GDW-0001"], {
            status: "RESERVED",
            quantity: 10,
            order: orderId,
            batch: sixty.id
          })
          assert.deepStrictEqual(lots["GDW-0002"], {
            status: "RESERVED",
            quantity: 40,
            order: orderId,
            batch: sixty.id
          })
          assert.deepStrictEqual(lots[split("GDW-0003")], {
            status: "RESERVED",
            quantity: 10,
            order: orderId,
            batch: sixty.id
          })
          assert.deepStrictEqual(lots["GDW-0003"], { status: "RESERVED", quantity: 90, order: orderId, batch: null })
          // The buyer paid 500.00 + 5.00 and 600.00 + 6.00; its CEA wait for settlement.
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 50_500 - 60_600,
            locked: 0
          })
          // Public trades show the seller by its own code.
          const trades = yield* call(() =>
            buyer.client.marketData.trades({ params: { market: "CEA_CASH" }, query: {} })
          )
          assert.deepStrictEqual(trades.data.map((trade) => trade.seller), ["GDW-07", "GDW-07"])

          // A lot allocated to one batch is never in another: the machine refuses it...
          const page = yield* call(() => admin.inventory.listLots({ query: { limit: 100 } }))
          const lot2 = page.data.find((one) => one.certificate.serial_number === "GDW-0002")
          if (lot2 === undefined) return assert.fail("lot 2")
          const twice = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: lot2.certificate.id },
              payload: { settlement_batch_id: fifty.id }
            })
          )
          assert.strictEqual(twice.status, 409)

          // The cancel releases lot 3's 90 t; the order's 110 t sold stay with their batches.
          const cancelled = yield* call(() => admin.inventory.cancelSellerOrder({ params: { id: seller.id, orderId } }))
          assert.deepStrictEqual([cancelled.order.status, cancelled.order.filled_quantity], ["CANCELLED", 110])
          assert.deepStrictEqual((yield* lotsOf(admin))["GDW-0003"], {
            status: "AVAILABLE",
            quantity: 90,
            order: null,
            batch: null
          })
          const again = yield* failure(() => admin.inventory.cancelSellerOrder({ params: { id: seller.id, orderId } }))
          assert.strictEqual(again.status, 409)
          // Another seller's id does not reach the order.
          const other = yield* call(() =>
            admin.inventory.registerSeller({
              payload: { name: "Other Seller", code: "OTH-01", jurisdiction: "CN", registry_account: "CN-REG-1" }
            })
          )
          const foreign = yield* failure(() => admin.inventory.cancelSellerOrder({ params: { id: other.id, orderId } }))
          assert.strictEqual(foreign.status, 404)

          // The 50 t batch settles: its lot is SOLD, the buyer has its CEA.
          yield* settleBatch(admin, fifty.id, "CN-REG-T1")
          assert.strictEqual((yield* lotsOf(admin))[split("GDW-0001")]?.status, "SOLD")
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 50, locked: 0 })
          // Reserving a SOLD lot is a 409 that changes nothing.
          const soldLots = yield* call(() => admin.inventory.listLots({ query: { status: "SOLD" } }))
          const sold = soldLots.data[0]
          if (sold === undefined) return assert.fail("a SOLD lot")
          const soldBefore = yield* lotsOf(admin)
          const reserveSold = yield* failure(() =>
            admin.inventory.allocateLot({
              params: { id: sold.certificate.id },
              payload: { settlement_batch_id: sixty.id }
            })
          )
          assert.strictEqual(reserveSold.status, 409)
          assert.deepStrictEqual(yield* lotsOf(admin), soldBefore)

          // The 60 t batch fails and is reversed: its lots are AVAILABLE again, the buyer refunded.
          yield* call(() =>
            admin.settlements.failSettlement({ params: { id: sixty.id }, payload: { reason: "registry frozen" } })
          )
          yield* call(() =>
            admin.settlements.resolveSettlement({
              params: { id: sixty.id },
              payload: { resolution: "REVERSAL", note: "non-delivery" }
            })
          )
          const after = yield* lotsOf(admin)
          for (const serial of ["GDW-0001", "GDW-0002", split("GDW-0003")]) {
            assert.deepStrictEqual([after[serial]?.status, after[serial]?.order, after[serial]?.batch], [
              "AVAILABLE",
              null,
              null
            ], serial)
          }
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 50_500,
            locked: 0
          })

          // The released lots serve a new order, oldest first: lot 1's 10 t and lot 2's 40 t.
          const next = yield* call(() =>
            admin.inventory.placeSellerOrder({ params: { id: seller.id }, payload: { quantity: "45", price: "11.00" } })
          )
          const reservedNow = yield* lotsOf(admin)
          assert.deepStrictEqual(
            Object.entries(reservedNow).filter(([, one]) => one.order === next.order.id).map(([serial]) => serial)
              .sort(),
            ["GDW-0001", "GDW-0002"]
          )

          if (server.backend === "postgres") {
            const checked = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              // The database refuses a second open allocation of a lot.
              const [open] = yield* sql<{ certificate_id: string; allocated_by: string }>`
                SELECT certificate_id, allocated_by FROM certificate_allocations WHERE released_at IS NULL LIMIT 1`
              if (open === undefined) return yield* Effect.die("an open allocation")
              const doubled = yield* Effect.exit(sql`
                INSERT INTO certificate_allocations (certificate_id, settlement_batch_id, allocated_by)
                VALUES (${open.certificate_id}, ${sixty.id}, ${open.allocated_by})`)
              const ledger = Ledger.make(sql)
              return { doubled, report: yield* ledger.verify }
            }).pipe(Effect.provide(server.database))
            assert.isTrue(Exit.isFailure(checked.doubled))
            assert.isTrue(checked.report.ok, JSON.stringify(checked.report))
          }
        }))
    })
  })
}
