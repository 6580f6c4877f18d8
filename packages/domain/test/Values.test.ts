import { describe, expect, it } from "@effect/vitest"
import { Decimal, Errors, Money, Price, Quantity, Rate } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { check } from "./support/property.ts"

// A codec from decimal text, with what its spec accepts.
interface Codec {
  readonly name: string
  readonly schema: Schema.Codec<number, string>
  readonly spec: Decimal.Spec
}

const codecs: ReadonlyArray<Codec> = [
  { name: "Money.CentsFromString", schema: Money.CentsFromString, spec: Money.spec },
  { name: "Money.SignedCentsFromString", schema: Money.SignedCentsFromString, spec: Money.signedSpec },
  { name: "Quantity.TonnesFromString", schema: Quantity.TonnesFromString, spec: Quantity.spec },
  { name: "Quantity.SignedTonnesFromString", schema: Quantity.SignedTonnesFromString, spec: Quantity.signedSpec },
  { name: "Price.CashPriceFromString", schema: Price.CashPriceFromString, spec: Price.cashSpec },
  { name: "Price.SwapPriceFromString", schema: Price.SwapPriceFromString, spec: Price.swapSpec },
  { name: "Price.QuotePriceFromString", schema: Price.QuotePriceFromString, spec: Price.quoteSpec },
  { name: "Rate.PpmFromString", schema: Rate.PpmFromString, spec: Rate.spec },
  { name: "Rate.SignedPpmFromString", schema: Rate.SignedPpmFromString, spec: Rate.signedSpec },
  { name: "Rate.ExchangeRateFromString", schema: Rate.ExchangeRateFromString, spec: Rate.exchangeRateSpec }
]

// The canonical text of n minor units at a scale, computed independently of the package
// (string arithmetic on the digits).
const canonical = (n: number, scale: number): string => {
  // n may be one past a safe bound (2^53 - 1 + 1 is still exact), so go through bigint
  const big = BigInt(n)
  const digits = (big < 0n ? -big : big).toString().padStart(scale + 1, "0")
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return n < 0 ? `-${text}` : text
}

const decode = (schema: Schema.Codec<number, string>, input: unknown): Result.Result<number, string> =>
  Result.mapError(Schema.decodeUnknownResult(schema)(input), (error) => error.message)

const inSpec = (spec: Decimal.Spec) => fc.integer({ min: spec.min, max: spec.max })

