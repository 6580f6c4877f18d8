/**
 * Operational metrics with Effect's `Metric` module, served in the Prometheus text format
 * at `GET /metrics`:
 *
 * - `niha_http_requests_total{method,route,status}` and
 *   `niha_http_request_duration_seconds{method,route}` (a histogram), for every request;
 *   `route` is the API's route pattern (`/orders/:id/cancel`), `unmatched` otherwise, so
 *   ids never become series.
 * - `niha_orders_total{action,outcome}`: the order requests (`place`, `cancel`, `amend`,
 *   `cancel_all`) by outcome (`accepted`, `refused`), read at the HTTP layer so the order
 *   path itself is untouched.
 * - `niha_trades_total{market}` and `niha_market_commands_total{market}`: the trades and
 *   commands this instance applied to its books, read from `MarketWriter`'s updates.
 * - `niha_writer_batches_total{market}`, `niha_writer_batch_jobs_total{market}` and
 *   `niha_writer_busy_seconds_total{market}`: the market writers' batches, the commands in
 *   them and the wall time spent running them (from `MarketWriter.metrics`).
 * - `niha_jobs_total{kind,outcome}` and `niha_job_duration_seconds{kind}`: the durable
 *   jobs this instance ran.
 * - `niha_ledger_transfers_total` and `niha_ledger_submit_duration_seconds` (from
 *   `@niha/db`'s `Ledger`).
 *
 * The endpoint takes no credentials: expose it only where the scraper runs (a private
 * network or a reverse proxy rule), as is usual for Prometheus targets.
 *
 * @since 0.1.0
 */
import { Ledger } from "@niha/db"
import { Market } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"
import * as Routes from "./Routes.ts"
import { MarketWriter } from "./services/MarketWriter.ts"

/**
 * The bucket boundaries of the latency histograms, in seconds.
 *
 * @category constants
 * @since 0.1.0
 */
export const latencyBoundaries: ReadonlyArray<number> = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
]

const httpRequests = Metric.counter("niha_http_requests_total", {
  description: "HTTP requests served, by method, route and status.",
  incremental: true
})
const httpDuration = Metric.histogram("niha_http_request_duration_seconds", {
  description: "Time to answer an HTTP request, in seconds.",
  boundaries: latencyBoundaries
})
const orders = Metric.counter("niha_orders_total", {
  description: "Order requests, by action and outcome.",
  incremental: true
})
const trades = Metric.counter("niha_trades_total", {
  description: "Trades this instance applied to its books, by market.",
  incremental: true
})
const commands = Metric.counter("niha_market_commands_total", {
  description: "Market commands this instance applied to its books, by market.",
  incremental: true
})
const jobs = Metric.counter("niha_jobs_total", {
  description: "Durable jobs run by this instance, by kind and outcome.",
  incremental: true
})
const jobDuration = Metric.histogram("niha_job_duration_seconds", {
  description: "Time to run a durable job, in seconds.",
  boundaries: latencyBoundaries
})

const orderActions: Readonly<Record<string, string>> = {
  "POST /orders": "place",
  "POST /orders/:id/cancel": "cancel",
  "POST /orders/:id/amend": "amend",
  "POST /orders/cancel-all": "cancel_all"
}

/**
 * Counts a served request: its route (the pattern it matched), status and duration.
 *
 * @category recording
 * @since 0.1.0
 */
export const recordRequest = (request: {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly durationMs: number
}): Effect.Effect<void> => {
  const route = Routes.matching(request.path).find((candidate) => candidate.method === request.method)?.path ??
    "unmatched"
  const attributes = { method: request.method, route }
  const action = orderActions[`${request.method} ${route}`]
  return Effect.all([
    Metric.update(Metric.withAttributes(httpRequests, { ...attributes, status: String(request.status) }), 1),
    Metric.update(Metric.withAttributes(httpDuration, attributes), request.durationMs / 1000),
    action === undefined ?
      Effect.void :
      Metric.update(
        Metric.withAttributes(orders, { action, outcome: request.status < 400 ? "accepted" : "refused" }),
        1
      )
  ], { discard: true })
}

/**
 * Runs a job's handler, counting it by kind and outcome and timing it.
 *
 * @category recording
 * @since 0.1.0
 */
export const timedJob = <A, E, R>(kind: string, run: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const started = Date.now()
    const exit = yield* Effect.exit(run)
    yield* Metric.update(
      Metric.withAttributes(jobs, { kind, outcome: exit._tag === "Success" ? "succeeded" : "failed" }),
      1
    )
    yield* Metric.update(Metric.withAttributes(jobDuration, { kind }), (Date.now() - started) / 1000)
    return yield* exit
  })

