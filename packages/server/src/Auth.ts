/**
 * Sign-in and credentials: password login, magic links, sessions and API keys, on the
 * seed's `users`, `user_sessions` and `authentication_attempts` and the platform's
 * `magic_link_tokens` and `api_keys`.
 *
 * - Passwords are scrypt hashes (`Password`); a login for an unknown email spends the
 *   same time as one for a known email, and both fail alike.
 * - Every attempt, successful or not, is a row of `authentication_attempts`. After
 *   {@link Policy.lockoutThreshold} failures of one email within the lock-out window (and
 *   since its last success) the email is locked for {@link Policy.lockoutDuration}, ending
 *   at a fixed time ({@link lockEnd}): attempts during the lock do not extend it, so no
 *   one can keep an account locked, and its owner can always sign in by magic link. A
 *   locked login is refused before the password is checked, so it tells nothing. The lock
 *   is per email, whether or not a user has it, so it does not reveal which emails exist.
 * - Secrets (session tokens, magic-link tokens, API keys) are 256-bit random tokens
 *   (`Tokens`); the database keeps only their SHA-256. A session ends at its absolute
 *   expiry, after {@link Policy.idleTimeout} without a request, or when revoked; a new
 *   session is made at every login.
 * - A magic link is redeemed by one `UPDATE ... WHERE used_at IS NULL AND expires_at > now`,
 *   so it works once even when clicked twice at the same moment.
 *
 * Time comes from the Effect `Clock`, randomness from `Tokens`; handlers call these
 * functions inside their transaction.
 *
 * @since 0.1.0
 */
import { Repository, Transaction } from "@niha/db"
import { Auth as AuthModels, Ids, Parties } from "@niha/domain"
import { ApiError, type Authentication } from "@niha/sdk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "./Audit.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as rows from "./internal/rows.ts"
import * as Password from "./Password.ts"
import * as Tokens from "./Tokens.ts"

/**
 * The lifetimes and limits of sign-in.
 *
 * @category models
 * @since 0.1.0
 */
export interface Policy {
  /** How long a session lasts at most, however active. */
  readonly sessionLifetime: Duration.Duration
  /** How long a session lasts without a request. */
  readonly idleTimeout: Duration.Duration
  /** How long a sign-in link works. */
  readonly magicLinkLifetime: Duration.Duration
  /** How long an invitation link works. */
  readonly inviteLifetime: Duration.Duration
  /** Failed sign-ins of one email, within {@link lockoutWindow}, that lock it. */
  readonly lockoutThreshold: number
  /** The window the failures are counted in. */
  readonly lockoutWindow: Duration.Duration
  /** How long a locked email stays locked after its last counted failure. */
  readonly lockoutDuration: Duration.Duration
  /**
   * Failed password checks of one email within any hour past which its logins are refused
   * (429 `account_locked`) until the oldest leaves the hour: a hard cap that holds whatever
   * the lock-out settings, ASVS V2.2.1's "no more than 100 failed attempts per hour".
   * {@link defaultPolicy} has 100; under it the lock-out alone allows about 20.
   */
  readonly maxFailuresPerHour?: number | undefined
}

/**
 * The default policy, after OWASP's session and authentication guidance for a financial
 * application: 12-hour sessions that end after 30 idle minutes, 15-minute sign-in links,
 * 72-hour invitations, a 15-minute lock after 5 failures in 15 minutes, and at most 100
 * failed password checks of one email per hour.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPolicy: Policy = {
  sessionLifetime: Duration.hours(12),
  idleTimeout: Duration.minutes(30),
  magicLinkLifetime: Duration.minutes(15),
  inviteLifetime: Duration.hours(72),
  lockoutThreshold: 5,
  lockoutWindow: Duration.minutes(15),
  lockoutDuration: Duration.minutes(15),
  maxFailuresPerHour: 100
}

/**
 * The policy in force; {@link defaultPolicy} unless a layer provides another.
 *
 * @category references
 * @since 0.1.0
 */
export const CurrentPolicy = Context.Reference<Policy>("@niha/server/Auth/CurrentPolicy", {
  defaultValue: () => defaultPolicy
})

