import { describe, expect, it } from "@effect/vitest"
import { type Enums, FeeSchedule, Ids, Price, Quantity, Rate } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { check } from "./support/property.ts"

const entity = Schema.decodeUnknownSync(Ids.EntityId)("6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f")
const otherEntity = Schema.decodeUnknownSync(Ids.EntityId)("7a1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f")
const ppm = (n: number) => Rate.Ppm.make(n)

const config = (market: Enums.MarketType, buyer: number, seller: number, is_active = true) => ({
  market,
  buyer_rate: ppm(buyer),
  seller_rate: ppm(seller),
  is_active
})

const override = (
  entity_id: Ids.EntityId,
  market: Enums.MarketType,
  buyer: number | null,
  seller: number | null,
  is_active = true
) => ({
  entity_id,
  market,
  buyer_rate: buyer === null ? null : ppm(buyer),
  seller_rate: seller === null ? null : ppm(seller),
  is_active
})

const rateArb = fc.integer({ min: 0, max: 1_000_000 })
const marketArb = fc.constantFrom<Enums.MarketType>("CEA_CASH", "SWAP")
const sideArb = fc.constantFrom<Enums.OrderSide>("BUY", "SELL")

describe("FeeSchedule.resolve", () => {
  it("takes the entity's active override first, then the market's config, then zero", () => {
    check(fc.property(marketArb, sideArb, rateArb, rateArb, (market, side, overrideRate, marketRate) => {
      const request = { entity_id: entity, market, side }
      const both = FeeSchedule.make(
        [config(market, marketRate, marketRate)],
        [override(entity, market, overrideRate, overrideRate)]
      )
      expect(FeeSchedule.resolve(both, request)).toEqual({ rate: overrideRate, source: "override" })
      const marketOnly = FeeSchedule.make([config(market, marketRate, marketRate)], [])
      expect(FeeSchedule.resolve(marketOnly, request)).toEqual({ rate: marketRate, source: "market" })
      expect(FeeSchedule.resolve(FeeSchedule.empty, request)).toEqual({ rate: 0, source: "none" })
      const overrideOnly = FeeSchedule.make([], [override(entity, market, overrideRate, overrideRate)])
      expect(FeeSchedule.resolve(overrideOnly, request)).toEqual({ rate: overrideRate, source: "override" })
    }))
  })

  it("ignores inactive rows, other entities, other markets, and an override's null side", () => {
    check(fc.property(marketArb, sideArb, rateArb, rateArb, rateArb, (market, side, a, b, c) => {
      const otherMarket: Enums.MarketType = market === "SWAP" ? "CEA_CASH" : "SWAP"
      const request = { entity_id: entity, market, side }
      const schedule = FeeSchedule.make(
        [config(market, a, a), config(market, b, b, false), config(otherMarket, c, c)],
        [
          override(entity, market, b, b, false),
          override(otherEntity, market, c, c),
          override(entity, otherMarket, c, c),
          side === "BUY" ? override(entity, market, null, c) : override(entity, market, c, null)
        ]
      )
      expect(FeeSchedule.resolve(schedule, request)).toEqual({ rate: a, source: "market" })
    }))
  })

  it("uses the side's own rate: buyer rate for BUY, seller rate for SELL", () => {
    const schedule = FeeSchedule.make([config("CEA_CASH", 2500, 1500)], [override(entity, "CEA_CASH", null, 1000)])
    const at = (side: Enums.OrderSide) => FeeSchedule.resolve(schedule, { entity_id: entity, market: "CEA_CASH", side })
    expect(at("BUY")).toEqual({ rate: 2500, source: "market" })
    expect(at("SELL")).toEqual({ rate: 1000, source: "override" })
  })

  it("applies no override to a party without an entity (market makers, sellers)", () => {
    const schedule = FeeSchedule.make([config("SWAP", 700, 700)], [override(entity, "SWAP", 0, 0)])
    expect(FeeSchedule.resolve(schedule, { entity_id: null, market: "SWAP", side: "BUY" })).toEqual({
      rate: 700,
      source: "market"
    })
  })

  it("does not depend on the order of the rows", () => {
    check(fc.property(
      fc.array(fc.tuple(marketArb, rateArb, rateArb, fc.boolean()), { maxLength: 6 }),
      fc.array(fc.tuple(fc.boolean(), marketArb, fc.option(rateArb), fc.option(rateArb), fc.boolean()), {
        maxLength: 6
      }),
      marketArb,
      sideArb,
      (configs, overrides, market, side) => {
        const configRows = configs.map(([m, b, s, active]) => config(m, b, s, active))
        const overrideRows = overrides.map(([mine, m, b, s, active]) =>
          override(mine ? entity : otherEntity, m, b, s, active)
        )
        const request = { entity_id: entity, market, side }
        const forward = FeeSchedule.resolve(FeeSchedule.make(configRows, overrideRows), request)
        const backward = FeeSchedule.resolve(
          FeeSchedule.make([...configRows].reverse(), [...overrideRows].reverse()),
          request
        )
        expect(backward).toEqual(forward)
        expect(forward.rate).toBeGreaterThanOrEqual(0)
      }
    ))
  })
})

