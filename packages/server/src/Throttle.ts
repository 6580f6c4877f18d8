/**
 * In-memory throttling of the authentication endpoints: at most `limit` attempts per
 * `window` for each key (an IP address, an email), so password guessing and magic-link
 * flooding are slowed to a crawl. ASVS V6.3 asks for this; per email it protects one
 * account from many addresses, per IP many accounts from one address.
 *
 * The algorithm is a sliding-window log: each key keeps the times of its accepted
 * attempts within the window, at most `limit` of them, and an attempt is refused while
 * `limit` lie within the last `window`; it may be retried when the oldest leaves the
 * window. Unlike a fixed window, a burst cannot straddle a boundary to get twice the
 * limit, and the answer is exact (no floating-point drift). Refused attempts are not
 * recorded, so hammering does not lengthen the wait.
 *
 * Time comes from effect's `Clock`, so tests drive it with `TestClock`. Memory is
 * bounded: keys whose attempts have all left the window are dropped as time passes, and
 * beyond `maxKeys` the key attempted least recently is forgotten.
 *
 * effect 4.1.0 ships `effect/persistence/RateLimiter`, Clock-driven and with a memory
 * store, but that store never drops keys (its maps only grow, a problem for keys taken
 * from client IPs), cannot forget one key (needed after a successful login), and its
 * fixed-window "fail" mode counts a window from the first attempt and extends it with
 * each one. Bounding it would mean writing its store anyway; the log below is that store
 * with the limiter in 80 lines. It holds per process only: with several server
 * processes each counts its own attempts.
 *
 * {@link makeShared} is the same sliding-window log kept in the database (the
 * `throttle_windows` table of migration 12), so every server instance on one database
 * counts the same attempts, and a restart forgets nothing: ASVS V2.2.1 asks for limits
 * an attacker cannot multiply by spreading requests over instances. One upsert takes an
 * attempt, so concurrent takes of one key serialize on its row and never admit more than
 * the limit. The server's throttles are shared ones; the in-memory {@link make} stays for
 * tests and tools that have no database.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"

/**
 * Too many attempts for a key; the client may try again after `retry_after_seconds`
 * (the value of a `Retry-After` header).
 *
 * @category errors
 * @since 0.1.0
 */
export class Throttled extends Schema.TaggedError<Throttled>()("Throttled", {
  /** Whole seconds until an attempt will be accepted, at least 1. */
  retry_after_seconds: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** The limit reached, such as "5 attempts per 15m" (the shape of the domain's `RateLimited.limit`). */
  limit: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `too many attempts (limit: ${this.limit}); retry after ${this.retry_after_seconds} s`
  }
}

/**
 * The options of {@link make}.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** How many attempts a key may make within `window`; a positive integer. */
  readonly limit: number
  /** The length of the sliding window, such as `"15 minutes"`. */
  readonly window: Duration.Input
  /** How many keys to remember at most; {@link defaultMaxKeys} unless given. */
  readonly maxKeys?: number | undefined
}

/**
 * A throttle: attempts per key within a sliding window.
 *
 * @category models
 * @since 0.1.0
 */
export interface Throttle {
  /** Records an attempt for `key`, or fails with {@link Throttled} when it is over the limit. */
  readonly take: (key: string) => Effect.Effect<void, Throttled>
  /** Forgets `key`'s attempts, as after a successful login. */
  readonly reset: (key: string) => Effect.Effect<void>
  /** How many keys are remembered now, expired ones dropped first: for metrics and tests. */
  readonly size: Effect.Effect<number>
}

