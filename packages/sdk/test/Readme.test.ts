import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as EffectExample from "./examples/effect-client.ts"
import * as MarketDataExample from "./examples/market-data.ts"
import * as PromiseExample from "./examples/promise-client.ts"
import * as ScriptedServer from "./support/ScriptedServer.ts"

const here = import.meta.dirname
const readme = NodeFs.readFileSync(NodePath.join(here, "../README.md"), "utf8")
const example = (file: string) => NodeFs.readFileSync(NodePath.join(here, "examples", file), "utf8").trim()

describe("the README", () => {
  it("shows the examples exactly as they are tested", () => {
    assert.include(readme, example("promise-client.ts"))
    assert.include(readme, example("effect-client.ts"))
    assert.include(readme, example("market-data.ts"))
  })

  it.effect("Market data example: a book, then the stream with both clients", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const watched = yield* Effect.promise(() => MarketDataExample.watchMarket(`${server.url}/ok`, 3))
      assert.deepStrictEqual(watched, { best_ask: "12.50", sequence: 3, seen: ["snapshot", "book", "book"] })
      const all = yield* Effect.promise(() => MarketDataExample.watchMarket(`${server.url}/ok`, 4))
      assert.deepStrictEqual(all.seen, ["snapshot", "book", "book", "trade 10 @ 12.50"])
      const followed = yield* MarketDataExample.followMarket(`${server.url}/ok`, 4)
      assert.deepStrictEqual([...followed], ["snapshot 3", "book 4", "book 5", "trade 5"])
    }))

  it.effect("Promise example: health, a page of markets, a typed refusal", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const result = yield* Effect.promise(() => PromiseExample.listMarkets(`${server.url}/ok`))
      assert.deepStrictEqual(result, {
        status: "ok",
        markets: ["CEA_CASH: CEA/EUR"],
        refused: "validation_failed (limit)"
      })
    }))

  it.effect("Effect example: version, and readiness failing with a typed error", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const result = yield* EffectExample.main(`${server.url}/ok`)
      assert.deepStrictEqual(result, {
        version: "0.1.0",
        api_version: "2026-11-25",
        readiness: "not_ready: database not migrated"
      })
    }))
})
