/**
 * Business-day calendars as values, on the model of QuantLib's: a calendar answers whether
 * a civil date is a business day, and moves dates by business days. Four are provided:
 *
 * - {@link chinaExchange}: mainland China's exchange calendar (QuantLib's `China::SSE`):
 *   weekends always closed, the State Council holidays, and exchange-only closures such as
 *   Lunar New Year's Eve 2024-02-09.
 * - {@link chinaWorkingDay}: the State Council's working-day calendar (QuantLib's
 *   `China::IB`): the same holidays, but make-up Saturdays and Sundays are working days.
 * - {@link target}: TARGET, the euro payment system's closing days (weekends, 1 January,
 *   Good Friday, Easter Monday, 1 May, 25 and 26 December), for EUR and EUA.
 * - {@link joint}: open only where every member calendar is open.
 *
 * The China calendars are built from the `chinese-days` data and know the years it covers
 * (2004 to 2026) and its version: a question about any other year is a
 * {@link CalendarYearNotCovered} error, never a guess. An operator extends them with a
 * newly published year ({@link withChinaYears}) or an ad-hoc closure ({@link withClosures}),
 * both validated. Every function is pure and answers with a `Result`.
 *
 * @since 0.1.0
 */
import type * as Arr from "effect/Array"
import { dual } from "effect/Function"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as CalendarConfig from "./CalendarConfig.ts"
import type * as CivilDate from "./CivilDate.ts"
import * as China from "./internal/china.ts"
import * as Days from "./internal/days.ts"
import * as Easter from "./internal/easter.ts"
import type * as Rule from "./internal/rule.ts"

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/**
 * An inclusive range of years.
 *
 * @category models
 * @since 0.1.0
 */
export interface YearRange {
  /** The first year of the range. */
  readonly first: number
  /** The last year of the range, included. */
  readonly last: number
}

/**
 * A business-day calendar. Build one with the constants and combinators of this module;
 * read it with {@link isBusinessDay}, {@link advance} and the others.
 *
 * @category models
 * @since 0.1.0
 */
export interface Calendar {
  /** The name a configuration refers to it by, e.g. `"CHINA_EXCHANGE"`. */
  readonly name: string
  /** The IANA time zone of the market it describes, e.g. `"Asia/Shanghai"`. */
  readonly timeZone: string
  /** Where its data comes from, e.g. `"chinese-days@1.5.7"`, plus any operator years. */
  readonly dataVersion: string
  /** The years it can answer for; any other year is a {@link CalendarYearNotCovered}. */
  readonly coverage: ReadonlyArray<YearRange>
  /** The ad-hoc closures an operator added on top of its rules. */
  readonly closures: ReadonlyArray<CalendarConfig.Closure>
  /** @internal */
  readonly rule: Rule.Rule
  /** @internal */
  readonly closed: ReadonlySet<number>
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * The answer to a question about a year a calendar has no data for: the calendar (for a
 * joint calendar, the member lacking the year), the year, and what it does cover.
 *
 * @category errors
 * @since 0.1.0
 */
export class CalendarYearNotCovered extends Schema.TaggedError<CalendarYearNotCovered>()("CalendarYearNotCovered", {
  /** The calendar lacking the year (for a joint calendar, the member). */
  calendar: Schema.String,
  /** The year asked about. */
  year: Schema.Number,
  /** The years that calendar covers, e.g. `"2004-2026"`. */
  covered: Schema.String,
  /** That calendar's data version. */
  dataVersion: Schema.String
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `calendar ${this.calendar} has no data for ${this.year} (covers ${this.covered}, data ${this.dataVersion})`
  }
}

/**
 * The answer to a number of business days that is not a safe integer.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidDayCount extends Schema.TaggedError<InvalidDayCount>()("InvalidDayCount", {
  /** The count given. */
  days: Schema.Number
}) {
  /** A one-line explanation. */
  override get message(): string {
    return `a number of business days must be an integer, got ${this.days}`
  }
}

// ---------------------------------------------------------------------------------------------
// Internals: rules on day numbers
// ---------------------------------------------------------------------------------------------

/** TARGET started on 4 January 1999. */
const targetFirstYearValue = 1999

const describeCoverage = (coverage: ReadonlyArray<YearRange>): string =>
  coverage.length === 0
    ? "no years"
    : coverage.map((range) => range.first === range.last ? `${range.first}` : `${range.first}-${range.last}`).join(", ")

