/**
 * The calendars this process schedules settlement on: `@niha/settlement`'s released
 * calendars, plus what an operator added as configuration (a newly published year of
 * China's holiday schedule, ad-hoc closures), and how far their data reaches.
 *
 * China's data ends with the last year the library (or an operator) covers; a trade whose
 * T+N runs past it cannot be scheduled. Such a trade is still accepted: its batch gets
 * provisional dates (weekdays only) and `reschedule_pending`, and is rescheduled once the
 * year is added ({@link install}, then `Settlements`' reschedule).
 *
 * The set is the process's own (each instance loads the same file at start, from
 * `NIHA_CALENDAR_FILE`), kept in one place so orders, settlement, the overdue job and
 * readiness all read the same calendars.
 *
 * @since 0.1.0
 */
import type { Enums } from "@niha/domain"
import { type Calendar, CalendarConfig, CalendarRegistry, SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as NodeFs from "node:fs"

let registry: CalendarRegistry.CalendarRegistry = CalendarRegistry.defaultRegistry

/**
 * The calendars in force.
 *
 * @category getters
 * @since 0.1.0
 */
export const current = (): CalendarRegistry.CalendarRegistry => registry

/**
 * Puts an operator's configuration in force on top of the released calendars, after
 * checking it (`CalendarRegistry.make`): on a problem nothing changes and the problem is
 * returned, naming it.
 *
 * @category configuration
 * @since 0.1.0
 */
export const install = (
  config: CalendarConfig.Config
): Result.Result<
  CalendarRegistry.CalendarRegistry,
  CalendarConfig.InvalidCalendarConfig | CalendarRegistry.UnknownCalendar
> =>
  Result.map(CalendarRegistry.make(config), (made) => {
    registry = made
    return made
  })

/**
 * Back to the released calendars (for tests).
 *
 * @category configuration
 * @since 0.1.0
 */
export const reset = (): void => {
  registry = CalendarRegistry.defaultRegistry
}

/**
 * Reads, checks and installs a calendar configuration file (JSON, `CalendarConfig.Config`).
 *
 * @category configuration
 * @since 0.1.0
 */
export const installFile = (path: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => NodeFs.readFileSync(path, "utf8"),
      catch: (cause) => new Error(`cannot read the calendar file ${path}: ${String(cause)}`)
    })
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (cause) => new Error(`the calendar file ${path} is not JSON: ${String(cause)}`)
    })
    const config = yield* Result.match(CalendarConfig.decode(json), {
      onFailure: (error) => Effect.fail(new Error(`the calendar file ${path} is invalid: ${error.message}`)),
      onSuccess: Effect.succeed
    })
    return yield* Result.match(install(config), {
      onFailure: (error) => Effect.fail(new Error(`the calendar file ${path} is refused: ${error.message}`)),
      onSuccess: Effect.succeed
    })
  })

/**
 * How far one calendar's data reaches.
 *
 * @category horizon
 * @since 0.1.0
 */
export interface Horizon {
  /** The calendar. */
  readonly calendar: string
  /** Its data version (library and operator years). */
  readonly data_version: string
  /** The last day it has data for (YYYY-MM-DD). */
  readonly data_ends: string
  /** Whole days from now to that day. */
  readonly days_left: number
  /** Whether its data ends within {@link warningDays}. */
  readonly warning: boolean
}

/**
 * A calendar whose data ends within this many days is reported.
 *
 * @category horizon
 * @since 0.1.0
 */
export const warningDays = 60

/**
 * The horizon of every calendar in force at an instant.
 *
 * @category horizon
 * @since 0.1.0
 */
export const horizon = (at: DateTime.Utc): ReadonlyArray<Horizon> =>
  [...registry.calendars.values()].map((calendar: Calendar.Calendar) => {
    const last = Math.max(...calendar.coverage.map((range) => range.last))
    const ends = Date.UTC(last, 11, 31)
    const daysLeft = Math.floor((ends - DateTime.toEpochMillis(at)) / 86_400_000)
    return {
      calendar: calendar.name,
      data_version: calendar.dataVersion,
      data_ends: `${last}-12-31`,
      days_left: daysLeft,
      warning: daysLeft < warningDays
    }
  })