/**
 * Lower-cases and trims an email as typed, the form `users.email` stores:
 * `Parties.normalizeEmail` of `@niha/domain`.
 *
 * @category emails
 * @since 0.1.0
 */
export const normalizeEmail = Parties.normalizeEmail

const users = { all: rows.all("users", Parties.User), one: rows.one("users", Parties.User) }
const sessions = {
  all: rows.all("user_sessions", AuthModels.UserSession),
  one: rows.one("user_sessions", AuthModels.UserSession)
}
const apiKeys = { all: rows.all("api_keys", AuthModels.ApiKey), one: rows.one("api_keys", AuthModels.ApiKey) }

/**
 * A row that does not decode is a defect of the database or the code, not of the request.
 *
 * @category internal
 * @since 0.1.0
 */
const orDie = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.orDie(effect)

const toDate = (instant: DateTime.Utc): Date => DateTime.toDate(instant)

const plus = (instant: DateTime.Utc, duration: Duration.Duration): DateTime.Utc =>
  DateTime.add(instant, { milliseconds: Duration.toMillis(duration) })

/**
 * The user with this email, if any.
 *
 * @category users
 * @since 0.1.0
 */
export const findUserByEmail = Effect.fn("Auth.findUserByEmail")(function*(email: string) {
  const sql = yield* SqlClient.SqlClient
  const [user] = yield* users.all(sql`SELECT * FROM users WHERE email = ${normalizeEmail(email)}`)
  return user
})

/**
 * The user with this id.
 *
 * @category users
 * @since 0.1.0
 */
export const getUser = Effect.fn("Auth.getUser")(function*(id: Ids.UserId) {
  const repositories = yield* Repository.Repositories
  return yield* orDie(repositories.users.findById(id))
})

const recordAttempt = Effect.fn("Auth.recordAttempt")(function*(attempt: {
  readonly email: string
  readonly user_id: Ids.UserId | null
  readonly method: "PASSWORD" | "MAGIC_LINK"
  readonly failure_reason: string | null
}) {
  const sql = yield* SqlClient.SqlClient
  const origin = yield* Audit.origin
  yield* sql`
    INSERT INTO authentication_attempts (user_id, email, method, success, failure_reason, ip_address, user_agent)
    VALUES (${attempt.user_id}, ${attempt.email.slice(0, 254)}, ${attempt.method}, ${attempt.failure_reason === null},
      ${attempt.failure_reason}, ${origin.ip_address}, ${origin.user_agent})`
})

/**
 * Failure reasons that do not count toward an email's lock: attempts refused because the
 * email was already locked (counting them would let anyone extend a lock forever), and
 * a wrong current password in a password change (a signed-in caller, throttled per
 * session instead).
 *
 * @category lock-out
 * @since 0.1.0
 */
export const uncountedFailures: ReadonlyArray<string> = ["locked", "wrong_current_password"]

/**
 * When the lock that counted failures at these times (epoch milliseconds, ascending)
 * put on an email ends, if it is still locked at `now`. A lock starts at the failure that
 * makes {@link Policy.lockoutThreshold} failures within {@link Policy.lockoutWindow} and
 * ends {@link Policy.lockoutDuration} later, at a fixed time: nothing during the lock
 * extends it, and counting starts afresh when it ends.
 *
 * @category lock-out
 * @since 0.1.0
 */
export const lockEnd = (failures: ReadonlyArray<number>, now: number, policy: Policy): number | undefined => {
  const window = Duration.toMillis(policy.lockoutWindow)
  const duration = Duration.toMillis(policy.lockoutDuration)
  let lockedUntil = Number.NEGATIVE_INFINITY
  let counted: Array<number> = []
  for (const at of failures) {
    if (at < lockedUntil) continue
    counted = counted.filter((earlier) => earlier > at - window)
    counted.push(at)
    if (counted.length >= policy.lockoutThreshold) {
      lockedUntil = at + duration
      counted = []
    }
  }
  return lockedUntil > now ? lockedUntil : undefined
}