const intersect = (a: ReadonlyArray<YearRange>, b: ReadonlyArray<YearRange>): ReadonlyArray<YearRange> => {
  const out: Array<YearRange> = []
  for (const x of a) {
    for (const y of b) {
      const first = Math.max(x.first, y.first)
      const last = Math.min(x.last, y.last)
      if (first <= last) out.push({ first, last })
    }
  }
  return out.sort((x, y) => x.first - y.first)
}

const coverageOf = (rule: Rule.Rule): ReadonlyArray<YearRange> => {
  switch (rule._tag) {
    case "China":
      return China.yearRanges(rule.table.keys())
    case "Target":
      return [{ first: targetFirstYearValue, last: Days.maxYear }]
    case "Joint":
      return rule.members.map((member) => member.coverage).reduce(intersect)
  }
}

/** The calendar (this one or, for a joint calendar, a member) lacking `year`, if any. */
const lacking = (calendar: Calendar, year: number): Calendar | undefined => {
  const rule = calendar.rule
  switch (rule._tag) {
    case "China":
      return rule.table.has(year) ? undefined : calendar
    case "Target":
      return year >= targetFirstYearValue && year <= Days.maxYear ? undefined : calendar
    case "Joint": {
      for (const member of rule.members) {
        const missing = lacking(member, year)
        if (missing !== undefined) return missing
      }
      return undefined
    }
  }
}

const targetOpen = (dayNumber: number, civil: Days.Civil): boolean => {
  const { day, month, year } = civil
  if (Days.isWeekend(dayNumber)) return false
  if (month === 1 && day === 1) return false
  if (month === 12 && day === 25) return false
  // From 2000 (26 December 1999 was a Sunday anyway).
  if (month === 12 && day === 26 && year >= 2000) return false
  // Closed for the millennium change and for the euro cash changeover (QuantLib's TARGET).
  if (month === 12 && day === 31 && (year === 1999 || year === 2001)) return false
  if (year >= 2000) {
    if (month === 5 && day === 1) return false
    if (month === 3 || month === 4) {
      const easter = Easter.easterSunday(year)
      const sunday = Days.fromCivil(easter.year, easter.month, easter.day)
      if (dayNumber === sunday - 2 || dayNumber === sunday + 1) return false
    }
  }
  return true
}

/** Whether a covered day is open. */
const openOnCovered = (calendar: Calendar, dayNumber: number, civil: Days.Civil): boolean => {
  if (calendar.closed.has(dayNumber)) return false
  const rule = calendar.rule
  switch (rule._tag) {
    case "China": {
      const year = rule.table.get(civil.year)
      if (year === undefined) return false
      return rule.market === "exchange" ? China.isExchangeDay(year, dayNumber) : China.isWorkingDay(year, dayNumber)
    }
    case "Target":
      return targetOpen(dayNumber, civil)
    case "Joint":
      return rule.members.every((member) => openOnCovered(member, dayNumber, civil))
  }
}

const notCovered = (calendar: Calendar, year: number): CalendarYearNotCovered =>
  new CalendarYearNotCovered({
    calendar: calendar.name,
    year,
    covered: describeCoverage(calendar.coverage),
    dataVersion: calendar.dataVersion
  })

/** Open or not, or the error for an uncovered year. */
const probe = (calendar: Calendar, dayNumber: number): boolean | CalendarYearNotCovered => {
  const civil = Days.toCivil(dayNumber)
  const missing = lacking(calendar, civil.year)
  return missing === undefined ? openOnCovered(calendar, dayNumber, civil) : notCovered(missing, civil.year)
}

/** The first open day strictly after (`step` 1) or before (`step` -1) `from`. */
const seek = (calendar: Calendar, from: number, step: 1 | -1): number | CalendarYearNotCovered => {
  // Terminates: every covered year has open days, and leaving the coverage is an error.
  for (let day = from + step;; day += step) {
    const open = probe(calendar, day)
    if (open === true) return day
    if (open !== false) return open
  }
}

const toResult = (found: number | CalendarYearNotCovered): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered> =>
  typeof found === "number" ? Result.succeed(Days.format(found) as CivilDate.CivilDate) : Result.fail(found)

