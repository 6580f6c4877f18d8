/**
 * The handlers of the `fees` group: each calls one operation of the `Fees` service with the
 * signed-in user and maps its errors once (`ErrorHandling.answer`). The two creates take
 * an `Idempotency-Key`, so a create sent again after a lost answer answers the first row
 * instead of a 409.
 *
 * @since 0.1.0
 */
import type { Parties } from "@niha/domain"
import { Api, Authentication, FeesApi, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { Fees } from "./services/Fees.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `fees` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const fees: Layer.Layer<
  HttpApiGroup.Service<"niha", "fees">,
  never,
  SqlClient.SqlClient | Fees | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "fees",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const service = yield* Fees
    /** Runs `effect` once per caller and key, recorded in the same transaction. */
    const once = <A, I, E, R>(
      success: Schema.Codec<A, I>,
      endpoint: string,
      key: string | undefined,
      input: unknown,
      effect: (actor: Parties.User) => Effect.Effect<A, E, R>
    ) => Idempotency.onceForCaller({ success, endpoint, key, input }, effect).pipe(Effect.provideContext(context))
    const as = <A, E, R>(effect: (actor: Parties.User) => Effect.Effect<A, E, R>) =>
      Effect.flatMap(signedIn, effect).pipe(ErrorHandling.answer)
    return handlers.handleAll({
      listConfigs: ({ query }) =>
        as((actor) =>
          service.listConfigs(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            market: query.market
          })
        ),
      createConfig: ({ headers, payload }) =>
        once(
          FeesApi.FeeConfig,
          "fees.createConfig",
          headers["idempotency-key"],
          payload,
          (actor) => service.createConfig(actor, payload)
        ),
      changeConfig: ({ params, payload }) => as((actor) => service.changeConfig(actor, params.id, payload)),
      deactivateConfig: ({ params }) => as((actor) => service.deactivateConfig(actor, params.id)),
      listOverrides: ({ query }) =>
        as((actor) =>
          service.listOverrides(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            entity_id: query.entity_id,
            market: query.market
          })
        ),
      createOverride: ({ headers, payload }) =>
        once(
          FeesApi.FeeOverride,
          "fees.createOverride",
          headers["idempotency-key"],
          payload,
          (actor) => service.createOverride(actor, payload)
        ),
      changeOverride: ({ params, payload }) => as((actor) => service.changeOverride(actor, params.id, payload)),
      deactivateOverride: ({ params }) => as((actor) => service.deactivateOverride(actor, params.id)),
      resolved: ({ query }) => as((actor) => service.resolved(actor, query.entity_id, query.market))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
