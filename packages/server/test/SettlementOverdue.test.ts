/**
 * The settlement overdue job on the test clock, on both backends: a batch's milestones are
 * flagged once each when their due date (on the China exchange calendar, in Asia/Shanghai)
 * has ended and the batch has not reached them, and each flag is mailed once to the admins
 * and the client's users; a settled or failed batch is never flagged.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations, Repository } from "@niha/db"
import { SettlementOverdue } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const epoch = (iso: string) => DateTime.toEpochMillis(DateTime.makeUnsafe(iso))

const database = (backend: TestServer.Backend) =>
  Effect.gen(function*() {
    const layer = Layer.provideMerge(
      Repository.Repositories.layer,
      Layer.provideMerge(Migrations.layer, yield* TestServer.freshDatabase(backend))
    )
    yield* TestClock.setTime(epoch("2026-03-02T01:00:00Z"))
    return yield* Layer.build(layer)
  })

/** A PENDING CEA purchase batch executed on Monday 2 March 2026 at 10:00 in Shanghai (T = 2 March, T+2 = 4 March). */
const batch = (entityId: string, reference: string, status: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ id: string }>`
      INSERT INTO settlement_batches (batch_reference, entity_id, status, quantity, executed_at, trade_date,
        expected_settlement_date, settlement_type, asset_type, price, total_amount, failed_at, failure_reason,
        settled_at)
      VALUES (${reference}, ${entityId}, ${status}, 10, '2026-03-02T02:00:00Z', '2026-03-02', '2026-03-04',
        'CEA_PURCHASE', 'CEA', '12.00', '120.00',
        ${status === "FAILED" ? new Date("2026-03-02T03:00:00Z") : null},
        ${status === "FAILED" ? "not delivered" : null},
        ${status === "SETTLED" ? new Date("2026-03-02T03:00:00Z") : null})
      RETURNING id`
    if (row === undefined) return yield* Effect.die("no batch")
    return row.id
  })

const mails = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ recipient: string; subject: string }>`
    SELECT to_email AS recipient, subject FROM mail_outbox WHERE kind = 'settlement_overdue' ORDER BY subject, recipient`)

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`settlement overdue job [${backend}]`, () => {
    it.effect("flags each overdue milestone once and mails it once", () =>
      Effect.scoped(Effect.gen(function*() {
        const context = yield* database(backend)
        yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO users (email, first_name, last_name, role) VALUES ('ops@niha.test', 'Ada', 'Ops', 'ADMIN')`
          const { entityId } = yield* trader("Overdue Buyer", "CEA", {})
          const open = yield* batch(entityId, "STL-OVERDUE-1", "PENDING")
          yield* batch(entityId, "STL-SETTLED-1", "SETTLED")
          yield* batch(entityId, "STL-FAILED-1", "FAILED")

          // Before the end of 2 March in Shanghai (16:00 UTC), nothing is overdue.
          yield* TestClock.setTime(epoch("2026-03-02T15:59:00Z"))
          assert.deepStrictEqual(yield* SettlementOverdue.flagOverdue(), [])
          yield* TestClock.setTime(epoch("2026-03-02T16:00:00Z"))
          const first = yield* SettlementOverdue.flagOverdue()
          assert.deepStrictEqual(first, [{ batch_id: open, milestone: "TRANSFER_INITIATED", due_date: "2026-03-02" }])
          assert.deepStrictEqual((yield* mails).map((mail) => mail.recipient), [
            "ops@niha.test",
            "overdue.buyer@orders.test"
          ])
          // Run again: flagged once, mailed once.
          assert.deepStrictEqual(yield* SettlementOverdue.flagOverdue(), [])
          assert.strictEqual((yield* mails).length, 2)

          // The transfer is initiated late; on 5 March the rest is overdue, each flagged once.
          yield* sql`UPDATE settlement_batches SET status = 'TRANSFER_INITIATED', registry_reference = 'R-1' WHERE id = ${open}`
          yield* TestClock.setTime(epoch("2026-03-05T00:00:00Z"))
          const later = yield* SettlementOverdue.flagOverdue()
          assert.deepStrictEqual(later.map((flag) => [flag.milestone, flag.due_date]), [
            ["IN_TRANSIT", "2026-03-03"],
            ["AT_CUSTODY", "2026-03-04"],
            ["SETTLED", "2026-03-04"]
          ])
          assert.deepStrictEqual(yield* SettlementOverdue.flagOverdue(), [])
          assert.strictEqual((yield* mails).length, 8)
          const flags = yield* sql<{ reference: string }>`
            SELECT b.batch_reference AS reference FROM settlement_overdue_flags f
            JOIN settlement_batches b ON b.id = f.settlement_batch_id`
          assert.isTrue(flags.every((flag) => flag.reference === "STL-OVERDUE-1"))
        }).pipe(Effect.provideContext(context))
      })), { timeout: 120_000 })
  })
}
