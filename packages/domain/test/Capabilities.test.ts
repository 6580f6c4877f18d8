import { describe, expect, it } from "@effect/vitest"
import { Capabilities, Enums, Errors } from "@niha/domain"
import * as Result from "effect/Result"

const client = ["NDA", "KYC", "APPROVED", "FUNDING", "AML", "CEA", "CEA_SETTLE", "SWAP", "EUA_SETTLE", "EUA"] as const

// The expected table, written from DESIGN.md and the issue, independently of the source.
const fromStage = (first: (typeof client)[number]): Array<Enums.UserRole> => client.slice(client.indexOf(first))

const expected: Record<Capabilities.Action, ReadonlyArray<Enums.UserRole>> = {
  view_own_account: [...client, "ADMIN", "MM"],
  upload_kyc_document: ["KYC"],
  view_market_data: [...fromStage("APPROVED"), "ADMIN", "MM"],
  announce_deposit: fromStage("APPROVED"),
  place_cea_order: fromStage("CEA"),
  cancel_own_order: [...fromStage("CEA"), "MM"],
  request_swap: fromStage("SWAP"),
  request_withdrawal: fromStage("CEA"),
  place_market_maker_order: ["MM", "ADMIN"],
  manage_contact_requests: ["ADMIN"],
  review_kyc: ["ADMIN"],
  manage_users: ["ADMIN"],
  confirm_deposit: ["ADMIN"],
  decide_aml_hold: ["ADMIN"],
  process_withdrawal: ["ADMIN"],
  run_market_makers: ["ADMIN"],
  configure_fees: ["ADMIN"],
  configure_funding: ["ADMIN"],
  manage_settlement: ["ADMIN"],
  place_seller_order: ["ADMIN"],
  configure_platform: ["ADMIN"],
  view_audit_log: ["ADMIN"],
  adjust_balances: ["ADMIN"]
}

describe("Capabilities", () => {
  it("answers every (role, action) pair as the expected table says", () => {
    expect([...Capabilities.Action.literals].sort()).toEqual(Object.keys(expected).sort())
    for (const action of Capabilities.Action.literals) {
      for (const role of Enums.UserRole.literals) {
        const allowed = expected[action].includes(role)
        expect(Capabilities.can(role, action), `${role} ${action}`).toBe(allowed)
        const result = Capabilities.check(role, action)
        if (allowed) expect(Result.isSuccess(result)).toBe(true)
        else {
          expect(Result.isFailure(result) && result.failure).toEqual(
            new Errors.NotPermitted({ action, role, allowed: Capabilities.table[action] })
          )
        }
      }
    }
  })

  it("lets a rejected client do nothing, and keeps trading open from CEA onwards", () => {
    expect(Capabilities.actionsOf("REJECTED")).toEqual([])
    for (const stage of ["CEA", "CEA_SETTLE", "SWAP", "EUA_SETTLE", "EUA"] as const) {
      expect(Capabilities.can(stage, "place_cea_order")).toBe(true)
    }
    expect(Capabilities.can("FUNDING", "place_cea_order")).toBe(false)
    expect(Capabilities.can("CEA_SETTLE", "request_swap")).toBe(false)
  })

  it("explains a refusal: who may, in words", () => {
    const refused = Capabilities.check("FUNDING", "place_cea_order")
    expect(Result.isFailure(refused) && refused.failure.message).toBe(
      "a user at FUNDING may not place cea order (allowed: CEA, CEA_SETTLE, SWAP, EUA_SETTLE, EUA)"
    )
    const staff = Capabilities.check("MM", "configure_fees")
    expect(Result.isFailure(staff) && staff.failure.allowed).toEqual(["ADMIN"])
  })
})
