/**
 * When a trade settles. From the instant a trade was executed, its settlement type and a
 * {@link Config} (N, the calendars, the cut-off time and the market's time zone), a
 * {@link Schedule} gives the trade date (a trade after the cut-off, or on a closed day,
 * counts from the next business day), the settlement date T+N, and a due date for each
 * milestone status of the settlement batch: TRANSFER_INITIATED, IN_TRANSIT, AT_CUSTODY and
 * SETTLED, in that order and never decreasing. `SettlementBatch` uses the due dates to say
 * what is overdue.
 *
 * The {@link defaults} per settlement type are documented with their sources in the
 * package README; an operator overrides them with a decoded {@link Config}.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Calendar from "./Calendar.ts"
import * as CalendarRegistry from "./CalendarRegistry.ts"
import * as CivilDate from "./CivilDate.ts"

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * The settlement statuses that have a due date, in the order a batch reaches them.
 *
 * @category models
 * @since 0.1.0
 */
export const Milestone = Enums.SettlementStatus.pick(["TRANSFER_INITIATED", "IN_TRANSIT", "AT_CUSTODY", "SETTLED"])

/**
 * @category models
 * @since 0.1.0
 */
export type Milestone = typeof Milestone.Type

/**
 * A wall-clock time of day, `HH:MM` on the 24-hour clock (e.g. `"16:00"`).
 *
 * @category schemas
 * @since 0.1.0
 */
export const CutOffTime = Schema.String.check(
  Schema.isPattern(/^([01]\d|2[0-3]):[0-5]\d$/, { expected: "a time of day written HH:MM (00:00 to 23:59)" })
)

/**
 * Business days after the trade date by which the batch should have reached each
 * milestone before SETTLED (which is due on the settlement date, `settlementDays`). They
 * must be non-decreasing, from 0 up to `settlementDays`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MilestoneOffsets = Schema.Struct({
  /** Business days after the trade date by which the registry transfer is initiated. */
  TRANSFER_INITIATED: Schema.Int,
  /** Business days after the trade date by which the transfer is in transit. */
  IN_TRANSIT: Schema.Int,
  /** Business days after the trade date by which the allowances are at custody. */
  AT_CUSTODY: Schema.Int
})

/**
 * @category models
 * @since 0.1.0
 */
export type MilestoneOffsets = typeof MilestoneOffsets.Type

/**
 * How one settlement type is scheduled: N (`settlementDays`), the calendars by registry
 * name (several make a joint calendar), the market's IANA time zone, the cut-off time in
 * that zone, and the milestone offsets.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Config = Schema.Struct({
  /** N: business days from the trade date to the settlement date. */
  settlementDays: Schema.Int,
  /** Calendar names of the registry; several make a joint calendar. */
  calendars: Schema.NonEmptyArray(Schema.String),
  /** The market's IANA time zone, e.g. `"Europe/Brussels"`. */
  timeZone: Schema.String,
  /** Trades at or after this time of day in `timeZone` count from the next business day. */
  cutOff: CutOffTime,
  /** When each milestone before SETTLED is due. */
  milestoneOffsets: MilestoneOffsets
})

/**
 * @category models
 * @since 0.1.0
 */
export type Config = typeof Config.Type

/**
 * One milestone of a schedule: its status, its offset in business days from the trade
 * date, the date it is due, and the instant it becomes overdue (the end of the due date in
 * the market's time zone).
 *
 * @category schemas
 * @since 0.1.0
 */
export const MilestoneDue = Schema.Struct({
  /** The milestone status. */
  status: Milestone,
  /** Its offset in business days from the trade date. */
  businessDays: Schema.Int,
  /** The date it is due. */
  dueDate: CivilDate.CivilDate,
  /** The instant it becomes overdue: the end of `dueDate` in the market's time zone. */
  dueBy: Schema.DateTimeUtc
})

/**
 * @category models
 * @since 0.1.0
 */
export type MilestoneDue = typeof MilestoneDue.Type

/**
 * The schedule of one trade (or batch): what it was computed from and the dates.
 * `milestones` lists the four milestones in order, SETTLED last, due on the settlement
 * date.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Schedule = Schema.Struct({
  /** What settles. */
  settlementType: Enums.SettlementType,
  /** The execution instant it was computed from. */
  executedAt: Schema.DateTimeUtc,
  /** The market's time zone. */
  timeZone: Schema.String,
  /** The cut-off time in that zone. */
  cutOff: CutOffTime,
  /** The calendar's name (members joined with `+` for a joint calendar). */
  calendar: Schema.String,
  /** The calendar's data version, e.g. `"chinese-days@1.5.7"`. */
  dataVersion: Schema.String,
  /** N. */
  settlementDays: Schema.Int,
  /** T: the business day the trade counts from. */
  tradeDate: CivilDate.CivilDate,
  /** T+N. */
  settlementDate: CivilDate.CivilDate,
  /** The four milestones in order, SETTLED last. */
  milestones: Schema.Array(MilestoneDue)
})

