/**
 * Prices, exact, per market. A CEA_CASH price is EUR per tonne of CEA, kept in integer
 * cents per tonne (`"12.34"` is `1234`, column `numeric(20,2)`). A SWAP price is CEA per
 * EUA, kept at four decimals (`"8.1234"` is `81234`, column `numeric(20,4)`). A
 * `QuotePrice` is an observed market price per tonne in some currency at four decimals
 * (price history, scraped quotes).
 *
 * The notional of a fill (quantity x price) is computed here, in bigint, in the market's
 * quote asset: euros for CEA_CASH, CEA tonnes for SWAP.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Decimal from "./Decimal.ts"
import type * as Errors from "./Errors.ts"
import * as decimal from "./internal/decimal.ts"
import * as Money from "./Money.ts"
import * as Quantity from "./Quantity.ts"

/**
 * What a CEA_CASH price accepts: a positive number of cents per tonne.
 *
 * @category specs
 * @since 0.1.0
 */
export const cashSpec: Decimal.Spec = {
  scale: 2,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  what: "a CEA_CASH price (EUR per tonne)",
  example: "12.34",
  unit: "cents per tonne"
}

/**
 * What a SWAP price accepts: a positive number of ten-thousandths of a CEA per EUA.
 *
 * @category specs
 * @since 0.1.0
 */
export const swapSpec: Decimal.Spec = {
  scale: 4,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  what: "a SWAP price (CEA per EUA)",
  example: "8.1234",
  unit: "ten-thousandths of a CEA per EUA"
}

/**
 * What a quoted price accepts: a positive number of ten-thousandths of a currency unit per
 * tonne.
 *
 * @category specs
 * @since 0.1.0
 */
export const quoteSpec: Decimal.Spec = {
  scale: 4,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  what: "a price per tonne",
  example: "72.3500",
  unit: "ten-thousandths of the currency per tonne"
}

/**
 * The scale of a SWAP price: 10^4.
 *
 * @category constants
 * @since 0.1.0
 */
export const SWAP_PRICE_SCALE = 10_000

/**
 * A CEA_CASH price in EUR cents per tonne.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CashPrice = Schema.Number.check(decimal.check(cashSpec)).pipe(Schema.brand("CashPrice"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type CashPrice = typeof CashPrice.Type

/**
 * A CEA_CASH price as decimal text (`"12.34"`) on the encoded side and `CashPrice` on the
 * decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CashPriceFromString = decimal.text(cashSpec).pipe(Schema.decodeTo(CashPrice, decimal.fromText(cashSpec)))

/**
 * A SWAP price in ten-thousandths of a CEA per EUA.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SwapPrice = Schema.Number.check(decimal.check(swapSpec)).pipe(Schema.brand("SwapPrice"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type SwapPrice = typeof SwapPrice.Type

/**
 * A SWAP price as decimal text (`"8.1234"`) on the encoded side and `SwapPrice` on the
 * decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SwapPriceFromString = decimal.text(swapSpec).pipe(Schema.decodeTo(SwapPrice, decimal.fromText(swapSpec)))

/**
 * An observed price per tonne in ten-thousandths of its currency (the currency is a column
 * beside it).
 *
 * @category schemas
 * @since 0.1.0
 */
export const QuotePrice = Schema.Number.check(decimal.check(quoteSpec)).pipe(Schema.brand("QuotePrice"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type QuotePrice = typeof QuotePrice.Type

/**
 * An observed price as decimal text (`"72.35"`) on the encoded side and `QuotePrice` on the
 * decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const QuotePriceFromString = decimal.text(quoteSpec).pipe(
  Schema.decodeTo(QuotePrice, decimal.fromText(quoteSpec))
)

/**
 * The EUR notional of a CEA_CASH fill, `quantity x price`, exact (no rounding is needed: tonnes
 * times cents per tonne is cents). `OutOfRange` if it passes `Number.MAX_SAFE_INTEGER` cents.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const cashNotional = (
  quantity: Quantity.Tonnes,
  price: CashPrice
): Result.Result<Money.Cents, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(quantity) * BigInt(price), Money.spec), (value) => value as Money.Cents)

/**
 * The CEA notional of a SWAP fill, `quantity (EUA) x price (CEA per EUA)`, in whole CEA
 * tonnes rounded with `rounding` (the exact product has up to four decimals).
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const swapNotional = (
  quantity: Quantity.Tonnes,
  price: SwapPrice,
  rounding: Decimal.RoundingMode
): Result.Result<Quantity.Tonnes, Errors.OutOfRange> =>
  Result.map(
    decimal.checked(
      decimal.divide(BigInt(quantity) * BigInt(price), BigInt(SWAP_PRICE_SCALE), rounding),
      Quantity.spec
    ),
    (value) => value as Quantity.Tonnes
  )

/**
 * The canonical text of a CEA_CASH price: `formatCash(1234)` is `"12.34"`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatCash = (price: CashPrice): string => decimal.format(price, 2)

/**
 * The canonical text of a SWAP price: `formatSwap(81234)` is `"8.1234"`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const formatSwap = (price: SwapPrice): string => decimal.format(price, 4)
