/**
 * `GET /metrics` against a started server (the quick backend): after a trade, a refused
 * order, a 404 and the jobs' first runs, the Prometheus text has the request, order,
 * trade, job and ledger series, with histogram buckets, and no id in any label. Beside
 * the server: the text format of counters, gauges and histograms.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Metrics } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import { call, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

describe("the Prometheus text format", () => {
  it.effect("writes counters with sorted labels, gauges, and cumulative histograms with +Inf, sum and count", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_things_total", { description: "Things.", incremental: true })
      const histogram = Metric.histogram("test_seconds", { description: "Time.", boundaries: [0.1, 1] })
      yield* Metric.update(Metric.withAttributes(counter, { b: "2", a: "say \"hi\"" }), 3)
      yield* Metric.update(histogram, 0.05)
      yield* Metric.update(histogram, 0.5)
      yield* Metric.update(histogram, 5)
      const text = Metrics.prometheus(
        (yield* Metric.snapshot).filter((snapshot) => snapshot.id.startsWith("test_"))
      )
      assert.include(text, "# HELP test_things_total Things.\n# TYPE test_things_total counter\n")
      assert.include(text, "test_things_total{a=\"say \\\"hi\\\"\",b=\"2\"} 3\n")
      assert.include(text, "# TYPE test_seconds histogram\n")
      assert.include(text, "test_seconds_bucket{le=\"0.1\"} 1\n")
      assert.include(text, "test_seconds_bucket{le=\"1\"} 2\n")
      assert.include(text, "test_seconds_bucket{le=\"+Inf\"} 3\n")
      assert.include(text, "test_seconds_sum 5.55\n")
      assert.include(text, "test_seconds_count 3\n")
    }))
})

const backend = TestServer.quickBackend
describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`GET /metrics [${backend}]`, () => {
  layer(TestServer.layer(backend, { jobPollInterval: "50 millis" }), live)((it) => {
    it.effect("counts requests, orders, trades, jobs and ledger transfers", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const buyer = yield* tradingCompany(server, "bea@metrics-buyer.example", "Metrics Buyer SA", 1_000_000)
        const seller = yield* tradingCompany(server, "sol@metrics-seller.example", "Metrics Seller Ltd", 1)
        yield* call(() =>
          buyer.admin.ledger.adjust({
            params: { id: seller.entityId },
            payload: { asset_type: "CEA", amount: "100", reason: "delivered" }
          })
        )
        const order = { market: "CEA_CASH", type: "LIMIT", quantity: "10" } as const
        yield* call(() => seller.client.orders.placeOrder({ payload: { ...order, side: "SELL", price: "12.00" } }))
        const bought = yield* call(() =>
          buyer.client.orders.placeOrder({ payload: { ...order, side: "BUY", price: "12.00" } })
        )
        assert.strictEqual(bought.order.status, "FILLED")
        const refused = yield* failure(() =>
          buyer.client.orders.placeOrder({
            payload: { ...order, side: "BUY", price: "99999999.00", quantity: "99999" }
          })
        )
        assert.isAtLeast(refused.status ?? 0, 400)
        assert.strictEqual((yield* Effect.promise(() => fetch(`${server.baseUrl}/no/such/route`))).status, 404)

        const response = yield* Effect.promise(() => fetch(`${server.baseUrl}/metrics`))
        assert.strictEqual(response.status, 200)
        assert.include(response.headers.get("content-type") ?? "", "text/plain; version=0.0.4")
        const text = yield* Effect.promise(() => response.text())
        const value = (series: string): number => {
          const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `))
          return line === undefined ? Number.NaN : Number(line.slice(series.length + 1))
        }
        assert.isAtLeast(value("niha_http_requests_total{method=\"POST\",route=\"/orders\",status=\"201\"}"), 2)
        assert.isAtLeast(value("niha_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"), 1)
        assert.isAtLeast(value("niha_http_request_duration_seconds_count{method=\"POST\",route=\"/orders\"}"), 3)
        assert.include(
          text,
          "niha_http_request_duration_seconds_bucket{le=\"0.005\",method=\"POST\",route=\"/orders\"}"
        )
        assert.isAtLeast(value("niha_orders_total{action=\"place\",outcome=\"accepted\"}"), 2)
        assert.isAtLeast(value("niha_orders_total{action=\"place\",outcome=\"refused\"}"), 1)
        assert.isAtLeast(value("niha_trades_total{market=\"CEA_CASH\"}"), 1)
        assert.isAtLeast(value("niha_market_commands_total{market=\"CEA_CASH\"}"), 2)
        assert.isAtLeast(value("niha_jobs_total{kind=\"mail.dispatch\",outcome=\"succeeded\"}"), 1)
        assert.isAtLeast(value("niha_ledger_transfers_total{outcome=\"applied\"}"), 3)
        assert.isAtLeast(value("niha_ledger_submit_duration_seconds_count"), 3)
        // No id reaches a label: routes are patterns.
        assert.notMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/)
      }))
  })
})
