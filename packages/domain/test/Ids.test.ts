import { describe, expect, it } from "@effect/vitest"
import { Ids } from "@niha/domain"
import * as Schema from "effect/Schema"

describe("Ids", () => {
  it("accepts a UUID and rejects anything else with a message naming the id", () => {
    const id = "6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f"
    expect(Schema.decodeUnknownSync(Ids.EntityId)(id)).toBe(id)
    expect(() => Schema.decodeUnknownSync(Ids.EntityId)("42")).toThrow(/must be a UUID/)
  })

  it("has one id per table", () => {
    expect(Object.keys(Ids.byTable)).toHaveLength(31)
  })
})
