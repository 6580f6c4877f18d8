/**
 * Euro amounts, exact, in integer cents. Balances, deposits, withdrawals, notionals and
 * fees of the CEA_CASH market are all `Cents`; the journal's signed movements are
 * `SignedCents`.
 *
 * Each type has two schemas: the branded integer (`Cents`: a safe integer, Type and Encoded
 * both `number`) for values already inside the program, and the decimal-string codec
 * (`CentsFromString`: `"1234.50"` <-> `123450`) for the wire and the database, where EUR
 * columns are `numeric(20,2)`. Decoding accepts `"1234.5"` and `"1234.500"` but rejects
 * `"1234.505"`, negatives, exponents, `NaN`, `+`, whitespace, the empty string and amounts
 * past `Number.MAX_SAFE_INTEGER` cents, each with a sentence saying why.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Decimal from "./Decimal.ts"
import type * as Errors from "./Errors.ts"
import * as decimal from "./internal/decimal.ts"

/**
 * What a signed amount of euros accepts: any safe integer of cents.
 *
 * @category specs
 * @since 0.1.0
 */
export const signedSpec: Decimal.Spec = {
  scale: 2,
  min: -Number.MAX_SAFE_INTEGER,
  max: Number.MAX_SAFE_INTEGER,
  what: "a EUR amount",
  example: "1234.50",
  unit: "cents"
}

/**
 * What an amount of euros accepts: a non-negative safe integer of cents.
 *
 * @category specs
 * @since 0.1.0
 */
export const spec: Decimal.Spec = { ...signedSpec, min: 0 }

/**
 * A signed amount of euros in cents: a movement of the journal, an adjustment.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedCents = Schema.Number.check(decimal.check(signedSpec)).pipe(Schema.brand("SignedCents"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type SignedCents = typeof SignedCents.Type

/**
 * A non-negative amount of euros in cents. Every `Cents` is also a `SignedCents`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Cents = SignedCents.check(decimal.check(spec)).pipe(Schema.brand("Cents"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type Cents = typeof Cents.Type

/**
 * A non-negative EUR amount as decimal text (`"1234.50"`) on the encoded side and `Cents`
 * on the decoded side. Encodes with exactly two decimals.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CentsFromString = decimal.text(spec).pipe(Schema.decodeTo(Cents, decimal.fromText(spec)))

/**
 * A signed EUR amount as decimal text (`"-12.00"`) on the encoded side and `SignedCents` on
 * the decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedCentsFromString = decimal.text(signedSpec).pipe(
  Schema.decodeTo(SignedCents, decimal.fromText(signedSpec))
)

// Brand casts for results already checked against the spec by `decimal.checked`.
const asCents = (value: number): Cents => value as Cents
const asSignedCents = (value: number): SignedCents => value as SignedCents

/**
 * Zero euros.
 *
 * @category constants
 * @since 0.1.0
 */
export const zero: Cents = Cents.make(0)

/**
 * `a + b`, or `OutOfRange` past `Number.MAX_SAFE_INTEGER` cents.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const add = (a: Cents, b: Cents): Result.Result<Cents, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) + BigInt(b), spec), asCents)

/**
 * `a - b`, or `OutOfRange` when the result would be negative.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const subtract = (a: Cents, b: Cents): Result.Result<Cents, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) - BigInt(b), spec), asCents)

/**
 * The sum of amounts, checked once at the end (intermediate sums are exact bigints).
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const sum = (amounts: Iterable<Cents>): Result.Result<Cents, Errors.OutOfRange> =>
  Result.map(decimal.checkedSum(amounts, spec), asCents)

/**
 * `a + b` for signed amounts, or `OutOfRange` past the safe-integer range.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const addSigned = (a: SignedCents, b: SignedCents): Result.Result<SignedCents, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) + BigInt(b), signedSpec), asSignedCents)

/**
 * The canonical decimal text of an amount: `format(123450)` is `"1234.50"`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const format = (amount: SignedCents): string => decimal.format(amount, 2)
