import { describe, expect, it } from "@effect/vitest"
import { AmlPolicy, FundingSettings, WithdrawalPolicy } from "@niha/domain"
import * as Schema from "effect/Schema"

describe("FundingSettings", () => {
  it("has a schema per key, and defaults that are the policies' own and survive their JSON", () => {
    expect(Object.keys(FundingSettings.schemas).sort()).toEqual([...FundingSettings.Key.literals].sort())
    expect(FundingSettings.defaults).toEqual({
      aml_policy: AmlPolicy.defaults,
      withdrawal_limits: WithdrawalPolicy.defaults
    })
    const json = Schema.encodeSync(FundingSettings.Settings)(FundingSettings.defaults)
    expect(json).toEqual({
      aml_policy: {
        large_amount_threshold: "100000.00",
        hold_business_days: { FIRST_DEPOSIT: 3, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
      },
      withdrawal_limits: { minimum: "100.00", max_per_24h: "250000.00", max_per_7d: "1000000.00" }
    })
    expect(Schema.decodeUnknownSync(FundingSettings.Settings)(json)).toEqual(FundingSettings.defaults)
  })
})