/**
 * When the email's lock ends, if it is locked now ({@link lockEnd} over its counted
 * failures since its last success). Only the last window plus one lock duration can hold
 * the failures of a lock still in force, so only those are read.
 *
 * @category lock-out
 * @since 0.1.0
 */
export const lockedUntil = Effect.fn("Auth.lockedUntil")(function*(email: string) {
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const now = yield* DateTime.now
  const lookback = Duration.toMillis(policy.lockoutWindow) + Duration.toMillis(policy.lockoutDuration)
  const since = toDate(DateTime.subtract(now, { milliseconds: lookback }))
  const rows = yield* sql<{ created_at: Date }>`
    SELECT created_at FROM authentication_attempts
    WHERE email = ${email} AND NOT success AND created_at > ${since}
      AND coalesce(failure_reason, '') NOT IN ${sql.in(uncountedFailures)}
      AND created_at > coalesce(
        (SELECT max(created_at) FROM authentication_attempts WHERE email = ${email} AND success),
        '-infinity'::timestamptz)
    ORDER BY created_at, id`
  const until = lockEnd(rows.map((row) => row.created_at.getTime()), DateTime.toEpochMillis(now), policy)
  return until === undefined ? undefined : DateTime.makeUnsafe(until)
})

/**
 * Failure reasons of a login that checked a password (or spent the time of one on an
 * unknown email): the attempts {@link Policy.maxFailuresPerHour} caps.
 *
 * @category lock-out
 * @since 0.1.0
 */
export const passwordCheckFailures: ReadonlyArray<string> = [
  "wrong_password",
  "unknown_email",
  "no_password",
  "inactive_user"
]

/**
 * When the email's hourly cap of failed password checks ({@link Policy.maxFailuresPerHour})
 * frees an attempt again, if it is spent now.
 *
 * @category lock-out
 * @since 0.1.0
 */
export const hourlyCapUntil = Effect.fn("Auth.hourlyCapUntil")(function*(email: string) {
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const cap = policy.maxFailuresPerHour
  if (cap === undefined) return undefined
  const now = yield* DateTime.now
  const since = toDate(DateTime.subtract(now, { hours: 1 }))
  const rows = yield* sql<{ created_at: Date }>`
    SELECT created_at FROM authentication_attempts
    WHERE email = ${email} AND NOT success AND created_at > ${since}
      AND failure_reason IN ${sql.in(passwordCheckFailures)}
    ORDER BY created_at DESC LIMIT ${cap}`
  const oldest = rows[cap - 1]
  if (oldest === undefined) return undefined
  return DateTime.add(DateTime.makeUnsafe(oldest.created_at), { hours: 1 })
})

const secondsUntil = (until: DateTime.Utc, now: DateTime.Utc): number =>
  Math.max(1, Math.ceil((DateTime.toEpochMillis(until) - DateTime.toEpochMillis(now)) / 1000))

const invalidCredentials = ErrorHandling.fail(ApiError.Unauthorized, {
  code: "invalid_credentials",
  message: "the email or the password is wrong"
})

/**
 * An opened session: the token to hand to the client once, and the stored row.
 *
 * @category sessions
 * @since 0.1.0
 */
export interface OpenedSession {
  /** The secret token. */
  readonly token: string
  /** The stored session. */
  readonly session: AuthModels.UserSession
  /** The signed-in user, with its new `last_login_at`. */
  readonly user: Parties.User
}

/**
 * Opens a new session for a user who just proved who they are, records the successful
 * attempt and the login time.
 *
 * @category sessions
 * @since 0.1.0
 */
