/**
 * The funding settings as a service: admins read and change the AML hold policy and the
 * withdrawal limits (`FundingSettings` of `@niha/domain`), and the `Deposits` and
 * `Withdrawals` services read them ({@link amlPolicy}, {@link withdrawalLimits}) in the
 * transaction that uses them, so a change applies from the next deposit confirmation or
 * withdrawal request on.
 *
 * - Stored in `funding_settings` (migration 7), one row per setting with its value as the
 *   JSON of the setting's domain schema; a setting without a row is at its default.
 * - A change is decoded by that schema before the service is called (a value it refuses
 *   is a 400 and changes nothing), needs `configure_funding` (admins), and is written with
 *   its audit rows (`ticket_logs` before and after, `activity_logs`) in one transaction,
 *   the setting's row locked so concurrent changes are recorded in the order they applied.
 *
 * @since 0.1.0
 */
import { type Repository, Transaction } from "@niha/db"
import { type Errors, FundingSettings as Settings, type Parties } from "@niha/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Audit from "../Audit.ts"
import { authorize } from "../internal/rules.ts"

/**
 * One setting: its key, how its value is read in the caller's transaction, and its JSON.
 *
 * @category settings
 * @since 0.1.0
 */
export interface Setting<A> {
  /** The key of its row. */
  readonly key: Settings.Key
  /**
   * Its value now, in the caller's transaction: the stored value, or the default when no
   * admin set it. A stored value its schema refuses is a defect (every write was checked
   * by it).
   */
  readonly current: Effect.Effect<A, SqlError, SqlClient.SqlClient>
  /** Its value as the JSON stored in its row. */
  readonly encode: (value: A) => Schema.Json
}

const setting = <A>(key: Settings.Key, schema: Schema.Codec<A, unknown>, fallback: A): Setting<A> => {
  const json = Schema.toCodecJson(schema)
  const decode = Schema.decodeUnknownEffect(json)
  return {
    key,
    current: Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ value: unknown }>`SELECT value FROM funding_settings WHERE key = ${key}`
      if (row === undefined) return fallback
      return yield* decode(row.value).pipe(
        Effect.catchTag(
          "SchemaError",
          (error) => Effect.die(new Error(`funding_settings.${key} holds a value its schema refuses: ${error.message}`))
        )
      )
    }),
    encode: Schema.encodeSync(json)
  }
}

/**
 * The AML hold policy, as `Deposits` reads it when it confirms a deposit.
 *
 * @category settings
 * @since 0.1.0
 */
export const amlPolicy: Setting<Settings.Settings["aml_policy"]> = setting(
  "aml_policy",
  Settings.schemas.aml_policy,
  Settings.defaults.aml_policy
)

/**
 * The withdrawal limits, as `Withdrawals` reads them when a withdrawal is requested.
 *
 * @category settings
 * @since 0.1.0
 */
export const withdrawalLimits: Setting<Settings.Settings["withdrawal_limits"]> = setting(
  "withdrawal_limits",
  Settings.schemas.withdrawal_limits,
  Settings.defaults.withdrawal_limits
)

/**
 * Every setting now, in the caller's transaction.
 *
 * @category settings
 * @since 0.1.0
 */
export const all: Effect.Effect<Settings.Settings, SqlError, SqlClient.SqlClient> = Effect.all({
  aml_policy: amlPolicy.current,
  withdrawal_limits: withdrawalLimits.current
})

/**
 * Builds the service on the database and the repositories in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const transaction = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories>) =>
    Transaction.run(effect).pipe(Effect.provideContext(context))

  const get = Effect.fn("FundingSettings.get")(function*(actor: Parties.User) {
    yield* authorize(actor, "configure_funding")
    return yield* all.pipe(Effect.provideContext(context))
  })

  const change = <A>(actor: Parties.User, target: Setting<A>, value: A) =>
    Effect.gen(function*() {
      yield* authorize(actor, "configure_funding")
      return yield* transaction(Effect.gen(function*() {
        // The row exists from here on (at its default when new), so it can be locked: two
        // admins changing one setting at once are recorded one after the other.
        yield* sql`
          INSERT INTO funding_settings (key, value, updated_by)
          VALUES (${target.key}, ${JSON.stringify(target.encode(yield* target.current))}::jsonb, ${actor.id})
          ON CONFLICT (key) DO NOTHING`
        const [locked] = yield* sql<{ id: string }>`
          SELECT id FROM funding_settings WHERE key = ${target.key} FOR UPDATE`
        if (locked === undefined) {
          return yield* Effect.die(new Error(`invariant broken: funding_settings.${target.key} vanished`))
        }
        const before = target.encode(yield* target.current)
        const after = target.encode(value)
        yield* sql`
          UPDATE funding_settings SET value = ${JSON.stringify(after)}::jsonb, updated_by = ${actor.id},
            updated_at = now()
          WHERE id = ${locked.id}`
        yield* Audit.record({
          user_id: actor.id,
          action: `funding_settings.${target.key}`,
          subject_table: "funding_settings",
          subject_id: locked.id,
          details: { key: target.key },
          before: { key: target.key, value: before },
          after: { key: target.key, value: after }
        })
        return yield* all
      }))
    })

  return {
    /** Every setting now (admins). */
    get,
    /** An admin sets the AML hold policy; the next confirmation uses it. */
    setAmlPolicy: Effect.fn("FundingSettings.setAmlPolicy")(
      function*(actor: Parties.User, value: Settings.Settings["aml_policy"]) {
        return yield* change(actor, amlPolicy, value)
      }
    ),
    /** An admin sets the withdrawal limits; the next request is checked against them. */
    setWithdrawalLimits: Effect.fn("FundingSettings.setWithdrawalLimits")(
      function*(actor: Parties.User, value: Settings.Settings["withdrawal_limits"]) {
        return yield* change(actor, withdrawalLimits, value)
      }
    )
  }
})

/**
 * What a settings operation can fail with, besides database failures: a role that may
 * not configure funding.
 *
 * @category errors
 * @since 0.1.0
 */
export type SettingsError = Errors.NotPermitted

/**
 * The settings operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The funding settings service.
 *
 * @category services
 * @since 0.1.0
 */
export class FundingSettings extends Context.Service<FundingSettings, Service>()("@niha/server/FundingSettings") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<FundingSettings, never, SqlClient.SqlClient | Repository.Repositories> = Layer
  .effect(FundingSettings, make)
