import { assert, describe, it } from "@effect/vitest"
import { Database, Migrations } from "@niha/db"
import { JobRunner } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import * as NodeChildProcess from "node:child_process"
import * as NodePath from "node:path"
import * as TestServer from "./support/TestServer.ts"

const start = DateTime.makeUnsafe("2026-12-01T09:00:00Z")

/** A migrated fresh database of the backend, with the test clock at `start`. */
const database = (backend: TestServer.Backend) =>
  Effect.gen(function*() {
    const layer = Layer.provideMerge(Migrations.layer, yield* TestServer.freshDatabase(backend))
    yield* TestClock.setTime(DateTime.toEpochMillis(start))
    return yield* Layer.build(layer)
  })

const statusOf = (kind: string, key: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ status: string; attempts: number; last_error: string | null; run_at: Date }>`
      SELECT status, attempts, last_error, run_at FROM jobs WHERE kind = ${kind} AND key = ${key}`
    return row
  })

/** A runner in a process of its own (`support/KilledRunner.ts`), started with this Node. */
const spawnRunner = (url: string, instance: string) => {
  const script = NodePath.resolve(import.meta.dirname, "support/KilledRunner.ts")
  const child = NodeChildProcess.spawn(process.execPath, ["--conditions=@niha/source", script, url, instance], {
    stdio: ["ignore", "pipe", "pipe"]
  })
  const output: Array<string> = []
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk))
  const exited = new Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  )
  // Resolves with the key of the job the runner is blocked inside, or fails when it exits first.
  const inside = new Promise<string>((resolve, reject) => {
    let seen = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk
      const key = /inside (\S+)\n/.exec(seen)?.[1]
      if (key !== undefined) resolve(key)
    })
    void exited.then(({ code }) => reject(new Error(`the runner exited (${code}) first:\n${output.join("")}`)))
  })
  return { process: child, exited, inside }
}

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`JobRunner [${backend}]`, () => {
    it.effect(
      "schedules a job once per kind and key, and runs it when it is due",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* database(backend)
          yield* Effect.gen(function*() {
            const ran: Array<string> = []
            const handlers = { "test.once": (job: { readonly key: string }) => Effect.sync(() => ran.push(job.key)) }
            const runAt = DateTime.add(start, { hours: 1 })
            assert.isTrue(yield* JobRunner.schedule({ kind: "test.once", key: "a", runAt }))
            assert.isFalse(yield* JobRunner.schedule({ kind: "test.once", key: "a", runAt: start }))
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
            yield* TestClock.adjust("59 minutes")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
            yield* TestClock.adjust("1 minute")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
            assert.deepStrictEqual(ran, ["a"])
            assert.strictEqual((yield* statusOf("test.once", "a"))?.status, "DONE")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 60_000 }
    )

    it.effect(
      "retries a failing job with backoff and gives up after its last attempt",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* database(backend)
          yield* Effect.gen(function*() {
            let tries = 0
            const handlers = { "test.flaky": () => Effect.suspend(() => (tries++, Effect.fail("bank is down"))) }
            yield* JobRunner.schedule({ kind: "test.flaky", key: "k", maxAttempts: 3 })
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
            const first = yield* statusOf("test.flaky", "k")
            assert.strictEqual(first?.status, "PENDING")
            assert.include(first?.last_error ?? "", "bank is down")
            // Not before its backoff (1 s after the first failure, 2 s after the second).
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
            yield* TestClock.adjust("1 second")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
            yield* TestClock.adjust("1 second")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
            yield* TestClock.adjust("1 second")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
            const last = yield* statusOf("test.flaky", "k")
            assert.strictEqual(last?.status, "FAILED")
            assert.strictEqual(last?.attempts, 3)
            assert.strictEqual(tries, 3)
            yield* TestClock.adjust("1 hour")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 60_000 }
    )

    it.effect(
      "retries the job of a runner that died mid-run once its lease ends, not before",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* database(backend)
          yield* Effect.gen(function*() {
            const ran: Array<string> = []
            const handlers = { "test.lease": () => Effect.sync(() => ran.push("r2")) }
            yield* JobRunner.schedule({ kind: "test.lease", key: "k" })
            // r1 leases the job and dies before finishing it.
            const leased = yield* JobRunner.leaseDue("r1", { lease: "1 minute" })
            assert.strictEqual(leased.length, 1)
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r2" }), 0)
            yield* TestClock.adjust("1 minute")
            assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r2" }), 1)
            assert.deepStrictEqual(ran, ["r2"])
            const done = yield* statusOf("test.lease", "k")
            assert.strictEqual(done?.status, "DONE")
            assert.strictEqual(done?.attempts, 2)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 60_000 }
    )

    it.effect("runs a recurring job again after its interval", () =>
      Effect.scoped(Effect.gen(function*() {
        const context = yield* database(backend)
        yield* Effect.gen(function*() {
          let runs = 0
          const handlers = { "test.every": () => Effect.sync(() => runs++) }
          yield* JobRunner.schedule({ kind: "test.every", key: "k", every: "10 seconds" })
          assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
          assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 0)
          yield* TestClock.adjust("10 seconds")
          assert.strictEqual(yield* JobRunner.runDue(handlers, { instance: "r1" }), 1)
          assert.strictEqual(runs, 2)
          assert.strictEqual((yield* statusOf("test.every", "k"))?.status, "PENDING")
        }).pipe(Effect.provideContext(context))
      })), { timeout: 60_000 })

    if (backend === "postgres") {
      it.effect(
        "gives the job of a runner process killed mid-run (SIGKILL) to another runner after its lease: run once",
        () =>
          Effect.scoped(Effect.gen(function*() {
            // The other process leases on the real clock: this one starts from the real now
            // (set before the database is opened, whose background fibers follow the clock).
            yield* TestClock.setTime(yield* Effect.sync(() => Date.now()))
            const url = yield* TestServer.freshPostgresUrl
            const context = yield* Layer.build(
              Layer.provideMerge(Migrations.layer, Layer.orDie(Database.layerUrl({ url, maxConnections: 4 })))
            )
            yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              yield* sql`CREATE TABLE killed_job_effects (key text PRIMARY KEY, runner text NOT NULL)`
              yield* JobRunner.schedule({ kind: "test.killed", key: "payout-1" })

              const doomed = spawnRunner(url, "doomed")
              yield* Effect.addFinalizer(() => Effect.sync(() => doomed.process.kill("SIGKILL")))
              assert.strictEqual(yield* Effect.promise(() => doomed.inside), "payout-1")
              const leased = yield* statusOf("test.killed", "payout-1")
              assert.deepStrictEqual([leased?.status, leased?.attempts], ["RUNNING", 1])
              doomed.process.kill("SIGKILL")
              assert.strictEqual((yield* Effect.promise(() => doomed.exited)).signal, "SIGKILL")

              const effects = sql<{ key: string; runner: string }>`SELECT key, runner FROM killed_job_effects`
              const heirRuns: Array<string> = []
              const heir = JobRunner.runDue({
                "test.killed": (job) =>
                  Effect.gen(function*() {
                    heirRuns.push(job.key)
                    yield* sql`INSERT INTO killed_job_effects (key, runner) VALUES (${job.key}, 'heir')`
                  })
              }, { instance: "heir" })
              // What the killed runner wrote died with its connection; its lease still holds.
              assert.deepStrictEqual(yield* effects, [])
              assert.strictEqual(yield* heir, 0)
              // Once the lease has ended, the job is run again: once, not lost, not doubled.
              yield* TestClock.adjust("2 minutes")
              assert.strictEqual(yield* heir, 1)
              assert.strictEqual(yield* heir, 0)
              assert.deepStrictEqual(heirRuns, ["payout-1"])
              assert.deepStrictEqual(yield* effects, [{ key: "payout-1", runner: "heir" }])
              const done = yield* statusOf("test.killed", "payout-1")
              assert.deepStrictEqual([done?.status, done?.attempts], ["DONE", 2])
            }).pipe(Effect.provideContext(context))
          })),
        { timeout: 120_000 }
      )

      it.effect(
        "lets two runners on one database run each due job exactly once",
        () =>
          Effect.scoped(Effect.gen(function*() {
            const context = yield* database(backend)
            yield* Effect.gen(function*() {
              const runs = new Map<string, Array<string>>()
              const handlersOf = (instance: string) => ({
                "test.shared": (job: { readonly key: string }) =>
                  Effect.sync(() => runs.set(job.key, [...(runs.get(job.key) ?? []), instance]))
              })
              for (let i = 0; i < 40; i++) yield* JobRunner.schedule({ kind: "test.shared", key: `job-${i}` })
              const round = (instance: string) => JobRunner.runDue(handlersOf(instance), { instance, batch: 3 })
              let total = 0
              while (total < 40) {
                const [a, b] = yield* Effect.all([round("r1"), round("r2")], { concurrency: 2 })
                total += a + b
                if (a + b === 0) break
              }
              assert.strictEqual(total, 40)
              assert.strictEqual(runs.size, 40)
              for (const [key, by] of runs) assert.strictEqual(by.length, 1, key)
              const by = [...runs.values()].flat()
              assert.isTrue(by.includes("r1") && by.includes("r2"), "both runners took jobs")
            }).pipe(Effect.provideContext(context))
          })),
        { timeout: 60_000 }
      )
    }
  })
}
