/**
 * The handlers of the `auth` and `account` groups, on `Auth`, with throttles in front of
 * every public endpoint: per client address for logins, link requests and redemptions,
 * and per email for link requests (so nobody can flood one inbox). The throttles are
 * shared ones (`Throttle.makeShared`): their counts live in the database, so every server
 * instance on it enforces one limit.
 *
 * A login answers the session token in the body and sets it as the `__Host-` session
 * cookie (Secure, HttpOnly, SameSite=Strict, path `/`, for the session's lifetime), so
 * browsers and programs both work.
 *
 * Only a person's session manages the account's credentials: creating and revoking API
 * keys, ending sessions and changing the password answer 403 `session_required` to an
 * API key. Password changes are throttled per session.
 *
 * @since 0.1.0
 */
import { Repository, Transaction } from "@niha/db"
import type { Auth as AuthModels, Ids } from "@niha/domain"
import { Api, ApiError, type AuthApi, Authentication, Pagination } from "@niha/sdk"

type SessionInfo = typeof AuthApi.SessionInfo.Type
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as Access from "./Access.ts"
import * as Audit from "./Audit.ts"
import * as Auth from "./Auth.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as MailOutbox from "./MailOutbox.ts"
import * as Notices from "./Notices.ts"
import * as Throttle from "./Throttle.ts"

/**
 * The throttles of the public endpoints.
 *
 * @category models
 * @since 0.1.0
 */
export interface Limits {
  /** Logins per client address. */
  readonly loginsPerAddress: Throttle.Options
  /** Magic-link requests and redemptions per client address. */
  readonly linksPerAddress: Throttle.Options
  /** Magic-link requests per email. */
  readonly linksPerEmail: Throttle.Options
  /** Contact requests per client address. */
  readonly contactRequestsPerAddress: Throttle.Options
  /**
   * Password changes per session (each checks the current password, so this bounds
   * guessing by whoever holds a session); {@link defaultPasswordChangesPerSession}
   * unless given.
   */
  readonly passwordChangesPerSession?: Throttle.Options | undefined
}

/**
 * The default throttle of password changes: 5 per session per 15 minutes.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPasswordChangesPerSession: Throttle.Options = { limit: 5, window: "15 minutes" }

/**
 * The default throttles: generous for people, tight for scripts.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultLimits: Limits = {
  loginsPerAddress: { limit: 30, window: "5 minutes" },
  linksPerAddress: { limit: 30, window: "15 minutes" },
  linksPerEmail: { limit: 5, window: "15 minutes" },
  contactRequestsPerAddress: { limit: 10, window: "1 hour" }
}

/**
 * Takes one attempt of a throttle, answering 429 `rate_limited` when it is spent.
 *
 * @category throttling
 * @since 0.1.0
 */
export const throttled = (throttle: Throttle.Throttle, key: string) =>
  Effect.catchTag(
    throttle.take(key),
    "Throttled",
    (error) => ErrorHandling.rateLimited("rate_limited", error.message, error.retry_after_seconds)
  )

const addressKey = Effect.map(Audit.origin, (origin) => origin.ip_address ?? "unknown")

const sessionCookie = Authentication.Authentication.security.cookie

const sessionAnswer = (opened: Auth.OpenedSession) =>
  Effect.gen(function*() {
    const policy = yield* Auth.CurrentPolicy
    yield* HttpApiBuilder.securitySetCookie(sessionCookie, opened.token, {
      path: "/",
      sameSite: "strict",
      // A Duration, not a number: a bare number would be read as milliseconds.
      maxAge: policy.sessionLifetime
    })
    return {
      token: opened.token,
      session_id: opened.session.id,
      expires_at: opened.session.expires_at,
      idle_timeout_minutes: Math.round(Duration.toMinutes(policy.idleTimeout)),
      user: opened.user
    }
  })

