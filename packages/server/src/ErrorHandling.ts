/**
 * How failures become error bodies inside the API: the server side of the contract's
 * `CommonErrors` middleware, and the helpers handlers fail with.
 *
 * A request whose path, query, headers or body does not match its endpoint's schema is
 * answered with a 400 `validation_failed` naming the first offending field (and listing
 * every issue), through `@niha/domain`'s `ValidationFailed`, so a schema failure and a
 * domain validation failure read the same to a client. A response that does not match
 * its own schema is a bug of the server: it is logged and answered with a 500.
 *
 * @since 0.1.0
 */
import { Errors } from "@niha/domain"
import { Api, ApiError } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import { UploadRejected } from "./DocumentStorage.ts"
import { CurrentRequestId } from "./RequestContext.ts"

/**
 * The implementation of `Api.CommonErrors`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Api.CommonErrors> = HttpApiMiddleware.layerSchemaErrorTransform(
  Api.CommonErrors,
  (error) =>
    Effect.gen(function*() {
      const requestId = yield* CurrentRequestId
      if (error.kind === "Body" || error.kind === "ResponseHeaders") {
        yield* Effect.logError("a response does not match its schema", error.cause)
        return yield* new ApiError.InternalError({
          code: "internal_error",
          message: `the server failed; quote request id ${requestId} when reporting it`,
          request_id: requestId
        })
      }
      return yield* ApiError.fromValidationFailed(Errors.validationFailed(error.cause), requestId)
    })
)

/**
 * Fails with the API error of a domain error, carrying the current request id. Handlers
 * use it on the error channel of the domain and the database: `Effect.catchTag(...,
 * ErrorHandling.failWithDomain)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failWithDomain = (error: Errors.DomainError): Effect.Effect<never, ApiError.ApiError> =>
  Effect.flatMap(CurrentRequestId, (requestId) => Effect.fail(ApiError.fromDomain(error, requestId)))

/**
 * Fails with the API error `make` builds from the current request id: the typed form of
 * {@link failWithDomain} for one domain error, e.g.
 * `ErrorHandling.failWith((id) => ApiError.fromNotPermitted(error, id))`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failWith = <E>(make: (requestId: string) => E): Effect.Effect<never, E> =>
  Effect.flatMap(CurrentRequestId, (requestId) => Effect.fail(make(requestId)))

/**
 * The fields every error body shares, with the current request id filled in.
 *
 * @category constructors
 * @since 0.1.0
 */
export const body = (
  fields: { readonly code: ApiError.ErrorCode; readonly message: string; readonly field?: string | undefined }
): Effect.Effect<ApiError.ErrorBody> =>
  Effect.map(CurrentRequestId, (requestId) => ({
    code: fields.code,
    message: fields.message,
    ...(fields.field === undefined ? {} : { field: fields.field }),
    request_id: requestId
  }))

/**
 * Fails with an API error of the given class, its body filled with the current request
 * id: `ErrorHandling.fail(ApiError.Unauthorized, { code: "invalid_credentials", message })`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fail = <E>(
  ErrorClass: new(body: ApiError.ErrorBody) => E,
  fields: {
    readonly code: ApiError.ErrorCode
    readonly message: string
    readonly field?: string | undefined
    readonly details?: Record<string, Schema.Json> | undefined
  }
): Effect.Effect<never, E> =>
  Effect.flatMap(body(fields), (errorBody) =>
    Effect.fail(
      new ErrorClass(fields.details === undefined ? errorBody : { ...errorBody, details: fields.details })
    ))

/**
 * Fails with the 429 of a throttle or a lock-out, naming when to retry (the server's
 * middleware copies `details.retry_after_seconds` into the `Retry-After` header).
 *
 * @category constructors
 * @since 0.1.0
 */
export const rateLimited = (
  code: "rate_limited" | "account_locked",
  message: string,
  retryAfterSeconds: number
): Effect.Effect<never, ApiError.RateLimited> =>
  fail(ApiError.RateLimited, { code, message, details: { retry_after_seconds: Math.max(1, retryAfterSeconds) } })

/**
 * Turns a database failure into a defect: the request is answered 500 (`internal_error`)
 * and the cause is logged with the request id, while the typed API errors pass through.
 *
 * @category combinators
 * @since 0.1.0
 */
export const dieOnSqlError = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, Exclude<E, SqlError>, R> =>
  Effect.catch(effect, (error) =>
    isSqlError(error) ?
      Effect.die(error) :
      // Whatever is not a SqlError is, by the test above, of the remaining types.
      Effect.fail(error as Exclude<E, SqlError>))

/**
 * The API error a service error becomes: the domain's errors through
 * `ApiError.fromDomain`, the upload policy's refusal as a 400. Database failures are not
 * mapped: {@link answer} turns them into defects.
 *
 * @category models
 * @since 0.1.0
 */
export type ApiErrorOf<E> = E extends Errors.NotFound ? ApiError.NotFound
  : E extends Errors.NotPermitted ? ApiError.Forbidden
  : E extends
    | Errors.InvalidTransition
    | Errors.Conflict
    | Errors.KycNotReady
    | Errors.InsufficientFunds
    | Errors.LimitExceeded
    | Errors.OrderRejected ? ApiError.Conflict
  : E extends Errors.ValidationFailed | Errors.OutOfRange | UploadRejected ? ApiError.BadRequest
  : E extends Errors.RateLimited ? ApiError.RateLimited
  : E extends SqlError ? never
  : E

const isDomainError = Schema.is(Errors.DomainError)

/**
 * Answers a service call: its domain errors and upload refusals become the API errors of
 * {@link ApiErrorOf} (once, here, for every handler), database failures become defects
 * (500, logged), and anything else passes through.
 *
 * @category combinators
 * @since 0.1.0
 */
export const answer = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, ApiErrorOf<E>, R> =>
  Effect.catch(effect, (error): Effect.Effect<never, ApiErrorOf<E>> => {
    if (isSqlError(error)) return Effect.die(error)
    // The conditional type above states, per error class, what these branches produce.
    if (isDomainError(error)) return failWithDomain(error) as Effect.Effect<never, ApiErrorOf<E>>
    if (error instanceof UploadRejected) {
      return fail(ApiError.BadRequest, {
        code: "upload_rejected",
        message: error.message,
        field: error.field,
        details: { reason: error.reason }
      }) as Effect.Effect<never, ApiErrorOf<E>>
    }
    return Effect.fail(error as ApiErrorOf<E>)
  })
