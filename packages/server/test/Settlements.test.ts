/**
 * Settlement through the SDK against a started server, on both backends: a CEA purchase in
 * two fills creates two PENDING batches; the admin moves one through every milestone to
 * SETTLED (the allowances reach the buyer's available balance, the buyer's stage moves
 * CEA_SETTLE -> SWAP), refused moves are 409s that change nothing, another entity's batch
 * is a 404; a failed delivery resolved by reversal and another by buy-in leave exact
 * balances on both sides.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { FeesApi, type PromiseClient } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { call, failure } from "./support/Clients.ts"
import { mailTo } from "./support/Onboarding.ts"
import { limitOrder } from "./support/OrderServices.ts"
import * as TestServer from "./support/TestServer.ts"
import { balanceOf, tradingCompany } from "./support/Trading.ts"

const rate = Schema.decodeSync(FeesApi.Rate)

const live = { excludeTestServices: true, timeout: "240 seconds" } as const

const roleOf = (client: PromiseClient.Client) => Effect.map(call(() => client.account.me()), (me) => me.user.role)

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`settlement through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("settles a purchase through every milestone, refuses bad moves, reverses and buys in", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const buyer = yield* tradingCompany(server, "bob@settle-buyer.example", "Settle Buyer SA", 1_000_000)
          const seller = yield* tradingCompany(server, "sue@settle-seller.example", "Settle Seller Ltd", 1)
          const admin = buyer.admin
          // Buyers pay 1 %, sellers 0.5 % of the notional.
          yield* call(() =>
            admin.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0.01"), seller_rate: rate("0.005") }
            })
          )
          yield* call(() =>
            admin.ledger.adjust({
              params: { id: seller.entityId },
              payload: { asset_type: "CEA", amount: "300", reason: "delivered to the registry account" }
            })
          )
          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "10.00") }))
          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "11.00") }))
          yield* call(() => seller.client.orders.placeOrder({ payload: limitOrder("SELL", "100", "12.00") }))
          const bought = yield* call(() =>
            buyer.client.orders.placeOrder({ payload: limitOrder("BUY", "300", "12.00") })
          )
          assert.strictEqual(bought.fills.length, 3)
          assert.strictEqual(yield* roleOf(buyer.client), "CEA_SETTLE")
          // 1000.00 + 1100.00 + 1200.00 EUR paid with 1 % fees (balances in cents); 300 CEA pending settlement.
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 330_000 - 3_300,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 0, locked: 0 })

          const page = yield* call(() => buyer.client.settlements.listSettlements({ query: {} }))
          assert.strictEqual(page.data.length, 3)
          const byPrice = (price: number) => {
            const batch = page.data.find((candidate) => candidate.price === price)
            if (batch === undefined) throw new Error(`no batch at ${price} in ${JSON.stringify(page.data)}`)
            return batch
          }
          const first = byPrice(1000)
          assert.strictEqual(first.status, "PENDING")
          assert.strictEqual(first.quantity, 100)
          // The seller has no batch of its own (it delivers, it does not receive).
          const sellers = yield* call(() => seller.client.settlements.listSettlements({ query: {} }))
          assert.strictEqual(sellers.data.length, 0)
          // Another entity's batch reads as unknown.
          const hidden = yield* failure(() => seller.client.settlements.getSettlement({ params: { id: first.id } }))
          assert.strictEqual(hidden.status, 404)
          // A client may not move a batch.
          const forbidden = yield* failure(() =>
            buyer.client.settlements.advanceSettlement({
              params: { id: first.id },
              payload: { to: "TRANSFER_INITIATED", registry_reference: "CEA-REG-1" }
            })
          )
          assert.strictEqual(forbidden.status, 403)

          const detail0 = yield* call(() => buyer.client.settlements.getSettlement({ params: { id: first.id } }))
          assert.deepStrictEqual(detail0.history.map((entry) => [entry.from_status, entry.to_status]), [
            [null, "PENDING"]
          ])
          assert.deepStrictEqual(detail0.milestones.map((milestone) => milestone.status), [
            "TRANSFER_INITIATED",
            "IN_TRANSIT",
            "AT_CUSTODY",
            "SETTLED"
          ])
          assert.strictEqual(detail0.milestones[3]?.due_date, DateTime.formatIsoDate(first.expected_settlement_date))
          assert.isTrue(detail0.milestones.every((milestone) => milestone.reached_at === null))

          // Skipping a milestone is a 409 that changes nothing; so is initiating without a reference.
          const skipped = yield* failure(() =>
            admin.settlements.advanceSettlement({ params: { id: first.id }, payload: { to: "SETTLED" } })
          )
          assert.strictEqual(skipped.status, 409)
          const noReference = yield* failure(() =>
            admin.settlements.advanceSettlement({ params: { id: first.id }, payload: { to: "TRANSFER_INITIATED" } })
          )
          assert.strictEqual(noReference.status, 400)
          assert.strictEqual(
            (yield* call(() => buyer.client.settlements.getSettlement({ params: { id: first.id } }))).history.length,
            1
          )

          yield* call(() =>
            admin.settlements.advanceSettlement({
              params: { id: first.id },
              payload: { to: "TRANSFER_INITIATED", registry_reference: "CEA-REG-0001", note: "sent to the registry" }
            })
          )
          yield* call(() =>
            admin.settlements.advanceSettlement({ params: { id: first.id }, payload: { to: "IN_TRANSIT" } })
          )
          yield* call(() =>
            admin.settlements.advanceSettlement({ params: { id: first.id }, payload: { to: "AT_CUSTODY" } })
          )
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 0, locked: 0 })
          const settled = yield* call(() =>
            admin.settlements.advanceSettlement({
              params: { id: first.id },
              payload: { to: "SETTLED", note: "at the buyer's registry account" },
              headers: { "idempotency-key": "settle-first" }
            })
          )
          assert.strictEqual(settled.batch.status, "SETTLED")
          assert.strictEqual(settled.batch.registry_reference, "CEA-REG-0001")
          assert.isNotNull(settled.batch.settled_at)
          assert.deepStrictEqual(settled.history.map((entry) => entry.to_status), [
            "PENDING",
            "TRANSFER_INITIATED",
            "IN_TRANSIT",
            "AT_CUSTODY",
            "SETTLED"
          ])
          assert.isTrue(settled.milestones.every((milestone) => milestone.reached_at !== null))
          // The allowances are the buyer's, and its stage moved on.
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 100, locked: 0 })
          assert.strictEqual(yield* roleOf(buyer.client), "SWAP")
          // Sent again with its key, the move answers the same and delivers nothing more.
          yield* call(() =>
            admin.settlements.advanceSettlement({
              params: { id: first.id },
              payload: { to: "SETTLED", note: "at the buyer's registry account" },
              headers: { "idempotency-key": "settle-first" }
            })
          )
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 100, locked: 0 })
          // A SETTLED batch cannot fail, nor settle again.
          const failSettled = yield* failure(() =>
            admin.settlements.failSettlement({ params: { id: first.id }, payload: { reason: "late" } })
          )
          assert.strictEqual(failSettled.status, 409)

          // The 11.00 batch fails and is reversed: both sides made whole, fees returned
          // (the buyer's 11.00, the seller's 5.50).
          const second = byPrice(1100)
          const sellerEurBefore = yield* balanceOf(seller.client, seller.entityId, "EUR")
          const sellerCeaBefore = yield* balanceOf(seller.client, seller.entityId, "CEA")
          const unresolvedEarly = yield* failure(() =>
            admin.settlements.resolveSettlement({
              params: { id: second.id },
              payload: { resolution: "REVERSAL", note: "early" }
            })
          )
          assert.strictEqual(unresolvedEarly.status, 409)
          yield* call(() =>
            admin.settlements.failSettlement({
              params: { id: second.id },
              payload: { reason: "the seller's registry account was frozen" }
            })
          )
          const settleFailed = yield* failure(() =>
            admin.settlements.advanceSettlement({
              params: { id: second.id },
              payload: { to: "TRANSFER_INITIATED", registry_reference: "X-1" }
            })
          )
          assert.strictEqual(settleFailed.status, 409)
          const reversed = yield* call(() =>
            admin.settlements.resolveSettlement({
              params: { id: second.id },
              payload: { resolution: "REVERSAL", note: "non-delivery: the trade is undone" }
            })
          )
          assert.strictEqual(reversed.resolution?.resolution, "REVERSAL")
          assert.strictEqual(reversed.batch.failure_reason, "the seller's registry account was frozen")
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "EUR"), {
            available: 1_000_000 - 330_000 - 3_300 + 110_000 + 1_100,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "EUR"), {
            available: sellerEurBefore.available - (110_000 - 550),
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "CEA"), {
            available: sellerCeaBefore.available + 100,
            locked: 0
          })
          const twice = yield* failure(() =>
            admin.settlements.resolveSettlement({
              params: { id: second.id },
              payload: { resolution: "REVERSAL", note: "again" }
            })
          )
          assert.strictEqual(twice.status, 409)
          // The seller sees nothing of the buyer's batch; the buyer sees the resolution.
          const seen = yield* call(() => buyer.client.settlements.getSettlement({ params: { id: second.id } }))
          assert.strictEqual(seen.resolution?.note, "non-delivery: the trade is undone")
          // Both parties are told what happened and why, by mail.
          for (const to of ["bob@settle-buyer.example", "sue@settle-seller.example"]) {
            const told = yield* mailTo(server, to, (subject) => subject.includes("resolved: REVERSAL"))
            assert.include(told.text, "non-delivery: the trade is undone")
            assert.include(told.text, "the seller's registry account was frozen")
            yield* mailTo(server, to, (subject) => subject === `Settlement ${second.batch_reference} failed`)
          }

          // The 12.00 batch fails and is bought in at 12.50: the buyer gets its CEA, the seller pays
          // back 1200.00 plus 50.00 and keeps its allowances (its 6.00 fee is not returned).
          const third = byPrice(1200)
          yield* call(() =>
            admin.settlements.failSettlement({ params: { id: third.id }, payload: { reason: "not delivered by T+2" } })
          )
          const noPrice = yield* failure(() =>
            admin.settlements.resolveSettlement({
              params: { id: third.id },
              payload: { resolution: "BUY_IN", note: "bought in" }
            })
          )
          assert.strictEqual(noPrice.status, 400)
          const boughtIn = yield* call(() =>
            admin.settlements.resolveSettlement({
              params: { id: third.id },
              payload: { resolution: "BUY_IN", note: "bought in from another seller", buy_in_price: "12.50" }
            })
          )
          assert.deepStrictEqual(
            boughtIn.resolution && {
              resolution: boughtIn.resolution.resolution,
              buy_in_price: boughtIn.resolution.buy_in_price,
              charged_to_seller: boughtIn.resolution.charged_to_seller
            },
            { resolution: "BUY_IN", buy_in_price: "12.50", charged_to_seller: "50.00" }
          )
          assert.deepStrictEqual(yield* balanceOf(buyer.client, buyer.entityId, "CEA"), { available: 200, locked: 0 })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "EUR"), {
            available: sellerEurBefore.available - (110_000 - 550) - 125_000,
            locked: 0
          })
          assert.deepStrictEqual(yield* balanceOf(seller.client, seller.entityId, "CEA"), {
            available: sellerCeaBefore.available + 200,
            locked: 0
          })

          // Admins list every batch, filtered.
          const failed = yield* call(() => admin.settlements.listSettlements({ query: { status: "FAILED" } }))
          assert.deepStrictEqual(failed.data.map((batch) => batch.id).sort(), [second.id, third.id].sort())
          const ofBuyer = yield* call(() =>
            admin.settlements.listSettlements({ query: { entity_id: buyer.entityId, status: "SETTLED" } })
          )
          assert.deepStrictEqual(ofBuyer.data.map((batch) => batch.id), [first.id])

          // The ledger is consistent (PostgreSQL: PGlite is one session, the server's).
          if (server.backend === "postgres") {
            const { fees, report } = yield* Effect.gen(function*() {
              const ledger = Ledger.make(yield* SqlClient.SqlClient)
              return { report: yield* ledger.verify, fees: yield* ledger.platformBalance("FEES", "EUR") }
            }).pipe(Effect.provide(server.database))
            assert.isTrue(report.ok, JSON.stringify(report))
            // FEES keeps every fee earned (33.00 + 5.00 + 5.50 + 6.00): the refunds came from WORLD.
            assert.strictEqual(fees, 4_950n)
          }
        }))
    })
  })
}
