/**
 * The server side of the contract's `Authentication` middleware, and the checks handlers
 * run behind it.
 *
 * - {@link layer} resolves the bearer token (a session token or an API key) or the session
 *   cookie to the caller, or answers 401 `unauthenticated`.
 * - {@link requireSession} refuses an API key where only a person's session may act
 *   (managing credentials): 403 `session_required`.
 * - {@link capabilitiesOf} lists what a role may do on this server.
 *
 * Whether a role may perform an action, and which entity's objects a user reaches, is
 * decided by the services (`Onboarding`) with `@niha/domain`'s capability table.
 *
 * @since 0.1.0
 */
import { type Repository } from "@niha/db"
import { Capabilities, type Enums, type Ids } from "@niha/domain"
import { ApiError, Authentication } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "./Audit.ts"
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
            (principal) =>
              Effect.andThen(
                Audit.noteActor(principal.user.id),
                Effect.provideService(httpEffect, Authentication.CurrentPrincipal, principal)
              )
          )
        return Authentication.Authentication.of({ bearer: provide, cookie: provide })
      })
    )

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
  "manage_users",
  "announce_deposit",
  "confirm_deposit",
  "decide_aml_hold",
  "request_withdrawal",
  "process_withdrawal",
  "configure_funding",
  "configure_fees",
  "place_cea_order",
  "cancel_own_order",
  "adjust_balances",
  "view_audit_log",
  "configure_platform",
  "place_market_maker_order",
  "run_market_makers"
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
