/**
 * The platform accounts' limits and the ledger's invariants: `CUSTODY` and
 * `SETTLEMENT_PENDING` never below zero, `FEES` credit-only, `WORLD` alone below zero; the
 * materialised platform balances and pending remainders kept equal to the journal, and
 * `verify` naming any row that drifted from it.
 */
import { assert } from "@effect/vitest"
import { Ledger } from "@niha/db"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"
import { makeEntities } from "./support/Entities.ts"

const journalCount = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM asset_transactions`
  return row?.n ?? 0
})

eachBackend("Ledger limits", (it) => {
  it.layer(Ledger.Ledger.layer)((it) => {
    it.effect("refuses to take CUSTODY below zero, and sells only stocked inventory", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [buyer] = yield* makeEntities("Custody Co", 1)
        if (buyer === undefined) return assert.fail("no entity")
        const sell = (key: string, quantity: number) =>
          ledger.apply({
            _tag: "Transfer",
            key,
            type: "TRADE_SELL",
            reference: `test:${key}`,
            asset: "CEA",
            legs: [{ account: Ledger.platform("CUSTODY"), amount: -quantity }, {
              account: Ledger.available(buyer),
              amount: quantity
            }]
          })
        const before = yield* journalCount
        const short = yield* sell("c-1", 10).pipe(Effect.flip)
        assert.strictEqual(short._tag, "PlatformOverdraft")
        if (short._tag === "PlatformOverdraft") {
          assert.deepStrictEqual([short.account, short.asset_type, short.required, short.available], [
            "CUSTODY",
            "CEA",
            "10",
            "0"
          ])
        }
        assert.strictEqual(yield* journalCount, before)
        yield* ledger.apply(Ledger.fundCustody({ key: "c-stock", asset: "CEA", amount: 25, reference: "test:stock" }))
        yield* sell("c-2", 10)
        assert.strictEqual(yield* ledger.platformBalance("CUSTODY", "CEA"), 15n)
        assert.strictEqual((yield* sell("c-3", 16).pipe(Effect.flip))._tag, "PlatformOverdraft")
        assert.strictEqual(yield* ledger.platformBalance("WORLD", "CEA"), -25n)
        assert.isTrue((yield* ledger.verify).ok)
      }))

    it.effect("delivers from SETTLEMENT_PENDING only what trades put there", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [buyer, seller] = yield* makeEntities("Settle Co", 2)
        if (buyer === undefined || seller === undefined) return assert.fail("no entities")
        const deliver = (key: string, amount: number) =>
          ledger.apply(
            Ledger.deliverSettlement({ key, entity_id: buyer, settlement_batch_id: key, asset: "CEA", amount })
          )
        assert.strictEqual((yield* deliver("sp-0", 1).pipe(Effect.flip))._tag, "PlatformOverdraft")
        yield* ledger.apply(Ledger.creditDeposit({ key: "sp-dep", entity_id: buyer, deposit_id: "sp", amount: 10_000 }))
        yield* ledger.apply(
          Ledger.adjust({ key: "sp-cea", entity_id: seller, asset: "CEA", amount: 50, reason: "open" })
        )
        yield* ledger.submit([
          Ledger.lockForOrder({ key: "sp-buy", entity_id: buyer, order_id: "b", asset: "EUR", amount: 5_000 }),
          Ledger.lockForOrder({ key: "sp-sell", entity_id: seller, order_id: "s", asset: "CEA", amount: 20 })
        ])
        yield* ledger.submit(Ledger.settleTrade({
          key: "sp-fill",
          trade_id: "sp",
          base: "CEA",
          quote: "EUR",
          quantity: 20,
          notional: 4_000,
          buyer_fee: 10,
          seller_fee: 20,
          buyer: { entity_id: buyer, lock: { key: "sp-buy" } },
          seller: { entity_id: seller, lock: { key: "sp-sell" } },
          delivery: "settlement_pending"
        }))
        assert.strictEqual(yield* ledger.platformBalance("SETTLEMENT_PENDING", "CEA"), 20n)
        assert.strictEqual((yield* deliver("sp-1", 21).pipe(Effect.flip))._tag, "PlatformOverdraft")
        yield* deliver("sp-2", 20)
        assert.strictEqual(yield* ledger.platformBalance("SETTLEMENT_PENDING", "CEA"), 0n)
        assert.strictEqual((yield* ledger.pending({ key: "sp-buy" })).remaining, 5_000 - 4_010)
        assert.isTrue((yield* ledger.verify).ok)
      }))

    it.effect("keeps FEES credit-only: a debit, even by reversal, is refused", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [seller] = yield* makeEntities("Fees Co", 1)
        if (seller === undefined) return assert.fail("no entity")
        const fees = yield* ledger.platformBalance("FEES", "EUR")
        yield* ledger.apply(Ledger.fundCustody({ key: "f-stock", asset: "EUR", amount: 10_000, reference: "test:f" }))
        const paid = yield* ledger.apply({
          _tag: "Transfer",
          key: "f-pay",
          type: "TRADE_BUY",
          reference: "test:f-pay",
          asset: "EUR",
          legs: [
            { account: Ledger.platform("CUSTODY"), amount: -1_010 },
            { account: Ledger.available(seller), amount: 1_000 },
            { account: Ledger.platform("FEES"), amount: 10 }
          ]
        })
        const debit = yield* ledger.apply({
          _tag: "Transfer",
          key: "f-take",
          type: "ADJUSTMENT",
          notes: "sweep",
          reference: "test:f-take",
          asset: "EUR",
          legs: [{ account: Ledger.platform("FEES"), amount: -10 }, { account: Ledger.platform("WORLD"), amount: 10 }]
        }).pipe(Effect.flip)
        assert.strictEqual(debit._tag, "CreditOnlyDebit")
        const reversal = yield* ledger.reverse({ transfer_id: paid.transfer_id, reason: "wrong" }).pipe(Effect.flip)
        assert.strictEqual(reversal._tag, "CreditOnlyDebit")
        assert.strictEqual(yield* ledger.platformBalance("FEES", "EUR"), fees + 10n)
        assert.isTrue((yield* ledger.verify).ok)
      }))

    it.effect("lets WORLD, and only WORLD, go below zero", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("World Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        const before = yield* ledger.platformBalance("WORLD", "EUA")
        yield* ledger.apply(Ledger.adjust({ key: "w-eua", entity_id: entity, asset: "EUA", amount: 7, reason: "open" }))
        assert.strictEqual(yield* ledger.platformBalance("WORLD", "EUA"), before - 7n)
        const report = yield* ledger.verify
        assert.deepStrictEqual(report.platformOverdrafts, [])
        assert.isTrue(report.ok)
      }))

    it.effect("verify names a platform row or a pending remainder that drifted from the journal", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const sql = yield* SqlClient.SqlClient
        const [entity] = yield* makeEntities("Drift Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        yield* ledger.apply(Ledger.creditDeposit({ key: "d-dep", entity_id: entity, deposit_id: "d", amount: 900 }))
        const lock = yield* ledger.apply(
          Ledger.lockForOrder({ key: "d-lock", entity_id: entity, order_id: "d", asset: "EUR", amount: 400 })
        )
        assert.isTrue((yield* ledger.verify).ok)
        // Corrupt the materialised rows behind the ledger's back, then put them back.
        yield* sql`UPDATE ledger.platform_accounts SET balance = balance + 1 WHERE account = 'FEES' AND asset_type = 'EUR'`
        yield* sql`UPDATE ledger.pending_transfers SET remaining = remaining - 1 WHERE transfer_id = ${lock.transfer_id}`
        const report = yield* ledger.verify
        assert.isFalse(report.ok)
        assert.deepStrictEqual(report.platformDifferences.map((row) => [row.account, row.asset_type]), [[
          "FEES",
          "EUR"
        ]])
        assert.deepStrictEqual(
          report.pendingDifferences.map((row) => [row.transfer_id, Number(row.stored), Number(row.journal)]),
          [[lock.transfer_id, 3, 4]]
        )
        yield* sql`UPDATE ledger.platform_accounts SET balance = balance - 1 WHERE account = 'FEES' AND asset_type = 'EUR'`
        yield* sql`UPDATE ledger.pending_transfers SET remaining = remaining + 1 WHERE transfer_id = ${lock.transfer_id}`
        assert.isTrue((yield* ledger.verify).ok)
      }))
  })
})
