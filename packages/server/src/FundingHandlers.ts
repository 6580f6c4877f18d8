/**
 * The handlers of the `funding` group: each calls one operation of the `Deposits`,
 * `Withdrawals` or `FundingSettings` service with the signed-in user and maps its errors once (`ErrorHandling.answer`).
 * Every request that moves money takes an `Idempotency-Key`: a request sent
 * again with it is answered from the record, and the money moves once.
 *
 * @since 0.1.0
 */
import type { Funds, Parties } from "@niha/domain"
import { Api, Authentication, FundingApi, Pagination } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type * as SqlClient from "effect/sql/SqlClient"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as Idempotency from "./Idempotency.ts"
import { Deposits } from "./services/Deposits.ts"
import { FundingSettings } from "./services/FundingSettings.ts"
import { Withdrawals } from "./services/Withdrawals.ts"

const signedIn = Effect.map(Authentication.CurrentPrincipal, (principal) => principal.user)

/**
 * The `funding` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const funding: Layer.Layer<
  HttpApiGroup.Service<"niha", "funding">,
  never,
  SqlClient.SqlClient | Deposits | Withdrawals | FundingSettings | Authentication.Authentication
> = HttpApiBuilder.group(
  Api.Api,
  "funding",
  Effect.fn(function*(handlers) {
    const context = yield* Effect.context<SqlClient.SqlClient>()
    const deposits = yield* Deposits
    const withdrawals = yield* Withdrawals
    const settings = yield* FundingSettings
    /** Runs `effect` once per caller and key, recorded in the same transaction. */
    const once = <A, I, E, R>(
      success: Schema.Codec<A, I>,
      endpoint: string,
      key: string | undefined,
      input: unknown,
      effect: (actor: Parties.User) => Effect.Effect<A, E, R>
    ) => Idempotency.onceForCaller({ success, endpoint, key, input }, effect).pipe(Effect.provideContext(context))
    const deposit = <E, R>(
      endpoint: string,
      key: string | undefined,
      input: unknown,
      effect: (actor: Parties.User) => Effect.Effect<Funds.Deposit, E, R>
    ) => once(FundingApi.Deposit, endpoint, key, input, effect)
    const withdrawal = <E, R>(
      endpoint: string,
      key: string | undefined,
      input: unknown,
      effect: (actor: Parties.User) => Effect.Effect<Funds.Withdrawal, E, R>
    ) => once(FundingApi.Withdrawal, endpoint, key, input, effect)
    return handlers.handleAll({
      announceDeposit: ({ headers, payload }) =>
        deposit(
          "funding.announceDeposit",
          headers["idempotency-key"],
          payload,
          (actor) => deposits.announce(actor, payload)
        ),
      listDeposits: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          deposits.list(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            entity_id: query.entity_id
          })).pipe(ErrorHandling.answer),
      getDeposit: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => deposits.get(actor, params.id)).pipe(ErrorHandling.answer),
      confirmDeposit: ({ headers, params, payload }) =>
        deposit(
          "funding.confirmDeposit",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => deposits.confirm(actor, params.id, payload)
        ),
      clearDeposit: ({ headers, params, payload }) =>
        deposit(
          "funding.clearDeposit",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => deposits.clear(actor, params.id, payload.reason)
        ),
      rejectDeposit: ({ headers, params, payload }) =>
        deposit(
          "funding.rejectDeposit",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => deposits.reject(actor, params.id, payload.reason)
        ),
      reviewDeposit: ({ headers, params, payload }) =>
        deposit(
          "funding.reviewDeposit",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => deposits.review(actor, params.id, payload.reason)
        ),
      endDepositReview: ({ headers, params, payload }) =>
        deposit(
          "funding.endDepositReview",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => deposits.endReview(actor, params.id, payload.reason)
        ),
      getSettings: () => Effect.flatMap(signedIn, (actor) => settings.get(actor)).pipe(ErrorHandling.answer),
      setAmlPolicy: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => settings.setAmlPolicy(actor, payload)).pipe(ErrorHandling.answer),
      setWithdrawalLimits: ({ payload }) =>
        Effect.flatMap(signedIn, (actor) => settings.setWithdrawalLimits(actor, payload)).pipe(ErrorHandling.answer),
      requestWithdrawal: ({ headers, payload }) =>
        withdrawal(
          "funding.requestWithdrawal",
          headers["idempotency-key"],
          payload,
          (actor) => withdrawals.request(actor, payload)
        ),
      listWithdrawals: ({ query }) =>
        Effect.flatMap(signedIn, (actor) =>
          withdrawals.list(actor, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after,
            entity_id: query.entity_id
          })).pipe(ErrorHandling.answer),
      getWithdrawal: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => withdrawals.get(actor, params.id)).pipe(ErrorHandling.answer),
      processWithdrawal: ({ headers, params }) =>
        withdrawal(
          "funding.processWithdrawal",
          headers["idempotency-key"],
          params,
          (actor) => withdrawals.process(actor, params.id)
        ),
      approveWithdrawal: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => withdrawals.approve(actor, params.id)).pipe(ErrorHandling.answer),
      completeWithdrawal: ({ headers, params, payload }) =>
        withdrawal(
          "funding.completeWithdrawal",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => withdrawals.complete(actor, params.id, payload.bank_reference)
        ),
      rejectWithdrawal: ({ headers, params, payload }) =>
        withdrawal(
          "funding.rejectWithdrawal",
          headers["idempotency-key"],
          { ...params, ...payload },
          (actor) => withdrawals.reject(actor, params.id, payload.reason)
        ),
      journal: ({ params, query }) =>
        Effect.flatMap(signedIn, (actor) =>
          deposits.journal(actor, params.id, {
            limit: query.limit ?? Pagination.defaultLimit,
            starting_after: query.starting_after
          })).pipe(ErrorHandling.answer),
      holdings: ({ params }) =>
        Effect.flatMap(signedIn, (actor) => deposits.holdings(actor, params.id)).pipe(ErrorHandling.answer)
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))
