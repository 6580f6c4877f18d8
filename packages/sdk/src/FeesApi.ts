/**
 * Trading fees, as the group `fees` of the API: the market fee configs and the entity
 * overrides an admin keeps, and the rates that apply to an entity.
 *
 * - A market config (`trading_fee_configs`) holds a buyer rate and a seller rate; one is
 *   active per market.
 * - An entity override (`entity_fee_overrides`) replaces the buyer rate, the seller rate
 *   or both for one entity in one market (a null rate keeps the market's); one is active
 *   per entity and market.
 * - Resolution (`FeeSchedule.resolve` of `@niha/domain`): the active override, else the
 *   active market config, else zero. `GET /fees/resolved` answers it for a side of each.
 *
 * Rates are exact decimal strings of a fraction (`"0.0025"` is 0.25 %), at most six
 * decimals, from 0 to `"0.1"` (10 %); answers write six decimals (`"0.002500"`). A second
 * active config or override for the same key is a 409; a deactivated row is kept as
 * history and cannot be changed again. Every change is audited.
 *
 * @since 0.1.0
 */
import { Enums, FeeSchedule, Funds, Ids, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A fee rate as a decimal string of a fraction, 0 to `"0.1"`, at most six decimals
 * (`"0.0025"` is 0.25 %).
 *
 * @category inputs
 * @since 0.1.0
 */
export const Rate = FeeSchedule.FeeRateFromString.annotate({
  identifier: "FeeRate",
  description: "A fee rate as a decimal fraction, 0 to 0.1 at most six decimals, e.g. \"0.0025\" (0.25 %)."
})

/**
 * A market fee config as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const FeeConfig = Funds.TradingFeeConfig.json.annotate({ identifier: "FeeConfig" })

/**
 * @category models
 * @since 0.1.0
 */
export type FeeConfig = typeof FeeConfig.Type

/**
 * An entity fee override as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const FeeOverride = Funds.EntityFeeOverride.json.annotate({ identifier: "FeeOverride" })

/**
 * @category models
 * @since 0.1.0
 */
export type FeeOverride = typeof FeeOverride.Type

/**
 * A market fee config as an admin creates it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateFeeConfig = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The rate charged to buyers. */
  buyer_rate: Rate,
  /** The rate charged to sellers. */
  seller_rate: Rate
}).annotate({ identifier: "CreateFeeConfig" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateFeeConfig = typeof CreateFeeConfig.Type

/**
 * A change of an active market fee config: the rates given are replaced, at least one.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ChangeFeeConfig = Schema.Struct({
  /** The new rate charged to buyers. */
  buyer_rate: Schema.optionalKey(Rate),
  /** The new rate charged to sellers. */
  seller_rate: Schema.optionalKey(Rate)
}).annotate({ identifier: "ChangeFeeConfig" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type ChangeFeeConfig = typeof ChangeFeeConfig.Type

/**
 * An entity fee override as an admin creates it: at least one rate; a rate left out (or
 * null) keeps the market's.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateFeeOverride = Schema.Struct({
  /** The entity. */
  entity_id: Ids.EntityId,
  /** The market. */
  market: Enums.MarketType,
  /** The entity's rate as a buyer; null or absent keeps the market's. */
  buyer_rate: Schema.optionalKey(Schema.NullOr(Rate)),
  /** The entity's rate as a seller; null or absent keeps the market's. */
  seller_rate: Schema.optionalKey(Schema.NullOr(Rate)),
  /** Why the entity has its own rates. */
  reason: Schema.optionalKey(Text.Line(1000))
}).annotate({ identifier: "CreateFeeOverride" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateFeeOverride = typeof CreateFeeOverride.Type

/**
 * A change of an active entity fee override: the fields given are replaced (a null rate
 * gives that side back to the market's); at least one rate must remain.
 *
 * @category inputs
 * @since 0.1.0
 */
export const ChangeFeeOverride = Schema.Struct({
  /** The new buyer rate; null keeps the market's. */
  buyer_rate: Schema.optionalKey(Schema.NullOr(Rate)),
  /** The new seller rate; null keeps the market's. */
  seller_rate: Schema.optionalKey(Schema.NullOr(Rate)),
  /** The new reason; null removes it. */
  reason: Schema.optionalKey(Schema.NullOr(Text.Line(1000)))
}).annotate({ identifier: "ChangeFeeOverride" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type ChangeFeeOverride = typeof ChangeFeeOverride.Type

/**
 * One side's resolved rate and where it came from: `override` (the entity's active
 * override), `market` (the market's active config) or `none` (zero).
 *
 * @category models
 * @since 0.1.0
 */
export const ResolvedRate = Schema.Struct({
  /** The rate that applies, as a decimal fraction. */
  rate: Rate,
  /** Where it came from. */
  source: FeeSchedule.RateSource
}).annotate({ identifier: "ResolvedRate" })

/**
 * The rates that apply to an entity's trades in a market.
 *
 * @category models
 * @since 0.1.0
 */
export const ResolvedFees = Schema.Struct({
  /** The entity. */
  entity_id: Ids.EntityId,
  /** The market. */
  market: Enums.MarketType,
  /** The rate when it buys. */
  buyer: ResolvedRate,
  /** The rate when it sells. */
  seller: ResolvedRate
}).annotate({ identifier: "ResolvedFees" })

/**
 * @category models
 * @since 0.1.0
 */
export type ResolvedFees = typeof ResolvedFees.Type

/**
 * The group `fees`.
 *
 * @category groups
 * @since 0.1.0
 */
export class FeesApi extends HttpApiGroup.make("fees")
  .add(
    HttpApiEndpoint.get("listConfigs", "/admin/fee-configs", {
      query: {
        ...Pagination.query(Ids.TradingFeeConfigId),
        /** Only this market's. */
        market: Schema.optionalKey(Enums.MarketType)
      },
      success: Pagination.Page(FeeConfig),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Market fee configs, active and deactivated, oldest first"),
    HttpApiEndpoint.post("createConfig", "/admin/fee-configs", {
      headers: IdempotencyKey.headers,
      payload: CreateFeeConfig,
      success: FeeConfig.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Set a market's fee rates (409 while another config of it is active)"),
    HttpApiEndpoint.patch("changeConfig", "/admin/fee-configs/:id", {
      params: { id: Ids.TradingFeeConfigId },
      payload: ChangeFeeConfig,
      success: FeeConfig,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Change an active market fee config"),
    HttpApiEndpoint.post("deactivateConfig", "/admin/fee-configs/:id/deactivate", {
      params: { id: Ids.TradingFeeConfigId },
      success: FeeConfig,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Deactivate a market fee config; the market charges no fee until a new one"),
    HttpApiEndpoint.get("listOverrides", "/admin/fee-overrides", {
      query: {
        ...Pagination.query(Ids.EntityFeeOverrideId),
        /** Only this entity's. */
        entity_id: Schema.optionalKey(Ids.EntityId),
        /** Only this market's. */
        market: Schema.optionalKey(Enums.MarketType)
      },
      success: Pagination.Page(FeeOverride),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Entity fee overrides, active and deactivated, oldest first"),
    HttpApiEndpoint.post("createOverride", "/admin/fee-overrides", {
      headers: IdempotencyKey.headers,
      payload: CreateFeeOverride,
      success: FeeOverride.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Give an entity its own rates in a market (409 while another is active)"),
    HttpApiEndpoint.patch("changeOverride", "/admin/fee-overrides/:id", {
      params: { id: Ids.EntityFeeOverrideId },
      payload: ChangeFeeOverride,
      success: FeeOverride,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Change an active entity fee override"),
    HttpApiEndpoint.post("deactivateOverride", "/admin/fee-overrides/:id/deactivate", {
      params: { id: Ids.EntityFeeOverrideId },
      success: FeeOverride,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Deactivate an entity fee override; the market's rates apply again"),
    HttpApiEndpoint.get("resolved", "/fees/resolved", {
      query: {
        /** The entity: the caller's own, or any for an admin. */
        entity_id: Ids.EntityId,
        /** The market. */
        market: Enums.MarketType
      },
      success: ResolvedFees,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "The buyer and seller rates that apply to an entity in a market, and their source")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Fees", description: "Market fee configs and entity overrides." }))
{}
