import { assert, describe, layer } from "@effect/vitest"
import { Migrations } from "@niha/db"
import { Api, ApiError, ApiVersion, NihaClient, PromiseClient, RequestId, type SystemApi } from "@niha/sdk"
import { Handlers } from "@niha/server"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as TestServer from "./support/TestServer.ts"

/** A route that reads its whole body, to test the limit on bodies without a Content-Length. */
const echoLength = HttpRouter.add(
  "POST",
  "/__test/echo-length",
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* request.arrayBuffer
    return HttpServerResponse.text(String(body.byteLength))
  })
)

/** A route that fails with a defect, as a bug would. */
const boom = HttpRouter.add("GET", "/__test/boom", Effect.die(new Error("boom: a bug in a handler")))

const maxBodySize = 64 * 1024
const allowedOrigin = "https://app.example"

const http = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: (): unknown => JSON.parse(text) }
  })

const rejection = (promise: Promise<unknown>): Effect.Effect<unknown> =>
  Effect.promise(() => promise.then(() => undefined, (error: unknown) => error))

const client = (baseUrl: string, options?: Omit<NihaClient.Options, "baseUrl">) =>
  Effect.provide(
    Effect.gen(function*() {
      return yield* NihaClient.NihaClient
    }),
    NihaClient.layer({ baseUrl, ...options })
  )

const expectedReadiness = {
  status: "ready",
  database: { migration: Handlers.expectedMigration, expected_migration: Handlers.expectedMigration }
} as const

/** Readiness without the calendar horizon (which moves with the clock), checked for its shape. */
const readinessOf = (ready: SystemApi.Readiness) => {
  const { calendars, ...rest } = ready
  assert.deepStrictEqual(calendars.map((calendar) => calendar.calendar).sort(), [
    "CHINA_EXCHANGE",
    "CHINA_WORKING_DAY",
    "TARGET"
  ])
  return rest
}

const expectedVersion = {
  name: "@niha/server",
  version: Handlers.version,
  api_version: ApiVersion.current,
  supported_api_versions: [...ApiVersion.supported]
}

