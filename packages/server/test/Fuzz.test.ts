/**
 * Fuzzing from the contract (issue #18), in the manner of Schemathesis: for every endpoint
 * of the SDK's `HttpApi` (so endpoints added on other branches are covered when they
 * merge), requests generated from its Schemas (`effect/Arbitrary`, seeded) and invalid
 * ones (random JSON bodies, malformed path ids and query values), sent to a started server
 * as an admin and as an anonymous caller. Every answer must be: no 5xx; a status the
 * OpenAPI document declares for the operation; a 2xx body that decodes with the endpoint's
 * success Schema, any other body an `ErrorBody`; 401 for an anonymous call of an operation
 * with a security requirement. Every path answers a method it does not serve with 405.
 *
 * Seeded and replayable: the seed is printed first; `NIHA_FUZZ_SEED=<seed>` replays a run
 * and `NIHA_FUZZ_RUNS=<n>` sets the generated requests per endpoint and kind (4 in CI).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Api, ApiError } from "@niha/sdk"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { adminOf } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"

const backend = TestServer.quickBackend
// CI runs one fixed seed, so a landing never depends on the clock; elsewhere each run explores a new one.
const seed = Number(process.env["NIHA_FUZZ_SEED"] ?? (process.env["CI"] ? 20261129 : Date.now() % 2_147_483_647))
const runs = Number(process.env["NIHA_FUZZ_RUNS"] ?? 4)
console.log(`fuzz: seed ${seed}, ${runs} generated requests per endpoint and kind (NIHA_FUZZ_SEED=${seed} replays)`)

const generous = { limit: 1_000_000, window: "1 minute" } as const
const live = { excludeTestServices: true, timeout: "600 seconds" } as const

interface Operation {
  readonly responses?: Record<string, unknown>
  readonly security?: ReadonlyArray<unknown>
}
const document = OpenApi.fromApi(Api.Api) as unknown as {
  readonly paths: Record<string, Record<string, Operation>>
}

const json = (schema: Schema.Top) => Schema.toCodecJson(schema as Schema.Codec<unknown, unknown>)

/** Up to `count` values of a Schema, encoded as JSON; none when it cannot be derived. */
const samples = (schema: Schema.Top | undefined, count: number, salt: number) =>
  Effect.gen(function*() {
    if (schema === undefined) return [] as Array<unknown>
    const arbitrary = yield* Effect.try(() => Arbitrary.schema(schema as Schema.Codec<unknown, unknown>)).pipe(
      Effect.option
    )
    if (arbitrary._tag === "None") return []
    const values = yield* Arbitrary.sampleEffect(arbitrary.value, { count, seed: seed + salt }).pipe(
      Effect.orElseSucceed(() => [] as ReadonlyArray<unknown>)
    )
    const encoded: Array<unknown> = []
    for (const value of values) {
      const wire = yield* Schema.encodeUnknownEffect(json(schema))(value).pipe(Effect.option)
      if (wire._tag === "Some") encoded.push(wire.value)
    }
    return encoded
  })

/** Random JSON values, for invalid bodies and ids. */
const junk = (count: number, salt: number): Array<unknown> =>
  fc.sample(fc.jsonValue({ maxDepth: 2 }), { numRuns: count, seed: seed + salt })

const fill = (path: string, params: unknown): string =>
  path.replaceAll(/:(\w+)/gu, (_, name: string) => {
    const value = typeof params === "object" && params !== null ? (params as Record<string, unknown>)[name] : undefined
    return encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value ?? "x"))
  })

