import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/sdk"

describe("@niha/sdk", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/sdk")
  })
})
