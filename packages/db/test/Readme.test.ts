import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import { batchExample } from "./batchExample.ts"
import { example } from "./example.ts"
import { freshMigratedDataDir, pgliteSkipReason } from "./support/Backends.ts"

describe("README", () => {
  it("shows the example exactly as it is tested", () => {
    const readme = NodeFs.readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const source = NodeFs.readFileSync(new URL("./example.ts", import.meta.url), "utf8")
    assert.include(readme, source.trim())
  })

  it.live.skipIf(pgliteSkipReason !== undefined)("runs the example", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshMigratedDataDir
      const result = yield* Effect.promise(() => example(dataDir))
      assert.deepStrictEqual([Number(result.available), Number(result.locked), result.verified], [150_000, 0, true])
    }), 60_000)

  it("shows the batch example exactly as it is tested", () => {
    const readme = NodeFs.readFileSync(new URL("../README.md", import.meta.url), "utf8")
    const source = NodeFs.readFileSync(new URL("./batchExample.ts", import.meta.url), "utf8")
    assert.include(readme, source.trim())
  })

  it.live.skipIf(pgliteSkipReason !== undefined)("runs the batch example", () =>
    Effect.gen(function*() {
      const dataDir = yield* freshMigratedDataDir
      const result = yield* Effect.promise(() => batchExample(dataDir))
      assert.deepStrictEqual({ ...result, available: Number(result.available) }, {
        outcomes: ["applied", "InsufficientFunds", "applied"],
        unlocked: true,
        available: 100_000,
        verified: true
      })
    }), 60_000)
})