const make = (fields: {
  readonly name: string
  readonly timeZone: string
  readonly dataVersion: string
  readonly rule: Rule.Rule
  readonly closures: ReadonlyArray<CalendarConfig.Closure>
}): Calendar => ({
  name: fields.name,
  timeZone: fields.timeZone,
  dataVersion: fields.dataVersion,
  coverage: coverageOf(fields.rule),
  closures: fields.closures,
  rule: fields.rule,
  closed: new Set(fields.closures.map((closure) => Days.ofValidIso(closure.date)))
})

// ---------------------------------------------------------------------------------------------
// The calendars
// ---------------------------------------------------------------------------------------------

/**
 * The holiday data the China calendars are built from, as `library@version`.
 *
 * @category data
 * @since 0.1.0
 */
export const chinaDataVersion: string = `${China.dataSource}@${China.dataSourceVersion}`

/**
 * The days the exchange calendar closes although the State Council keeps them as working
 * days (Spring Festival weeks of 2004 to 2006, Lunar New Year's Eve 2024), with the reason.
 * Source: QuantLib's `China::SSE` (`ql/time/calendars/china.cpp`); chinese-days has no
 * exchange data.
 *
 * @category data
 * @since 0.1.0
 */
export const chinaExchangeOnlyClosures: ReadonlyArray<CalendarConfig.Closure> = China.exchangeOnlyClosures

/**
 * Make-up working days the State Council announced that chinese-days omits, added to the
 * working-day calendar (2005-12-31, from the notice on the 2006 holidays).
 *
 * @category data
 * @since 0.1.0
 */
export const chinaMissingMakeUpWorkdays: ReadonlyArray<CalendarConfig.Closure> = China.missingMakeUpWorkdays

/**
 * The first year TARGET answers for (TARGET started on 4 January 1999).
 *
 * @category data
 * @since 0.1.0
 */
export const targetFirstYear: number = targetFirstYearValue

/**
 * Mainland China's exchange calendar (QuantLib's `China::SSE`), Asia/Shanghai: Saturdays
 * and Sundays always closed (make-up working weekends included), the State Council
 * holidays, and the exchange-only closures of {@link chinaExchangeOnlyClosures}.
 *
 * @category calendars
 * @since 0.1.0
 */
export const chinaExchange: Calendar = make({
  name: "CHINA_EXCHANGE",
  timeZone: "Asia/Shanghai",
  dataVersion: chinaDataVersion,
  rule: { _tag: "China", market: "exchange", table: China.builtInTable },
  closures: []
})

/**
 * Mainland China's working-day calendar (QuantLib's `China::IB`), Asia/Shanghai: the State
 * Council schedule, where weekdays are working days except the holidays, and make-up
 * Saturdays and Sundays are working days.
 *
 * @category calendars
 * @since 0.1.0
 */
export const chinaWorkingDay: Calendar = make({
  name: "CHINA_WORKING_DAY",
  timeZone: "Asia/Shanghai",
  dataVersion: chinaDataVersion,
  rule: { _tag: "China", market: "workingDay", table: China.builtInTable },
  closures: []
})

/**
 * TARGET closing days (the euro payment system, for EUR and EUA), Europe/Brussels:
 * Saturdays, Sundays, 1 January, 25 December, and from 2000 Good Friday, Easter Monday,
 * 1 May and 26 December; also 31 December 1999 and 2001. Covers 1999 onwards.
 *
 * @category calendars
 * @since 0.1.0
 */
export const target: Calendar = make({
  name: "TARGET",
  timeZone: "Europe/Brussels",
  dataVersion: "TARGET rules (ECB), Gregorian Easter",
  rule: { _tag: "Target" },
  closures: []
})

/**
 * The calendar open only where every member is open, covering the years all members
 * cover. Its name defaults to the members' names joined with `+`, its time zone is the
 * first member's.
 *
 * @category combinators
 * @since 0.1.0
 */
export const joint = (
  members: Arr.NonEmptyReadonlyArray<Calendar>,
  options?: {
    /** The joint calendar's name, instead of the members' names joined with `+`. */
    readonly name?: string | undefined
  }
): Calendar =>
  make({
    name: options?.name ?? members.map((member) => member.name).join("+"),
    timeZone: members[0].timeZone,
    dataVersion: [...new Set(members.map((member) => member.dataVersion))].join(" + "),
    rule: { _tag: "Joint", members },
    closures: []
  })

