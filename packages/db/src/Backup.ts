/**
 * Backups of a whole database, and their restore into an empty one:
 *
 * - PostgreSQL: `pg_dump --format=custom` (one snapshot: pg_dump reads every table in one
 *   repeatable-read transaction, so the ledger, the books, the journal and the audit chain
 *   are consistent with each other) and `pg_restore --single-transaction --exit-on-error
 *   --no-owner` into an empty database. The client tools must be on PATH (Debian:
 *   `postgresql-client`), at least the server's major version. Triggers are created after
 *   the data is loaded, so the append-only audit tables load as they were.
 * - Embedded (PGlite): the database's own dump of its data directory (a gzipped tar), and
 *   a new data directory made from it. The data directory must not be open elsewhere (stop
 *   the server first).
 *
 * Both report progress (bytes so far) through a callback every few seconds on long runs.
 *
 * @since 0.1.0
 */
import { PGlite } from "@electric-sql/pglite"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as NodeChildProcess from "node:child_process"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"
import type * as Database from "./Database.ts"

/**
 * A backup or a restore could not be done; `reason` says why in a sentence.
 *
 * @category errors
 * @since 0.1.0
 */
export class BackupFailed extends Schema.TaggedError<BackupFailed>()("BackupFailed", {
  /** What went wrong. */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.reason
  }
}

/**
 * Progress of a long run: bytes written (backup) or read (restore) so far.
 *
 * @category models
 * @since 0.1.0
 */
export type Progress = (bytes: number) => Effect.Effect<void>

/**
 * How often progress is reported.
 *
 * @category constants
 * @since 0.1.0
 */
export const progressInterval = "2 seconds"

const sizeOf = (file: string) => Effect.promise(() => NodeFs.stat(file).then((stat) => stat.size, () => 0))

/** Runs a client tool to its end, reporting the size of `file` meanwhile; fails with its stderr. */
const runTool = (
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  file: string,
  progress: Progress | undefined
) =>
  Effect.gen(function*() {
    const run = Effect.callback<void, BackupFailed>((resume) => {
      let stderr = ""
      const child = NodeChildProcess.spawn(command, [...args], {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, ...env }
      })
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4000)
      })
      child.on("error", (error) =>
        resume(Effect.fail(
          new BackupFailed({
            reason: `${command} could not be started (${error.message}): install the PostgreSQL client tools`
          })
        )))
      child.on("close", (code) =>
        resume(
          code === 0 ?
            Effect.void :
            Effect.fail(new BackupFailed({ reason: `${command} failed (exit ${code}): ${stderr.trim()}` }))
        ))
      return Effect.sync(() => child.kill("SIGTERM"))
    })
    if (progress === undefined) return yield* run
    return yield* Effect.scoped(Effect.gen(function*() {
      yield* Effect.forkScoped(
        Effect.forever(Effect.andThen(Effect.sleep(progressInterval), Effect.flatMap(sizeOf(file), progress)))
      )
      yield* run
    }))
  })

const withoutPassword = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.password = ""
    return parsed.toString()
  } catch {
    return url
  }
}

const environmentFor = (url: string): Record<string, string> => {
  try {
    const parsed = new URL(url)
    return parsed.password === "" ? {} : { PGPASSWORD: decodeURIComponent(parsed.password) }
  } catch {
    return {}
  }
}

/**
 * Writes a backup of the target database to `file` (a PostgreSQL custom-format archive,
 * or PGlite's gzipped data directory); answers its size in bytes.
 *
 * @category backup
 * @since 0.1.0
 */
export const backup = Effect.fn("Backup.backup")(function*(
  target: Database.Target,
  file: string,
  progress?: Progress
) {
  yield* Effect.promise(() => NodeFs.mkdir(NodePath.dirname(NodePath.resolve(file)), { recursive: true }))
  if (target._tag === "Url") {
    yield* runTool(
      "pg_dump",
      ["--format=custom", "--no-owner", `--file=${file}`, withoutPassword(target.url)],
      environmentFor(target.url),
      file,
      progress
    )
    return yield* sizeOf(file)
  }
  const dataDir = target.dataDir
  const exists = yield* Effect.promise(() =>
    NodeFs.stat(NodePath.join(dataDir, "PG_VERSION")).then(() => true, () => false)
  )
  if (!exists) return yield* new BackupFailed({ reason: `${dataDir} holds no embedded database` })
  const bytes = yield* Effect.tryPromise({
    try: async () => {
      const database = await PGlite.create({ dataDir })
      try {
        const dump = await database.dumpDataDir("gzip")
        const content = new Uint8Array(await dump.arrayBuffer())
        await NodeFs.writeFile(file, content)
        return content.byteLength
      } finally {
        await database.close()
      }
    },
    catch: (error) =>
      new BackupFailed({
        reason: `the embedded database could not be dumped: ${error instanceof Error ? error.message : String(error)}`
      })
  })
  if (progress !== undefined) yield* progress(bytes)
  return bytes
})

/**
 * Restores a backup into an empty target: a PostgreSQL database without tables, or a data
 * directory that does not exist yet (or is empty). Refuses a target that holds a database.
 *
 * @category backup
 * @since 0.1.0
 */
export const restore = Effect.fn("Backup.restore")(function*(
  target: Database.Target,
  file: string,
  progress?: Progress
) {
  const size = yield* sizeOf(file)
  if (size === 0) return yield* new BackupFailed({ reason: `${file} is not a backup (missing or empty)` })
  if (target._tag === "Url") {
    const env = environmentFor(target.url)
    const empty = yield* Effect.callback<boolean, BackupFailed>((resume) => {
      NodeChildProcess.execFile(
        "psql",
        [
          "-Atc",
          "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
          withoutPassword(target.url)
        ],
        { env: { ...process.env, ...env } },
        (error, stdout, stderr) =>
          resume(
            error === null ?
              Effect.succeed(stdout.trim() === "0") :
              Effect.fail(
                new BackupFailed({ reason: `the target database cannot be read: ${stderr.trim() || error.message}` })
              )
          )
      )
    })
    if (!empty) {
      return yield* new BackupFailed({ reason: "the target database is not empty: restore into a new, empty database" })
    }
    yield* runTool(
      "pg_restore",
      ["--single-transaction", "--exit-on-error", "--no-owner", `--dbname=${withoutPassword(target.url)}`, file],
      env,
      file,
      progress
    )
    return size
  }
  const dataDir = target.dataDir
  const entries = yield* Effect.promise(() => NodeFs.readdir(dataDir).catch(() => [] as Array<string>))
  if (entries.length > 0) {
    return yield* new BackupFailed({ reason: `${dataDir} is not empty: restore into a new data directory` })
  }
  yield* Effect.tryPromise({
    try: async () => {
      const content = await NodeFs.readFile(file)
      const database = await PGlite.create({ dataDir, loadDataDir: new Blob([content]) })
      await database.close()
    },
    catch: (error) =>
      new BackupFailed({
        reason: `the backup could not be loaded: ${error instanceof Error ? error.message : String(error)}`
      })
  })
  if (progress !== undefined) yield* progress(size)
  return size
})
