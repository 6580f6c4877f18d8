import { describe, expect, it } from "@effect/vitest"
import { Enums, Ids, Quantity, StateMachine } from "@niha/domain"
import { SettlementBatch, SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { at, err, ok } from "./support/dates.ts"
import { propertyOptions } from "./support/property.ts"

const batchId = Ids.SettlementBatchId.make("3b8f1d2e-5a6c-4d7e-8f90-a1b2c3d4e5f6")
const entityId = Ids.EntityId.make("6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f")
const admin = Ids.UserId.make("0d9c8b7a-6f5e-4d3c-8b2a-190817161514")
const tradeId = (n: number) => Ids.CashMarketTradeId.make(`00000000-0000-4000-8000-${String(n).padStart(12, "0")}`)
const orderId = Ids.OrderId.make("11111111-1111-4111-8111-111111111111")
const swapId = Ids.SwapRequestId.make("22222222-2222-4222-8222-222222222222")

// Friday 13 February 2026, 14:00 and 14:30 in Shanghai: T = 13 Feb, T+2 = 25 Feb.
const trades: ReadonlyArray<SettlementBatch.BatchTrade> = [
  {
    _tag: "CashMarketTrade",
    tradeId: tradeId(1),
    orderId,
    quantity: Quantity.Tonnes.make(1_000),
    executedAt: at("2026-02-13T06:00:00Z")
  },
  {
    _tag: "CashMarketTrade",
    tradeId: tradeId(2),
    orderId,
    quantity: Quantity.Tonnes.make(250),
    executedAt: at("2026-02-13T06:30:00Z")
  }
]
const schedule = ok(SettlementSchedule.make({ settlementType: "CEA_PURCHASE", executedAt: at("2026-02-13T06:30:00Z") }))
const createdAt = at("2026-02-13T06:30:01Z")

const input: Parameters<typeof SettlementBatch.make>[0] = {
  id: batchId,
  entityId,
  settlementType: "CEA_PURCHASE",
  trades,
  schedule,
  createdAt,
  createdBy: "system"
}
const pending = ok(SettlementBatch.make(input))

const happyPath: ReadonlyArray<SettlementSchedule.Milestone> = [
  "TRANSFER_INITIATED",
  "IN_TRANSIT",
  "AT_CUSTODY",
  "SETTLED"
]

/** The batch moved along the happy path up to `status` (or failed from PENDING), an hour per step. */
const batchIn = (status: Enums.SettlementStatus): SettlementBatch.SettlementBatch => {
  if (status === "FAILED") {
    return ok(SettlementBatch.fail(pending, { reason: "setup", at: at("2026-02-13T08:00:00Z"), by: admin }))
  }
  let batch = pending
  for (const [index, to] of happyPath.entries()) {
    if (batch.status === status) break
    batch = ok(
      SettlementBatch.advance(batch, {
        to,
        at: at(`2026-02-13T${String(8 + index).padStart(2, "0")}:00:00Z`),
        by: admin
      })
    )
  }
  return batch
}

describe("SettlementBatch.make", () => {
  it("creates a PENDING batch with an empty history and the total tonnes", () => {
    expect(pending).toMatchObject({
      id: batchId,
      status: "PENDING",
      totalQuantity: 1_250,
      failureReason: null,
      history: []
    })
    expect(pending.schedule.settlementDate).toBe("2026-02-25")
  })

  it("refuses a batch that cannot settle, naming the problem", () => {
    const issue = (change: Partial<typeof input>) => err(SettlementBatch.make({ ...input, ...change })).issue
    const [first, second] = trades
    if (first === undefined || second === undefined) throw new Error("two trades expected")
    expect(issue({ trades: [] })).toBe("NoTrades")
    // Quantities the type forbids, as a caller skipping the schema would pass them.
    const unchecked = (tonnes: number) => tonnes as Quantity.Tonnes
    expect(issue({ trades: [{ ...first, quantity: unchecked(0) }] })).toBe("NonPositiveQuantity")
    expect(issue({ trades: [{ ...first, quantity: unchecked(2.5) }] })).toBe("NonPositiveQuantity")
    expect(issue({ trades: [{ ...first, quantity: unchecked(Number.MAX_SAFE_INTEGER) }, second] })).toBe(
      "QuantityOverflow"
    )
    expect(issue({ trades: [first, first] })).toBe("DuplicateTrade")
    expect(
      issue({
        trades: [{
          _tag: "SwapRequest",
          swapRequestId: swapId,
          quantity: Quantity.Tonnes.make(5),
          executedAt: first.executedAt
        }]
      })
    )
      .toBe("TradeKindMismatch")
    expect(issue({ settlementType: "SWAP_CEA_TO_EUA" })).toBe("ScheduleTypeMismatch")
    expect(
      issue({ trades: [{ ...second, executedAt: at("2026-02-13T06:45:00Z") }], createdAt: at("2026-02-13T07:00:00Z") })
    )
      .toBe("ScheduleBeforeTrade")
    expect(issue({ createdAt: at("2026-02-13T06:15:00Z") })).toBe("CreatedBeforeTrade")
  })

  it("encodes to JSON and back (what the server stores and serves)", () => {
    const batch = batchIn("IN_TRANSIT")
    const codec = Schema.toCodecJson(SettlementBatch.SettlementBatch)
    const json = JSON.parse(JSON.stringify(Schema.encodeSync(codec)(batch)))
    expect(json.history[1]).toEqual({
      from: "TRANSFER_INITIATED",
      to: "IN_TRANSIT",
      at: "2026-02-13T09:00:00.000Z",
      by: admin,
      note: null
    })
    const back = Schema.decodeUnknownSync(codec)(json)
    expect(back.status).toBe("IN_TRANSIT")
    expect(back.history.map((entry) => DateTime.formatIso(entry.at))).toEqual(
      batch.history.map((entry) => DateTime.formatIso(entry.at))
    )
    expect(() => Schema.decodeUnknownSync(codec)({ ...json, createdBy: "root" })).toThrow()
  })
})

describe("SettlementBatch lifecycle", () => {
  const statuses = Enums.SettlementStatus.literals
  const targets = statuses.filter((status) => status !== "PENDING")

  it.each(statuses.flatMap((from) => targets.map((to) => [from, to] as const)))(
    "%s -> %s follows the domain's settlement state machine",
    (from, to) => {
      const batch = batchIn(from)
      expect(batch.status).toBe(from)
      const when = at("2026-02-14T00:00:00Z")
      const result = to === "FAILED"
        ? SettlementBatch.fail(batch, { reason: "registry rejected the transfer", at: when, by: admin })
        : SettlementBatch.advance(batch, { to, at: when, by: admin, note: "registry reference 42" })
      if (StateMachine.canTransition(StateMachine.settlementStatus, from, to)) {
        const moved = ok(result)
        expect(moved.status).toBe(to)
        expect(moved.history).toHaveLength(batch.history.length + 1)
        expect(moved.history.slice(0, -1)).toEqual(batch.history)
        expect(moved.history[moved.history.length - 1]).toEqual({
          from,
          to,
          at: when,
          by: admin,
          note: to === "FAILED" ? "registry rejected the transfer" : "registry reference 42"
        })
        expect(moved.failureReason).toBe(to === "FAILED" ? "registry rejected the transfer" : null)
      } else {
        expect(err(result)).toMatchObject({ _tag: "InvalidTransition", machine: "settlementstatus", from, to })
      }
      // Either way the batch given is unchanged.
      expect(batch.status).toBe(from)
    }
  )

  it("the milestones are, in order, a path of the domain's machine from PENDING", () => {
    let from: Enums.SettlementStatus = "PENDING"
    for (const to of SettlementSchedule.Milestone.literals) {
      expect(StateMachine.canTransition(StateMachine.settlementStatus, from, to)).toBe(true)
      from = to
    }
    expect(StateMachine.isTerminal(StateMachine.settlementStatus, from)).toBe(true)
  })

  it("keeps the history in time order and needs a reason to fail", () => {
    const moved = batchIn("TRANSFER_INITIATED")
    expect(err(SettlementBatch.advance(moved, { to: "IN_TRANSIT", at: at("2026-02-13T07:59:00Z"), by: admin })))
      .toMatchObject({ _tag: "HistoryOutOfOrder", last: "2026-02-13T08:00:00.000Z" })
    expect(
      err(SettlementBatch.advance(pending, { to: "TRANSFER_INITIATED", at: at("2026-02-13T06:00:00Z"), by: admin }))
    )
      .toMatchObject({ _tag: "HistoryOutOfOrder" })
    expect(err(SettlementBatch.fail(moved, { reason: "  ", at: at("2026-02-14T00:00:00Z"), by: admin })))
      .toMatchObject({ _tag: "MissingFailureReason" })
    // The same instant as the last change is in order.
    expect(
      ok(SettlementBatch.advance(moved, { to: "IN_TRANSIT", at: at("2026-02-13T08:00:00Z"), by: "system" })).status
    )
      .toBe("IN_TRANSIT")
    expect(SettlementBatch.lastChangedAt(moved)).toEqual(at("2026-02-13T08:00:00Z"))
    expect(SettlementBatch.lastChangedAt(pending)).toEqual(createdAt)
  })

  it("appends exactly one history entry per successful change, none per refused one (seeded simulation)", () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), to: fc.constantFrom(...happyPath) }),
      fc.record({ kind: fc.constant("fail" as const), reason: fc.constantFrom("", "registry outage") })
    )
    fc.assert(
      fc.property(
        fc.array(fc.tuple(operation, fc.integer({ min: -3_600_000, max: 86_400_000 })), { maxLength: 12 }),
        (ops) => {
          // An independent model: the status and the history length, from the machine's table.
          let model: { status: Enums.SettlementStatus; changes: number; last: number } = {
            status: "PENDING",
            changes: 0,
            last: DateTime.toEpochMillis(createdAt)
          }
          let batch = pending
          for (const [op, step] of ops) {
            const when = model.last + step
            const result = op.kind === "advance"
              ? SettlementBatch.advance(batch, { to: op.to, at: DateTime.makeUnsafe(when), by: admin })
              : SettlementBatch.fail(batch, { reason: op.reason, at: DateTime.makeUnsafe(when), by: admin })
            const to = op.kind === "advance" ? op.to : "FAILED"
            const allowed = StateMachine.canTransition(StateMachine.settlementStatus, model.status, to) &&
              step >= 0 && (op.kind === "advance" || op.reason !== "")
            expect(Result.isSuccess(result)).toBe(allowed)
            if (Result.isSuccess(result)) {
              batch = result.success
              model = { status: to, changes: model.changes + 1, last: when }
            }
            expect(batch.status).toBe(model.status)
            expect(batch.history).toHaveLength(model.changes)
          }
          // The history replays to the final status.
          let replayed: Enums.SettlementStatus = "PENDING"
          for (const entry of batch.history) {
            expect(entry.from).toBe(replayed)
            replayed = ok(StateMachine.transition(StateMachine.settlementStatus, replayed, entry.to))
          }
          expect(replayed).toBe(batch.status)
        }
      ),
      propertyOptions(300)
    )
  })
})

