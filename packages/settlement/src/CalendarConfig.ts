/**
 * What an operator may add to the calendars without a library release, as validated
 * configuration: a newly published year of China's holiday schedule (the State Council
 * notice, usually out in November or December for the next year) and ad-hoc closures of
 * one calendar (a registry outage day, an exchange closing on a day the State Council keeps
 * open). {@link decode} turns untrusted input (a JSON file, an admin request) into a
 * {@link Config}; `CalendarRegistry.make` applies it and checks it against the calendars,
 * answering any problem with an {@link InvalidCalendarConfig} that names it.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as CivilDate from "./CivilDate.ts"

/**
 * One day a calendar is closed that its rules do not know about, with the reason an
 * auditor will read (e.g. "CEA registry maintenance, notice of 2026-03-02").
 *
 * @category schemas
 * @since 0.1.0
 */
export const Closure = Schema.Struct({
  /** The day closed. */
  date: CivilDate.CivilDate,
  /** Why, for the audit trail. */
  reason: Schema.NonEmptyString
})

/**
 * @category models
 * @since 0.1.0
 */
export type Closure = typeof Closure.Type

/**
 * One holiday of a State Council notice, as the notice writes it: a name and the first and
 * last days off, inclusive (weekend days inside the range included, as in "15 to 23
 * February").
 *
 * @category schemas
 * @since 0.1.0
 */
export const HolidayRange = Schema.Struct({
  /** The holiday's name, e.g. "Spring Festival". */
  name: Schema.NonEmptyString,
  /** The first day off. */
  first: CivilDate.CivilDate,
  /** The last day off, included. */
  last: CivilDate.CivilDate
})

/**
 * @category models
 * @since 0.1.0
 */
export type HolidayRange = typeof HolidayRange.Type

/**
 * A whole year of China's holiday schedule, transcribed from the State Council notice:
 * the holidays, the make-up working days (weekend days worked in exchange, open on the
 * working-day calendar only), and optionally the days the exchange closes although the
 * State Council keeps them as working days (as SSE did on Lunar New Year's Eve 2024-02-09).
 * `source` cites the notice (its number or address).
 *
 * @category schemas
 * @since 0.1.0
 */
export const ChinaYearSchedule = Schema.Struct({
  /** The year the notice schedules; every date must fall in it. */
  year: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 9999 })),
  /** The notice: its number or address. */
  source: Schema.NonEmptyString,
  /** The holidays, as ranges of days off. */
  holidays: Schema.Array(HolidayRange),
  /** The Saturdays and Sundays worked in exchange for holidays. */
  makeUpWorkdays: Schema.Array(CivilDate.CivilDate),
  /** Working days on which the exchange is closed anyway. */
  exchangeOnlyClosures: Schema.optionalKey(Schema.Array(Closure))
})

/**
 * @category models
 * @since 0.1.0
 */
export type ChinaYearSchedule = typeof ChinaYearSchedule.Type

/**
 * An ad-hoc closure of the calendar registered under `calendar` (e.g. `"CHINA_EXCHANGE"`).
 *
 * @category schemas
 * @since 0.1.0
 */
export const CalendarClosure = Schema.Struct({
  /** The registry name of the calendar closed. */
  calendar: Schema.NonEmptyString,
  /** The day closed. */
  date: CivilDate.CivilDate,
  /** Why, for the audit trail. */
  reason: Schema.NonEmptyString
})

/**
 * @category models
 * @since 0.1.0
 */
export type CalendarClosure = typeof CalendarClosure.Type

/**
 * The operator's calendar configuration: China years beyond the library's data (applied
 * to both China calendars) and ad-hoc closures, each naming its calendar.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Config = Schema.Struct({
  /** Years of China's schedule beyond the library's data. */
  chinaYears: Schema.Array(ChinaYearSchedule),
  /** Ad-hoc closures. */
  closures: Schema.Array(CalendarClosure)
})

/**
 * @category models
 * @since 0.1.0
 */
export type Config = typeof Config.Type

/**
 * The configuration that adds nothing: the library's own data only.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty: Config = { chinaYears: [], closures: [] }

/**
 * What is wrong with a calendar configuration.
 *
 * - `Malformed`: the input does not decode (a date that is not `YYYY-MM-DD`, a missing field).
 * - `YearAlreadyCovered`: the year is already in the calendar's data; a correction within a
 *   covered year is an ad-hoc closure, or a library release.
 * - `DuplicateYear`: two schedules for the same year.
 * - `DateOutsideYear`: a date of a year's schedule lies in another year.
 * - `InvertedRange`: a holiday ends before it starts.
 * - `HolidayOnlyOnWeekend`: a holiday whose every day is a Saturday or Sunday changes
 *   nothing (weekends are closed anyway), so it is almost surely a transcription error.
 * - `OverlappingHolidays`: two holidays share a day.
 * - `MakeUpDayNotWeekend`: a make-up working day that is not a Saturday or Sunday.
 * - `MakeUpDayIsHoliday`: a day both off and worked.
 * - `DuplicateDate`: the same date listed twice.
 * - `ClosureOnClosedDay`: a closure (ad-hoc or exchange-only) of a day that is already closed,
 *   which changes nothing.
 * - `YearNotCovered`: a closure in a year the calendar has no data for (add the year first).
 * - `NotAChinaCalendar`: a year schedule given to a calendar that is not built from China's
 *   schedule.
 *
 * @category models
 * @since 0.1.0
 */
export const ConfigIssue = Schema.Literals([
  "Malformed",
  "YearAlreadyCovered",
  "DuplicateYear",
  "DateOutsideYear",
  "InvertedRange",
  "HolidayOnlyOnWeekend",
  "OverlappingHolidays",
  "MakeUpDayNotWeekend",
  "MakeUpDayIsHoliday",
  "DuplicateDate",
  "ClosureOnClosedDay",
  "YearNotCovered",
  "NotAChinaCalendar"
])

/**
 * @category models
 * @since 0.1.0
 */
export type ConfigIssue = typeof ConfigIssue.Type

/**
 * A calendar configuration that does not validate: which check failed, on which calendar,
 * and the detail (the offending date or year).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidCalendarConfig extends Schema.TaggedError<InvalidCalendarConfig>()("InvalidCalendarConfig", {
  /** Which check failed. */
  issue: ConfigIssue,
  /** The calendar the configuration was applied to (`*` before any). */
  calendar: Schema.String,
  /** The offending date or year, in words. */
  detail: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `calendar config (${this.calendar}): ${this.issue}: ${this.detail}`
  }
}

/**
 * Decodes untrusted input into a {@link Config}; anything malformed (a date that is not a
 * calendar date, a missing reason) is an {@link InvalidCalendarConfig} with issue
 * `Malformed` and the schema's explanation.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decode = (input: unknown): Result.Result<Config, InvalidCalendarConfig> =>
  Result.mapError(
    Schema.decodeUnknownResult(Config)(input),
    (error) => new InvalidCalendarConfig({ issue: "Malformed", calendar: "*", detail: error.message })
  )
