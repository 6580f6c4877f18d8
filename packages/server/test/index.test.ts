import { describe, expect, it } from "@effect/vitest"
import { packageName } from "@niha/server"

describe("@niha/server", () => {
  it("resolves through its package name", () => {
    expect(packageName).toBe("@niha/server")
  })
})
