import { assert, describe, it } from "@effect/vitest"
import { AutoTrade, FeeSchedule, Rate } from "@niha/domain"
import * as Result from "effect/Result"
import * as fc from "fast-check"
import { check } from "./support/property.ts"

const limits: AutoTrade.Limits = {
  tickSize: 1,
  minPrice: 1,
  maxPrice: 100_000,
  minQuantity: 1,
  maxQuantity: 10_000_000
}

const terms = (extra: Partial<AutoTrade.Terms>): AutoTrade.Terms => ({
  side: "SELL",
  price_mode: "fixed",
  fixed_price: 1_200,
  spread: null,
  min_spread: null,
  max_spread: null,
  market_offset: null,
  quantity_mode: "fixed",
  fixed_quantity: 10,
  balance_share: null,
  min_quantity: null,
  max_quantity: null,
  ...extra
})

const situation = (extra: Partial<AutoTrade.Situation>): AutoTrade.Situation => ({
  market: "CEA_CASH",
  bestBid: null,
  bestAsk: null,
  reference: null,
  maxDeviation: null,
  available: 1_000,
  feeRate: 0,
  limits,
  ...extra
})

const never: AutoTrade.Draw = () => {
  throw new Error("no draw expected")
}

const priceArb = fc.integer({ min: 1, max: 100_000 })
const ppmArb = fc.integer({ min: 0, max: 1_000_000 })
const termsArb: fc.Arbitrary<AutoTrade.Terms> = fc.record({
  side: fc.constantFrom("BUY" as const, "SELL" as const),
  price_mode: fc.constantFrom(
    "fixed" as const,
    "spread_from_best" as const,
    "percentage_from_market" as const,
    "random_spread" as const
  ),
  fixed_price: fc.option(priceArb),
  spread: fc.option(ppmArb),
  min_spread: fc.option(fc.integer({ min: 0, max: 500_000 })),
  max_spread: fc.option(fc.integer({ min: 500_000, max: 1_000_000 })),
  market_offset: fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 })),
  quantity_mode: fc.constantFrom("fixed" as const, "percentage_of_balance" as const, "random_range" as const),
  fixed_quantity: fc.option(fc.integer({ min: 0, max: 20_000_000 })),
  balance_share: fc.option(ppmArb),
  min_quantity: fc.option(fc.integer({ min: 0, max: 1_000 })),
  max_quantity: fc.option(fc.integer({ min: 1_000, max: 20_000_000 }))
})
const situationArb: fc.Arbitrary<AutoTrade.Situation> = fc.record({
  market: fc.constantFrom("CEA_CASH" as const, "SWAP" as const),
  bestBid: fc.option(priceArb),
  bestAsk: fc.option(priceArb),
  reference: fc.option(priceArb),
  maxDeviation: fc.option(ppmArb),
  available: fc.integer({ min: 0, max: 1_000_000_000 }),
  feeRate: fc.integer({ min: 0, max: FeeSchedule.maxRate }),
  limits: fc.constant(limits)
})