const search = (query: unknown): string => {
  if (typeof query !== "object" || query === null) return ""
  const pairs = Object.entries(query).flatMap(([name, value]) =>
    value === undefined ? [] : [[name, typeof value === "string" ? value : JSON.stringify(value)] as [string, string]]
  )
  return pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`
}

interface Answer {
  readonly status: number
  readonly text: string
  readonly contentType: string
}

const send = (url: string, init: RequestInit) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
    const contentType = response.headers.get("content-type") ?? ""
    if (contentType.includes("text/event-stream")) {
      await response.body?.cancel()
      return { status: response.status, text: "", contentType }
    }
    return { status: response.status, text: await response.text(), contentType }
  })

const decodeErrorBody = Schema.decodeUnknownExit(json(ApiError.ErrorBody))

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`fuzzing the contract [${backend}]`, () => {
  layer(
    TestServer.layer(backend, {
      limits: {
        loginsPerAddress: generous,
        linksPerAddress: generous,
        linksPerEmail: generous,
        contactRequestsPerAddress: generous,
        passwordChangesPerSession: generous
      }
    }),
    live
  )((it) => {
    it.effect(
      "answers generated and invalid requests to every endpoint within its contract, never a 5xx",
      () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const failures: Array<string> = []
          const perEndpoint: Record<string, number> = {}
          const underived: Array<string> = []
          let salt = 0
          for (const group of Object.values(Api.Api.groups)) {
            for (const endpoint of Object.values(group.endpoints)) {
              const name = `${group.identifier}.${endpoint.identifier}`
              const openApiPath = endpoint.path.replaceAll(/:(\w+)/gu, "{$1}")
              const operation = document.paths[openApiPath]?.[endpoint.method.toLowerCase()]
              if (operation === undefined) {
                failures.push(`${name}: not in the OpenAPI document`)
                continue
              }
              const declared = new Set(Object.keys(operation.responses ?? {}).map(Number))
              const secured = (operation.security ?? []).length > 0
              // A session of its own per endpoint: a generated logout must not end the others'.
              const admin = yield* adminOf(server)
              const bearer = { authorization: `Bearer ${admin.session.token}` }
              const jsonPayload = [...endpoint.payload.entries()].find(([type]) => type.includes("json"))
              const payloadSchema = jsonPayload?.[1].schemas[0]
              const multipart = [...endpoint.payload.keys()].some((type) => type.includes("multipart"))

              const check = (what: string, answer: Answer, anonymous: boolean, url: string) => {
                const label = `${name} ${what} ${url.replace(server.baseUrl, "")} -> ${answer.status} ${
                  answer.text.slice(0, 200)
                }`
                perEndpoint[name] = (perEndpoint[name] ?? 0) + 1
                if (answer.status >= 500 && !(declared.has(answer.status) && answer.status !== 500)) {
                  failures.push(`5xx: ${label}`)
                  return
                }
                if (!declared.has(answer.status)) failures.push(`undeclared status: ${label}`)
                if (anonymous && secured && answer.status !== 401) failures.push(`anonymous not refused: ${label}`)
                if (answer.text === "" || !answer.contentType.includes("json")) return
                const body: unknown = JSON.parse(answer.text)
                if (answer.status >= 200 && answer.status < 300) {
                  const decodes = [...endpoint.success].some((schema) =>
                    Schema.decodeUnknownExit(json(schema))(body)._tag === "Success"
                  )
                  if (!decodes) failures.push(`2xx body outside the success schema: ${label}`)
                } else if (decodeErrorBody(body)._tag !== "Success") {
                  failures.push(`error body outside ErrorBody: ${label}`)
                }
              }

              const params = yield* samples(endpoint.params, runs, ++salt)
              const queries = yield* samples(endpoint.query, runs, ++salt)
              const bodies = multipart ? [] : yield* samples(payloadSchema, runs, ++salt)
              for (
                const [kind, schema, got] of [
                  ["params", endpoint.params, params],
                  ["query", endpoint.query, queries],
                  ["body", multipart ? undefined : payloadSchema, bodies]
                ] as const
              ) {
                if (schema !== undefined && got.length === 0) underived.push(`${name} ${kind}`)
              }
              const paramsAt = (i: number) => params.length === 0 ? undefined : params[i % params.length]
              const queryAt = (i: number) => queries.length === 0 ? undefined : queries[i % queries.length]
              const bodyAt = (i: number) => (bodies.length === 0 ? {} : bodies[i % bodies.length])
              const hasBody = endpoint.method !== "GET" && endpoint.method !== "DELETE"
              const request = (i: number, headers: Record<string, string>, body?: unknown) => ({
                url: `${server.baseUrl}${fill(endpoint.path, paramsAt(i))}${search(queryAt(i))}`,
                init: {
                  method: endpoint.method,
                  headers: hasBody ? { ...headers, "content-type": "application/json" } : headers,
                  ...(hasBody ? { body: JSON.stringify(body === undefined ? bodyAt(i) : body) } : {})
                }
              })

              // Generated (valid) requests, anonymous first, then as the admin.
              for (let i = 0; i < runs; i++) {
                const anonymous = request(i, {})
                check(`anonymous #${i}`, yield* send(anonymous.url, anonymous.init), true, anonymous.url)
                const signedIn = request(i, bearer)
                check(
                  `generated #${i}`,
                  yield* send(signedIn.url, signedIn.init),
                  false,
                  `${signedIn.url} ${String(signedIn.init.body ?? "")}`
                )
              }
              // Invalid requests: random JSON bodies, ids and query values.
              const noise = junk(runs, ++salt)
              for (let i = 0; i < runs; i++) {
                if (hasBody && !multipart) {
                  const broken = request(i, bearer, noise[i])
                  check(`invalid body #${i}`, yield* send(broken.url, broken.init), false, broken.url)
                }
                if (endpoint.path.includes(":")) {
                  const url = `${server.baseUrl}${
                    endpoint.path.replaceAll(/:(\w+)/gu, () => encodeURIComponent(JSON.stringify(noise[i] ?? null)))
                  }`
                  const { init } = request(i, bearer)
                  check(`invalid path #${i}`, yield* send(url, init), false, url)
                }
                if (endpoint.query !== undefined) {
                  const { init, url } = request(i, bearer)
                  const bad = `${url.split("?")[0]}?limit=${
                    encodeURIComponent(JSON.stringify(noise[i] ?? null))
                  }&cursor=%00`
                  check(`invalid query #${i}`, yield* send(bad, init), false, bad)
                }
              }
            }
          }
          const counts = Object.values(perEndpoint)
          console.log(
            `fuzz: seed ${seed}, ${counts.length} endpoints, ${counts.reduce((a, b) => a + b, 0)} requests, at least ${
              Math.min(...counts)
            } per endpoint, ${failures.length} failures; ` +
              `no generator for: ${underived.join(", ") || "none"}`
          )
          assert.deepStrictEqual(failures, [], `seed ${seed}`)
          assert.isAtLeast(counts.length, 60)
        }),
      // The layer's timeout does not reach the test; on a loaded 2-core machine the ~1,700
      // requests take longer than the default 30 s.
      { timeout: 300_000 }
    )

    it.effect("answers every path a method it does not serve with 405 and Allow", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const byPath = new Map<string, Set<string>>()
        for (const group of Object.values(Api.Api.groups)) {
          for (const endpoint of Object.values(group.endpoints)) {
            const methods = byPath.get(endpoint.path) ?? new Set<string>()
            methods.add(endpoint.method)
            byPath.set(endpoint.path, methods)
          }
        }
        const failures: Array<string> = []
        const patterns = [...byPath].map(([path, methods]) => ({
          methods,
          pattern: new RegExp(`^${path.replaceAll(/:(\w+)/gu, "[^/]+")}$`, "u")
        }))
        for (const [path] of byPath) {
          const concrete = path.replaceAll(/:(\w+)/gu, "00000000-0000-4000-8000-000000000000")
          const url = `${server.baseUrl}${concrete}`
          // A method another route serves at this concrete path (GET /orders/cancel-all is
          // GET /orders/:id) is not an unknown method there.
          const served = (method: string) =>
            patterns.some((route) => route.methods.has(method) && route.pattern.test(concrete))
          for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !served(m))) {
            for (const headers of [{}, { authorization: `Bearer ${admin.session.token}` }]) {
              const answer = yield* send(url, { method, headers })
              if (answer.status !== 405) failures.push(`${method} ${path} -> ${answer.status}`)
            }
          }
        }
        assert.deepStrictEqual(failures, [])
        assert.isAtLeast(byPath.size, 60)
      }), { timeout: 300_000 })
  })
})