describe("decimal codecs", () => {
  for (const { name, schema, spec } of codecs) {
    it(`${name}: format then parse gives back every value in range, and parse then format the canonical text`, () => {
      check(fc.property(inSpec(spec), (n) => {
        const text = Schema.encodeSync(schema)(n)
        expect(text).toBe(canonical(n, spec.scale))
        expect(decode(schema, text)).toEqual(Result.succeed(n))
      }))
    })

    it(`${name}: accepts trailing zeros past the scale (as Postgres prints them) and fewer decimals`, () => {
      check(fc.property(inSpec(spec), fc.integer({ min: 1, max: 4 }), (n, extra) => {
        const text = canonical(n, spec.scale)
        const padded = spec.scale === 0 ? `${text}.${"0".repeat(extra)}` : `${text}${"0".repeat(extra)}`
        expect(decode(schema, padded)).toEqual(Result.succeed(n))
        if (spec.scale > 0 && text.endsWith("0")) expect(decode(schema, text.slice(0, -1))).toEqual(Result.succeed(n))
      }))
    })

    it(`${name}: rejects a non-zero digit past the scale`, () => {
      check(fc.property(inSpec(spec), fc.integer({ min: 1, max: 9 }), (n, digit) => {
        const text = canonical(n, spec.scale)
        const tooPrecise = spec.scale === 0 ? `${text}.${digit}` : `${text}${digit}`
        const result = decode(schema, tooPrecise)
        expect(Result.isFailure(result)).toBe(true)
        expect(Result.isFailure(result) && result.failure).toContain(
          spec.scale === 0 ? "must be a whole number" : `has at most ${spec.scale} decimal places`
        )
      }))
    })

    it(`${name}: rejects values just past its range, naming the bound`, () => {
      const above = decode(schema, canonical(spec.max + 1, spec.scale))
      expect(Result.isFailure(above) && above.failure).toContain(`must be at most ${canonical(spec.max, spec.scale)}`)
      const below = decode(schema, canonical(spec.min - 1, spec.scale))
      expect(Result.isFailure(below) && below.failure).toContain(
        spec.min === 0 ? "must not be negative" : `must be at least ${canonical(spec.min, spec.scale)}`
      )
    })
  }

  it("rejects bad text with a sentence naming the value and the problem", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ["", "a EUR amount must not be empty (expected a decimal such as \"1234.50\")"],
      [" 12.00", "a EUR amount must not contain spaces: got \" 12.00\""],
      ["12.00\n", "a EUR amount must not contain spaces: got \"12.00\\n\""],
      ["+12.00", "a EUR amount must not start with \"+\": got \"+12.00\""],
      ["1e3", "a EUR amount must be written without exponent notation: got \"1e3\""],
      ["1.5E-2", "a EUR amount must be written without exponent notation: got \"1.5E-2\""],
      ["NaN", "a EUR amount must be a finite number: got \"NaN\""],
      ["Infinity", "a EUR amount must be a finite number: got \"Infinity\""],
      ["-Infinity", "a EUR amount must be a finite number: got \"-Infinity\""],
      ["12,50", "a EUR amount must be a decimal such as \"1234.50\": got \"12,50\""],
      [".50", "a EUR amount must be a decimal such as \"1234.50\": got \".50\""],
      ["12.", "a EUR amount must be a decimal such as \"1234.50\": got \"12.\""],
      ["0x10", "a EUR amount must be a decimal such as \"1234.50\": got \"0x10\""],
      ["-0.01", "a EUR amount must not be negative: got \"-0.01\""],
      ["12.345", "a EUR amount has at most 2 decimal places: got \"12.345\""],
      ["90071992547409.92", "a EUR amount must be at most 90071992547409.91: got 90071992547409.92"],
      [12.5, "a EUR amount must be a decimal string such as \"1234.50\""],
      [null, "a EUR amount must be a decimal string such as \"1234.50\""]
    ]
    for (const [input, message] of cases) expect(decode(Money.CentsFromString, input)).toEqual(Result.fail(message))
  })

  it("names each value type in its messages", () => {
    expect(decode(Quantity.TonnesFromString, "100.5")).toEqual(
      Result.fail("a quantity of allowances must be a whole number: got \"100.5\"")
    )
    expect(decode(Rate.PpmFromString, "1.5")).toEqual(Result.fail("a rate must be at most 1.000000: got 1.500000"))
    expect(decode(Rate.PpmFromString, "-0.0025")).toEqual(Result.fail("a rate must not be negative: got \"-0.0025\""))
    expect(decode(Price.SwapPriceFromString, "0")).toEqual(
      Result.fail("a SWAP price (CEA per EUA) must be at least 0.0001: got 0.0000")
    )
    expect(decode(Price.CashPriceFromString, "12.345")).toEqual(
      Result.fail("a CEA_CASH price (EUR per tonne) has at most 2 decimal places: got \"12.345\"")
    )
  })

  it("decodes the examples of the project's decisions", () => {
    expect(decode(Money.CentsFromString, "1234.50")).toEqual(Result.succeed(123450))
    expect(decode(Money.CentsFromString, "100.00")).toEqual(Result.succeed(10000))
    expect(decode(Quantity.TonnesFromString, "100")).toEqual(Result.succeed(100))
    expect(decode(Price.SwapPriceFromString, "8.1234")).toEqual(Result.succeed(81234))
    expect(decode(Rate.PpmFromString, "0.0025")).toEqual(Result.succeed(2500))
    expect(decode(Rate.PpmFromString, "0.002500")).toEqual(Result.succeed(2500))
    expect(Schema.encodeSync(Money.CentsFromString)(Money.Cents.make(123450))).toBe("1234.50")
    expect(Schema.encodeSync(Rate.PpmFromString)(Rate.Ppm.make(2500))).toBe("0.002500")
  })

  it("reads a tonne column from the driver as decimal text or int8 bigint, and writes text", () => {
    expect(Schema.decodeUnknownSync(Quantity.TonnesFromDatabase)(250n)).toBe(250)
    expect(Schema.decodeUnknownSync(Quantity.TonnesFromDatabase)("250.00")).toBe(250)
    expect(Schema.encodeSync(Quantity.TonnesFromDatabase)(Quantity.Tonnes.make(250))).toBe("250")
    expect(Result.isFailure(Schema.decodeUnknownResult(Quantity.TonnesFromDatabase)(-1n))).toBe(true)
    expect(Result.isFailure(Schema.decodeUnknownResult(Quantity.TonnesFromDatabase)(2n ** 60n))).toBe(true)
    expect(Schema.decodeUnknownSync(Quantity.SignedTonnesFromDatabase)(-40n)).toBe(-40)
  })

  it("keeps the branded integers to safe integers within their bounds", () => {
    expect(Result.isFailure(Schema.decodeUnknownResult(Money.Cents)(1.5))).toBe(true)
    expect(Result.isFailure(Schema.decodeUnknownResult(Money.Cents)(-1))).toBe(true)
    expect(Result.isFailure(Schema.decodeUnknownResult(Money.Cents)(2 ** 53))).toBe(true)
    expect(Result.isFailure(Schema.decodeUnknownResult(Rate.Ppm)(1_000_001))).toBe(true)
    expect(Schema.decodeUnknownSync(Money.SignedCents)(-5)).toBe(-5)
  })
})