export const openSession = Effect.fn("Auth.openSession")(function*(
  user: Parties.User,
  method: "PASSWORD" | "MAGIC_LINK"
) {
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const origin = yield* Audit.origin
  const now = yield* DateTime.now
  const { hash, token } = yield* Tokens.generate("session")
  return yield* Transaction.run(Effect.gen(function*() {
    const session = yield* sessions.one(sql`
    INSERT INTO user_sessions (user_id, token_hash, auth_method, ip_address, user_agent, expires_at, last_seen_at)
    VALUES (${user.id}, ${hash}, ${method}, ${origin.ip_address}, ${origin.user_agent},
            ${toDate(plus(now, policy.sessionLifetime))}, ${toDate(now)})
    RETURNING *`)
    const updated = yield* users.one(
      sql`UPDATE users SET last_login_at = ${toDate(now)} WHERE id = ${user.id} RETURNING *`
    )
    yield* recordAttempt({ email: user.email, user_id: user.id, method, failure_reason: null })
    yield* Audit.record({ user_id: user.id, action: "auth.login", details: { method, session_id: session.id } })
    const opened: OpenedSession = { token, session, user: updated }
    return opened
  }))
})

/**
 * Password login. Fails with 401 `invalid_credentials` for a wrong password, an unknown
 * email, an inactive user or one without a password (all alike), and with 429
 * `account_locked` while the email is locked; records the attempt in every case.
 *
 * @category login
 * @since 0.1.0
 */
export const login = Effect.fn("Auth.login")(function*(input: { readonly email: string; readonly password: string }) {
  const email = normalizeEmail(input.email)
  const now = yield* DateTime.now
  const locked = (yield* lockedUntil(email)) ?? (yield* hourlyCapUntil(email))
  const user = yield* findUserByEmail(email)
  if (locked !== undefined) {
    yield* recordAttempt({ email, user_id: user?.id ?? null, method: "PASSWORD", failure_reason: "locked" })
    return yield* ErrorHandling.rateLimited(
      "account_locked",
      "too many failed sign-ins with this email; the lock ends at a fixed time (Retry-After), and a magic " +
        "link by mail (POST /auth/magic-links) signs in meanwhile",
      secondsUntil(locked, now)
    )
  }
  const stored = user?.password_hash ?? null
  if (user === undefined || stored === null || !user.is_active) {
    yield* Password.verifyDummy(input.password)
    const reason = user === undefined ? "unknown_email" : user.is_active ? "no_password" : "inactive_user"
    yield* recordAttempt({ email, user_id: user?.id ?? null, method: "PASSWORD", failure_reason: reason })
    return yield* invalidCredentials
  }
  if (!(yield* Password.verify(input.password, stored))) {
    yield* recordAttempt({ email, user_id: user.id, method: "PASSWORD", failure_reason: "wrong_password" })
    return yield* invalidCredentials
  }
  const params = yield* Password.CurrentParams
  if (Password.needsRehash(stored, params)) {
    const sql = yield* SqlClient.SqlClient
    const rehashed = yield* Password.hash(input.password)
    yield* sql`UPDATE users SET password_hash = ${rehashed}, updated_at = now() WHERE id = ${user.id}`
  }
  return yield* openSession(user, "PASSWORD")
})

/**
 * A link token just made: the secret to mail, once, and when it stops working.
 *
 * @category magic links
 * @since 0.1.0
 */
export interface IssuedLink {
  /** The secret token. */
  readonly token: string
  /** When it expires. */
  readonly expiresAt: DateTime.Utc
}

/**
 * Makes a single-use link token for a user, stored as its hash; returns the token to
 * send. Invitations live longer than sign-in links.
 *
 * @category magic links
 * @since 0.1.0
 */
export const issueMagicLink = Effect.fn("Auth.issueMagicLink")(function*(
  userId: Ids.UserId,
  purpose: AuthModels.MagicLinkPurpose
) {
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const origin = yield* Audit.origin
  const now = yield* DateTime.now
  const lifetime = purpose === "INVITE" ? policy.inviteLifetime : policy.magicLinkLifetime
  const { hash, token } = yield* Tokens.generate("magic_link")
  yield* sql`
    INSERT INTO magic_link_tokens (user_id, token_hash, purpose, expires_at, ip_address)
    VALUES (${userId}, ${hash}, ${purpose}, ${toDate(plus(now, lifetime))}, ${origin.ip_address})`
  const issued: IssuedLink = { token, expiresAt: plus(now, lifetime) }
  return issued
})