describe("SettlementBatch.overdue", () => {
  // Due dates (Asia/Shanghai): TRANSFER_INITIATED 2026-02-13, IN_TRANSIT 2026-02-24,
  // AT_CUSTODY and SETTLED 2026-02-25. A date is past at its end in Shanghai (16:00Z).
  const overdueAt = (batch: SettlementBatch.SettlementBatch, iso: string) =>
    SettlementBatch.overdue(batch, at(iso)).map((milestone) => milestone.status)

  it("lists the milestones whose due date has passed and that the batch has not reached", () => {
    expect(overdueAt(pending, "2026-02-13T15:59:59Z")).toEqual([])
    expect(overdueAt(pending, "2026-02-13T16:00:00Z")).toEqual(["TRANSFER_INITIATED"])
    expect(overdueAt(pending, "2026-02-24T16:00:00Z")).toEqual(["TRANSFER_INITIATED", "IN_TRANSIT"])
    expect(overdueAt(pending, "2026-03-01T00:00:00Z")).toEqual(happyPath)
    expect(overdueAt(batchIn("TRANSFER_INITIATED"), "2026-02-24T16:00:00Z")).toEqual(["IN_TRANSIT"])
    expect(overdueAt(batchIn("AT_CUSTODY"), "2026-03-01T00:00:00Z")).toEqual(["SETTLED"])
    expect(overdueAt(batchIn("SETTLED"), "2027-01-01T00:00:00Z")).toEqual([])
    expect(overdueAt(batchIn("FAILED"), "2027-01-01T00:00:00Z")).toEqual([])
  })

  it("lists overdue batches across a set, longest overdue first", () => {
    const later = ok(
      SettlementBatch.make({
        ...input,
        id: Ids.SettlementBatchId.make("3b8f1d2e-5a6c-4d7e-8f90-a1b2c3d4e5f7"),
        schedule: ok(
          SettlementSchedule.make({ settlementType: "CEA_PURCHASE", executedAt: at("2026-02-24T02:00:00Z") })
        ),
        createdAt: at("2026-02-24T02:00:00Z")
      })
    )
    const listed = SettlementBatch.listOverdue([later, batchIn("SETTLED"), pending], at("2026-02-24T16:00:00Z"))
    expect(listed.map((entry) => [entry.batch.id, entry.milestones.map((milestone) => milestone.status)])).toEqual([
      [pending.id, ["TRANSFER_INITIATED", "IN_TRANSIT"]],
      [later.id, ["TRANSFER_INITIATED"]]
    ])
  })
})
