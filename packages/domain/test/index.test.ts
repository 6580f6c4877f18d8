import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/domain"

describe("@niha/domain", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/domain")
  })
})
