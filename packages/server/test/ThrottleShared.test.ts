/**
 * The shared throttle (`Throttle.makeShared`) keeps its log in the database: two throttles
 * of one name (two server instances) count the same attempts, concurrent takes never admit
 * more than the limit, it slides like the in-memory one, and expired keys are swept.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations } from "@niha/db"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as Throttle from "../src/Throttle.ts"
import * as TestServer from "./support/TestServer.ts"

/**
 * A clock frozen at `now` that {@link advance} moves, sleeping in real time: effect's
 * TestClock would also stop the timers of the PostgreSQL pool.
 */
const frozen = { now: 1_800_000_000_000 }
const advance = (duration: Duration.Input) =>
  Effect.sync(() => {
    frozen.now += Duration.toMillis(Duration.fromInputUnsafe(duration))
  })

const withDatabase = <A, E>(backend: TestServer.Backend, body: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.scoped(Effect.gen(function*() {
    const live = yield* Clock.Clock
    frozen.now = 1_800_000_000_000
    const clock: Clock.Clock = {
      currentTimeMillisUnsafe: () => frozen.now,
      currentTimeMillis: Effect.sync(() => frozen.now),
      currentTimeNanosUnsafe: () => BigInt(frozen.now) * 1_000_000n,
      currentTimeNanos: Effect.sync(() => BigInt(frozen.now) * 1_000_000n),
      monotonicTimeNanosUnsafe: () => live.monotonicTimeNanosUnsafe(),
      monotonicTimeNanos: live.monotonicTimeNanos,
      sleep: (duration) => live.sleep(duration)
    }
    const database = Layer.provideMerge(Migrations.layer, yield* TestServer.freshDatabase(backend))
    const context = yield* Layer.build(database)
    return yield* Effect.provideContext(body, context).pipe(Effect.provideService(Clock.Clock, clock))
  }))

const refused = (throttle: Throttle.Throttle, key: string) => Effect.flip(throttle.take(key))

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`Throttle.makeShared [${backend}]`, () => {
    it.live("is one count for every instance: what one admits the other refuses, with the wait", () =>
      withDatabase(
        backend,
        Effect.gen(function*() {
          const options = { limit: 3, window: "1 minute" } as const
          const first = yield* Throttle.makeShared("logins_per_address", options)
          const second = yield* Throttle.makeShared("logins_per_address", options)
          const other = yield* Throttle.makeShared("links_per_address", options)
          yield* first.take("203.0.113.7")
          yield* advance("10 seconds")
          yield* second.take("203.0.113.7")
          yield* first.take("203.0.113.7")
          const error = yield* refused(second, "203.0.113.7")
          assert.strictEqual(error.retry_after_seconds, 50)
          assert.strictEqual(error.limit, "3 attempts per 1m")
          assert.strictEqual((yield* refused(first, "203.0.113.7")).retry_after_seconds, 50)
          // Other keys and other throttles are counted apart.
          yield* first.take("198.51.100.1")
          yield* other.take("203.0.113.7")
          // Refused attempts do not lengthen the wait; the oldest leaving frees one.
          yield* advance("50 seconds")
          yield* second.take("203.0.113.7")
          assert.strictEqual((yield* refused(first, "203.0.113.7")).retry_after_seconds, 10)
          // A reset forgets the key for every instance.
          yield* second.reset("203.0.113.7")
          yield* first.take("203.0.113.7")
        })
      ))

    it.live("admits exactly `limit` of many concurrent attempts on one key", () =>
      withDatabase(
        backend,
        Effect.gen(function*() {
          const throttles = yield* Effect.forEach(
            [1, 2, 3, 4],
            () => Throttle.makeShared("links_per_email", { limit: 5, window: "15 minutes" })
          )
          const outcomes = yield* Effect.forEach(
            Array.from({ length: 40 }, (_, i) => i),
            (i) => {
              const throttle = throttles[i % throttles.length]
              return throttle === undefined
                ? Effect.die("no throttle")
                : Effect.result(throttle.take("victim@example.com"))
            },
            { concurrency: "unbounded" }
          )
          assert.strictEqual(outcomes.filter((outcome) => outcome._tag === "Success").length, 5)
          const sql = yield* SqlClient.SqlClient
          const [row] = yield* sql<{ n: number }>`
            SELECT cardinality(attempts)::int AS n FROM throttle_windows WHERE key = 'victim@example.com'`
          assert.strictEqual(row?.n, 5)
        })
      ))

    it.live("sweeps keys whose attempts have all left the window", () =>
      withDatabase(
        backend,
        Effect.gen(function*() {
          const throttle = yield* Throttle.makeShared("contact_requests_per_address", { limit: 2, window: "1 hour" })
          for (let i = 0; i < 20; i++) yield* throttle.take(`198.51.100.${i}`)
          assert.strictEqual(yield* throttle.size, 20)
          yield* advance("1 hour")
          assert.strictEqual(yield* throttle.size, 0)
          yield* throttle.take("198.51.100.99")
          const sql = yield* SqlClient.SqlClient
          const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM throttle_windows`
          assert.strictEqual(row?.n, 1)
        })
      ))

    it.live("treats a nonsensical name or option as a defect", () =>
      withDatabase(
        backend,
        Effect.gen(function*() {
          for (
            const [name, options] of [
              ["Bad Name", { limit: 1, window: "1 minute" }],
              ["ok", { limit: 0, window: "1 minute" }],
              ["ok", { limit: 1, window: "0 millis" }]
            ] as const
          ) {
            const exit = yield* Effect.exit(Throttle.makeShared(name, options))
            assert.isTrue(exit._tag === "Failure", `${name} ${JSON.stringify(options)}`)
          }
        })
      ))
  })
}
