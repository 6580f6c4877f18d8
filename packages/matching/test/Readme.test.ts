/**
 * The README's examples are the files in test/examples/: this test checks the README shows
 * them verbatim and runs them.
 */
import { describe, expect, it } from "@effect/vitest"
import { OrderBook } from "@niha/matching"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { embed } from "./examples/embed.ts"
import { program } from "./examples/engine.ts"

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8")
const readme = read("../README.md")

describe("README", () => {
  it("shows the examples verbatim", () => {
    expect(readme).toContain(read("./examples/embed.ts").trim())
    expect(readme).toContain(read("./examples/engine.ts").trim())
  })

  it("embedding example: a budget-bounded market buy sweeps two levels", () => {
    const { book, events } = embed()
    const fills = events.flatMap((e) => (e._tag === "Trade" ? [[e.price, e.quantity]] : []))
    // EUR 6,250.00 for 500 t at 12.50, then 297 t at 12.60 (EUR 3,742.20); EUR 7.80 left.
    expect(fills).toEqual([[1_250, 500], [1_260, 297]])
    expect(events.at(-1)).toMatchObject({ _tag: "OrderExpired", remainingBudget: 780 })
    expect(OrderBook.bestAsk(book)).toEqual({ price: 1_260, quantity: 203, orders: 1 })
  })

  it.effect("engine example", () =>
    Effect.gen(function*() {
      const { best, events } = yield* program
      expect(events.filter((e) => e._tag === "Trade")).toHaveLength(1)
      expect(best).toEqual({ price: 71_500, quantity: 150, orders: 1 })
    }))
})
