/**
 * The client of the API for code that does not use Effect: `createClient` returns one
 * object per group with one `async` method per endpoint, derived from the same contract
 * as the Effect client, so it follows every endpoint the contract gains.
 *
 * ```ts
 * const niha = PromiseClient.createClient({ baseUrl: "http://localhost:4000", apiKey })
 * const { status } = await niha.system.health()
 * ```
 *
 * A failed call rejects with an instance of one of the error classes below, never a
 * string: {@link NihaError} carries the `status`, the stable `code`, the `message`, the
 * offending `field` and the `requestId` of the error body, and its subclass says what
 * kind of failure it is (`instanceof NotFoundError`). A request refused before it was
 * sent (it does not match its schema) is an {@link InvalidRequestError} without status
 * or request id; a server that could not be reached is a {@link ConnectionError}.
 *
 * A streaming endpoint (`marketData.stream`, Server-Sent Events) resolves, once the
 * server has answered, to an {@link EventStream}: an async iterator of its events, read
 * with `for await`, closed by `break` or {@link EventStream.close}. Its sequence numbers are
 * checked (`MarketStream.check`): a missed write rejects the next `next()` with a
 * {@link SequenceGapError}, and the caller resynchronises by calling `stream` again.
 *
 * @since 0.1.0
 */
import { Errors } from "@niha/domain"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as HttpApiClient from "effect/http-api/HttpApiClient"
import type * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import type * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Api, type Groups } from "./Api.ts"
import * as ApiError from "./ApiError.ts"
import * as internal from "./internal/client.ts"
import type * as MarketDataApi from "./MarketDataApi.ts"
import * as MarketStream from "./MarketStream.ts"

/**
 * Where the server is, who is calling, and optionally which `fetch` to use.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The server's base URL, e.g. `http://localhost:4000`. */
  readonly baseUrl: string | URL
  /** An API key or a session token, sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string | undefined
  /** The API version to ask for; the version of this SDK unless given. */
  readonly apiVersion?: string | undefined
  /** The `fetch` to send requests with; the global one unless given. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * What every failure of a call carries.
 *
 * @category errors
 * @since 0.1.0
 */
export interface NihaErrorOptions {
  /** What went wrong, for a person. */
  readonly message: string
  /** The stable code. */
  readonly code: string
  /** The HTTP status, when there was an answer. */
  readonly status?: number | undefined
  /** The offending input field. */
  readonly field?: string | undefined
  /** The id of the request. */
  readonly requestId?: string | undefined
  /** Every problem of a rejected input. */
  readonly issues?: ReadonlyArray<ApiError.Issue> | undefined
  /** The facts of a domain error. */
  readonly details?: Readonly<Record<string, unknown>> | undefined
  /** The underlying failure. */
  readonly cause?: unknown
}

/**
 * The base of every error a call rejects with.
 *
 * @category errors
 * @since 0.1.0
 */
export class NihaError extends Error {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "NihaError"
  /** The HTTP status of the answer; undefined when there was none. */
  readonly status: number | undefined
  /** The stable code of the error body, e.g. `validation_failed`. */
  readonly code: string
  /** The offending input field, where there is one. */
  readonly field: string | undefined
  /** The id of the request, as the server logged it; undefined when nothing was sent. */
  readonly requestId: string | undefined
  /** Every problem of a rejected input (empty otherwise). */
  readonly issues: ReadonlyArray<ApiError.Issue>
  /** The facts of a domain error, such as the asset that is short. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(options: NihaErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = options.status
    this.code = options.code
    this.field = options.field
    this.requestId = options.requestId
    this.issues = options.issues ?? []
    this.details = options.details
  }
}

/**
 * 400 (and other 4xx without a class of their own): the request is malformed; `field`
 * names the offending input. Also a request refused before it was sent.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidRequestError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "InvalidRequestError"
}

/**
 * 401: no valid credentials.
 *
 * @category errors
 * @since 0.1.0
 */
export class AuthenticationError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "AuthenticationError"
}

