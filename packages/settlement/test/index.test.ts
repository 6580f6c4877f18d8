import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/settlement"

describe("@niha/settlement", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/settlement")
  })
})
