/**
 * The exact-decimal toolkit under every value type: named rounding modes, rounded division
 * of bigints, and the canonical text of an integer count of minor units. `Money`,
 * `Quantity`, `Price` and `Rate` are built on it; other packages use it when a rule of
 * theirs needs a rounding (an average price, a pro-rata split).
 *
 * Nothing here uses floating point: amounts are integers of minor units, products are
 * computed as bigint, and a division always says how it rounds.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as decimal from "./internal/decimal.ts"

/**
 * How a division rounds when it is not exact, named as in `java.math.RoundingMode`:
 *
 * - `HALF_UP`: to the nearest, halves away from zero (2.5 -> 3, -2.5 -> -3). The default of
 *   the platform for money (fees are half-up to the cent).
 * - `HALF_EVEN`: to the nearest, halves to the even neighbour (2.5 -> 2, 3.5 -> 4).
 * - `DOWN`: toward zero (2.9 -> 2, -2.9 -> -2).
 * - `UP`: away from zero (2.1 -> 3, -2.1 -> -3).
 * - `FLOOR`: toward negative infinity (2.9 -> 2, -2.1 -> -3).
 * - `CEILING`: toward positive infinity (2.1 -> 3, -2.9 -> -2).
 *
 * @category rounding
 * @since 0.1.0
 */
export const RoundingMode = Schema.Literals(["HALF_UP", "HALF_EVEN", "DOWN", "UP", "FLOOR", "CEILING"])

/**
 * @category rounding
 * @since 0.1.0
 */
export type RoundingMode = typeof RoundingMode.Type

/**
 * `numerator / denominator`, rounded with `mode`. Exact in bigint: no intermediate is ever
 * a float. As for any bigint division, a zero denominator is a programming error that
 * JavaScript reports with a `RangeError`; every caller in the platform divides by a positive
 * constant (a power of ten).
 *
 * @category rounding
 * @since 0.1.0
 */
export const divide = (numerator: bigint, denominator: bigint, mode: RoundingMode): bigint =>
  decimal.divide(numerator, denominator, mode)

/**
 * The canonical decimal text of an integer count of minor units at a scale: `format(123450, 2)`
 * is `"1234.50"`, `format(-5, 2)` is `"-0.05"`, `format(100, 0)` is `"100"`. This is the
 * wire format of every amount, and what Postgres prints for a `numeric` column of that
 * scale.
 *
 * @category formatting
 * @since 0.1.0
 */
export const format = (minor: number | bigint, scale: number): string => decimal.format(minor, scale)

/**
 * What a decimal value type accepts, in minor units, and how messages name it. Every value
 * type module exports its specs (`Money.spec`, `Quantity.spec`, ...), so a form or a
 * migration can read the scale and the bounds instead of repeating them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Spec {
  /** Digits after the decimal point: 2 for EUR, 0 for tonnes, 4 for swap prices, 6 for rates. */
  readonly scale: number
  /** Smallest value, in minor units. */
  readonly min: number
  /** Largest value, in minor units. */
  readonly max: number
  /** How a person calls the value ("a EUR amount"), used at the start of every message. */
  readonly what: string
  /** An example of a valid text, shown when the text is not a decimal at all. */
  readonly example: string
  /** What one minor unit is, for messages about the integer form ("cents"). */
  readonly unit: string
}
