/**
 * OpenTelemetry export of the server's traces and metrics, with Effect's own OTLP exporter
 * (`effect/observability`: no OpenTelemetry SDK package is needed), configured by the
 * standard variables and off unless they ask for it:
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` /
 *   `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`): where to send OTLP/HTTP JSON, and
 * - `OTEL_TRACES_EXPORTER=otlp` / `OTEL_METRICS_EXPORTER=otlp`: which signals to send
 *   (Effect's exporter sends a signal only when its exporter list names `otlp`; unset,
 *   nothing is exported);
 * - `OTEL_SDK_DISABLED`, `OTEL_SERVICE_NAME` (`niha` here unless set),
 *   `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_SCHEDULE_DELAY`,
 *   `OTEL_METRIC_EXPORT_INTERVAL` and the other `OTEL_*` settings these exporters read.
 *
 * Spans are those the code already makes (`Effect.fn` names, `Effect.withSpan`, the HTTP
 * server's request spans); metrics are those `Metrics` defines, also served at
 * `GET /metrics`. Logs stay on stdout.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import type * as OtlpExporter from "effect/observability/OtlpExporter"
import * as OtlpMetrics from "effect/observability/OtlpMetrics"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"

/**
 * The OTLP exporters the `OTEL_*` environment configures (none without an endpoint).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerFromEnv = (
  options?: { readonly serviceVersion?: string | undefined }
): Layer.Layer<OtlpExporter.Flusher> =>
  Layer.mergeAll(
    OtlpTracer.layerFromConfig({ resource: { serviceName: "niha", serviceVersion: options?.serviceVersion } }),
    OtlpMetrics.layerFromConfig({ resource: { serviceName: "niha", serviceVersion: options?.serviceVersion } })
  ).pipe(
    Layer.provide(OtlpSerialization.layerJson),
    Layer.provide(FetchHttpClient.layer)
  )