/**
 * Redeems a magic-link token: opens a session for its user when the token is known,
 * unused and unexpired, and its user active; fails with 401 `invalid_link` otherwise
 * (the attempt records which). The token is spent even when the user turns out inactive.
 *
 * @category magic links
 * @since 0.1.0
 */
export const redeemMagicLink = Effect.fn("Auth.redeemMagicLink")(function*(token: string) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const hash = Tokens.hashToken(token)
  const invalid = ErrorHandling.fail(ApiError.Unauthorized, {
    code: "invalid_link",
    message: "this sign-in link is not valid: it was already used, it expired, or it was mistyped; ask for a new one"
  })
  const spent = yield* sql<{ user_id: Ids.UserId }>`
    UPDATE magic_link_tokens SET used_at = ${toDate(now)}
    WHERE token_hash = ${hash} AND used_at IS NULL AND expires_at > ${toDate(now)}
    RETURNING user_id`
  const [redeemed] = spent
  if (redeemed === undefined) {
    const [known] = yield* sql<{ user_id: Ids.UserId; email: string; used_at: Date | null }>`
      SELECT t.user_id, u.email, t.used_at FROM magic_link_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${hash}`
    yield* recordAttempt({
      email: known?.email ?? "",
      user_id: known?.user_id ?? null,
      method: "MAGIC_LINK",
      failure_reason: known === undefined ? "unknown_link" : known.used_at === null ? "expired_link" : "used_link"
    })
    return yield* invalid
  }
  const user = yield* getUser(redeemed.user_id)
  if (!user.is_active) {
    yield* recordAttempt({ email: user.email, user_id: user.id, method: "MAGIC_LINK", failure_reason: "inactive_user" })
    return yield* invalid
  }
  return yield* openSession(user, "MAGIC_LINK")
})

/** The credential id beside the user's row in {@link authenticate}'s answer. */
const credentialOf = Schema.Struct({ credential_id: Schema.String })

/** How often at most a credential's idle clock (`last_seen_at`, `last_used_at`) is written, in milliseconds. */
const touchEvery = 1000

/**
 * Resolves a bearer token or session cookie to the caller, or undefined when it is not a
 * live credential. A session's `last_seen_at` (its idle clock) and a key's `last_used_at`
 * are moved forward, at most once a second: a credential used many times a second is
 * written once a second (the idle timeout counts from up to a second earlier), so a
 * request that is only read commits nothing.
 *
 * @category authentication
 * @since 0.1.0
 */
export const authenticate = Effect.fn("Auth.authenticate")(function*(token: string) {
  const kind = Tokens.kindOf(token)
  if (kind !== "session" && kind !== "api_key") return undefined
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const now = yield* DateTime.now
  const hash = Tokens.hashToken(token)
  // The idle clock moves at most once a second (`touchEvery`): a session or key used many
  // times a second is written once a second, not on every request (a read commits nothing).
  const touchBefore = toDate(DateTime.subtract(now, { milliseconds: touchEvery }))
  // The credential and its user in one statement.
  const live = kind === "session" ?
    sql`
      SELECT id, user_id, last_seen_at AS touched_at FROM user_sessions
      WHERE token_hash = ${hash} AND revoked_at IS NULL AND expires_at > ${toDate(now)}
        AND coalesce(last_seen_at, created_at) > ${
      toDate(DateTime.subtract(now, { milliseconds: Duration.toMillis(policy.idleTimeout) }))
    }` :
    sql`
      SELECT id, user_id, last_used_at AS touched_at FROM api_keys
      WHERE key_hash = ${hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${toDate(now)})`
  const touch = kind === "session" ?
    sql`
      UPDATE user_sessions SET last_seen_at = ${toDate(now)} FROM live
      WHERE user_sessions.id = live.id AND (live.touched_at IS NULL OR live.touched_at <= ${touchBefore})` :
    sql`
      UPDATE api_keys SET last_used_at = ${toDate(now)} FROM live
      WHERE api_keys.id = live.id AND (live.touched_at IS NULL OR live.touched_at <= ${touchBefore})`
  const found = yield* sql`
    WITH live AS (${live}), touched AS (${touch})
    SELECT live.id AS credential_id, users.* FROM live JOIN users ON users.id = live.user_id`
  const [user] = yield* users.all(Effect.succeed(found))
  if (user === undefined || !user.is_active) return undefined
  const { credential_id } = yield* Effect.orDie(Schema.decodeUnknownEffect(credentialOf)(found[0]))
  const principal: Authentication.Principal = {
    user,
    credential: kind === "session" ?
      { _tag: "Session", id: Ids.UserSessionId.make(credential_id) } :
      { _tag: "ApiKey", id: Ids.ApiKeyId.make(credential_id) }
  }
  return principal
})

