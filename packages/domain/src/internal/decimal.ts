/**
 * Exact fixed-scale decimals: parsing decimal text into an integer count of minor units,
 * formatting it back, and dividing bigints with a named rounding. Every value type of the
 * package (EUR, tonnes, prices, rates) is built from these few functions.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import type { Spec } from "../Decimal.ts"
import * as Errors from "../Errors.ts"

export type { Spec }

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

/** Formats an integer count of minor units with exactly `scale` decimals ("1234.50"). */
export const format = (minor: number | bigint, scale: number): string => {
  const big = typeof minor === "bigint" ? minor : BigInt(minor)
  const negative = big < 0n
  const digits = (negative ? -big : big).toString()
  if (scale === 0) return negative ? `-${digits}` : digits
  const padded = digits.padStart(scale + 1, "0")
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`
  return negative ? `-${text}` : text
}

const quote = (text: string): string => JSON.stringify(text)

/**
 * Parses decimal text into minor units, or explains in one sentence why it cannot. Digits
 * past the scale are accepted only when they are all zeros, because Postgres prints a
 * `numeric(20,4)` column as "8.1000" and a `numeric(20,2)` tonne count as "100.00".
 */
export const parseBig = (text: string, spec: Spec): Result.Result<bigint, string> => {
  const got = `got ${quote(text)}`
  if (text.length === 0) {
    return Result.fail(`${spec.what} must not be empty (expected a decimal such as ${quote(spec.example)})`)
  }
  if (/\s/.test(text)) return Result.fail(`${spec.what} must not contain spaces: ${got}`)
  if (text.startsWith("+")) return Result.fail(`${spec.what} must not start with "+": ${got}`)
  if (/^-?(nan|infinity|inf)$/i.test(text)) return Result.fail(`${spec.what} must be a finite number: ${got}`)
  if (/^-?[\d.]+[eE][+-]?\d+$/.test(text)) {
    return Result.fail(`${spec.what} must be written without exponent notation: ${got}`)
  }
  const match = DECIMAL.exec(text)
  if (match === null) {
    return Result.fail(`${spec.what} must be a decimal such as ${quote(spec.example)}: ${got}`)
  }
  const [, sign = "", whole = "", fraction = ""] = match
  const negative = sign === "-"
  if (negative && spec.min >= 0 && /[1-9]/.test(whole + fraction)) {
    return Result.fail(`${spec.what} must not be negative: ${got}`)
  }
  const kept = fraction.slice(0, spec.scale)
  if (/[1-9]/.test(fraction.slice(spec.scale))) {
    return Result.fail(
      spec.scale === 0
        ? `${spec.what} must be a whole number: ${got}`
        : `${spec.what} has at most ${spec.scale} decimal places: ${got}`
    )
  }
  const magnitude = BigInt(whole + kept.padEnd(spec.scale, "0"))
  return Result.succeed(negative ? -magnitude : magnitude)
}

/** Checks that an exact integer lies within a spec's bounds. */
export const inRange = (value: bigint, spec: Spec): Result.Result<number, string> => {
  if (value > BigInt(spec.max)) {
    return Result.fail(`${spec.what} must be at most ${format(spec.max, spec.scale)}: got ${format(value, spec.scale)}`)
  }
  if (value < BigInt(spec.min)) {
    return Result.fail(
      `${spec.what} must be at least ${format(spec.min, spec.scale)}: got ${format(value, spec.scale)}`
    )
  }
  return Result.succeed(Number(value))
}

/** Parses decimal text into minor units within the spec's bounds. */
export const parse = (text: string, spec: Spec): Result.Result<number, string> =>
  Result.flatMap(parseBig(text, spec), (value) => inRange(value, spec))

/** The filter every branded integer of a spec carries: a safe integer within the bounds. */
export const check = (spec: Spec) =>
  Schema.makeFilter<number>((value) => {
    if (!Number.isSafeInteger(value)) {
      return `${spec.what} must be a whole number of ${spec.unit}: got ${String(value)}`
    }
    if (value < spec.min) return `${spec.what} must be at least ${spec.min} ${spec.unit}: got ${value}`
    if (value > spec.max) return `${spec.what} must be at most ${spec.max} ${spec.unit}: got ${value}`
    return undefined
  }, { expected: `${spec.what} in ${spec.unit}` })

/** The string side of every decimal codec, with a message for numbers and other non-strings. */
export const text = (spec: Spec) =>
  Schema.String.annotate({
    message: `${spec.what} must be a decimal string such as ${quote(spec.example)}`
  })

/** The transformation from decimal text to minor units, failing with a readable issue. */
export const fromText = (spec: Spec) =>
  SchemaTransformation.transformEffect<number, string>({
    decode: (input) =>
      Result.match(parse(input, spec), {
        onFailure: (message) => Effect.fail(new SchemaIssue.InvalidValue({ message })),
        onSuccess: Effect.succeed
      }),
    encode: (minor) => Effect.succeed(format(minor, spec.scale))
  })

/**
 * The transformation from what a Postgres driver returns for the column (decimal text, or a
 * `bigint` for an `int8` column) to minor units; encoding writes decimal text, which Postgres
 * converts to the column's type.
 */
export const fromDatabase = (spec: Spec) =>
  SchemaTransformation.transformEffect<number, string | bigint>({
    decode: (input) => {
      const parsed = typeof input === "bigint"
        ? Result.flatMap(Result.succeed(input * 10n ** BigInt(spec.scale)), (value) => inRange(value, spec))
        : parse(input, spec)
      return Result.match(parsed, {
        onFailure: (message) => Effect.fail(new SchemaIssue.InvalidValue({ message })),
        onSuccess: Effect.succeed
      })
    },
    encode: (minor) => Effect.succeed(format(minor, spec.scale))
  })

// ---------------------------------------------------------------------------------------------
// Rounded division
// ---------------------------------------------------------------------------------------------

/** The rounding modes, named as in java.math.RoundingMode. */
export type RoundingMode = "HALF_UP" | "HALF_EVEN" | "DOWN" | "UP" | "FLOOR" | "CEILING"

const abs = (n: bigint): bigint => (n < 0n ? -n : n)

/**
 * `numerator / denominator` rounded with `mode`. The denominator is a positive constant at
 * every call site of the package (a power of ten, a scale product).
 */
export const divide = (numerator: bigint, denominator: bigint, mode: RoundingMode): bigint => {
  const quotient = numerator / denominator // truncates toward zero
  const remainder = numerator % denominator
  if (remainder === 0n) return quotient
  const positive = numerator > 0n === denominator > 0n
  const awayFromZero = positive ? quotient + 1n : quotient - 1n
  const twice = abs(remainder) * 2n
  const divisor = abs(denominator)
  switch (mode) {
    case "DOWN":
      return quotient
    case "UP":
      return awayFromZero
    case "FLOOR":
      return positive ? quotient : awayFromZero
    case "CEILING":
      return positive ? awayFromZero : quotient
    case "HALF_UP":
      return twice >= divisor ? awayFromZero : quotient
    case "HALF_EVEN":
      if (twice === divisor) return quotient % 2n === 0n ? quotient : awayFromZero
      return twice > divisor ? awayFromZero : quotient
  }
}

// ---------------------------------------------------------------------------------------------
// Checked results
// ---------------------------------------------------------------------------------------------

/** An exact result back in the spec's range, or an {@link Errors.OutOfRange} naming the bounds. */
export const checked = (value: bigint, spec: Spec): Result.Result<number, Errors.OutOfRange> =>
  value >= BigInt(spec.min) && value <= BigInt(spec.max)
    ? Result.succeed(Number(value))
    : Result.fail(
      new Errors.OutOfRange({
        what: spec.what,
        value: format(value, spec.scale),
        min: format(spec.min, spec.scale),
        max: format(spec.max, spec.scale)
      })
    )

/** The exact sum of integers in minor units, checked against the spec once at the end. */
export const checkedSum = (values: Iterable<number>, spec: Spec): Result.Result<number, Errors.OutOfRange> => {
  let total = 0n
  for (const value of values) total += BigInt(value)
  return checked(total, spec)
}
