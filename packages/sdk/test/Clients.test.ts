import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { type Api, ApiError, ApiVersion, NihaClient, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import type * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Schema from "effect/Schema"
import * as ScriptedServer from "./support/ScriptedServer.ts"

const rejection = (promise: Promise<unknown>): Effect.Effect<unknown> =>
  Effect.promise(() => promise.then(() => undefined, (error: unknown) => error))

describe("PromiseClient", () => {
  it.effect("resolves the decoded success and sends the version and the API key", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const niha = PromiseClient.createClient({ baseUrl: `${server.url}/ok`, apiKey: "key_123" })
      const health = yield* Effect.promise(() => niha.system.health())
      assert.deepStrictEqual(health, { status: "ok" })
      const page = yield* Effect.promise(() => niha.markets.list({ query: { limit: 5 } }))
      assert.deepStrictEqual(page.data.map((market) => market.market), ["CEA_CASH"])
      const [first, second] = server.requests
      assert.strictEqual(first?.headers["niha-version"], ApiVersion.current)
      assert.strictEqual(first?.headers["authorization"], "Bearer key_123")
      assert.strictEqual(second?.path, "/ok/markets?limit=5")
    }))

  it.effect("rejects with the error class of each status, carrying the error body", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const cases = [
        { status: 400, type: PromiseClient.InvalidRequestError },
        { status: 401, type: PromiseClient.AuthenticationError },
        { status: 403, type: PromiseClient.PermissionError },
        { status: 404, type: PromiseClient.NotFoundError },
        { status: 409, type: PromiseClient.ConflictError },
        { status: 413, type: PromiseClient.PayloadTooLargeError },
        { status: 415, type: PromiseClient.InvalidRequestError },
        { status: 429, type: PromiseClient.RateLimitError },
        { status: 500, type: PromiseClient.ServerError },
        { status: 503, type: PromiseClient.ServerError }
      ] as const
      for (const { status, type } of cases) {
        const niha = PromiseClient.createClient({ baseUrl: `${server.url}/s${status}` })
        // health declares none of these statuses, ready declares 503, markets.list 400: all map alike.
        for (
          const call of [() => niha.system.health(), () => niha.system.ready(), () => niha.markets.list({ query: {} })]
        ) {
          const error = yield* rejection(call())
          assert.instanceOf(error, type, `status ${status}`)
          assert.instanceOf(error, PromiseClient.NihaError)
          assert.instanceOf(error, Error)
          const niha_ = error as PromiseClient.NihaError
          assert.strictEqual(niha_.status, status)
          assert.strictEqual(niha_.code, `code_${status}`)
          assert.strictEqual(niha_.message, `message ${status}`)
          assert.strictEqual(niha_.requestId, `req-${status}`)
          assert.strictEqual(niha_.field, status === 400 ? "limit" : undefined)
        }
      }
      const limited = yield* rejection(PromiseClient.createClient({ baseUrl: `${server.url}/s429` }).system.health())
      assert.strictEqual((limited as PromiseClient.RateLimitError).retryAfterSeconds, 7)
      const invalid = yield* rejection(PromiseClient.createClient({ baseUrl: `${server.url}/s400` }).system.health())
      assert.deepStrictEqual((invalid as PromiseClient.NihaError).issues, [
        { field: "limit", message: "must be at most 100" }
      ])
    }))

  it.effect("tells a body that is not an API error, a broken contract and no server apart", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const gateway = yield* rejection(PromiseClient.createClient({ baseUrl: `${server.url}/text502` }).system.health())
      assert.instanceOf(gateway, PromiseClient.ServerError)
      assert.strictEqual((gateway as PromiseClient.NihaError).code, "http_502")
      assert.strictEqual((gateway as PromiseClient.NihaError).requestId, undefined)

      const mismatch = yield* rejection(
        PromiseClient.createClient({ baseUrl: `${server.url}/mismatch` }).system.health()
      )
      assert.instanceOf(mismatch, PromiseClient.ConnectionError)
      assert.strictEqual((mismatch as PromiseClient.NihaError).code, "unreadable_response")

      const nobody = yield* ScriptedServer.closedPortUrl
      const refused = yield* rejection(PromiseClient.createClient({ baseUrl: nobody }).system.health())
      assert.instanceOf(refused, PromiseClient.ConnectionError)
      assert.strictEqual((refused as PromiseClient.NihaError).code, "connection_failed")
      assert.strictEqual((refused as PromiseClient.NihaError).status, undefined)
    }))

  it.effect("refuses a request that does not match its schema without sending it", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const niha = PromiseClient.createClient({ baseUrl: `${server.url}/ok` })
      const error = yield* rejection(niha.markets.list({ query: { limit: 500 } }))
      assert.instanceOf(error, PromiseClient.InvalidRequestError)
      const refused = error as PromiseClient.NihaError
      assert.strictEqual(refused.code, "validation_failed")
      assert.strictEqual(refused.field, "limit")
      assert.strictEqual(refused.status, undefined)
      assert.strictEqual(refused.requestId, undefined)
      assert.strictEqual(server.requests.length, 0)
    }))

  it.effect("uses the fetch it is given", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const fetch: typeof globalThis.fetch = (input) => {
        seen.push(input instanceof Request ? input.url : String(input))
        return Promise.resolve(Response.json({ status: "ok" }))
      }
      const niha = PromiseClient.createClient({ baseUrl: "https://niha.example", fetch })
      const health = yield* Effect.promise(() => niha.system.health())
      assert.deepStrictEqual(health, { status: "ok" })
      assert.deepStrictEqual(seen, ["https://niha.example/health"])
    }))
})

