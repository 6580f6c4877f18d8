/**
 * Which failures are the database out of reach (answered 503, retried by clients) rather
 * than a bug (500). Found by the soak suite: every request in flight during a PostgreSQL
 * restart was answered 500.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConnectionError, DeadlockError, SqlError, UnknownError } from "effect/sql/SqlError"
import { isDatabaseUnavailable } from "../src/internal/databaseUnavailable.ts"

const unknown = (code: string) =>
  new SqlError({
    reason: new UnknownError({ cause: Object.assign(new Error(code), { code }), message: code, operation: "query" })
  })

describe("isDatabaseUnavailable", () => {
  it("is true for a lost or refused connection and a server shutting down or recovering", () => {
    const lost = new SqlError({
      reason: new ConnectionError({ cause: new Error("gone"), message: "gone", operation: "query" })
    })
    assert.isTrue(isDatabaseUnavailable(lost))
    for (const code of ["57P01", "57P02", "57P03", "ECONNREFUSED", "ECONNRESET"]) {
      assert.isTrue(isDatabaseUnavailable(unknown(code)), code)
    }
    // Wrapped as the cause of another error.
    assert.isTrue(isDatabaseUnavailable(new Error("wrapped", { cause: unknown("57P01") })))
  })

  it("is false for everything else", () => {
    const deadlock = new SqlError({
      reason: new DeadlockError({
        cause: Object.assign(new Error("deadlock"), { code: "40P01" }),
        message: "deadlock",
        operation: "query"
      })
    })
    assert.isFalse(isDatabaseUnavailable(deadlock))
    assert.isFalse(isDatabaseUnavailable(unknown("23514")))
    assert.isFalse(isDatabaseUnavailable(new Error("a bug")))
    assert.isFalse(isDatabaseUnavailable(undefined))
  })
})
