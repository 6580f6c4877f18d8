/**
 * Trading fee administration: the market fee configs (`trading_fee_configs`) and the entity
 * overrides (`entity_fee_overrides`) admins keep, the rates that apply to an entity, and the
 * schedule in force for the order service.
 *
 * - Only admins (`configure_fees`) create, change and deactivate; each change is one
 *   transaction with its `ticket_logs` line (the row before and after) and `activity_logs`
 *   line. Deactivated rows are kept as history and cannot be changed again.
 * - One active config per market and one active override per entity and market: the
 *   partial unique indexes of migration 1 (`trading_fee_configs_active_market_key`,
 *   `entity_fee_overrides_active_key`) enforce it; a second one is the domain's `Conflict`
 *   (409), whether it is seen before the insert or raised by the index in a race.
 * - Rates are `Rate.Ppm` from 0 to `FeeSchedule.maxRate` (10 %), checked by the domain's
 *   `FeeSchedule.checkRate` (400 `validation_failed` above it).
 * - Resolution is the domain's `FeeSchedule.resolve`; {@link make}'s `schedule` loads the
 *   active rows as a `FeeSchedule` in one query per table.
 *
 * @since 0.1.0
 */
import { Constraints, type Repository, Transaction } from "@niha/db"
import { Enums, Errors, FeeSchedule, Funds, Ids, type Parties, Rate } from "@niha/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type * as Statement from "effect/sql/Statement"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize, visible } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"

/**
 * A market fee config as an admin creates it.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConfigInput {
  /** The market. */
  readonly market: Enums.MarketType
  /** The rate charged to buyers. */
  readonly buyer_rate: Rate.Ppm
  /** The rate charged to sellers. */
  readonly seller_rate: Rate.Ppm
}

/**
 * A change of a market fee config: the rates given are replaced (at least one).
 *
 * @category models
 * @since 0.1.0
 */
export interface ConfigChange {
  /** The new rate charged to buyers. */
  readonly buyer_rate?: Rate.Ppm | undefined
  /** The new rate charged to sellers. */
  readonly seller_rate?: Rate.Ppm | undefined
}

/**
 * An entity fee override as an admin creates it: at least one rate; a rate absent or null
 * keeps the market's.
 *
 * @category models
 * @since 0.1.0
 */
export interface OverrideInput {
  /** The entity. */
  readonly entity_id: Ids.EntityId
  /** The market. */
  readonly market: Enums.MarketType
  /** The entity's rate as a buyer; null or absent keeps the market's. */
  readonly buyer_rate?: Rate.Ppm | null | undefined
  /** The entity's rate as a seller; null or absent keeps the market's. */
  readonly seller_rate?: Rate.Ppm | null | undefined
  /** Why the entity has its own rates. */
  readonly reason?: string | undefined
}

/**
 * A change of an entity fee override: the fields given are replaced (absent keeps, null
 * clears); at least one rate must remain.
 *
 * @category models
 * @since 0.1.0
 */
export interface OverrideChange {
  /** The new buyer rate; null gives that side back to the market's. */
  readonly buyer_rate?: Rate.Ppm | null | undefined
  /** The new seller rate; null gives that side back to the market's. */
  readonly seller_rate?: Rate.Ppm | null | undefined
  /** The new reason; null removes it. */
  readonly reason?: string | null | undefined
}

/**
 * The rates that apply to an entity's trades in a market, and where each came from.
 *
 * @category models
 * @since 0.1.0
 */
export interface Resolved {
  /** The entity. */
  readonly entity_id: Ids.EntityId
  /** The market. */
  readonly market: Enums.MarketType
  /** Its rate when it buys. */
  readonly buyer: FeeSchedule.ResolvedRate
  /** Its rate when it sells. */
  readonly seller: FeeSchedule.ResolvedRate
}

/**
 * Which active rows {@link make}'s `schedule` loads: all, or those of one market and/or
 * one entity's overrides.
 *
 * @category models
 * @since 0.1.0
 */
export interface ScheduleScope {
  /** Only this market's config and overrides. */
  readonly market?: Enums.MarketType | undefined
  /** Only this entity's overrides (every market config still loads). */
  readonly entity_id?: Ids.EntityId | undefined
}

