/**
 * The errors of the HTTP API, as one body every error response carries:
 *
 * ```json
 * { "code": "validation_failed", "message": "limit: must be at most 100",
 *   "field": "limit", "request_id": "6f1c..." }
 * ```
 *
 * `code` is stable (clients branch on it; new codes may appear, existing ones keep their
 * meaning), `message` is for a person, `field` names the offending input where there is
 * one, and `request_id` is the id of the request (also in the `X-Request-Id` header).
 * Some codes add `issues` (every problem of a rejected input) or `details` (the facts of
 * a domain error, such as the asset that is short).
 *
 * There is one error class per HTTP status, so the generated client decodes any error
 * body by its status. {@link fromDomain} maps the typed errors of `@niha/domain` onto
 * them, so a rule broken in the domain reaches the client with its status and code.
 *
 * @since 0.1.0
 */
import { type Errors } from "@niha/domain"
import * as Schema from "effect/Schema"

/**
 * The codes the server sends today, by status. `code` on the wire is any string, so an
 * older client still decodes a code added later.
 *
 * - 400: `validation_failed` (an input does not match its schema; `field` names it),
 *   `invalid_request` (a body that cannot be read), `unsupported_api_version`,
 *   `out_of_range`, `weak_password` (a new password the policy refuses), `upload_rejected`
 *   (a file that is empty, too large, of a type not accepted, or not what it claims)
 * - 401: `unauthenticated` (no valid session or key), `invalid_credentials` (login),
 *   `invalid_link` (a magic link that is unknown, used or expired)
 * - 403: `not_permitted`, `session_required` (an API key asked to manage keys, sessions
 *   or the password, which only a person's session may)
 * - 404: `not_found`, `route_not_found`
 * - 405: `method_not_allowed` (a known path with a method it does not answer; `Allow`
 *   names those it does)
 * - 409: `conflict`, `insufficient_funds`, `invalid_transition`, `idempotency_key_reused` (an
 *   `Idempotency-Key` sent again with another request), `kyc_not_submitted` (an entity
 *   approved before its client submitted the KYC file; a file with required documents
 *   missing or awaiting review is a `conflict` whose `details.missing` and
 *   `details.pending` name them), `limit_exceeded` (a withdrawal below the minimum or
 *   over a 24-hour or 7-day limit; `details.remaining` says what is left),
 *   `order_rejected` (a post-only order that would cross, a fill-or-kill order that cannot
 *   fill, or an order in a halted market; `details.reason` says which)
 * - 413: `payload_too_large`
 * - 415: `unsupported_media_type`
 * - 429: `rate_limited`, `account_locked` (too many failed sign-ins)
 * - 500: `internal_error`
 * - 503: `not_ready`
 *
 * @category codes
 * @since 0.1.0
 */
export const ErrorCode = Schema.Literals([
  "validation_failed",
  "invalid_request",
  "unsupported_api_version",
  "out_of_range",
  "weak_password",
  "upload_rejected",
  "unauthenticated",
  "invalid_credentials",
  "invalid_link",
  "not_permitted",
  "session_required",
  "not_found",
  "route_not_found",
  "method_not_allowed",
  "conflict",
  "insufficient_funds",
  "invalid_transition",
  "idempotency_key_reused",
  "kyc_not_submitted",
  "limit_exceeded",
  "order_rejected",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "account_locked",
  "internal_error",
  "not_ready"
])

/**
 * @category codes
 * @since 0.1.0
 */
export type ErrorCode = typeof ErrorCode.Type

/**
 * One problem of a rejected input: the field (a dotted path such as `lines.0.amount`,
 * empty for the input as a whole) and what is wrong with it.
 *
 * @category models
 * @since 0.1.0
 */
export const Issue = Schema.Struct({
  /** The offending field, a dotted path; empty for the input as a whole. */
  field: Schema.String,
  /** What is wrong with it. */
  message: Schema.String
}).annotate({ identifier: "ErrorIssue" })

/**
 * @category models
 * @since 0.1.0
 */
export type Issue = typeof Issue.Type

const bodyFields = {
  /** Stable machine-readable code, e.g. `validation_failed`; the known ones are `ErrorCode`. */
  code: Schema.String.annotate({ description: "Stable machine-readable code, e.g. validation_failed." }),
  /** What went wrong, for a person. */
  message: Schema.String.annotate({ description: "What went wrong, for a person." }),
  /** The offending input field, where there is one. */
  field: Schema.optionalKey(Schema.String.annotate({ description: "The offending input field, where there is one." })),
  /** The id of the request, as in the `X-Request-Id` header. */
  request_id: Schema.String.annotate({ description: "The id of the request, as in the X-Request-Id header." }),
  /** Every problem of a rejected input. */
  issues: Schema.optionalKey(Schema.Array(Issue)),
  /** The facts of a domain error a client can act on, such as the asset that is short. */
  details: Schema.optionalKey(Schema.Record(Schema.String, Schema.Json))
}