/**
 * Ends one session of a user; false when the user has no such live session.
 *
 * @category sessions
 * @since 0.1.0
 */
export const revokeSession = Effect.fn("Auth.revokeSession")(function*(userId: Ids.UserId, id: Ids.UserSessionId) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const rows = yield* sql`
    UPDATE user_sessions SET revoked_at = ${toDate(now)}
    WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`
  if (rows.length > 0) yield* Audit.record({ user_id: userId, action: "auth.logout", details: { session_id: id } })
  return rows.length > 0
})

/**
 * Ends every live session of a user but `except`; returns how many ended.
 *
 * @category sessions
 * @since 0.1.0
 */
export const revokeAllSessions = Effect.fn("Auth.revokeAllSessions")(function*(
  userId: Ids.UserId,
  except?: Ids.UserSessionId
) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const keep = except === undefined ? sql`` : sql`AND id <> ${except}`
  const rows = yield* sql`
    UPDATE user_sessions SET revoked_at = ${toDate(now)}
    WHERE user_id = ${userId} AND revoked_at IS NULL ${keep} RETURNING id`
  yield* Audit.record({ user_id: userId, action: "auth.logout_everywhere", details: { revoked: rows.length } })
  return rows.length
})

/**
 * What {@link disableUser} ended.
 *
 * @category users
 * @since 0.1.0
 */
export interface DisabledUser {
  /** How many live sessions were revoked. */
  readonly revoked_sessions: number
  /** How many live API keys were revoked. */
  readonly revoked_api_keys: number
}

/**
 * Disables a user: `is_active` false, and every session and API key of theirs revoked in
 * the same transaction, so nothing of theirs authenticates from the next request on
 * (`authenticate` also refuses any credential of an inactive user, so a user disabled
 * by other means is shut out as fast). Returns how many sessions and keys ended.
 *
 * @category users
 * @since 0.1.0
 */
export const disableUser = Effect.fn("Auth.disableUser")(function*(userId: Ids.UserId) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  return yield* Transaction.run(Effect.gen(function*() {
    yield* sql`UPDATE users SET is_active = false, updated_at = now() WHERE id = ${userId}`
    const sessionRows = yield* sql`
      UPDATE user_sessions SET revoked_at = ${toDate(now)}
      WHERE user_id = ${userId} AND revoked_at IS NULL RETURNING id`
    const keyRows = yield* sql`
      UPDATE api_keys SET revoked_at = ${toDate(now)}
      WHERE user_id = ${userId} AND revoked_at IS NULL RETURNING id`
    const ended: DisabledUser = { revoked_sessions: sessionRows.length, revoked_api_keys: keyRows.length }
    yield* Audit.record({ user_id: userId, action: "auth.user_disabled", details: { ...ended } })
    return ended
  }))
})

/**
 * The live sessions of a user, newest first.
 *
 * @category sessions
 * @since 0.1.0
 */
export const listSessions = Effect.fn("Auth.listSessions")(function*(userId: Ids.UserId) {
  const sql = yield* SqlClient.SqlClient
  const policy = yield* CurrentPolicy
  const now = yield* DateTime.now
  const idleSince = toDate(DateTime.subtract(now, { milliseconds: Duration.toMillis(policy.idleTimeout) }))
  return yield* sessions.all(sql`
    SELECT * FROM user_sessions
    WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${toDate(now)}
      AND coalesce(last_seen_at, created_at) > ${idleSince}
    ORDER BY created_at DESC, id DESC`)
})

