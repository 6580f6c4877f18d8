import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/matching"

describe("@niha/matching", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/matching")
  })
})
