import { describe, expect, it } from "@effect/vitest"
import { Calendar, CivilDate } from "@niha/settlement"
import chineseDays from "chinese-days/dist/chinese-days.json" with { type: "json" }
import chineseDaysPackage from "chinese-days/package.json" with { type: "json" }
import { ibWorkingWeekends, sseWeekdayClosures } from "./fixtures/QuantLib.ts"
import { d, days, err, ok } from "./support/dates.ts"

const years = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

const closedWeekdays = (calendar: Calendar.Calendar, year: number) =>
  ok(Calendar.holidays(calendar, d(`${year}-01-01`), d(`${year}-12-31`)))

const openWeekends = (calendar: Calendar.Calendar, year: number) =>
  days(`${year}-01-01`, `${year}-12-31`).filter((day) =>
    CivilDate.isWeekend(day) && ok(Calendar.isBusinessDay(calendar, day))
  )

/**
 * Days QuantLib's China::SSE closes before 2008 that were no public holiday then: Qingming,
 * Dragon Boat and Mid-Autumn became holidays by the State Council's decree of December 2007
 * (in force from 2008). QuantLib writes them as `y <= 2008 && ...` rules; chinese-days (the
 * State Council notices of 2004 to 2007) has them as working days, and so do we.
 */
const quantLibPre2008Festivals = [
  "2004-06-09",
  "2004-09-15",
  "2005-04-04",
  "2005-06-09",
  "2005-09-15",
  "2006-04-04",
  "2006-06-09",
  "2006-09-15",
  "2007-04-04"
]

/**
 * Make-up working weekends QuantLib's China::IB does not list although the State Council
 * notices (quoted in chinese-days' source) announce them: all of 2004 (QuantLib's list
 * starts in 2005), and 5 February and 8 October 2006.
 */
const quantLibMissingWorkingWeekends = [
  "2004-01-17",
  "2004-01-18",
  "2004-05-08",
  "2004-05-09",
  "2004-10-09",
  "2004-10-10",
  "2006-02-05",
  "2006-10-08"
]

describe("the China calendars' data", () => {
  it("records the chinese-days version it was built from", () => {
    expect(Calendar.chinaDataVersion).toBe(`chinese-days@${chineseDaysPackage.version}`)
    expect(Calendar.chinaExchange.dataVersion).toBe(Calendar.chinaDataVersion)
  })

  it("covers exactly the years chinese-days has data for, 2004 to 2026", () => {
    const dataYears = Object.keys(chineseDays.holidays).map((text) => Number(text.slice(0, 4)))
    const expected = { first: Math.min(...dataYears), last: Math.max(...dataYears) }
    expect(expected).toEqual({ first: 2004, last: 2026 })
    expect(Calendar.chinaExchange.coverage).toEqual([expected])
    expect(Calendar.chinaWorkingDay.coverage).toEqual([expected])
  })

  it("answers a year without data with a typed error, never a guess", () => {
    for (const calendar of [Calendar.chinaExchange, Calendar.chinaWorkingDay]) {
      for (const date of ["2027-01-04", "2003-12-31", "2027-06-15"]) {
        const error = err(Calendar.isBusinessDay(calendar, d(date)))
        expect(error._tag).toBe("CalendarYearNotCovered")
        expect(error).toMatchObject({ calendar: calendar.name, year: Number(date.slice(0, 4)), covered: "2004-2026" })
        expect(error.message).toContain("chinese-days@1.5.7")
      }
    }
    // Walking off the end of the data is the same error, not a date in 2027.
    expect(err(Calendar.advance(Calendar.chinaExchange, d("2026-12-30"), 2))).toMatchObject({ year: 2027 })
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-12-30"), 1))).toBe("2026-12-31")
  })

  it("differs from QuantLib only where this test says why (raw chinese-days against QuantLib, 2004 to 2026)", () => {
    const holiday = (text: string) => text in chineseDays.holidays
    const workday = (text: string) => text in chineseDays.workdays
    // QuantLib SSE closes a weekday that chinese-days keeps as a working day.
    const sseOnly = years(2004, 2026).flatMap((year) => sseWeekdayClosures[year] ?? []).filter((text) => !holiday(text))
    expect(sseOnly).toEqual(
      [...Calendar.chinaExchangeOnlyClosures.map((closure) => closure.date), ...quantLibPre2008Festivals].sort()
    )
    // chinese-days closes a weekday that QuantLib SSE keeps open: none.
    const quantLibClosed = new Set(years(2004, 2026).flatMap((year) => sseWeekdayClosures[year] ?? []))
    const chineseDaysOnly = Object.keys(chineseDays.holidays).filter((text) =>
      !CivilDate.isWeekend(d(text)) && !quantLibClosed.has(text)
    )
    expect(chineseDaysOnly).toEqual([])
    // Working weekends: QuantLib IB against chinese-days' make-up days.
    const quantLibWorking = new Set(years(2004, 2026).flatMap((year) => ibWorkingWeekends[year] ?? []))
    const chineseDaysWorking = Object.keys(chineseDays.workdays)
    expect(chineseDaysWorking.filter((text) => !quantLibWorking.has(text)).sort()).toEqual(
      quantLibMissingWorkingWeekends
    )
    expect([...quantLibWorking].filter((text) => !workday(text))).toEqual(
      Calendar.chinaMissingMakeUpWorkdays.map((closure) => closure.date)
    )
  })
})

