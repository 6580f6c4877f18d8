/**
 * The chain run one migration at a time, as a database in the field meets it (each
 * release runs the migrations it has not run yet), builds the same schema as the whole
 * chain run at once on a fresh database: the two schema dumps are equal. Migration 4 fills
 * the ledger's materialised accounts and pending remainders from a journal written before
 * it, and the ledger then finds its books clean.
 */
import { assert } from "@effect/vitest"
import { Ledger, Migrations, SchemaSnapshot } from "@niha/db"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import { backends, eachBackend } from "./support/Backends.ts"
import { makeEntities } from "./support/Entities.ts"

/** Runs the chain up to and including migration `last`, as a release that shipped it would. */
const runUpTo = (last: number) =>
  Migrator.make({})({
    loader: Migrator.fromRecord(
      Object.fromEntries(Object.entries(Migrations.record).filter(([key]) => Number(key.split("_")[0]) <= last))
    ),
    table: Migrations.table
  })

/** A journal as the ledger wrote it before migration 4: a deposit, an order's lock, a fill with a fee. */
const journalBeforeMigration4 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [entity] = yield* makeEntities("Early Co", 1)
  if (entity === undefined) return yield* Effect.die("no entity")
  const deposit = crypto.randomUUID()
  const lock = crypto.randomUUID()
  const fill = crypto.randomUUID()
  const line = (
    transfer_id: string,
    index: number,
    kind: string,
    account: string,
    amount: string,
    balance_after: string | null,
    pending_id: string | null = null
  ) => ({
    entity_id: account === "AVAILABLE" || account === "LOCKED" ? entity : null,
    transaction_type: "DEPOSIT",
    reference: `early:${transfer_id}`,
    idempotency_key: `early-${transfer_id}#${index}`,
    asset_type: "EUR",
    amount,
    balance_after,
    transfer_id,
    account,
    transfer_kind: kind,
    pending_id
  })
  yield* sql`INSERT INTO asset_transactions ${
    sql.insert([
      line(deposit, 0, "POSTED", "WORLD", "-100.00", null),
      line(deposit, 1, "POSTED", "AVAILABLE", "100.00", "100.00"),
      line(lock, 0, "PENDING", "AVAILABLE", "-60.00", "40.00"),
      line(lock, 1, "PENDING", "LOCKED", "60.00", "100.00"),
      line(fill, 0, "POST_PENDING", "LOCKED", "-25.00", "75.00", lock),
      line(fill, 1, "POST_PENDING", "FEES", "25.00", null, lock)
    ])
  }`
  yield* sql`INSERT INTO entity_holdings (entity_id, asset_type, available, locked) VALUES (${entity}, 'EUR', 40, 35)`
  return { entity, lock }
})

eachBackend("Migration chain", (it, backend) => {
  it.effect("run one migration at a time equals the whole chain on a fresh database", () =>
    Effect.gen(function*() {
      const ran: Array<ReadonlyArray<readonly [number, string]>> = []
      let early: Effect.Success<typeof journalBeforeMigration4> | undefined
      for (const migration of Migrations.all) {
        ran.push(yield* runUpTo(migration.id))
        if (migration.id === 3) early = yield* journalBeforeMigration4
      }
      assert.deepStrictEqual(ran, Migrations.all.map((migration) => [[migration.id, migration.name]]))
      const stepwise = yield* SchemaSnapshot.read

      const fresh = backends.find((candidate) => candidate.name === backend)
      if (fresh === undefined) return assert.fail(`no backend ${backend}`)
      const atOnce = yield* Effect.gen(function*() {
        yield* Migrations.run
        return yield* SchemaSnapshot.read
      }).pipe(Effect.provide(Layer.fresh(fresh.layer(false))), Effect.orDie)
      assert.strictEqual(stepwise, atOnce)

      // Migration 4 filled the ledger's rows from the journal written before it.
      if (early === undefined) return assert.fail("no early journal")
      const ledger = yield* Ledger.Ledger
      assert.strictEqual(yield* ledger.platformBalance("WORLD", "EUR"), -10_000n)
      assert.strictEqual(yield* ledger.platformBalance("FEES", "EUR"), 2_500n)
      const pending = yield* ledger.pending({ transfer_id: Ledger.TransferId.make(early.lock) })
      assert.deepStrictEqual([pending.amount, pending.remaining, pending.source], [
        6_000,
        3_500,
        Ledger.available(early.entity)
      ])
      const report = yield* ledger.verify
      assert.isTrue(report.ok, JSON.stringify(report))
    }).pipe(Effect.provide(Ledger.Ledger.layer)), 120_000)
}, { migrate: false })
