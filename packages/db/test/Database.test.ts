import * as PgClient from "@effect/sql-pg/PgClient"
import { assert, describe, it } from "@effect/vitest"
import { Database } from "@niha/db"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { eachBackend, freshDataDir, pgliteSkipReason } from "./support/Backends.ts"

eachBackend("Database", (it) => {
  it.effect("answers queries and binds parameters of each type", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ sum: number; text: string; big: bigint; money: string; at: Date }>`
        SELECT ${1}::int + ${2}::int AS sum, ${"a'b"}::text AS text, ${9007199254740993n}::bigint AS big,
               '1234.50'::numeric(20,2) AS money, ${new Date("2026-01-02T03:04:05.678Z")}::timestamptz AS at`
      assert.deepStrictEqual(row, {
        sum: 3,
        text: "a'b",
        big: 9007199254740993n,
        money: "1234.50",
        at: new Date("2026-01-02T03:04:05.678Z")
      })
    }))

  it.effect("keeps concurrent transactions of many fibers isolated", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE TABLE isolation_probe (fiber int PRIMARY KEY)`
      // Even fibers commit, odd fibers roll back. On one shared session without
      // isolation, a fiber would read rows of transactions that later roll back, and a
      // rollback would take other fibers' rows with it.
      const fibers = Array.from({ length: 16 }, (_, fiber) => fiber)
      const seen: Array<ReadonlyArray<number>> = []
      yield* Effect.forEach(
        fibers,
        (fiber) =>
          sql.withTransaction(Effect.gen(function*() {
            yield* sql`INSERT INTO isolation_probe (fiber) VALUES (${fiber})`
            yield* Effect.yieldNow
            const rows = yield* sql<{ fiber: number }>`SELECT fiber FROM isolation_probe`
            seen[fiber] = rows.map((row) => row.fiber)
            if (fiber % 2 === 1) return yield* Effect.fail("rollback" as const)
          })).pipe(Effect.catchIf((error) => error === "rollback", () => Effect.void)),
        { concurrency: "unbounded", discard: true }
      )
      seen.forEach((rows, fiber) => {
        assert.include(rows, fiber)
        const dirty = rows.filter((other) => other !== fiber && other % 2 === 1)
        assert.deepStrictEqual(dirty, [], `fiber ${fiber} read uncommitted rows`)
      })
      const rows = yield* sql<{ fiber: number }>`SELECT fiber FROM isolation_probe ORDER BY fiber`
      assert.deepStrictEqual(rows.map((row) => row.fiber), fibers.filter((fiber) => fiber % 2 === 0))
    }))

  it.effect("rolls back a failed transaction and leaves the connection usable", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`CREATE TABLE rollback_probe (id int PRIMARY KEY)`
      const failed = yield* sql.withTransaction(
        Effect.andThen(sql`INSERT INTO rollback_probe (id) VALUES (1)`, Effect.fail("boom" as const))
      ).pipe(Effect.flip)
      assert.strictEqual(failed, "boom")
      const rows = yield* sql`SELECT id FROM rollback_probe`
      assert.strictEqual(rows.length, 0)
    }))
}, { migrate: false })

describe.skipIf(pgliteSkipReason !== undefined)("Database.layerEmbedded", () => {
  it.live(
    "keeps committed data after the layer is closed and opened again, on a port chosen at start",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* freshDataDir
        const write = Effect.gen(function*() {
          // The socket server listens on a loopback port the system picked at start.
          const client = yield* PgClient.PgClient
          assert.strictEqual(client.config.host, "127.0.0.1")
          assert.isAbove(client.config.port ?? 0, 0)
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE survivor (id int PRIMARY KEY, label text NOT NULL)`
          yield* sql`INSERT INTO survivor (id, label) VALUES (1, 'written before the restart')`
        })
        yield* write.pipe(Effect.provide(Database.layerEmbedded({ dataDir }), { local: true }))
        const rows = yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ id: number; label: string }>`SELECT id, label FROM survivor`
        }).pipe(Effect.provide(Database.layerEmbedded({ dataDir }), { local: true }))
        assert.deepStrictEqual(rows, [{ id: 1, label: "written before the restart" }])
      }),
    60_000
  )

  it.live("fails with a typed error when the data directory cannot be used", () =>
    Effect.gen(function*() {
      // A data directory below a regular file can never be created.
      const file = NodePath.join(NodeOs.tmpdir(), `niha-db-not-a-directory-${process.pid}`)
      NodeFs.writeFileSync(file, "")
      yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(file, { force: true })))
      const error = yield* Layer.build(Database.layerEmbedded({ dataDir: NodePath.join(file, "data") })).pipe(
        Effect.scoped,
        Effect.flip
      )
      assert.strictEqual(error._tag, "EmbeddedDatabaseError")
    }), 60_000)
})

describe("Database.targetConfig", () => {
  const targetOf = (env: Record<string, string>) =>
    Database.targetConfig({ dataDir: "/srv/niha/pglite" }).pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
    )

  it.effect("takes DATABASE_URL first, then NIHA_DATA_DIR, then the default data directory", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        yield* targetOf({ DATABASE_URL: "postgres://u@db:5432/niha", NIHA_DATA_DIR: "/data" }),
        { _tag: "Url", url: "postgres://u@db:5432/niha" }
      )
      assert.deepStrictEqual(yield* targetOf({ NIHA_DATA_DIR: "/data" }), { _tag: "Embedded", dataDir: "/data" })
      assert.deepStrictEqual(yield* targetOf({ DATABASE_URL: " " }), { _tag: "Embedded", dataDir: "/srv/niha/pglite" })
      assert.deepStrictEqual(yield* targetOf({}), { _tag: "Embedded", dataDir: "/srv/niha/pglite" })
    }))
})
