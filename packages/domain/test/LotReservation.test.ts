import { describe, expect, it } from "@effect/vitest"
import { LotReservation } from "@niha/domain"
import fc from "fast-check"

const lots = (...quantities: ReadonlyArray<number>) =>
  quantities.map((quantity, index) => ({ id: `L${index}`, quantity }))

describe("LotReservation.pick", () => {
  it("takes the oldest lots until they cover the order, the last one possibly more", () => {
    const pool = lots(60, 40, 100, 5)
    expect(LotReservation.pick(pool, 130)?.map((lot) => lot.id)).toEqual(["L0", "L1", "L2"])
    expect(pool).toEqual([{ id: "L3", quantity: 5 }])
  })

  it("takes exactly the lots that add up to the order", () => {
    const pool = lots(60, 40, 100)
    expect(LotReservation.pick(pool, 100)?.map((lot) => lot.id)).toEqual(["L0", "L1"])
  })

  it("refuses, leaving the pool as it was, when all the lots do not cover the order", () => {
    const pool = lots(60, 40)
    expect(LotReservation.pick(pool, 101)).toBeUndefined()
    expect(pool).toEqual(lots(60, 40))
    expect(LotReservation.pick([], 1)).toBeUndefined()
  })

  it("picks the shortest prefix that covers, for any pool and quantity", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 12 }), fc.integer({ min: 1, max: 3_000 }), (
        quantities,
        quantity
      ) => {
        const pool = lots(...quantities)
        const all = LotReservation.total(pool)
        const picked = LotReservation.pick(pool, quantity)
        if (picked === undefined) {
          expect(all).toBeLessThan(quantity)
          expect(pool.length).toBe(quantities.length)
          return
        }
        // Oldest first, covering, and not one lot more than needed.
        expect(picked.map((lot) => lot.id)).toEqual(lots(...quantities).slice(0, picked.length).map((lot) => lot.id))
        expect(LotReservation.total(picked)).toBeGreaterThanOrEqual(quantity)
        expect(LotReservation.total(picked.slice(0, -1))).toBeLessThan(quantity)
        expect(LotReservation.total(pool) + LotReservation.total(picked)).toBe(all)
      })
    )
  })
})
