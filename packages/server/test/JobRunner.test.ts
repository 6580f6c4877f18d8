import { assert, describe, it } from "@effect/vitest"
import { Migrations } from "@niha/db"
import { JobRunner } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
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