/**
 * @category models
 * @since 0.1.0
 */
export type Schedule = typeof Schedule.Type

// ---------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------

/**
 * The default schedule of each settlement type (sources and reasoning in the README):
 *
 * - `CEA_PURCHASE`: T+2 on the China exchange calendar, Asia/Shanghai, cut-off 15:00 (the
 *   close of CEA trading on the Shanghai Environment and Energy Exchange); transfer
 *   initiated on T, in transit by T+1, at custody and settled by T+2.
 * - `SWAP_CEA_TO_EUA`: T+1 on the joint China exchange + TARGET calendar, Europe/Brussels,
 *   cut-off 16:00 (EEX's EUA spot market: trades before 16:00 CET settle the next business
 *   day, later ones a day after); transfer initiated and in transit on T, at custody and
 *   settled by T+1.
 *
 * @category defaults
 * @since 0.1.0
 */
export const defaults: { readonly [K in Enums.SettlementType]: Config } = {
  CEA_PURCHASE: {
    settlementDays: 2,
    calendars: ["CHINA_EXCHANGE"],
    timeZone: "Asia/Shanghai",
    cutOff: "15:00",
    milestoneOffsets: { TRANSFER_INITIATED: 0, IN_TRANSIT: 1, AT_CUSTODY: 2 }
  },
  SWAP_CEA_TO_EUA: {
    settlementDays: 1,
    calendars: ["CHINA_EXCHANGE", "TARGET"],
    timeZone: "Europe/Brussels",
    cutOff: "16:00",
    milestoneOffsets: { TRANSFER_INITIATED: 0, IN_TRANSIT: 0, AT_CUSTODY: 1 }
  }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * The answer to a configuration with a negative N.
 *
 * @category errors
 * @since 0.1.0
 */
export class NegativeSettlementDays extends Schema.TaggedError<NegativeSettlementDays>()("NegativeSettlementDays", {
  /** The N given. */
  settlementDays: Schema.Number
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `settlement days must be zero or more, got ${this.settlementDays}`
  }
}

/**
 * The answer to milestone offsets that are not non-decreasing from 0 to N.
 *
 * @category errors
 * @since 0.1.0
 */
export class MilestonesOutOfOrder extends Schema.TaggedError<MilestonesOutOfOrder>()("MilestonesOutOfOrder", {
  /** The offsets given, in milestone order, SETTLED being N. */
  offsets: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `milestone offsets must be non-decreasing from 0 to the settlement days: ${this.offsets}`
  }
}

/**
 * The answer to a time zone that is not a known IANA zone.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownTimeZone extends Schema.TaggedError<UnknownTimeZone>()("UnknownTimeZone", {
  /** The zone given. */
  timeZone: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `unknown time zone ${JSON.stringify(this.timeZone)}`
  }
}

/**
 * The answer to a configuration that does not decode (a missing field, a cut-off that is
 * not `HH:MM`).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidScheduleConfig extends Schema.TaggedError<InvalidScheduleConfig>()("InvalidScheduleConfig", {
  /** What does not decode, as the schema explains it. */
  detail: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `invalid settlement schedule config: ${this.detail}`
  }
}

/**
 * Everything a configuration can be wrong about.
 *
 * @category errors
 * @since 0.1.0
 */
export type ConfigError =
  | InvalidScheduleConfig
  | NegativeSettlementDays
  | MilestonesOutOfOrder
  | UnknownTimeZone
  | CalendarRegistry.UnknownCalendar

// ---------------------------------------------------------------------------------------------
// Scheduling
// ---------------------------------------------------------------------------------------------

/**
 * A validated configuration of one settlement type, with its calendar resolved: build it
 * once with {@link scheduler}, then {@link schedule} any number of trades.
 *
 * @category models
 * @since 0.1.0
 */
export interface Scheduler {
  /** The settlement type it schedules. */
  readonly settlementType: Enums.SettlementType
  /** The configuration it was built from. */
  readonly config: Config
  /** The calendar (joint when the configuration names several). */
  readonly calendar: Calendar.Calendar
  /** The market's time zone. */
  readonly timeZone: DateTime.TimeZone.Named
  /** The cut-off as a wall-clock time in that zone. */
  readonly cutOff: {
    /** Hour, 0 to 23. */
    readonly hour: number
    /** Minute, 0 to 59. */
    readonly minute: number
  }
}

const offsetsInOrder = (config: Config): ReadonlyArray<readonly [Milestone, number]> => [
  ["TRANSFER_INITIATED", config.milestoneOffsets.TRANSFER_INITIATED],
  ["IN_TRANSIT", config.milestoneOffsets.IN_TRANSIT],
  ["AT_CUSTODY", config.milestoneOffsets.AT_CUSTODY],
  ["SETTLED", config.settlementDays]
]

