import { describe, expect, it } from "@effect/vitest"
import { Calendar, CalendarRegistry, SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { at, err, ok } from "./support/dates.ts"
import { propertyOptions } from "./support/property.ts"

const schedule = (
  settlementType: "CEA_PURCHASE" | "SWAP_CEA_TO_EUA",
  executedAt: string,
  config?: SettlementSchedule.Config
) => SettlementSchedule.make({ settlementType, executedAt: at(executedAt), config })

const dates = (result: ReturnType<typeof schedule>) => {
  const value = ok(result)
  return {
    trade: value.tradeDate,
    settle: value.settlementDate,
    due: value.milestones.map((milestone) => `${milestone.status}:${milestone.dueDate}`)
  }
}

describe("SettlementSchedule defaults", () => {
  it("CEA purchase: T+2 on the exchange calendar, cut-off 15:00 Shanghai, across Spring Festival 2026", () => {
    // Friday 13 February 2026, 14:00 in Shanghai: before the cut-off, the last trading day before the festival.
    expect(dates(schedule("CEA_PURCHASE", "2026-02-13T06:00:00Z"))).toEqual({
      trade: "2026-02-13",
      settle: "2026-02-25",
      due: [
        "TRANSFER_INITIATED:2026-02-13",
        "IN_TRANSIT:2026-02-24",
        "AT_CUSTODY:2026-02-25",
        "SETTLED:2026-02-25"
      ]
    })
    // 15:00 exactly is after the cut-off: the trade counts from Tuesday 24 February.
    expect(dates(schedule("CEA_PURCHASE", "2026-02-13T07:00:00Z")).trade).toBe("2026-02-24")
    // A trade on the make-up Saturday 28 February (the exchange is closed) counts from Monday 2 March.
    expect(dates(schedule("CEA_PURCHASE", "2026-02-28T02:00:00Z"))).toMatchObject({
      trade: "2026-03-02",
      settle: "2026-03-04"
    })
    // National Day: Wednesday 30 September after the cut-off counts from Thursday 8 October.
    expect(dates(schedule("CEA_PURCHASE", "2026-09-30T08:00:00Z"))).toMatchObject({
      trade: "2026-10-08",
      settle: "2026-10-12"
    })
  })

  it("CEA purchase: the trade date is the Shanghai date, not the UTC date", () => {
    // 2026-03-02T23:30Z is already Tuesday 3 March 07:30 in Shanghai.
    expect(dates(schedule("CEA_PURCHASE", "2026-03-02T23:30:00Z")).trade).toBe("2026-03-03")
  })

  it("CEA purchase on the Lunar New Year's Eve closure 2024-02-09 counts from the next trading day", () => {
    expect(dates(schedule("CEA_PURCHASE", "2024-02-09T02:00:00Z"))).toMatchObject({
      trade: "2024-02-19",
      settle: "2024-02-21"
    })
  })

  it("swap: T+1 on China exchange + TARGET, cut-off 16:00 Brussels, as EEX's EUA spot market", () => {
    // Thursday 2 April 2026 15:30 CEST: before the cut-off, settles the next business day of
    // both calendars: Good Friday (TARGET) and Easter Monday (TARGET, and Qingming in China) are closed.
    expect(dates(schedule("SWAP_CEA_TO_EUA", "2026-04-02T13:30:00Z"))).toEqual({
      trade: "2026-04-02",
      settle: "2026-04-07",
      due: ["TRANSFER_INITIATED:2026-04-02", "IN_TRANSIT:2026-04-02", "AT_CUSTODY:2026-04-07", "SETTLED:2026-04-07"]
    })
    // 16:30 CEST: after the cut-off, a day later.
    expect(dates(schedule("SWAP_CEA_TO_EUA", "2026-04-02T14:30:00Z"))).toMatchObject({
      trade: "2026-04-07",
      settle: "2026-04-08"
    })
    // Christmas week: Wednesday 23 December 2026 after the cut-off counts from Thursday 24th, settles Monday 28th.
    expect(dates(schedule("SWAP_CEA_TO_EUA", "2026-12-23T16:00:00Z"))).toMatchObject({
      trade: "2026-12-24",
      settle: "2026-12-28"
    })
  })

  it("swap: the 16:00 cut-off follows Brussels' daylight-saving changes (last Sundays of March and October)", () => {
    const trade = (iso: string) => dates(schedule("SWAP_CEA_TO_EUA", iso)).trade
    // Friday 27 March 2026 is CET (UTC+1): 16:00 is 15:00Z.
    expect(trade("2026-03-27T14:59:59Z")).toBe("2026-03-27")
    expect(trade("2026-03-27T15:00:00Z")).toBe("2026-03-30")
    // Monday 30 March 2026 is CEST (UTC+2): 16:00 is 14:00Z.
    expect(trade("2026-03-30T13:59:59Z")).toBe("2026-03-30")
    expect(trade("2026-03-30T14:00:00Z")).toBe("2026-03-31")
    // The same UTC time of day, 14:30Z, is before the cut-off on the Friday and after it on the Monday.
    expect(trade("2026-03-27T14:30:00Z")).toBe("2026-03-27")
    expect(trade("2026-03-30T14:30:00Z")).toBe("2026-03-31")
    // Friday 23 October 2026 is CEST; Monday 26 October is CET again.
    expect(trade("2026-10-23T13:59:59Z")).toBe("2026-10-23")
    expect(trade("2026-10-23T14:00:00Z")).toBe("2026-10-26")
    expect(trade("2026-10-26T14:59:59Z")).toBe("2026-10-26")
    expect(trade("2026-10-26T15:00:00Z")).toBe("2026-10-27")
    // Trades during the changes themselves (Sundays) count from the Monday.
    expect(trade("2026-03-29T01:30:00Z")).toBe("2026-03-30")
    expect(trade("2026-10-25T01:30:00Z")).toBe("2026-10-26")
  })

  it("a cut-off inside a repeated hour is its first occurrence, so a later trade never counts from an earlier day", () => {
    // Cairo leaves summer time at midnight between Thursday 31 October and Friday 1 November
    // 2024: 23:00 to 24:00 of that Thursday happens twice.
    const config: SettlementSchedule.Config = {
      settlementDays: 1,
      calendars: ["TARGET"],
      timeZone: "Africa/Cairo",
      cutOff: "23:30",
      milestoneOffsets: { TRANSFER_INITIATED: 0, IN_TRANSIT: 0, AT_CUSTODY: 1 }
    }
    const cairo = DateTime.zoneMakeNamedUnsafe("Africa/Cairo")
    const local = (iso: string) => DateTime.formatIsoOffset(DateTime.setZone(at(iso), cairo))
    expect(local("2024-10-31T20:30:00Z")).toBe("2024-10-31T23:30:00.000+03:00")
    expect(local("2024-10-31T21:30:00Z")).toBe("2024-10-31T23:30:00.000+02:00")
    const trade = (iso: string) => dates(schedule("CEA_PURCHASE", iso, config)).trade
    expect(trade("2024-10-31T20:29:00Z")).toBe("2024-10-31")
    expect(trade("2024-10-31T20:40:00Z")).toBe("2024-11-01")
    // 23:10 on the second pass: earlier on the clock, later in time, still after the cut-off.
    expect(local("2024-10-31T21:10:00Z")).toBe("2024-10-31T23:10:00.000+02:00")
    expect(trade("2024-10-31T21:10:00Z")).toBe("2024-11-01")
  })

  it("has a due instant per milestone: the end of the due date in the market's zone", () => {
    const value = ok(schedule("SWAP_CEA_TO_EUA", "2026-03-27T10:00:00Z"))
    expect(value.milestones.map((milestone) => DateTime.formatIso(milestone.dueBy))).toEqual([
      "2026-03-27T23:00:00.000Z",
      "2026-03-27T23:00:00.000Z",
      "2026-03-30T22:00:00.000Z",
      "2026-03-30T22:00:00.000Z"
    ])
    expect(value).toMatchObject({
      timeZone: "Europe/Brussels",
      calendar: "CHINA_EXCHANGE+TARGET",
      cutOff: "16:00",
      settlementDays: 1
    })
  })

  it("encodes to JSON and back", () => {
    const value = ok(schedule("CEA_PURCHASE", "2026-02-13T06:00:00Z"))
    const codec = Schema.toCodecJson(SettlementSchedule.Schedule)
    const json = JSON.parse(JSON.stringify(Schema.encodeSync(codec)(value)))
    expect(json.executedAt).toBe("2026-02-13T06:00:00.000Z")
    expect(json.milestones[3]).toEqual({
      status: "SETTLED",
      businessDays: 2,
      dueDate: "2026-02-25",
      dueBy: "2026-02-25T16:00:00.000Z"
    })
    const back = Schema.decodeUnknownSync(codec)(json)
    expect(back.settlementDate).toBe(value.settlementDate)
    expect(DateTime.Equivalence(back.executedAt, value.executedAt)).toBe(true)
  })
})

describe("SettlementSchedule bad input", () => {
  const base = SettlementSchedule.defaults.CEA_PURCHASE

  it("a negative N", () => {
    expect(err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, settlementDays: -1 }))).toMatchObject({
      _tag: "NegativeSettlementDays",
      settlementDays: -1
    })
  })

  it("an unknown calendar name", () => {
    expect(err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, calendars: ["CHINA_EXCHANGE", "NYSE"] })))
      .toMatchObject({ _tag: "UnknownCalendar", name: "NYSE" })
  })

  it("milestone offsets that are not in order, or past N", () => {
    const offsets = (milestoneOffsets: SettlementSchedule.MilestoneOffsets) =>
      err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, milestoneOffsets }))
    expect(offsets({ TRANSFER_INITIATED: 0, IN_TRANSIT: 2, AT_CUSTODY: 1 })).toMatchObject({
      _tag: "MilestonesOutOfOrder",
      offsets: "TRANSFER_INITIATED=0, IN_TRANSIT=2, AT_CUSTODY=1, SETTLED=2"
    })
    expect(offsets({ TRANSFER_INITIATED: 0, IN_TRANSIT: 1, AT_CUSTODY: 3 })._tag).toBe("MilestonesOutOfOrder")
    expect(offsets({ TRANSFER_INITIATED: -1, IN_TRANSIT: 1, AT_CUSTODY: 2 })._tag).toBe("MilestonesOutOfOrder")
  })

  it("a year without data", () => {
    expect(err(schedule("CEA_PURCHASE", "2027-03-02T02:00:00Z"))).toMatchObject({
      _tag: "CalendarYearNotCovered",
      calendar: "CHINA_EXCHANGE",
      year: 2027
    })
    // Near the end of the data: the trade date is covered, T+2 is not.
    expect(err(schedule("CEA_PURCHASE", "2026-12-30T02:00:00Z"))).toMatchObject({ year: 2027 })
    expect(err(schedule("SWAP_CEA_TO_EUA", "2027-01-04T10:00:00Z"))).toMatchObject({ calendar: "CHINA_EXCHANGE" })
  })

  it("an unknown time zone, and a malformed configuration", () => {
    expect(err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, timeZone: "Asia/Beijing" }))).toMatchObject({
      _tag: "UnknownTimeZone",
      timeZone: "Asia/Beijing"
    })
    expect(err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, cutOff: "25:00" }))._tag).toBe(
      "InvalidScheduleConfig"
    )
    expect(err(schedule("CEA_PURCHASE", "2026-03-02T02:00:00Z", { ...base, settlementDays: 1.5 }))._tag).toBe(
      "InvalidScheduleConfig"
    )
    const decoded = err(SettlementSchedule.decodeConfig({ ...base, cutOff: "4pm" }))
    expect(decoded._tag).toBe("InvalidScheduleConfig")
    expect(decoded.message).toContain("HH:MM")
    expect(ok(SettlementSchedule.decodeConfig(JSON.parse(JSON.stringify(base))))).toEqual(base)
  })
})

