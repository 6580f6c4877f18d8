import { assert, describe, it } from "@effect/vitest"
import { Pagination } from "@niha/sdk"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import * as Property from "./support/Property.ts"

describe("Pagination", () => {
  it("walks a list page by page, each object once, in order", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 250 }),
        fc.option(fc.integer({ min: 1, max: Pagination.maxLimit }), { nil: undefined }),
        (ids, limit) => {
          const items = [...ids].sort((a, b) => a - b).map((id) => ({ id }))
          const seen: Array<{ readonly id: number }> = []
          let cursor: number | undefined
          for (;;) {
            const page = Pagination.fromList(items, (item) => item.id, { limit, starting_after: cursor })
            assert.isAtMost(page.data.length, limit ?? Pagination.defaultLimit)
            seen.push(...page.data)
            const last = page.data.at(-1)
            if (!page.has_more || last === undefined) {
              assert.isFalse(page.has_more)
              break
            }
            assert.strictEqual(page.data.length, limit ?? Pagination.defaultLimit)
            cursor = last.id
          }
          assert.deepStrictEqual(seen, items)
        }
      ),
      Property.parameters
    )
  })

  it("answers an empty page for a cursor that names no object", () => {
    const page = Pagination.fromList([{ id: 1 }, { id: 2 }], (item) => item.id, { starting_after: 7 })
    assert.deepStrictEqual(page, { data: [], has_more: false })
  })

  it("accepts limits from 1 to 100 only", () => {
    const isLimit = Schema.is(Pagination.Limit)
    assert.isTrue(isLimit(1))
    assert.isTrue(isLimit(100))
    for (const bad of [0, 101, 2.5, -1]) assert.isFalse(isLimit(bad), String(bad))
  })
})