/**
 * The number of keys remembered unless `maxKeys` says otherwise. With a limit of 10 it
 * is at most 100,000 timestamps, under a megabyte.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxKeys = 10_000

const isPositiveInteger = (n: number): boolean => Number.isSafeInteger(n) && n >= 1

/**
 * Makes a throttle. Options that make no sense (a limit or `maxKeys` that is not a
 * positive integer, a window that is not a positive finite duration) are a defect: they
 * are the program's mistake, not the client's.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Throttle> =>
  Effect.suspend(() => {
    const window = Duration.fromInputUnsafe(options.window)
    const windowMillis = Duration.toMillis(window)
    const maxKeys = options.maxKeys ?? defaultMaxKeys
    if (!isPositiveInteger(options.limit) || !isPositiveInteger(maxKeys)) {
      return Effect.die(new Error(`Throttle.make: limit and maxKeys must be positive integers`))
    }
    if (!Number.isFinite(windowMillis) || windowMillis <= 0) {
      return Effect.die(new Error(`Throttle.make: the window must be a positive finite duration`))
    }
    const limit = `${options.limit} attempts per ${Duration.format(window)}`

    // Per key, the accepted attempts within the window, oldest first. The Map's own order
    // is that of the last accepted attempt (a key is re-inserted on each), so the keys
    // that expire first, and the least recently used, are at its front.
    const logs = new Map<string, Array<number>>()

    const sweep = (now: number) => {
      for (const [key, log] of logs) {
        const newest = log[log.length - 1]
        if (newest !== undefined && newest + windowMillis > now) return
        logs.delete(key)
      }
    }

    const take = (key: string): Effect.Effect<void, Throttled> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        sweep(now)
        const log = logs.get(key) ?? []
        while (log.length > 0 && (log[0] ?? now) + windowMillis <= now) log.shift()
        const oldest = log[0]
        if (log.length >= options.limit && oldest !== undefined) {
          const waitMillis = oldest + windowMillis - now
          return Effect.fail(new Throttled({ retry_after_seconds: Math.max(1, Math.ceil(waitMillis / 1000)), limit }))
        }
        log.push(now)
        logs.delete(key)
        if (logs.size >= maxKeys) {
          const least = logs.keys().next()
          if (least.done !== true) logs.delete(least.value)
        }
        logs.set(key, log)
        return Effect.void
      })

    const reset = (key: string): Effect.Effect<void> =>
      Effect.sync(() => {
        logs.delete(key)
      })

    const size = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        sweep(now)
        return logs.size
      }))

    return Effect.succeed({ take, reset, size })
  })

/**
 * Makes a throttle whose log lives in the database's `throttle_windows`, under `name`
 * (lower-case letters and `_`): every server instance on the database that makes a
 * throttle of the same name shares its counts. Time still comes from `Clock`. A database
 * error while counting is a defect (a 500), never an accepted attempt. Keys longer than
 * 512 characters are cut to their first 512.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeShared = (name: string, options: Options): Effect.Effect<Throttle, never, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const window = Duration.fromInputUnsafe(options.window)
    const windowMillis = Duration.toMillis(window)
    if (!/^[a-z_]{1,64}$/u.test(name)) {
      return yield* Effect.die(new Error(`Throttle.makeShared: the name must be lower-case letters and _`))
    }
    if (!isPositiveInteger(options.limit)) {
      return yield* Effect.die(new Error(`Throttle.makeShared: the limit must be a positive integer`))
    }
    if (!Number.isSafeInteger(windowMillis) || windowMillis <= 0) {
      return yield* Effect.die(new Error(`Throttle.makeShared: the window must be a positive whole number of ms`))
    }
    const limit = `${options.limit} attempts per ${Duration.format(window)}`
    const keyOf = (key: string) => (key === "" ? "-" : key.slice(0, 512))

    const take = (key: string): Effect.Effect<void, Throttled> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const since = now - windowMillis
        yield* sql`DELETE FROM throttle_windows WHERE expires_ms <= ${now}`
        const kept = sql`ARRAY(SELECT a FROM unnest(t.attempts) a WHERE a > ${since}::bigint ORDER BY a)`
        const room =
          sql`cardinality(ARRAY(SELECT a FROM unnest(t.attempts) a WHERE a > ${since}::bigint)) < ${options.limit}`
        const [row] = yield* sql<{ accepted: boolean; oldest: string | null }>`
          INSERT INTO throttle_windows AS t (name, key, attempts, accepted, expires_ms)
          VALUES (${name}, ${keyOf(key)}, ARRAY[${now}::bigint], true, ${now + windowMillis}::bigint)
          ON CONFLICT (name, key) DO UPDATE SET
            attempts = CASE WHEN ${room} THEN ${kept} || ${now}::bigint ELSE ${kept} END,
            accepted = ${room},
            expires_ms = CASE WHEN ${room} THEN ${now + windowMillis}::bigint ELSE t.expires_ms END
          RETURNING accepted, (attempts[1])::text AS oldest`
        if (row === undefined) return yield* Effect.die(new Error("Throttle.makeShared: the upsert returned no row"))
        if (row.accepted) return
        const oldest = row.oldest === null ? now : Number(row.oldest)
        const waitMillis = oldest + windowMillis - now
        return yield* new Throttled({ retry_after_seconds: Math.max(1, Math.ceil(waitMillis / 1000)), limit })
      }).pipe(Effect.catchTag("SqlError", (error) => Effect.die(error)))

    const reset = (key: string): Effect.Effect<void> =>
      sql`DELETE FROM throttle_windows WHERE name = ${name} AND key = ${keyOf(key)}`.pipe(Effect.asVoid, Effect.orDie)

    const size = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const [row] = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM throttle_windows WHERE name = ${name} AND expires_ms > ${now}`
      return row?.n ?? 0
    }).pipe(Effect.orDie)

    const throttle: Throttle = { take, reset, size }
    return throttle
  })
