/**
 * The handlers of the `audit` group: each calls the `AuditLog` service with the signed-in
 * user and maps its errors once (`ErrorHandling.answer`).
 *
 * @since 0.1.0
 */
import { Api, Authentication, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import * as ErrorHandling from "./ErrorHandling.ts"
import { AuditLog } from "./services/AuditLog.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `audit` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const audit: Layer.Layer<
  HttpApiGroup.Service<"niha", "audit">,
  never,
  AuditLog | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "audit",
  Effect.fn(function*(handlers) {
    const service = yield* AuditLog
    return handlers.handleAll({
      listTickets: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listTickets(actor, {
            ...query,
            limit: query.limit ?? Pagination.defaultLimit
          })).pipe(ErrorHandling.answer),
      listActivity: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          service.listActivity(actor, {
            ...query,
            limit: query.limit ?? Pagination.defaultLimit
          })).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