/**
 * 403: the caller may not do this.
 *
 * @category errors
 * @since 0.1.0
 */
export class PermissionError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "PermissionError"
}

/**
 * 404: no such object (or one the caller may not see), or no such route.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotFoundError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "NotFoundError"
}

/**
 * 409: the request clashes with the current state.
 *
 * @category errors
 * @since 0.1.0
 */
export class ConflictError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "ConflictError"
}

/**
 * 413: the request body is too large.
 *
 * @category errors
 * @since 0.1.0
 */
export class PayloadTooLargeError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "PayloadTooLargeError"
}

/**
 * 429: too many requests.
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimitError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "RateLimitError"

  /** How long to wait before trying again, when the server said. */
  get retryAfterSeconds(): number | undefined {
    const value = this.details?.["retry_after_seconds"]
    return typeof value === "number" ? value : undefined
  }
}

/**
 * 5xx: the server failed or cannot serve now; `requestId` finds what happened in its
 * logs.
 *
 * @category errors
 * @since 0.1.0
 */
export class ServerError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "ServerError"
}

/**
 * The server could not be reached, or its answer could not be read.
 *
 * @category errors
 * @since 0.1.0
 */
export class ConnectionError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "ConnectionError"
}

/**
 * A stream skipped a write (`MarketStream.SequenceGap`): the events held no longer add up
 * to the book. `details` holds `held` (the last sequence held), `event` and `sequence` (of
 * the event that came); call the stream again for a new snapshot.
 *
 * @category errors
 * @since 0.1.0
 */
export class SequenceGapError extends NihaError {
  /** The class name, for stack traces and logs. */
  override readonly name: string = "SequenceGapError"
}

/**
 * The error class of an HTTP status.
 *
 * @category errors
 * @since 0.1.0
 */
export const errorClassOf = (status: number): new(options: NihaErrorOptions) => NihaError => {
  switch (status) {
    case 401:
      return AuthenticationError
    case 403:
      return PermissionError
    case 404:
      return NotFoundError
    case 409:
      return ConflictError
    case 413:
      return PayloadTooLargeError
    case 429:
      return RateLimitError
    default:
      return status >= 500 ? ServerError : status >= 400 ? InvalidRequestError : ConnectionError
  }
}

/**
 * The facade error of an API error body and its status.
 *
 * @category errors
 * @since 0.1.0
 */
export const fromErrorBody = (status: number, body: ApiError.ErrorBody, cause?: unknown): NihaError =>
  new (errorClassOf(status))({
    status,
    code: body.code,
    message: body.message,
    field: body.field,
    requestId: body.request_id,
    issues: body.issues,
    details: body.details,
    cause
  })

/**
 * The `async` method of an endpoint: its request (params, query, payload as the
 * endpoint declares them; nothing when it declares none) and its decoded success.
 *
 * @category models
 * @since 0.1.0
 */
export type Method<Endpoint> = Endpoint extends HttpApiEndpoint.ConstraintRequest ? (
    request: OptionalHeaders<
      HttpApiEndpoint.ClientRequest<
        Endpoint["~Params"],
        Endpoint["~Query"],
        Endpoint["~Payload"],
        Endpoint["~Headers"],
        "decoded-only"
      >
    >
  ) => Promise<SuccessType<Endpoint["~Success"]>>
  : never

/**
 * What a call resolves to: the decoded success, or an {@link EventStream} of the events of
 * a Server-Sent Events endpoint.
 *
 * @category models
 * @since 0.1.0
 */
export type SuccessType<S> = S extends HttpApiSchema.StreamSse<infer _Events, infer _Error, infer Value> ?
  EventStream<Value> :
  HttpApiClient.SuccessType<S>

