/**
 * The handlers of the `configuration` group: each calls the `Configuration` service with
 * the signed-in user and maps its errors once (`ErrorHandling.answer`); a secret that
 * cannot be sealed or opened (no `NIHA_SECRETS_KEY`, another key) is a 503 `not_ready`.
 *
 * @since 0.1.0
 */
import { Api, ApiError, Authentication, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import * as ErrorHandling from "./ErrorHandling.ts"
import type * as Secrets from "./Secrets.ts"
import { Configuration } from "./services/Configuration.ts"
import { Prices } from "./services/Prices.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

const unavailable = <A, E, R>(effect: Effect.Effect<A, E | Secrets.SecretsUnavailable, R>) =>
  Effect.catchIf(
    effect,
    (error): error is Secrets.SecretsUnavailable =>
      typeof error === "object" && error !== null && "_tag" in error && error._tag === "SecretsUnavailable",
    (error) => ErrorHandling.fail(ApiError.ServiceUnavailable, { code: "not_ready", message: error.reason })
  )

/**
 * The `configuration` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const configuration: Layer.Layer<
  HttpApiGroup.Service<"niha", "configuration">,
  never,
  Configuration | Prices | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "configuration",
  Effect.fn(function*(handlers) {
    const service = yield* Configuration
    const prices = yield* Prices
    const page = (query: { readonly limit?: number | undefined; readonly starting_after?: string | undefined }) => ({
      limit: query.limit ?? Pagination.defaultLimit,
      starting_after: query.starting_after
    })
    return handlers.handleAll({
      listMailConfigs: ({ query }) =>
        Effect.flatMap(signedIn, (actor) => service.listMailConfigs(actor, page(query))).pipe(ErrorHandling.answer),
      createMailConfig: ({ payload }) =>
        unavailable(Effect.flatMap(signedIn, (actor) => service.createMailConfig(actor, payload))).pipe(
          ErrorHandling.answer
        ),
      changeMailConfig: ({ params, payload }) =>
        unavailable(Effect.flatMap(signedIn, (actor) => service.changeMailConfig(actor, params.id, payload))).pipe(
          ErrorHandling.answer
        ),
      testMailConfig: ({ params, payload }) =>
        unavailable(Effect.flatMap(signedIn, (actor) => service.testMailConfig(actor, params.id, payload.to))).pipe(
          ErrorHandling.answer
        ),
      listScrapingSources: ({ query }) =>
        Effect.flatMap(signedIn, (actor) => service.listScrapingSources(actor, page(query))).pipe(ErrorHandling.answer),
      createScrapingSource: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.createScrapingSource(actor, payload)).pipe(ErrorHandling.answer),
      changeScrapingSource: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.changeScrapingSource(actor, params.id, payload)).pipe(
          ErrorHandling.answer
        ),
      fetchScrapingSource: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => prices.fetchScrapingNow(actor, params.id)).pipe(ErrorHandling.answer),
      fetchExchangeRateSource: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => prices.fetchRateNow(actor, params.id)).pipe(ErrorHandling.answer),
      listExchangeRateSources: ({ query }) =>
        Effect.flatMap(signedIn, (actor) => service.listExchangeRateSources(actor, page(query))).pipe(
          ErrorHandling.answer
        ),
      createExchangeRateSource: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.createExchangeRateSource(actor, payload)).pipe(
          ErrorHandling.answer
        ),
      changeExchangeRateSource: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.changeExchangeRateSource(actor, params.id, payload)).pipe(
          ErrorHandling.answer
        )
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
