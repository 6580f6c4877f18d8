/**
 * Adjustments: an admin moves an amount between an entity's available balance and
 * `WORLD` by hand (a correction, allowances delivered outside the platform), through the
 * ledger's `adjust`, with its reason on the journal line and a ticket with the holding
 * before and after, in one transaction. A negative adjustment never takes a balance below
 * zero (`InsufficientFunds`).
 *
 * @since 0.1.0
 */
import { Ledger, type Repository, Transaction } from "@niha/db"
import { type Enums, Errors, Funds, type Ids, Money, type Parties, Quantity } from "@niha/domain"
import type { LedgerApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import { authorize } from "../internal/rules.ts"

const holdingJson = Schema.encodeSync(Funds.EntityHolding.json)

/** The signed amount in the minor unit of its asset, or `ValidationFailed` naming `amount`. */
const amountOf = (asset: Enums.AssetType, text: string) =>
  Effect.gen(function*() {
    const schema = Schema.Struct({
      amount: asset === "EUR" ? Money.SignedCentsFromString : Quantity.SignedTonnesFromString
    })
    const { amount } = yield* Effect.mapError(
      Schema.decodeUnknownEffect(schema)({ amount: text }),
      Errors.validationFailed
    )
    if (amount === 0) {
      return yield* new Errors.ValidationFailed({ issues: [{ path: "amount", message: "must not be zero" }] })
    }
    return amount
  })

/**
 * Builds the service on the database and the repositories in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ledger = Ledger.make(sql)
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()

  const holdingOf = (entityId: Ids.EntityId, asset: Enums.AssetType) =>
    Effect.map(ledger.holdings(entityId), (rows) => rows.find((row) => row.asset_type === asset))

  const adjust = Effect.fn("Adjustments.adjust")(
    function*(actor: Parties.User, entityId: Ids.EntityId, input: LedgerApi.Adjustment) {
      yield* authorize(actor, "adjust_balances")
      const asset = input.asset_type
      const amount = yield* amountOf(asset, input.amount)
      return yield* Transaction.run(Effect.gen(function*() {
        const [entity] = yield* sql<{ id: string }>`SELECT id FROM entities WHERE id = ${entityId}`
        if (entity === undefined) return yield* new Errors.NotFound({ resource: "entities", id: entityId })
        const before = yield* holdingOf(entityId, asset)
        // A fresh key: each adjustment is its own (the HTTP layer makes a repeated request idempotent).
        yield* Effect.catchIf(
          ledger.apply(Ledger.adjust({
            key: `adjustments:${NodeCrypto.randomUUID()}`,
            entity_id: entityId,
            asset,
            amount,
            reason: input.reason,
            created_by: actor.id
          })),
          (error): error is Exclude<Ledger.LedgerError, Errors.InsufficientFunds | SqlError> =>
            !(error instanceof Errors.InsufficientFunds) && !isSqlError(error),
          Effect.die
        )
        const after = yield* holdingOf(entityId, asset)
        if (after === undefined) return yield* Effect.die(new Error("invariant broken: an adjusted holding is missing"))
        yield* Audit.record({
          user_id: actor.id,
          action: "ledger.adjust",
          subject_table: "entity_holdings",
          subject_id: after.id,
          details: { entity_id: entityId, asset_type: asset, amount: input.amount, reason: input.reason },
          ...(before === undefined ? {} : { before: holdingJson(before) }),
          after: holdingJson(after)
        })
        return after
      })).pipe(Effect.provideContext(context))
    }
  )

  return {
    /** Adjusts an entity's balance by hand, with a reason, through the ledger (admins only). */
    adjust
  }
})

/**
 * The adjustment service.
 *
 * @category services
 * @since 0.1.0
 */
export class Adjustments extends Context.Service<Adjustments, Effect.Success<typeof make>>()(
  "@niha/server/Adjustments"
) {
  /**
   * The service on the database and the repositories in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Adjustments, never, SqlClient.SqlClient | Repository.Repositories> = Layer
    .effect(Adjustments, make)
}
