/**
 * The overdue job of settlement (`settlement.overdue`, recurring on the durable job
 * runner): every open batch (neither SETTLED nor FAILED, nor waiting for calendar data) is
 * checked against its schedule (`@niha/settlement`'s `SettlementSchedule`, on the
 * settlement type's calendars, with the years an operator added); each milestone whose
 * due date has ended in the market's time zone and that the batch has not reached is
 * flagged (`settlement_overdue_flags`, unique per batch and milestone) and mailed through
 * the outbox to every active admin and to the batch's client users, in the transaction
 * that flags it. A milestone is flagged, and mailed, once, however often the job runs and
 * on however many instances.
 *
 * Time is effect's `Clock`, so tests move it with `TestClock`.
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import { type Enums, Settlement } from "@niha/domain"
import { SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import * as MailOutbox from "../MailOutbox.ts"
import * as SettlementCalendars from "./SettlementCalendars.ts"

/**
 * The kind of the recurring overdue job.
 *
 * @category jobs
 * @since 0.1.0
 */
export const job = "settlement.overdue"

const open = rows.all("settlement_batches", Settlement.SettlementBatch)

/** How far along the milestones a status is: PENDING 0 ... SETTLED 4. */
const reached = (status: Enums.SettlementStatus): number =>
  status === "PENDING" ? 0 : SettlementSchedule.Milestone.literals.indexOf(status as SettlementSchedule.Milestone) + 1

/**
 * One milestone flagged by a run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Flagged {
  /** The batch. */
  readonly batch_id: string
  /** The milestone overdue. */
  readonly milestone: SettlementSchedule.Milestone
  /** Its due date (YYYY-MM-DD). */
  readonly due_date: string
}

/**
 * Reschedules the batches waiting for calendar data (`reschedule_pending`) whose schedule
 * the calendars in force now cover: their trade and settlement dates are set from the
 * schedule and the flag cleared, with an audit line each. Answers the batches rescheduled.
 *
 * @category jobs
 * @since 0.1.0
 */
export const reschedulePending = Effect.fn("SettlementOverdue.reschedulePending")(function*() {
  const sql = yield* SqlClient.SqlClient
  const pending = yield* open(sql`
    SELECT * FROM settlement_batches WHERE reschedule_pending
    ORDER BY settlement_batches.created_at, settlement_batches.id`)
  const rescheduled: Array<string> = []
  for (const batch of pending) {
    const dates = SettlementCalendars.batchDates(batch.settlement_type, batch.executed_at)
    if (dates.reschedule_pending) continue
    const changed = yield* Transaction.run(Effect.gen(function*() {
      const updated = yield* sql`
        UPDATE settlement_batches SET trade_date = ${dates.trade_date}, expected_settlement_date = ${dates.settlement_date},
          reschedule_pending = false, updated_at = now()
        WHERE id = ${batch.id} AND reschedule_pending RETURNING id`
      if (updated.length === 0) return false
      yield* Audit.record({
        user_id: null,
        action: "settlements.rescheduled",
        subject_table: "settlement_batches",
        subject_id: batch.id,
        details: { trade_date: dates.trade_date, expected_settlement_date: dates.settlement_date }
      })
      return true
    }))
    if (changed) rescheduled.push(batch.id)
  }
  if (rescheduled.length > 0) {
    yield* Effect.logInfo("settlement batches rescheduled on new calendar data").pipe(
      Effect.annotateLogs({ rescheduled: rescheduled.length })
    )
  }
  return rescheduled
})

/**
 * Logs a warning for each calendar whose data ends within `SettlementCalendars.warningDays`.
 *
 * @category jobs
 * @since 0.1.0
 */
export const warnHorizon = Effect.gen(function*() {
  const now = yield* DateTime.now
  for (const horizon of SettlementCalendars.horizon(now)) {
    if (!horizon.warning) continue
    yield* Effect.logWarning("calendar data ends soon: add the next year (NIHA_CALENDAR_FILE)").pipe(
      Effect.annotateLogs({ ...horizon })
    )
  }
})

/**
 * Flags (and mails) the milestones overdue now that no run flagged before; answers them.
 * Batches waiting for calendar data are rescheduled first ({@link reschedulePending}).
 *
 * @category jobs
 * @since 0.1.0
 */
export const flagOverdue = Effect.fn("SettlementOverdue.flagOverdue")(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* reschedulePending()
  const now = yield* DateTime.now
  const batches = yield* open(sql`
    SELECT * FROM settlement_batches
    WHERE status NOT IN ('SETTLED', 'FAILED') AND NOT reschedule_pending
    ORDER BY settlement_batches.created_at, settlement_batches.id`)
  const flagged: Array<Flagged> = []
  for (const batch of batches) {
    const schedule = SettlementSchedule.make({
      settlementType: batch.settlement_type,
      executedAt: batch.executed_at,
      registry: SettlementCalendars.current()
    })
    if (Result.isFailure(schedule)) continue
    const due = schedule.success.milestones.filter((milestone) =>
      reached(milestone.status) > reached(batch.status) && DateTime.isGreaterThanOrEqualTo(now, milestone.dueBy)
    )
    for (const milestone of due) {
      const inserted = yield* Transaction.run(Effect.gen(function*() {
        const rows = yield* sql`
          INSERT INTO settlement_overdue_flags (settlement_batch_id, milestone, due_date)
          VALUES (${batch.id}, ${milestone.status}, ${milestone.dueDate})
          ON CONFLICT (settlement_batch_id, milestone) DO NOTHING RETURNING id`
        if (rows.length === 0) return false
        const recipients = yield* sql<{ email: string }>`
          SELECT email FROM users
          WHERE is_active AND (role = 'ADMIN' OR entity_id = ${batch.entity_id})
          ORDER BY email`
        const subject = `Settlement ${batch.batch_reference}: ${milestone.status} overdue`
        const text = `The settlement batch ${batch.batch_reference} (${batch.quantity} t ${batch.asset_type}, ` +
          `${batch.settlement_type}) was due to reach ${milestone.status} by ${milestone.dueDate} ` +
          `(${schedule.success.calendar} calendar) and is still ${batch.status}.\n` +
          `Settlement date: ${schedule.success.settlementDate}.\n`
        for (const recipient of recipients) {
          yield* MailOutbox.enqueue({ kind: "settlement_overdue", to: recipient.email, subject, text })
        }
        yield* Audit.record({
          user_id: null,
          action: "settlements.overdue",
          subject_table: "settlement_batches",
          subject_id: batch.id,
          details: { milestone: milestone.status, due_date: milestone.dueDate, status: batch.status }
        })
        return true
      }))
      if (inserted) flagged.push({ batch_id: batch.id, milestone: milestone.status, due_date: milestone.dueDate })
    }
  }
  if (flagged.length > 0) {
    yield* Effect.logWarning("settlement milestones overdue").pipe(
      Effect.annotateLogs({ flagged: flagged.length })
    )
  }
  return flagged
})
