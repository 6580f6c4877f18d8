/**
 * The handlers of the `marketMakers` and `autoTrade` groups: each calls one operation of the `MarketMakers`
 * service with the signed-in user and maps its errors once (`ErrorHandling.answer`). The
 * create takes an `Idempotency-Key`; an order's placement is idempotent by its client
 * reference or key, as a client's.
 *
 * @since 0.1.0
 */
import { Api, Authentication, MarketMakersApi, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { AutoTradeRuns } from "./services/AutoTrade.ts"
import { MarketMakers } from "./services/MarketMakers.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `marketMakers` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const marketMakers: Layer.Layer<
  HttpApiGroup.Service<"niha", "marketMakers">,
  never,
  SqlClient.SqlClient | MarketMakers | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "marketMakers",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const service = yield* MarketMakers
    return handlers.handleAll({
      createMarketMaker: ({ headers, payload }) =>
        Idempotency.onceForCaller(
          {
            success: MarketMakersApi.MarketMaker,
            endpoint: "marketMakers.create",
            key: headers["idempotency-key"],
            input: payload
          },
          (actor) => service.create(actor, payload)
        ).pipe(Effect.provideContext(context)),
      listMarketMakers: () => Effect.flatMap(signedIn, (actor) => service.list(actor)).pipe(ErrorHandling.answer),
      setMarketMakerActive: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.setActive(actor, params.id, payload.is_active)).pipe(
          ErrorHandling.answer
        ),
      placeOrder: ({ headers, params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.placeOrder(actor, params.id, payload, headers["idempotency-key"]))
          .pipe(ErrorHandling.answer),
      listOrders: ({ params, query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listOrders(actor, params.id, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            market: query.market
          })).pipe(ErrorHandling.answer),
      cancelOrder: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.cancelOrder(actor, params.id, params.order_id)).pipe(
          ErrorHandling.answer
        )
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `autoTrade` group: admins' rules and a run of the due ones on demand.
 *
 * @category layers
 * @since 0.1.0
 */
export const autoTrade: Layer.Layer<
  HttpApiGroup.Service<"niha", "autoTrade">,
  never,
  AutoTradeRuns | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "autoTrade",
  Effect.fn(function*(handlers) {
    const service = yield* AutoTradeRuns
    return handlers.handleAll({
      createRule: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.createRule(actor, payload)).pipe(ErrorHandling.answer),
      listRules: () => Effect.flatMap(signedIn, (actor) => service.listRules(actor)).pipe(ErrorHandling.answer),
      getRule: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.getRule(actor, params.id)).pipe(ErrorHandling.answer),
      updateRule: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.updateRule(actor, params.id, payload)).pipe(ErrorHandling.answer),
      deleteRule: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.deleteRule(actor, params.id)).pipe(ErrorHandling.answer),
      setRuleEnabled: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.setEnabled(actor, params.id, payload.is_enabled)).pipe(
          ErrorHandling.answer
        ),
      run: () => Effect.flatMap(signedIn, (actor) => service.runNow(actor)).pipe(ErrorHandling.answer),
      setMarketSettings: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.setMarketSettings(actor, params.market, payload)).pipe(
          ErrorHandling.answer
        ),
      listMarketSettings: () =>
        Effect.flatMap(signedIn, (actor) => service.listMarketSettings(actor)).pipe(ErrorHandling.answer),
      listLiquidityOperations: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listOperations(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            market: query.market
          })).pipe(ErrorHandling.answer),
      provideLiquidity: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.provideLiquidity(actor, params.market, payload.reason)).pipe(
          ErrorHandling.answer
        )
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
