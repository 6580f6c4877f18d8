/**
 * What happens around every request, before the router picks a route and after the
 * handler answers. It is one global router middleware, so it also covers the requests
 * no route matches:
 *
 * - the request id: the client's `X-Request-Id` when it is well formed, a new UUID
 *   otherwise; echoed in the `X-Request-Id` response header, added as the
 *   `request_id` annotation of every log line of the request, and available to handlers
 *   as {@link CurrentRequestId} for their error bodies;
 * - the API version: a `Niha-Version` the server does not speak is a 400
 *   (`unsupported_api_version`) and nothing runs; every response names the version;
 * - the body size limit: a declared `Content-Length` over the limit is a 413 before the
 *   body is read, and a body that grows past it while being read fails the same way;
 *   uploads (`Routes.isUpload`) get the larger limit their documents need;
 * - a known path asked with a method it does not answer is a 405 with `Allow`;
 * - a multipart body that does not parse is a 400 (a part over its limit a 413);
 * - `X-Content-Type-Options: nosniff` on every answer, and `Cache-Control: no-store`
 *   unless the route set its own;
 * - CORS, for the configured origins only;
 * - `Retry-After` on every 429 whose error body names `details.retry_after_seconds`;
 * - error bodies: an unmatched route (404 `route_not_found`), a failure nothing handled
 *   (500 `internal_error`, logged with its cause; 503 `not_ready` when it is the database
 *   out of reach: a lost or refused connection, a shutdown or a recovery) and any bare error response from the
 *   HTTP layer all get the body of `ApiError`, with the request id;
 * - one access-log line per request: method, path, status and duration (at debug level
 *   for successful health and readiness probes, at info for everything else).
 *
 * @since 0.1.0
 */
import { type ApiError, ApiVersion, RequestId } from "@niha/sdk"
import * as ByteSize from "effect/ByteSize"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as HttpMiddleware from "effect/http/HttpMiddleware"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerError from "effect/http/HttpServerError"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Multipart from "effect/http/Multipart"
import type * as Layer from "effect/Layer"
import { isDatabaseUnavailable } from "./internal/databaseUnavailable.ts"
import * as Metrics from "./Metrics.ts"
import * as Routes from "./Routes.ts"

/**
 * The id of the request being served (`"none"` outside a request).
 *
 * @category references
 * @since 0.1.0
 */
export const CurrentRequestId = Context.Reference<string>("@niha/server/RequestContext/CurrentRequestId", {
  defaultValue: () => "none"
})

/**
 * Options of the middleware.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The largest request body accepted, in bytes. */
  readonly maxBodySize: number
  /**
   * Origins a browser may call the API from: exact origins such as
   * `https://app.example.com`, or `*` for any. Empty: no CORS headers at all, so only
   * same-origin pages (the docs page) can call it from a browser.
   */
  readonly corsOrigins: ReadonlyArray<string>
  /** Makes a request id when the client sent none; a random UUID unless given. */
  readonly generateRequestId?: (() => string) | undefined
}

/**
 * The default body size limit: 1 MiB.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultMaxBodySize = 1024 * 1024

const requestIdHeader = RequestId.header.toLowerCase()
const probePaths: ReadonlySet<string> = new Set(["/health", "/ready"])
const versionHeader = ApiVersion.header.toLowerCase()

const codeOfStatus = (status: number): string => {
  switch (status) {
    case 400:
      return "invalid_request"
    case 401:
      return "unauthenticated"
    case 403:
      return "not_permitted"
    case 404:
      return "route_not_found"
    case 409:
      return "conflict"
    case 413:
      return "payload_too_large"
    case 415:
      return "unsupported_media_type"
    case 429:
      return "rate_limited"
    default:
      return status >= 500 ? "internal_error" : `http_${status}`
  }
}

const errorResponse = (status: number, body: ApiError.ErrorBody, headers?: Record<string, string>) =>
  HttpServerResponse.jsonUnsafe(body, { status, ...(headers === undefined ? {} : { headers }) })

const isJsonBody = (response: HttpServerResponse.HttpServerResponse): boolean =>
  response.body._tag !== "Empty" && response.body._tag !== "FormData" &&
  (response.body.contentType ?? "").toLowerCase().includes("json")

const textOf = (response: HttpServerResponse.HttpServerResponse): string | undefined =>
  response.body._tag === "Uint8Array" && response.body.contentType.startsWith("text/") ?
    new TextDecoder().decode(response.body.body).trim() || undefined :
    undefined

/** Gives a bare error response (no JSON body: the HTTP layer's own 4xx/5xx) the API error body. */
const withErrorBody = (response: HttpServerResponse.HttpServerResponse, requestId: string) => {
  if (response.status < 400 || isJsonBody(response)) return response
  const status = response.status
  const message = textOf(response) ?? `the request failed with HTTP status ${status}`
  return HttpServerResponse.setBody(
    response,
    HttpServerResponse.jsonUnsafe({ code: codeOfStatus(status), message, request_id: requestId }).body
  )
}