/**
 * Sets a user's password after checking it against the policy (400 `weak_password`
 * naming `field`); with `current`, the current password must match first (401
 * `invalid_credentials`). Ends the user's other sessions; returns how many.
 *
 * @category passwords
 * @since 0.1.0
 */
export const setPassword = Effect.fn("Auth.setPassword")(function*(
  user: Parties.User,
  input: {
    readonly current?: string | undefined
    readonly password: string
    readonly field: string
    readonly keepSession?: Ids.UserSessionId | undefined
  }
) {
  const sql = yield* SqlClient.SqlClient
  if (user.password_hash !== null) {
    if (input.current === undefined || !(yield* Password.verify(input.current, user.password_hash))) {
      yield* recordAttempt({
        email: user.email,
        user_id: user.id,
        method: "PASSWORD",
        failure_reason: "wrong_current_password"
      })
      return yield* ErrorHandling.fail(ApiError.Unauthorized, {
        code: "invalid_credentials",
        message: "the current password is wrong",
        field: "current_password"
      })
    }
  }
  const checked = Password.check(input.password, { email: user.email, names: [user.first_name, user.last_name] })
  if (Result.isFailure(checked)) {
    return yield* ErrorHandling.fail(ApiError.BadRequest, {
      code: "weak_password",
      message: checked.failure.message,
      field: input.field,
      details: { reason: checked.failure.reason }
    })
  }
  const hashed = yield* Password.hash(input.password)
  return yield* Transaction.run(Effect.gen(function*() {
    yield* sql`UPDATE users SET password_hash = ${hashed}, updated_at = now() WHERE id = ${user.id}`
    yield* Audit.record({ user_id: user.id, action: "auth.password_changed" })
    return yield* revokeAllSessions(user.id, input.keepSession)
  }))
})

/**
 * A new API key and its secret, shown once.
 *
 * @category api keys
 * @since 0.1.0
 */
export interface CreatedApiKey {
  /** The stored key. */
  readonly key: AuthModels.ApiKey
  /** The secret. */
  readonly secret: string
}

/**
 * Creates an API key acting as the user; returns the stored key and its secret, which is
 * never stored.
 *
 * @category api keys
 * @since 0.1.0
 */
export const createApiKey = Effect.fn("Auth.createApiKey")(function*(
  userId: Ids.UserId,
  input: { readonly name: string; readonly expires_in_days?: number | undefined }
) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const { display, hash, prefix, token } = yield* Tokens.generate("api_key")
  const expires = input.expires_in_days === undefined ?
    null :
    toDate(plus(now, Duration.days(input.expires_in_days)))
  const key = yield* apiKeys.one(sql`
    INSERT INTO api_keys (user_id, name, display, key_hash, expires_at)
    VALUES (${userId}, ${input.name}, ${`${prefix}_${display}`}, ${hash}, ${expires})
    RETURNING *`)
  yield* Audit.record({ user_id: userId, action: "auth.api_key_created", details: { api_key_id: key.id } })
  const created: CreatedApiKey = { key, secret: token }
  return created
})

/**
 * The user's API keys, newest first (revoked ones included, marked by `revoked_at`).
 *
 * @category api keys
 * @since 0.1.0
 */
export const listApiKeys = Effect.fn("Auth.listApiKeys")(function*(userId: Ids.UserId) {
  const sql = yield* SqlClient.SqlClient
  return yield* apiKeys.all(sql`SELECT * FROM api_keys WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC`)
})

/**
 * Revokes one of the user's keys; false when the user has no such live key.
 *
 * @category api keys
 * @since 0.1.0
 */
export const revokeApiKey = Effect.fn("Auth.revokeApiKey")(function*(userId: Ids.UserId, id: Ids.ApiKeyId) {
  const sql = yield* SqlClient.SqlClient
  const now = yield* DateTime.now
  const rows = yield* sql`
    UPDATE api_keys SET revoked_at = ${toDate(now)}
    WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`
  if (rows.length > 0) {
    yield* Audit.record({ user_id: userId, action: "auth.api_key_revoked", details: { api_key_id: id } })
  }
  return rows.length > 0
})
