import { Database, DemoFixture, Ledger, Migrations, Transaction } from "@niha/db"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"

const program = Effect.gen(function*() {
  yield* Migrations.run
  yield* DemoFixture.load
  const ledger = yield* Ledger.Ledger
  const entity_id = DemoFixture.ids.entityBaltic

  // Three independent linked sets in one transaction, each all or nothing.
  const results = yield* ledger.submitBatch([
    [Ledger.creditDeposit({ key: "deposit:7", entity_id, deposit_id: "7", amount: 100_000 })],
    // More than the entity holds: refused in its place; the other sets go on.
    [Ledger.lockForOrder({ key: "order:8:lock", entity_id, order_id: "8", asset: "EUR", amount: 150_000 })],
    [Ledger.lockForOrder({ key: "order:9:lock", entity_id, order_id: "9", asset: "EUR", amount: 40_000 })]
  ])
  const outcomes = results.map((result) => Result.isSuccess(result) ? "applied" : result.failure._tag)

  // Inside the caller's own transaction (the order writer's, with its own rows): the
  // batch opens no transaction of its own and commits or rolls back with the caller's.
  const [unlock] = yield* Transaction.run(ledger.submitBatchInTransaction([
    [Ledger.unlockOrder({ key: "order:9:unlock", lock: { key: "order:9:lock" }, order_id: "9" })]
  ]))

  const [eur] = yield* ledger.holdings(entity_id)
  const report = yield* ledger.verify
  return {
    outcomes,
    unlocked: unlock !== undefined && Result.isSuccess(unlock),
    available: eur?.available,
    verified: report.ok
  }
})

/** Migrates an embedded database in `dataDir`, loads the demo data and applies two batches. */
export const batchExample = (dataDir: string) =>
  Effect.runPromise(
    program.pipe(Effect.provide(Ledger.Ledger.layer.pipe(Layer.provideMerge(Database.layerEmbedded({ dataDir })))))
  )
