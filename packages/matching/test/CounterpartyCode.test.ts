/**
 * Anonymous counterparty codes: SipHash-2-4 against the reference vectors of its authors,
 * and the codes' stability, format and spread.
 */
import { describe, expect, it } from "@effect/vitest"
import { CounterpartyCode } from "@niha/matching"

// The reference key 00 01 .. 0f, as its two little-endian 64-bit halves.
const k0 = 0x0706050403020100n
const k1 = 0x0f0e0d0c0b0a0908n
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i)

describe("SipHash-2-4", () => {
  it("matches the reference vectors (messages 00, 00 01 .. of length 0, 1 and 15)", () => {
    expect(CounterpartyCode.sipHash24(k0, k1, bytes(0))).toBe(0x726fdb47dd0e0e31n)
    expect(CounterpartyCode.sipHash24(k0, k1, bytes(1))).toBe(0x74f839c593dc67fdn)
    expect(CounterpartyCode.sipHash24(k0, k1, bytes(15))).toBe(0xa129ca6149be45e5n)
  })
})

describe("counterparty codes", () => {
  const key = CounterpartyCode.key("a long operator secret")

  it("are stable, readable and depend on the secret", () => {
    const code = CounterpartyCode.make(key, "3f1c7a3e-8a4b-4c1e-9a55-0f3a2b1c4d5e")
    expect(code).toMatch(/^CP-[0-9A-HJKMNP-TV-Z]{10}$/)
    expect(
      CounterpartyCode.make(CounterpartyCode.key("a long operator secret"), "3f1c7a3e-8a4b-4c1e-9a55-0f3a2b1c4d5e")
    )
      .toBe(code)
    expect(CounterpartyCode.make(CounterpartyCode.key("another secret"), "3f1c7a3e-8a4b-4c1e-9a55-0f3a2b1c4d5e")).not
      .toBe(code)
  })

  it("do not collide over many owners", () => {
    const codes = new Set(Array.from({ length: 5_000 }, (_, i) => CounterpartyCode.make(key, `entity-${i}`)))
    expect(codes.size).toBe(5_000)
  })
})
