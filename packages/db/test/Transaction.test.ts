/**
 * `Transaction.run` against real PostgreSQL failures: a deadlock provoked by two fibers
 * locking two rows in opposite order (PostgreSQL only: PGlite is one session, so its
 * transactions never overlap), serialization failures raised by the server, and errors
 * that must not be retried.
 */
import { assert } from "@effect/vitest"
import { Transaction } from "@niha/db"
import type { Ids } from "@niha/domain"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError } from "effect/sql/SqlError"
import { eachBackend } from "./support/Backends.ts"
import { makeEntities } from "./support/Entities.ts"

/** A statement the server answers with SQLSTATE 40001, as a serializable transaction that lost would. */
const serializationFailure = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.unsafe(
    "DO $$ BEGIN RAISE EXCEPTION 'forced serialization failure' USING ERRCODE = 'serialization_failure'; END $$"
  )
})

eachBackend("Transaction.run", (it) => {
  it.effect("runs a transaction that fails with 40001 again, at most `retries` times, then fails with it", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const error = yield* Transaction.run(
        Effect.andThen(Ref.update(attempts, (n) => n + 1), serializationFailure),
        { retries: 3, baseDelay: "1 millis" }
      ).pipe(Effect.flip)
      assert.strictEqual(yield* Ref.get(attempts), 4)
      assert.isTrue(isSqlError(error) && Transaction.sqlState(error) === "40001")
      assert.isTrue(Transaction.isRetryable(error))
    }))

  it.effect("succeeds when a retry succeeds, and keeps only the successful attempt's writes", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const attempts = yield* Ref.make(0)
      const [entity] = yield* makeEntities("Retry Co", 1)
      const result = yield* Transaction.run(
        Effect.gen(function*() {
          const n = yield* Ref.updateAndGet(attempts, (n) => n + 1)
          yield* sql`UPDATE entities SET website = ${`https://attempt-${n}.example`} WHERE id = ${entity ?? null}`
          if (n < 3) yield* serializationFailure
          return n
        }),
        { baseDelay: "1 millis" }
      )
      assert.strictEqual(result, 3)
      const [row] = yield* sql<{ website: string }>`SELECT website FROM entities WHERE id = ${entity ?? null}`
      assert.strictEqual(row?.website, "https://attempt-3.example")
    }))

  it.effect("does not retry any other failure", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const attempts = yield* Ref.make(0)
      const count = Ref.update(attempts, (n) => n + 1)
      const syntax = yield* Transaction.run(Effect.andThen(count, sql`SELEC 1`)).pipe(Effect.flip)
      assert.isTrue(isSqlError(syntax) && !Transaction.isRetryable(syntax))
      const [entity] = yield* makeEntities("Unique Co", 1)
      const duplicate = yield* Transaction.run(
        Effect.andThen(
          count,
          sql`INSERT INTO entities (id, name, jurisdiction) VALUES (${entity ?? null}, 'Again', 'EU')`
        )
      ).pipe(Effect.flip)
      assert.isTrue(isSqlError(duplicate) && Transaction.sqlState(duplicate) === "23505")
      const typed = yield* Transaction.run(Effect.andThen(count, Effect.fail("not a SqlError" as const))).pipe(
        Effect.flip
      )
      assert.strictEqual(typed, "not a SqlError")
      assert.strictEqual(yield* Ref.get(attempts), 3)
    }))

  it.effect("inside another transaction is a savepoint and leaves the retry to the outermost run", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const inner = Transaction.run(Effect.andThen(Ref.update(attempts, (n) => n + 1), serializationFailure))
      const error = yield* Transaction.run(inner, { retries: 2, baseDelay: "1 millis" }).pipe(Effect.flip)
      assert.isTrue(Transaction.isRetryable(error))
      // The outermost run ran three times, each running the inner savepoint once.
      assert.strictEqual(yield* Ref.get(attempts), 3)
    }))
})

eachBackend("Transaction.run under a real deadlock", (it) => {
  it.effect(
    "retries the victim of a deadlock between two fibers locking two rows in opposite order; both commit",
    () =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        const [a, b] = yield* makeEntities("Deadlock Co", 2)
        if (a === undefined || b === undefined) return assert.fail("no entities")
        const firstLocked = { a: yield* Deferred.make<void>(), b: yield* Deferred.make<void>() }
        const attempts = yield* Ref.make(0)
        const failures = yield* Ref.make<ReadonlyArray<string>>([])
        const lock = (id: Ids.EntityId) => sql`SELECT id FROM entities WHERE id = ${id} FOR UPDATE`
        // Each fiber locks its first row, waits until the other holds its own, then asks for
        // the other's: PostgreSQL finds the cycle and aborts one of them with 40P01.
        const worker = (
          first: Ids.EntityId,
          second: Ids.EntityId,
          mine: Deferred.Deferred<void>,
          theirs: Deferred.Deferred<void>
        ) =>
          Transaction.run(
            Effect.gen(function*() {
              yield* Ref.update(attempts, (n) => n + 1)
              yield* lock(first)
              yield* Deferred.succeed(mine, undefined)
              yield* Deferred.await(theirs)
              yield* lock(second)
              yield* sql`UPDATE entities SET website = ${`https://${first}.example`} WHERE id = ${second}`
              return "committed" as const
            }).pipe(
              Effect.tapError((error) =>
                isSqlError(error)
                  ? Ref.update(failures, (all) => [...all, Transaction.sqlState(error) ?? "?"])
                  : Effect.void
              )
            ),
            { baseDelay: "20 millis" }
          )
        const outcomes = yield* Effect.all([
          worker(a, b, firstLocked.a, firstLocked.b),
          worker(b, a, firstLocked.b, firstLocked.a)
        ], { concurrency: 2 })
        assert.deepStrictEqual(outcomes, ["committed", "committed"])
        assert.deepStrictEqual(yield* Ref.get(failures), ["40P01"])
        assert.strictEqual(yield* Ref.get(attempts), 3)
      }),
    30_000
  )
}, { only: "postgres" })
