import { assert, describe, it } from "@effect/vitest"
import { Handlers } from "@niha/server"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import * as EmbedExample from "./examples/embed.ts"
import { firstTenMinutes } from "./examples/first-ten-minutes.ts"
import { mailTo, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const here = import.meta.dirname
const readme = NodeFs.readFileSync(NodePath.join(here, "../README.md"), "utf8")
const rootReadme = NodeFs.readFileSync(NodePath.join(here, "../../../README.md"), "utf8")

describe("the README", () => {
  it("shows the example exactly as it is tested", () => {
    assert.include(readme, NodeFs.readFileSync(NodePath.join(here, "examples/embed.ts"), "utf8").trim())
  })

  it("states the migration the server reports", () => {
    const stated = /database: \{ migration: (\d+), expected_migration: (\d+) \}/.exec(readme)
    assert.deepStrictEqual(stated?.slice(1), [String(Handlers.expectedMigration), String(Handlers.expectedMigration)])
  })

  it("shows the first ten minutes in the repository's README exactly as they are tested", () => {
    assert.include(rootReadme, NodeFs.readFileSync(NodePath.join(here, "examples/first-ten-minutes.ts"), "utf8").trim())
  })

  it.live.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
    `runs the first ten minutes against a started server [${TestServer.quickBackend}]`,
    () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* TestServer.start(TestServer.quickBackend)
        const role = yield* Effect.promise(() =>
          firstTenMinutes(
            server.baseUrl,
            server.admin,
            (to) => Effect.runPromise(Effect.map(mailTo(server, to), (mail) => tokenOf(mail.text)))
          )
        )
        assert.strictEqual(role, "APPROVED")
      })),
    { timeout: 120_000 }
  )

  it.live.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
    `runs the embedding example [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const database = yield* TestServer.freshDatabase(TestServer.quickBackend)
        const ready = yield* EmbedExample.serveAndAsk(database)
        assert.deepStrictEqual({ status: ready.status, database: ready.database }, {
          status: "ready",
          database: { migration: Handlers.expectedMigration, expected_migration: Handlers.expectedMigration }
        })
      }),
    { timeout: 120_000 }
  )
})
