/**
 * OpenTelemetry export against a local OTLP/HTTP collector the test starts: with
 * `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_TRACES_EXPORTER`/`OTEL_METRICS_EXPORTER=otlp` set, a started server sends its request spans (service
 * `niha`) and its metrics; without it (every other suite), nothing is exported.
 */
import { assert, describe, it } from "@effect/vitest"
import { PromiseClient } from "@niha/sdk"
import { Telemetry } from "@niha/server"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeHttp from "node:http"
import type * as NodeNet from "node:net"
import { call } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"

interface Received {
  readonly path: string
  readonly body: string
}

const collector = Effect.acquireRelease(
  Effect.callback<{ readonly server: NodeHttp.Server; readonly received: Array<Received> }>((resume) => {
    const received: Array<Received> = []
    const server = NodeHttp.createServer((request, response) => {
      let body = ""
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8")
      })
      request.on("end", () => {
        received.push({ path: request.url ?? "", body })
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, received })))
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)("OpenTelemetry export", () => {
  it.live(
    `sends spans and metrics to the OTLP endpoint the environment names [${TestServer.quickBackend}]`,
    () =>
      Effect.scoped(Effect.gen(function*() {
        const otlp = yield* collector
        const port = (otlp.server.address() as NodeNet.AddressInfo).port
        const env = {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_TRACES_EXPORTER: "otlp",
          OTEL_METRICS_EXPORTER: "otlp",
          OTEL_BSP_SCHEDULE_DELAY: "100",
          OTEL_METRIC_EXPORT_INTERVAL: "200"
        }
        const telemetry = Telemetry.layerFromEnv({ serviceVersion: "test" }).pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
        const server = yield* TestServer.start(TestServer.quickBackend, { telemetry })
        const client = PromiseClient.createClient({ baseUrl: server.baseUrl })
        yield* call(() => client.system.health())
        yield* call(() => client.system.version())
        for (let attempt = 0; attempt < 100; attempt++) {
          const traces = otlp.received.filter((request) => request.path === "/v1/traces")
          const metrics = otlp.received.filter((request) => request.path === "/v1/metrics")
          // An export can precede the first counted request: wait for one that carries it.
          if (
            traces.some((request) => request.body.includes("/health")) &&
            metrics.some((request) => request.body.includes("niha_http_requests_total"))
          ) break
          yield* Effect.sleep("100 millis")
        }
        const traces = otlp.received.filter((request) => request.path === "/v1/traces").map((request) => request.body)
        assert.isTrue(traces.some((body) => body.includes("\"niha\"") && body.includes("/health")), "a request span")
        const metrics = otlp.received.filter((request) => request.path === "/v1/metrics").map((request) => request.body)
        assert.isTrue(metrics.some((body) => body.includes("niha_http_requests_total")), "the request counter")
      })),
    { timeout: 60_000 }
  )
})