describe("AutoTrade.evaluate", () => {
  it("quotes a price within the band and a quantity within the bounds and the balance", () => {
    check(fc.property(termsArb, situationArb, fc.integer(), (rule, market, seed) => {
      const result = AutoTrade.evaluate(rule, market, AutoTrade.seeded(seed))
      if (Result.isFailure(result)) return
      const quote = result.success
      const band = AutoTrade.band(market)
      assert.isNotNull(band)
      assert.isAtLeast(quote.price, band?.low ?? Number.NaN)
      assert.isAtMost(quote.price, band?.high ?? Number.NaN)
      assert.isAtLeast(quote.quantity, limits.minQuantity)
      assert.isAtMost(quote.quantity, limits.maxQuantity)
      assert.strictEqual(quote.side, rule.side)
      if (rule.quantity_mode === "fixed") assert.isAtMost(quote.quantity, rule.fixed_quantity ?? Number.NaN)
      if (rule.quantity_mode === "random_range") {
        assert.isAtMost(quote.quantity, rule.max_quantity ?? Number.NaN)
      }
      if (quote.side === "SELL") assert.isAtMost(quote.quantity, market.available)
      else {
        const lock = FeeSchedule.buyLock({
          market: market.market,
          price: quote.price,
          quantity: quote.quantity,
          budget: null,
          rate: Rate.Ppm.make(market.feeRate)
        })
        assert.isTrue(Result.isSuccess(lock) && lock.success <= market.available)
      }
    }))
  })

  it("draws a random_range quantity between its bounds when the balance allows", () => {
    check(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer(), (
      min,
      extra,
      seed
    ) => {
      const result = AutoTrade.evaluate(
        terms({ quantity_mode: "random_range", fixed_quantity: null, min_quantity: min, max_quantity: min + extra }),
        situation({ available: 10_000 }),
        AutoTrade.seeded(seed)
      )
      assert.isTrue(Result.isSuccess(result))
      if (Result.isSuccess(result)) {
        assert.isAtLeast(result.success.quantity, min)
        assert.isAtMost(result.success.quantity, min + extra)
      }
    }))
  })

  it("the same seed draws the same sequence", () => {
    check(fc.property(fc.integer(), (seed) => {
      const a = AutoTrade.seeded(seed)
      const b = AutoTrade.seeded(seed)
      const first = Array.from({ length: 20 }, () => a(0, 1_000_000))
      assert.deepStrictEqual(first, Array.from({ length: 20 }, () => b(0, 1_000_000)))
      for (const value of first) assert.isTrue(value >= 0 && value <= 1_000_000 && Number.isInteger(value))
    }))
  })

  it("prices each mode", () => {
    // fixed
    assert.deepStrictEqual(
      AutoTrade.evaluate(terms({}), situation({}), never),
      Result.succeed({
        side: "SELL",
        price: 1_200,
        quantity: 10
      })
    )
    // spread_from_best: 1 % above the best ask, rounded up; a BUY 1 % below the best bid, rounded down
    const spread = terms({ price_mode: "spread_from_best", fixed_price: null, spread: 10_000 })
    assert.strictEqual(
      Result.getOrThrow(AutoTrade.evaluate(spread, situation({ bestAsk: 1_205, bestBid: 1_100 }), never)).price,
      1_218
    )
    assert.strictEqual(
      Result.getOrThrow(
        AutoTrade.evaluate({ ...spread, side: "BUY" }, situation({ bestBid: 1_105, available: 1_000_000 }), never)
      ).price,
      1_093
    )
    // an empty side quotes from the reference price, and nothing without one
    assert.strictEqual(
      Result.getOrThrow(AutoTrade.evaluate(spread, situation({ reference: 1_000 }), never)).price,
      1_010
    )
    assert.deepStrictEqual(AutoTrade.evaluate(spread, situation({}), never), Result.fail("no_reference"))
    // percentage_from_market: the offset from the reference, none without it
    const market = terms({ price_mode: "percentage_from_market", fixed_price: null, market_offset: -20_000 })
    assert.strictEqual(
      Result.getOrThrow(AutoTrade.evaluate(market, situation({ reference: 1_000, bestAsk: 5_000 }), never)).price,
      980
    )
    assert.deepStrictEqual(
      AutoTrade.evaluate(market, situation({ bestAsk: 1_000 }), never),
      Result.fail("no_reference")
    )
    // random_spread: drawn between its bounds
    const random = terms({ price_mode: "random_spread", fixed_price: null, min_spread: 10_000, max_spread: 30_000 })
    assert.strictEqual(
      Result.getOrThrow(AutoTrade.evaluate(random, situation({ bestAsk: 1_000 }), (min, max) => {
        assert.deepStrictEqual([min, max], [10_000, 30_000])
        return 20_000
      })).price,
      1_020
    )
    // a deviation bound clamps the price
    assert.strictEqual(
      Result.getOrThrow(
        AutoTrade.evaluate(terms({ fixed_price: 2_000 }), situation({ reference: 1_000, maxDeviation: 50_000 }), never)
      ).price,
      1_050
    )
    // a missing parameter quotes nothing
    assert.deepStrictEqual(
      AutoTrade.evaluate(terms({ fixed_price: null }), situation({}), never),
      Result.fail("missing_parameter")
    )
  })

  it("sizes each mode within the balance", () => {
    // percentage_of_balance: a quarter of 1000 allowances
    const share = terms({ quantity_mode: "percentage_of_balance", fixed_quantity: null, balance_share: 250_000 })
    assert.strictEqual(Result.getOrThrow(AutoTrade.evaluate(share, situation({}), never)).quantity, 250)
    // a BUY's share of what 1210.00 EUR pays at 12.00 with a 0.5 % fee: 100 tonnes, a quarter is 25
    assert.strictEqual(
      Result.getOrThrow(
        AutoTrade.evaluate({ ...share, side: "BUY" }, situation({ available: 121_000, feeRate: 5_000 }), never)
      )
        .quantity,
      25
    )
    // a fixed quantity is capped by the balance; nothing when it cannot pay for one tonne
    assert.strictEqual(
      Result.getOrThrow(AutoTrade.evaluate(terms({ fixed_quantity: 5_000 }), situation({}), never)).quantity,
      1_000
    )
    assert.deepStrictEqual(
      AutoTrade.evaluate(terms({}), situation({ available: 0 }), never),
      Result.fail("no_balance")
    )
  })
})
