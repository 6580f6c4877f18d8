/**
 * A civil date: a day on the wall calendar, with no time and no zone, written `YYYY-MM-DD`
 * (ISO 8601). Business-day calendars answer questions about civil dates; instants
 * (`DateTime.Utc`) become civil dates only through a time zone, with {@link fromInstant}, and
 * a civil date becomes an instant again with {@link startOfDay}.
 *
 * The type is a branded string rather than a `{ year, month, day }` record: it is what a
 * database `date` column, a JSON payload and a log line all carry, it sorts correctly as
 * text, and two equal dates are `===`. Years are four digits, 0001 to 9999.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Order_ from "effect/Order"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Days from "./internal/days.ts"

/**
 * A valid calendar date written `YYYY-MM-DD` (e.g. `"2026-02-16"`).
 *
 * @category schemas
 * @since 0.1.0
 */
export const CivilDate = Schema.String.check(
  Schema.makeFilter((text: string) => Days.parseCivil(text) !== undefined, {
    expected: "a calendar date written YYYY-MM-DD",
    message: "must be a calendar date written YYYY-MM-DD"
  })
).pipe(Schema.brand("CivilDate"))

/**
 * @category models
 * @since 0.1.0
 */
export type CivilDate = typeof CivilDate.Type

/**
 * A day of the week, ISO numbering: Monday is 1, Sunday is 7.
 *
 * @category models
 * @since 0.1.0
 */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

/**
 * The answer to text or numbers that do not name a date between 0001-01-01 and 9999-12-31.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidDate extends Schema.TaggedError<InvalidDate>()("InvalidDate", {
  /** What was given, as text. */
  input: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `invalid date (years 0001 to 9999, written YYYY-MM-DD): ${this.input}`
  }
}

const unsafeFromDayNumber = (dayNumber: number): CivilDate => Days.format(dayNumber) as CivilDate

/**
 * The date with this year, month (1 to 12) and day of month.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (year: number, month: number, day: number): Result.Result<CivilDate, InvalidDate> =>
  Days.isValidCivil(year, month, day)
    ? Result.succeed(Days.formatCivil({ year, month, day }) as CivilDate)
    : Result.fail(new InvalidDate({ input: `${year}-${month}-${day}` }))

/**
 * The date written `YYYY-MM-DD`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (text: string): Result.Result<CivilDate, InvalidDate> =>
  Days.parseCivil(text) === undefined
    ? Result.fail(new InvalidDate({ input: text }))
    : Result.succeed(text as CivilDate)

/**
 * A date as numbers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Parts {
  /** The year, 1 to 9999. */
  readonly year: number
  /** The month, 1 (January) to 12. */
  readonly month: number
  /** The day of the month, from 1. */
  readonly day: number
}

/**
 * Year, month (1 to 12) and day of month.
 *
 * @category getters
 * @since 0.1.0
 */
export const toParts = (date: CivilDate): Parts => Days.toCivil(Days.ofValidIso(date))

/**
 * The year of a date.
 *
 * @category getters
 * @since 0.1.0
 */
export const year = (date: CivilDate): number => Number(date.slice(0, 4))

/**
 * The ISO weekday of a date: Monday is 1, Sunday is 7.
 *
 * @category getters
 * @since 0.1.0
 */
export const weekday = (date: CivilDate): Weekday => Days.isoWeekday(Days.ofValidIso(date)) as Weekday

/**
 * Whether a date is a Saturday or a Sunday.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isWeekend = (date: CivilDate): boolean => Days.isWeekend(Days.ofValidIso(date))

/**
 * The date `days` later (earlier when negative); an {@link InvalidDate} past 9999-12-31 or
 * before 0001-01-01.
 *
 * @category combinators
 * @since 0.1.0
 */
export const addDays = (date: CivilDate, days: number): Result.Result<CivilDate, InvalidDate> => {
  const target = Days.ofValidIso(date) + days
  return Number.isSafeInteger(days) && target >= Days.minDayNumber && target <= Days.maxDayNumber
    ? Result.succeed(unsafeFromDayNumber(target))
    : Result.fail(new InvalidDate({ input: `${date} + ${days} days` }))
}

/**
 * Calendar days from `from` to `to`: positive when `to` is later.
 *
 * @category getters
 * @since 0.1.0
 */
export const daysBetween = (from: CivilDate, to: CivilDate): number => Days.ofValidIso(to) - Days.ofValidIso(from)

/**
 * Chronological order (the same as the order of the text).
 *
 * @category instances
 * @since 0.1.0
 */
export const Order: Order_.Order<CivilDate> = Order_.String

/**
 * The civil date of an instant on the wall calendar of a time zone: the same instant is
 * 2026-02-15 in Brussels and already 2026-02-16 in Shanghai.
 *
 * @category conversions
 * @since 0.1.0
 */
export const fromInstant = (instant: DateTime.DateTime, timeZone: DateTime.TimeZone): CivilDate => {
  const parts = DateTime.toParts(DateTime.setZone(instant, timeZone))
  return Days.formatCivil({ year: parts.year, month: parts.month, day: parts.day }) as CivilDate
}

/**
 * The instant a civil date begins in a time zone (its local midnight; where a
 * daylight-saving change skips midnight, the first instant of the day).
 *
 * @category conversions
 * @since 0.1.0
 */
export const startOfDay = (date: CivilDate, timeZone: DateTime.TimeZone): DateTime.Utc =>
  atLocalTime(date, 0, 0, timeZone)

/**
 * The instant a civil date ends in a time zone: the start of the following day there.
 * A date is "past" in that zone from this instant on.
 *
 * @category conversions
 * @since 0.1.0
 */
export const endOfDay = (date: CivilDate, timeZone: DateTime.TimeZone): DateTime.Utc => {
  const next = Days.toCivil(Days.ofValidIso(date) + 1)
  return localInstant(next, 0, 0, timeZone)
}

/**
 * The instant a wall-clock time of a civil date happens in a time zone. When a
 * daylight-saving change repeats that time, the first occurrence; when it skips it, the
 * instant the clock shows it after the jump forward.
 *
 * @category conversions
 * @since 0.1.0
 */
export const atLocalTime = (
  date: CivilDate,
  hour: number,
  minute: number,
  timeZone: DateTime.TimeZone
): DateTime.Utc => {
  return localInstant(toParts(date), hour, minute, timeZone)
}

// Total for a real date (the year may be 10000 for the end of 9999-12-31) and a zone value:
// the "compatible" disambiguation resolves both skipped and repeated wall-clock times.
const localInstant = (civil: Days.Civil, hour: number, minute: number, timeZone: DateTime.TimeZone): DateTime.Utc =>
  DateTime.toUtc(
    DateTime.makeZonedUnsafe({ year: civil.year, month: civil.month, day: civil.day, hour, minute }, {
      timeZone,
      adjustForTimeZone: true,
      disambiguation: "compatible"
    })
  )
