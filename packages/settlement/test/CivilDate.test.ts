import { describe, expect, it } from "@effect/vitest"
import { CivilDate } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { at, d, err, ok } from "./support/dates.ts"
import { propertyOptions } from "./support/property.ts"

const shanghai = DateTime.zoneMakeNamedUnsafe("Asia/Shanghai")
const brussels = DateTime.zoneMakeNamedUnsafe("Europe/Brussels")

describe("CivilDate", () => {
  it("accepts real dates written YYYY-MM-DD and nothing else", () => {
    expect(ok(CivilDate.parse("2024-02-29"))).toBe("2024-02-29")
    for (
      const text of ["2023-02-29", "2026-13-01", "2026-1-5", "20260105", "2026-04-31", "0000-01-01", " 2026-01-05"]
    ) {
      expect(err(CivilDate.parse(text))).toMatchObject({ _tag: "InvalidDate", input: text })
    }
    expect(() => Schema.decodeUnknownSync(CivilDate.CivilDate)("2026-02-30")).toThrow(/YYYY-MM-DD/)
    expect(ok(CivilDate.make(2026, 2, 16))).toBe("2026-02-16")
    expect(err(CivilDate.make(2026, 2, 29))._tag).toBe("InvalidDate")
    expect(err(CivilDate.make(2026, 1.5, 1))._tag).toBe("InvalidDate")
  })

  it("knows weekdays, day arithmetic and its bounds", () => {
    expect(CivilDate.weekday(d("2026-02-16"))).toBe(1)
    expect(CivilDate.weekday(d("2026-02-15"))).toBe(7)
    expect(CivilDate.isWeekend(d("2026-02-14"))).toBe(true)
    expect(ok(CivilDate.addDays(d("2024-02-28"), 1))).toBe("2024-02-29")
    expect(ok(CivilDate.addDays(d("2026-01-01"), -1))).toBe("2025-12-31")
    expect(err(CivilDate.addDays(d("9999-12-31"), 1))._tag).toBe("InvalidDate")
    expect(err(CivilDate.addDays(d("2026-01-01"), 0.5))._tag).toBe("InvalidDate")
    expect(CivilDate.daysBetween(d("2026-02-13"), d("2026-02-24"))).toBe(11)
    expect(CivilDate.toParts(d("2026-10-07"))).toEqual({ year: 2026, month: 10, day: 7 })
  })

  it("round-trips through day arithmetic and agrees with JavaScript's calendar (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -700_000, max: 2_900_000 }),
        fc.integer({ min: -5000, max: 5000 }),
        (base, shift) => {
          const date = new Date(Date.UTC(1970, 0, 1) + base * 86_400_000)
          const text = date.toISOString().slice(0, 10)
          const civil = ok(CivilDate.parse(text))
          expect(CivilDate.weekday(civil) % 7).toBe(date.getUTCDay())
          const moved = ok(CivilDate.addDays(civil, shift))
          expect(CivilDate.daysBetween(civil, moved)).toBe(shift)
          expect(moved).toBe(new Date(date.getTime() + shift * 86_400_000).toISOString().slice(0, 10))
        }
      ),
      propertyOptions(300)
    )
  })

  it("turns an instant into the date of a time zone and back", () => {
    const instant = at("2026-02-15T17:30:00Z")
    expect(CivilDate.fromInstant(instant, brussels)).toBe("2026-02-15")
    expect(CivilDate.fromInstant(instant, shanghai)).toBe("2026-02-16")
    expect(DateTime.formatIso(CivilDate.startOfDay(d("2026-02-16"), shanghai))).toBe("2026-02-15T16:00:00.000Z")
    expect(DateTime.formatIso(CivilDate.endOfDay(d("2026-02-16"), shanghai))).toBe("2026-02-16T16:00:00.000Z")
    // Brussels changes to summer time on 29 March 2026: that day has 23 hours.
    const start = CivilDate.startOfDay(d("2026-03-29"), brussels)
    const end = CivilDate.endOfDay(d("2026-03-29"), brussels)
    expect(DateTime.toEpochMillis(end) - DateTime.toEpochMillis(start)).toBe(23 * 3_600_000)
    expect(DateTime.formatIso(CivilDate.atLocalTime(d("2026-03-30"), 16, 0, brussels))).toBe(
      "2026-03-30T14:00:00.000Z"
    )
    expect(DateTime.formatIso(CivilDate.atLocalTime(d("2026-03-27"), 16, 0, brussels))).toBe(
      "2026-03-27T15:00:00.000Z"
    )
  })
})