/**
 * The dates of a batch: from the schedule on the calendars in force, or, when the schedule
 * runs past their data, provisional ones (the execution's UTC day rolled past a weekend,
 * plus N weekdays) with `reschedule_pending`.
 *
 * @category scheduling
 * @since 0.1.0
 */
export interface BatchDates {
  /** T (YYYY-MM-DD). */
  readonly trade_date: string
  /** T+N (YYYY-MM-DD). */
  readonly settlement_date: string
  /** Whether the dates are provisional, waiting for calendar data. */
  readonly reschedule_pending: boolean
}

const day = 86_400_000
const isWeekend = (millis: number) => {
  const weekday = new Date(millis).getUTCDay()
  return weekday === 0 || weekday === 6
}
const isoDay = (millis: number) => new Date(millis).toISOString().slice(0, 10)

/**
 * The scheduler of each settlement type on the calendars in force, built once per registry:
 * building one validates its configuration and resolves its time zone and calendars, which
 * cost more than the schedule itself, and every fill asks for one.
 */
let schedulers: {
  readonly registry: CalendarRegistry.CalendarRegistry
  readonly byType: Map<Enums.SettlementType, ReturnType<typeof SettlementSchedule.scheduler>>
  /** The dates of the batches executed in one minute, by settlement type and minute. */
  readonly byMinute: Map<string, BatchDates>
} = { registry, byType: new Map(), byMinute: new Map() }

const schedulerOf = (settlementType: Enums.SettlementType) => {
  const cached = schedulers.byType.get(settlementType)
  if (cached !== undefined) return cached
  const built = SettlementSchedule.scheduler(settlementType, SettlementSchedule.defaults[settlementType], registry)
  schedulers.byType.set(settlementType, built)
  return built
}

/**
 * The batch dates of one minute are the same: a schedule reads its execution instant only
 * through its civil date and whether it came before the cut-off, a whole minute (`HH:MM`) of
 * a zone whose offsets are whole minutes. So every fill of a minute shares one computation
 * (time-zone conversions, business-day steps), and a minute's entry is kept until the cache
 * holds this many.
 */
const minutesKept = 1024

/**
 * The dates of a batch of `settlementType` executed at `executedAt` ({@link BatchDates}).
 *
 * @category scheduling
 * @since 0.1.0
 */
export const batchDates = (settlementType: Enums.SettlementType, executedAt: DateTime.Utc): BatchDates => {
  if (schedulers.registry !== registry) schedulers = { registry, byType: new Map(), byMinute: new Map() }
  const minute = `${settlementType}:${Math.floor(DateTime.toEpochMillis(executedAt) / 60_000)}`
  const known = schedulers.byMinute.get(minute)
  if (known !== undefined) return known
  if (schedulers.byMinute.size >= minutesKept) schedulers.byMinute.clear()
  const dates = datesOf(settlementType, executedAt)
  schedulers.byMinute.set(minute, dates)
  return dates
}

const datesOf = (settlementType: Enums.SettlementType, executedAt: DateTime.Utc): BatchDates => {
  const schedule = Result.flatMap(
    schedulerOf(settlementType),
    (scheduler) => SettlementSchedule.schedule(scheduler, executedAt)
  )
  if (Result.isSuccess(schedule)) {
    return {
      trade_date: schedule.success.tradeDate,
      settlement_date: schedule.success.settlementDate,
      reschedule_pending: false
    }
  }
  let trade = Math.floor(DateTime.toEpochMillis(executedAt) / day) * day
  while (isWeekend(trade)) trade += day
  let settlement = trade
  for (let left = SettlementSchedule.defaults[settlementType].settlementDays; left > 0;) {
    settlement += day
    if (!isWeekend(settlement)) left -= 1
  }
  return { trade_date: isoDay(trade), settlement_date: isoDay(settlement), reschedule_pending: true }
}
