/**
 * Signing in and the signed-in account, as two groups of the API.
 *
 * `auth` is public: password login, asking for a magic link and redeeming one. A login
 * answers a {@link Session}: an opaque token (send it as `Authorization: Bearer`), also
 * set as the `__Host-` session cookie for browsers. Failures say nothing about whether
 * the email exists: a wrong password, an unknown email and an inactive user all answer
 * 401 `invalid_credentials`, and asking for a magic link always answers 202. Repeated
 * failures lock the account for a while (429 `account_locked`) and too many requests from
 * one address are throttled (429 `rate_limited`), both with `Retry-After`.
 *
 * `account` needs a signed-in caller: who am I, sign out (here or everywhere), the open
 * sessions, changing the password, and API keys for programs.
 *
 * @since 0.1.0
 */
import { Auth, Capabilities, Enums, Ids, Parties, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as Pagination from "./Pagination.ts"

/**
 * An email address as a person types it: `Parties.EmailInput` of `@niha/domain` (the
 * server compares it in lower case).
 *
 * @category inputs
 * @since 0.1.0
 */
export const EmailInput = Parties.EmailInput

/**
 * A password as sent to log in: never trimmed or truncated; at most 1024 characters so a
 * huge body cannot make the server hash megabytes.
 *
 * @category inputs
 * @since 0.1.0
 */
export const PasswordInput = Schema.String.check(
  Schema.isMinLength(1, { message: "must not be empty" }),
  Schema.isMaxLength(1024, { message: "must be at most 1024 characters" })
).annotate({ identifier: "PasswordInput", description: "A password." })

/**
 * The user as the API shows it (without its password hash).
 *
 * @category models
 * @since 0.1.0
 */
export const User = Parties.User.json.annotate({ identifier: "User" })

/**
 * @category models
 * @since 0.1.0
 */
export type User = typeof User.Type

/**
 * An open session, as login answers it.
 *
 * @category models
 * @since 0.1.0
 */
export const Session = Schema.Struct({
  /** The session token: send it as `Authorization: Bearer <token>`. Shown once. */
  token: Schema.String.annotate({ description: "The session token; send it as Authorization: Bearer. Shown once." }),
  /** The session's id, as listed by `GET /account/sessions`. */
  session_id: Ids.UserSessionId,
  /** When the session ends, however active it is. */
  expires_at: Schema.DateTimeUtcFromString,
  /** Minutes without a request after which the session ends. */
  idle_timeout_minutes: Schema.Int,
  /** The signed-in user. */
  user: User
}).annotate({ identifier: "Session" })

/**
 * @category models
 * @since 0.1.0
 */
export type Session = typeof Session.Type

/**
 * The answer of a magic-link request: always `sent`, whether or not the email is known.
 *
 * @category models
 * @since 0.1.0
 */
export const MagicLinkRequested = Schema.Struct({
  /** Always `sent`. */
  status: Schema.Literal("sent")
}).annotate({ identifier: "MagicLinkRequested" })

/**
 * The group `auth`: public sign-in endpoints.
 *
 * @category groups
 * @since 0.1.0
 */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("login", "/auth/login", {
      payload: Schema.Struct({ email: EmailInput, password: PasswordInput }),
      success: Session,
      error: [ApiError.Unauthorized, ApiError.RateLimited]
    }).annotate(OpenApi.Summary, "Sign in with email and password"),
    HttpApiEndpoint.post("requestMagicLink", "/auth/magic-links", {
      payload: Schema.Struct({ email: EmailInput }),
      success: MagicLinkRequested.pipe(HttpApiSchema.status(202)),
      error: ApiError.RateLimited
    }).annotate(OpenApi.Summary, "Email a single-use sign-in link"),
    HttpApiEndpoint.post("redeemMagicLink", "/auth/magic-links/redeem", {
      payload: Schema.Struct({
        token: Schema.String.check(Schema.isMaxLength(200, { message: "must be at most 200 characters" }))
      }),
      success: Session,
      error: [ApiError.Unauthorized, ApiError.RateLimited]
    }).annotate(OpenApi.Summary, "Sign in with the token of a magic link")
  )
  .annotateMerge(OpenApi.annotations({ title: "Auth", description: "Signing in." }))
{}

/**
 * The signed-in caller: the user, its entity, and what its role may do.
 *
 * @category models
 * @since 0.1.0
 */
export const Me = Schema.Struct({
  /** The user. */
  user: User,
  /** The user's entity; null for staff. */
  entity: Schema.NullOr(Parties.Entity.json),
  /** Every action the user's role may perform. */
  capabilities: Schema.Array(Capabilities.Action),
  /** How this request authenticated. */
  authenticated_by: Schema.Literals(["session", "api_key"])
}).annotate({ identifier: "Me" })

