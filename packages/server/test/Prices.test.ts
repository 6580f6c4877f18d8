/**
 * Prices through the SDK against a started server, on both backends, with the sources served
 * by a local HTTP server the test starts: a source that times out, one that answers garbage,
 * one too large, and working JSON and HTML ones; each outcome is recorded with the seed's
 * statuses and only the working ones write history; the history converts to EUR through the
 * exchange rate fetched the same way, each price with the rate of its time; the recurring
 * job fetches an active source by itself.
 * Beside the server: reading JSON paths and HTML selectors.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Prices } from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"
import { adminOf, call, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

/** The first answer of the rates page; a test moves the rate later, and each backend's run starts from this. */
const firstRates: readonly [string, string, number] = [
  "application/json",
  "{\"rates\":{\"CNY\":7.84,\"USD\":\"1.08\"}}",
  0
]

/** The sources, served locally: path -> [content type, body, delay in ms]. */
const pages: Record<string, readonly [string, string, number]> = {
  "/slow.json": ["application/json", "{\"data\":{\"close\":1}}", 3_000],
  "/garbage.json": ["application/json", "<<< this is not json", 0],
  "/big.json": ["application/json", `{"pad":"${"x".repeat(200_000)}","data":{"close":1}}`, 0],
  "/cea.json": ["application/json", "{\"data\":{\"close\":\"CNY 78.40\"}}", 0],
  "/eua.html": [
    "text/html",
    "<html><body><table><tr><td class=\"close\"><span>€ 1,071.25</span></td></tr></table></body></html>",
    0
  ],
  "/rates.json": firstRates
}

