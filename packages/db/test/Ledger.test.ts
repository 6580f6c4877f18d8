import { assert } from "@effect/vitest"
import { Constraints, Ledger } from "@niha/db"
import type { Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"
import { makeEntities } from "./support/Entities.ts"

const balances = (entity_id: Ids.EntityId) =>
  Effect.gen(function*() {
    const ledger = yield* Ledger.Ledger
    const holdings = yield* ledger.holdings(entity_id)
    return Object.fromEntries(
      holdings.map((holding): [string, Array<number>] => [holding.asset_type, [holding.available, holding.locked]])
    )
  })

const journalCount = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM asset_transactions`
  return row?.n ?? 0
})

const assertClean = Effect.gen(function*() {
  const report = yield* (yield* Ledger.Ledger).verify
  assert.deepStrictEqual(report.differences, [])
  assert.deepStrictEqual(report.unbalanced, [])
  assert.deepStrictEqual(report.overdrawnPending, [])
  assert.isTrue(report.ok)
  return report
})

eachBackend("Ledger", (it) => {
  it.layer(Ledger.Ledger.layer)((it) => {
    it.effect("credits a deposit from WORLD and keeps the journal equal to the holding", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [alice] = yield* makeEntities("Deposit Co", 1)
        if (alice === undefined) return assert.fail("no entity")
        const transfer = yield* ledger.apply(
          Ledger.creditDeposit({ key: "deposit-1", entity_id: alice, deposit_id: "d1", amount: 123_450 })
        )
        assert.strictEqual(transfer.kind, "POSTED")
        assert.deepStrictEqual(transfer.lines.map((line) => [line.account._tag, line.amount, line.balance_after]), [
          ["Platform", -123_450, null],
          ["Available", 123_450, 123_450]
        ])
        assert.deepStrictEqual(yield* balances(alice), { EUR: [123_450, 0] })
        assert.strictEqual(yield* ledger.platformBalance("WORLD", "EUR"), -123_450n)
        yield* assertClean
      }))

    it.effect("holds a deposit, then releases part of it and returns the rest", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("Hold Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        const hold = yield* ledger.apply(
          Ledger.placeHold({ key: "hold-1", entity_id: entity, deposit_id: "d2", amount: 50_000 })
        )
        assert.strictEqual(hold.kind, "PENDING")
        assert.deepStrictEqual(yield* balances(entity), { EUR: [0, 50_000] })
        const state = yield* ledger.pending({ key: "hold-1" })
        assert.strictEqual(state.remaining, 50_000)
        assert.strictEqual(state.source._tag, "Platform")
        const released = yield* ledger.apply(
          Ledger.releaseHold({
            key: "release-1",
            hold: { key: "hold-1" },
            entity_id: entity,
            deposit_id: "d2",
            amount: 30_000
          })
        )
        assert.strictEqual(released.pending_id, hold.transfer_id)
        assert.deepStrictEqual(yield* balances(entity), { EUR: [30_000, 0] })
        assert.strictEqual((yield* ledger.pending({ key: "hold-1" })).remaining, 0)
        const closed = yield* ledger.apply(
          Ledger.rejectHold({ key: "reject-1", hold: { key: "hold-1" }, deposit_id: "d2" })
        )
          .pipe(Effect.flip)
        assert.strictEqual(closed._tag, "PendingClosed")
        yield* assertClean
      }))

    it.effect("locks for an order, posts fills to the counterparty and fees, then unlocks the rest", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [buyer, seller] = yield* makeEntities("Trade Co", 2)
        if (buyer === undefined || seller === undefined) return assert.fail("no entities")
        yield* ledger.apply(Ledger.creditDeposit({ key: "t-dep", entity_id: buyer, deposit_id: "d3", amount: 100_000 }))
        yield* ledger.apply(
          Ledger.adjust({ key: "t-cea", entity_id: seller, asset: "CEA", amount: 500, reason: "opening balance" })
        )
        yield* ledger.submit([
          Ledger.lockForOrder({ key: "buy-lock", entity_id: buyer, order_id: "o1", asset: "EUR", amount: 60_000 }),
          Ledger.lockForOrder({ key: "sell-lock", entity_id: seller, order_id: "o2", asset: "CEA", amount: 100 })
        ])
        assert.deepStrictEqual(yield* balances(buyer), { EUR: [40_000, 60_000] })
        // 40 t at 10.00 EUR: notional 400.00 EUR, fees 1.00 and 2.00 EUR.
        const fill = yield* ledger.submit(Ledger.settleTrade({
          key: "fill-1",
          trade_id: "t1",
          base: "CEA",
          quote: "EUR",
          quantity: 40,
          notional: 40_000,
          buyer_fee: 100,
          seller_fee: 200,
          buyer: { entity_id: buyer, lock: { key: "buy-lock" } },
          seller: { entity_id: seller, lock: { key: "sell-lock" } },
          delivery: "buyer"
        }))
        assert.strictEqual(fill.length, 2)
        assert.deepStrictEqual(yield* balances(buyer), { EUR: [40_000, 19_900], CEA: [40, 0] })
        assert.deepStrictEqual(yield* balances(seller), { EUR: [39_800, 0], CEA: [400, 60] })
        assert.strictEqual(yield* ledger.platformBalance("FEES", "EUR"), 300n)
        yield* ledger.submit([
          Ledger.unlockOrder({ key: "buy-unlock", lock: { key: "buy-lock" }, order_id: "o1" }),
          Ledger.unlockOrder({ key: "sell-unlock", lock: { key: "sell-lock" }, order_id: "o2" })
        ])
        assert.deepStrictEqual(yield* balances(buyer), { EUR: [59_900, 0], CEA: [40, 0] })
        assert.deepStrictEqual(yield* balances(seller), { EUR: [39_800, 0], CEA: [460, 0] })
        yield* assertClean
      }))

    it.effect("settles a fill with an external seller against WORLD: allowances in, proceeds out", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [buyer] = yield* makeEntities("Seller Fill Co", 1)
        if (buyer === undefined) return assert.fail("no entity")
        const worldEur = yield* ledger.platformBalance("WORLD", "EUR")
        const worldCea = yield* ledger.platformBalance("WORLD", "CEA")
        const fees = yield* ledger.platformBalance("FEES", "EUR")
        yield* ledger.apply(
          Ledger.creditDeposit({ key: "sf-dep", entity_id: buyer, deposit_id: "sf1", amount: 50_000 })
        )
        yield* ledger.apply(
          Ledger.lockForOrder({ key: "sf-lock", entity_id: buyer, order_id: "sfo", asset: "EUR", amount: 20_200 })
        )
        // 20 t at 10.00 EUR from a seller outside the platform: fees 2.00 (buyer) and 1.00 (seller).
        yield* ledger.submit(Ledger.settleTrade({
          key: "sf-fill",
          trade_id: "sft",
          base: "CEA",
          quote: "EUR",
          quantity: 20,
          notional: 20_000,
          buyer_fee: 200,
          seller_fee: 100,
          buyer: { entity_id: buyer, lock: { key: "sf-lock" } },
          seller: { seller_id: "00000000-0000-4000-8000-000000000013" as Ids.SellerId },
          delivery: "settlement_pending"
        }))
        assert.deepStrictEqual(yield* balances(buyer), { EUR: [29_800, 0] })
        assert.strictEqual(yield* ledger.platformBalance("SETTLEMENT_PENDING", "CEA"), 20n)
        // The allowances came from WORLD; the proceeds less the seller's fee went to it.
        assert.strictEqual(yield* ledger.platformBalance("WORLD", "CEA"), worldCea - 20n)
        assert.strictEqual(yield* ledger.platformBalance("WORLD", "EUR"), worldEur - 50_000n + 19_900n)
        assert.strictEqual(yield* ledger.platformBalance("FEES", "EUR"), fees + 300n)
        yield* assertClean
      }))

    it.effect("refuses to take available below zero and changes nothing", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("Short Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        yield* ledger.apply(Ledger.creditDeposit({ key: "s-dep", entity_id: entity, deposit_id: "d4", amount: 1_000 }))
        const before = yield* journalCount
        const error = yield* ledger.apply(
          Ledger.lockForWithdrawal({ key: "s-wd", entity_id: entity, withdrawal_id: "w1", amount: 1_001 })
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "InsufficientFunds")
        if (error._tag === "InsufficientFunds") {
          assert.strictEqual(error.required, "10.01")
          assert.strictEqual(error.available, "10.00")
        }
        assert.strictEqual(yield* journalCount, before)
        assert.deepStrictEqual(yield* balances(entity), { EUR: [1_000, 0] })
      }))

    it.effect("completes and rejects withdrawals through their lock", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("Withdraw Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        yield* ledger.apply(Ledger.creditDeposit({ key: "w-dep", entity_id: entity, deposit_id: "d5", amount: 10_000 }))
        yield* ledger.apply(
          Ledger.lockForWithdrawal({ key: "w-1", entity_id: entity, withdrawal_id: "w1", amount: 4_000 })
        )
        yield* ledger.apply(
          Ledger.lockForWithdrawal({ key: "w-2", entity_id: entity, withdrawal_id: "w2", amount: 3_000 })
        )
        assert.deepStrictEqual(yield* balances(entity), { EUR: [3_000, 7_000] })
        yield* ledger.apply(Ledger.completeWithdrawal({ key: "w-1-done", lock: { key: "w-1" }, withdrawal_id: "w1" }))
        yield* ledger.apply(Ledger.unlockWithdrawal({ key: "w-2-rejected", lock: { key: "w-2" }, withdrawal_id: "w2" }))
        assert.deepStrictEqual(yield* balances(entity), { EUR: [6_000, 0] })
        yield* assertClean
      }))

    it.effect("answers a replayed key with the original transfer and a changed one with a conflict", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("Replay Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        const request = Ledger.creditDeposit({ key: "replay-1", entity_id: entity, deposit_id: "d6", amount: 777 })
        const first = yield* ledger.apply(request)
        const count = yield* journalCount
        const again = yield* ledger.apply(request)
        assert.strictEqual(again.transfer_id, first.transfer_id)
        assert.strictEqual(yield* journalCount, count)
        const concurrent = yield* Effect.forEach(
          Array.from({ length: 8 }, () => request),
          (same) => ledger.apply(same),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          new Set(concurrent.map((transfer) => transfer.transfer_id)),
          new Set([first.transfer_id])
        )
        const conflict = yield* ledger.apply(
          Ledger.creditDeposit({ key: "replay-1", entity_id: entity, deposit_id: "d6", amount: 778 })
        ).pipe(Effect.flip)
        assert.strictEqual(conflict._tag, "Conflict")
        assert.strictEqual(yield* journalCount, count)
        assert.deepStrictEqual(yield* balances(entity), { EUR: [777, 0] })
      }))

    it.effect("applies a linked set all or nothing", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [a, b] = yield* makeEntities("Linked Co", 2)
        if (a === undefined || b === undefined) return assert.fail("no entities")
        yield* ledger.apply(Ledger.creditDeposit({ key: "l-dep", entity_id: a, deposit_id: "d7", amount: 500 }))
        const count = yield* journalCount
        const error = yield* ledger.submit([
          {
            _tag: "Transfer",
            key: "l-1",
            type: "ADJUSTMENT",
            notes: "move",
            reference: "test:l",
            asset: "EUR",
            legs: [
              { account: Ledger.available(a), amount: -400 },
              { account: Ledger.available(b), amount: 400 }
            ]
          },
          {
            _tag: "Transfer",
            key: "l-2",
            type: "ADJUSTMENT",
            notes: "move",
            reference: "test:l",
            asset: "EUR",
            legs: [
              { account: Ledger.available(a), amount: -200 },
              { account: Ledger.available(b), amount: 200 }
            ]
          }
        ]).pipe(Effect.flip)
        assert.strictEqual(error._tag, "InsufficientFunds")
        assert.strictEqual(yield* journalCount, count)
        assert.deepStrictEqual(yield* balances(a), { EUR: [500, 0] })
        yield* assertClean
      }))

    it.effect("corrects by reversal, once, and never edits a line", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const sql = yield* SqlClient.SqlClient
        const [entity] = yield* makeEntities("Reverse Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        const wrong = yield* ledger.apply(
          Ledger.creditDeposit({ key: "r-dep", entity_id: entity, deposit_id: "d8", amount: 9_999 })
        )
        const reversal = yield* ledger.reverse({ transfer_id: wrong.transfer_id, reason: "credited twice" })
        assert.deepStrictEqual(reversal.lines.map((line) => line.amount), [9_999, -9_999])
        assert.strictEqual(reversal.reference, `asset_transactions:${wrong.transfer_id}`)
        const again = yield* ledger.reverse({ transfer_id: wrong.transfer_id, reason: "credited twice" })
        assert.strictEqual(again.transfer_id, reversal.transfer_id)
        assert.deepStrictEqual(yield* balances(entity), { EUR: [0, 0] })
        const edit = yield* Constraints.refine(
          sql`UPDATE asset_transactions SET amount = 1 WHERE transfer_id = ${wrong.transfer_id}`
        )
          .pipe(Effect.flip)
        assert.strictEqual(edit._tag, "RestrictViolation")
        const erase = yield* Constraints.refine(
          sql`DELETE FROM asset_transactions WHERE transfer_id = ${wrong.transfer_id}`
        )
          .pipe(Effect.flip)
        assert.strictEqual(erase._tag, "RestrictViolation")
        yield* assertClean
      }))

    it.effect("validates requests before touching anything", () =>
      Effect.gen(function*() {
        const ledger = yield* Ledger.Ledger
        const [entity] = yield* makeEntities("Invalid Co", 1)
        if (entity === undefined) return assert.fail("no entity")
        const before = yield* journalCount
        const unbalanced = yield* ledger.apply({
          _tag: "Transfer",
          key: "bad-1",
          type: "ADJUSTMENT",
          notes: "x",
          reference: "test:x",
          asset: "EUR",
          legs: [{ account: Ledger.available(entity), amount: 10 }, { account: Ledger.platform("WORLD"), amount: -9 }]
        }).pipe(Effect.flip)
        assert.strictEqual(unbalanced._tag, "ValidationFailed")
        const noReason = yield* ledger.apply(
          Ledger.adjust({ key: "bad-2", entity_id: entity, asset: "EUA", amount: 5, reason: " " })
        ).pipe(Effect.flip)
        assert.strictEqual(noReason._tag, "ValidationFailed")
        const negative = yield* ledger.apply(
          Ledger.lockForOrder({ key: "bad-3", entity_id: entity, order_id: "o", asset: "CEA", amount: -5 })
        ).pipe(Effect.flip)
        assert.strictEqual(negative._tag, "ValidationFailed")
        const missing = yield* ledger.apply(
          Ledger.unlockOrder({ key: "bad-4", lock: { key: "no-such-lock" }, order_id: "o" })
        ).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "NotFound")
        assert.strictEqual(yield* journalCount, before)
      }))
  })
})

eachBackend("Ledger under concurrency", (it) => {
  it.layer(Ledger.Ledger.layer)((it) => {
    it.effect(
      "32 fibers moving money between the same few accounts end with verify clean and no overdraft",
      () =>
        Effect.gen(function*() {
          const ledger = yield* Ledger.Ledger
          const accounts = yield* makeEntities("Busy Co", 4)
          yield* Effect.forEach(accounts, (entity_id, index) =>
            ledger.apply(
              Ledger.creditDeposit({ key: `busy-dep-${index}`, entity_id, deposit_id: `b${index}`, amount: 10_000 })
            ))
          // A fixed pseudo-random walk per fiber, so a failure replays.
          const outcomes = yield* Effect.forEach(
            Array.from({ length: 32 }, (_, fiber) => fiber),
            (fiber) =>
              Effect.forEach(
                Array.from({ length: 8 }, (_, step) => step),
                (step) => {
                  const mix = (fiber * 7919 + step * 104_729) % 1_000_003
                  const from = accounts[mix % 4] as Ids.EntityId
                  const to = accounts[(mix + 1 + (mix >> 3) % 3) % 4] as Ids.EntityId
                  const amount = 1 + (mix % 4_000)
                  const key = `busy-${fiber}-${step}`
                  const move = step % 3 === 2
                    // Lock, then post part to the other account and return the rest: two-phase under load.
                    ? Effect.andThen(
                      ledger.apply(Ledger.lockForOrder({ key, entity_id: from, order_id: key, asset: "EUR", amount })),
                      ledger.apply({
                        _tag: "Post",
                        key: `${key}:post`,
                        type: "TRADE_BUY",
                        reference: `orders:${key}`,
                        pending: { key },
                        destinations: { legs: [{ account: Ledger.available(to), amount: Math.ceil(amount / 2) }] }
                      })
                    )
                    : ledger.apply({
                      _tag: "Transfer",
                      key,
                      type: "ADJUSTMENT",
                      notes: "busy",
                      reference: `test:${key}`,
                      asset: "EUR",
                      legs: [{ account: Ledger.available(from), amount: -amount }, {
                        account: Ledger.available(to),
                        amount
                      }]
                    })
                  return move.pipe(
                    Effect.as("ok" as const),
                    Effect.catchTag("InsufficientFunds", () => Effect.succeed("short" as const))
                  )
                }
              ),
            { concurrency: "unbounded" }
          )
          const flat = outcomes.flat()
          assert.isAbove(flat.filter((outcome) => outcome === "ok").length, 0)
          const report = yield* assertClean
          assert.deepStrictEqual(report.negative, [])
          let total = 0
          for (const entity_id of accounts) {
            const [eur] = yield* ledger.holdings(entity_id)
            assert.isAtLeast(eur?.available ?? -1, 0)
            assert.isAtLeast(eur?.locked ?? -1, 0)
            total += (eur?.available ?? 0) + (eur?.locked ?? 0)
          }
          assert.strictEqual(total, 40_000)
        }),
      120_000
    )
  })
}, { only: "postgres" })
