/**
 * The handlers of the `onboarding`, `kyc` and `admin` groups: each decodes its request
 * (the contract does that), calls one operation of the `Onboarding` service with the
 * signed-in user, and maps the service's errors to API errors once
 * (`ErrorHandling.answer`). The rules, the transactions and the audit trail are the
 * service's; what stays here is HTTP: throttles per client address, `Idempotency-Key`
 * (its record and the service's work share one transaction), and reading uploaded parts.
 *
 * @since 0.1.0
 */
import { Api, AuthApi, Authentication, OnboardingApi, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import type * as Multipart from "effect/http/Multipart"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs/promises"
import * as Audit from "./Audit.ts"
import * as AuthHandlers from "./AuthHandlers.ts"
import type * as DocumentStorage from "./DocumentStorage.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { Onboarding } from "./services/Onboarding.ts"
import * as Throttle from "./Throttle.ts"

/**
 * What the handlers of the signed-in groups need.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = SqlClient.SqlClient | Onboarding

/** The signed-in user, the actor of every service call. */
const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/** Reads an uploaded part into an upload for the service's policy check. */
const readUpload = (file: Multipart.PersistedFile): Effect.Effect<DocumentStorage.Upload> =>
  Effect.map(
    Effect.promise(() => NodeFs.readFile(file.path)),
    (buffer) => ({ bytes: new Uint8Array(buffer), file_name: file.name, mime_type: file.contentType })
  )

const pageQuery = (query: { readonly limit?: number | undefined; readonly starting_after?: string | undefined }) => ({
  limit: query.limit ?? Pagination.defaultLimit,
  starting_after: query.starting_after
})

/**
 * The `onboarding` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const onboarding = (
  limits: AuthHandlers.Limits = AuthHandlers.defaultLimits
): Layer.Layer<HttpApiGroup.Service<"niha", "onboarding">, never, SqlClient.SqlClient | Onboarding> =>
  HttpApiBuilder.group(
    Api.Api,
    "onboarding",
    Effect.fn(function*(handlers) {
      const context = yield* Effect.context<SqlClient.SqlClient>()
      const service = yield* Onboarding
      const perAddress = yield* Throttle.makeShared("contact_requests_per_address", limits.contactRequestsPerAddress)
      return handlers.handleAll({
        submitContactRequest: ({ headers, payload }) =>
          Effect.gen(function*() {
            const origin = yield* Audit.origin
            yield* AuthHandlers.throttled(perAddress, origin.ip_address ?? "unknown")
            return yield* Idempotency.once(
              {
                key: headers["idempotency-key"],
                principal: `address:${origin.ip_address ?? "unknown"}`,
                endpoint: "onboarding.submitContactRequest",
                input: payload,
                success: OnboardingApi.ContactRequestReceived
              },
              ErrorHandling.answer(service.submitContactRequest(payload))
            )
          }).pipe(Effect.provideContext(context))
      })
    })
  ).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `kyc` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const kyc: Layer.Layer<
  HttpApiGroup.Service<"niha", "kyc">,
  never,
  Services | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "kyc",
  Effect.fn(function*(handlers) {
    const service = yield* Onboarding
    return handlers.handleAll({
      signNda: ({ payload }) =>
        Effect.gen(function*() {
          const actor = yield* signedIn
          return yield* service.signNda(actor, yield* readUpload(payload.file))
        }).pipe(ErrorHandling.answer),
      file: () => Effect.flatMap(signedIn, service.ownKycFile).pipe(ErrorHandling.answer),
      uploadDocument: ({ payload }) =>
        Effect.gen(function*() {
          const actor = yield* signedIn
          return yield* service.uploadDocument(actor, payload.document_type, yield* readUpload(payload.file))
        }).pipe(ErrorHandling.answer),
      listDocuments: ({ query }) =>
        Effect.flatMap(signedIn, (actor) => service.listOwnDocuments(actor, pageQuery(query))).pipe(
          ErrorHandling.answer
        ),
      getDocument: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.getDocument(actor, params.id)).pipe(ErrorHandling.answer),
      downloadDocument: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.downloadDocument(actor, params.id)).pipe(ErrorHandling.answer),
      submit: () => Effect.flatMap(signedIn, service.submitKyc).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * The `admin` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const admin: Layer.Layer<
  HttpApiGroup.Service<"niha", "admin">,
  never,
  Services | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "admin",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const service = yield* Onboarding
    return handlers.handleAll({
      listContactRequests: ({ query }) =>
        Effect.flatMap(
          signedIn,
          (actor) => service.listContactRequests(actor, { ...pageQuery(query), status: query.status })
        ).pipe(
          ErrorHandling.answer
        ),
      getContactRequest: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.getContactRequest(actor, params.id)).pipe(ErrorHandling.answer),
      assignContactRequest: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.assignContactRequest(actor, params.id, payload)).pipe(
          ErrorHandling.answer
        ),
      convertContactRequest: ({ headers, params }) =>
        Effect.gen(function*() {
          const actor = yield* signedIn
          return yield* Idempotency.once({
            key: headers["idempotency-key"],
            principal: actor.id,
            endpoint: "admin.convertContactRequest",
            input: params,
            success: OnboardingApi.Converted
          }, ErrorHandling.answer(service.convertContactRequest(actor, params.id)))
        }).pipe(Effect.provideContext(context)),
      rejectContactRequest: ({ params, payload }) =>
        Effect.flatMap(signedIn, (actor) => service.rejectContactRequest(actor, params.id, payload.reason)).pipe(
          ErrorHandling.answer
        ),
      listEntities: ({ query }) =>
        Effect.flatMap(
          signedIn,
          (actor) => service.listEntities(actor, { ...pageQuery(query), kyc_status: query.kyc_status })
        ).pipe(
          ErrorHandling.answer
        ),
      getKycFile: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.kycFile(actor, params.id)).pipe(ErrorHandling.answer),
      approveDocument: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.reviewDocument(actor, params.id, { to: "APPROVED" })).pipe(
          ErrorHandling.answer
        ),
      rejectDocument: ({ params, payload }) =>
        Effect.flatMap(
          signedIn,
          (actor) => service.reviewDocument(actor, params.id, { to: "REJECTED", reason: payload.reason })
        ).pipe(ErrorHandling.answer),
      approveEntity: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => service.decideEntity(actor, params.id, { to: "APPROVED" })).pipe(
          ErrorHandling.answer
        ),
      rejectEntity: ({ params, payload }) =>
        Effect.flatMap(
          signedIn,
          (actor) => service.decideEntity(actor, params.id, { to: "REJECTED", reason: payload.reason })
        ).pipe(ErrorHandling.answer),
      createStaff: ({ headers, payload }) =>
        Effect.gen(function*() {
          const actor = yield* signedIn
          return yield* Idempotency.once({
            key: headers["idempotency-key"],
            principal: actor.id,
            endpoint: "admin.createStaff",
            input: payload,
            success: AuthApi.User
          }, ErrorHandling.answer(service.createStaff(actor, payload)))
        }).pipe(Effect.provideContext(context))
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
