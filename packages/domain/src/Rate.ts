/**
 * Exact rates: fee rates and percentages in integer parts per million (`"0.0025"`, a fee of
 * 0.25 %, is `2500`), and exchange rates between currencies at six decimals. The database
 * keeps rates in `numeric(12,6)` columns, which Postgres prints as `"0.002500"`.
 *
 * A `Ppm` lies between 0 and 1 (0 and 1,000,000 ppm): applying it to an amount can never
 * give more than the amount, so {@link apply} needs no range check.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Decimal from "./Decimal.ts"
import * as decimal from "./internal/decimal.ts"

/**
 * One, in parts per million.
 *
 * @category constants
 * @since 0.1.0
 */
export const ONE_PPM = 1_000_000

/**
 * What a signed rate accepts: -1 to 1 at six decimals (percentages that move a price down
 * as well as up).
 *
 * @category specs
 * @since 0.1.0
 */
export const signedSpec: Decimal.Spec = {
  scale: 6,
  min: -ONE_PPM,
  max: ONE_PPM,
  what: "a rate",
  example: "0.0025",
  unit: "parts per million"
}

/**
 * What a rate accepts: 0 to 1 at six decimals.
 *
 * @category specs
 * @since 0.1.0
 */
export const spec: Decimal.Spec = { ...signedSpec, min: 0 }

/**
 * What an exchange rate accepts: a positive number at six decimals (units of the quote
 * currency per unit of the base currency, times 10^6).
 *
 * @category specs
 * @since 0.1.0
 */
export const exchangeRateSpec: Decimal.Spec = {
  scale: 6,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  what: "an exchange rate",
  example: "7.812345",
  unit: "millionths"
}

/**
 * A signed rate between -1 and 1 in parts per million.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedPpm = Schema.Number.check(decimal.check(signedSpec)).pipe(Schema.brand("SignedPpm"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type SignedPpm = typeof SignedPpm.Type

/**
 * A rate between 0 and 1 in parts per million (a fee rate, a share of a balance). Every
 * `Ppm` is also a `SignedPpm`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Ppm = SignedPpm.check(decimal.check(spec)).pipe(Schema.brand("Ppm"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type Ppm = typeof Ppm.Type

/**
 * A rate as decimal text (`"0.0025"`, `"0.002500"`) on the encoded side and `Ppm` on the
 * decoded side. Encodes with six decimals.
 *
 * @category schemas
 * @since 0.1.0
 */
export const PpmFromString = decimal.text(spec).pipe(Schema.decodeTo(Ppm, decimal.fromText(spec)))

/**
 * A signed rate as decimal text (`"-0.02"`) on the encoded side and `SignedPpm` on the
 * decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedPpmFromString = decimal.text(signedSpec).pipe(
  Schema.decodeTo(SignedPpm, decimal.fromText(signedSpec))
)

/**
 * An exchange rate in millionths (`"7.812345"` is `7812345`).
 *
 * @category schemas
 * @since 0.1.0
 */
export const ExchangeRate = Schema.Number.check(decimal.check(exchangeRateSpec)).pipe(Schema.brand("ExchangeRate"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type ExchangeRate = typeof ExchangeRate.Type

/**
 * An exchange rate as decimal text on the encoded side and `ExchangeRate` on the decoded
 * side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const ExchangeRateFromString = decimal.text(exchangeRateSpec).pipe(
  Schema.decodeTo(ExchangeRate, decimal.fromText(exchangeRateSpec))
)

/**
 * A zero rate.
 *
 * @category constants
 * @since 0.1.0
 */
export const zero: Ppm = Ppm.make(0)

/**
 * `amount x rate`, rounded with `rounding`, in the amount's own unit and brand. Exact (the
 * product is a bigint), and always within range: `|amount x rate| <= |amount|` because a
 * `Ppm` is at most 1.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const apply = <A extends number>(amount: A, rate: Ppm, rounding: Decimal.RoundingMode): A =>
  Number(decimal.divide(BigInt(amount) * BigInt(rate), BigInt(ONE_PPM), rounding)) as A

/**
 * The canonical decimal text of a rate, with six decimals: `format(2500)` is `"0.002500"`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const format = (rate: SignedPpm): string => decimal.format(rate, 6)