/**
 * The events of a streaming answer as they arrive. Iterate it once, with `for await`;
 * leaving the loop (or {@link EventStream.close}) closes the connection. A failure
 * rejects `next()` with a {@link NihaError}.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventStream<A> extends AsyncIterableIterator<A> {
  /** Closes the connection; the iteration ends. */
  readonly close: () => Promise<void>
}

/**
 * A request whose headers are all optional (the `Idempotency-Key` of `IdempotencyKey`)
 * may leave `headers` out.
 *
 * @category models
 * @since 0.1.0
 */
export type OptionalHeaders<Request> = Request extends {
  /** The request's headers. */
  readonly headers: infer Headers
} ? {} extends Headers ? Omit<Request, "headers"> & HeadersField<Headers> : Request :
  Request

/**
 * The optional `headers` of a request whose headers are all optional.
 *
 * @category models
 * @since 0.1.0
 */
export interface HeadersField<Headers> {
  /** The request's headers, such as `{ "idempotency-key": "..." }`. */
  readonly headers?: Headers
}

/**
 * The client: one property per group of the API, one method per endpoint.
 *
 * @category models
 * @since 0.1.0
 */
export type Client = {
  readonly [Group in Groups as HttpApiGroup.Identifier<Group>]: {
    readonly [Endpoint in HttpApiGroup.Endpoints<Group> as HttpApiEndpoint.Identifier<Endpoint>]: Method<Endpoint>
  }
}

/** A response the client could not decode, told apart from a request it refused to encode. */
class UnreadableResponse {
  readonly error: Schema.SchemaError
  constructor(error: Schema.SchemaError) {
    this.error = error
  }
}

const markUnreadable = (effect: Effect.Effect<unknown, unknown, unknown>) =>
  Effect.mapError(effect, (error) => Schema.isSchemaError(error) ? new UnreadableResponse(error) : error)

const decodeErrorBody = Schema.decodeUnknownOption(ApiError.ErrorBody)

const readErrorBody = (response: HttpClientResponse.HttpClientResponse, cause: unknown): Effect.Effect<NihaError> =>
  response.json.pipe(
    Effect.map((json) =>
      Option.match(decodeErrorBody(json), {
        onNone: () => unreadable(response.status, cause),
        onSome: (body) => fromErrorBody(response.status, body, cause)
      })
    ),
    Effect.catch(() => Effect.succeed(unreadable(response.status, cause)))
  )

const unreadable = (status: number, cause: unknown): NihaError =>
  new (errorClassOf(status))({
    status,
    code: status >= 400 ? `http_${status}` : "unreadable_response",
    message: `the server answered ${status} with a body that is not an API error`,
    cause
  })

const refused = (error: Schema.SchemaError): NihaError => {
  const failed: Errors.ValidationFailed = Errors.validationFailed(error)
  const issues = failed.issues.map((issue) => ({ field: issue.path, message: issue.message }))
  return new InvalidRequestError({
    code: "validation_failed",
    message: `request not sent: ${failed.message}`,
    field: issues.find((issue) => issue.field !== "")?.field,
    issues,
    cause: error
  })
}

const toNihaError = (error: unknown): Effect.Effect<NihaError> => {
  if (error instanceof MarketStream.SequenceGap) {
    return Effect.succeed(
      new SequenceGapError({
        code: "sequence_gap",
        message: error.message,
        details: { held: error.held, event: error.event, sequence: error.sequence },
        cause: error
      })
    )
  }
  if (ApiError.isApiError(error)) {
    return Effect.succeed(fromErrorBody(ApiError.statusOf[error._tag], ApiError.toBody(error), error))
  }
  if (error instanceof UnreadableResponse) {
    return Effect.succeed(
      new ConnectionError({
        code: "unreadable_response",
        message: `the server's answer does not match the contract: ${error.error.message}`,
        cause: error.error
      })
    )
  }
  if (Schema.isSchemaError(error)) return Effect.succeed(refused(error))
  if (HttpClientError.isHttpClientError(error)) {
    if (error.response !== undefined) return readErrorBody(error.response, error)
    return Effect.succeed(new ConnectionError({ code: "connection_failed", message: error.message, cause: error }))
  }
  return Effect.succeed(
    new ConnectionError({ code: "client_failure", message: String(error), cause: error })
  )
}

