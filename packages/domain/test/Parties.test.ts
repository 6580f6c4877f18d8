import { describe, expect, it } from "@effect/vitest"
import { Parties } from "@niha/domain"
import * as Schema from "effect/Schema"

describe("Parties emails", () => {
  it("accepts an address as typed, and stores it trimmed and lower-cased", () => {
    const isInput = Schema.is(Parties.EmailInput)
    expect(isInput("Ana.Keller@Nordwind.example")).toBe(true)
    expect(Parties.normalizeEmail(" Ana.Keller@Nordwind.Example ")).toBe("ana.keller@nordwind.example")
    // The stored form is what the users row model accepts.
    const stored = Schema.decodeUnknownSync(Parties.User.fields.email)
    expect(stored(Parties.normalizeEmail("Ana@Example.com"))).toBe("ana@example.com")
    expect(() => stored("Ana@Example.com")).toThrow()
  })

  it("refuses what is not one address", () => {
    const isInput = Schema.is(Parties.EmailInput)
    for (const bad of ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a@b.co,c@d.co x"]) {
      expect(isInput(bad), bad).toBe(false)
    }
    expect(isInput(`${"a".repeat(250)}@b.co`)).toBe(false)
  })
})