/**
 * The fee schedule of one market as two columns of a statement the caller runs anyway
 * (`fee_configs` and `fee_overrides`: JSON arrays of the active rows' rates), so a batch
 * of the order writer reads the schedule in force without a round trip of its own and
 * without a cache: every batch on every instance sees the rows as they are then, an
 * admin's change included. Uncorrelated, they are evaluated once per statement. Decode
 * them with {@link scheduleFrom}.
 *
 * @category schedule
 * @since 0.1.0
 */
export const scheduleColumns = (sql: SqlClient.SqlClient, market: Enums.MarketType): Statement.Fragment =>
  sql`
    (SELECT coalesce(json_agg(json_build_object('market', market, 'buyer_rate', buyer_rate::text,
      'seller_rate', seller_rate::text, 'is_active', is_active)), '[]'::json)
      FROM trading_fee_configs WHERE is_active AND market = ${market}) AS fee_configs,
    (SELECT coalesce(json_agg(json_build_object('entity_id', entity_id, 'market', market,
      'buyer_rate', buyer_rate::text, 'seller_rate', seller_rate::text, 'is_active', is_active)), '[]'::json)
      FROM entity_fee_overrides WHERE is_active AND market = ${market}) AS fee_overrides`

const ScheduleColumns = Schema.Struct({
  fee_configs: Schema.Array(Schema.Struct({
    market: Enums.MarketType,
    buyer_rate: Rate.PpmFromString,
    seller_rate: Rate.PpmFromString,
    is_active: Schema.Boolean
  })),
  fee_overrides: Schema.Array(Schema.Struct({
    entity_id: Ids.EntityId,
    market: Enums.MarketType,
    buyer_rate: Schema.NullOr(Rate.PpmFromString),
    seller_rate: Schema.NullOr(Rate.PpmFromString),
    is_active: Schema.Boolean
  }))
})
const decodeScheduleColumns = Schema.decodeUnknownEffect(ScheduleColumns)

/**
 * The `FeeSchedule` of a row holding {@link scheduleColumns}; a row that does not decode
 * is a defect (the database's checks keep every rate in range).
 *
 * @category schedule
 * @since 0.1.0
 */
export const scheduleFrom = (row: unknown): Effect.Effect<FeeSchedule.FeeSchedule> =>
  Effect.map(
    Effect.orDie(decodeScheduleColumns(row)),
    (columns) => FeeSchedule.make(columns.fee_configs, columns.fee_overrides)
  )

const configs = {
  lock: rows.byId("trading_fee_configs", Funds.TradingFeeConfig, { lock: true }),
  page: rows.page("trading_fee_configs", Funds.TradingFeeConfig),
  all: rows.all("trading_fee_configs", Funds.TradingFeeConfig),
  one: rows.one("trading_fee_configs", Funds.TradingFeeConfig)
}

const overrides = {
  lock: rows.byId("entity_fee_overrides", Funds.EntityFeeOverride, { lock: true }),
  page: rows.page("entity_fee_overrides", Funds.EntityFeeOverride),
  all: rows.all("entity_fee_overrides", Funds.EntityFeeOverride),
  one: rows.one("entity_fee_overrides", Funds.EntityFeeOverride)
}

const configJson = Schema.encodeSync(Funds.TradingFeeConfig.json)
const overrideJson = Schema.encodeSync(Funds.EntityFeeOverride.json)

// The API names the offending field of every 400; a missing choice between the rates is
// reported on the first of them.
const invalid = (path: string, message: string) =>
  Effect.fail(new Errors.ValidationFailed({ issues: [{ path, message }] }))

/** Every rate given, checked against the domain's maximum; all problems in one error. */
const checkRates = (rates: Readonly<Record<string, Rate.Ppm | null | undefined>>) => {
  const issues = Object.entries(rates).flatMap(([field, rate]) => {
    if (rate === null || rate === undefined) return []
    const checked = FeeSchedule.checkRate(field, rate)
    return Result.isFailure(checked) ? checked.failure.issues : []
  })
  return issues.length === 0 ? Effect.void : Effect.fail(new Errors.ValidationFailed({ issues }))
}

/** The `reason` column's own rule (trimmed, not empty), as a 400 rather than a check violation. */
const checkReason = (reason: string | null | undefined) =>
  reason === null || reason === undefined || (reason !== "" && reason.trim() === reason) ?
    Effect.void :
    invalid("reason", "must not be empty or start or end with spaces")