for (const { backend, skipReason } of TestServer.backends) {
  const title = `the server through the SDK [${backend}]`
  const suite = TestServer.layer(backend, {
    maxBodySize,
    corsOrigins: [allowedOrigin],
    routes: Layer.mergeAll(echoLength, boom)
  })
  if (skipReason !== undefined) {
    describe.skip(`${title} (skipped: ${skipReason})`, () => {})
    continue
  }
  layer(suite, { excludeTestServices: true, timeout: "120 seconds" })(title, (it) => {
    it.effect("answers health, readiness and version to the Effect client", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const niha = yield* client(baseUrl)
        assert.deepStrictEqual(yield* niha.system.health(), { status: "ok" })
        assert.deepStrictEqual(readinessOf(yield* niha.system.ready()), expectedReadiness)
        assert.deepStrictEqual(yield* niha.system.version(), expectedVersion)
      }))

    it.effect("answers health, readiness and version to the Promise facade", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const niha = PromiseClient.createClient({ baseUrl, apiKey: "unused-for-now" })
        assert.deepStrictEqual(yield* Effect.promise(() => niha.system.health()), { status: "ok" })
        assert.deepStrictEqual(readinessOf(yield* Effect.promise(() => niha.system.ready())), expectedReadiness)
        assert.deepStrictEqual(yield* Effect.promise(() => niha.system.version()), expectedVersion)
      }))

    it.effect("pages the markets by cursor", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const niha = yield* client(baseUrl)
        const first = yield* niha.markets.list({ query: { limit: 1 } })
        assert.deepStrictEqual(first.data.map((market) => market.market), ["CEA_CASH"])
        assert.isTrue(first.has_more)
        const second = yield* niha.markets.list({ query: { limit: 1, starting_after: "CEA_CASH" } })
        assert.deepStrictEqual(second.data, [{
          market: "SWAP",
          base: "EUA",
          quote: "CEA",
          price_scale: 4,
          quote_scale: 0,
          settlement_type: "SWAP_CEA_TO_EUA"
        }])
        assert.isFalse(second.has_more)
        const all = yield* Effect.promise(() => PromiseClient.createClient({ baseUrl }).markets.list({ query: {} }))
        assert.deepStrictEqual(all.data.map((market) => market.market), ["CEA_CASH", "SWAP"])
        assert.isFalse(all.has_more)
      }))

    it.effect("answers an unknown route with a 404 error body carrying the request id", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const response = yield* http(`${baseUrl}/no/such/route?x=1`)
        assert.strictEqual(response.status, 404)
        const requestId = response.headers.get(RequestId.header)
        assert.isTrue(requestId !== null && RequestId.isValid(requestId))
        assert.deepStrictEqual(response.json(), {
          code: "route_not_found",
          message: "no route for GET /no/such/route",
          request_id: requestId
        })
        // Through the facade: a wrong base path reaches no route, and the error is typed.
        const error = yield* rejection(PromiseClient.createClient({ baseUrl: `${baseUrl}/v9` }).system.health())
        assert.instanceOf(error, PromiseClient.NotFoundError)
        assert.strictEqual((error as PromiseClient.NihaError).code, "route_not_found")
        assert.strictEqual((error as PromiseClient.NihaError).message, "no route for GET /v9/health")
        assert.isTrue(RequestId.isValid((error as PromiseClient.NihaError).requestId ?? ""))
      }))

    it.effect("answers a malformed request with a 400 naming the field", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        for (
          const [query, field] of [
            ["limit=500", "limit"],
            ["limit=ten", "limit"],
            ["starting_after=NOPE", "starting_after"]
          ] as const
        ) {
          const response = yield* http(`${baseUrl}/markets?${query}`)
          assert.strictEqual(response.status, 400, query)
          const body = response.json() as ApiError.ErrorBody
          assert.strictEqual(body.code, "validation_failed")
          assert.strictEqual(body.field, field)
          assert.include(body.message, field)
          assert.strictEqual(body.request_id, response.headers.get(RequestId.header))
          assert.strictEqual(body.issues?.[0]?.field, field)
        }
        // An API version the server does not speak, through both clients.
        const facadeError = yield* rejection(
          PromiseClient.createClient({ baseUrl, apiVersion: "1999-01-01" }).system.health()
        )
        assert.instanceOf(facadeError, PromiseClient.InvalidRequestError)
        assert.strictEqual((facadeError as PromiseClient.NihaError).code, "unsupported_api_version")
        assert.strictEqual((facadeError as PromiseClient.NihaError).field, ApiVersion.header)
        assert.strictEqual((facadeError as PromiseClient.NihaError).status, 400)
        assert.isTrue(RequestId.isValid((facadeError as PromiseClient.NihaError).requestId ?? ""))
        const effectError = yield* Effect.flip((yield* client(baseUrl, { apiVersion: "1999-01-01" })).system.health())
        assert.instanceOf(effectError, ApiError.BadRequest)
        assert.strictEqual((effectError as ApiError.BadRequest).code, "unsupported_api_version")
      }))

    it.effect("echoes a well-formed request id, replaces others, and logs every line with it", () =>
      Effect.gen(function*() {
        const { baseUrl, logs } = yield* TestServer.TestServer
        const ok = yield* http(`${baseUrl}/health`, { headers: { [RequestId.header]: "client-req.42" } })
        assert.strictEqual(ok.headers.get(RequestId.header), "client-req.42")
        assert.strictEqual(ok.headers.get(ApiVersion.header), ApiVersion.current)
        const failed = yield* http(`${baseUrl}/markets?limit=0`, { headers: { [RequestId.header]: "client-req.43" } })
        assert.strictEqual((failed.json() as ApiError.ErrorBody).request_id, "client-req.43")
        for (const unsafe of ["two words; <b>", "x".repeat(RequestId.maxLength + 1)]) {
          const replaced = yield* http(`${baseUrl}/health`, { headers: { [RequestId.header]: unsafe } })
          const fresh = replaced.headers.get(RequestId.header) ?? ""
          assert.notStrictEqual(fresh, unsafe)
          assert.isTrue(RequestId.isValid(fresh))
        }

        const access = logs.filter((line) => line.message === "request")
        const line = access.find((line) => line.annotations["request_id"] === "client-req.43")
        assert.deepInclude(line?.annotations, { method: "GET", path: "/markets", status: 400 })
        assert.strictEqual(line?.level, "INFO")
        for (const entry of access) assert.isTrue(RequestId.isValid(String(entry.annotations["request_id"])))
      }))

    it.effect("answers a failure nothing handled with a 500 and logs its cause under the request id", () =>
      Effect.gen(function*() {
        const { baseUrl, logs } = yield* TestServer.TestServer
        const response = yield* http(`${baseUrl}/__test/boom`, { headers: { [RequestId.header]: "boom-1" } })
        assert.strictEqual(response.status, 500)
        assert.deepStrictEqual(response.json(), {
          code: "internal_error",
          message: "the server failed; quote request id boom-1 when reporting it",
          request_id: "boom-1"
        })
        const logged = logs.find((line) => line.level === "ERROR" && line.annotations["request_id"] === "boom-1")
        assert.include(logged?.cause ?? "", "boom: a bug in a handler")
      }))

    it.effect("serves the OpenAPI document generated from the contract, and the reference page", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const response = yield* http(`${baseUrl}/openapi.json`)
        assert.strictEqual(response.status, 200)
        const document = response.json() as {
          readonly openapi: string
          readonly info: { readonly version: string }
          readonly paths: Record<string, Record<string, { readonly operationId: string }>>
        }
        assert.strictEqual(document.openapi, "3.1.0")
        assert.strictEqual(document.info.version, ApiVersion.current)
        const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, operation]) =>
            `${method.toUpperCase()} ${path} ${operation.operationId}`
          )
        ).sort()
        // Every endpoint of the contract, and nothing else, with its path in OpenAPI's form.
        const expected = Object.values(Api.Api.groups).flatMap((group) =>
          Object.values(group.endpoints).map((endpoint) =>
            `${endpoint.method} ${endpoint.path.replace(/:(\w+)/g, "{$1}")} ${group.identifier}.${endpoint.identifier}`
          )
        ).sort()
        assert.deepStrictEqual(operations, expected)
        assert.include(operations, "POST /auth/login auth.login")
        assert.include(operations, "POST /admin/contact-requests/{id}/convert admin.convertContactRequest")
        const schemes = (document as {
          readonly components?: { readonly securitySchemes?: Record<string, Record<string, string>> }
        }).components?.securitySchemes
        assert.deepInclude(schemes?.["bearer"], { type: "http", scheme: "Bearer" })
        assert.deepInclude(schemes?.["cookie"], { type: "apiKey", name: "__Host-niha_session", in: "cookie" })
        const docs = yield* http(`${baseUrl}/docs`)
        assert.strictEqual(docs.status, 200)
        assert.include(docs.headers.get("content-type") ?? "", "text/html")
        assert.include(docs.text, "NIHA Carbon API")
      }))

    it.effect("refuses a body over the limit, declared or streamed", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const small = yield* http(`${baseUrl}/__test/echo-length`, { method: "POST", body: "x".repeat(1000) })
        assert.strictEqual(small.text, "1000")
        const declared = yield* http(`${baseUrl}/__test/echo-length`, {
          method: "POST",
          body: "x".repeat(maxBodySize + 1)
        })
        assert.strictEqual(declared.status, 413)
        assert.strictEqual((declared.json() as ApiError.ErrorBody).code, "payload_too_large")
        const chunk = new Uint8Array(16 * 1024)
        const streamed = yield* http(`${baseUrl}/__test/echo-length`, {
          method: "POST",
          body: new ReadableStream({
            start(controller) {
              for (let i = 0; i < 8; i++) controller.enqueue(chunk)
              controller.close()
            }
          }),
          duplex: "half"
        } as RequestInit)
        assert.strictEqual(streamed.status, 413)
        const body = streamed.json() as ApiError.ErrorBody
        assert.strictEqual(body.code, "payload_too_large")
        assert.strictEqual(body.request_id, streamed.headers.get(RequestId.header))
      }))

    it.effect("sends CORS headers to the configured origins only", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* TestServer.TestServer
        const preflight = yield* http(`${baseUrl}/health`, {
          method: "OPTIONS",
          headers: {
            origin: allowedOrigin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization"
          }
        })
        assert.strictEqual(preflight.status, 204)
        assert.strictEqual(preflight.headers.get("access-control-allow-origin"), allowedOrigin)
        assert.include(preflight.headers.get("access-control-allow-headers") ?? "", "Authorization")
        const allowed = yield* http(`${baseUrl}/health`, { headers: { origin: allowedOrigin } })
        assert.strictEqual(allowed.headers.get("access-control-allow-origin"), allowedOrigin)
        assert.include(allowed.headers.get("access-control-expose-headers") ?? "", RequestId.header)
        const other = yield* http(`${baseUrl}/health`, { headers: { origin: "https://evil.example" } })
        assert.notStrictEqual(other.headers.get("access-control-allow-origin"), "https://evil.example")
        assert.notStrictEqual(other.headers.get("access-control-allow-origin"), "*")
      }))
  })
}

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("readiness", () => {
  layer(
    TestServer.layer(TestServer.quickBackend, { migrate: false }),
    { excludeTestServices: true, timeout: "120 seconds" }
  )(
    `a server on a database that is not migrated [${TestServer.quickBackend}]`,
    (it) => {
      it.effect("answers 503 not_ready, typed in both clients, until the database is migrated", () =>
        Effect.gen(function*() {
          const { backend, baseUrl, database } = yield* TestServer.TestServer
          const niha = yield* client(baseUrl)
          assert.deepStrictEqual(yield* niha.system.health(), { status: "ok" })
          const error = yield* Effect.flip(niha.system.ready())
          assert.instanceOf(error, ApiError.ServiceUnavailable)
          const unavailable = error as ApiError.ServiceUnavailable
          assert.strictEqual(unavailable.code, "not_ready")
          assert.include(unavailable.message, `needs ${Handlers.expectedMigration}`)
          assert.isTrue(RequestId.isValid(unavailable.request_id))
          const facadeError = yield* rejection(PromiseClient.createClient({ baseUrl }).system.ready())
          assert.instanceOf(facadeError, PromiseClient.ServerError)
          assert.strictEqual((facadeError as PromiseClient.NihaError).status, 503)
          assert.strictEqual((facadeError as PromiseClient.NihaError).code, "not_ready")
          // PGlite is one session, held by the server; PostgreSQL takes a second connection.
          if (backend === "postgres") {
            yield* Effect.provide(Migrations.run, database)
            assert.deepStrictEqual(readinessOf(yield* niha.system.ready()), expectedReadiness)
          }
        }))
    }
  )
})
