/**
 * The command line of @niha/db: `migrate`, `seed`, `verify` and `schema:snapshot`.
 *
 * - `migrate` runs the pending migrations on `DATABASE_URL`, or on the embedded database
 *   in `NIHA_DATA_DIR` (default `.niha-data/pglite` under the workspace root).
 * - `seed` migrates, then loads the demo fixture (idempotent).
 * - `verify` runs the ledger's verification and exits 1 when it finds a problem.
 * - `schema:snapshot` migrates a fresh temporary embedded database and writes its
 *   snapshot to `schema.sql` beside this package's `package.json`.
 *
 * Run from the sources with `node --conditions=@niha/source src/bin.ts <command>` (the
 * package scripts do), or built, `node dist/bin.js <command>`.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as Database from "./Database.ts"
import * as DemoFixture from "./DemoFixture.ts"
import * as Ledger from "./Ledger.ts"
import * as Migrations from "./Migrations.ts"
import * as SchemaSnapshot from "./SchemaSnapshot.ts"

/** The workspace root (the nearest directory with a pnpm-workspace.yaml), else the working directory. */
const workspaceRoot = (): string => {
  let directory = process.cwd()
  for (;;) {
    if (NodeFs.existsSync(NodePath.join(directory, "pnpm-workspace.yaml"))) return directory
    const parent = NodePath.dirname(directory)
    if (parent === directory) return process.cwd()
    directory = parent
  }
}

/** The package directory: where package.json is, above this file in src/ or dist/. */
const packageDir = NodePath.resolve(NodePath.dirname(new URL(import.meta.url).pathname), "..")

const describeTarget = (target: Database.Target) =>
  target._tag === "Url" ? `PostgreSQL at ${target.url.replace(/\/\/[^@/]*@/, "//***@")}` : `PGlite in ${target.dataDir}`

const withTarget = <A, E>(f: (target: Database.Target) => Effect.Effect<A, E, Database.Client>) =>
  Effect.gen(function*() {
    const target = yield* Database.targetConfig({
      dataDir: NodePath.join(workspaceRoot(), Database.defaultDataDir)
    })
    yield* Effect.sync(() => console.log(`database: ${describeTarget(target)}`))
    return yield* f(target).pipe(Effect.provide(Database.layerTarget(target)))
  })

const migrate = withTarget(() =>
  Effect.gen(function*() {
    const ran = yield* Migrations.run
    console.log(
      ran.length === 0
        ? "migrations: up to date"
        : `migrations: ran ${ran.map(([id, name]) => `${id}_${name}`).join(", ")}`
    )
  })
)

const seed = withTarget(() =>
  Effect.gen(function*() {
    yield* Migrations.run
    const inserted = yield* DemoFixture.load
    const entries = Object.entries(inserted)
    console.log(
      entries.length === 0
        ? "seed: the demo fixture is already loaded"
        : `seed: inserted ${entries.map(([table, count]) => `${count} ${table}`).join(", ")}`
    )
  })
)

const verify = withTarget(() =>
  Effect.gen(function*() {
    const ledger = yield* Ledger.Ledger
    const report = yield* ledger.verify
    console.log(JSON.stringify(report, null, 2))
    if (!report.ok) return yield* Effect.fail(new Error("the ledger does not verify"))
  }).pipe(Effect.provide(Ledger.Ledger.layer))
)

const snapshot = Effect.gen(function*() {
  const dataDir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "niha-db-snapshot-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dataDir, { recursive: true, force: true })))
  const text = yield* Effect.andThen(Migrations.run, SchemaSnapshot.read).pipe(
    Effect.provide(Layer.fresh(Database.layerEmbedded({ dataDir })))
  )
  const file = NodePath.join(packageDir, "schema.sql")
  NodeFs.writeFileSync(file, text)
  console.log(`schema snapshot: wrote ${file}`)
}).pipe(Effect.scoped)

const commands: Record<string, Effect.Effect<void, unknown>> = {
  migrate,
  seed,
  verify,
  "schema:snapshot": snapshot
}

const name = process.argv[2] ?? ""
const command = commands[name]
if (command === undefined) {
  console.error(`usage: niha-db <${Object.keys(commands).join(" | ")}>`)
  process.exitCode = 2
} else {
  Effect.runPromiseExit(command).then((exit) => {
    if (exit._tag === "Failure") {
      console.error(`${name} failed:`, exit.cause)
      process.exitCode = 1
    }
  })
}
