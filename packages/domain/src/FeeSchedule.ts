/**
 * Trading fees: which rate applies to a side of a trade, and the fee it gives. One pure
 * function set, used by matching, the server and the SDK examples alike.
 *
 * Resolution: an entity's active override for the market and side, else the market's
 * active fee config, else zero. An override may replace only one of the two rates (the
 * other is null) and then the market's rate still applies to the other side.
 *
 * The fee is `notional x rate`, rounded half-up to the quote asset's unit (the cent in
 * CEA_CASH, whole CEA tonnes in SWAP), computed from the exact product `quantity x price x
 * rate` in bigint, so it is within half a unit of the exact value and never negative.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Decimal from "./Decimal.ts"
import type * as Enums from "./Enums.ts"
import * as Errors from "./Errors.ts"
import type * as Ids from "./Ids.ts"
import * as decimal from "./internal/decimal.ts"
import * as Money from "./Money.ts"
import * as Price from "./Price.ts"
import * as Quantity from "./Quantity.ts"
import * as Rate from "./Rate.ts"

/**
 * What resolution reads of a `trading_fee_configs` row (a `Funds.TradingFeeConfig` is one).
 *
 * @category models
 * @since 0.1.0
 */
export interface MarketRates {
  /** The market configured. */
  readonly market: Enums.MarketType
  /** Rate charged to buyers. */
  readonly buyer_rate: Rate.Ppm
  /** Rate charged to sellers. */
  readonly seller_rate: Rate.Ppm
  /** Whether the config is in force. */
  readonly is_active: boolean
}

/**
 * What resolution reads of an `entity_fee_overrides` row (a `Funds.EntityFeeOverride` is
 * one). A null rate does not override that side.
 *
 * @category models
 * @since 0.1.0
 */
export interface EntityRates {
  /** The entity the override applies to. */
  readonly entity_id: Ids.EntityId
  /** The market it applies in. */
  readonly market: Enums.MarketType
  /** The entity's rate as a buyer; null keeps the market's. */
  readonly buyer_rate: Rate.Ppm | null
  /** The entity's rate as a seller; null keeps the market's. */
  readonly seller_rate: Rate.Ppm | null
  /** Whether the override is in force. */
  readonly is_active: boolean
}

/**
 * The market configs and entity overrides in force.
 *
 * @category models
 * @since 0.1.0
 */
export interface FeeSchedule {
  /** The market fee configs. */
  readonly configs: ReadonlyArray<MarketRates>
  /** The entity overrides. */
  readonly overrides: ReadonlyArray<EntityRates>
}

/**
 * Where a resolved rate came from.
 *
 * @category models
 * @since 0.1.0
 */
export const RateSource = Schema.Literals(["override", "market", "none"])

/**
 * @category models
 * @since 0.1.0
 */
export type RateSource = typeof RateSource.Type

/**
 * A resolved rate and where it came from.
 *
 * @category models
 * @since 0.1.0
 */
export interface ResolvedRate {
  /** The rate that applies. */
  readonly rate: Rate.Ppm
  /** Where it came from. */
  readonly source: RateSource
}

/**
 * The highest fee rate an admin may set: 10 % (100,000 ppm). The columns take up to 1, but a
 * rate above this is almost surely a slip (a percentage typed as a fraction), and a buy
 * locks its fee at the rate up front.
 *
 * @category validation
 * @since 0.1.0
 */
export const maxRate: Rate.Ppm = Rate.Ppm.make(100_000)

const rateSpec: Decimal.Spec = { ...Rate.spec, max: maxRate, what: "a fee rate" }

/**
 * A fee rate in parts per million: 0 to {@link maxRate}.
 *
 * @category validation
 * @since 0.1.0
 */
export const FeeRate = Rate.Ppm.check(decimal.check(rateSpec))

/**
 * A fee rate as exact decimal text (`"0.0025"` is 0.25 %, at most six decimals, 0 to
 * `"0.1"`) on the encoded side and a `Rate.Ppm` on the decoded side; encodes with six
 * decimals (`"0.002500"`).
 *
 * @category validation
 * @since 0.1.0
 */
export const FeeRateFromString = decimal.text(rateSpec).pipe(Schema.decodeTo(FeeRate, decimal.fromText(rateSpec)))

/**
 * Checks a fee rate an admin sets against {@link maxRate}; `field` names it in the error.
 *
 * @category validation
 * @since 0.1.0
 */
export const checkRate = (field: string, rate: Rate.Ppm): Result.Result<Rate.Ppm, Errors.ValidationFailed> =>
  rate <= maxRate ?
    Result.succeed(rate) :
    Result.fail(
      new Errors.ValidationFailed({
        issues: [{
          path: field,
          message: `a fee rate must be at most ${Rate.format(maxRate)}: got ${Rate.format(rate)}`
        }]
      })
    )

/**
 * A schedule from the rows in force.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (configs: Iterable<MarketRates>, overrides: Iterable<EntityRates>): FeeSchedule => ({
  configs: [...configs],
  overrides: [...overrides]
})

/**
 * A schedule without any fee.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty: FeeSchedule = { configs: [], overrides: [] }

const sideRate = (
  rates: { readonly buyer_rate: Rate.Ppm | null; readonly seller_rate: Rate.Ppm | null },
  side: Enums.OrderSide
) => side === "BUY" ? rates.buyer_rate : rates.seller_rate

// The database keeps one active row per key; should several be given, the lowest rate
// applies, so the answer never depends on row order and never overcharges.
const lowest = (rates: ReadonlyArray<Rate.Ppm>): Rate.Ppm | undefined =>
  rates.length === 0 ? undefined : rates.reduce((a, b) => (b < a ? b : a))

/**
 * The rate for one side of a trade: the entity's active override for the market and side,
 * else the market's active config, else zero. `entity_id` is null for a party with no
 * entity (a market maker, a seller), which no override applies to.
 *
 * @category resolution
 * @since 0.1.0
 */
