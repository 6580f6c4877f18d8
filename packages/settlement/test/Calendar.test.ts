import { describe, expect, it } from "@effect/vitest"
import { Calendar, type CalendarConfig, CivilDate } from "@niha/settlement"
import * as fc from "fast-check"
import { d, days, err, ok } from "./support/dates.ts"
import { propertyOptions } from "./support/property.ts"

const swapCalendar = Calendar.joint([Calendar.chinaExchange, Calendar.target])
const calendars = [Calendar.chinaExchange, Calendar.chinaWorkingDay, Calendar.target, swapCalendar]

/** A date from 2004-03-31 to 2026-09-30: 40 business days either way stay where every calendar has data. */
const coveredDate = fc
  .integer({ min: 0, max: CivilDate.daysBetween(d("2004-03-31"), d("2026-09-30")) })
  .map((offset) => ok(CivilDate.addDays(d("2004-03-31"), offset)))

describe("Calendar navigation", () => {
  it("advances like QuantLib: from a closed day, and by zero to roll forward", () => {
    // Saturday 2026-02-14 plus one exchange business day is the first one after the festival.
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-02-14"), 1))).toBe("2026-02-24")
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-02-14"), 0))).toBe("2026-02-24")
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-02-13"), 0))).toBe("2026-02-13")
    expect(ok(Calendar.advance(Calendar.chinaExchange, d("2026-02-24"), -1))).toBe("2026-02-13")
    expect(ok(Calendar.rollForward(Calendar.target, d("2026-04-03")))).toBe("2026-04-07")
    expect(ok(Calendar.previousBusinessDay(Calendar.target, d("2026-04-07")))).toBe("2026-04-02")
    expect(err(Calendar.advance(Calendar.target, d("2026-04-02"), 1.5))).toMatchObject({ _tag: "InvalidDayCount" })
  })

  it("works data-last too", () => {
    expect(ok(Calendar.advance(d("2026-04-02"), 1)(Calendar.target))).toBe("2026-04-07")
    expect(ok(Calendar.isBusinessDay(d("2026-04-03"))(Calendar.target))).toBe(false)
  })

  it("counts the business days walked over: the start left out, the arrival counted", () => {
    expect(ok(Calendar.businessDaysBetween(Calendar.target, d("2026-04-02"), d("2026-04-07")))).toBe(1)
    expect(ok(Calendar.businessDaysBetween(Calendar.target, d("2026-04-07"), d("2026-04-02")))).toBe(-1)
    expect(ok(Calendar.businessDaysBetween(Calendar.target, d("2026-04-02"), d("2026-04-02")))).toBe(0)
    // From Good Friday back to Thursday: Thursday is arrived at, Good Friday is closed anyway.
    expect(ok(Calendar.businessDaysBetween(Calendar.target, d("2026-04-03"), d("2026-04-02")))).toBe(-1)
    expect(ok(Calendar.businessDaysBetween(Calendar.target, d("2026-04-03"), d("2026-04-07")))).toBe(1)
  })

  it("advance and businessDaysBetween are inverse, and land on business days (property)", () => {
    fc.assert(
      fc.property(
        coveredDate,
        fc.integer({ min: -40, max: 40 }),
        fc.constantFrom(...calendars),
        (date, n, calendar) => {
          const moved = ok(Calendar.advance(calendar, date, n))
          const open = ok(Calendar.isBusinessDay(calendar, date))
          expect(ok(Calendar.isBusinessDay(calendar, moved))).toBe(true)
          // Zero business days from a closed day rolls forward to the next business day.
          expect(ok(Calendar.businessDaysBetween(calendar, date, moved))).toBe(n === 0 && !open ? 1 : n)
          if (n === 0) expect(moved).toBe(ok(Calendar.rollForward(calendar, date)))
          if (n > 0) expect(moved > date).toBe(true)
          if (n < 0) expect(moved < date).toBe(true)
          const next = ok(Calendar.nextBusinessDay(calendar, date))
          const previous = ok(Calendar.previousBusinessDay(calendar, date))
          expect(previous < date && date < next).toBe(true)
          // Nothing open strictly between them, other than the date itself.
          expect(ok(Calendar.businessDaysBetween(calendar, previous, next))).toBe(open ? 2 : 1)
        }
      ),
      propertyOptions(300)
    )
  })
})

