/**
 * The one way the platform runs a database transaction: {@link run} wraps
 * `sql.withTransaction` and runs it again when PostgreSQL says the transaction lost a race
 * it may win on a second try, a deadlock (SQLSTATE `40P01`) or a serialization failure
 * (`40001`), a bounded number of times with jittered exponential backoff. Every other
 * failure, typed or not, passes through after one attempt, exactly as `withTransaction`
 * would have returned it. The ledger runs its linked sets through it; the server's
 * workflows run their own transactions through it.
 *
 * `@effect/sql-pg` classifies the server's error fields into the reason of effect's
 * `SqlError`: `40P01` is a `DeadlockError` reason and `40001` a `SerializationError` reason,
 * and the original fields (`code`, `constraint`, `detail`, ...) are on `reason.cause`.
 * {@link isRetryable} reads the SQLSTATE there, so it does not depend on the reason's
 * name, and keeps the other reasons effect calls retryable (a connection lost, a lock or
 * statement timeout) out: after those it is not known whether the transaction committed.
 *
 * **Only the outermost transaction retries.** Inside a transaction of the same client
 * {@link run} is a savepoint and does not retry: PostgreSQL's victim must roll back
 * everything its transaction locked, not only the savepoint, so the failure goes up to the
 * outermost {@link run}, which runs the whole transaction again. The effect given is
 * therefore run again from its start: it must not have effects outside the database that
 * cannot be repeated (mail goes to the outbox table, see `MailOutbox` in the server).
 *
 * **The lock order of the platform.** Deadlocks are retried, but they should not happen:
 * every transaction takes its row locks in one global order, {@link lockOrder}:
 *
 * 1. ledger accounts, in canonical account order: `entity_holdings` rows by entity id then
 *    asset (in the `assettype` enum's order), then the platform accounts
 *    (`ledger.platform_accounts`) by account name then asset;
 * 2. pending transfers (`ledger.pending_transfers`) by id, each only while the holding of
 *    its holder is already locked;
 * 3. orders (`orders`) by id;
 * 4. settlement batches (`settlement_batches`) by id.
 *
 * A transaction that needs rows of several kinds takes them in this order, and rows of one
 * kind in one statement (`SELECT ... ORDER BY ... FOR UPDATE`). The `Ledger` takes its
 * accounts and pending transfers that way; a workflow that locks orders or batches and then
 * moves money must lock the accounts first (or let the ledger lock them before it touches
 * the orders).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/**
 * The SQLSTATEs after which a whole transaction is run again: `40P01` (deadlock detected)
 * and `40001` (serialization failure).
 *
 * @category constants
 * @since 0.1.0
 */
export const retryableSqlStates: ReadonlySet<string> = new Set(["40P01", "40001"])

/**
 * The platform's one lock order, first to last (see the module's documentation).
 *
 * @category constants
 * @since 0.1.0
 */
export const lockOrder = [
  "entity_holdings",
  "ledger.platform_accounts",
  "ledger.pending_transfers",
  "orders",
  "settlement_batches"
] as const

/**
 * How {@link run} retries.
 *
 * @category models
 * @since 0.1.0
 */
export interface RetryOptions {
  /** How many times the transaction runs again at most after its first attempt; 5 unless given. */
  readonly retries?: number | undefined
  /** The cap of the first delay; 10 milliseconds unless given. Each retry doubles the cap. */
  readonly baseDelay?: Duration.Input | undefined
  /** The largest cap of a delay; 1 second unless given. */
  readonly maxDelay?: Duration.Input | undefined
}

/**
 * The defaults of {@link RetryOptions}.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaults = {
  /** Runs after the first attempt, at most. */
  retries: 5,
  /** The cap of the first delay. */
  baseDelay: Duration.millis(10),
  /** The largest cap of a delay. */
  maxDelay: Duration.seconds(1)
} as const

/**
 * The SQLSTATE PostgreSQL reported for a `SqlError`, when it reported one.
 *
 * @category errors
 * @since 0.1.0
 */
export const sqlState = (error: SqlError): string | undefined => {
  const cause = error.reason.cause
  if (!Predicate.hasProperty(cause, "code")) return undefined
  return typeof cause.code === "string" ? cause.code : undefined
}

/**
 * Whether a failure is a `SqlError` with a SQLSTATE of {@link retryableSqlStates}.
 *
 * @category errors
 * @since 0.1.0
 */
export const isRetryable = (error: unknown): error is SqlError => {
  if (!isSqlError(error)) return false
  const state = sqlState(error)
  return state !== undefined && retryableSqlStates.has(state)
}

/**
 * The delay before retry number `attempt` (from 0): a uniformly random duration between
 * zero and `min(maxDelay, baseDelay * 2^attempt)` ("full jitter"), so two transactions
 * that deadlocked each other do not meet again at the same instant.
 *
 * @category combinators
 * @since 0.1.0
 */
export const backoff = (attempt: number, options?: RetryOptions): Effect.Effect<Duration.Duration> => {
  const base = Duration.toMillis(options?.baseDelay ?? defaults.baseDelay)
  const max = Duration.toMillis(options?.maxDelay ?? defaults.maxDelay)
  const cap = Math.min(max, base * 2 ** attempt)
  return Effect.map(Random.nextBetween(0, cap), (millis) => Duration.millis(Math.floor(millis)))
}

/**
 * Runs `effect` in a transaction of the `SqlClient` in context, and runs the whole
 * transaction again, after a backoff, when it fails with a deadlock or a serialization
 * failure: at most `retries` times (5 unless given), after which the last failure is
 * returned. Anything else fails at once, as `sql.withTransaction` returns it. Inside
 * another transaction of the same client it is a savepoint and does not retry (the
 * outermost `run` does).
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: RetryOptions
): Effect.Effect<A, E | SqlError, R | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const once = sql.withTransaction(effect)
    const outer = yield* Effect.serviceOption(sql.transactionService)
    if (Option.isSome(outer)) return yield* once
    const retries = Math.max(0, Math.floor(options?.retries ?? defaults.retries))
    const attempt = (n: number): Effect.Effect<A, E | SqlError, R> =>
      Effect.catchIf(once, isRetryable, (error) =>
        n >= retries ?
          Effect.fail(error) :
          Effect.flatMap(backoff(n, options), (delay) =>
            Effect.logDebug(`transaction retried after SQLSTATE ${sqlState(error)}`).pipe(
              Effect.annotateLogs({ attempt: n + 1, delayMillis: Duration.toMillis(delay) }),
              Effect.andThen(Effect.sleep(delay)),
              Effect.andThen(attempt(n + 1))
            )))
    return yield* attempt(0)
  }).pipe(Effect.withSpan("Transaction.run"))
