/**
 * The settlement batch: the trades of one entity that settle together through registry
 * transfers, their {@link SettlementSchedule.Schedule}, where the batch stands on the
 * domain's settlement state machine (PENDING -> TRANSFER_INITIATED -> IN_TRANSIT ->
 * AT_CUSTODY -> SETTLED, or FAILED from any state before SETTLED), and the history of
 * every change: from, to, when, by whom, and a note.
 *
 * Everything here is a pure function from an immutable batch to a new one (or a typed
 * error, leaving the batch as it was). The server persists the results: the batch row and
 * the history entries it has not stored yet. Transitions are checked by the domain's
 * `StateMachine.transition`, the one place the settlement rules live.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Quantity, StateMachine } from "@niha/domain"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SettlementSchedule from "./SettlementSchedule.ts"

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

// A batch settles at least one tonne: domain's quantity type, made positive.
const Tonnes = Quantity.Tonnes.check(Schema.isGreaterThan(0, { expected: "a whole number of tonnes, at least 1" }))

/**
 * A CEA purchase in the cash market: the trade, the buy order it filled, the tonnes, and
 * when it was executed.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CashMarketTrade = Schema.TaggedStruct("CashMarketTrade", {
  /** The trade (`cash_market_trades.id`). */
  tradeId: Ids.CashMarketTradeId,
  /** The entity's order it filled (`settlement_batches.order_id`). */
  orderId: Ids.OrderId,
  /** Tonnes bought. */
  quantity: Tonnes,
  /** When it was executed. */
  executedAt: Schema.DateTimeUtc
})

/**
 * A matched CEA-to-EUA swap request: the request, the tonnes, and when it was matched.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SwapRequest = Schema.TaggedStruct("SwapRequest", {
  /** The swap request (`swap_requests.id`). */
  swapRequestId: Ids.SwapRequestId,
  /** Tonnes swapped. */
  quantity: Tonnes,
  /** When it was matched. */
  executedAt: Schema.DateTimeUtc
})

/**
 * One trade of a batch: cash-market trades settle CEA purchases, swap requests settle
 * swaps.
 *
 * @category schemas
 * @since 0.1.0
 */
export const BatchTrade = Schema.Union([CashMarketTrade, SwapRequest])

/**
 * @category models
 * @since 0.1.0
 */
export type BatchTrade = typeof BatchTrade.Type

/**
 * Who made a change: a user (staff or an integrator's key owner) or the system (a job such
 * as the settlement advance). Stored as `updated_by`, null for the system.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Actor = Schema.Union([Ids.UserId, Schema.Literal("system")])

/**
 * @category models
 * @since 0.1.0
 */
export type Actor = typeof Actor.Type

/**
 * One change of a batch's status (a row of `settlement_status_history`).
 *
 * @category schemas
 * @since 0.1.0
 */
export const HistoryEntry = Schema.Struct({
  /** The status before the change. */
  from: Enums.SettlementStatus,
  /** The status after it. */
  to: Enums.SettlementStatus,
  /** When it changed. */
  at: Schema.DateTimeUtc,
  /** Who changed it. */
  by: Actor,
  /** A free note (a registry reference; the reason of a failure). */
  note: Schema.NullOr(Schema.String)
})

/**
 * @category models
 * @since 0.1.0
 */
export type HistoryEntry = typeof HistoryEntry.Type

/**
 * A settlement batch. `totalQuantity` is the sum of the trades' tonnes; `failureReason` is
 * set once the batch is FAILED; `history` holds every change, oldest first.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SettlementBatch = Schema.Struct({
  /** The batch. */
  id: Ids.SettlementBatchId,
  /** The entity whose allowances settle. */
  entityId: Ids.EntityId,
  /** What settles. */
  settlementType: Enums.SettlementType,
  /** Where the batch stands on the settlement state machine. */
  status: Enums.SettlementStatus,
  /** The trades it settles, at least one. */
  trades: Schema.NonEmptyArray(BatchTrade),
  /** The sum of the trades' tonnes. */
  totalQuantity: Tonnes,
  /** The T+N schedule with the milestone due dates. */
  schedule: SettlementSchedule.Schedule,
  /** When it was created. */
  createdAt: Schema.DateTimeUtc,
  /** Who created it. */
  createdBy: Actor,
  /** Why it failed, once FAILED; null otherwise. */
  failureReason: Schema.NullOr(Schema.String),
  /** Every status change, oldest first. */
  history: Schema.Array(HistoryEntry)
})

/**
 * @category models
 * @since 0.1.0
 */
export type SettlementBatch = typeof SettlementBatch.Type

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * Why a batch cannot be created from the given trades and schedule.
 *
 * - `NoTrades`: the batch would be empty.
 * - `NonPositiveQuantity`: a quantity that is not a whole number of tonnes, at least 1.
 * - `QuantityOverflow`: the total is past the safe integer range.
 * - `TradeKindMismatch`: a swap request in a CEA purchase batch, or the other way round.
 * - `DuplicateTrade`: the same trade twice.
 * - `ScheduleTypeMismatch`: the schedule was computed for the other settlement type.
 * - `ScheduleBeforeTrade`: the schedule was computed from an instant before one of the
 *   trades was executed, which could settle that trade early; schedule a batch from its
 *   latest execution.
 * - `CreatedBeforeTrade`: the batch would be created before one of its trades was executed.
 *
 * @category models
 * @since 0.1.0
 */