/**
 * The body of every error response, whatever its status: what a client that does not
 * know the endpoint (a proxy, a log reader) can rely on.
 *
 * @category models
 * @since 0.1.0
 */
export const ErrorBody = Schema.Struct(bodyFields).annotate({ identifier: "ErrorBody" })

/**
 * @category models
 * @since 0.1.0
 */
export type ErrorBody = typeof ErrorBody.Type

/**
 * 400: the request is malformed: an input does not match its schema (`field` names it),
 * or the API version is unknown.
 *
 * @category errors
 * @since 0.1.0
 */
export class BadRequest extends Schema.Error<BadRequest>("BadRequest")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("BadRequest"),
  ...bodyFields
}, { httpApiStatus: 400, description: "The request is malformed; `field` names the offending input." }) {}

/**
 * 401: no valid credentials came with the request.
 *
 * @category errors
 * @since 0.1.0
 */
export class Unauthorized extends Schema.Error<Unauthorized>("Unauthorized")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("Unauthorized"),
  ...bodyFields
}, { httpApiStatus: 401, description: "No valid credentials came with the request." }) {}

/**
 * 403: the caller is known but its role or onboarding stage does not allow the action.
 *
 * @category errors
 * @since 0.1.0
 */
export class Forbidden extends Schema.Error<Forbidden>("Forbidden")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("Forbidden"),
  ...bodyFields
}, { httpApiStatus: 403, description: "The caller may not do this." }) {}

/**
 * 404: no such object, or one the caller may not see (the two are answered alike, so
 * ids of other entities do not leak), or no such route.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotFound extends Schema.Error<NotFound>("NotFound")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("NotFound"),
  ...bodyFields
}, { httpApiStatus: 404, description: "No such object or route." }) {}

/**
 * 409: the request clashes with the current state (a taken value, a reused idempotency
 * key, a status change the state machine forbids, funds that are not there).
 *
 * @category errors
 * @since 0.1.0
 */
export class Conflict extends Schema.Error<Conflict>("Conflict")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("Conflict"),
  ...bodyFields
}, { httpApiStatus: 409, description: "The request clashes with the current state." }) {}

/**
 * 413: the request body is larger than the server accepts.
 *
 * @category errors
 * @since 0.1.0
 */
export class PayloadTooLarge extends Schema.Error<PayloadTooLarge>("PayloadTooLarge")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("PayloadTooLarge"),
  ...bodyFields
}, { httpApiStatus: 413, description: "The request body is too large." }) {}

/**
 * 405: the path exists but does not answer this method; the `Allow` header names the
 * methods it does answer.
 *
 * @category errors
 * @since 0.1.0
 */
export class MethodNotAllowed extends Schema.Error<MethodNotAllowed>("MethodNotAllowed")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("MethodNotAllowed"),
  ...bodyFields
}, { httpApiStatus: 405, description: "The path does not answer this method; Allow names those it does." }) {}

/**
 * 415: the body's `Content-Type` is not one the endpoint reads (JSON, or multipart form
 * data for uploads).
 *
 * @category errors
 * @since 0.1.0
 */
export class UnsupportedMediaType extends Schema.Error<UnsupportedMediaType>("UnsupportedMediaType")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("UnsupportedMediaType"),
  ...bodyFields
}, { httpApiStatus: 415, description: "The body's Content-Type is not one this endpoint reads." }) {}

/**
 * 429: too many requests; retry after `details.retry_after_seconds` (also in the
 * `Retry-After` header).
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimited extends Schema.Error<RateLimited>("RateLimited")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("RateLimited"),
  ...bodyFields
}, { httpApiStatus: 429, description: "Too many requests." }) {}

/**
 * 500: the server failed; the request id finds the log lines of what happened.
 *
 * @category errors
 * @since 0.1.0
 */
export class InternalError extends Schema.Error<InternalError>("InternalError")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("InternalError"),
  ...bodyFields
}, { httpApiStatus: 500, description: "The server failed." }) {}

/**
 * 503: the server cannot serve now (its database is unreachable or not migrated).
 *
 * @category errors
 * @since 0.1.0
 */
export class ServiceUnavailable extends Schema.Error<ServiceUnavailable>("ServiceUnavailable")({
  /** The class tag, for `catchTag`; not sent on the wire. */
  _tag: Schema.tagDefaultOmit("ServiceUnavailable"),
  ...bodyFields
}, { httpApiStatus: 503, description: "The server cannot serve now." }) {}

/**
 * Every error class of the API.
 *
 * @category errors
 * @since 0.1.0
 */
export type ApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | MethodNotAllowed
  | Conflict
  | PayloadTooLarge
  | UnsupportedMediaType
  | RateLimited
  | InternalError
  | ServiceUnavailable

/**
 * The HTTP status of each error class.
 *
 * @category constants
 * @since 0.1.0
 */
export const statusOf: { readonly [Tag in ApiError["_tag"]]: number } = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  RateLimited: 429,
  InternalError: 500,
  ServiceUnavailable: 503
}

