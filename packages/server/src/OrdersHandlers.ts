/**
 * The handlers of the `orders` and `ledger` groups. Those of `orders`: each calls one operation of the `Orders` service with
 * the signed-in user and maps its errors once (`ErrorHandling.answer`). Placement is
 * idempotent by the order's `client_reference`, which the `Idempotency-Key` header sets
 * when the body has none: the order and its reference are written in one transaction, so
 * a placement sent again answers the first order and never places a second.
 *
 * @since 0.1.0
 */
import { Api, Authentication, FundingApi, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { Adjustments } from "./services/Adjustments.ts"
import { Orders } from "./services/Orders.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `orders` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const orders: Layer.Layer<
  HttpApiGroup.Service<"niha", "orders">,
  never,
  Orders | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "orders",
  Effect.fn(function*(handlers) {
    const service = yield* Orders
    return handlers.handleAll({
      placeOrder: ({ headers, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.place(actor, payload, headers["idempotency-key"])).pipe(
          ErrorHandling.answer
        ),
      listOrders: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.list(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            market: query.market,
            status: query.status,
            entity_id: query.entity_id
          })).pipe(ErrorHandling.answer),
      getOrder: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.get(actor, params.id)).pipe(ErrorHandling.answer),
      cancelOrder: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.cancel(actor, params.id)).pipe(ErrorHandling.answer),
      amendOrder: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.amend(actor, params.id, payload)).pipe(ErrorHandling.answer),
      cancelAll: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.cancelAll(actor, payload.market)).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `ledger` group: an admin's adjustment, once per `Idempotency-Key`.
 *
 * @category layers
 * @since 0.1.0
 */
export const ledger: Layer.Layer<
  HttpApiGroup.Service<"niha", "ledger">,
  never,
  Adjustments | SqlClient.SqlClient | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "ledger",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const adjustments = yield* Adjustments
    return handlers.handleAll({
      adjust: ({ headers, params, payload }) =>
        Idempotency.onceForCaller(
          {
            success: FundingApi.Holding,
            endpoint: "ledger.adjust",
            key: headers["idempotency-key"],
            input: { ...params, ...payload }
          },
          (actor) => adjustments.adjust(actor, params.id, payload)
        ).pipe(Effect.provideContext(context))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
