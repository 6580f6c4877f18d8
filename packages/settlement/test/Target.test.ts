import { describe, expect, it } from "@effect/vitest"
import { Calendar, CivilDate, Easter } from "@niha/settlement"
import { easterMondayDayOfYear, easterMondayFirstYear, targetHolidays1999to2006 } from "./fixtures/QuantLib.ts"
import { d, err, ok } from "./support/dates.ts"

const open = (text: string) => ok(Calendar.isBusinessDay(Calendar.target, d(text)))

describe("Easter", () => {
  it("matches QuantLib's Easter Monday table for every year from 1901 to 2199", () => {
    easterMondayDayOfYear.forEach((dayOfYear, index) => {
      const year = easterMondayFirstYear + index
      const monday = ok(Easter.easterMonday(year))
      expect({ year, dayOfYear: CivilDate.daysBetween(d(`${year}-01-01`), monday) + 1 }).toEqual({ year, dayOfYear })
    })
  })

  it("gives the published Easter Sundays, earliest and latest cases included", () => {
    // Easter Sunday dates as published in church calendars (e.g. the US Naval Observatory's
    // table): 22 March and 25 April are the extreme dates of the Gregorian computus.
    const known: ReadonlyArray<readonly [number, string]> = [
      [1818, "1818-03-22"],
      [1943, "1943-04-25"],
      [2000, "2000-04-23"],
      [2008, "2008-03-23"],
      [2011, "2011-04-24"],
      [2019, "2019-04-21"],
      [2024, "2024-03-31"],
      [2025, "2025-04-20"],
      [2026, "2026-04-05"],
      [2027, "2027-03-28"],
      [2038, "2038-04-25"],
      [2285, "2285-03-22"]
    ]
    for (const [year, sunday] of known) {
      expect(ok(Easter.easterSunday(year))).toBe(sunday)
      expect(CivilDate.weekday(ok(Easter.easterSunday(year)))).toBe(7)
      expect(CivilDate.weekday(ok(Easter.goodFriday(year)))).toBe(5)
      expect(CivilDate.daysBetween(ok(Easter.goodFriday(year)), ok(Easter.easterMonday(year)))).toBe(3)
    }
  })

  it("refuses years outside the Gregorian calendar's supported range", () => {
    expect(err(Easter.easterSunday(1582))._tag).toBe("InvalidDate")
    expect(err(Easter.easterSunday(10000))._tag).toBe("InvalidDate")
    expect(err(Easter.easterSunday(2024.5))._tag).toBe("InvalidDate")
  })
})

describe("Calendar.target", () => {
  it("matches QuantLib's TARGET holiday list of its test suite, 1999 to 2006", () => {
    const listed = ok(Calendar.holidays(Calendar.target, d("1999-01-01"), d("2006-12-31")))
    expect(listed).toEqual(Object.values(targetHolidays1999to2006).flat())
  })

  it("closes on the ECB's published TARGET closing days of 2025 and 2026", () => {
    // ECB, TARGET closing days: 2025-04-18 Good Friday, 2025-04-21 Easter Monday; 2026-04-03
    // Good Friday, 2026-04-06 Easter Monday; and 1 January, 1 May, 25 and 26 December
    // (listed here when they fall on a weekday).
    expect(ok(Calendar.holidays(Calendar.target, d("2025-01-01"), d("2026-12-31")))).toEqual([
      "2025-01-01",
      "2025-04-18",
      "2025-04-21",
      "2025-05-01",
      "2025-12-25",
      "2025-12-26",
      "2026-01-01",
      "2026-04-03",
      "2026-04-06",
      "2026-05-01",
      "2026-12-25"
      // 2026-12-26 is a Saturday: a weekend, not listed
    ])
  })

  it("handles the year ends: open on 24 and 31 December (weekdays), closed on 25 and 26 December and 1 January", () => {
    for (let year = 2002; year <= 2040; year++) {
      for (
        const [monthDay, expected] of [["12-24", true], ["12-25", false], ["12-26", false], ["12-31", true]] as const
      ) {
        const day = d(`${year}-${monthDay}`)
        if (!CivilDate.isWeekend(day)) expect([day, open(day)]).toEqual([day, expected])
      }
      expect(open(`${year + 1}-01-01`)).toBe(false)
    }
    // The two exceptional closures: the millennium change and the euro cash changeover.
    expect(open("1999-12-31")).toBe(false)
    expect(open("2001-12-31")).toBe(false)
    // Rolling over a year end: Wednesday 2025-12-24 plus one business day is Monday 29 December.
    expect(ok(Calendar.advance(Calendar.target, d("2025-12-24"), 1))).toBe("2025-12-29")
    expect(ok(Calendar.advance(Calendar.target, d("2025-12-31"), 1))).toBe("2026-01-02")
  })

  it("had no Good Friday, Easter Monday or 1 May closures in 1999", () => {
    expect(open("1999-04-02")).toBe(true)
    expect(open("1999-04-05")).toBe(true)
    expect(open("1999-05-03")).toBe(true)
  })

  it("starts in 1999: earlier years are a typed error", () => {
    expect(Calendar.target.coverage).toEqual([{ first: 1999, last: 9999 }])
    expect(err(Calendar.isBusinessDay(Calendar.target, d("1998-12-31")))).toMatchObject({
      _tag: "CalendarYearNotCovered",
      calendar: "TARGET",
      year: 1998
    })
    expect(err(Calendar.advance(Calendar.target, d("9999-12-31"), 1))).toMatchObject({ year: 10000 })
  })
})