/**
 * The calendar with ad-hoc closures added (a registry outage day). Each closure must fall
 * in a covered year, on a day the calendar would otherwise be open, and appear once.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withClosures: {
  (
    closures: ReadonlyArray<CalendarConfig.Closure>
  ): (calendar: Calendar) => Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig>
  (
    calendar: Calendar,
    closures: ReadonlyArray<CalendarConfig.Closure>
  ): Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig>
} = dual(
  2,
  (
    calendar: Calendar,
    closures: ReadonlyArray<CalendarConfig.Closure>
  ): Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig> => {
    const seen = new Set<number>()
    for (const closure of closures) {
      const day = Days.ofValidIso(closure.date)
      const fail = (issue: CalendarConfig.ConfigIssue, detail: string) =>
        Result.fail(new CalendarConfig.InvalidCalendarConfig({ issue, calendar: calendar.name, detail }))
      if (seen.has(day)) return fail("DuplicateDate", `closure ${closure.date} is listed twice`)
      seen.add(day)
      const open = probe(calendar, day)
      if (typeof open !== "boolean") return fail("YearNotCovered", `closure ${closure.date}: ${open.message}`)
      if (!open) return fail("ClosureOnClosedDay", `closure ${closure.date} is already a closed day`)
    }
    return Result.succeed(make({ ...calendar, closures: [...calendar.closures, ...closures] }))
  }
)

/**
 * A China calendar with newly published years of the State Council schedule added. A year
 * already covered, a make-up day that is not a weekend day, overlapping holidays and the
 * other checks of `CalendarConfig.ConfigIssue` are errors; a calendar not built from
 * China's schedule is a `NotAChinaCalendar` error.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withChinaYears: {
  (
    years: ReadonlyArray<CalendarConfig.ChinaYearSchedule>
  ): (calendar: Calendar) => Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig>
  (
    calendar: Calendar,
    years: ReadonlyArray<CalendarConfig.ChinaYearSchedule>
  ): Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig>
} = dual(
  2,
  (
    calendar: Calendar,
    years: ReadonlyArray<CalendarConfig.ChinaYearSchedule>
  ): Result.Result<Calendar, CalendarConfig.InvalidCalendarConfig> => {
    const rule = calendar.rule
    if (rule._tag !== "China") {
      return Result.fail(
        new CalendarConfig.InvalidCalendarConfig({
          issue: "NotAChinaCalendar",
          calendar: calendar.name,
          detail: "year schedules apply to the China calendars only"
        })
      )
    }
    if (years.length === 0) return Result.succeed(calendar)
    return Result.map(China.extend(calendar.name, rule.table, years), (table) =>
      make({
        ...calendar,
        dataVersion: `${calendar.dataVersion} + operator ${
          years.map((year) => `${year.year} (${year.source})`).join(", ")
        }`,
        rule: { ...rule, table }
      }))
  }
)

// ---------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------

/**
 * Whether the calendar covers a year.
 *
 * @category predicates
 * @since 0.1.0
 */
export const coversYear: {
  (year: number): (calendar: Calendar) => boolean
  (calendar: Calendar, year: number): boolean
} = dual(2, (calendar: Calendar, year: number): boolean => lacking(calendar, year) === undefined)

/**
 * Whether a date is a business day.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isBusinessDay: {
  (date: CivilDate.CivilDate): (calendar: Calendar) => Result.Result<boolean, CalendarYearNotCovered>
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<boolean, CalendarYearNotCovered>
} = dual(2, (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<boolean, CalendarYearNotCovered> => {
  const open = probe(calendar, Days.ofValidIso(date))
  return typeof open === "boolean" ? Result.succeed(open) : Result.fail(open)
})

/**
 * The first business day strictly after a date.
 *
 * @category navigation
 * @since 0.1.0
 */
export const nextBusinessDay: {
  (date: CivilDate.CivilDate): (calendar: Calendar) => Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
} = dual(
  2,
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered> =>
    toResult(seek(calendar, Days.ofValidIso(date), 1))
)

/**
 * The last business day strictly before a date.
 *
 * @category navigation
 * @since 0.1.0
 */
export const previousBusinessDay: {
  (date: CivilDate.CivilDate): (calendar: Calendar) => Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
} = dual(
  2,
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered> =>
    toResult(seek(calendar, Days.ofValidIso(date), -1))
)

/**
 * The date itself when it is a business day, else the next business day (QuantLib's
 * `Following` adjustment).
 *
 * @category navigation
 * @since 0.1.0
 */
