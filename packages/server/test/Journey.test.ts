/**
 * The whole client journey through the SDK against one started server, on both backends:
 * contact request, NDA, KYC, approval, a first deposit cleared, a CEA purchase in two fills
 * from an external seller's lots (its two sell orders placed by an admin reserve them; the
 * fills allocate them to the buyer's batches), both batches settled through every milestone
 * (CEA in the account, stage SWAP, the lots SOLD), a swap request cancelled, a swap request of CEA into EUA matched against an EUA
 * offer in the SWAP book, its settlement (EUA in the account, stage EUA, the swap COMPLETED), and a withdrawal of the remaining EUR. Every balance and
 * the stage are checked at each step; on PostgreSQL the ledger's `verify` is clean at the end.
 * No fees are configured, so every amount is a notional.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { Money } from "@niha/domain"
import { type OrdersApi, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { call, failure } from "./support/Clients.ts"
import { mailTo, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, settleBatch, tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "300 seconds" } as const

const order = (
  market: "CEA_CASH" | "SWAP",
  side: "BUY" | "SELL",
  quantity: string,
  price: string
): OrdersApi.PlaceOrder => ({ market, side, type: "LIMIT", quantity, price })

const roleOf = (client: PromiseClient.Client) => Effect.map(call(() => client.account.me()), (me) => me.user.role)

/** The entity's batches in a status, as its client sees them. */
const batchesOf = (client: PromiseClient.Client, status: "PENDING" | "SETTLED") =>
  Effect.map(call(() => client.settlements.listSettlements({ query: { status } })), (page) => page.data)