/**
 * @category models
 * @since 0.1.0
 */
export type Me = typeof Me.Type

/**
 * One session of the user, as listed.
 *
 * @category models
 * @since 0.1.0
 */
export const SessionInfo = Schema.Struct({
  /** The session's id. */
  id: Ids.UserSessionId,
  /** How it was opened. */
  auth_method: Enums.AuthMethod,
  /** The address it was opened from. */
  ip_address: Schema.NullOr(Schema.String),
  /** The browser or program that opened it. */
  user_agent: Schema.NullOr(Schema.String),
  /** When it was opened. */
  created_at: Schema.DateTimeUtcFromString,
  /** When it was last used. */
  last_seen_at: Schema.NullOr(Schema.DateTimeUtcFromString),
  /** When it ends at the latest. */
  expires_at: Schema.DateTimeUtcFromString,
  /** Whether it is the session of this request. */
  current: Schema.Boolean
}).annotate({ identifier: "SessionInfo" })

/**
 * An API key as listed (never the secret).
 *
 * @category models
 * @since 0.1.0
 */
export const ApiKey = Auth.ApiKey.json.annotate({ identifier: "ApiKey" })

/**
 * A new API key with its secret, which is shown this once.
 *
 * @category models
 * @since 0.1.0
 */
export const CreatedApiKey = Schema.Struct({
  /** The key as listed. */
  api_key: ApiKey,
  /** The secret: send it as `Authorization: Bearer <secret>`. Store it now; it is not shown again. */
  secret: Schema.String.annotate({ description: "The secret; it is shown only in this answer." })
}).annotate({ identifier: "CreatedApiKey" })

/**
 * The count of what a request ended.
 *
 * @category models
 * @since 0.1.0
 */
export const Revoked = Schema.Struct({
  /** How many sessions were ended. */
  revoked_sessions: Schema.Int
}).annotate({ identifier: "Revoked" })

/**
 * The group `account`: the signed-in caller's own account.
 *
 * @category groups
 * @since 0.1.0
 */
export class AccountApi extends HttpApiGroup.make("account")
  .add(
    HttpApiEndpoint.get("me", "/account", { success: Me })
      .annotate(OpenApi.Summary, "The signed-in user, its entity and its capabilities"),
    HttpApiEndpoint.post("logout", "/account/logout", { success: HttpApiSchema.NoContent })
      .annotate(OpenApi.Summary, "End this session"),
    HttpApiEndpoint.post("logoutEverywhere", "/account/logout-everywhere", {
      success: Revoked,
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "End every session of the user (a session only, not an API key)"),
    HttpApiEndpoint.get("listSessions", "/account/sessions", {
      query: Pagination.query(Ids.UserSessionId),
      success: Pagination.Page(SessionInfo)
    }).annotate(OpenApi.Summary, "The user's open sessions, newest first"),
    HttpApiEndpoint.delete("revokeSession", "/account/sessions/:id", {
      params: { id: Ids.UserSessionId },
      success: HttpApiSchema.NoContent,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "End one of the user's sessions (a session only, not an API key)"),
    HttpApiEndpoint.post("changePassword", "/account/password", {
      payload: Schema.Struct({
        /** The current password; omitted only by a user who has none yet (invited by magic link). */
        current_password: Schema.optionalKey(PasswordInput),
        /** The new password: 12 to 128 characters, not a common password. */
        new_password: PasswordInput
      }),
      success: Revoked,
      error: [ApiError.Unauthorized, ApiError.Forbidden, ApiError.RateLimited]
    }).annotate(OpenApi.Summary, "Set a new password; every other session ends (a session only, not an API key)"),
    HttpApiEndpoint.post("createApiKey", "/account/api-keys", {
      payload: Schema.Struct({
        /** A name to tell the key apart. */
        name: Text.Line(100),
        /** Days until the key expires (1 to 730); never when absent. */
        expires_in_days: Schema.optionalKey(
          Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 730 }, { message: "must be from 1 to 730" }))
        )
      }),
      success: CreatedApiKey.pipe(HttpApiSchema.status(201)),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Create an API key acting as this user (a session only, not an API key)"),
    HttpApiEndpoint.get("listApiKeys", "/account/api-keys", {
      query: Pagination.query(Ids.ApiKeyId),
      success: Pagination.Page(ApiKey)
    }).annotate(OpenApi.Summary, "The user's API keys, newest first"),
    HttpApiEndpoint.delete("revokeApiKey", "/account/api-keys/:id", {
      params: { id: Ids.ApiKeyId },
      success: HttpApiSchema.NoContent,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Revoke one of the user's API keys (a session only, not an API key)")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Account", description: "The signed-in user's own account." }))
{}
