import { describe, expect, it } from "@effect/vitest"
import { AmlPolicy, type Enums, Ids, Money } from "@niha/domain"
import * as Schema from "effect/Schema"

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`
const entity = Schema.decodeUnknownSync(Ids.EntityId)(uuid(1))
const otherEntity = Schema.decodeUnknownSync(Ids.EntityId)(uuid(2))
const depositId = (n: number) => Schema.decodeUnknownSync(Ids.DepositId)(uuid(100 + n))

const deposit = (eur: number) => ({ id: depositId(0), entity_id: entity, amount: Money.Cents.make(eur * 100) })
const earlier = (n: number, status: Enums.DepositStatus, entity_id = entity) => ({
  id: depositId(n),
  entity_id,
  status
})

describe("AmlPolicy.decide with the defaults", () => {
  it("holds an entity's first deposit 3 business days", () => {
    expect(AmlPolicy.decide(deposit(5_000), [])).toEqual({
      hold_type: "FIRST_DEPOSIT",
      hold_business_days: 3,
      applied: ["FIRST_DEPOSIT"]
    })
  })

  it("holds a later deposit 1 business day", () => {
    expect(AmlPolicy.decide(deposit(5_000), [earlier(1, "CLEARED")])).toEqual({
      hold_type: "SUBSEQUENT",
      hold_business_days: 1,
      applied: ["SUBSEQUENT"]
    })
  })

  it("holds a later deposit at or above EUR 100,000.00 2 business days, and one cent below it 1", () => {
    const atThreshold = { ...deposit(0), amount: Money.Cents.make(10_000_000) }
    expect(AmlPolicy.decide(atThreshold, [earlier(1, "CLEARED")])).toMatchObject({
      hold_type: "LARGE_AMOUNT",
      hold_business_days: 2
    })
    const justBelow = { ...deposit(0), amount: Money.Cents.make(9_999_999) }
    expect(AmlPolicy.decide(justBelow, [earlier(1, "CLEARED")]).hold_type).toBe("SUBSEQUENT")
  })

  it("places the longer hold when a first deposit is also large, and says both rules applied", () => {
    expect(AmlPolicy.decide(deposit(250_000), [])).toEqual({
      hold_type: "FIRST_DEPOSIT",
      hold_business_days: 3,
      applied: ["FIRST_DEPOSIT", "LARGE_AMOUNT"]
    })
  })

  it("counts only the same entity's earlier CLEARED deposits as history", () => {
    const notHistory = [
      earlier(1, "PENDING"),
      earlier(2, "CONFIRMED"),
      earlier(3, "ON_HOLD"),
      earlier(4, "REJECTED"),
      earlier(5, "CLEARED", otherEntity),
      { ...earlier(0, "CLEARED") } // the deposit itself
    ]
    expect(AmlPolicy.decide(deposit(5_000), notHistory).hold_type).toBe("FIRST_DEPOSIT")
  })
})

describe("AmlPolicy.decide with a config", () => {
  const config = (first: number, subsequent: number, large: number, thresholdEur = 50_000): AmlPolicy.Config => ({
    large_amount_threshold: Money.Cents.make(thresholdEur * 100),
    hold_business_days: { FIRST_DEPOSIT: first, SUBSEQUENT: subsequent, LARGE_AMOUNT: large }
  })

  it("places the LARGE_AMOUNT hold on a large first deposit when it is the longer", () => {
    expect(AmlPolicy.decide(deposit(60_000), [], config(2, 1, 5))).toEqual({
      hold_type: "LARGE_AMOUNT",
      hold_business_days: 5,
      applied: ["LARGE_AMOUNT", "FIRST_DEPOSIT"]
    })
  })

  it("breaks a tie by the rule order, FIRST_DEPOSIT first", () => {
    expect(AmlPolicy.decide(deposit(60_000), [], config(4, 1, 4)).hold_type).toBe("FIRST_DEPOSIT")
  })

  it("decodes a config from its wire form and rejects a negative hold", () => {
    const decoded = Schema.decodeUnknownSync(AmlPolicy.Config)({
      large_amount_threshold: "100000.00",
      hold_business_days: { FIRST_DEPOSIT: 3, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
    })
    expect(decoded).toEqual(AmlPolicy.defaults)
    expect(() =>
      Schema.decodeUnknownSync(AmlPolicy.Config)({
        large_amount_threshold: "100000.00",
        hold_business_days: { FIRST_DEPOSIT: -1, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
      })
    ).toThrow(/FIRST_DEPOSIT/)
    expect(() =>
      Schema.decodeUnknownSync(AmlPolicy.Config)({
        large_amount_threshold: "0.00",
        hold_business_days: { FIRST_DEPOSIT: 3, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
      })
    ).toThrow(/large_amount_threshold/)
    expect(() =>
      Schema.decodeUnknownSync(AmlPolicy.Config)({
        large_amount_threshold: "100000.00",
        hold_business_days: { FIRST_DEPOSIT: 61, SUBSEQUENT: 1, LARGE_AMOUNT: 2.5 }
      })
    ).toThrow(/FIRST_DEPOSIT/)
  })
})
