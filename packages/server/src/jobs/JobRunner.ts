/**
 * The durable job runner: work that must happen later and survive a restart (an AML hold
 * released on its date, the mail of the outbox, settlement milestones), kept in the
 * `jobs` table of PostgreSQL (`Job.Job` of `@niha/domain`).
 *
 * - {@link schedule} writes a job in the caller's transaction, so work is scheduled with
 *   the change that calls for it or not at all. `(kind, key)` is unique: scheduling the
 *   same work twice schedules it once.
 * - {@link runDue} leases the due jobs with one statement (`FOR UPDATE SKIP LOCKED`, then
 *   `leased_by` and `leased_until`), so several runners on one database never take the
 *   same job; runs each through the handler of its kind, outside any transaction (a
 *   handler opens its own; the embedded database has one connection, and a slow handler
 *   must not hold it); then marks it DONE, or schedules a retry with exponential backoff,
 *   or marks it FAILED after its last attempt. A recurring job is scheduled again instead
 *   of DONE.
 * - A runner that dies mid-run leaves its lease to expire; the job is then leased again
 *   and retried, neither lost nor run concurrently. A handler must therefore be
 *   idempotent: it checks, under its own locks, whether its work is still to do.
 * - Time comes from effect's `Clock` (every due time is computed here, not by the
 *   database's `now()`), so tests move it with `TestClock`.
 *
 * {@link layer} runs {@link runDue} in a background fiber every poll interval while the
 * Layer is open.
 *
 * @since 0.1.0
 */
import { Job } from "@niha/domain"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as NodeOs from "node:os"
import * as rows from "../internal/rows.ts"

/**
 * A job to schedule.
 *
 * @category models
 * @since 0.1.0
 */
export interface Scheduled {
  /** What to do: the kind a handler is registered for, such as `aml.release`. */
  readonly kind: string
  /** Which instance of the work, such as a deposit id. */
  readonly key: string
  /** What the handler needs. */
  readonly payload?: Schema.Json | undefined
  /** When it is due; now unless given. */
  readonly runAt?: DateTime.Utc | undefined
  /** For a recurring job, the time from one run to the next. */
  readonly every?: Duration.Input | undefined
  /** Runs after which a failing job is FAILED; {@link defaultMaxAttempts} unless given. */
  readonly maxAttempts?: number | undefined
}

/**
 * Runs after which a failing job is given up, unless its scheduler said otherwise.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxAttempts = 10

/**
 * The wait before the next attempt after `attempts` failed runs: one second doubled each
 * time, at most ten minutes.
 *
 * @category retries
 * @since 0.1.0
 */
export const backoff = (attempts: number): Duration.Duration =>
  Duration.millis(Math.min(1000 * 2 ** Math.max(0, attempts - 1), 10 * 60 * 1000))

/**
 * What a handler does with a job. Its failure is recorded and retried; a defect too.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler<R> = (job: Job.Job) => Effect.Effect<unknown, unknown, R>

/**
 * The handlers of a runner, by job kind.
 *
 * @category models
 * @since 0.1.0
 */
export type Handlers<R> = Readonly<Record<string, Handler<R>>>

/**
 * How a runner runs.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** This runner's name in `leased_by`; the host, the process and a random suffix unless given. */
  readonly instance?: string | undefined
  /** How many due jobs one round leases at most; 20 unless given. */
  readonly batch?: number | undefined
  /** How long a lease lasts: longer than a run may take; five minutes unless given. */
  readonly lease?: Duration.Input | undefined
}

/**
 * A name for this process's runner.
 *
 * @category constructors
 * @since 0.1.0
 */
export const instanceName = (): string =>
  `${NodeOs.hostname()}:${process.pid}:${NodeCrypto.randomBytes(3).toString("hex")}`

const toDate = (instant: DateTime.Utc): Date => DateTime.toDate(instant)
const later = (instant: DateTime.Utc, duration: Duration.Input): Date =>
  toDate(DateTime.add(instant, { milliseconds: Duration.toMillis(Duration.fromInputUnsafe(duration)) }))

const jobs = rows.all("jobs", Job.Job)

/**
 * Schedules a job, in the caller's transaction; answers whether it was new (false when a
 * job of the same kind and key exists already, which is left as it is).
 *
 * @category scheduling
 * @since 0.1.0
 */
export const schedule = Effect.fn("JobRunner.schedule")(function*(job: Scheduled) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const every = job.every === undefined ? null : Duration.toMillis(Duration.fromInputUnsafe(job.every))
  const rows = yield* sql`
    INSERT INTO jobs (kind, key, payload, run_at, repeat_ms, max_attempts)
    VALUES (${job.kind}, ${job.key}, ${JSON.stringify(job.payload ?? null)}::jsonb,
      ${toDate(job.runAt ?? now)}, ${every}, ${job.maxAttempts ?? defaultMaxAttempts})
    ON CONFLICT (kind, key) DO NOTHING
    RETURNING id`
  return rows.length > 0
})