describe("Decimal.divide", () => {
  // Each mode's defining inequalities, checked in exact integer arithmetic.
  const holds = (n: bigint, d: bigint, r: bigint, mode: Decimal.RoundingMode): boolean => {
    const abs = (x: bigint) => (x < 0n ? -x : x)
    const error = n - r * d // exact remainder left by r
    const twice = abs(error) * 2n
    const towardZero = n / d
    switch (mode) {
      case "DOWN":
        return r === towardZero
      case "UP":
        return error === 0n ? r === towardZero : abs(r) === abs(towardZero) + 1n
      case "FLOOR":
        return r * d <= n && n < (r + 1n) * d
      case "CEILING":
        return (r - 1n) * d < n && n <= r * d
      case "HALF_UP":
        return twice < d || (twice === d && abs(r * d) > abs(n))
      case "HALF_EVEN":
        return twice < d || (twice === d && r % 2n === 0n)
    }
  }

  it("rounds every quotient as its mode says", () => {
    check(fc.property(
      fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
      fc.bigInt({ min: 1n, max: 10n ** 7n }),
      fc.constantFrom(...Decimal.RoundingMode.literals),
      (n, d, mode) => {
        expect(holds(n, d, Decimal.divide(n, d, mode), mode)).toBe(true)
      }
    ))
  })

  it("rounds the textbook halves", () => {
    const at = (n: bigint, mode: Decimal.RoundingMode) => Decimal.divide(n, 10n, mode)
    expect([25n, -25n, 35n].map((n) => at(n, "HALF_UP"))).toEqual([3n, -3n, 4n])
    expect([25n, -25n, 35n].map((n) => at(n, "HALF_EVEN"))).toEqual([2n, -2n, 4n])
    expect([29n, -29n].map((n) => at(n, "DOWN"))).toEqual([2n, -2n])
    expect([21n, -21n].map((n) => at(n, "UP"))).toEqual([3n, -3n])
    expect([29n, -21n].map((n) => at(n, "FLOOR"))).toEqual([2n, -3n])
    expect([21n, -29n].map((n) => at(n, "CEILING"))).toEqual([3n, -2n])
  })
})

describe("arithmetic", () => {
  const cents = (n: number) => Money.Cents.make(n)
  const tonnes = (n: number) => Quantity.Tonnes.make(n)

  it("adds and subtracts exactly, and reports results out of range instead of wrapping", () => {
    expect(Money.add(cents(150), cents(275))).toEqual(Result.succeed(425))
    expect(Money.subtract(cents(275), cents(150))).toEqual(Result.succeed(125))
    const negative = Money.subtract(cents(150), cents(275))
    expect(Result.isFailure(negative) && negative.failure).toEqual(
      new Errors.OutOfRange({ what: "a EUR amount", value: "-1.25", min: "0.00", max: "90071992547409.91" })
    )
    const overflow = Money.add(cents(Number.MAX_SAFE_INTEGER), cents(1))
    expect(Result.isFailure(overflow) && overflow.failure.value).toBe("90071992547409.92")
    expect(Money.sum([cents(1), cents(2), cents(3)])).toEqual(Result.succeed(6))
    expect(Quantity.add(tonnes(Number.MAX_SAFE_INTEGER), tonnes(1))._tag).toBe("Failure")
    expect(Quantity.subtract(tonnes(5), tonnes(5))).toEqual(Result.succeed(0))
    expect(Money.addSigned(Money.SignedCents.make(-500), Money.SignedCents.make(200))).toEqual(Result.succeed(-300))
  })

  it("computes a CEA_CASH notional exactly, and flags one past 2^53 cents", () => {
    check(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000_000 }), (q, p) => {
      const notional = Price.cashNotional(tonnes(q), Price.CashPrice.make(p))
      const exact = BigInt(q) * BigInt(p)
      if (exact <= BigInt(Number.MAX_SAFE_INTEGER)) expect(notional).toEqual(Result.succeed(Number(exact)))
      else expect(Result.isFailure(notional)).toBe(true)
    }))
    expect(Result.isFailure(Price.cashNotional(tonnes(2 ** 40), Price.CashPrice.make(2 ** 20)))).toBe(true)
  })

  it("computes a SWAP notional in whole CEA with the rounding asked for", () => {
    // 100 EUA at 8.1234 CEA per EUA = 812.34 CEA
    expect(Price.swapNotional(tonnes(100), Price.SwapPrice.make(81234), "HALF_UP")).toEqual(Result.succeed(812))
    expect(Price.swapNotional(tonnes(100), Price.SwapPrice.make(81250), "HALF_UP")).toEqual(Result.succeed(813))
    expect(Price.swapNotional(tonnes(100), Price.SwapPrice.make(81250), "DOWN")).toEqual(Result.succeed(812))
  })

  it("applies a rate within half a unit of the exact product, never past the amount", () => {
    check(fc.property(inSpec(Money.spec), inSpec(Rate.spec), (amount, rate) => {
      const applied = Rate.apply(cents(amount), Rate.Ppm.make(rate), "HALF_UP")
      const error = BigInt(applied) * 1_000_000n - BigInt(amount) * BigInt(rate)
      expect((error < 0n ? -error : error) * 2n <= 1_000_000n).toBe(true)
      expect(applied >= 0 && applied <= amount).toBe(true)
    }))
  })
})
