/**
 * What an auto-trade rule quotes, as a pure function: {@link evaluate} takes a rule's terms,
 * the situation of its market and its market maker (best prices, the market reference
 * price when one is fresh, the balance it may spend, the instrument's limits) and a source
 * of random integers, and answers one order to place or the reason it places none.
 *
 * - **Price** (`price_mode`): `fixed` is the rule's price; `spread_from_best` and
 *   `random_spread` quote a spread away from the best price on the rule's side (the market
 *   reference price when that side is empty), a SELL above it and a BUY below it, the
 *   random spread drawn between `min_spread` and `max_spread`; `percentage_from_market`
 *   offsets the market reference price by `market_offset` (signed) and quotes nothing
 *   without one. A SELL rounds up to the tick, a BUY down; the price is then kept within
 *   the instrument's band and, when a reference price and a largest deviation are given,
 *   within that deviation of the reference.
 * - **Quantity** (`quantity_mode`): `fixed_quantity`; `percentage_of_balance`, the
 *   `balance_share` of what the balance can pay for (a SELL's allowances; a BUY's quote
 *   asset, fee included, through `FeeSchedule.buyLock`); `random_range`, drawn between
 *   `min_quantity` and `max_quantity`. It is then capped by what the balance can pay for
 *   and the instrument's largest order, and a quantity below the smallest order places
 *   nothing.
 *
 * {@link seeded} is the deterministic source of random integers of a seed, so a run with a
 * given seed quotes the same orders.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import type * as Enums from "./Enums.ts"
import * as FeeSchedule from "./FeeSchedule.ts"
import * as Rate from "./Rate.ts"

/**
 * The terms of a rule that decide its quote (the columns of `auto_trade_rules`, in minor
 * units: prices in the market's price units, rates in ppm, quantities in tonnes).
 *
 * @category models
 * @since 0.1.0
 */
export interface Terms {
  /** BUY or SELL. */
  readonly side: Enums.OrderSide
  /** How the rule prices. */
  readonly price_mode: Enums.AutoTradePriceMode
  /** fixed: the price. */
  readonly fixed_price: number | null
  /** spread_from_best: the spread, ppm. */
  readonly spread: number | null
  /** random_spread: the smallest spread, ppm. */
  readonly min_spread: number | null
  /** random_spread: the largest spread, ppm. */
  readonly max_spread: number | null
  /** percentage_from_market: the signed offset, ppm. */
  readonly market_offset: number | null
  /** How the rule sizes. */
  readonly quantity_mode: Enums.AutoTradeQuantityMode
  /** fixed: the quantity. */
  readonly fixed_quantity: number | null
  /** percentage_of_balance: the share, ppm. */
  readonly balance_share: number | null
  /** random_range: the smallest quantity. */
  readonly min_quantity: number | null
  /** random_range: the largest quantity. */
  readonly max_quantity: number | null
}

/**
 * An instrument's limits, in its minor units.
 *
 * @category models
 * @since 0.1.0
 */
export interface Limits {
  /** The price grid step. */
  readonly tickSize: number
  /** The lowest price. */
  readonly minPrice: number
  /** The highest price. */
  readonly maxPrice: number
  /** The smallest order, tonnes. */
  readonly minQuantity: number
  /** The largest order, tonnes. */
  readonly maxQuantity: number
}

/**
 * The market and the market maker as a rule sees them when it runs.
 *
 * @category models
 * @since 0.1.0
 */
export interface Situation {
  /** The market. */
  readonly market: Enums.MarketType
  /** The best bid, or null on an empty bid side. */
  readonly bestBid: number | null
  /** The best ask, or null on an empty ask side. */
  readonly bestAsk: number | null
  /** The market reference price in the market's price units; null when missing or stale. */
  readonly reference: number | null
  /** The largest distance from the reference price, ppm; null for none. */
  readonly maxDeviation: number | null
  /** What the market maker may spend: a SELL's base tonnes, a BUY's quote minor units. */
  readonly available: number
  /** The fee rate its orders pay, ppm. */
  readonly feeRate: number
  /** The instrument's limits. */
  readonly limits: Limits
}

/**
 * A random integer between `min` and `max`, both included.
 *
 * @category models
 * @since 0.1.0
 */
export type Draw = (min: number, max: number) => number

/**
 * The order a rule places.
 *
 * @category models
 * @since 0.1.0
 */
export interface Quote {
  /** BUY or SELL. */
  readonly side: Enums.OrderSide
  /** The limit price, in the market's price units. */
  readonly price: number
  /** Whole tonnes. */
  readonly quantity: number
}

/**
 * Why a rule places nothing this time: no price to quote from (`no_reference`), a
 * parameter of its mode missing (`missing_parameter`), a balance too small for the
 * smallest order (`no_balance`), or bounds that leave no price (`out_of_bounds`).
 *
 * @category models
 * @since 0.1.0
 */
export type Skip = "no_reference" | "missing_parameter" | "no_balance" | "out_of_bounds"

const PPM = BigInt(Rate.ONE_PPM)

/** `value x (1 + rate)` rounded up (`up`) or down. */
const scale = (value: number, rate: bigint, up: boolean): number => {
  const product = BigInt(value) * (PPM + rate)
  const quotient = product / PPM
  return Number(up && quotient * PPM < product ? quotient + 1n : quotient)
}