export const resolve = (
  schedule: FeeSchedule,
  request: {
    readonly entity_id: Ids.EntityId | null
    readonly market: Enums.MarketType
    readonly side: Enums.OrderSide
  }
): ResolvedRate => {
  const overridden = lowest(
    schedule.overrides.flatMap((row) => {
      if (!row.is_active || row.market !== request.market || row.entity_id !== request.entity_id) return []
      const rate = sideRate(row, request.side)
      return rate === null ? [] : [rate]
    })
  )
  if (overridden !== undefined) return { rate: overridden, source: "override" }
  const configured = lowest(
    schedule.configs.flatMap((row) =>
      row.is_active && row.market === request.market ? [sideRate(row, request.side) ?? Rate.zero] : []
    )
  )
  if (configured !== undefined) return { rate: configured, source: "market" }
  return { rate: Rate.zero, source: "none" }
}

/**
 * The fee on a notional already in the quote asset's unit: `notional x rate`, half-up.
 *
 * @category fees
 * @since 0.1.0
 */
export const fee = <A extends number>(notional: A, rate: Rate.Ppm): A => Rate.apply(notional, rate, "HALF_UP")

/**
 * The EUR fee of a CEA_CASH fill: `quantity x price x rate`, half-up to the cent.
 *
 * @category fees
 * @since 0.1.0
 */
export const cashFee = (
  quantity: Quantity.Tonnes,
  price: Price.CashPrice,
  rate: Rate.Ppm
): Result.Result<Money.Cents, Errors.OutOfRange> =>
  Result.map(
    decimal.checked(
      decimal.divide(BigInt(quantity) * BigInt(price) * BigInt(rate), BigInt(Rate.ONE_PPM), "HALF_UP"),
      Money.spec
    ),
    (value) => value as Money.Cents
  )

/**
 * The CEA fee of a SWAP fill: `quantity (EUA) x price (CEA per EUA) x rate`, half-up to the
 * whole CEA tonne, from the exact product (not from a rounded notional).
 *
 * @category fees
 * @since 0.1.0
 */
export const swapFee = (
  quantity: Quantity.Tonnes,
  price: Price.SwapPrice,
  rate: Rate.Ppm
): Result.Result<Quantity.Tonnes, Errors.OutOfRange> =>
  Result.map(
    decimal.checked(
      decimal.divide(
        BigInt(quantity) * BigInt(price) * BigInt(rate),
        BigInt(Price.SWAP_PRICE_SCALE) * BigInt(Rate.ONE_PPM),
        "HALF_UP"
      ),
      Quantity.spec
    ),
    (value) => value as Quantity.Tonnes
  )

// ---------------------------------------------------------------------------------------------
// The fees and the lock of an order
// ---------------------------------------------------------------------------------------------

/**
 * The fee of one fill of an order, charged on the order's *cumulative* notional:
 * `fee(before + notional) - fee(before)`, in the quote asset's unit. However an order is
 * split into fills, its fees add up to exactly the fee of its whole notional, so rounding
 * each fill never charges more than the order's lock allowed for.
 *
 * @category orders
 * @since 0.1.0
 */
export const fillFee = (filledNotional: number, notional: number, rate: Rate.Ppm): number =>
  fee(filledNotional + notional, rate) - fee(filledNotional, rate)

/**
 * The quote notional of one fill in a market's units: exact in CEA_CASH (tonnes times cents
 * per tonne are cents), half-up to the whole CEA tonne in SWAP.
 *
 * @category orders
 * @since 0.1.0
 */
export const fillNotional = (
  market: Enums.MarketType,
  quantity: number,
  price: number
): Result.Result<number, Errors.OutOfRange> =>
  market === "CEA_CASH" ?
    Price.cashNotional(Quantity.Tonnes.make(quantity), Price.CashPrice.make(price)) :
    Price.swapNotional(Quantity.Tonnes.make(quantity), Price.SwapPrice.make(price), "HALF_UP")

/**
 * What a BUY locks in the quote asset's unit when it is placed: the most its fills can cost
 * in notional, capped by its budget when it has one, plus the fee on that at its rate. The
 * notional bound is `price x quantity` at its limit (or protection) price, plus in SWAP half a
 * tonne per tonne, because each fill's CEA notional rounds half-up on its own and a fill is
 * at least one tonne.
 *
 * @category orders
 * @since 0.1.0
 */
export const buyLock = (options: {
  /** The market. */
  readonly market: Enums.MarketType
  /** The worst price the order may trade at, in the market's price units. */
  readonly price: number
  /** Its quantity, whole tonnes. */
  readonly quantity: number
  /** A MARKET buy's most to spend on notional, or null. */
  readonly budget: number | null
  /** Its fee rate. */
  readonly rate: Rate.Ppm
}): Result.Result<number, Errors.OutOfRange> => {
  const exact = BigInt(options.price) * BigInt(options.quantity)
  const scale = BigInt(Price.SWAP_PRICE_SCALE)
  const bound = options.market === "CEA_CASH" ? exact : (exact + BigInt(options.quantity) * (scale / 2n)) / scale
  const notional = options.budget === null || BigInt(options.budget) > bound ? bound : BigInt(options.budget)
  return Result.flatMap(
    decimal.checked(notional, Money.spec),
    (checked) => decimal.checked(BigInt(checked) + BigInt(fee(checked, options.rate)), Money.spec)
  )
}
