import { describe, expect, it } from "@effect/vitest"
import { Enums, StateMachine } from "@niha/domain"
import * as Result from "effect/Result"

// The transitions DESIGN.md lists, written out independently of src/StateMachine.ts.
// `a>b c>d` is a list of edges; `chain` expands a path a -> b -> c.
const chain = (...states: Array<string>): Array<string> => states.slice(1).map((to, i) => `${states[i]}>${to}`)
const toAll = (to: string, ...from: Array<string>): Array<string> => from.map((state) => `${state}>${to}`)

const clientStagesBeforeEua = ["NDA", "KYC", "APPROVED", "FUNDING", "AML", "CEA", "CEA_SETTLE", "SWAP", "EUA_SETTLE"]

const design: Record<string, Array<string>> = {
  userrole: [
    ...chain("NDA", "KYC", "APPROVED", "FUNDING", "AML", "CEA", "CEA_SETTLE", "SWAP", "EUA_SETTLE", "EUA"),
    ...toAll("REJECTED", ...clientStagesBeforeEua)
  ],
  contactstatus: ["NDA>KYC", "NDA>REJECTED"],
  kycstatus: ["PENDING>APPROVED", "PENDING>REJECTED"],
  documentstatus: ["PENDING>APPROVED", "PENDING>REJECTED"],
  orderstatus: [...chain("OPEN", "PARTIALLY_FILLED", "FILLED"), ...toAll("CANCELLED", "OPEN", "PARTIALLY_FILLED")],
  depositstatus: [
    ...chain("PENDING", "CONFIRMED", "ON_HOLD", "CLEARED"),
    ...toAll("REJECTED", "PENDING", "CONFIRMED", "ON_HOLD")
  ],
  amlstatus: [...chain("PENDING", "ON_HOLD", "CLEARED"), "ON_HOLD>REJECTED"],
  withdrawalstatus: [...chain("PENDING", "PROCESSING", "COMPLETED"), ...toAll("REJECTED", "PENDING", "PROCESSING")],
  settlementstatus: [
    ...chain("PENDING", "TRANSFER_INITIATED", "IN_TRANSIT", "AT_CUSTODY", "SETTLED"),
    ...toAll("FAILED", "PENDING", "TRANSFER_INITIATED", "IN_TRANSIT", "AT_CUSTODY")
  ],
  swapstatus: [...chain("OPEN", "MATCHED", "COMPLETED"), ...toAll("CANCELLED", "OPEN", "MATCHED")],
  tradestatus: [...chain("PENDING", "CONFIRMED", "COMPLETED"), ...toAll("CANCELLED", "PENDING", "CONFIRMED")],
  certificatestatus: [...chain("AVAILABLE", "RESERVED", "SOLD"), "RESERVED>AVAILABLE"]
}

// Transitions the machines allow beyond DESIGN.md's list, each documented on its machine.
const documentedExtensions: Record<string, Array<string>> = {
  userrole: ["AML>FUNDING"], // a deposit refused by AML sends the client back to funding, not to REJECTED
  orderstatus: ["OPEN>FILLED"], // an order filled in full by its first match
  amlstatus: ["PENDING>REJECTED"] // a deposit refused before any hold (deposit PENDING|CONFIRMED -> REJECTED)
}

describe("StateMachine", () => {
  it("has a machine for each of the twelve status enums, over exactly the enum's values", () => {
    expect(Object.keys(StateMachine.all).sort()).toEqual(Object.keys(design).sort())
    for (const [name, machine] of Object.entries(StateMachine.all)) {
      expect(machine.name).toBe(name)
      expect([...machine.states]).toEqual([...Enums.databaseNames[name as keyof typeof Enums.databaseNames]])
    }
  })

  for (const [name, machine] of Object.entries(StateMachine.all)) {
    const allowed = new Set([...(design[name] ?? []), ...(documentedExtensions[name] ?? [])])
    const states: ReadonlyArray<string> = machine.states
    const pairs = states.flatMap((from) => states.map((to) => [from, to] as const))

    it(`${name}: every (from, to) pair of its ${states.length} states is allowed exactly when listed`, () => {
      const check = machine as StateMachine.StateMachine<string>
      let allowedCount = 0
      for (const [from, to] of pairs) {
        const expected = allowed.has(`${from}>${to}`)
        expect(StateMachine.canTransition(check, from, to), `${name} ${from} -> ${to}`).toBe(expected)
        const result = StateMachine.transition(check, from, to)
        if (expected) {
          allowedCount++
          expect(result).toEqual(Result.succeed(to))
        } else {
          expect(Result.isFailure(result)).toBe(true)
          if (Result.isFailure(result)) {
            expect(result.failure).toBeInstanceOf(StateMachine.InvalidTransition)
            expect(result.failure).toMatchObject({ _tag: "InvalidTransition", machine: name, from, to })
            expect(result.failure.message).toBe(`${name}: cannot move from ${from} to ${to}`)
          }
        }
      }
      // every listed edge names real states, so the count of allowed pairs is the list's size
      expect(allowedCount).toBe(allowed.size)
    })

    it(`${name}: next and isTerminal agree with the table`, () => {
      const check = machine as StateMachine.StateMachine<string>
      for (const from of states) {
        const expectedNext = states.filter((to) => allowed.has(`${from}>${to}`))
        expect([...StateMachine.next(check, from)].sort()).toEqual(expectedNext.sort())
        expect(StateMachine.isTerminal(check, from)).toBe(expectedNext.length === 0)
      }
    })
  }

  it("walks a deposit from announcement to credit, and refuses to skip the AML hold", () => {
    const steps = ["CONFIRMED", "ON_HOLD", "CLEARED"] as const
    let state: Enums.DepositStatus = "PENDING"
    for (const to of steps) {
      const moved: Result.Result<Enums.DepositStatus, StateMachine.InvalidTransition> = StateMachine.transition(
        StateMachine.depositStatus,
        state,
        to
      )
      expect(Result.isSuccess(moved)).toBe(true)
      if (Result.isSuccess(moved)) state = moved.success
    }
    expect(state).toBe("CLEARED")
    const skip = StateMachine.transition(StateMachine.depositStatus, "CONFIRMED", "CLEARED")
    expect(Result.isFailure(skip) && skip.failure.message).toBe("depositstatus: cannot move from CONFIRMED to CLEARED")
  })
})
