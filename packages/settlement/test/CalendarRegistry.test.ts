import { describe, expect, it } from "@effect/vitest"
import { Calendar, CalendarConfig, CalendarRegistry } from "@niha/settlement"
import { d, err, ok } from "./support/dates.ts"

describe("CalendarRegistry", () => {
  it("holds the library's calendars by name", () => {
    expect([...CalendarRegistry.defaultRegistry.calendars.keys()]).toEqual([
      "CHINA_EXCHANGE",
      "CHINA_WORKING_DAY",
      "TARGET"
    ])
    expect(ok(CalendarRegistry.get(CalendarRegistry.defaultRegistry, "TARGET"))).toBe(Calendar.target)
    expect(ok(CalendarRegistry.resolve(CalendarRegistry.defaultRegistry, ["CHINA_EXCHANGE", "TARGET"])).name).toBe(
      "CHINA_EXCHANGE+TARGET"
    )
  })

  it("answers an unknown name with the names it knows", () => {
    const error = err(CalendarRegistry.resolve(CalendarRegistry.defaultRegistry, ["CHINA_EXCHANGE", "SHANGHAI"]))
    expect(error).toMatchObject({
      _tag: "UnknownCalendar",
      name: "SHANGHAI",
      known: ["CHINA_EXCHANGE", "CHINA_WORKING_DAY", "TARGET"]
    })
  })

  it("applies an operator's configuration decoded from JSON: a new China year and a registry outage", () => {
    const config = ok(CalendarConfig.decode(JSON.parse(`{
      "chinaYears": [{
        "year": 2027,
        "source": "example notice (test data, not the real 2027 notice)",
        "holidays": [{ "name": "New Year's Day", "first": "2027-01-01", "last": "2027-01-01" }],
        "makeUpWorkdays": []
      }],
      "closures": [
        { "calendar": "CHINA_EXCHANGE", "date": "2027-01-04", "reason": "CEA registry outage" },
        { "calendar": "TARGET", "date": "2026-03-10", "reason": "example TARGET incident" }
      ]
    }`)))
    const registry = ok(CalendarRegistry.make(config))
    const exchange = ok(CalendarRegistry.get(registry, "CHINA_EXCHANGE"))
    const working = ok(CalendarRegistry.get(registry, "CHINA_WORKING_DAY"))
    expect(exchange.coverage).toEqual([{ first: 2004, last: 2027 }])
    expect(working.coverage).toEqual([{ first: 2004, last: 2027 }])
    expect(ok(Calendar.isBusinessDay(exchange, d("2027-01-04")))).toBe(false)
    expect(ok(Calendar.isBusinessDay(working, d("2027-01-04")))).toBe(true)
    expect(ok(Calendar.isBusinessDay(ok(CalendarRegistry.get(registry, "TARGET")), d("2026-03-10")))).toBe(false)
    // The default registry is a value: untouched.
    expect(CalendarRegistry.defaultRegistry.calendars.get("CHINA_EXCHANGE")).toBe(Calendar.chinaExchange)
  })

  it("refuses a malformed or inconsistent configuration with a typed error", () => {
    const malformed = err(
      CalendarConfig.decode({ chinaYears: [], closures: [{ calendar: "TARGET", date: "2026-02-30" }] })
    )
    expect(malformed).toMatchObject({ _tag: "InvalidCalendarConfig", issue: "Malformed" })
    expect(malformed.message).toContain("YYYY-MM-DD")
    expect(
      err(CalendarRegistry.make({
        chinaYears: [],
        closures: [{ calendar: "CEA_REGISTRY", date: d("2026-03-10"), reason: "outage" }]
      }))
    ).toMatchObject({ _tag: "UnknownCalendar", name: "CEA_REGISTRY" })
    expect(
      err(CalendarRegistry.make({
        chinaYears: [],
        closures: [{ calendar: "TARGET", date: d("2026-12-25"), reason: "Christmas" }]
      }))
    ).toMatchObject({ _tag: "InvalidCalendarConfig", issue: "ClosureOnClosedDay", calendar: "TARGET" })
    expect(ok(CalendarRegistry.make(CalendarConfig.empty)).calendars.get("TARGET")).toBe(Calendar.target)
  })
})
