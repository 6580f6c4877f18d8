import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/db"

describe("@niha/db", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/db")
  })
})