export const rollForward: {
  (date: CivilDate.CivilDate): (calendar: Calendar) => Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered>
} = dual(
  2,
  (calendar: Calendar, date: CivilDate.CivilDate): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered> => {
    const day = Days.ofValidIso(date)
    return toResult(seek(calendar, day - 1, 1))
  }
)

/**
 * The date `days` business days after `date` (before it when negative), as QuantLib's
 * `advance`: each step moves to the next business day, so `date` itself need not be one;
 * zero business days rolls forward to a business day.
 *
 * @category navigation
 * @since 0.1.0
 */
export const advance: {
  (
    date: CivilDate.CivilDate,
    days: number
  ): (calendar: Calendar) => Result.Result<CivilDate.CivilDate, CalendarYearNotCovered | InvalidDayCount>
  (
    calendar: Calendar,
    date: CivilDate.CivilDate,
    days: number
  ): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered | InvalidDayCount>
} = dual(
  3,
  (
    calendar: Calendar,
    date: CivilDate.CivilDate,
    days: number
  ): Result.Result<CivilDate.CivilDate, CalendarYearNotCovered | InvalidDayCount> => {
    if (!Number.isSafeInteger(days)) return Result.fail(new InvalidDayCount({ days }))
    const start = Days.ofValidIso(date)
    if (days === 0) return toResult(seek(calendar, start - 1, 1))
    const step = days > 0 ? 1 : -1
    let current = start
    for (let remaining = Math.abs(days); remaining > 0; remaining--) {
      const found = seek(calendar, current, step)
      if (typeof found !== "number") return Result.fail(found)
      current = found
    }
    return Result.succeed(Days.format(current) as CivilDate.CivilDate)
  }
)

/**
 * The business days walked over going from `from` to `to`: the start left out, the
 * arrival counted, negative when walking back. It is the inverse of {@link advance}:
 * `businessDaysBetween(d, advance(d, n)) = n` for every date `d` and every `n` other than 0
 * (and for 0 too when `d` is a business day).
 *
 * @category navigation
 * @since 0.1.0
 */
export const businessDaysBetween: {
  (
    from: CivilDate.CivilDate,
    to: CivilDate.CivilDate
  ): (calendar: Calendar) => Result.Result<number, CalendarYearNotCovered>
  (
    calendar: Calendar,
    from: CivilDate.CivilDate,
    to: CivilDate.CivilDate
  ): Result.Result<number, CalendarYearNotCovered>
} = dual(
  3,
  (
    calendar: Calendar,
    from: CivilDate.CivilDate,
    to: CivilDate.CivilDate
  ): Result.Result<number, CalendarYearNotCovered> => {
    const start = Days.ofValidIso(from)
    const end = Days.ofValidIso(to)
    // Forward: the days after `from` up to `to`; backward: the days from `to` up to before `from`.
    const [first, last, sign] = start <= end ? [start + 1, end, 1] : [end, start - 1, -1]
    let count = 0
    for (let day = first; day <= last; day++) {
      const open = probe(calendar, day)
      if (typeof open !== "boolean") return Result.fail(open)
      if (open) count++
    }
    return Result.succeed(sign * count)
  }
)

/**
 * The days from `from` to `to` (both included) on which the calendar is closed, weekends
 * left out unless `includeWeekends` (QuantLib's `holidayList`). On the working-day calendar
 * a make-up weekend day is open, so it is never listed.
 *
 * @category navigation
 * @since 0.1.0
 */
export const holidays = (
  calendar: Calendar,
  from: CivilDate.CivilDate,
  to: CivilDate.CivilDate,
  options?: {
    /** List closed Saturdays and Sundays too. */
    readonly includeWeekends?: boolean | undefined
  }
): Result.Result<ReadonlyArray<CivilDate.CivilDate>, CalendarYearNotCovered> => {
  const out: Array<CivilDate.CivilDate> = []
  const last = Days.ofValidIso(to)
  for (let day = Days.ofValidIso(from); day <= last; day++) {
    const open = probe(calendar, day)
    if (typeof open !== "boolean") return Result.fail(open)
    if (!open && (options?.includeWeekends === true || !Days.isWeekend(day))) {
      out.push(Days.format(day) as CivilDate.CivilDate)
    }
  }
  return Result.succeed(out)
}
