/**
 * The test harness of @niha/db: runs a suite once per available database backend.
 *
 * - PostgreSQL: the server at `NIHA_TEST_PG_URL` (default
 *   `postgres://postgres@127.0.0.1:5432/test`). Each suite gets a fresh database with a
 *   random name, created through that URL's database and dropped (WITH FORCE) when the
 *   suite ends, so runs never see each other's rows. When no server answers, the suite
 *   is registered as skipped with the reason in its title.
 * - PGlite: a fresh temporary data directory per suite, copied from a template that
 *   `initdb` ran into once per machine (initdb costs seconds, a copy a fraction); suites
 *   that want a migrated database copy a template the migrations ran into once per chain.
 *
 * `NIHA_TEST_DB=pglite` or `NIHA_TEST_DB=postgres` restricts the run to one backend.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { describe, layer } from "@effect/vitest"
import type * as Vitest from "@effect/vitest"
import { PGlite } from "@electric-sql/pglite"
import { Database, Migrations } from "@niha/db"
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

/** The backends a suite runs on. */
export type BackendName = "postgres" | "pglite"

/** The server the PostgreSQL suites create their databases on. */
export const adminUrl = process.env.NIHA_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const selected = process.env.NIHA_TEST_DB?.trim().toLowerCase()

const redact = (url: string): string => {
  const parsed = new URL(url)
  if (parsed.password !== "") parsed.password = "***"
  return parsed.toString()
}

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Runs `f` with a one-connection client on the admin database. */
const withAdmin = <A, E>(
  f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>
) =>
  Effect.scoped(
    Effect.flatMap(PgClient.makeClient({ url: Redacted.make(adminUrl), connectTimeout: "3 seconds" }), f)
  ).pipe(Effect.provide(Reactivity.layer))

const probePostgres = async (): Promise<string | undefined> => {
  if (selected === "pglite") return "NIHA_TEST_DB=pglite"
  const result = await Effect.runPromiseExit(
    withAdmin((sql) => sql<{ version: number }>`SELECT current_setting('server_version_num')::int AS version`)
  )
  if (result._tag === "Failure") {
    return `no PostgreSQL answers at ${redact(adminUrl)}; set NIHA_TEST_PG_URL`
  }
  const version = result.value[0]?.version ?? 0
  return version >= 150000 ? undefined : `the PostgreSQL at ${redact(adminUrl)} is older than 15 (${version})`
}

/** Why the PostgreSQL suites are skipped on this machine, or undefined when they run. */
export const postgresSkipReason: string | undefined = await probePostgres()

/** Why the PGlite suites are skipped, or undefined when they run. */
export const pgliteSkipReason: string | undefined = selected === "postgres" ? "NIHA_TEST_DB=postgres" : undefined

/** A fresh database on the PostgreSQL server, dropped when the layer closes. */
export const freshPostgres = (options?: { readonly maxConnections?: number }): Layer.Layer<Database.Client, unknown> =>
  Layer.unwrap(Effect.gen(function*() {
    const name = `niha_test_${NodeCrypto.randomBytes(6).toString("hex")}`
    yield* Effect.acquireRelease(
      withAdmin((sql) => sql.unsafe(`CREATE DATABASE ${name}`)),
      () => Effect.ignore(withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
    )
    return Database.layerUrl({ url: withDatabase(adminUrl, name), maxConnections: options?.maxConnections ?? 8 })
  }))

const templateDir = NodePath.join(NodeOs.tmpdir(), `niha-db-pglite-template-${process.getuid?.() ?? 0}-v1`)

/** A data directory `initdb` has run into, made once per machine and reused (read-only) after. */
const pgliteTemplate = async (): Promise<string> => {
  const marker = NodePath.join(templateDir, ".niha-ready")
  const ready = await NodeFs.stat(marker).then(() => true, () => false)
  if (ready) return templateDir
  const building = `${templateDir}.${process.pid}.${NodeCrypto.randomBytes(4).toString("hex")}`
  const database = await PGlite.create({ dataDir: building })
  await database.close()
  await NodeFs.writeFile(NodePath.join(building, ".niha-ready"), "")
  // Another worker may have won the race; either template is as good.
  await NodeFs.rename(building, templateDir).catch(() => NodeFs.rm(building, { recursive: true, force: true }))
  return templateDir
}

const copyTemplate = async (template: string): Promise<string> => {
  const dir = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-db-test-"))
  await NodeFs.cp(template, dir, { recursive: true })
  await NodeFs.rm(NodePath.join(dir, ".niha-ready"), { force: true })
  return dir
}

/** A fresh temporary data directory (initdb done, nothing migrated), removed when the scope closes. */
export const freshDataDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => copyTemplate(await pgliteTemplate())),
  (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
)

