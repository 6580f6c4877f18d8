import * as NodeServices from "@effect/platform-node/NodeServices"
import { assert, describe, it } from "@effect/vitest"
import { Database, DemoFixture, Migrations } from "@niha/db"
import { PromiseClient } from "@niha/sdk"
import { Cli, Handlers, Logging } from "@niha/server"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestConsole from "effect/testing/TestConsole"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { spawn, waitForApiUrl } from "./support/Processes.ts"
import * as TestServer from "./support/TestServer.ts"

const withEnv = (env: Record<string, string>) =>
  Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

const freshTarget = Effect.gen(function*() {
  const target: Database.Target = TestServer.quickBackend === "postgres" ?
    { _tag: "Url", url: yield* TestServer.freshPostgresUrl } :
    { _tag: "Embedded", dataDir: yield* TestServer.freshDataDir }
  return target
})

const none = { databaseUrl: Option.none<string>(), dataDir: Option.none<string>() }

describe("the niha command line", () => {
  it.effect("takes the database from a flag first, then DATABASE_URL, then NIHA_DATA_DIR, then the default", () =>
    Effect.gen(function*() {
      const url = "postgres://niha:secret@db.example:5432/niha"
      assert.deepStrictEqual(
        yield* Cli.resolveTarget({ ...none, dataDir: Option.some("/flag") }).pipe(withEnv({ DATABASE_URL: url })),
        { _tag: "Embedded", dataDir: "/flag" }
      )
      assert.deepStrictEqual(
        yield* Cli.resolveTarget({ ...none, databaseUrl: Option.some(url) }).pipe(withEnv({ NIHA_DATA_DIR: "/env" })),
        { _tag: "Url", url }
      )
      assert.deepStrictEqual(
        yield* Cli.resolveTarget(none).pipe(withEnv({ DATABASE_URL: url, NIHA_DATA_DIR: "/env" })),
        { _tag: "Url", url }
      )
      assert.deepStrictEqual(
        yield* Cli.resolveTarget(none).pipe(withEnv({ NIHA_DATA_DIR: "/env" })),
        { _tag: "Embedded", dataDir: "/env" }
      )
      assert.deepStrictEqual(
        yield* Cli.resolveTarget(none).pipe(withEnv({})),
        { _tag: "Embedded", dataDir: Database.defaultDataDir }
      )
      const both = yield* Effect.flip(
        Cli.resolveTarget({ databaseUrl: Option.some(url), dataDir: Option.some("/flag") }).pipe(withEnv({}))
      )
      assert.strictEqual(both._tag, "ConflictingDatabaseFlags")
      assert.strictEqual(
        Cli.describeTarget({ _tag: "Url", url }),
        "PostgreSQL at postgres://niha:***@db.example:5432/niha"
      )
    }))

  it.effect("takes the log level from --log-level, then LOG_LEVEL, then info", () =>
    Effect.gen(function*() {
      const level = (flag: Option.Option<"Debug" | "Error">, env: Record<string, string>) =>
        Cli.resolveLogLevel.pipe(Effect.provideService(GlobalFlag.LogLevel, flag), withEnv(env))
      assert.strictEqual(yield* level(Option.some("Error"), { LOG_LEVEL: "debug" }), "Error")
      assert.strictEqual(yield* level(Option.none(), { LOG_LEVEL: "WARN" }), "Warn")
      assert.strictEqual(yield* level(Option.none(), {}), "Info")
      const invalid = yield* Effect.flip(level(Option.none(), { LOG_LEVEL: "loud" }))
      assert.strictEqual(invalid._tag, "ConfigError")
      assert.strictEqual(Logging.parseLevel(" Trace "), "Trace")
      assert.isUndefined(Logging.parseLevel("verbose"))
    }))

  it.effect("reads body sizes as bytes or with a unit", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Cli.parseSize("1048576"), 1_048_576)
      assert.strictEqual(yield* Cli.parseSize("1MiB"), 1_048_576)
      assert.strictEqual(yield* Cli.parseSize("512kB"), 512_000)
      for (const bad of ["", "0", "-5", "1.5", "lots", "2 parsecs"]) {
        const error = yield* Effect.flip(Cli.parseSize(bad))
        assert.strictEqual(error._tag, "InvalidSize", bad)
      }
    }))

  it.live.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
    `migrates a database once, then finds it up to date [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const target = yield* freshTarget
        const migrate = Cli.runWith(
          target._tag === "Url" ? ["migrate", "--database-url", target.url] : ["migrate", "--data-dir", target.dataDir]
        )
        yield* migrate
        yield* migrate
        const lines = (yield* TestConsole.logLines).map(String)
        const described = Cli.describeTarget(target)
        assert.deepStrictEqual(lines, [
          `${described}: ran ${Migrations.all.map((migration) => `${migration.id}_${migration.name}`).join(", ")}`,
          `${described} is up to date (migration ${Handlers.expectedMigration})`
        ])
      }).pipe(
        Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer)),
        withEnv({ LOG_LEVEL: "warn" })
      ),
    { timeout: 120_000 }
  )
})

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("niha admin create", () => {
  it.live(
    `makes an admin with a password printed once, and refuses a taken email [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const target = yield* freshTarget
        const flags = target._tag === "Url" ? ["--database-url", target.url] : ["--data-dir", target.dataDir]
        yield* Cli.runWith(["admin", "create", "--email", "Ops@Example.com", "--first-name", "Olga", ...flags])
        const printed = (yield* TestConsole.logLines).map(String).join("\n")
        assert.include(printed, "email     ops@example.com")
        const password = /password\s+(\S{24})\n/.exec(printed)?.[1]
        assert.isDefined(password)
        const taken = yield* Effect.flip(Cli.runWith(["admin", "create", "--email", "ops@example.com", ...flags]))
        assert.strictEqual(taken._tag, "EmailTaken")
      }).pipe(
        Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer)),
        withEnv({ LOG_LEVEL: "warn" })
      ),
    { timeout: 120_000 }
  )
})

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("niha seed", () => {
  it.live(
    `loads the demo data set once, and only with --demo [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const target = yield* freshTarget
        const flags = target._tag === "Url" ? ["--database-url", target.url] : ["--data-dir", target.dataDir]
        const refused = yield* Effect.flip(Cli.runWith(["seed", ...flags]))
        assert.strictEqual(refused._tag, "SeedNeedsDemo")
        yield* Cli.runWith(["seed", "--demo", ...flags])
        yield* Cli.runWith(["seed", "--demo", ...flags])
        const described = Cli.describeTarget(target)
        const loaded = Object.entries(DemoFixture.counts).map(([table, count]) => `${table} ${count}`).join(", ")
        assert.deepStrictEqual((yield* TestConsole.logLines).map(String), [
          `${described}: loaded the demo data set (${loaded})`,
          `${described} already holds the demo data set`
        ])
      }).pipe(
        Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer)),
        withEnv({ LOG_LEVEL: "warn" })
      ),
    { timeout: 120_000 }
  )
})

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("niha start (a real process)", () => {
  it.live(
    `serves with its settings from the environment, stops cleanly on SIGTERM [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const target = yield* freshTarget
        const storage = yield* Effect.acquireRelease(
          Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-cli-files-"))),
          (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
        )
        const child = spawn(["start"], {
          PORT: "0",
          LOG_LEVEL: "debug",
          NIHA_STORAGE_DIR: storage,
          NIHA_ADMIN_EMAIL: "ops@niha.test",
          ...(target._tag === "Url" ? { DATABASE_URL: target.url } : { NIHA_DATA_DIR: target.dataDir })
        })
        yield* Effect.addFinalizer(() => Effect.sync(() => child.process.kill("SIGKILL")))
        const apiUrl = yield* waitForApiUrl(child)
        assert.match(apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
        const banner = child.stderr.join("")
        assert.include(banner, `Reference  ${apiUrl}/docs`)
        assert.include(banner, `OpenAPI    ${apiUrl}/openapi.json`)
        assert.include(banner, `Database   ${Cli.describeTarget(target)}`)

        const niha = PromiseClient.createClient({ baseUrl: apiUrl })
        assert.deepStrictEqual(yield* Effect.promise(() => niha.system.health()), { status: "ok" })
        // The first start made an admin and printed its password, once.
        const password = /password\s+(\S{24})\n/.exec(banner)?.[1] ?? ""
        assert.include(banner, "email     ops@niha.test")
        assert.include(banner, `curl -s ${apiUrl}/auth/login`)
        const session = yield* Effect.promise(() => niha.auth.login({ payload: { email: "ops@niha.test", password } }))
        assert.strictEqual(session.user.role, "ADMIN")
        assert.strictEqual((yield* Effect.promise(() => niha.system.ready())).status, "ready")

        child.process.kill("SIGTERM")
        const code = yield* Effect.promise(() => child.exited)
        assert.strictEqual(code, 0)
        const lines = child.stdout.join("").trim().split("\n").map((line) =>
          JSON.parse(line) as { readonly message: string; readonly level: string }
        )
        const messages = lines.map((line) => line.message)
        assert.includeMembers(messages, ["database opening", "database ready", "listening"])
        // LOG_LEVEL=debug lets the probes' access lines through.
        assert.isTrue(lines.some((line) => line.message === "request" && line.level === "DEBUG"))
        assert.deepStrictEqual(messages.slice(-3), [
          "shutting down: no new connections, finishing requests in flight",
          "database closing",
          "database closed"
        ])
      }),
    { timeout: 180_000 }
  )
})

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("niha audit verify", () => {
  it.live(
    `reports whole chains, then the row edited by hand [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const target = yield* freshTarget
        const flags = target._tag === "Url" ? ["--database-url", target.url] : ["--data-dir", target.dataDir]
        yield* Cli.runWith(["seed", "--demo", ...flags])
        yield* Cli.runWith(["audit", "verify", ...flags])
        const whole = (yield* TestConsole.logLines).map(String).slice(1)
        assert.strictEqual(whole.length, 2)
        assert.match(whole[0] ?? "", /^ticket_logs: 3 rows, whole, head 3 [0-9a-f]{64}$/)
        assert.match(whole[1] ?? "", /^activity_logs: 0 rows, whole, head 0 0{64}$/)
        yield* Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(Database.layerTarget(target))
          const sql = Context.get(context, SqlClient.SqlClient)
          yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`ALTER TABLE ticket_logs DISABLE TRIGGER ticket_logs_append_only`
            yield* sql`UPDATE ticket_logs SET after_state = '{"status":"FORGED"}'::jsonb WHERE chain_seq = 2`
            yield* sql`ALTER TABLE ticket_logs ENABLE TRIGGER ticket_logs_append_only`
          }))
        }))
        const broken = yield* Effect.flip(Cli.runWith(["audit", "verify", ...flags]))
        assert.strictEqual(broken._tag, "AuditChainBroken")
        const lines = (yield* TestConsole.logLines).map(String).slice(3)
        assert.match(lines[0] ?? "", /^ticket_logs: row edited at place 2 \(row [0-9a-f-]{36}\)/)
        assert.match(lines[1] ?? "", /^activity_logs: 0 rows, whole/)
      }).pipe(
        Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer)),
        withEnv({ LOG_LEVEL: "warn" })
      ),
    { timeout: 120_000 }
  )
})

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("niha backup and restore", () => {
  it.live(
    `backs up a seeded database and restores it into an empty one [${TestServer.quickBackend}]`,
    () =>
      Effect.gen(function*() {
        const source = yield* freshTarget
        const target = yield* freshTarget
        const flagsOf = (of: Database.Target) =>
          of._tag === "Url" ? ["--database-url", of.url] : ["--data-dir", of.dataDir]
        if (target._tag === "Embedded") yield* Effect.promise(() => NodeFs.rm(target.dataDir, { recursive: true }))
        yield* Cli.runWith(["seed", "--demo", ...flagsOf(source)])
        const dir = yield* Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-cli-backup-")))
        const file = NodePath.join(dir, "niha.backup")
        yield* Cli.runWith(["backup", "--out", file, ...flagsOf(source)])
        yield* Cli.runWith(["restore", "--from", file, ...flagsOf(target)])
        yield* Cli.runWith(["audit", "verify", ...flagsOf(target)])
        const lines = (yield* TestConsole.logLines).map(String)
        assert.include(lines[1] ?? "", `backed up to ${file}`)
        assert.include(lines[2] ?? "", `restored from ${file}`)
        assert.match(lines[3] ?? "", /^ticket_logs: 3 rows, whole/)
        const again = yield* Effect.flip(Cli.runWith(["restore", "--from", file, ...flagsOf(target)]))
        assert.strictEqual(again._tag, "BackupFailed")
        yield* Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
      }).pipe(
        Effect.scoped,
        Effect.provide(Layer.mergeAll(NodeServices.layer, TestConsole.layer)),
        withEnv({ LOG_LEVEL: "warn" })
      ),
    { timeout: 120_000 }
  )
})