describe("Calendar.joint", () => {
  it("is open only where every member is open (property)", () => {
    fc.assert(
      fc.property(coveredDate, (date) => {
        const members = [Calendar.chinaExchange, Calendar.target].map((member) =>
          ok(Calendar.isBusinessDay(member, date))
        )
        expect(ok(Calendar.isBusinessDay(swapCalendar, date))).toBe(members.every(Boolean))
      }),
      propertyOptions(500)
    )
  })

  it("names itself after its members, covers what they all cover, and names the member lacking a year", () => {
    expect(swapCalendar.name).toBe("CHINA_EXCHANGE+TARGET")
    expect(swapCalendar.timeZone).toBe("Asia/Shanghai")
    expect(swapCalendar.coverage).toEqual([{ first: 2004, last: 2026 }])
    expect(swapCalendar.dataVersion).toContain("chinese-days@1.5.7")
    expect(err(Calendar.isBusinessDay(swapCalendar, d("2027-01-04")))).toMatchObject({
      calendar: "CHINA_EXCHANGE",
      year: 2027
    })
    expect(Calendar.joint([Calendar.target], { name: "EUA" }).name).toBe("EUA")
    // Easter Monday 2026 is also Qingming in China; Good Friday only closes TARGET.
    expect(ok(Calendar.holidays(swapCalendar, d("2026-04-01"), d("2026-04-08")))).toEqual(["2026-04-03", "2026-04-06"])
  })
})

describe("Calendar.withClosures", () => {
  it("closes an ad-hoc day (a registry outage) and keeps the reason", () => {
    const outage = { date: d("2026-03-10"), reason: "CEA registry maintenance" }
    const calendar = ok(Calendar.withClosures(Calendar.chinaExchange, [outage]))
    expect(ok(Calendar.isBusinessDay(calendar, d("2026-03-10")))).toBe(false)
    expect(ok(Calendar.advance(calendar, d("2026-03-09"), 1))).toBe("2026-03-11")
    expect(calendar.closures).toEqual([outage])
    // The original value is unchanged.
    expect(ok(Calendar.isBusinessDay(Calendar.chinaExchange, d("2026-03-10")))).toBe(true)
    // A joint calendar built on it closes too.
    expect(ok(Calendar.isBusinessDay(Calendar.joint([calendar, Calendar.target]), d("2026-03-10")))).toBe(false)
  })

  it("refuses a closure that changes nothing, a duplicate, or a year without data", () => {
    const reason = "test"
    const issue = (closures: ReadonlyArray<CalendarConfig.Closure>) =>
      err(Calendar.withClosures(Calendar.chinaExchange, closures)).issue
    expect(issue([{ date: d("2026-03-14"), reason }])).toBe("ClosureOnClosedDay")
    expect(issue([{ date: d("2026-10-01"), reason }])).toBe("ClosureOnClosedDay")
    expect(issue([{ date: d("2026-03-10"), reason }, { date: d("2026-03-10"), reason }])).toBe("DuplicateDate")
    expect(issue([{ date: d("2027-03-10"), reason }])).toBe("YearNotCovered")
  })
})

/**
 * A made-up schedule for 2027 in the shape of a State Council notice. It is test data, not
 * the real 2027 notice (not published when this was written).
 */