/**
 * The paths this module serves.
 *
 * @category constants
 * @since 0.1.0
 */
export const paths = {
  /** The Prometheus text endpoint. */
  metrics: Routes.pages.metrics
} as const

const escapeLabel = (value: string): string =>
  value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\"", "\\\"")

const labels = (attributes: Readonly<Record<string, string>> | undefined, extra?: Readonly<Record<string, string>>) => {
  const all = { ...attributes, ...extra }
  const keys = Object.keys(all).sort()
  return keys.length === 0 ? "" : `{${keys.map((key) => `${key}="${escapeLabel(all[key] ?? "")}"`).join(",")}}`
}

const formatNumber = (value: number | bigint): string =>
  typeof value === "bigint" ?
    value.toString() :
    Number.isFinite(value) ?
    String(value) :
    value > 0 ?
    "+Inf" :
    value < 0 ?
    "-Inf" :
    "NaN"

/**
 * Metric snapshots in the Prometheus text exposition format (version 0.0.4): counters,
 * gauges and histograms (with cumulative `_bucket`, `_sum` and `_count`); one `HELP` and
 * `TYPE` per name.
 *
 * @category formatting
 * @since 0.1.0
 */
export const prometheus = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>): string => {
  const byName = new Map<string, Array<Metric.Metric.Snapshot>>()
  for (const snapshot of snapshots) byName.set(snapshot.id, [...(byName.get(snapshot.id) ?? []), snapshot])
  const lines: Array<string> = []
  for (const name of [...byName.keys()].sort()) {
    const series = byName.get(name) ?? []
    const first = series[0]
    if (first === undefined) continue
    const type = first.type === "Counter" ? "counter" : first.type === "Gauge" ?
      "gauge" :
      first.type === "Histogram"
      ? "histogram"
      : undefined
    if (type === undefined) continue
    if (first.description !== undefined) lines.push(`# HELP ${name} ${first.description.replaceAll("\n", " ")}`)
    lines.push(`# TYPE ${name} ${type}`)
    for (const snapshot of series) {
      const attributes = snapshot.attributes
      switch (snapshot.type) {
        case "Counter":
          lines.push(`${name}${labels(attributes)} ${formatNumber(snapshot.state.count)}`)
          break
        case "Gauge":
          lines.push(`${name}${labels(attributes)} ${formatNumber(snapshot.state.value)}`)
          break
        case "Histogram": {
          for (const [boundary, count] of snapshot.state.buckets) {
            lines.push(`${name}_bucket${labels(attributes, { le: formatNumber(boundary) })} ${count}`)
          }
          lines.push(`${name}_bucket${labels(attributes, { le: "+Inf" })} ${snapshot.state.count}`)
          lines.push(`${name}_sum${labels(attributes)} ${formatNumber(snapshot.state.sum)}`)
          lines.push(`${name}_count${labels(attributes)} ${snapshot.state.count}`)
          break
        }
        default:
          break
      }
    }
  }
  return `${lines.join("\n")}\n`
}

/**
 * `GET /metrics`, on the router of `HttpRouter.serve`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<never, never, HttpRouter.HttpRouter> = HttpRouter.add(
  "GET",
  paths.metrics,
  Effect.map(Metric.snapshot, (snapshots) =>
    HttpServerResponse.text(prometheus(snapshots), {
      contentType: "text/plain; version=0.0.4; charset=utf-8",
      headers: { "cache-control": "no-store" }
    }))
)

/**
 * Counts the trades and commands each market's book applies in this instance, for as
 * long as the server runs.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerMarketCounters: Layer.Layer<never, never, MarketWriter> = Layer.effectDiscard(Effect.gen(function*() {
  const writer = yield* MarketWriter
  for (const market of Object.keys(Market.instruments) as ReadonlyArray<keyof typeof Market.instruments>) {
    const updates = yield* writer.subscribe(market)
    yield* Effect.forkScoped(Stream.runForEach(updates, (update) =>
      Effect.all([
        Metric.update(Metric.withAttributes(trades, { market }), update.trades.length),
        Metric.update(Metric.withAttributes(commands, { market }), update.sequence - update.previousSequence)
      ], { discard: true })))
  }
}))

/**
 * The ledger's metrics (re-exported from `@niha/db` so the server documents them together).
 *
 * @category recording
 * @since 0.1.0
 */
export const ledgerMetrics = Ledger.metrics