/** The migrations' fingerprint: a change to the chain makes a new migrated template. */
const migrationsHash = NodeCrypto.createHash("sha256").update(JSON.stringify(Migrations.all)).digest("hex").slice(0, 16)
const migratedTemplateDir = `${templateDir}-migrated-${migrationsHash}`

/** A data directory the migrations ran into once per machine (and chain), reused (read-only) after. */
const migratedTemplate = Effect.gen(function*() {
  const marker = NodePath.join(migratedTemplateDir, ".niha-ready")
  if (yield* Effect.promise(() => NodeFs.stat(marker).then(() => true, () => false))) return migratedTemplateDir
  const building = yield* Effect.promise(async () => {
    const dir = `${migratedTemplateDir}.${process.pid}.${NodeCrypto.randomBytes(4).toString("hex")}`
    await NodeFs.cp(await pgliteTemplate(), dir, { recursive: true })
    await NodeFs.rm(NodePath.join(dir, ".niha-ready"), { force: true })
    return dir
  })
  yield* Effect.orDie(Migrations.run.pipe(Effect.provide(Database.layerEmbedded({ dataDir: building }))))
  yield* Effect.promise(async () => {
    await NodeFs.writeFile(NodePath.join(building, ".niha-ready"), "")
    await NodeFs.rename(building, migratedTemplateDir).catch(() =>
      NodeFs.rm(building, { recursive: true, force: true })
    )
  })
  return migratedTemplateDir
})

/** A fresh temporary data directory with the schema migrated, removed when the scope closes. */
export const freshMigratedDataDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.flatMap(migratedTemplate, (template) => Effect.promise(() => copyTemplate(template))),
  (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
)

/** The embedded database on a fresh temporary data directory. */
export const freshPglite = (options?: { readonly migrated?: boolean }): Layer.Layer<Database.Client, unknown> =>
  Layer.unwrap(
    Effect.map(
      options?.migrated === true ? freshMigratedDataDir : freshDataDir,
      (dataDir) => Database.layerEmbedded({ dataDir })
    )
  )

/** Both backends, each with the reason it is skipped here, if it is. */
export const backends: ReadonlyArray<{
  readonly name: BackendName
  readonly title: string
  readonly skipReason: string | undefined
  /** A fresh database; on PGlite, copied from a migrated template when `migrated`. */
  readonly layer: (migrated: boolean) => Layer.Layer<Database.Client, unknown>
}> = [
  { name: "postgres", title: "PostgreSQL", skipReason: postgresSkipReason, layer: () => freshPostgres() },
  {
    name: "pglite",
    title: "PGlite",
    skipReason: pgliteSkipReason,
    layer: (migrated) => freshPglite({ migrated })
  }
]

/** Options of {@link eachBackend}. */
export interface SuiteOptions {
  /** Run the migrations before the suite (the default); false for an empty database. */
  readonly migrate?: boolean
  /** The backends to run on; both unless given. */
  readonly only?: BackendName
}

/**
 * Registers the suite once per backend, each on its own fresh database (migrated
 * unless `migrate: false`). A backend that is not available here gives a skipped
 * suite whose title says why.
 */
export const eachBackend = (
  name: string,
  body: (it: Vitest.Vitest.MethodsNonLive<Database.Client>, backend: BackendName) => void,
  options?: SuiteOptions
): void => {
  for (const backend of backends) {
    if (options?.only !== undefined && options.only !== backend.name) continue
    const title = `${name} [${backend.title}]`
    if (backend.skipReason !== undefined) {
      describe.skip(`${title} (skipped: ${backend.skipReason})`, () => {
        layer(backend.layer(false))((it) => body(it, backend.name))
      })
      continue
    }
    // Migrated suites on PGlite start from a copy of a migrated template (the migration
    // itself is tested on a fresh directory by Migrations.test.ts); running the migrator
    // again is then a no-op that checks the copy is up to date.
    const database = options?.migrate === false ?
      backend.layer(false) :
      Layer.provideMerge(Migrations.layer, backend.layer(true))
    layer(database, { excludeTestServices: true, timeout: "120 seconds" })(title, (it) => body(it, backend.name))
  }
}