const run = <A>(effect: Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromiseExit(effect).then((exit) =>
    Exit.isSuccess(exit) ?
      exit.value :
      Effect.runPromise(
        toNihaError(Option.getOrElse(Cause.findErrorOption(exit.cause), () => Cause.squash(exit.cause)))
      )
        .then((error) => Promise.reject(error))
  )

/** The events of a streamed answer, failures as the facade's errors, as an {@link EventStream}. */
const eventStream = <A>(events: Stream.Stream<A, unknown>): EventStream<A> => {
  const iterator = Stream.toAsyncIterable(
    Stream.catch(events, (error) =>
      // A decoding failure here is of the answer, never of a request refused before it was sent.
      Stream.fromEffect(
        Effect.flatMap(toNihaError(Schema.isSchemaError(error) ? new UnreadableResponse(error) : error), Effect.fail)
      ))
  )[Symbol.asyncIterator]()
  const end = (): Promise<IteratorResult<A>> =>
    iterator.return === undefined ? Promise.resolve({ done: true, value: undefined }) : iterator.return()
  const stream: EventStream<A> = {
    next: () => iterator.next(),
    return: end,
    close: () => end().then(() => undefined),
    [Symbol.asyncIterator]: () => stream
  }
  return stream
}

/** Whether a success schema is `HttpApiSchema.StreamSse` (effect does not export its guard). */
const isServerSentEvents = (schema: unknown): boolean =>
  Predicate.hasProperty(schema, "_tag") && schema._tag === "StreamSse"

/** The checks a streaming endpoint's events go through, by group and endpoint. */
const streamChecks: Record<
  string,
  (request: unknown, events: Stream.Stream<unknown, unknown>) => Stream.Stream<unknown, unknown>
> = {
  "marketData.stream": (request, events) =>
    MarketStream.checked(
      (request as { readonly params: { readonly market: MarketDataApi.Depth["market"] } }).params.market,
      events as Stream.Stream<MarketDataApi.StreamEvent, unknown>
    )
}

/**
 * A client of the server at `baseUrl`. Building it sends nothing; each method call
 * sends one request.
 *
 * @category constructors
 * @since 0.1.0
 */
export const createClient = (options: Options): Client => {
  const http = options.fetch === undefined ?
    FetchHttpClient.layer :
    FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, options.fetch)))
  const effectClient = Effect.runSync(Effect.provide(internal.make(options, markUnreadable), http))
  const client: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {}
  for (const [group, endpoints] of Object.entries(effectClient as unknown as Record<string, unknown>)) {
    const methods: Record<string, (request: unknown) => Promise<unknown>> = {}
    for (const [name, method] of Object.entries(endpoints as Record<string, unknown>)) {
      const call = method as (request: unknown) => Effect.Effect<unknown, unknown>
      const declared = Object.values(Api.groups).find((candidate) => candidate.identifier === group)
      const endpoint = Object.values(declared?.endpoints ?? {}).find((candidate) => candidate.identifier === name)
      const streams = [...(endpoint?.success ?? [])].some(isServerSentEvents)
      const withHeaders = endpoint?.headers === undefined ?
        (request: unknown) => request :
        (request: unknown) =>
          typeof request === "object" && request !== null ? { headers: {}, ...request } : { headers: {} }
      const checkEvents = streamChecks[`${group}.${name}`] ?? ((_request, events) => events)
      methods[name] = streams ?
        (request) =>
          run(Effect.suspend(() => call(withHeaders(request)))).then((events) =>
            eventStream(checkEvents(request, events as Stream.Stream<unknown, unknown>))
          ) :
        (request) => run(Effect.suspend(() => call(withHeaders(request))))
    }
    client[group] = methods
  }
  return client as unknown as Client
}