/**
 * Whether a value is one of the API's error classes.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isApiError = (u: unknown): u is ApiError =>
  u instanceof BadRequest || u instanceof Unauthorized || u instanceof Forbidden || u instanceof NotFound ||
  u instanceof MethodNotAllowed || u instanceof Conflict || u instanceof PayloadTooLarge ||
  u instanceof UnsupportedMediaType || u instanceof RateLimited || u instanceof InternalError ||
  u instanceof ServiceUnavailable

/**
 * The body of an error, as it goes on the wire (without the class tag).
 *
 * @category conversions
 * @since 0.1.0
 */
export const toBody = (error: ApiError): ErrorBody => ({
  code: error.code,
  message: error.message,
  ...(error.field === undefined ? {} : { field: error.field }),
  request_id: error.request_id,
  ...(error.issues === undefined ? {} : { issues: error.issues }),
  ...(error.details === undefined ? {} : { details: error.details })
})

/**
 * The error class of a status, built from a body; statuses without their own class map
 * to the nearest one (other 4xx to {@link BadRequest}, other 5xx to {@link InternalError}).
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromBody = (status: number, body: ErrorBody): ApiError => {
  switch (status) {
    case 401:
      return new Unauthorized(body)
    case 403:
      return new Forbidden(body)
    case 404:
      return new NotFound(body)
    case 409:
      return new Conflict(body)
    case 413:
      return new PayloadTooLarge(body)
    case 429:
      return new RateLimited(body)
    case 503:
      return new ServiceUnavailable(body)
    default:
      return status >= 500 ? new InternalError(body) : new BadRequest(body)
  }
}

/**
 * The 400 of a rejected input: code `validation_failed`, every issue, and the first
 * issue that names a field as `field`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromValidationFailed = (error: Errors.ValidationFailed, requestId: string): BadRequest => {
  const issues = error.issues.map((issue): Issue => ({ field: issue.path, message: issue.message }))
  const field = issues.find((issue) => issue.field !== "")?.field
  return new BadRequest({
    code: "validation_failed",
    message: error.message,
    ...(field === undefined ? {} : { field }),
    request_id: requestId,
    issues
  })
}

/**
 * The 403 of a capability check: code `not_permitted`, with the action, the caller's role
 * and the roles that may.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromNotPermitted = (error: Errors.NotPermitted, requestId: string): Forbidden =>
  new Forbidden({
    message: error.message,
    request_id: requestId,
    code: "not_permitted",
    details: { action: error.action, role: error.role, allowed: [...error.allowed] }
  })

/**
 * The 409 of a state change the machine forbids: code `invalid_transition`, with the
 * machine and both states.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromInvalidTransition = (
  error: Extract<Errors.DomainError, { readonly _tag: "InvalidTransition" }>,
  requestId: string
): Conflict =>
  new Conflict({
    message: error.message,
    request_id: requestId,
    code: "invalid_transition",
    details: { machine: error.machine, from: error.from, to: error.to }
  })

/**
 * The API error of a domain error: its status, a stable code, the domain's message, the
 * offending field of a validation failure, and the facts a client needs to act as
 * `details`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromDomain = (error: Errors.DomainError, requestId: string): ApiError => {
  const base = { message: error.message, request_id: requestId }
  switch (error._tag) {
    case "ValidationFailed":
      return fromValidationFailed(error, requestId)
    case "OutOfRange":
      return new BadRequest({
        ...base,
        code: "out_of_range",
        details: { what: error.what, value: error.value, min: error.min, max: error.max }
      })
    case "NotPermitted":
      return fromNotPermitted(error, requestId)
    case "NotFound":
      return new NotFound({ ...base, code: "not_found", details: { resource: error.resource, id: error.id } })
    case "Conflict":
      return new Conflict({ ...base, code: "conflict", details: { resource: error.resource, reason: error.reason } })
    case "InsufficientFunds":
      return new Conflict({
        ...base,
        code: "insufficient_funds",
        details: {
          entity_id: error.entity_id,
          asset_type: error.asset_type,
          required: error.required,
          available: error.available
        }
      })
    case "InvalidTransition":
      return fromInvalidTransition(error, requestId)
    case "OrderRejected":
      return new Conflict({
        ...base,
        code: "order_rejected",
        details: { market: error.market, reason: error.reason }
      })
    case "KycNotReady":
      return new Conflict({
        ...base,
        // An incomplete file has answered `conflict` since the first release; keep it.
        code: error.reason === "not_submitted" ? "kyc_not_submitted" : "conflict",
        details: { entity_id: error.entity_id, missing: [...error.missing], pending: [...error.pending] }
      })
    case "LimitExceeded":
      return new Conflict({
        ...base,
        code: "limit_exceeded",
        details: { limit: error.limit, amount: error.amount, bound: error.bound, remaining: error.remaining }
      })
    case "RateLimited":
      return new RateLimited({
        ...base,
        code: "rate_limited",
        details: { retry_after_seconds: error.retry_after_seconds, limit: error.limit }
      })
  }
}