describe("FeeSchedule fees", () => {
  it("charges a CEA_CASH fee within half a cent of quantity x price x rate, never negative", () => {
    check(fc.property(
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.integer({ min: 1, max: 100_000_000 }),
      rateArb,
      (q, p, r) => {
        const fee = FeeSchedule.cashFee(Quantity.Tonnes.make(q), Price.CashPrice.make(p), ppm(r))
        // exact fee in cents is q * p * r / 10^6; compare fee * 10^6 with the exact numerator
        const exact = BigInt(q) * BigInt(p) * BigInt(r)
        if (exact / 1_000_000n > BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(Result.isFailure(fee)).toBe(true)
          return
        }
        expect(Result.isSuccess(fee)).toBe(true)
        if (Result.isSuccess(fee)) {
          const error = BigInt(fee.success) * 1_000_000n - exact
          expect((error < 0n ? -error : error) * 2n).toBeLessThanOrEqual(1_000_000n)
          expect(fee.success).toBeGreaterThanOrEqual(0)
        }
      }
    ))
  })

  it("rounds an exact half cent up", () => {
    // 1 t at 0.50 EUR with 1 %: 0.005 EUR -> 0.01 EUR; 1 t at 0.49 EUR with 1 %: 0.0049 -> 0.00
    expect(FeeSchedule.cashFee(Quantity.Tonnes.make(1), Price.CashPrice.make(50), ppm(10_000))).toEqual(
      Result.succeed(1)
    )
    expect(FeeSchedule.cashFee(Quantity.Tonnes.make(1), Price.CashPrice.make(49), ppm(10_000))).toEqual(
      Result.succeed(0)
    )
    // 1,000 t at 12.34 EUR with 0.25 %: 12,340.00 EUR x 0.0025 = 30.85 EUR
    expect(FeeSchedule.cashFee(Quantity.Tonnes.make(1000), Price.CashPrice.make(1234), ppm(2500))).toEqual(
      Result.succeed(3085)
    )
  })

  it("charges a SWAP fee in whole CEA within half a tonne of the exact product", () => {
    check(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        rateArb,
        (q, p, r) => {
          const fee = FeeSchedule.swapFee(Quantity.Tonnes.make(q), Price.SwapPrice.make(p), ppm(r))
          expect(Result.isSuccess(fee)).toBe(true)
          if (Result.isSuccess(fee)) {
            const scale = 10_000n * 1_000_000n
            const error = BigInt(fee.success) * scale - BigInt(q) * BigInt(p) * BigInt(r)
            expect((error < 0n ? -error : error) * 2n).toBeLessThanOrEqual(scale)
            expect(fee.success).toBeGreaterThanOrEqual(0)
          }
        }
      )
    )
  })

  it("charges the fee on a notional half-up in the notional's own unit", () => {
    expect(FeeSchedule.fee(Quantity.Tonnes.make(812), ppm(2500))).toBe(2) // 2.03 CEA
    expect(FeeSchedule.fee(Quantity.Tonnes.make(200), ppm(2500))).toBe(1) // 0.5 CEA, half-up
  })
})

