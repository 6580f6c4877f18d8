/**
 * Whether a failure is the database being out of reach (its connection lost or refused,
 * the server shutting down, restarting or still recovering) rather than a bug: such a
 * request is answered 503, which a client retries (with its idempotency key), not 500.
 */
import { isSqlError } from "effect/sql/SqlError"

/** PostgreSQL's "operator intervention" states: shut down, crashed, not accepting connections yet. */
const unavailableStates = new Set(["57P01", "57P02", "57P03"])

/** The socket errors of a server that went away. */
const socketCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH"])

const codeOf = (value: unknown): unknown =>
  typeof value === "object" && value !== null && "code" in value ? value.code : undefined

/** True for a `SqlError` (or an error caused by one) whose reason is the database out of reach. */
export const isDatabaseUnavailable = (value: unknown): boolean => {
  let current: unknown = value
  // A SqlError may be wrapped as the cause of another error (a defect that names it).
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (isSqlError(current)) {
      const reason = current.reason
      if (reason._tag === "ConnectionError") return true
      const code = codeOf(reason.cause)
      return typeof code === "string" && (unavailableStates.has(code) || socketCodes.has(code))
    }
    current = "cause" in current ? current.cause : undefined
  }
  return false
}