const rateText = (rate: Rate.Ppm | null) => rate === null ? null : Rate.format(rate)

/**
 * Runs an insert whose only expected refusal is the partial unique index of the active
 * rows (a concurrent create): that is the domain's `Conflict`; any other constraint
 * violation is a defect of this module.
 */
const activeUnique = <A, R>(effect: Effect.Effect<A, SqlError, R>, resource: string, reason: string) =>
  Constraints.refine(effect).pipe(
    Effect.catchTag("UniqueViolation", () => Effect.fail(new Errors.Conflict({ resource, reason }))),
    Effect.catchTags({
      ForeignKeyViolation: Effect.die,
      CheckViolation: Effect.die,
      NotNullViolation: Effect.die,
      RestrictViolation: Effect.die
    })
  )

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

  const recordConfig = (
    actor: Ids.UserId,
    action: string,
    before: Funds.TradingFeeConfig | null,
    after: Funds.TradingFeeConfig
  ) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "trading_fee_configs",
      subject_id: after.id,
      details: { market: after.market },
      ...(before === null ? {} : { before: configJson(before) }),
      after: configJson(after)
    })

  const recordOverride = (
    actor: Ids.UserId,
    action: string,
    before: Funds.EntityFeeOverride | null,
    after: Funds.EntityFeeOverride
  ) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "entity_fee_overrides",
      subject_id: after.id,
      details: { entity_id: after.entity_id, market: after.market },
      ...(before === null ? {} : { before: overrideJson(before) }),
      after: overrideJson(after)
    })

  const historical = (resource: string, id: string) =>
    Effect.fail(
      new Errors.Conflict({
        resource,
        reason: `${id} is deactivated and kept as history; create a new one instead`
      })
    )

  const entityExists = (entityId: Ids.EntityId) =>
    Effect.gen(function*() {
      const [entity] = yield* sql`SELECT 1 FROM entities WHERE id = ${entityId}`
      if (entity === undefined) return yield* new Errors.NotFound({ resource: "entities", id: entityId })
    })

  const schedule = (client: SqlClient.SqlClient = sql, scope: ScheduleScope = {}) =>
    Effect.gen(function*() {
      const market = scope.market === undefined ? client`` : client`AND market = ${scope.market}`
      const entity = scope.entity_id === undefined ? client`` : client`AND entity_id = ${scope.entity_id}`
      const active = yield* configs.all(client`SELECT * FROM trading_fee_configs WHERE is_active ${market}`)
      const own = yield* overrides.all(client`SELECT * FROM entity_fee_overrides WHERE is_active ${market} ${entity}`)
      return FeeSchedule.make(active, own)
    }).pipe(Effect.withSpan("Fees.schedule"))

  const listConfigs = Effect.fn("Fees.listConfigs")(function*(
    actor: Parties.User,
    query: PageQuery & { readonly market?: Enums.MarketType | undefined }
  ) {
    yield* authorize(actor, "configure_fees")
    const filter = query.market === undefined ? sql`` : sql`AND market = ${query.market}`
    return yield* configs.page(filter, query).pipe(Effect.provideContext(context))
  })

  const createConfig = Effect.fn("Fees.createConfig")(function*(admin: Parties.User, input: ConfigInput) {
    yield* authorize(admin, "configure_fees")
    yield* checkRates({ buyer_rate: input.buyer_rate, seller_rate: input.seller_rate })
    const taken = `${input.market} already has an active fee config; change it or deactivate it first`
    return yield* transaction(Effect.gen(function*() {
      const [active] = yield* sql`
        SELECT 1 FROM trading_fee_configs WHERE market = ${input.market} AND is_active`
      if (active !== undefined) {
        return yield* new Errors.Conflict({ resource: "trading_fee_configs", reason: taken })
      }
      const created = yield* activeUnique(
        configs.one(sql`
          INSERT INTO trading_fee_configs (market, buyer_rate, seller_rate, updated_by)
          VALUES (${input.market}, ${Rate.format(input.buyer_rate)}, ${Rate.format(input.seller_rate)}, ${admin.id})
          RETURNING *`),
        "trading_fee_configs",
        taken
      )
      yield* recordConfig(admin.id, "trading_fee_configs.create", null, created)
      return created
    }))
  })

  const changeConfig = Effect.fn("Fees.changeConfig")(function*(
    admin: Parties.User,
    id: Ids.TradingFeeConfigId,
    change: ConfigChange
  ) {
    yield* authorize(admin, "configure_fees")
    if (change.buyer_rate === undefined && change.seller_rate === undefined) {
      return yield* invalid("buyer_rate", "give buyer_rate, seller_rate or both")
    }
    yield* checkRates({ buyer_rate: change.buyer_rate, seller_rate: change.seller_rate })
    return yield* transaction(Effect.gen(function*() {
      const before = yield* configs.lock(id)
      if (!before.is_active) return yield* historical("trading_fee_configs", id)
      const after = yield* configs.one(sql`
        UPDATE trading_fee_configs
        SET buyer_rate = ${Rate.format(change.buyer_rate ?? before.buyer_rate)},
          seller_rate = ${Rate.format(change.seller_rate ?? before.seller_rate)},
          updated_by = ${admin.id}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordConfig(admin.id, "trading_fee_configs.change", before, after)
      return after
    }))
  })

  const deactivateConfig = Effect.fn("Fees.deactivateConfig")(function*(
    admin: Parties.User,
    id: Ids.TradingFeeConfigId
  ) {
    yield* authorize(admin, "configure_fees")
    return yield* transaction(Effect.gen(function*() {
      const before = yield* configs.lock(id)
      if (!before.is_active) return yield* historical("trading_fee_configs", id)
      const after = yield* configs.one(sql`
        UPDATE trading_fee_configs SET is_active = false, updated_by = ${admin.id}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordConfig(admin.id, "trading_fee_configs.deactivate", before, after)
      return after
    }))
  })

  const listOverrides = Effect.fn("Fees.listOverrides")(function*(
    actor: Parties.User,
    query: PageQuery & {
      readonly entity_id?: Ids.EntityId | undefined
      readonly market?: Enums.MarketType | undefined
    }
  ) {
    yield* authorize(actor, "configure_fees")
    const entity = query.entity_id === undefined ? sql`` : sql`AND entity_id = ${query.entity_id}`
    const market = query.market === undefined ? sql`` : sql`AND market = ${query.market}`
    return yield* overrides.page(sql`${entity} ${market}`, query).pipe(Effect.provideContext(context))
  })

  const createOverride = Effect.fn("Fees.createOverride")(function*(admin: Parties.User, input: OverrideInput) {
    yield* authorize(admin, "configure_fees")
    const buyer = input.buyer_rate ?? null
    const seller = input.seller_rate ?? null
    if (buyer === null && seller === null) {
      return yield* invalid("buyer_rate", "an override sets buyer_rate, seller_rate or both")
    }
    yield* checkRates({ buyer_rate: buyer, seller_rate: seller })
    yield* checkReason(input.reason)
    const taken =
      `entity ${input.entity_id} already has an active fee override in ${input.market}; change it or deactivate it first`
    return yield* transaction(Effect.gen(function*() {
      yield* entityExists(input.entity_id)
      const [active] = yield* sql`
        SELECT 1 FROM entity_fee_overrides
        WHERE entity_id = ${input.entity_id} AND market = ${input.market} AND is_active`
      if (active !== undefined) {
        return yield* new Errors.Conflict({ resource: "entity_fee_overrides", reason: taken })
      }
      const created = yield* activeUnique(
        overrides.one(sql`
          INSERT INTO entity_fee_overrides (entity_id, market, buyer_rate, seller_rate, reason, updated_by)
          VALUES (${input.entity_id}, ${input.market}, ${rateText(buyer)}, ${rateText(seller)},
            ${input.reason ?? null}, ${admin.id})
          RETURNING *`),
        "entity_fee_overrides",
        taken
      )
      yield* recordOverride(admin.id, "entity_fee_overrides.create", null, created)
      return created
    }))
  })

  const changeOverride = Effect.fn("Fees.changeOverride")(function*(
    admin: Parties.User,
    id: Ids.EntityFeeOverrideId,
    change: OverrideChange
  ) {
    yield* authorize(admin, "configure_fees")
    if (change.buyer_rate === undefined && change.seller_rate === undefined && change.reason === undefined) {
      return yield* invalid("buyer_rate", "give buyer_rate, seller_rate or reason")
    }
    yield* checkRates({ buyer_rate: change.buyer_rate, seller_rate: change.seller_rate })
    yield* checkReason(change.reason)
    return yield* transaction(Effect.gen(function*() {
      const before = yield* overrides.lock(id)
      if (!before.is_active) return yield* historical("entity_fee_overrides", id)
      const buyer = change.buyer_rate === undefined ? before.buyer_rate : change.buyer_rate
      const seller = change.seller_rate === undefined ? before.seller_rate : change.seller_rate
      if (buyer === null && seller === null) {
        return yield* invalid("buyer_rate", "an override keeps buyer_rate, seller_rate or both; deactivate it instead")
      }
      const reason = change.reason === undefined ? before.reason : change.reason
      const after = yield* overrides.one(sql`
        UPDATE entity_fee_overrides
        SET buyer_rate = ${rateText(buyer)}, seller_rate = ${rateText(seller)}, reason = ${reason},
          updated_by = ${admin.id}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordOverride(admin.id, "entity_fee_overrides.change", before, after)
      return after
    }))
  })

  const deactivateOverride = Effect.fn("Fees.deactivateOverride")(function*(
    admin: Parties.User,
    id: Ids.EntityFeeOverrideId
  ) {
    yield* authorize(admin, "configure_fees")
    return yield* transaction(Effect.gen(function*() {
      const before = yield* overrides.lock(id)
      if (!before.is_active) return yield* historical("entity_fee_overrides", id)
      const after = yield* overrides.one(sql`
        UPDATE entity_fee_overrides SET is_active = false, updated_by = ${admin.id}, updated_at = now()
        WHERE id = ${id} RETURNING *`)
      yield* recordOverride(admin.id, "entity_fee_overrides.deactivate", before, after)
      return after
    }))
  })

  const resolved = Effect.fn("Fees.resolved")(function*(
    actor: Parties.User,
    entityId: Ids.EntityId,
    market: Enums.MarketType
  ) {
    // Another entity's id answers like an unknown one, so ids do not leak.
    yield* visible(actor, entityId, "configure_fees", "entities", entityId)
    if (actor.entity_id !== entityId) yield* entityExists(entityId)
    const fees = yield* schedule(sql, { market, entity_id: entityId })
    const side = (side: Enums.OrderSide) => FeeSchedule.resolve(fees, { entity_id: entityId, market, side })
    const answer: Resolved = { entity_id: entityId, market, buyer: side("BUY"), seller: side("SELL") }
    return answer
  })

  return {
    /**
     * The active configs and overrides as a domain `FeeSchedule`, one query per table, on
     * `client` (the service's own unless given; inside a transaction of the same client it
     * reads in that transaction). `scope` narrows it to one market and/or one entity.
     */
    schedule,
    /** Market fee configs, active and deactivated, a page at a time (admins). */
    listConfigs,
    /** An admin sets a market's rates; `Conflict` while another config of it is active. */
    createConfig,
    /** An admin changes the rates of an active config. */
    changeConfig,
    /** An admin deactivates a config: the market then charges no fee until a new one. */
    deactivateConfig,
    /** Entity fee overrides, a page at a time, optionally of one entity or market (admins). */
    listOverrides,
    /** An admin gives an entity its own rates in a market; `Conflict` while another is active. */
    createOverride,
    /** An admin changes an active override. */
    changeOverride,
    /** An admin deactivates an override: the market's rates apply to the entity again. */
    deactivateOverride,
    /** The rates that apply to an entity in a market (its own users, or an admin). */
    resolved
  }
})

/**
 * What a fee operation can fail with, besides database failures: an unknown row or
 * entity (or another entity's), an action the actor's role may not take, a second active
 * row or a change of a deactivated one, a rate out of range.
 *
 * @category errors
 * @since 0.1.0
 */
export type FeeError = Errors.NotFound | Errors.NotPermitted | Errors.Conflict | Errors.ValidationFailed

/**
 * The fee operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The fees service.
 *
 * @category services
 * @since 0.1.0
 */
export class Fees extends Context.Service<Fees, Service>()("@niha/server/Fees") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Fees, never, SqlClient.SqlClient | Repository.Repositories> = Layer.effect(
  Fees,
  make
)
