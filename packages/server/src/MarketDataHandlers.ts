/**
 * The handlers of the `marketData` group: each calls one operation of the `MarketData`
 * service and maps its errors once (`ErrorHandling.answer`). The stream is served as
 * Server-Sent Events written here rather than by the contract's encoder, because it
 * also sends a heartbeat comment (`: heartbeat`) every `MarketDataApi.heartbeatSeconds`,
 * which an SSE event schema cannot express; each event is still encoded by the contract's
 * `MarketDataApi.StreamEvent`, so the wire is what the SDK decodes. A stream ends when
 * the client goes away or the server begins to shut down (`Draining`).
 *
 * @since 0.1.0
 */
import { Api, MarketDataApi, Pagination } from "@niha/sdk"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Sse from "effect/encoding/Sse"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Draining } from "./Draining.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import { MarketData } from "./services/MarketData.ts"

/**
 * How often the stream sends a heartbeat comment.
 *
 * @category constants
 * @since 0.1.0
 */
export const heartbeatInterval: Duration.Duration = Duration.seconds(MarketDataApi.heartbeatSeconds)

/**
 * The comment line a heartbeat sends; SSE parsers skip it.
 *
 * @category constants
 * @since 0.1.0
 */
export const heartbeat = ": heartbeat\n\n"

const encodeEvent = Schema.encodeEffect(MarketDataApi.StreamEvent)

/**
 * The text of a stream of events as Server-Sent Events, with a heartbeat comment every
 * `interval` (the first one `interval` after the start). It ends when `events` ends.
 *
 * @category encoding
 * @since 0.1.0
 */
export const render = <E, R>(
  events: Stream.Stream<MarketDataApi.StreamEvent, E, R>,
  interval: Duration.Input = heartbeatInterval
): Stream.Stream<string, E, R> =>
  Stream.merge(
    Stream.mapEffect(events, (event) =>
      Effect.map(
        // The service builds the events from the contract's own types: one that does not encode is a defect.
        Effect.orDie(encodeEvent(event)),
        (encoded) => Sse.encoder.write({ _tag: "Event", event: encoded.event, id: undefined, data: encoded.data })
      )),
    Stream.fromSchedule(Schedule.spaced(interval)).pipe(Stream.map(() => heartbeat)),
    { haltStrategy: "left" }
  )

/**
 * The `marketData` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const marketData: Layer.Layer<HttpApiGroup.Service<"niha", "marketData">, never, MarketData | Draining> =
  HttpApiBuilder.group(
    Api.Api,
    "marketData",
    Effect.fn(function*(handlers) {
      const service = yield* MarketData
      const draining = yield* Draining
      return handlers.handleAll({
        book: ({ params, query }) =>
          ErrorHandling.answer(service.depth(params.market, query.levels ?? MarketDataApi.defaultLevels)),
        top: ({ params }) => ErrorHandling.answer(service.top(params.market)),
        trades: ({ params, query }) =>
          ErrorHandling.answer(service.trades(params.market, query.limit ?? Pagination.defaultLimit)),
        ticker: ({ params }) => ErrorHandling.answer(service.ticker(params.market)),
        candles: ({ params, query }) => ErrorHandling.answer(service.candles(params.market, query)),
        stream: ({ params, query }) =>
          Effect.succeed(HttpServerResponse.stream(
            render(service.stream(params.market, query.levels ?? MarketDataApi.defaultLevels)).pipe(
              Stream.interruptWhen(Deferred.await(draining)),
              Stream.encodeText
            ),
            {
              contentType: "text/event-stream",
              // Proxies must pass each event on as it comes, and keep no copy.
              headers: { "cache-control": "no-store", "x-accel-buffering": "no" }
            }
          ))
      })
    })
  ).pipe(Layer.provide(ErrorHandling.layer))