describe("FeeSchedule.FeeRateFromString", () => {
  const decode = Schema.decodeUnknownResult(FeeSchedule.FeeRateFromString)
  const encode = Schema.encodeSync(FeeSchedule.FeeRateFromString)

  it("reads exact decimal text into ppm and writes six decimals", () => {
    expect(decode("0.0025")).toEqual(Result.succeed(2500))
    expect(decode("0.002500")).toEqual(Result.succeed(2500))
    expect(decode("0")).toEqual(Result.succeed(0))
    expect(decode("0.1")).toEqual(Result.succeed(FeeSchedule.maxRate))
    expect(encode(ppm(2500))).toBe("0.002500")
  })

  it("refuses negative, non-numeric, over-precise and too high rates", () => {
    for (const text of ["-0.001", "abc", "0.0000001", "0.100001", "1", "1e-3", "", " 0.01"]) {
      expect(Result.isFailure(decode(text)), text).toBe(true)
    }
    expect(Result.isFailure(decode(2500)), "a number").toBe(true)
  })

  it("round-trips every rate up to the maximum", () => {
    check(fc.property(fc.integer({ min: 0, max: FeeSchedule.maxRate }), (n) => {
      expect(decode(encode(ppm(n)))).toEqual(Result.succeed(n))
    }))
  })
})

describe("FeeSchedule.checkRate", () => {
  it("accepts a rate up to the maximum and names the field of one above it", () => {
    expect(FeeSchedule.checkRate("buyer_rate", FeeSchedule.maxRate)).toEqual(Result.succeed(FeeSchedule.maxRate))
    const refused = FeeSchedule.checkRate("seller_rate", ppm(FeeSchedule.maxRate + 1))
    expect(Result.isFailure(refused)).toBe(true)
    if (Result.isFailure(refused)) {
      expect(refused.failure.issues).toEqual([
        { path: "seller_rate", message: "a fee rate must be at most 0.100000: got 0.100001" }
      ])
    }
  })
})

describe("the fees and the lock of an order", () => {
  const rates = fc.integer({ min: 0, max: FeeSchedule.maxRate }).map(ppm)

  it("charges fills on the cumulative notional: an order's fees are the fee of its whole notional", () =>
    check(
      fc.property(rates, fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 50 }), (
        rate,
        notionals
      ) => {
        let filled = 0
        let fees = 0
        for (const notional of notionals) {
          const fee = FeeSchedule.fillFee(filled, notional, rate)
          expect(fee).toBeGreaterThanOrEqual(0)
          expect(fee).toBeLessThanOrEqual(notional)
          filled += notional
          fees += fee
        }
        expect(fees).toBe(FeeSchedule.fee(filled, rate))
      })
    ))

  it("locks enough for a buy filled in any split at any prices up to its limit, in both markets", () =>
    check(
      fc.property(
        fc.constantFrom<Enums.MarketType>("CEA_CASH", "SWAP"),
        rates,
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 500 }), discount: fc.nat(5_000) }), {
          minLength: 1,
          maxLength: 20
        }),
        (market, rate, limit, fills) => {
          const quantity = fills.reduce((sum, fill) => sum + fill.quantity, 0)
          const lock = Result.getOrThrow(FeeSchedule.buyLock({ market, price: limit, quantity, budget: null, rate }))
          let notional = 0
          let fees = 0
          for (const fill of fills) {
            const price = Math.max(1, limit - fill.discount)
            const paid = Result.getOrThrow(FeeSchedule.fillNotional(market, fill.quantity, price))
            fees += FeeSchedule.fillFee(notional, paid, rate)
            notional += paid
          }
          expect(notional + fees).toBeLessThanOrEqual(lock)
        }
      )
    ))

  it("caps a budget buy's lock at its budget plus the fee on it", () => {
    const lock = FeeSchedule.buyLock({
      market: "CEA_CASH",
      price: 100_000,
      quantity: 100,
      budget: 6_000,
      rate: ppm(2_500)
    })
    expect(Result.getOrThrow(lock)).toBe(6_015)
    expect(Result.getOrThrow(FeeSchedule.fillNotional("SWAP", 3, 15_001))).toBe(5)
    expect(Result.getOrThrow(FeeSchedule.fillNotional("CEA_CASH", 3, 1_250))).toBe(3_750)
  })
})
