import { Ids, Quantity } from "@niha/domain"
import { SettlementBatch, SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"

// A CEA purchase executed on Friday 13 February 2026 at 14:30 in Shanghai (06:30 UTC),
// the last trading day before the Spring Festival holiday (15 to 23 February).
const executedAt = DateTime.makeUnsafe("2026-02-13T06:30:00Z")
const admin = Ids.UserId.make("0d9c8b7a-6f5e-4d3c-8b2a-190817161514")

const example = Result.gen(function*() {
  // When does it settle? The default CEA schedule: T+2 on the China exchange calendar.
  const schedule = yield* SettlementSchedule.make({ settlementType: "CEA_PURCHASE", executedAt })

  // The settlement batch of that trade, moved along by the settlement job and an admin.
  const created = yield* SettlementBatch.make({
    id: Ids.SettlementBatchId.make("3b8f1d2e-5a6c-4d7e-8f90-a1b2c3d4e5f6"),
    entityId: Ids.EntityId.make("6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"),
    settlementType: "CEA_PURCHASE",
    trades: [{
      _tag: "CashMarketTrade",
      tradeId: Ids.CashMarketTradeId.make("00000000-0000-4000-8000-000000000001"),
      orderId: Ids.OrderId.make("11111111-1111-4111-8111-111111111111"),
      quantity: Quantity.Tonnes.make(1_000),
      executedAt
    }],
    schedule,
    createdAt: executedAt,
    createdBy: "system"
  })
  const initiated = yield* SettlementBatch.advance(created, {
    to: "TRANSFER_INITIATED",
    at: DateTime.makeUnsafe("2026-02-13T07:00:00Z"),
    by: "system"
  })
  const inTransit = yield* SettlementBatch.advance(initiated, {
    to: "IN_TRANSIT",
    at: DateTime.makeUnsafe("2026-02-24T02:00:00Z"),
    by: admin,
    note: "registry transfer reference 42"
  })

  // What is late on the morning of 26 February in Shanghai?
  const late = SettlementBatch.overdue(inTransit, DateTime.makeUnsafe("2026-02-26T01:00:00Z"))
  return { schedule, batch: inTransit, late }
})

Result.match(example, {
  onFailure: (error) => console.error(error.message),
  onSuccess: ({ batch, late, schedule }) => {
    console.log(`trade date ${schedule.tradeDate}, settles ${schedule.settlementDate}`)
    // trade date 2026-02-13, settles 2026-02-25
    for (const milestone of schedule.milestones) console.log(`${milestone.status} due ${milestone.dueDate}`)
    // TRANSFER_INITIATED due 2026-02-13, IN_TRANSIT due 2026-02-24,
    // AT_CUSTODY due 2026-02-25, SETTLED due 2026-02-25
    for (const entry of batch.history) console.log(`${entry.from} -> ${entry.to} by ${entry.by}`)
    // PENDING -> TRANSFER_INITIATED by system
    // TRANSFER_INITIATED -> IN_TRANSIT by 0d9c8b7a-6f5e-4d3c-8b2a-190817161514
    console.log(`overdue: ${late.map((milestone) => milestone.status).join(", ")}`)
    // overdue: AT_CUSTODY, SETTLED
  }
})