const priceOf = (terms: Terms, situation: Situation, draw: Draw): Result.Result<number, Skip> => {
  const selling = terms.side === "SELL"
  const sameSide = selling ? situation.bestAsk : situation.bestBid
  const spreadFrom = (spread: number | null): Result.Result<number, Skip> => {
    if (spread === null) return Result.fail("missing_parameter")
    const base = sameSide ?? situation.reference
    if (base === null) return Result.fail("no_reference")
    return Result.succeed(scale(base, selling ? BigInt(spread) : -BigInt(spread), selling))
  }
  switch (terms.price_mode) {
    case "fixed":
      return terms.fixed_price === null ? Result.fail("missing_parameter") : Result.succeed(terms.fixed_price)
    case "spread_from_best":
      return spreadFrom(terms.spread)
    case "random_spread":
      return terms.min_spread === null || terms.max_spread === null || terms.min_spread > terms.max_spread ?
        Result.fail("missing_parameter") :
        spreadFrom(draw(terms.min_spread, terms.max_spread))
    case "percentage_from_market":
      if (terms.market_offset === null) return Result.fail("missing_parameter")
      if (situation.reference === null) return Result.fail("no_reference")
      return Result.succeed(scale(situation.reference, BigInt(terms.market_offset), selling))
  }
}

/**
 * A price band, both ends included, in the market's price units.
 *
 * @category models
 * @since 0.1.0
 */
export interface Band {
  /** The lowest price. */
  readonly low: number
  /** The highest price. */
  readonly high: number
}

/**
 * The price band a quote must stay in: the instrument's, narrowed to the largest
 * deviation from the reference price when both are known; null when empty.
 *
 * @category evaluation
 * @since 0.1.0
 */
export const band = (situation: Situation): Band | null => {
  const { limits } = situation
  let low = Math.ceil(limits.minPrice / limits.tickSize) * limits.tickSize
  let high = Math.floor(limits.maxPrice / limits.tickSize) * limits.tickSize
  if (situation.reference !== null && situation.maxDeviation !== null) {
    const deviation = BigInt(situation.maxDeviation)
    low = Math.max(low, Math.ceil(scale(situation.reference, -deviation, true) / limits.tickSize) * limits.tickSize)
    high = Math.min(
      high,
      Math.floor(scale(situation.reference, deviation, false) / limits.tickSize) * limits.tickSize
    )
  }
  return low > high ? null : { low, high }
}

/**
 * The most tonnes the balance pays for at `price`: a SELL's allowances, or the largest BUY
 * whose lock (`FeeSchedule.buyLock`, fee included) fits the quote balance.
 *
 * @category evaluation
 * @since 0.1.0
 */
export const affordable = (side: Enums.OrderSide, price: number, situation: Situation): number => {
  const cap = situation.limits.maxQuantity
  if (side === "SELL") return Math.min(situation.available, cap)
  const fits = (quantity: number) =>
    Result.match(
      FeeSchedule.buyLock({
        market: situation.market,
        price,
        quantity,
        budget: null,
        rate: Rate.Ppm.make(situation.feeRate)
      }),
      { onFailure: () => false, onSuccess: (lock) => lock <= situation.available }
    )
  let low = 0
  let high = cap
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (fits(middle)) low = middle
    else high = middle - 1
  }
  return low
}

const quantityOf = (terms: Terms, most: number, draw: Draw): Result.Result<number, Skip> => {
  switch (terms.quantity_mode) {
    case "fixed":
      return terms.fixed_quantity === null ? Result.fail("missing_parameter") : Result.succeed(terms.fixed_quantity)
    case "percentage_of_balance":
      return terms.balance_share === null ?
        Result.fail("missing_parameter") :
        Result.succeed(Number(BigInt(most) * BigInt(terms.balance_share) / PPM))
    case "random_range":
      return terms.min_quantity === null || terms.max_quantity === null || terms.min_quantity > terms.max_quantity ?
        Result.fail("missing_parameter") :
        Result.succeed(draw(terms.min_quantity, terms.max_quantity))
  }
}

/**
 * The order a rule places now, or why it places none.
 *
 * @category evaluation
 * @since 0.1.0
 */
export const evaluate = (terms: Terms, situation: Situation, draw: Draw): Result.Result<Quote, Skip> =>
  Result.gen(function*() {
    const raw = yield* priceOf(terms, situation, draw)
    const bounds = band(situation)
    if (bounds === null) return yield* Result.fail<Skip>("out_of_bounds")
    const tick = situation.limits.tickSize
    const onGrid = terms.side === "SELL" ? Math.ceil(raw / tick) * tick : Math.floor(raw / tick) * tick
    const price = Math.min(bounds.high, Math.max(bounds.low, onGrid))
    const most = affordable(terms.side, price, situation)
    const wanted = yield* quantityOf(terms, most, draw)
    const quantity = Math.min(wanted, most, situation.limits.maxQuantity)
    if (quantity < situation.limits.minQuantity) return yield* Result.fail<Skip>("no_balance")
    return { side: terms.side, price, quantity }
  })

/**
 * The deterministic random integers of a seed (mulberry32): the same seed draws the same
 * sequence, so an auto-trade run with a given seed quotes the same orders.
 *
 * @category random
 * @since 0.1.0
 */
export const seeded = (seed: number): Draw => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (min, max) => min + Math.floor(next() * (max - min + 1))
}
