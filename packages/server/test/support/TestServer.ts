/**
 * Starts the real server for the tests: `Server.layer` on port 0 of 127.0.0.1 with a
 * fresh database, and every JSON log line it writes kept in memory.
 *
 * - PGlite: a fresh data directory per server, copied from a template `initdb` ran into
 *   once per machine (initdb takes seconds, a copy a fraction of one).
 * - PostgreSQL: a fresh database with a random name on the server at `NIHA_TEST_PG_URL`
 *   (default `postgres://postgres@127.0.0.1:5432/test`), dropped when the server stops;
 *   when nothing answers there, those suites are skipped with the reason in their title.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Database } from "@niha/db"
import { DocumentStorage, Logging, Mailer, type Password, Server } from "@niha/server"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import dbPackage from "../../../db/package.json" with { type: "json" }

/** The PostgreSQL server the PostgreSQL suites create their databases on. */
export const adminUrl = process.env["NIHA_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

const selected = process.env["NIHA_TEST_DB"]?.trim().toLowerCase()

const withAdmin = <A, E>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.scoped(
    Effect.flatMap(PgClient.makeClient({ url: Redacted.make(adminUrl), connectTimeout: "3 seconds" }), f)
  ).pipe(Effect.provide(Reactivity.layer))

/** Why the PostgreSQL suites are skipped here, or undefined when they run. */
export const postgresSkipReason: string | undefined = selected === "pglite" ?
  "NIHA_TEST_DB=pglite" :
  await Effect.runPromiseExit(withAdmin((sql) => sql`SELECT 1`)).then((exit) =>
    exit._tag === "Success" ? undefined : "no PostgreSQL answers at NIHA_TEST_PG_URL"
  )

/** Why the PGlite suites are skipped here, or undefined when they run. */
export const pgliteSkipReason: string | undefined = selected === "postgres" ? "NIHA_TEST_DB=postgres" : undefined

const templateDir = NodePath.join(
  NodeOs.tmpdir(),
  `niha-server-pglite-template-${process.getuid?.() ?? 0}-${dbPackage.dependencies["@electric-sql/pglite"]}`
)

const template = Effect.promise(async () => {
  const marker = NodePath.join(templateDir, ".niha-ready")
  if (await NodeFs.stat(marker).then(() => true, () => false)) return templateDir
  const building = `${templateDir}.${process.pid}.${NodeCrypto.randomBytes(4).toString("hex")}`
  await Effect.runPromise(Effect.scoped(Layer.build(Database.layerEmbedded({ dataDir: building }))))
  await NodeFs.writeFile(NodePath.join(building, ".niha-ready"), "")
  // Another worker may have won the race; either template is as good.
  await NodeFs.rename(building, templateDir).catch(() => NodeFs.rm(building, { recursive: true, force: true }))
  return templateDir
})

/** A fresh data directory of the embedded database, removed when the scope closes. */
export const freshDataDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.flatMap(template, (source) =>
    Effect.promise(async () => {
      const dir = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-server-test-"))
      await NodeFs.cp(source, dir, { recursive: true })
      await NodeFs.rm(NodePath.join(dir, ".niha-ready"), { force: true })
      return dir
    })),
  (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
)

/** A fresh, empty database on the PostgreSQL server, dropped (with force) when the scope closes. */
export const freshPostgresUrl: Effect.Effect<string, unknown, Scope.Scope> = Effect.gen(function*() {
  const name = `niha_server_test_${NodeCrypto.randomBytes(6).toString("hex")}`
  yield* Effect.acquireRelease(
    withAdmin((sql) => sql.unsafe(`CREATE DATABASE ${name}`)),
    () => Effect.ignore(withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
  )
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
})

/** The backends a suite can run on. */
export type Backend = "pglite" | "postgres"

/** A fresh database of a backend, as the Layer the server takes. */
export const freshDatabase = (
  backend: Backend
): Effect.Effect<Layer.Layer<Database.Client, unknown>, unknown, Scope.Scope> =>
  backend === "pglite" ?
    Effect.map(freshDataDir, (dataDir) => Database.layerEmbedded({ dataDir })) :
    Effect.map(freshPostgresUrl, (url) => Database.layerUrl({ url, maxConnections: 4 }))

/**
 * The backend of suites that test the HTTP layer rather than the database: PostgreSQL
 * when one answers (a fresh database costs milliseconds there), else PGlite.
 */
export const quickBackend: Backend = postgresSkipReason === undefined ? "postgres" : "pglite"

/** Why suites on a backend are skipped here, or undefined when they run. */
export const skipReasonOf = (backend: Backend): string | undefined =>
  backend === "pglite" ? pgliteSkipReason : postgresSkipReason

/** A running server. */
export interface Running {
  readonly baseUrl: string
  readonly backend: Backend
  /** The server's database, for a second connection (PostgreSQL only: PGlite is one session). */
  readonly database: Layer.Layer<Database.Client, unknown>
  /** Every log line written so far, parsed. */
  readonly logs: ReadonlyArray<LogLine>
  /** Every mail the outbox delivered so far. */
  readonly mails: ReadonlyArray<SentMail>
  /** The admin made on first start, with its one-time password. */
  readonly admin: { readonly email: string; readonly password: string }
}

/** One line of the JSON logs. */
export interface LogLine {
  readonly message: unknown
  readonly level: string
  readonly annotations: Readonly<Record<string, unknown>>
  readonly cause?: string | undefined
}

/** The options of the server under test, beyond port, host and database. */
export type TestOptions = Partial<Omit<Server.Options<unknown>, "port" | "host" | "database">>

/** The password cost of test servers: scrypt's OWASP memory cost makes each hash take a second here. */
export const testPasswordParams: Password.Params = { ln: 10, r: 8, p: 1 }

/** One mail the server sent, as its transport received it. */
export type SentMail = Mailer.Message

/** Starts a server on a fresh database of the backend; it stops when the scope closes. */
export const start = (
  backend: Backend,
  options: TestOptions = {}
): Effect.Effect<Running, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const logs: Array<LogLine> = []
    const mails: Array<SentMail> = []
    const mailer = Layer.succeed(Mailer.Mailer, {
      provider: "log",
      send: (message) =>
        Effect.sync(() => {
          mails.push(message)
          return { provider: "log" as const, message_id: `test-${mails.length}` }
        })
    })
    const database = yield* freshDatabase(backend)
    const admins: Array<{ readonly email: string; readonly password: string }> = []
    const context = yield* Layer.build(Server.layer({
      firstAdmin: {
        email: "admin@niha.test",
        announce: (created) => Effect.sync(() => admins.push({ email: created.user.email, password: created.password }))
      },
      storage: DocumentStorage.layerMemory,
      mailer,
      mailPollInterval: "50 millis",
      passwordParams: testPasswordParams,
      ...options,
      port: 0,
      host: "127.0.0.1",
      database
    })).pipe(
      Effect.provide(Logging.layer({ level: "Debug", write: (line) => logs.push(JSON.parse(line) as LogLine) }))
    )
    const port = yield* Effect.provide(Server.port, context)
    const admin = admins[0] ?? { email: "", password: "" }
    return { baseUrl: `http://127.0.0.1:${port}`, backend, database, logs, mails, admin }
  })

/** The running server as a service, for `layer(...)` suites. */
export class TestServer extends Context.Service<TestServer, Running>()("@niha/server/test/TestServer") {}

/** A server on a fresh database of the backend, for the suite's lifetime. */
export const layer = (backend: Backend, options?: TestOptions): Layer.Layer<TestServer, unknown> =>
  Layer.effect(TestServer, start(backend, options))

/** Both backends, each with the reason it is skipped here, if it is. */
export const backends: ReadonlyArray<{ readonly backend: Backend; readonly skipReason: string | undefined }> = [
  { backend: "pglite", skipReason: skipReasonOf("pglite") },
  { backend: "postgres", skipReason: skipReasonOf("postgres") }
]