/**
 * Headers every answer carries: no MIME sniffing, and no caching of anything the server
 * answers (most answers are a caller's own data) unless the route chose otherwise.
 */
const securityHeaders = (response: HttpServerResponse.HttpServerResponse): Record<string, string> => ({
  "x-content-type-options": "nosniff",
  ...(response.headers["cache-control"] === undefined ? { "cache-control": "no-store" } : {})
})

/** The `Retry-After` of a 429 whose error body names `details.retry_after_seconds`. */
const retryAfterOf = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  if (response.status !== 429 || response.body._tag !== "Uint8Array") return undefined
  const body: unknown = JSON.parse(new TextDecoder().decode(response.body.body))
  const details = typeof body === "object" && body !== null && "details" in body ? body.details : undefined
  const seconds = typeof details === "object" && details !== null && "retry_after_seconds" in details ?
    details.retry_after_seconds :
    undefined
  return typeof seconds === "number" && Number.isSafeInteger(seconds) && seconds > 0 ? String(seconds) : undefined
}

/** The first failure or defect of `cause` that `is` recognises. */
const findInCause = <A>(cause: Cause.Cause<unknown>, is: (value: unknown) => value is A): A | undefined => {
  for (const reason of cause.reasons) {
    const value = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
    if (is(value)) return value
  }
  return undefined
}

const isUnavailable = (value: unknown): value is unknown => isDatabaseUnavailable(value)

/** The answer to a multipart body that could not be read: 413 past a limit, 400 otherwise. */
const multipartFailure = <R>(
  reason: Exclude<Multipart.MultipartErrorReason["_tag"], "InternalError">,
  fail: (status: number, body: Omit<ApiError.ErrorBody, "request_id">) => R
): R => {
  switch (reason) {
    case "FileTooLarge":
    case "FieldTooLarge":
    case "BodyTooLarge":
      return fail(413, { code: "payload_too_large", message: "a part of the multipart body exceeds its size limit" })
    case "TooManyParts":
      return fail(400, { code: "invalid_request", message: "the multipart body has more parts than allowed" })
    case "Parse":
      return fail(400, {
        code: "invalid_request",
        message: "the multipart body could not be read: check its boundary and part headers"
      })
  }
}