export const BatchIssue = Schema.Literals([
  "NoTrades",
  "NonPositiveQuantity",
  "QuantityOverflow",
  "TradeKindMismatch",
  "DuplicateTrade",
  "ScheduleTypeMismatch",
  "ScheduleBeforeTrade",
  "CreatedBeforeTrade"
])

/**
 * @category models
 * @since 0.1.0
 */
export type BatchIssue = typeof BatchIssue.Type

/**
 * The answer to a batch that cannot be created, naming the problem.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidBatch extends Schema.TaggedError<InvalidBatch>()("InvalidBatch", {
  /** Which check failed. */
  issue: BatchIssue,
  /** The offending trade or value, in words. */
  detail: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `invalid settlement batch: ${this.issue}: ${this.detail}`
  }
}

/**
 * The answer to a change dated before the batch's last change (or its creation): the
 * history stays in order.
 *
 * @category errors
 * @since 0.1.0
 */
export class HistoryOutOfOrder extends Schema.TaggedError<HistoryOutOfOrder>()("HistoryOutOfOrder", {
  /** The batch. */
  batchId: Schema.String,
  /** The instant of the refused change (ISO 8601). */
  at: Schema.String,
  /** The instant of the batch's last change or creation (ISO 8601). */
  last: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `settlement batch ${this.batchId}: a change at ${this.at} is before the last one at ${this.last}`
  }
}

/**
 * The answer to failing a batch without a reason.
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingFailureReason extends Schema.TaggedError<MissingFailureReason>()("MissingFailureReason", {
  /** The batch. */
  batchId: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `settlement batch ${this.batchId}: failing a batch needs a reason`
  }
}

// ---------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------

const tradeKey = (trade: BatchTrade): string =>
  trade._tag === "CashMarketTrade" ? `CashMarketTrade:${trade.tradeId}` : `SwapRequest:${trade.swapRequestId}`

const expectedKind: { readonly [K in Enums.SettlementType]: BatchTrade["_tag"] } = {
  CEA_PURCHASE: "CashMarketTrade",
  SWAP_CEA_TO_EUA: "SwapRequest"
}

const invalid = (issue: BatchIssue, detail: string) => Result.fail(new InvalidBatch({ issue, detail }))

/**
 * A new PENDING batch with an empty history. The trades must be of the batch's kind, each
 * once, with positive whole tonnes; the schedule must be of the batch's settlement type
 * and computed from an instant no earlier than any trade's execution (use the latest one).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: {
  /** The new batch's id (ids come from the caller: this package generates none). */
  readonly id: Ids.SettlementBatchId
  /** The entity whose allowances settle. */
  readonly entityId: Ids.EntityId
  /** What settles. */
  readonly settlementType: Enums.SettlementType
  /** The trades, of the settlement type's kind. */
  readonly trades: ReadonlyArray<BatchTrade>
  /** The schedule, computed from the latest trade's execution. */
  readonly schedule: SettlementSchedule.Schedule
  /** When the batch is created. */
  readonly createdAt: DateTime.Utc
  /** Who creates it. */
  readonly createdBy: Actor
}): Result.Result<SettlementBatch, InvalidBatch> => {
  const [first, ...rest] = input.trades
  if (first === undefined) return invalid("NoTrades", "a batch needs at least one trade")
  if (input.schedule.settlementType !== input.settlementType) {
    return invalid(
      "ScheduleTypeMismatch",
      `a ${input.settlementType} batch with a ${input.schedule.settlementType} schedule`
    )
  }
  const seen = new Set<string>()
  let total = 0
  for (const trade of input.trades) {
    const key = tradeKey(trade)
    if (!Number.isSafeInteger(trade.quantity) || trade.quantity < 1) {
      return invalid("NonPositiveQuantity", `${key} has quantity ${trade.quantity}`)
    }
    if (trade._tag !== expectedKind[input.settlementType]) {
      return invalid("TradeKindMismatch", `${key} cannot settle in a ${input.settlementType} batch`)
    }
    if (seen.has(key)) return invalid("DuplicateTrade", `${key} is listed twice`)
    seen.add(key)
    if (DateTime.isGreaterThan(trade.executedAt, input.schedule.executedAt)) {
      return invalid(
        "ScheduleBeforeTrade",
        `${key} was executed at ${DateTime.formatIso(trade.executedAt)}, after the schedule's ${
          DateTime.formatIso(input.schedule.executedAt)
        }`
      )
    }
    if (DateTime.isLessThan(input.createdAt, trade.executedAt)) {
      return invalid("CreatedBeforeTrade", `${key} was executed after ${DateTime.formatIso(input.createdAt)}`)
    }
    total += trade.quantity
    if (!Number.isSafeInteger(total)) return invalid("QuantityOverflow", "the total tonnes pass 2^53 - 1")
  }
  return Result.succeed({
    id: input.id,
    entityId: input.entityId,
    settlementType: input.settlementType,
    status: "PENDING",
    trades: [first, ...rest],
    totalQuantity: Tonnes.make(total),
    schedule: input.schedule,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    failureReason: null,
    history: []
  })
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

/**
 * The instant of the batch's last change, or its creation.
 *
 * @category getters
 * @since 0.1.0
 */
export const lastChangedAt = (batch: SettlementBatch): DateTime.Utc =>
  batch.history[batch.history.length - 1]?.at ?? batch.createdAt

const applyChange = (
  batch: SettlementBatch,
  to: Enums.SettlementStatus,
  at: DateTime.Utc,
  by: Actor,
  note: string | null,
  failureReason: string | null
): Result.Result<SettlementBatch, StateMachine.InvalidTransition | HistoryOutOfOrder> =>
  Result.flatMap(StateMachine.transition(StateMachine.settlementStatus, batch.status, to), (status) => {
    const last = lastChangedAt(batch)
    if (DateTime.isLessThan(at, last)) {
      return Result.fail(
        new HistoryOutOfOrder({ batchId: batch.id, at: DateTime.formatIso(at), last: DateTime.formatIso(last) })
      )
    }
    return Result.succeed({
      ...batch,
      status,
      failureReason,
      history: [...batch.history, { from: batch.status, to: status, at, by, note }]
    })
  })

/**
 * Moves the batch to a milestone status, appending one history entry. A move the state
 * machine does not list (skipping a milestone, going back, leaving SETTLED or FAILED) is
 * the domain's `InvalidTransition`; a change dated before the last one is
 * {@link HistoryOutOfOrder}.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const advance = (
  batch: SettlementBatch,
  change: {
    /** The milestone status to move to. */
    readonly to: SettlementSchedule.Milestone
    /** When. */
    readonly at: DateTime.Utc
    /** By whom. */
    readonly by: Actor
    /** A note for the history (a registry reference). */
    readonly note?: string | undefined
  }
): Result.Result<SettlementBatch, StateMachine.InvalidTransition | HistoryOutOfOrder> =>
  applyChange(batch, change.to, change.at, change.by, change.note ?? null, null)

