/**
 * China's holiday schedule as the calendars use it: one entry per covered year with the
 * State Council's days off and make-up working days, and the exchange-only closures.
 * The built-in years come from chinese-days' JSON data (which cites the State Council notice
 * of each year), plus two small documented tables of our own: the days the exchange closed
 * although the State Council kept them as working days, and the corrections to chinese-days
 * where its data contradicts the notice it cites.
 *
 * @internal
 */
import chineseDays from "chinese-days/dist/chinese-days.json" with { type: "json" }
import * as Result from "effect/Result"
import type * as CalendarConfig from "../CalendarConfig.ts"
import { InvalidCalendarConfig } from "../CalendarConfig.ts"
import type * as CivilDate from "../CivilDate.ts"
import * as Days from "./days.ts"

/** The holiday-data library and the version whose data is built in (the pinned dependency). */
export const dataSource = "chinese-days"
export const dataSourceVersion = "1.5.7"

/** One covered year. Sets hold day numbers. */
export interface ChinaYear {
  /** The State Council's days off, weekend days inside a holiday range included. */
  readonly holidays: ReadonlySet<number>
  /** Weekend days worked in exchange for a holiday (open on the working-day calendar). */
  readonly makeUpWorkdays: ReadonlySet<number>
  /** Working days on the State Council schedule on which the exchange is closed. */
  readonly exchangeOnlyClosures: ReadonlySet<number>
  /** Where the year comes from. */
  readonly source: string
}

/** Covered years by year number. */
export type Table = ReadonlyMap<number, ChinaYear>

const date = (text: string): CivilDate.CivilDate => text as CivilDate.CivilDate

/**
 * Days the Shanghai Stock Exchange was closed although the State Council schedule kept them
 * as working days. Source: QuantLib `ql/time/calendars/china.cpp` (China::SSE), checked
 * against chinese-days: these are exactly the weekday SSE closures from 2004 to 2026 that
 * are not State Council holidays, apart from QuantLib's pre-2008 festival days (see the
 * package README). In 2004 to 2006 the exchange closed for the whole Spring Festival week
 * around the make-up weekends, and in 2024 on Lunar New Year's Eve.
 */
export const exchangeOnlyClosures: ReadonlyArray<CalendarConfig.Closure> = [
  { date: date("2004-01-19"), reason: "Spring Festival 2004: SSE closed 19 to 28 January, the State Council 22 to 28" },
  { date: date("2004-01-20"), reason: "Spring Festival 2004: SSE closed 19 to 28 January, the State Council 22 to 28" },
  { date: date("2004-01-21"), reason: "Spring Festival 2004: SSE closed 19 to 28 January, the State Council 22 to 28" },
  { date: date("2005-02-07"), reason: "Spring Festival 2005: SSE closed 7 to 15 February, the State Council 9 to 15" },
  { date: date("2005-02-08"), reason: "Spring Festival 2005: SSE closed 7 to 15 February, the State Council 9 to 15" },
  {
    date: date("2006-01-26"),
    reason: "Spring Festival 2006: SSE closed 26 January to 3 February, the State Council 29 January to 4 February"
  },
  {
    date: date("2006-01-27"),
    reason: "Spring Festival 2006: SSE closed 26 January to 3 February, the State Council 29 January to 4 February"
  },
  { date: date("2024-02-09"), reason: "Lunar New Year's Eve 2024: SSE closed, a State Council working day" }
]

/**
 * Make-up working days missing from chinese-days 1.5.7. Saturday 2005-12-31: the State
 * Council notice on the 2006 holidays (gov.cn/jrzg/2005-12/22/content_133837.htm, quoted
 * in chinese-days' own `src/holidays/generate.ts`) says "12月31日(星期六)上班", and QuantLib's
 * China::IB working weekends list it; chinese-days' data omits it.
 */
export const missingMakeUpWorkdays: ReadonlyArray<CalendarConfig.Closure> = [
  { date: date("2005-12-31"), reason: "make-up working day for New Year 2006 (State Council notice of 2005-12-22)" }
]

const yearOfIso = (text: string): number => Number(text.slice(0, 4))

const builtIn = (): Table => {
  const years = new Map<number, { holidays: Set<number>; makeUp: Set<number>; exchange: Set<number> }>()
  const entry = (year: number) => {
    let found = years.get(year)
    if (found === undefined) {
      found = { holidays: new Set(), makeUp: new Set(), exchange: new Set() }
      years.set(year, found)
    }
    return found
  }
  for (const text of Object.keys(chineseDays.holidays)) entry(yearOfIso(text)).holidays.add(Days.ofValidIso(text))
  for (const text of Object.keys(chineseDays.workdays)) entry(yearOfIso(text)).makeUp.add(Days.ofValidIso(text))
  for (const closure of missingMakeUpWorkdays) entry(yearOfIso(closure.date)).makeUp.add(Days.ofValidIso(closure.date))
  for (const closure of exchangeOnlyClosures) {
    entry(yearOfIso(closure.date)).exchange.add(Days.ofValidIso(closure.date))
  }
  const source = `${dataSource}@${dataSourceVersion}`
  return new Map(
    [...years.entries()].sort(([a], [b]) => a - b).map((
      [year, sets]
    ) => [year, { holidays: sets.holidays, makeUpWorkdays: sets.makeUp, exchangeOnlyClosures: sets.exchange, source }])
  )
}