describe("SettlementSchedule properties", () => {
  const zones = ["Europe/Brussels", "Asia/Shanghai", "America/New_York", "Africa/Cairo", "UTC"]
  const calendarNames = ["CHINA_EXCHANGE", "CHINA_WORKING_DAY", "TARGET"]
  const config = fc
    .record({
      settlementDays: fc.integer({ min: 0, max: 6 }),
      calendars: fc.subarray(calendarNames, { minLength: 1 }),
      timeZone: fc.constantFrom(...zones),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.constantFrom(0, 15, 30, 59),
      cuts: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 3 })
    })
    .map(({ calendars, cuts, hour, minute, settlementDays, timeZone }): SettlementSchedule.Config => {
      const [a = 0, b = 0, c = 0] = cuts.map((cut) => Math.min(cut, settlementDays)).sort((x, y) => x - y)
      return {
        settlementDays,
        calendars: [calendars[0] ?? "TARGET", ...calendars.slice(1)],
        timeZone,
        cutOff: `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`,
        milestoneOffsets: { TRANSFER_INITIATED: a, IN_TRANSIT: b, AT_CUSTODY: c }
      }
    })
  // 2004-02-01 to 2026-11-30: T+6 (with a Chinese golden week) stays inside the data.
  const instant = fc.integer({ min: Date.UTC(2004, 1, 1), max: Date.UTC(2026, 10, 30) })
  const settlementType = fc.constantFrom("CEA_PURCHASE" as const, "SWAP_CEA_TO_EUA" as const)

  it("the settlement date is a business day of every member, N business days after a trade date no earlier than execution", () => {
    fc.assert(
      fc.property(settlementType, config, instant, (type, cfg, millis) => {
        const executedAt = DateTime.makeUnsafe(millis)
        const value = ok(SettlementSchedule.make({ settlementType: type, executedAt, config: cfg }))
        const joint = ok(CalendarRegistry.resolve(CalendarRegistry.defaultRegistry, cfg.calendars))
        for (const name of cfg.calendars) {
          const member = ok(CalendarRegistry.get(CalendarRegistry.defaultRegistry, name))
          expect(ok(Calendar.isBusinessDay(member, value.settlementDate))).toBe(true)
          expect(ok(Calendar.isBusinessDay(member, value.tradeDate))).toBe(true)
        }
        const localDate = DateTime.formatIsoDate(
          DateTime.setZone(executedAt, DateTime.zoneMakeNamedUnsafe(cfg.timeZone))
        )
        expect(value.tradeDate >= localDate).toBe(true)
        expect(value.settlementDate >= value.tradeDate).toBe(true)
        expect(ok(Calendar.businessDaysBetween(joint, value.tradeDate, value.settlementDate))).toBe(cfg.settlementDays)
        const due = value.milestones.map((milestone) => milestone.dueDate)
        expect(due).toEqual([...due].sort())
        expect(due[due.length - 1]).toBe(value.settlementDate)
        expect(value.milestones.map((milestone) => milestone.status)).toEqual(SettlementSchedule.Milestone.literals)
      }),
      propertyOptions(200)
    )
  })

  it("is non-decreasing in the execution instant", () => {
    fc.assert(
      fc.property(
        settlementType,
        config,
        instant,
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        (type, cfg, millis, later) => {
          const first = ok(
            SettlementSchedule.make({ settlementType: type, executedAt: DateTime.makeUnsafe(millis), config: cfg })
          )
          const second = ok(
            SettlementSchedule.make({
              settlementType: type,
              executedAt: DateTime.makeUnsafe(millis + later),
              config: cfg
            })
          )
          expect(first.tradeDate <= second.tradeDate).toBe(true)
          expect(first.settlementDate <= second.settlementDate).toBe(true)
          first.milestones.forEach((milestone, index) => {
            expect(milestone.dueDate <= (second.milestones[index]?.dueDate ?? "")).toBe(true)
          })
        }
      ),
      propertyOptions(200)
    )
  })
})