const sourceServer = Effect.acquireRelease(
  Effect.callback<NodeHttp.Server>((resume) => {
    const server = NodeHttp.createServer((request, response) => {
      const page = pages[request.url ?? ""]
      if (page === undefined) {
        response.writeHead(404).end("not found")
        return
      }
      const timer = setTimeout(() => response.writeHead(200, { "content-type": page[0] }).end(page[1]), page[2])
      response.on("close", () => clearTimeout(timer))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("reading a source's answer", () => {
  it("reads JSON paths and HTML selectors, and says what is wrong", () => {
    assert.deepStrictEqual(Prices.readJson("{\"a\":{\"b\":[{\"p\":72.35}]}}", "a.b.0.p"), {
      status: "SUCCESS",
      value: "72.35"
    })
    assert.deepStrictEqual(Prices.readJson("{\"a\":\"EUR 1,234.5\"}", "a"), { status: "SUCCESS", value: "1234.5" })
    assert.deepStrictEqual(Prices.readJson("nope", "a"), { status: "FAILED", error: "the answer is not JSON" })
    assert.deepStrictEqual(Prices.readJson("{\"a\":1}", "b"), {
      status: "FAILED",
      error: "the answer has no value at b"
    })
    assert.deepStrictEqual(Prices.readJson("{\"a\":-3}", "a"), {
      status: "FAILED",
      error: "the value at a is not a positive number"
    })
    assert.deepStrictEqual(Prices.readJson("{\"a\":0}", "a").status, "FAILED")
    assert.deepStrictEqual(Prices.readHtml("<p id=x>price: <b>12.5</b></p>", "#x b"), {
      status: "SUCCESS",
      value: "12.5"
    })
    assert.deepStrictEqual(Prices.readHtml("<p>none</p>", "#x").status, "FAILED")
    assert.deepStrictEqual(Prices.readHtml("<p id=x>n/a</p>", "#x").status, "FAILED")
    assert.deepStrictEqual(Prices.readHtml("<p>x</p>", "p[").status, "FAILED")
  })
})

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`prices through the SDK [${backend}]`, () => {
    layer(
      TestServer.layer(backend, {
        priceFetch: { timeout: "500 millis", maxBytes: 64 * 1024 },
        pricePollInterval: "200 millis",
        jobPollInterval: "50 millis"
      }),
      live
    )((it) => {
      it.effect("records each source's outcome, keeps only good prices, converts to EUR, fetches on schedule", () =>
        Effect.scoped(Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin } = yield* adminOf(server)
          const http = yield* sourceServer
          const port = (http.address() as NodeNet.AddressInfo).port
          const url = (path: string) => `http://127.0.0.1:${port}${path}`
          const started = yield* DateTime.now
          pages["/rates.json"] = firstRates

          const rate = yield* call(() =>
            admin.configuration.createExchangeRateSource({
              payload: {
                name: "Rates",
                url: url("/rates.json"),
                base_currency: "EUR",
                quote_currency: "CNY",
                selector: "rates.CNY",
                is_active: false
              }
            })
          )
          const fetchedRate = yield* call(() =>
            admin.configuration.fetchExchangeRateSource({ params: { id: rate.id } })
          )
          assert.strictEqual(fetchedRate.last_status, "SUCCESS")
          assert.isNotNull(fetchedRate.last_rate)

          const create = (
            name: string,
            path: string,
            library: "HTTPX" | "BEAUTIFULSOUP",
            selector: string,
            certificate_type: "CEA" | "EUA",
            currency: "CNY" | "EUR"
          ) =>
            call(() =>
              admin.configuration.createScrapingSource({
                payload: { name, url: url(path), library, selector, certificate_type, currency, is_active: false }
              })
            )
          const sources = {
            slow: yield* create("Slow", "/slow.json", "HTTPX", "data.close", "CEA", "CNY"),
            garbage: yield* create("Garbage", "/garbage.json", "HTTPX", "data.close", "CEA", "CNY"),
            big: yield* create("Big", "/big.json", "HTTPX", "data.close", "CEA", "CNY"),
            missing: yield* create("Missing", "/gone.json", "HTTPX", "data.close", "CEA", "CNY"),
            cea: yield* create("CEA close", "/cea.json", "HTTPX", "data.close", "CEA", "CNY"),
            eua: yield* create("EUA page", "/eua.html", "BEAUTIFULSOUP", "td.close > span", "EUA", "EUR")
          }
          const outcomes: Record<string, readonly [string | null, string | null, string | null]> = {}
          for (const [name, source] of Object.entries(sources)) {
            const fetched = yield* call(() => admin.configuration.fetchScrapingSource({ params: { id: source.id } }))
            outcomes[name] = [
              fetched.last_status,
              fetched.last_error,
              fetched.last_price === null ? null : String(fetched.last_price)
            ]
          }
          assert.deepStrictEqual(outcomes, {
            slow: ["TIMEOUT", "no answer within 500ms", null],
            garbage: ["FAILED", "the answer is not JSON", null],
            big: ["FAILED", "the answer is larger than 65536 bytes", null],
            missing: ["FAILED", "the source answered HTTP 404", null],
            cea: ["SUCCESS", null, outcomes["cea"]?.[2] ?? "?"],
            eua: ["SUCCESS", null, outcomes["eua"]?.[2] ?? "?"]
          })

          // History only from the working sources: CEA in CNY as observed, and in EUR.
          const history = (
            certificate_type: "CEA" | "EUA",
            currency: "EUR" | "CNY" | "USD",
            interval: "1h" | "1d"
          ) =>
            call(() =>
              admin.prices.history({
                query: { certificate_type, currency, interval, from: DateTime.subtract(started, { hours: 2 }) }
              })
            )
          const ceaCny = yield* history("CEA", "CNY", "1h")
          assert.deepStrictEqual(ceaCny.buckets.map((bucket) => [bucket.close, bucket.count]), [["78.4000", 1]])
          const ceaEur = yield* history("CEA", "EUR", "1d")
          assert.deepStrictEqual(
            ceaEur.buckets.map((bucket) => [bucket.open, bucket.high, bucket.low, bucket.close, bucket.count]),
            [["10.0000", "10.0000", "10.0000", "10.0000", 1]]
          )
          const euaEur = yield* history("EUA", "EUR", "1h")
          assert.deepStrictEqual(euaEur.buckets.map((bucket) => bucket.close), ["1071.2500"])
          assert.deepStrictEqual((yield* history("EUA", "USD", "1h")).buckets, [])
          const latest = yield* call(() => admin.prices.latest({ query: { certificate_type: "CEA" } }))
          assert.deepInclude(latest, { currency: "EUR", price: "10.0000" })
          assert.strictEqual(
            (yield* failure(() => admin.prices.latest({ query: { certificate_type: "CEA", currency: "USD" } }))).status,
            404
          )
          const tooMany = yield* failure(() =>
            admin.prices.history({
              query: { certificate_type: "CEA", interval: "1m", from: DateTime.subtract(started, { days: 30 }) }
            })
          )
          assert.strictEqual(tooMany.status, 400)

          // The recurring job fetches an active source by itself.
          const scheduled = yield* call(() =>
            admin.configuration.createScrapingSource({
              payload: {
                name: "Scheduled",
                url: url("/cea.json"),
                library: "HTTPX",
                selector: "data.close",
                certificate_type: "CEA",
                currency: "CNY",
                interval_seconds: 10
              }
            })
          )
          let count = 1
          for (let attempt = 0; attempt < 100 && count < 2; attempt++) {
            yield* Effect.sleep("100 millis")
            count = (yield* history("CEA", "CNY", "1d")).buckets[0]?.count ?? 0
          }
          assert.strictEqual(count, 2)
          const listed = yield* call(() => admin.configuration.listScrapingSources({ query: { limit: 100 } }))
          assert.strictEqual(listed.data.find((source) => source.id === scheduled.id)?.last_status, "SUCCESS")

          // The rate moves: a price read after it converts with the new rate, and the prices read
          // before keep the rate of their time (each good read is kept in exchange_rate_history).
          pages["/rates.json"] = ["application/json", "{\"rates\":{\"CNY\":\"7.00\"}}", 0]
          const moved = yield* call(() => admin.configuration.fetchExchangeRateSource({ params: { id: rate.id } }))
          assert.strictEqual(String(moved.last_rate), "7000000")
          yield* call(() => admin.configuration.fetchScrapingSource({ params: { id: sources.cea.id } }))
          const converted = yield* history("CEA", "EUR", "1d")
          assert.deepStrictEqual(
            converted.buckets.map((bucket) => [bucket.open, bucket.high, bucket.low, bucket.close]),
            [["10.0000", "11.2000", "10.0000", "11.2000"]]
          )
          const latestNow = yield* call(() => admin.prices.latest({ query: { certificate_type: "CEA" } }))
          assert.deepInclude(latestNow, { currency: "EUR", price: "11.2000" })
        })))
    })
  })
}
