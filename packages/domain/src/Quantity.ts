/**
 * Allowance quantities in whole tonnes (one allowance, CEA or EUA, is one tonne of CO2e).
 * Order sizes, holdings of CEA and EUA, settlement quantities and the SWAP market's quote
 * amounts (CEA paid for EUA) are `Tonnes`; the journal's signed movements are
 * `SignedTonnes`.
 *
 * As for money, each type has a branded integer schema and a decimal-string codec
 * (`TonnesFromString`: `"100"` <-> `100`). The codec accepts `"100.00"` (Postgres prints a
 * tonne count kept in a `numeric(20,2)` column that way) but rejects `"100.5"`.
 * `TonnesFromDatabase` also accepts the `bigint` that the `@effect/sql-pg` driver returns
 * for an `int8` column.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Decimal from "./Decimal.ts"
import type * as Errors from "./Errors.ts"
import * as decimal from "./internal/decimal.ts"

/**
 * What a signed quantity accepts: any safe integer of tonnes.
 *
 * @category specs
 * @since 0.1.0
 */
export const signedSpec: Decimal.Spec = {
  scale: 0,
  min: -Number.MAX_SAFE_INTEGER,
  max: Number.MAX_SAFE_INTEGER,
  what: "a quantity of allowances",
  example: "100",
  unit: "tonnes"
}

/**
 * What a quantity accepts: a non-negative safe integer of tonnes.
 *
 * @category specs
 * @since 0.1.0
 */
export const spec: Decimal.Spec = { ...signedSpec, min: 0 }

/**
 * A signed quantity of allowances in tonnes: a movement of the journal.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedTonnes = Schema.Number.check(decimal.check(signedSpec)).pipe(Schema.brand("SignedTonnes"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type SignedTonnes = typeof SignedTonnes.Type

/**
 * A non-negative quantity of allowances in whole tonnes. Every `Tonnes` is also a
 * `SignedTonnes`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Tonnes = SignedTonnes.check(decimal.check(spec)).pipe(Schema.brand("Tonnes"))

/**
 * @category schemas
 * @since 0.1.0
 */
export type Tonnes = typeof Tonnes.Type

/**
 * A quantity as decimal text (`"100"`) on the encoded side and `Tonnes` on the decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const TonnesFromString = decimal.text(spec).pipe(Schema.decodeTo(Tonnes, decimal.fromText(spec)))

/**
 * A signed quantity as decimal text (`"-40"`) on the encoded side and `SignedTonnes` on the
 * decoded side.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedTonnesFromString = decimal.text(signedSpec).pipe(
  Schema.decodeTo(SignedTonnes, decimal.fromText(signedSpec))
)

/**
 * A quantity as the database returns it: decimal text from a `numeric` column, or a
 * `bigint` from an `int8` column (the binary `@effect/sql-pg` driver decodes `int8` to
 * `bigint`). Encodes to decimal text, which Postgres converts to the column's type. The row
 * models use it for their database variants and `TonnesFromString` for their JSON variants.
 *
 * @category schemas
 * @since 0.1.0
 */
export const TonnesFromDatabase = Schema.Union([decimal.text(spec), Schema.BigInt]).pipe(
  Schema.decodeTo(Tonnes, decimal.fromDatabase(spec))
)

/**
 * The signed counterpart of {@link TonnesFromDatabase}.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SignedTonnesFromDatabase = Schema.Union([decimal.text(signedSpec), Schema.BigInt]).pipe(
  Schema.decodeTo(SignedTonnes, decimal.fromDatabase(signedSpec))
)

// Brand casts for results already checked against the spec by `decimal.checked`.
const asTonnes = (value: number): Tonnes => value as Tonnes
const asSignedTonnes = (value: number): SignedTonnes => value as SignedTonnes

/**
 * Zero tonnes.
 *
 * @category constants
 * @since 0.1.0
 */
export const zero: Tonnes = Tonnes.make(0)

/**
 * `a + b`, or `OutOfRange` past `Number.MAX_SAFE_INTEGER` tonnes.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const add = (a: Tonnes, b: Tonnes): Result.Result<Tonnes, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) + BigInt(b), spec), asTonnes)

/**
 * `a - b`, or `OutOfRange` when the result would be negative.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const subtract = (a: Tonnes, b: Tonnes): Result.Result<Tonnes, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) - BigInt(b), spec), asTonnes)

/**
 * The sum of quantities, checked once at the end.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const sum = (quantities: Iterable<Tonnes>): Result.Result<Tonnes, Errors.OutOfRange> =>
  Result.map(decimal.checkedSum(quantities, spec), asTonnes)

/**
 * `a + b` for signed quantities, or `OutOfRange` past the safe-integer range.
 *
 * @category arithmetic
 * @since 0.1.0
 */
export const addSigned = (a: SignedTonnes, b: SignedTonnes): Result.Result<SignedTonnes, Errors.OutOfRange> =>
  Result.map(decimal.checked(BigInt(a) + BigInt(b), signedSpec), asSignedTonnes)

/**
 * The canonical decimal text of a quantity: `format(100)` is `"100"`.
 *
 * @category formatting
 * @since 0.1.0
 */
export const format = (quantity: SignedTonnes): string => decimal.format(quantity, 0)