const example2027: CalendarConfig.ChinaYearSchedule = {
  year: 2027,
  source: "example notice (test data)",
  holidays: [
    { name: "New Year's Day", first: d("2027-01-01"), last: d("2027-01-03") },
    { name: "Spring Festival", first: d("2027-02-05"), last: d("2027-02-12") },
    { name: "National Day", first: d("2027-10-01"), last: d("2027-10-07") }
  ],
  makeUpWorkdays: [d("2027-02-13"), d("2027-10-09")],
  exchangeOnlyClosures: [{ date: d("2027-02-04"), reason: "Lunar New Year's Eve (example)" }]
}

describe("Calendar.withChinaYears", () => {
  it("adds a newly published year to a China calendar", () => {
    const exchange = ok(Calendar.withChinaYears(Calendar.chinaExchange, [example2027]))
    const working = ok(Calendar.withChinaYears(Calendar.chinaWorkingDay, [example2027]))
    expect(exchange.coverage).toEqual([{ first: 2004, last: 2027 }])
    expect(exchange.dataVersion).toBe("chinese-days@1.5.7 + operator 2027 (example notice (test data))")
    expect(ok(Calendar.advance(exchange, d("2026-12-31"), 1))).toBe("2027-01-04")
    expect(ok(Calendar.holidays(exchange, d("2027-02-01"), d("2027-02-28")))).toEqual([
      ...days("2027-02-04", "2027-02-05"),
      ...days("2027-02-08", "2027-02-12")
    ])
    expect(ok(Calendar.isBusinessDay(working, d("2027-02-13")))).toBe(true)
    expect(ok(Calendar.isBusinessDay(working, d("2027-02-04")))).toBe(true)
    expect(ok(Calendar.isBusinessDay(exchange, d("2027-02-13")))).toBe(false)
    expect(err(Calendar.isBusinessDay(exchange, d("2028-01-03"))).year).toBe(2028)
  })

  it("validates the schedule, naming the problem", () => {
    const issue = (years: ReadonlyArray<CalendarConfig.ChinaYearSchedule>, calendar = Calendar.chinaExchange) =>
      err(Calendar.withChinaYears(calendar, years)).issue
    const holiday = (first: string, last: string) => ({ name: "h", first: d(first), last: d(last) })
    const year = (change: Partial<CalendarConfig.ChinaYearSchedule>) => ({ ...example2027, ...change })
    expect(issue([year({ year: 2026 })])).toBe("YearAlreadyCovered")
    expect(issue([example2027, example2027])).toBe("DuplicateYear")
    expect(issue([year({ holidays: [holiday("2027-12-31", "2028-01-01")] })])).toBe("DateOutsideYear")
    expect(issue([year({ makeUpWorkdays: [d("2026-12-26")] })])).toBe("DateOutsideYear")
    expect(issue([year({ holidays: [holiday("2027-05-05", "2027-05-01")] })])).toBe("InvertedRange")
    expect(issue([year({ holidays: [holiday("2027-05-01", "2027-05-02")] })])).toBe("HolidayOnlyOnWeekend")
    expect(issue([year({ holidays: [holiday("2027-05-03", "2027-05-05"), holiday("2027-05-05", "2027-05-06")] })]))
      .toBe(
        "OverlappingHolidays"
      )
    expect(issue([year({ makeUpWorkdays: [d("2027-02-15")] })])).toBe("MakeUpDayNotWeekend")
    expect(issue([year({ makeUpWorkdays: [d("2027-02-06")] })])).toBe("MakeUpDayIsHoliday")
    expect(issue([year({ makeUpWorkdays: [d("2027-02-13"), d("2027-02-13")] })])).toBe("DuplicateDate")
    expect(issue([year({ exchangeOnlyClosures: [{ date: d("2027-02-06"), reason: "r" }] })])).toBe(
      "ClosureOnClosedDay"
    )
    expect(issue([example2027], Calendar.target)).toBe("NotAChinaCalendar")
    expect(err(Calendar.withChinaYears(Calendar.chinaExchange, [year({ year: 2026 })])).message).toContain(
      "2026 is already covered (chinese-days@1.5.7)"
    )
  })
})