/** Another admin, invited by the first, signed in by its invitation link. */
const secondAdmin = (server: TestServer.Running, admin: PromiseClient.Client) =>
  Effect.gen(function*() {
    const before = server.mails.length
    yield* call(() =>
      admin.admin.createStaff({
        payload: { email: "second@journey.test", first_name: "Sol", last_name: "Berg", role: "ADMIN" }
      })
    )
    const invitation = yield* mailTo(server, "second@journey.test", () => true, before)
    const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
    const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } }))
    return PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
  })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the client journey through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("goes from a contact request to EUA in the account and EUR withdrawn", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          // Contact request, NDA, KYC, approval, a deposit of 5 000.00 EUR confirmed and cleared.
          const buyer = yield* tradingCompany(server, "jo@journey-buyer.example", "Journey Buyer SA", 500_000)
          const admin = buyer.admin
          const client = buyer.client
          const me = buyer.entityId
          assert.strictEqual(yield* roleOf(client), "CEA")
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 500_000, locked: 0 })

          // An external seller holding two lots of 100 CEA offers 100 at 10.00 and 100 at 11.00:
          // an admin places its orders, each reserving a lot (oldest first).
          const seller = yield* call(() =>
            admin.inventory.registerSeller({
              payload: { name: "Journey Seller Co", code: "JSC-01", jurisdiction: "CN", registry_account: "CN-REG-J" }
            })
          )
          for (const serial of ["CEA-J-0001", "CEA-J-0002"]) {
            yield* call(() =>
              admin.inventory.registerLot({
                payload: {
                  certificate_type: "CEA",
                  quantity: "100",
                  serial_number: serial,
                  vintage_year: 2025,
                  seller_id: seller.id
                }
              })
            )
          }
          const offer = (price: string) =>
            call(() =>
              admin.inventory.placeSellerOrder({ params: { id: seller.id }, payload: { quantity: "100", price } })
            )
          yield* offer("10.00")
          const dearer = yield* offer("11.00")
          const lots = Effect.map(
            call(() => admin.inventory.listLots({ query: { limit: 100 } })),
            (page) =>
              page.data.map((lot) => [lot.certificate.serial_number, lot.certificate.status, lot.certificate.quantity])
                .sort()
          )
          assert.deepStrictEqual(yield* lots, [["CEA-J-0001", "RESERVED", 100], ["CEA-J-0002", "RESERVED", 100]])

          // The buyer takes 150 in two fills: 100 x 10.00 + 50 x 11.00 = 1 550.00 EUR.
          const bought = yield* call(() =>
            client.orders.placeOrder({ payload: order("CEA_CASH", "BUY", "150", "11.00") })
          )
          assert.strictEqual(bought.order.status, "FILLED")
          assert.deepStrictEqual(bought.fills.map((fill) => [fill.quantity, fill.price]), [["100", "10.00"], [
            "50",
            "11.00"
          ]])
          assert.strictEqual(yield* roleOf(client), "CEA_SETTLE")
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 345_000, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 0, locked: 0 })
          // The first lot went whole to the first batch; the second was split: 50 to the second
          // batch, 50 still reserved for the 11.00 offer.
          const split = (yield* lots).find(([serial]) => String(serial).startsWith("CEA-J-0002/"))
          assert.deepStrictEqual(yield* lots, [
            ["CEA-J-0001", "RESERVED", 100],
            ["CEA-J-0002", "RESERVED", 50],
            [split?.[0] ?? "CEA-J-0002/?", "RESERVED", 50]
          ])
          // A client may keep buying CEA while its purchase settles: a bid rests, then is cancelled.
          const more = yield* call(() => client.orders.placeOrder({ payload: order("CEA_CASH", "BUY", "10", "9.00") }))
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 336_000, locked: 9_000 })
          yield* call(() => client.orders.cancelOrder({ params: { id: more.order.id } }))
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 345_000, locked: 0 })
          // Swapping is not allowed before the purchase settled.
          const early = yield* failure(() =>
            client.orders.placeOrder({ payload: order("SWAP", "BUY", "10", "1.2500") })
          )
          assert.strictEqual(early.status, 403)

          // Both purchase batches settle through every milestone.
          const purchases = yield* batchesOf(client, "PENDING")
          assert.deepStrictEqual(purchases.map((batch) => batch.quantity).sort((a, b) => a - b), [50, 100])
          const [firstBatch, secondBatch] = purchases
          if (firstBatch === undefined || secondBatch === undefined) return assert.fail("two batches")
          const firstSettled = yield* settleBatch(admin, firstBatch.id, "CEA-REG-J1")
          assert.deepStrictEqual(firstSettled.history.map((entry) => entry.to_status), [
            "PENDING",
            "TRANSFER_INITIATED",
            "IN_TRANSIT",
            "AT_CUSTODY",
            "SETTLED"
          ])
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: firstBatch.quantity, locked: 0 })
          assert.strictEqual(yield* roleOf(client), "SWAP")
          yield* settleBatch(admin, secondBatch.id, "CEA-REG-J2")
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 150, locked: 0 })
          assert.strictEqual(yield* roleOf(client), "SWAP")
          assert.strictEqual((yield* batchesOf(client, "SETTLED")).length, 2)
          // The lots the batches took are SOLD; the rest of the 11.00 offer stays reserved.
          assert.deepStrictEqual(yield* lots, [
            ["CEA-J-0001", "SOLD", 100],
            ["CEA-J-0002", "RESERVED", 50],
            [split?.[0] ?? "CEA-J-0002/?", "SOLD", 50]
          ])

          // An EUA holder at stage SWAP (it bought and settled 1 CEA itself) offers 80 EUA at 1.25 CEA per EUA.
          const euaSeller = yield* tradingCompany(server, "eve@journey-eua.example", "Journey EUA GmbH", 10_000)
          yield* call(() => euaSeller.client.orders.placeOrder({ payload: order("CEA_CASH", "BUY", "1", "11.00") }))
          const [own] = yield* batchesOf(euaSeller.client, "PENDING")
          if (own === undefined) return assert.fail("the EUA seller's batch")
          yield* settleBatch(admin, own.id, "CEA-REG-J3")
          assert.strictEqual(yield* roleOf(euaSeller.client), "SWAP")
          yield* call(() =>
            admin.ledger.adjust({
              params: { id: euaSeller.entityId },
              payload: { asset_type: "EUA", amount: "200", reason: "delivered to the EU registry account" }
            })
          )
          yield* call(() => euaSeller.client.orders.placeOrder({ payload: order("SWAP", "SELL", "80", "1.2500") }))

          // A swap request resting below the offer is cancelled: its lock comes back.
          const low = yield* call(() => client.swaps.requestSwap({ payload: { eua_quantity: "10", rate: "1.1000" } }))
          assert.strictEqual(low.swap.status, "OPEN")
          // The lock is trading's: 10 x 1.10 = 11 CEA, plus half a tonne per tonne for the rounding of fills.
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 134, locked: 16 })
          const cancelled = yield* call(() => client.swaps.cancelSwap({ params: { id: low.swap.id } }))
          assert.strictEqual(cancelled.swap.status, "CANCELLED")
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 150, locked: 0 })
          const again = yield* failure(() => client.swaps.cancelSwap({ params: { id: low.swap.id } }))
          assert.strictEqual(again.status, 409)

          // The swap: 80 EUA for 80 x 1.25 = 100 CEA, matched at once.
          const swap = yield* call(() => client.swaps.requestSwap({ payload: { eua_quantity: "80", rate: "1.2500" } }))
          assert.strictEqual(swap.swap.status, "MATCHED")
          assert.strictEqual(swap.swap.cea_quantity, 100)
          assert.strictEqual(swap.swap.eua_quantity, 80)
          const hidden = yield* failure(() => euaSeller.client.swaps.getSwap({ params: { id: swap.swap.id } }))
          assert.strictEqual(hidden.status, 404)
          assert.strictEqual(yield* roleOf(client), "EUA_SETTLE")
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 50, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUA"), { available: 0, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(euaSeller.client, euaSeller.entityId, "CEA"), {
            available: 101,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(euaSeller.client, euaSeller.entityId, "EUA"), {
            available: 120,
            locked: 0
          })
          const [swapBatch] = yield* batchesOf(client, "PENDING")
          if (swapBatch === undefined) return assert.fail("the swap's batch")
          assert.strictEqual(swapBatch.settlement_type, "SWAP_CEA_TO_EUA")
          assert.strictEqual(swapBatch.quantity, 80)
          const swapSettled = yield* settleBatch(admin, swapBatch.id, "EUA-REG-J1")
          assert.strictEqual(swapSettled.batch.status, "SETTLED")
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUA"), { available: 80, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(client, me, "CEA"), { available: 50, locked: 0 })
          assert.strictEqual(yield* roleOf(client), "EUA")
          const completed = yield* call(() => client.swaps.getSwap({ params: { id: swap.swap.id } }))
          assert.strictEqual(completed.swap.status, "COMPLETED")
          assert.strictEqual(swapSettled.batch.swap_request_id, swap.swap.id)
          const lateCancel = yield* failure(() => client.swaps.cancelSwap({ params: { id: swap.swap.id } }))
          assert.strictEqual(lateCancel.status, 409)

          // The remaining 3 450.00 EUR is withdrawn (a first payout to this IBAN: four eyes).
          const withdrawal = yield* call(() =>
            client.funding.requestWithdrawal({
              payload: {
                amount: Money.Cents.make(345_000),
                beneficiary_name: "Journey Buyer SA",
                iban: "DE89370400440532013000",
                bic: "DEUTDEFF"
              }
            })
          )
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 0, locked: 345_000 })
          yield* call(() => admin.funding.processWithdrawal({ params: { id: withdrawal.id } }))
          yield* call(() => admin.funding.approveWithdrawal({ params: { id: withdrawal.id } }))
          const other = yield* secondAdmin(server, admin)
          yield* call(() =>
            other.funding.completeWithdrawal({ params: { id: withdrawal.id }, payload: { bank_reference: "OUT-J1" } })
          )
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUR"), { available: 0, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(client, me, "EUA"), { available: 80, locked: 0 })
          assert.strictEqual(yield* roleOf(client), "EUA")

          // The seller's last offer is cancelled: what no fill took (49 t, the EUA seller bought 1) is AVAILABLE.
          const withdrawn = yield* call(() =>
            admin.inventory.cancelSellerOrder({ params: { id: seller.id, orderId: dearer.order.id } })
          )
          assert.deepStrictEqual([withdrawn.order.status, withdrawn.order.filled_quantity], ["CANCELLED", 51])
          assert.deepStrictEqual((yield* lots).find(([serial]) => serial === "CEA-J-0002"), [
            "CEA-J-0002",
            "AVAILABLE",
            49
          ])

          if (server.backend === "postgres") {
            const { report, swaps } = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              // The swap's fill wrote its `trades` row: the rate, no EUR price, COMPLETED at settlement.
              const swaps = yield* sql<{ trade_type: string; rate: string; price: string | null; status: string }>`
                SELECT trade_type, rate::text AS rate, price_per_tonne::text AS price, status FROM trades`
              return { report: yield* Ledger.make(sql).verify, swaps }
            }).pipe(Effect.provide(server.database))
            assert.isTrue(report.ok, JSON.stringify(report))
            assert.deepStrictEqual(swaps.map((row) => ({ ...row })), [{
              trade_type: "SWAP",
              rate: "1.2500",
              price: null,
              status: "COMPLETED"
            }])
          }
        }))
    })
  })
}