/**
 * The `auth` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const auth = (limits: Limits = defaultLimits): Layer.Layer<
  HttpApiGroup.Service<"niha", "auth">,
  never,
  SqlClient.SqlClient | Repository.Repositories
> =>
  HttpApiBuilder.group(
    Api.Api,
    "auth",
    Effect.fn(function*(handlers) {
      const services = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
      const logins = yield* Throttle.makeShared("logins_per_address", limits.loginsPerAddress)
      const linksByAddress = yield* Throttle.makeShared("links_per_address", limits.linksPerAddress)
      const linksByEmail = yield* Throttle.makeShared("links_per_email", limits.linksPerEmail)
      return handlers.handleAll({
        login: ({ payload }) =>
          Effect.gen(function*() {
            yield* throttled(logins, yield* addressKey)
            return yield* sessionAnswer(yield* Auth.login(payload))
          }).pipe(ErrorHandling.dieOnSqlError, Effect.provideContext(services)),
        requestMagicLink: ({ payload }) =>
          Effect.gen(function*() {
            const email = Auth.normalizeEmail(payload.email)
            yield* throttled(linksByAddress, yield* addressKey)
            yield* throttled(linksByEmail, email)
            const user = yield* Auth.findUserByEmail(email)
            if (user !== undefined && user.is_active) {
              const baseUrl = yield* Notices.PublicUrl
              yield* Transaction.run(Effect.gen(function*() {
                const link = yield* Auth.issueMagicLink(user.id, "LOGIN")
                yield* MailOutbox.enqueue(Notices.magicLink({ to: user.email, baseUrl, ...link }))
              }))
            }
            return { status: "sent" as const }
          }).pipe(ErrorHandling.dieOnSqlError, Effect.provideContext(services)),
        redeemMagicLink: ({ payload }) =>
          Effect.gen(function*() {
            yield* throttled(linksByAddress, yield* addressKey)
            return yield* sessionAnswer(yield* Auth.redeemMagicLink(payload.token))
          }).pipe(ErrorHandling.dieOnSqlError, Effect.provideContext(services))
      })
    })
  ).pipe(Layer.provide(ErrorHandling.layer))

const sessionInfo = (current: Ids.UserSessionId | undefined) => (session: AuthModels.UserSession): SessionInfo => ({
  id: session.id,
  auth_method: session.auth_method,
  ip_address: session.ip_address,
  user_agent: session.user_agent,
  created_at: session.created_at,
  last_seen_at: session.last_seen_at,
  expires_at: session.expires_at,
  current: session.id === current
})

const currentSession = (principal: Authentication.Principal) =>
  principal.credential._tag === "Session" ? principal.credential.id : undefined

/**
 * The `account` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const account = (limits: Limits = defaultLimits): Layer.Layer<
  HttpApiGroup.Service<"niha", "account">,
  never,
  SqlClient.SqlClient | Repository.Repositories | Authentication.Authentication
> =>
  HttpApiBuilder.group(
    Api.Api,
    "account",
    Effect.fn(function*(handlers) {
      const services = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
      const repositories = yield* Repository.Repositories
      const passwordChanges = yield* Throttle.makeShared(
        "password_changes_per_session",
        limits.passwordChangesPerSession ?? defaultPasswordChangesPerSession
      )
      const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(ErrorHandling.dieOnSqlError, Effect.provideContext(services))
      return handlers.handleAll({
        me: () =>
          run(Effect.gen(function*() {
            const principal = yield* Authentication.CurrentPrincipal
            const user = principal.user
            const entity = user.entity_id === null ?
              null :
              yield* Effect.orDie(repositories.entities.findById(user.entity_id))
            return {
              user,
              entity,
              capabilities: Access.capabilitiesOf(user.role),
              authenticated_by: principal.credential._tag === "Session" ? "session" as const : "api_key" as const
            }
          })),
        logout: () =>
          run(Effect.gen(function*() {
            const principal = yield* Authentication.CurrentPrincipal
            const session = currentSession(principal)
            if (session !== undefined) yield* Auth.revokeSession(principal.user.id, session)
            yield* HttpApiBuilder.securitySetCookie(sessionCookie, "", { path: "/", sameSite: "strict", maxAge: 0 })
          })),
        logoutEverywhere: () =>
          run(Effect.gen(function*() {
            const { principal } = yield* Access.requireSession()
            const revoked = yield* Auth.revokeAllSessions(principal.user.id)
            yield* HttpApiBuilder.securitySetCookie(sessionCookie, "", { path: "/", sameSite: "strict", maxAge: 0 })
            return { revoked_sessions: revoked }
          })),
        listSessions: ({ query }) =>
          run(Effect.gen(function*() {
            const principal = yield* Authentication.CurrentPrincipal
            const sessions = yield* Auth.listSessions(principal.user.id)
            const current = currentSession(principal)
            return Pagination.fromList(sessions.map(sessionInfo(current)), (session) => session.id, query)
          })),
        revokeSession: ({ params }) =>
          run(Effect.gen(function*() {
            const { principal } = yield* Access.requireSession()
            if (!(yield* Auth.revokeSession(principal.user.id, params.id))) {
              return yield* ErrorHandling.fail(ApiError.NotFound, {
                code: "not_found",
                message: `no open session with id ${params.id}`,
                details: { resource: "user_sessions", id: params.id }
              })
            }
          })),
        changePassword: ({ payload }) =>
          run(Effect.gen(function*() {
            const { principal, session } = yield* Access.requireSession()
            yield* throttled(passwordChanges, session)
            const revoked = yield* Auth.setPassword(principal.user, {
              current: payload.current_password,
              password: payload.new_password,
              field: "new_password",
              keepSession: session
            })
            return { revoked_sessions: revoked }
          })),
        createApiKey: ({ payload }) =>
          run(Effect.gen(function*() {
            const { principal } = yield* Access.requireSession()
            const created = yield* Auth.createApiKey(principal.user.id, payload)
            return { api_key: created.key, secret: created.secret }
          })),
        listApiKeys: ({ query }) =>
          run(Effect.gen(function*() {
            const principal = yield* Authentication.CurrentPrincipal
            const keys = yield* Auth.listApiKeys(principal.user.id)
            return Pagination.fromList(keys, (key) => key.id, query)
          })),
        revokeApiKey: ({ params }) =>
          run(Effect.gen(function*() {
            const { principal } = yield* Access.requireSession()
            if (!(yield* Auth.revokeApiKey(principal.user.id, params.id))) {
              return yield* ErrorHandling.fail(ApiError.NotFound, {
                code: "not_found",
                message: `no live API key with id ${params.id}`,
                details: { resource: "api_keys", id: params.id }
              })
            }
          }))
      })
    })
  ).pipe(Layer.provide(ErrorHandling.layer))
