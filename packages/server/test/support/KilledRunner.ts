/**
 * A job runner in a process of its own, for `JobRunner.test.ts` to kill: it runs one
 * round of `JobRunner.runDue` on the PostgreSQL database at the URL it is given, and runs
 * each job of kind `test.killed` by writing the job's effect (a row of
 * `killed_job_effects`) in a transaction it never commits, printing `inside <key>` once
 * it is there, then waiting forever for the test's SIGKILL.
 *
 * Usage: `node --conditions=@niha/source KilledRunner.ts <database-url> <instance>`
 */
import { Database } from "@niha/db"
import { JobRunner } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"

const [url, instance] = process.argv.slice(2)
if (url === undefined || instance === undefined) {
  process.stderr.write("usage: KilledRunner.ts <database-url> <instance>\n")
  process.exit(2)
}

const round = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return yield* JobRunner.runDue({
    "test.killed": (job) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* sql`INSERT INTO killed_job_effects (key, runner) VALUES (${job.key}, ${instance})`
        yield* Effect.sync(() => process.stdout.write(`inside ${job.key}\n`))
        return yield* Effect.never
      }))
  }, { instance, lease: "1 minute" })
})

Effect.runPromise(round.pipe(Effect.provide(Layer.orDie(Database.layerUrl({ url, maxConnections: 2 }))))).then(
  (ran) => {
    process.stderr.write(`the round ended (${ran} jobs) instead of blocking\n`)
    process.exit(1)
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
