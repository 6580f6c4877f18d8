/**
 * The handlers of the `settlements`, `swaps` and `inventory` groups: each calls one operation of the `Settlements`
 * service with the signed-in user and maps its errors once (`ErrorHandling.answer`). The
 * admin moves take an `Idempotency-Key`: a move sent again with its key answers the first
 * answer instead of a 409.
 *
 * @since 0.1.0
 */
import { Api, Authentication, Pagination, SettlementsApi } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { Inventory } from "./services/Inventory.ts"
import { SellerOrders } from "./services/SellerOrders.ts"
import { Settlements } from "./services/Settlements.ts"
import { Swaps } from "./services/Swaps.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `settlements` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const settlements: Layer.Layer<
  HttpApiGroup.Service<"niha", "settlements">,
  never,
  Settlements | SqlClient.SqlClient | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "settlements",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const service = yield* Settlements
    return handlers.handleAll({
      listSettlements: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.list(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            entity_id: query.entity_id,
            status: query.status
          })).pipe(ErrorHandling.answer),
      getSettlement: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.get(actor, params.id)).pipe(ErrorHandling.answer),
      advanceSettlement: ({ headers, params, payload }) =>
        Idempotency.onceForCaller(
          {
            success: SettlementsApi.BatchDetail,
            endpoint: "settlements.advance",
            key: headers["idempotency-key"],
            input: { ...params, ...payload }
          },
          (actor) => service.advance(actor, params.id, payload)
        ).pipe(Effect.provideContext(context)),
      failSettlement: ({ headers, params, payload }) =>
        Idempotency.onceForCaller(
          {
            success: SettlementsApi.BatchDetail,
            endpoint: "settlements.fail",
            key: headers["idempotency-key"],
            input: { ...params, ...payload }
          },
          (actor) => service.fail(actor, params.id, payload.reason)
        ).pipe(Effect.provideContext(context)),
      resolveSettlement: ({ headers, params, payload }) =>
        Idempotency.onceForCaller(
          {
            success: SettlementsApi.BatchDetail,
            endpoint: "settlements.resolve",
            key: headers["idempotency-key"],
            input: { ...params, ...payload }
          },
          (actor) => service.resolve(actor, params.id, payload)
        ).pipe(Effect.provideContext(context))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `swaps` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const swaps: Layer.Layer<
  HttpApiGroup.Service<"niha", "swaps">,
  never,
  Swaps | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "swaps",
  Effect.fn(function*(handlers) {
    const service = yield* Swaps
    return handlers.handleAll({
      requestSwap: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.request(actor, payload)).pipe(ErrorHandling.answer),
      listSwaps: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.list(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after
          })).pipe(ErrorHandling.answer),
      getSwap: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.get(actor, params.id)).pipe(ErrorHandling.answer),
      cancelSwap: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.cancel(actor, params.id)).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `inventory` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const inventory: Layer.Layer<
  HttpApiGroup.Service<"niha", "inventory">,
  never,
  Inventory | SellerOrders | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "inventory",
  Effect.fn(function*(handlers) {
    const service = yield* Inventory
    const sellerOrders = yield* SellerOrders
    return handlers.handleAll({
      registerSeller: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.registerSeller(actor, payload)).pipe(ErrorHandling.answer),
      listSellers: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listSellers(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after
          })).pipe(ErrorHandling.answer),
      registerLot: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => service.registerLot(actor, payload)).pipe(ErrorHandling.answer),
      listLots: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listLots(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            status: query.status
          })).pipe(ErrorHandling.answer),
      allocateLot: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.allocate(actor, params.id, payload.settlement_batch_id)).pipe(
          ErrorHandling.answer
        ),
      placeSellerOrder: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => sellerOrders.place(actor, params.id, payload)).pipe(ErrorHandling.answer),
      listSellerOrders: ({ params, query }) =>
        Effect.flatMap(signedIn, (actor) =>
          sellerOrders.list(actor, params.id, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after
          })).pipe(ErrorHandling.answer),
      cancelSellerOrder: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => sellerOrders.cancel(actor, params.id, params.orderId)).pipe(
          ErrorHandling.answer
        )
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
