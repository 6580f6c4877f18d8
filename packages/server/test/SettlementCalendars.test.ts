/**
 * The calendar horizon: China's data ends with 2026, so a CEA purchase on 30 December 2026
 * cannot be scheduled on the released calendars. Its batch is accepted with provisional
 * dates and `reschedule_pending`; readiness warns within 60 days of the end; an operator's
 * calendar file is checked before it is used (a bad one changes nothing); once the year is
 * added the waiting batches are rescheduled (and the overdue job skips them until then).
 */
import { afterEach, assert, describe, it } from "@effect/vitest"
import { Migrations, Repository } from "@niha/db"
import { Fees, MarketWriter, Orders, SettlementCalendars, SettlementOverdue } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

/** A made-up 2027 schedule in the shape of a State Council notice (test data, not the real notice). */
const example2027 = {
  chinaYears: [{
    year: 2027,
    source: "example notice (test data)",
    holidays: [
      { name: "New Year's Day", first: "2027-01-01", last: "2027-01-03" },
      { name: "Spring Festival", first: "2027-02-05", last: "2027-02-12" },
      { name: "National Day", first: "2027-10-01", last: "2027-10-07" }
    ],
    makeUpWorkdays: ["2027-02-13", "2027-10-09"]
  }],
  closures: []
}

const fileWith = (content: string) => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "niha-calendars-"))
  const file = NodePath.join(dir, "calendars.json")
  NodeFs.writeFileSync(file, content)
  return file
}

const at = (iso: string) => DateTime.makeUnsafe(iso)

afterEach(() => SettlementCalendars.reset())

describe("settlement calendars", () => {
  it("accepts a trade whose schedule runs past the data, with provisional dates", () => {
    // Wednesday 30 December 2026, 10:00 in Shanghai: T = 30 December, T+2 runs into 2027.
    assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-30T02:00:00Z")), {
      trade_date: "2026-12-30",
      settlement_date: "2027-01-01",
      reschedule_pending: true
    })
    // Inside the data, the schedule's own dates.
    assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-01T02:00:00Z")), {
      trade_date: "2026-12-01",
      settlement_date: "2026-12-03",
      reschedule_pending: false
    })
  })

  it("gives every fill of a minute the same dates, and a fill at the cut-off the next day's", () => {
    // CEA purchases cut off at 15:00 in Shanghai (07:00 UTC): the minute before is T, the minute of it is T+1.
    const before = SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-01T06:59:00.000Z"))
    assert.deepStrictEqual(before, {
      trade_date: "2026-12-01",
      settlement_date: "2026-12-03",
      reschedule_pending: false
    })
    assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-01T06:59:59.999Z")), before)
    const atCutOff = { trade_date: "2026-12-02", settlement_date: "2026-12-04", reschedule_pending: false }
    assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-01T07:00:00.000Z")), atCutOff)
    assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-01T07:00:59.999Z")), atCutOff)
    // Another settlement type in the same minute has its own schedule (Brussels, 16:00).
    assert.strictEqual(
      SettlementCalendars.batchDates("SWAP_CEA_TO_EUA", at("2026-12-01T06:59:30.000Z")).trade_date,
      "2026-12-01"
    )
  })

  it("warns within 60 days of the end of a calendar's data", () => {
    const horizon = SettlementCalendars.horizon(at("2026-11-29T00:00:00Z"))
    const china = horizon.find((entry) => entry.calendar === "CHINA_EXCHANGE")
    assert.deepStrictEqual(china && { ends: china.data_ends, days: china.days_left, warning: china.warning }, {
      ends: "2026-12-31",
      days: 32,
      warning: true
    })
    const early = SettlementCalendars.horizon(at("2026-10-01T00:00:00Z"))
    assert.isFalse(early.find((entry) => entry.calendar === "CHINA_EXCHANGE")?.warning)
    assert.isFalse(horizon.find((entry) => entry.calendar === "TARGET")?.warning)
  })

  it.effect("checks a calendar file before using it; a bad one changes nothing", () =>
    Effect.gen(function*() {
      const broken = yield* Effect.flip(SettlementCalendars.installFile(fileWith("{ not json")))
      assert.include(broken.message, "is not JSON")
      const wrongYear = { ...example2027, chinaYears: [{ ...example2027.chinaYears[0], year: 2026 }] }
      const refused = yield* Effect.flip(SettlementCalendars.installFile(fileWith(JSON.stringify(wrongYear))))
      assert.include(refused.message, "is refused")
      assert.isTrue(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-30T02:00:00Z")).reschedule_pending)

      yield* SettlementCalendars.installFile(fileWith(JSON.stringify(example2027)))
      // 31 December is T+1; 1-3 January 2027 are holidays, so T+2 is Monday 4 January.
      assert.deepStrictEqual(SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-30T02:00:00Z")), {
        trade_date: "2026-12-30",
        settlement_date: "2027-01-04",
        reschedule_pending: false
      })
      const china = SettlementCalendars.horizon(at("2026-11-29T00:00:00Z")).find((entry) =>
        entry.calendar === "CHINA_EXCHANGE"
      )
      assert.deepStrictEqual(china && [china.data_ends, china.warning], ["2027-12-31", false])
    }))
})

