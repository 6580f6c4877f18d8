/**
 * The rules of one tradable instrument: which asset is bought for which, the price grid
 * (tick size and price band), the quantity grid (lot size, minimum and maximum) and how many
 * decimals a price has. An {@link OrderBook} is built for one instrument and rejects every
 * command that leaves its grid.
 *
 * All numbers are integers. A price is counted in the instrument's minor price units:
 * for `CEA_CASH` that is euro cents per tonne of CEA, for `SWAP` it is CEA per EUA scaled by
 * 10^4 (four decimals). A quantity is a whole number of tonnes. The notional of a fill,
 * price x quantity, is therefore in the same minor units: euro cents for `CEA_CASH`,
 * 10^-4 CEA for `SWAP`. Market-order budgets are expressed in those notional units.
 *
 * The price band bounds the book: price levels are array slots indexed by the tick offset
 * from `minPrice`, allocated lazily in chunks, so a wide band costs little until it is used
 * (see the package README for the memory figures).
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

/**
 * The largest number of price levels one book may have (2^24). It bounds the fixed cost of
 * a book: two bitsets of one bit per level, 2 MiB each at this limit.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLevels = 1 << 24

/**
 * The largest maximum quantity an instrument may have (2^31 - 1 tonnes): a book holds an
 * order's open quantity in 32 bits.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxOrderQuantity = 2 ** 31 - 1

const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

const fields = {
  /** The market this instrument is traded on. */
  market: Enums.MarketType,
  /** The asset bought and sold (the quantity is in tonnes of it). */
  baseAsset: Enums.AssetType,
  /** The asset the price is paid in. */
  quoteAsset: Enums.AssetType,
  /** How many decimals of the quote asset one minor price unit is (2: cents; 4: 10^-4). */
  priceDecimals: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(12)),
  /** The price grid step, in minor price units; every price is a multiple of it. */
  tickSize: PositiveInt,
  /** The quantity grid step, in tonnes; every quantity is a multiple of it. */
  lotSize: PositiveInt,
  /** The smallest quantity an order may be placed or amended with, in tonnes. */
  minQuantity: PositiveInt,
  /** The largest quantity an order may be placed or amended with, in tonnes. */
  maxQuantity: PositiveInt,
  /** The lowest admissible price, in minor price units (a multiple of the tick). */
  minPrice: PositiveInt,
  /** The highest admissible price, in minor price units (a multiple of the tick). */
  maxPrice: PositiveInt
}

/**
 * Returns why a set of instrument fields is inconsistent, or `undefined` when it is valid.
 */
const inconsistency = (i: Schema.Struct.Type<typeof fields>): string | undefined => {
  if (i.minPrice % i.tickSize !== 0 || i.maxPrice % i.tickSize !== 0) {
    return "minPrice and maxPrice must be multiples of tickSize"
  }
  if (i.minPrice > i.maxPrice) return "minPrice must not exceed maxPrice"
  if ((i.maxPrice - i.minPrice) / i.tickSize + 1 > maxLevels) {
    return `the price band must not have more than ${maxLevels} ticks`
  }
  if (i.minQuantity % i.lotSize !== 0 || i.maxQuantity % i.lotSize !== 0) {
    return "minQuantity and maxQuantity must be multiples of lotSize"
  }
  if (i.minQuantity > i.maxQuantity) return "minQuantity must not exceed maxQuantity"
  if (i.maxQuantity > maxOrderQuantity) return `maxQuantity must not exceed ${maxOrderQuantity}`
  if (i.baseAsset === i.quoteAsset) return "baseAsset and quoteAsset must differ"
  return undefined
}

/**
 * The schema of an instrument: the fields above plus their consistency (prices on the tick
 * grid, quantities on the lot grid, at most {@link maxLevels} price levels). Decoding with it
 * is the only way to obtain an {@link Instrument} value, so a book never sees an invalid one.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Instrument = Schema.Struct(fields).check(Schema.makeFilter(inconsistency)).pipe(
  Schema.brand("@niha/matching/Instrument")
)

/**
 * A validated instrument.
 *
 * @category models
 * @since 0.1.0
 */
export type Instrument = typeof Instrument.Type

/**
 * The fields of an instrument before validation.
 *
 * @category models
 * @since 0.1.0
 */
export type InstrumentFields = typeof Instrument.Encoded

/**
 * Raised when instrument fields are inconsistent.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidInstrument extends Schema.TaggedError<InvalidInstrument>()("InvalidInstrument", {
  /** What is inconsistent. */
  message: Schema.String
}) {}

const decode = Schema.decodeUnknownResult(Instrument)

/**
 * Validates instrument fields.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (input: InstrumentFields): Result.Result<Instrument, InvalidInstrument> =>
  Result.mapError(decode(input), (issue) => new InvalidInstrument({ message: issue.message }))

/**
 * The EUR cash market for Chinese allowances: base CEA, quote EUR, price in euro cents per
 * tonne (tick 1 cent), lot and minimum 1 t, at most 10,000,000 t per order, price band
 * EUR 0.01 to EUR 1,000.00 per tonne (100,000 levels).
 *
 * @category instruments
 * @since 0.1.0
 */
export const ceaCash: Instrument = Instrument.make({
  market: "CEA_CASH",
  baseAsset: "CEA",
  quoteAsset: "EUR",
  priceDecimals: 2,
  tickSize: 1,
  lotSize: 1,
  minQuantity: 1,
  maxQuantity: 10_000_000,
  minPrice: 1,
  maxPrice: 100_000
})

/**
 * The swap market: EUA bought with CEA. Base EUA, quote CEA, price in CEA per EUA with four
 * decimals (tick 0.0001 CEA = 1 unit), lot and minimum 1 t, at most 10,000,000 t per order,
 * price band 0.0001 to 100.0000 CEA per EUA (1,000,000 levels).
 *
 * @category instruments
 * @since 0.1.0
 */
export const swap: Instrument = Instrument.make({
  market: "SWAP",
  baseAsset: "EUA",
  quoteAsset: "CEA",
  priceDecimals: 4,
  tickSize: 1,
  lotSize: 1,
  minQuantity: 1,
  maxQuantity: 10_000_000,
  minPrice: 1,
  maxPrice: 1_000_000
})

/**
 * The default instrument of a market.
 *
 * @category instruments
 * @since 0.1.0
 */
export const forMarket = (market: Enums.MarketType): Instrument => market === "CEA_CASH" ? ceaCash : swap

/**
 * The number of price levels (ticks) in the instrument's band.
 *
 * @category accessors
 * @since 0.1.0
 */
export const levels = (instrument: Instrument): number =>
  (instrument.maxPrice - instrument.minPrice) / instrument.tickSize + 1