/** The built-in table: chinese-days' years (2004 to 2026 in 1.5.7) with our two tables applied. */
export const builtInTable: Table = builtIn()

/** Whether the State Council schedule has `dayNumber` as a working day. */
export const isWorkingDay = (year: ChinaYear, dayNumber: number): boolean =>
  year.makeUpWorkdays.has(dayNumber) || (!Days.isWeekend(dayNumber) && !year.holidays.has(dayNumber))

/** Whether the exchange trades on `dayNumber`: a weekday, not a holiday, not an exchange-only closure. */
export const isExchangeDay = (year: ChinaYear, dayNumber: number): boolean =>
  !Days.isWeekend(dayNumber) && !year.holidays.has(dayNumber) && !year.exchangeOnlyClosures.has(dayNumber)

/** The covered years as sorted, disjoint, inclusive ranges. */
export const yearRanges = (
  years: Iterable<number>
): ReadonlyArray<{ readonly first: number; readonly last: number }> => {
  const sorted = [...years].sort((a, b) => a - b)
  const ranges: Array<{ first: number; last: number }> = []
  for (const year of sorted) {
    const last = ranges[ranges.length - 1]
    if (last !== undefined && last.last + 1 === year) last.last = year
    else ranges.push({ first: year, last: year })
  }
  return ranges
}

const fail = (calendar: string, issue: CalendarConfig.ConfigIssue, detail: string) =>
  Result.fail(new InvalidCalendarConfig({ issue, calendar, detail }))

/**
 * Checks one year's schedule against itself (the table's coverage is checked by
 * {@link extend}) and builds its entry.
 */
const validateYear = (
  calendar: string,
  schedule: CalendarConfig.ChinaYearSchedule
): Result.Result<ChinaYear, InvalidCalendarConfig> => {
  const { year } = schedule
  const inYear = (text: string, what: string) =>
    yearOfIso(text) === year ? undefined : fail(calendar, "DateOutsideYear", `${what} ${text} is not in ${year}`)
  const holidays = new Set<number>()
  for (const holiday of schedule.holidays) {
    const outside = inYear(holiday.first, `holiday ${holiday.name} starts on`) ??
      inYear(holiday.last, `holiday ${holiday.name} ends on`)
    if (outside !== undefined) return outside
    const first = Days.ofValidIso(holiday.first)
    const last = Days.ofValidIso(holiday.last)
    if (last < first) {
      return fail(calendar, "InvertedRange", `holiday ${holiday.name} ends on ${holiday.last} before ${holiday.first}`)
    }
    let weekdays = 0
    for (let day = first; day <= last; day++) {
      if (holidays.has(day)) {
        return fail(calendar, "OverlappingHolidays", `${Days.format(day)} is in two holidays (one is ${holiday.name})`)
      }
      holidays.add(day)
      if (!Days.isWeekend(day)) weekdays++
    }
    if (weekdays === 0) {
      return fail(
        calendar,
        "HolidayOnlyOnWeekend",
        `holiday ${holiday.name} (${holiday.first} to ${holiday.last}) has only weekend days`
      )
    }
  }
  const makeUpWorkdays = new Set<number>()
  for (const text of schedule.makeUpWorkdays) {
    const outside = inYear(text, "make-up working day")
    if (outside !== undefined) return outside
    const day = Days.ofValidIso(text)
    if (!Days.isWeekend(day)) {
      return fail(calendar, "MakeUpDayNotWeekend", `make-up working day ${text} is not a Saturday or Sunday`)
    }
    if (holidays.has(day)) return fail(calendar, "MakeUpDayIsHoliday", `${text} is both a holiday and a make-up day`)
    if (makeUpWorkdays.has(day)) return fail(calendar, "DuplicateDate", `make-up working day ${text} is listed twice`)
    makeUpWorkdays.add(day)
  }
  const exchangeOnly = new Set<number>()
  for (const closure of schedule.exchangeOnlyClosures ?? []) {
    const outside = inYear(closure.date, "exchange-only closure")
    if (outside !== undefined) return outside
    const day = Days.ofValidIso(closure.date)
    if (Days.isWeekend(day) || holidays.has(day)) {
      return fail(
        calendar,
        "ClosureOnClosedDay",
        `exchange-only closure ${closure.date} is already closed (weekend or holiday)`
      )
    }
    if (exchangeOnly.has(day)) {
      return fail(calendar, "DuplicateDate", `exchange-only closure ${closure.date} is listed twice`)
    }
    exchangeOnly.add(day)
  }
  return Result.succeed({ holidays, makeUpWorkdays, exchangeOnlyClosures: exchangeOnly, source: schedule.source })
}

/** The table with the given years added, or the first problem found. */
export const extend = (
  calendar: string,
  table: Table,
  schedules: ReadonlyArray<CalendarConfig.ChinaYearSchedule>
): Result.Result<Table, InvalidCalendarConfig> => {
  const next = new Map(table)
  for (const schedule of schedules) {
    if (table.has(schedule.year)) {
      return fail(
        calendar,
        "YearAlreadyCovered",
        `${schedule.year} is already covered (${table.get(schedule.year)?.source})`
      )
    }
    if (next.has(schedule.year)) return fail(calendar, "DuplicateYear", `${schedule.year} is given twice`)
    const year = validateYear(calendar, schedule)
    if (Result.isFailure(year)) return Result.fail(year.failure)
    next.set(schedule.year, year.success)
  }
  return Result.succeed(new Map([...next.entries()].sort(([a], [b]) => a - b)))
}