describe("NihaClient", () => {
  const client = (baseUrl: string) =>
    Effect.flatMap(NihaClient.NihaClient, Effect.succeed).pipe(Effect.provide(NihaClient.layer({ baseUrl })))

  it.effect("decodes the declared errors into the ApiError classes", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const badRequest = yield* Effect.flip((yield* client(`${server.url}/s400`)).markets.list({ query: {} }))
      assert.instanceOf(badRequest, ApiError.BadRequest)
      assert.deepStrictEqual(ApiError.toBody(badRequest as ApiError.BadRequest), {
        code: "code_400",
        message: "message 400",
        field: "limit",
        request_id: "req-400",
        issues: [{ field: "limit", message: "must be at most 100" }]
      })
      const unavailable = yield* Effect.flip((yield* client(`${server.url}/s503`)).system.ready())
      assert.instanceOf(unavailable, ApiError.ServiceUnavailable)
      assert.strictEqual((unavailable as ApiError.ServiceUnavailable).request_id, "req-503")
    }))

  it.effect("fails with an HttpClientError on a status the endpoint does not declare", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const error = yield* Effect.flip((yield* client(`${server.url}/s404`)).system.health())
      assert.isTrue(HttpClientError.isHttpClientError(error))
      assert.strictEqual(HttpClientError.isHttpClientError(error) ? error.response?.status : undefined, 404)
    }))

  it.effect("refuses a request that does not match its schema with a SchemaError", () =>
    Effect.gen(function*() {
      const server = yield* ScriptedServer.start
      const error = yield* Effect.flip((yield* client(`${server.url}/ok`)).markets.list({ query: { limit: 0 } }))
      assert.isTrue(Schema.isSchemaError(error))
      assert.strictEqual(server.requests.length, 0)
    }))
})

describe("the clients' types", () => {
  it("follow the contract: one member per group of the API", () => {
    expectTypeOf<NihaClient.Client>().toEqualTypeOf<HttpApiClient.ForApi<typeof Api.Api>>()
    expectTypeOf<keyof PromiseClient.Client>().toEqualTypeOf<keyof HttpApiClient.ForApi<typeof Api.Api>>()
  })
})
