/**
 * The client of the API for Effect users: a service holding the client that
 * `HttpApiClient` derives from the contract, so every endpoint is a method with the
 * request and response types of its schemas (`client.system.health()`,
 * `client.markets.list({ query: { limit: 10 } })`), failing with the endpoint's
 * declared `ApiError` classes, an `HttpClientError` (no answer, or a status the
 * endpoint does not declare) or a `SchemaError` (a request that does not match its
 * schema is refused before it is sent).
 *
 * Every request carries the API version this SDK speaks (`Niha-Version`) and, when one
 * is given, the API key or session token as `Authorization: Bearer`. {@link layer} sends
 * requests with `fetch`, so it runs in Node and in browsers alike.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpApiClient from "effect/http-api/HttpApiClient"
import type * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Groups } from "./Api.ts"
import * as internal from "./internal/client.ts"

/**
 * The client: one property per group (`system`, `markets`), one method per endpoint,
 * each taking the endpoint's request (`params`, `query`, `payload` as it declares them)
 * and returning an Effect of its decoded success.
 *
 * @category models
 * @since 0.1.0
 */
export interface Client {
  /** The `system` group. */
  readonly system: {
    /** `GET /health`: liveness. */
    readonly health: Method<"system", "health">
    /** `GET /ready`: readiness; fails with `ApiError.ServiceUnavailable` when not ready. */
    readonly ready: Method<"system", "ready">
    /** `GET /version`: the server and API versions. */
    readonly version: Method<"system", "version">
  }
  /** The `markets` group. */
  readonly markets: {
    /** `GET /markets`: a page of markets. */
    readonly list: Method<"markets", "list">
  }
}

/**
 * The client method of an endpoint, named by its group and its identifier. A test checks
 * that {@link Client} is exactly the client `HttpApiClient` derives from the contract.
 *
 * @category models
 * @since 0.1.0
 */
export type Method<
  Group extends HttpApiGroup.Identifier<Groups>,
  Endpoint extends HttpApiGroup.EndpointsWithIdentifier<Groups, Group>["identifier"]
> = HttpApiClient.Client.Method<
  Extract<
    HttpApiEndpoint.WithIdentifier<HttpApiGroup.EndpointsWithIdentifier<Groups, Group>, Endpoint>,
    HttpApiEndpoint.ConstraintRequest
  >,
  never,
  never
>

/**
 * Where the server is and who is calling.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The server's base URL, e.g. `http://localhost:4000`. */
  readonly baseUrl: string | URL
  /** An API key or a session token, sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string | Redacted.Redacted | undefined
  /** The API version to ask for; the version of this SDK unless given. */
  readonly apiVersion?: string | undefined
}

/**
 * The client as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class NihaClient extends Context.Service<NihaClient, Client>()("@niha/sdk/NihaClient") {}

/**
 * Builds a client on the `HttpClient` in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Client, never, HttpClient.HttpClient> => internal.make(options)

/**
 * The client on an `HttpClient` the caller provides (Node's, one with retries or a
 * proxy, a test double).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWithHttpClient = (options: Options): Layer.Layer<NihaClient, never, HttpClient.HttpClient> =>
  Layer.effect(NihaClient, make(options))

/**
 * The client on `fetch`: works in Node 22+ and in browsers.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<NihaClient> =>
  layerWithHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))