/**
 * Validates a configuration against a calendar registry: well-formed (integers, an
 * `HH:MM` cut-off), N zero or more, milestone offsets non-decreasing from 0 to N, a known
 * time zone, known calendar names.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scheduler = (
  settlementType: Enums.SettlementType,
  config: Config = defaults[settlementType],
  registry: CalendarRegistry.CalendarRegistry = CalendarRegistry.defaultRegistry
): Result.Result<Scheduler, ConfigError> =>
  Result.gen(function*() {
    // The type allows any number or string; the schema holds the rest of the contract.
    yield* decodeConfig(config)
    if (config.settlementDays < 0) {
      return yield* Result.fail(new NegativeSettlementDays({ settlementDays: config.settlementDays }))
    }
    const offsets = offsetsInOrder(config)
    let previous = 0
    for (const [, offset] of offsets) {
      if (offset < previous) {
        return yield* Result.fail(
          new MilestonesOutOfOrder({ offsets: offsets.map(([status, days]) => `${status}=${days}`).join(", ") })
        )
      }
      previous = offset
    }
    const timeZone = DateTime.zoneMakeNamed(config.timeZone)
    if (Option.isNone(timeZone)) return yield* Result.fail(new UnknownTimeZone({ timeZone: config.timeZone }))
    const calendar = yield* CalendarRegistry.resolve(registry, config.calendars)
    const [hour = 0, minute = 0] = config.cutOff.split(":").map(Number)
    return { settlementType, config, calendar, timeZone: timeZone.value, cutOff: { hour, minute } }
  })

/**
 * The trade date of an execution instant: its civil date in the market's zone when it was
 * executed before the cut-off on a business day; otherwise the next business day.
 *
 * @category scheduling
 * @since 0.1.0
 */
export const tradeDate = (
  scheduler: Scheduler,
  executedAt: DateTime.Utc
): Result.Result<CivilDate.CivilDate, Calendar.CalendarYearNotCovered> => {
  const local = CivilDate.fromInstant(executedAt, scheduler.timeZone)
  // The cut-off as an instant of that day: one comparison that stays monotonic across
  // daylight-saving changes (a repeated hour cannot move a later trade before the cut-off).
  const cutOff = CivilDate.atLocalTime(local, scheduler.cutOff.hour, scheduler.cutOff.minute, scheduler.timeZone)
  return DateTime.isLessThan(executedAt, cutOff)
    ? Calendar.rollForward(scheduler.calendar, local)
    : Calendar.nextBusinessDay(scheduler.calendar, local)
}

/**
 * The schedule of a trade executed at `executedAt`.
 *
 * @category scheduling
 * @since 0.1.0
 */
export const schedule = (
  scheduler: Scheduler,
  executedAt: DateTime.Utc
): Result.Result<Schedule, Calendar.CalendarYearNotCovered> =>
  Result.gen(function*() {
    const { calendar, config, timeZone } = scheduler
    const trade = yield* tradeDate(scheduler, executedAt)
    const milestones: Array<MilestoneDue> = []
    // The trade date is a business day and the offsets never decrease, so each due date is
    // reached from the previous one by stepping to the next business day.
    let dueDate = trade
    let reached = 0
    for (const [status, businessDays] of offsetsInOrder(config)) {
      for (; reached < businessDays; reached++) dueDate = yield* Calendar.nextBusinessDay(calendar, dueDate)
      milestones.push({ status, businessDays, dueDate, dueBy: CivilDate.endOfDay(dueDate, timeZone) })
    }
    return {
      settlementType: scheduler.settlementType,
      executedAt,
      timeZone: DateTime.zoneToString(timeZone),
      cutOff: config.cutOff,
      calendar: calendar.name,
      dataVersion: calendar.dataVersion,
      settlementDays: config.settlementDays,
      tradeDate: trade,
      settlementDate: dueDate,
      milestones
    }
  })

/**
 * The schedule of one trade in one call: {@link scheduler} then {@link schedule}. The
 * configuration defaults to {@link defaults} for the settlement type, the calendars to
 * `CalendarRegistry.defaultRegistry`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: {
  /** What settles. */
  readonly settlementType: Enums.SettlementType
  /** When the trade was executed. */
  readonly executedAt: DateTime.Utc
  /** The configuration; {@link defaults} of the settlement type when left out. */
  readonly config?: Config | undefined
  /** The calendars; `CalendarRegistry.defaultRegistry` when left out. */
  readonly registry?: CalendarRegistry.CalendarRegistry | undefined
}): Result.Result<Schedule, ConfigError | Calendar.CalendarYearNotCovered> =>
  Result.flatMap(
    scheduler(options.settlementType, options.config ?? defaults[options.settlementType], options.registry),
    (built) => schedule(built, options.executedAt)
  )

/**
 * Decodes untrusted input (a JSON file, an admin request) into a {@link Config}; semantic
 * checks happen in {@link scheduler}.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeConfig = (input: unknown): Result.Result<Config, InvalidScheduleConfig> =>
  Result.mapError(
    Schema.decodeUnknownResult(Config)(input),
    (error) => new InvalidScheduleConfig({ detail: error.message })
  )
