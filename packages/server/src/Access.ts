/**
 * The server side of the contract's `Authentication` middleware, and the checks handlers
 * run behind it.
 *
 * - {@link layer} resolves the bearer token (a session token or an API key) or the session
 *   cookie to the caller, or answers 401 `unauthenticated`.
 * - {@link authorize} asks `@niha/domain`'s capability table whether the caller's role
 *   (staff role or onboarding stage) may perform an action: 403 `not_permitted` if not.
 * - {@link entityOf} gives a client's own entity; objects of other entities are answered
 *   404 by the handlers, exactly like ids that do not exist, so ids do not leak.
 *
 * @since 0.1.0
 */
import { type Repository } from "@niha/db"
import { Capabilities, type Enums, type Ids } from "@niha/domain"
import { ApiError, Authentication } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import type * as SqlClient from "effect/sql/SqlClient"
import * as Auth from "./Auth.ts"
import * as ErrorHandling from "./ErrorHandling.ts"

const unauthenticated = ErrorHandling.fail(ApiError.Unauthorized, {
  code: "unauthenticated",
  message: "sign in first: send a session token or an API key as Authorization: Bearer, or the session cookie"
})

/**
 * The implementation of `Authentication`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Authentication.Authentication, never, SqlClient.SqlClient | Repository.Repositories> =
  Layer
    .effect(
      Authentication.Authentication,
      Effect.gen(function*() {
        const services = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
        const resolve = (credential: Redacted.Redacted) =>
          Effect.gen(function*() {
            const token = Redacted.value(credential)
            if (token === "") return yield* unauthenticated
            const principal = yield* Auth.authenticate(token).pipe(Effect.orDie, Effect.provideContext(services))
            return principal ?? (yield* unauthenticated)
          })
        const provide = <A, E, R>(
          httpEffect: Effect.Effect<A, E, R>,
          options: { readonly credential: Redacted.Redacted }
        ) =>
          Effect.flatMap(
            resolve(options.credential),
            (principal) => Effect.provideService(httpEffect, Authentication.CurrentPrincipal, principal)
          )
        return Authentication.Authentication.of({ bearer: provide, cookie: provide })
      })
    )

/**
 * The caller, after checking that its role may perform `action`.
 *
 * @category checks
 * @since 0.1.0
 */
export const authorize = Effect.fn("Access.authorize")(function*(action: Capabilities.Action) {
  const principal = yield* Authentication.CurrentPrincipal
  const checked = Capabilities.check(principal.user.role, action)
  if (Result.isFailure(checked)) {
    const refused = checked.failure
    return yield* ErrorHandling.failWith((requestId) => ApiError.fromNotPermitted(refused, requestId))
  }
  return principal
})

/**
 * The actions this server has endpoints for. `GET /account` lists a role's capabilities
 * from domain's table narrowed to these, so it never promises an action (a deposit, an
 * order) the server cannot perform yet. Each release that adds the endpoints of an
 * action adds it here.
 *
 * @category capabilities
 * @since 0.1.0
 */
export const servedActions: ReadonlySet<Capabilities.Action> = new Set<Capabilities.Action>([
  "view_own_account",
  "upload_kyc_document",
  "view_market_data",
  "manage_contact_requests",
  "review_kyc",
  "manage_users"
])

/**
 * What a role may do on this server: domain's capabilities narrowed to
 * {@link servedActions}.
 *
 * @category capabilities
 * @since 0.1.0
 */
export const capabilitiesOf = (role: Enums.UserRole): Array<Capabilities.Action> =>
  Capabilities.actionsOf(role).filter((action) => servedActions.has(action))

/**
 * Fails with 403 `session_required` unless the caller signed in as a person (a session,
 * not an API key): only a person manages API keys, sessions and the password, so a
 * leaked key cannot mint more keys or lock its owner out.
 *
 * @category checks
 * @since 0.1.0
 */
export const requireSession = Effect.fn("Access.requireSession")(function*() {
  const principal = yield* Authentication.CurrentPrincipal
  if (principal.credential._tag !== "Session") {
    return yield* ErrorHandling.fail(ApiError.Forbidden, {
      code: "session_required",
      message: "API keys cannot manage API keys, sessions or the password; sign in as a person to do that"
    })
  }
  const signedIn: SignedIn = { principal, session: principal.credential.id }
  return signedIn
})

/**
 * A caller signed in as a person: its principal and the id of its session.
 *
 * @category models
 * @since 0.1.0
 */
export interface SignedIn {
  /** The caller. */
  readonly principal: Authentication.Principal
  /** The caller's session. */
  readonly session: Ids.UserSessionId
}

/**
 * The caller's entity id, for a client; a staff caller (no entity) is refused with 403.
 *
 * @category checks
 * @since 0.1.0
 */
export const entityOf = Effect.fn("Access.entityOf")(function*() {
  const principal = yield* Authentication.CurrentPrincipal
  if (principal.user.entity_id === null) {
    return yield* ErrorHandling.fail(ApiError.Forbidden, {
      code: "not_permitted",
      message: "this endpoint is for the users of a client entity; staff use the admin endpoints"
    })
  }
  return principal.user.entity_id
})

/**
 * The 404 of an object the caller may not see or that does not exist (the two read alike).
 *
 * @category checks
 * @since 0.1.0
 */
export const notFound = (resource: string, id: string): Effect.Effect<never, ApiError.NotFound> =>
  ErrorHandling.fail(ApiError.NotFound, {
    code: "not_found",
    message: `no ${resource} with id ${id}`,
    details: { resource, id }
  })

/**
 * Whether the caller may see an object of `entityId`: its own entity's, or any for a role
 * that may perform `staffAction`.
 *
 * @category checks
 * @since 0.1.0
 */
export const canSee = Effect.fn("Access.canSee")(function*(
  entityId: Ids.EntityId,
  staffAction: Capabilities.Action
) {
  const principal = yield* Authentication.CurrentPrincipal
  return principal.user.entity_id === entityId || Capabilities.can(principal.user.role, staffAction)
})