/**
 * Fails the batch with a reason (kept as `failureReason` and as the history note), from
 * any state before SETTLED.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const fail = (
  batch: SettlementBatch,
  failure: {
    /** Why the batch failed; must not be blank. */
    readonly reason: string
    /** When. */
    readonly at: DateTime.Utc
    /** By whom. */
    readonly by: Actor
  }
): Result.Result<SettlementBatch, StateMachine.InvalidTransition | HistoryOutOfOrder | MissingFailureReason> =>
  failure.reason.trim().length === 0
    ? Result.fail(new MissingFailureReason({ batchId: batch.id }))
    : applyChange(batch, "FAILED", failure.at, failure.by, failure.reason, failure.reason)

// ---------------------------------------------------------------------------------------------
// Overdue
// ---------------------------------------------------------------------------------------------

/** How far along the milestones a status is: PENDING 0, TRANSFER_INITIATED 1, ... SETTLED 4. */
const reached = (status: Enums.SettlementStatus): number =>
  status === "PENDING" ? 0 : SettlementSchedule.Milestone.literals.indexOf(status as SettlementSchedule.Milestone) + 1

/**
 * The milestones of a batch that are overdue at an instant: due (the instant is at or
 * after the end of the due date in the market's zone) and not yet reached. A SETTLED or
 * FAILED batch has nothing overdue.
 *
 * @category overdue
 * @since 0.1.0
 */
export const overdue = (batch: SettlementBatch, at: DateTime.Utc): ReadonlyArray<SettlementSchedule.MilestoneDue> => {
  if (batch.status === "SETTLED" || batch.status === "FAILED") return []
  const done = reached(batch.status)
  return batch.schedule.milestones.filter((milestone) =>
    reached(milestone.status) > done && DateTime.isGreaterThanOrEqualTo(at, milestone.dueBy)
  )
}

/**
 * A batch with overdue milestones, as {@link listOverdue} reports it.
 *
 * @category models
 * @since 0.1.0
 */
export interface OverdueBatch {
  /** The batch. */
  readonly batch: SettlementBatch
  /** Its overdue milestones, earliest first. */
  readonly milestones: ReadonlyArray<SettlementSchedule.MilestoneDue>
}

/**
 * Every batch with an overdue milestone at an instant, the longest overdue first (by the
 * earliest missed due instant).
 *
 * @category overdue
 * @since 0.1.0
 */
export const listOverdue = (batches: Iterable<SettlementBatch>, at: DateTime.Utc): ReadonlyArray<OverdueBatch> => {
  const out: Array<OverdueBatch> = []
  for (const batch of batches) {
    const milestones = overdue(batch, at)
    if (milestones.length > 0) out.push({ batch, milestones })
  }
  const earliest = (entry: OverdueBatch): number =>
    entry.milestones[0] === undefined ? 0 : DateTime.toEpochMillis(entry.milestones[0].dueBy)
  return out.sort((a, b) => earliest(a) - earliest(b))
}