/**
 * Makes sure a recurring job exists and runs every `every`: schedules it when it is new,
 * and otherwise keeps its state and takes the new interval (a restart with another
 * interval applies it). Run it when the server starts.
 *
 * @category scheduling
 * @since 0.1.0
 */
export const recurring = Effect.fn("JobRunner.recurring")(function*(kind: string, key: string, every: Duration.Input) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const interval = Duration.toMillis(Duration.fromInputUnsafe(every))
  yield* sql`
    INSERT INTO jobs (kind, key, payload, run_at, repeat_ms, max_attempts)
    VALUES (${kind}, ${key}, 'null'::jsonb, ${toDate(now)}, ${interval}, ${defaultMaxAttempts})
    ON CONFLICT (kind, key) DO UPDATE SET repeat_ms = EXCLUDED.repeat_ms, updated_at = EXCLUDED.updated_at`
})

/**
 * Leases the due jobs (and those whose lease expired) for `instance`.
 *
 * @category running
 * @since 0.1.0
 */
export const leaseDue = Effect.fn("JobRunner.leaseDue")(function*(instance: string, options: Options = {}) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  return yield* jobs(sql`
    UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, leased_by = ${instance},
      leased_until = ${later(now, options.lease ?? "5 minutes")}, updated_at = ${toDate(now)}
    WHERE id IN (
      SELECT id FROM jobs
      WHERE (status = 'PENDING' AND run_at <= ${toDate(now)})
         OR (status = 'RUNNING' AND leased_until <= ${toDate(now)})
      ORDER BY run_at, id LIMIT ${options.batch ?? 20} FOR UPDATE SKIP LOCKED)
    RETURNING *`)
})

/** Records the outcome of a run, if this runner still holds the lease. */
const finish = (job: Job.Job, instance: string, failure: string | undefined) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = yield* DateTime.now
    const held = sql`id = ${job.id} AND leased_by = ${instance} AND status = 'RUNNING'`
    if (failure === undefined && job.repeat_ms !== null) {
      yield* sql`
        UPDATE jobs SET status = 'PENDING', run_at = ${later(now, Duration.millis(job.repeat_ms))}, attempts = 0,
          leased_by = NULL, leased_until = NULL, last_error = NULL, updated_at = ${toDate(now)}
        WHERE ${held}`
      return
    }
    if (failure === undefined) {
      yield* sql`
        UPDATE jobs SET status = 'DONE', finished_at = ${toDate(now)}, leased_by = NULL, leased_until = NULL,
          last_error = NULL, updated_at = ${toDate(now)}
        WHERE ${held}`
      return
    }
    const givesUp = job.attempts >= job.max_attempts && job.repeat_ms === null
    yield* Effect.logWarning(givesUp ? "job failed; giving up" : "job failed; will retry").pipe(
      Effect.annotateLogs({ job_id: job.id, kind: job.kind, key: job.key, attempts: job.attempts, error: failure })
    )
    yield* sql`
      UPDATE jobs SET status = ${givesUp ? "FAILED" : "PENDING"}, last_error = ${failure},
        run_at = ${givesUp ? toDate(now) : later(now, backoff(job.attempts))},
        attempts = ${job.repeat_ms !== null && job.attempts >= job.max_attempts ? 0 : job.attempts},
        finished_at = ${givesUp ? toDate(now) : null}, leased_by = NULL, leased_until = NULL,
        updated_at = ${toDate(now)}
      WHERE ${held}`
  })

/**
 * One round: leases the due jobs and runs each through the handler of its kind (a kind
 * without a handler fails, and is retried until one is registered or it gives up).
 * Answers how many jobs ran.
 *
 * @category running
 * @since 0.1.0
 */
export const runDue = <R>(
  handlers: Handlers<R>,
  options: Options & { readonly instance: string }
): Effect.Effect<number, SqlError, R | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const jobs = yield* leaseDue(options.instance, options)
    for (const job of jobs) {
      const handler = handlers[job.kind]
      const outcome = handler === undefined ?
        Effect.fail(`no handler for jobs of kind ${job.kind}`) :
        handler(job).pipe(Effect.timeout(options.lease ?? "5 minutes"))
      const exit = yield* Effect.exit(outcome)
      const failure = exit._tag === "Success" ? undefined : describe(exit.cause)
      yield* finish(job, options.instance, failure)
    }
    return jobs.length
  }).pipe(Effect.withSpan("JobRunner.runDue"))

const describe = (cause: Cause.Cause<unknown>): string => {
  const text = Cause.pretty(cause)
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}

/**
 * The runner as a Layer: a background fiber that runs {@link runDue} every
 * `pollInterval` while the Layer is open (a failed round is logged and the next runs).
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = <R>(
  handlers: Handlers<R>,
  options: Options & { readonly pollInterval: Duration.Input }
): Layer.Layer<never, never, R | SqlClient.SqlClient> => {
  const instance = options.instance ?? instanceName()
  return Layer.effectDiscard(
    runDue(handlers, { ...options, instance }).pipe(
      Effect.catchCause((cause) => Effect.logError("job round failed", cause)),
      Effect.repeat(Schedule.spaced(options.pollInterval)),
      Effect.forkScoped
    )
  )
}
