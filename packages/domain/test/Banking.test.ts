import { assert, describe, it } from "@effect/vitest"
import { Banking, Errors, Money, WithdrawalPolicy } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"

const decodeIban = Schema.decodeUnknownResult(Banking.IbanInput)
const decodeBic = Schema.decodeUnknownResult(Banking.BicInput)

describe("Banking", () => {
  it("accepts valid IBANs as typed and gives their electronic form", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000"],
      ["nl91abna0417164300", "NL91ABNA0417164300"],
      ["FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"],
      ["GB29NWBK60161331926819", "GB29NWBK60161331926819"]
    ]
    for (const [typed, electronic] of cases) {
      const decoded = decodeIban(typed)
      assert.isTrue(Result.isSuccess(decoded), typed)
      if (Result.isSuccess(decoded)) assert.strictEqual(decoded.success, electronic)
    }
  })

  it("refuses wrong check digits, a wrong length for the country and an unknown country", () => {
    assert.include(Banking.ibanProblem("DE88370400440532013000") ?? "", "check digits")
    assert.include(Banking.ibanProblem("DE8937040044053201300") ?? "", "length")
    assert.include(Banking.ibanProblem("XX89370400440532013000") ?? "", "country")
    for (const bad of ["", "DE88 3704 0044 0532 0130 00", "not an iban", "DE89\u00003704"]) {
      assert.isTrue(Result.isFailure(decodeIban(bad)), JSON.stringify(bad))
    }
  })

  it("checks BICs", () => {
    const decoded = decodeBic("deut de ff")
    assert.isTrue(Result.isSuccess(decoded))
    if (Result.isSuccess(decoded)) assert.strictEqual(decoded.success, "DEUTDEFF")
    assert.isTrue(Result.isSuccess(decodeBic("DEUTDEFF500")))
    for (const bad of ["DEUT", "DEUTXXFF", "1234DEFF"]) assert.isTrue(Result.isFailure(decodeBic(bad)), bad)
  })
})

const cents = (value: number) => Money.Cents.make(value)

describe("WithdrawalPolicy", () => {
  const config = WithdrawalPolicy.defaults
  const check = (amount: number, last24h = 0, last7d = 0) =>
    WithdrawalPolicy.check({ amount: cents(amount), last_24h: cents(last24h), last_7d: cents(last7d) }, config)

  it("accepts what is within every limit, exactly up to each bound", () => {
    assert.isTrue(Result.isSuccess(check(10_000)))
    assert.isTrue(Result.isSuccess(check(25_000_000)))
    assert.isTrue(Result.isSuccess(check(5_000_000, 20_000_000, 20_000_000)))
    assert.isTrue(Result.isSuccess(check(25_000_000, 0, 75_000_000)))
  })

  it("names the limit a withdrawal breaks and what remains under it", () => {
    const cases: ReadonlyArray<readonly [Result.Result<void, Errors.LimitExceeded>, string, string]> = [
      [check(9_999), "minimum", "0.00"],
      [check(25_000_001), "max_per_24h", "250000.00"],
      [check(5_000_001, 20_000_000, 20_000_000), "max_per_24h", "50000.00"],
      [check(25_000_000, 0, 75_000_001), "max_per_7d", "249999.99"],
      [check(10_000, 30_000_000, 30_000_000), "max_per_24h", "0.00"]
    ]
    for (const [result, limit, remaining] of cases) {
      assert.isTrue(Result.isFailure(result), limit)
      if (Result.isFailure(result)) {
        assert.instanceOf(result.failure, Errors.LimitExceeded)
        assert.strictEqual(result.failure.limit, limit)
        assert.strictEqual(result.failure.remaining, remaining)
      }
    }
  })

  it("takes limits that nest, and refuses a zero minimum or limits out of order, naming the field", () => {
    const decode = Schema.decodeUnknownResult(WithdrawalPolicy.Config)
    const limits = (minimum: string, day: string, week: string) =>
      decode({ minimum, max_per_24h: day, max_per_7d: week })
    const equal = limits("50.00", "100.00", "100.00")
    assert.isTrue(Result.isSuccess(equal))
    if (Result.isSuccess(equal)) assert.strictEqual(equal.success.max_per_7d, cents(10_000))
    const refused: ReadonlyArray<readonly [Result.Result<unknown, Schema.SchemaError>, string]> = [
      [limits("0.00", "100.00", "100.00"), "minimum"],
      [limits("100.00", "99.99", "1000.00"), "max_per_24h"],
      [limits("100.00", "1000.00", "999.99"), "max_per_7d"],
      [limits("-1.00", "100.00", "100.00"), "minimum"],
      [limits("1.001", "100.00", "100.00"), "minimum"]
    ]
    for (const [result, field] of refused) {
      assert.isTrue(Result.isFailure(result), field)
      if (Result.isFailure(result)) assert.include(result.failure.message, field)
    }
    assert.isTrue(Result.isSuccess(decode(Schema.encodeSync(WithdrawalPolicy.Config)(WithdrawalPolicy.defaults))))
  })

  it("asks a second admin for the first withdrawal to a new beneficiary only", () => {
    assert.isTrue(WithdrawalPolicy.needsSecondApproval(false))
    assert.isFalse(WithdrawalPolicy.needsSecondApproval(true))
  })
})