/**
 * The middleware as a Layer that installs it on the router of `HttpRouter.serve`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<never, never, HttpRouter.HttpRouter> => {
  const generate = options.generateRequestId ?? (() => globalThis.crypto.randomUUID())
  const cors = options.corsOrigins.length === 0 ?
    undefined :
    HttpMiddleware.cors({
      allowedOrigins: options.corsOrigins.includes("*") ? [] : options.corsOrigins,
      allowedHeaders: ["Authorization", "Content-Type", ApiVersion.header, RequestId.header, "Idempotency-Key"],
      exposedHeaders: [RequestId.header, ApiVersion.header, "Retry-After"],
      maxAge: 600
    })

  const serve = <E>(
    app: Effect.Effect<HttpServerResponse.HttpServerResponse, E>,
    request: HttpServerRequest.HttpServerRequest,
    requestId: string
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, E, HttpServerRequest.HttpServerRequest> =>
    Effect.gen(function*() {
      const startedAt = yield* Clock.currentTimeMillis
      const path = request.url.split("?")[0] ?? request.url
      const version = request.headers[versionHeader]
      const fail = (status: number, body: Omit<ApiError.ErrorBody, "request_id">, headers?: Record<string, string>) =>
        Effect.succeed(errorResponse(status, { ...body, request_id: requestId }, headers))

      const handled = Effect.suspend(() => {
        if (version !== undefined && !ApiVersion.isSupported(version)) {
          return fail(400, {
            code: "unsupported_api_version",
            message: `API version ${JSON.stringify(version)} is not supported; supported: ${
              ApiVersion.supported.join(", ")
            }`,
            field: ApiVersion.header
          })
        }
        const limit = Routes.isUpload(request.method, path) ?
          Math.max(options.maxBodySize, Routes.maxUploadBodySize) :
          options.maxBodySize
        const declaredLength = Number(request.headers["content-length"] ?? "0")
        if (declaredLength > limit) {
          return fail(413, {
            code: "payload_too_large",
            message: `the request body of ${declaredLength} bytes exceeds the limit of ${limit} bytes`
          }, { connection: "close" })
        }
        const routed = cors === undefined ? app : cors(app)
        return routed.pipe(
          Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(limit)),
          Effect.catchCause((cause) => {
            // An interrupt (the client went away, the server shuts down) carries no failure to map.
            if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
            const reason = findInCause(cause, HttpServerError.isHttpServerError)?.reason
            const allowed = reason?._tag === "RouteNotFound" ? Routes.allowedMethods(path) : undefined
            if (allowed !== undefined) {
              return fail(405, {
                code: "method_not_allowed",
                message: `${path} does not answer ${request.method}; it answers ${allowed}`
              }, { allow: allowed })
            }
            if (reason?._tag === "RouteNotFound") {
              return fail(404, { code: "route_not_found", message: `no route for ${request.method} ${path}` })
            }
            if (reason?._tag === "RequestParseError" && reason.reason === "BodyTooLarge") {
              return fail(413, {
                code: "payload_too_large",
                message: `the request body exceeds the limit of ${limit} bytes`
              }, { connection: "close" })
            }
            if (reason?._tag === "RequestParseError") {
              return fail(400, { code: "invalid_request", message: "the request body could not be read" })
            }
            // The API layer reads multipart bodies as a defect when they do not parse: a
            // malformed body is the client's mistake, never a 500.
            const multipart = findInCause(cause, Multipart.isMultipartError)
            if (multipart !== undefined && multipart.reason._tag !== "InternalError") {
              return multipartFailure(multipart.reason._tag, fail)
            }
            // The database out of reach (a restart, a failover, a lost connection) is not a bug:
            // 503, which clients retry with their idempotency key, as they would a dropped connection.
            if (findInCause(cause, isUnavailable) !== undefined) {
              return Effect.andThen(
                Effect.logWarning("request failed: the database is unavailable", cause),
                fail(503, { code: "not_ready", message: "the database is unavailable; retry shortly" }, {
                  "retry-after": "1"
                })
              )
            }
            return Effect.andThen(
              Effect.logError("request failed", cause),
              fail(500, {
                code: "internal_error",
                message: `the server failed; quote request id ${requestId} when reporting it`
              })
            )
          })
        )
      })

      const response = yield* handled
      const retryAfter = retryAfterOf(response)
      const finished = HttpServerResponse.setHeaders(withErrorBody(response, requestId), {
        ...securityHeaders(response),
        [requestIdHeader]: requestId,
        [versionHeader]: version !== undefined && ApiVersion.isSupported(version) ? version : ApiVersion.current,
        ...(retryAfter === undefined ? {} : { "retry-after": retryAfter })
      })
      const durationMs = (yield* Clock.currentTimeMillis) - startedAt
      // Probes hit every few seconds; their lines would drown the others at info.
      const log = probePaths.has(path) && finished.status < 400 ? Effect.logDebug : Effect.logInfo
      yield* log("request").pipe(
        Effect.annotateLogs({ method: request.method, path, status: finished.status, duration_ms: durationMs })
      )
      yield* Metrics.recordRequest({ method: request.method, path, status: finished.status, durationMs })
      return finished
    })

  return HttpRouter.middleware((app) =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const sent = request.headers[requestIdHeader]
      const requestId = sent !== undefined && RequestId.isValid(sent) ? sent : generate()
      return serve(app, request, requestId).pipe(
        Effect.provideService(CurrentRequestId, requestId),
        Effect.annotateLogs("request_id", requestId)
      )
    }), { global: true })
}
