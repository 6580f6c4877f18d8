/**
 * The handlers of the `prices` group: the `Prices` service's charts and latest price for
 * any signed-in caller.
 *
 * @since 0.1.0
 */
import { Api, type Authentication } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import * as ErrorHandling from "./ErrorHandling.ts"
import { Prices } from "./services/Prices.ts"

/**
 * The `prices` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const prices: Layer.Layer<
  HttpApiGroup.Service<"niha", "prices">,
  never,
  Prices | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "prices",
  Effect.fn(function*(handlers) {
    const service = yield* Prices
    return handlers.handleAll({
      history: ({ query }) =>
        Effect.gen(function*() {
          const currency = query.currency ?? "EUR"
          const buckets = yield* service.history({
            certificate_type: query.certificate_type,
            interval: query.interval,
            currency,
            from: query.from,
            to: query.to ?? (yield* DateTime.now)
          })
          return { certificate_type: query.certificate_type, currency, interval: query.interval, buckets }
        }).pipe(ErrorHandling.answer),
      latest: ({ query }) =>
        Effect.gen(function*() {
          const currency = query.currency ?? "EUR"
          const found = yield* service.latest(query.certificate_type, currency)
          return { certificate_type: query.certificate_type, currency, ...found }
        }).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