const database = (backend: TestServer.Backend) =>
  Effect.gen(function*() {
    const layer = Layer.provideMerge(
      Repository.Repositories.layer,
      Layer.provideMerge(Migrations.layer, yield* TestServer.freshDatabase(backend))
    )
    yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-12-30T03:00:00Z")))
    return yield* Layer.build(layer)
  })

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  `rescheduling [${TestServer.quickBackend}]`,
  () => {
    it.effect(
      "reschedules the waiting batches once the year is added, and flags none of them before",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* database(TestServer.quickBackend)
          yield* Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const { entityId } = yield* trader("Year End Buyer", "CEA", {})
            const dates = SettlementCalendars.batchDates("CEA_PURCHASE", at("2026-12-30T02:00:00Z"))
            const [row] = yield* sql<{ id: string }>`
            INSERT INTO settlement_batches (batch_reference, entity_id, status, quantity, executed_at, trade_date,
              expected_settlement_date, settlement_type, asset_type, price, total_amount, reschedule_pending)
            VALUES ('STL-YEAR-END', ${entityId}, 'PENDING', 10, '2026-12-30T02:00:00Z', ${dates.trade_date},
              ${dates.settlement_date}, 'CEA_PURCHASE', 'CEA', '12.00', '120.00', ${dates.reschedule_pending})
            RETURNING id`
            if (row === undefined) return yield* Effect.die("no batch")
            // Long past every provisional date, the waiting batch is neither rescheduled nor flagged.
            yield* TestClock.setTime(DateTime.toEpochMillis(at("2027-01-20T00:00:00Z")))
            assert.deepStrictEqual(yield* SettlementOverdue.flagOverdue(), [])
            const [waiting] = yield* sql<{ reschedule_pending: boolean }>`
            SELECT reschedule_pending FROM settlement_batches WHERE id = ${row.id}`
            assert.isTrue(waiting?.reschedule_pending)

            yield* SettlementCalendars.installFile(fileWith(JSON.stringify(example2027)))
            assert.deepStrictEqual(yield* SettlementOverdue.reschedulePending(), [row.id])
            const [after] = yield* sql<{ due: string; pending: boolean }>`
            SELECT expected_settlement_date::text AS due, reschedule_pending AS pending
            FROM settlement_batches WHERE id = ${row.id}`
            assert.deepStrictEqual(after, { due: "2027-01-04", pending: false })
            assert.deepStrictEqual(yield* SettlementOverdue.reschedulePending(), [])
            // Rescheduled, it is now overdue like any other batch.
            assert.strictEqual((yield* SettlementOverdue.flagOverdue()).length, 4)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )
  }
)

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  `trading at the year end [${TestServer.quickBackend}]`,
  () => {
    it.effect(
      "accepts a CEA purchase on 30 December 2026 and marks its batch to be rescheduled",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-12-30T02:00:00Z")))
          const database = yield* TestServer.freshDatabase(TestServer.quickBackend)
          const context = yield* Layer.build(
            Orders.Orders.layer.pipe(
              Layer.provideMerge(MarketWriter.MarketWriter.layer({ anonymitySecret: "year-end" })),
              Layer.provideMerge(Fees.layer),
              Layer.provideMerge(Repository.Repositories.layer),
              Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
            )
          )
          yield* Effect.gen(function*() {
            const orders = yield* Orders.Orders
            const sql = yield* SqlClient.SqlClient
            const buyer = yield* trader("Year End Buyer", "CEA", { EUR: 100_000 })
            const seller = yield* trader("Year End Seller", "CEA", { CEA: 10 })
            const limit = (side: "BUY" | "SELL") =>
              ({ market: "CEA_CASH", side, type: "LIMIT", quantity: "10", price: "10.00" }) as const
            yield* orders.place(seller.user, limit("SELL"))
            const bought = yield* orders.place(buyer.user, limit("BUY"))
            assert.strictEqual(bought.order.status, "FILLED")
            const [batch] = yield* sql<{ trade: string; due: string; pending: boolean }>`
            SELECT trade_date::text AS trade, expected_settlement_date::text AS due, reschedule_pending AS pending
            FROM settlement_batches`
            assert.deepStrictEqual(batch, { trade: "2026-12-30", due: "2027-01-01", pending: true })

            yield* SettlementCalendars.installFile(fileWith(JSON.stringify(example2027)))
            assert.strictEqual((yield* SettlementOverdue.reschedulePending()).length, 1)
            const [after] = yield* sql<{ due: string; pending: boolean }>`
            SELECT expected_settlement_date::text AS due, reschedule_pending AS pending FROM settlement_batches`
            assert.deepStrictEqual(after, { due: "2027-01-04", pending: false })
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )
  }
)
