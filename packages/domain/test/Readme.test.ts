import { describe, expect, it } from "@effect/vitest"
import * as Result from "effect/Result"
import { readFileSync } from "node:fs"
import { example } from "./ReadmeExample.ts"

describe("README", () => {
  it("shows the example exactly as test/ReadmeExample.ts has it", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const source = readFileSync(new URL("./ReadmeExample.ts", import.meta.url), "utf8")
    expect(readme).toContain(source.trim())
  })

  it("runs the example with the results its comments state", () => {
    expect(example()).toEqual({
      price: 1234,
      rejected: "a CEA_CASH price (EUR per tonne) has at most 2 decimal places: got \"12.345\"",
      rate: "0.002500",
      source: "market",
      notional: Result.succeed("12340.00"),
      fee: Result.succeed("30.85"),
      confirmed: Result.succeed("CONFIRMED"),
      skipped: "depositstatus: cannot move from PENDING to CLEARED"
    })
  })
})
