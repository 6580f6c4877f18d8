/**
 * How a request proves who sends it, as the contract's middleware: a session token or an
 * API key as `Authorization: Bearer <token>` (programs, the SDK), or the session cookie
 * {@link sessionCookie} (browsers). Endpoints that need a signed-in caller declare
 * {@link Authentication}; the server implements it, and every handler behind it reads the
 * caller as {@link CurrentPrincipal}. A request without valid credentials is answered 401
 * (`unauthenticated`) before any handler runs.
 *
 * @since 0.1.0
 */
import type { Ids, Parties } from "@niha/domain"
import * as Context from "effect/Context"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as OpenApi from "effect/http-api/OpenApi"
import * as ApiError from "./ApiError.ts"

/**
 * The session cookie's name. The `__Host-` prefix makes browsers accept it only when it
 * is Secure, set by this host itself, and for path `/`, so no subdomain can plant or read
 * it.
 *
 * @category constants
 * @since 0.1.0
 */
export const sessionCookie = "__Host-niha_session"

/**
 * Who is calling: the user, and the credential it came with (a session, or an API key
 * acting as the user that created it).
 *
 * @category models
 * @since 0.1.0
 */
export interface Principal {
  /** The signed-in user, as stored. */
  readonly user: Parties.User
  /** How the caller authenticated. */
  readonly credential: Credential
}

/**
 * The credential a request came with: a session (its id) or an API key (its id).
 *
 * @category models
 * @since 0.1.0
 */
export type Credential = SessionCredential | ApiKeyCredential

/**
 * A session token or the session cookie.
 *
 * @category models
 * @since 0.1.0
 */
export interface SessionCredential {
  /** The kind. */
  readonly _tag: "Session"
  /** The session's id. */
  readonly id: Ids.UserSessionId
}

/**
 * An API key.
 *
 * @category models
 * @since 0.1.0
 */
export interface ApiKeyCredential {
  /** The kind. */
  readonly _tag: "ApiKey"
  /** The key's id. */
  readonly id: Ids.ApiKeyId
}

/**
 * The caller of the request being served, provided by {@link Authentication}.
 *
 * @category services
 * @since 0.1.0
 */
export class CurrentPrincipal extends Context.Service<CurrentPrincipal, Principal>()(
  "@niha/sdk/Authentication/CurrentPrincipal"
) {}

/**
 * The middleware of endpoints that need a signed-in caller. Clients need no part of it:
 * they send their token as a bearer token, or the browser sends the cookie.
 *
 * @category middleware
 * @since 0.1.0
 */
export class Authentication extends HttpApiMiddleware.Service<Authentication, {
  provides: CurrentPrincipal
}>()("@niha/sdk/Authentication", {
  security: {
    /** A session token (`nihs_...`) or an API key (`nihk_...`). */
    bearer: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(
        OpenApi.Description,
        "A session token from login (nihs_...) or an API key (nihk_...), as Authorization: Bearer."
      )
    ),
    /** The session cookie browsers send. */
    cookie: HttpApiSecurity.apiKey({ key: sessionCookie, in: "cookie" }).pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "The session cookie a browser got at login.")
    )
  },
  error: ApiError.Unauthorized
}) {}