describe("Calendar.chinaExchange (QuantLib China::SSE)", () => {
  it("matches QuantLib's SSE holiday list of its test suite, 2014 to 2026, day for day", () => {
    for (const year of years(2014, 2026)) {
      expect({ year, closed: closedWeekdays(Calendar.chinaExchange, year) }).toEqual({
        year,
        closed: sseWeekdayClosures[year]
      })
    }
  })

  it("matches QuantLib's china.cpp for 2004 to 2013 except its pre-2008 festival days", () => {
    for (const year of years(2004, 2013)) {
      const expected = (sseWeekdayClosures[year] ?? []).filter((text) => !quantLibPre2008Festivals.includes(text))
      expect({ year, closed: closedWeekdays(Calendar.chinaExchange, year) }).toEqual({ year, closed: expected })
    }
  })

  it("closes on Lunar New Year's Eve 2024-02-09, a State Council working day", () => {
    expect(ok(Calendar.isBusinessDay(Calendar.chinaExchange, d("2024-02-09")))).toBe(false)
    expect(ok(Calendar.isBusinessDay(Calendar.chinaWorkingDay, d("2024-02-09")))).toBe(true)
    expect(ok(Calendar.nextBusinessDay(Calendar.chinaExchange, d("2024-02-08")))).toBe("2024-02-19")
  })

  it("keeps every weekend closed, make-up working weekends included", () => {
    for (const year of years(2004, 2026)) expect(openWeekends(Calendar.chinaExchange, year)).toEqual([])
  })
})

describe("Calendar.chinaWorkingDay (QuantLib China::IB)", () => {
  it("matches QuantLib's IB working weekends of its test suite, 2014 to 2026", () => {
    for (const year of years(2014, 2026)) {
      expect({ year, working: openWeekends(Calendar.chinaWorkingDay, year) }).toEqual({
        year,
        working: ibWorkingWeekends[year]
      })
    }
  })

  it("matches QuantLib's china.cpp working weekends for 2004 to 2013, plus the days QuantLib misses", () => {
    for (const year of years(2004, 2013)) {
      const expected = [
        ...(ibWorkingWeekends[year] ?? []),
        ...quantLibMissingWorkingWeekends.filter((text) => text.startsWith(`${year}-`))
      ].sort()
      expect({ year, working: openWeekends(Calendar.chinaWorkingDay, year) }).toEqual({ year, working: expected })
    }
  })

  it("closes the same weekdays as QuantLib's IB from 2008 (its SSE list without the exchange-only 2024-02-09)", () => {
    for (const year of years(2008, 2026)) {
      const expected = (sseWeekdayClosures[year] ?? []).filter((text) => text !== "2024-02-09")
      expect({ year, closed: closedWeekdays(Calendar.chinaWorkingDay, year) }).toEqual({ year, closed: expected })
    }
  })
})

describe("the known dates of 2026 (State Council notice, gov.cn 202511/content_7047091)", () => {
  const open = (calendar: Calendar.Calendar, text: string) => ok(Calendar.isBusinessDay(calendar, d(text)))

  it("Spring Festival: 15 to 23 February off, 14 and 28 February (Saturdays) worked", () => {
    for (const day of days("2026-02-15", "2026-02-23")) {
      expect([day, open(Calendar.chinaWorkingDay, day), open(Calendar.chinaExchange, day)]).toEqual([day, false, false])
    }
    expect(open(Calendar.chinaWorkingDay, "2026-02-14")).toBe(true)
    expect(open(Calendar.chinaWorkingDay, "2026-02-28")).toBe(true)
    expect(open(Calendar.chinaExchange, "2026-02-14")).toBe(false)
    expect(open(Calendar.chinaExchange, "2026-02-28")).toBe(false)
    expect(open(Calendar.chinaExchange, "2026-02-13")).toBe(true)
    expect(open(Calendar.chinaExchange, "2026-02-24")).toBe(true)
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-02-13"), 1))).toBe("2026-02-24")
    expect(ok(Calendar.advance(Calendar.chinaWorkingDay, d("2026-02-13"), 1))).toBe("2026-02-14")
    expect(ok(Calendar.businessDaysBetween(Calendar.chinaExchange, d("2026-02-13"), d("2026-02-27")))).toBe(4)
    expect(ok(Calendar.businessDaysBetween(Calendar.chinaWorkingDay, d("2026-02-13"), d("2026-02-28")))).toBe(6)
  })

  it("National Day: 1 to 7 October off, 20 September (Sunday) and 10 October (Saturday) worked", () => {
    for (const day of days("2026-10-01", "2026-10-07")) {
      expect([day, open(Calendar.chinaWorkingDay, day), open(Calendar.chinaExchange, day)]).toEqual([day, false, false])
    }
    expect(open(Calendar.chinaWorkingDay, "2026-09-20")).toBe(true)
    expect(open(Calendar.chinaWorkingDay, "2026-10-10")).toBe(true)
    expect(open(Calendar.chinaExchange, "2026-09-20")).toBe(false)
    expect(open(Calendar.chinaExchange, "2026-10-10")).toBe(false)
    expect(ok(Calendar.nextBusinessDay(Calendar.chinaExchange, d("2026-09-30")))).toBe("2026-10-08")
    expect(ok(Calendar.previousBusinessDay(Calendar.chinaWorkingDay, d("2026-10-08")))).toBe("2026-09-30")
    expect(ok(Calendar.nextBusinessDay(Calendar.chinaWorkingDay, d("2026-10-09")))).toBe("2026-10-10")
  })
})
