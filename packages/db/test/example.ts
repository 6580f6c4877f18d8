import { Database, DemoFixture, Ledger, Migrations } from "@niha/db"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const program = Effect.gen(function*() {
  yield* Migrations.run
  yield* DemoFixture.load
  const ledger = yield* Ledger.Ledger
  const entity_id = DemoFixture.ids.entityBaltic

  // 2,500.00 EUR arrive by wire; 1,000.00 EUR are requested back and sent.
  yield* ledger.apply(
    Ledger.creditDeposit({ key: "deposit:1", entity_id, deposit_id: "1", amount: 250_000 })
  )
  yield* ledger.apply(
    Ledger.lockForWithdrawal({ key: "withdrawal:1", entity_id, withdrawal_id: "1", amount: 100_000 })
  )
  yield* ledger.apply(
    Ledger.completeWithdrawal({ key: "withdrawal:1:sent", lock: { key: "withdrawal:1" }, withdrawal_id: "1" })
  )

  const [eur] = yield* ledger.holdings(entity_id)
  const report = yield* ledger.verify
  return { available: eur?.available, locked: eur?.locked, verified: report.ok }
})

/** Migrates an embedded database in `dataDir`, loads the demo data and moves money through the ledger. */
export const example = (dataDir: string) =>
  Effect.runPromise(
    program.pipe(Effect.provide(Ledger.Ledger.layer.pipe(Layer.provideMerge(Database.layerEmbedded({ dataDir })))))
  )
