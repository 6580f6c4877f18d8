/**
 * The group `autoTrade` of the API: an admin's auto-trade rules for market makers, and a
 * run of the due rules on demand (the server also runs them on a recurring job). Prices,
 * spreads, offsets and shares are decimal strings: a price in the market's scale, a
 * spread or share a fraction (`"0.01"` is 1 %), an offset a signed fraction.
 *
 * @since 0.1.0
 */
import { Enums, Ids, MarketMaking, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as OrdersApi from "./OrdersApi.ts"
import * as Pagination from "./Pagination.ts"

const Fraction = Schema.String.check(Schema.isPattern(/^(?:0(?:\.\d{1,6})?|1(?:\.0{1,6})?)$/u)).annotate({
  description: "A fraction from 0 to 1 with at most six decimals, e.g. \"0.01\" (1 %)."
})
const SignedFraction = Schema.String.check(Schema.isPattern(/^-?(?:0(?:\.\d{1,6})?|1(?:\.0{1,6})?)$/u)).annotate({
  description: "A signed fraction from -1 to 1 with at most six decimals, e.g. \"-0.02\"."
})
const PriceText = Schema.String.check(Schema.isPattern(/^\d{1,14}(?:\.\d{1,4})?$/u)).annotate({
  description: "A price in the market's scale, e.g. \"12.50\"."
})
const Tonnes = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(10_000_000))

/**
 * An auto-trade rule.
 *
 * @category models
 * @since 0.1.0
 */
export const Rule = MarketMaking.AutoTradeRule.json.annotate({ identifier: "AutoTradeRule" })

/**
 * @category models
 * @since 0.1.0
 */
export type Rule = typeof Rule.Type

/** The terms of a rule, shared by its creation and its replacement. */
const ruleFields = {
  /** Display name; runs take rules in name order. */
  name: Text.Line(200),
  /** The market. */
  market: Enums.MarketType,
  /** BUY or SELL. */
  side: Enums.OrderSide,
  /** Whether it runs; false unless given. */
  is_enabled: Schema.optionalKey(Schema.Boolean),
  /** How it prices. */
  price_mode: Enums.AutoTradePriceMode,
  /** fixed: the price. */
  fixed_price: Schema.optionalKey(PriceText),
  /** spread_from_best: the spread from the best price on its side. */
  spread: Schema.optionalKey(Fraction),
  /** random_spread: the smallest spread. */
  min_spread: Schema.optionalKey(Fraction),
  /** random_spread: the largest spread. */
  max_spread: Schema.optionalKey(Fraction),
  /** percentage_from_market: the signed offset from the market price. */
  market_offset: Schema.optionalKey(SignedFraction),
  /** How it sizes. */
  quantity_mode: Enums.AutoTradeQuantityMode,
  /** fixed: whole tonnes. */
  fixed_quantity: Schema.optionalKey(Tonnes),
  /** percentage_of_balance: the share of what the balance pays for. */
  balance_share: Schema.optionalKey(Fraction),
  /** random_range: the smallest quantity. */
  min_quantity: Schema.optionalKey(Tonnes),
  /** random_range: the largest quantity. */
  max_quantity: Schema.optionalKey(Tonnes),
  /** Seconds from one run of the rule to the next. */
  interval_seconds: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(86_400))
}

/**
 * A rule as an admin creates one: the parameters of its price and quantity modes are
 * required, the others ignored.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateRule = Schema.Struct({
  /** The market maker it quotes for. */
  market_maker_id: Ids.MarketMakerClientId,
  ...ruleFields
}).annotate({ identifier: "CreateAutoTradeRule" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateRule = typeof CreateRule.Type

/**
 * A rule's new terms, as an admin replaces them: every field of {@link CreateRule} but
 * its market maker, which a rule keeps for its life. The parameters of its modes are
 * required, the others cleared.
 *
 * @category inputs
 * @since 0.1.0
 */
export const UpdateRule = Schema.Struct(ruleFields).annotate({ identifier: "UpdateAutoTradeRule" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type UpdateRule = typeof UpdateRule.Type

/**
 * What a rule did in a run: the order it placed, or why it placed none (`no_reference`,
 * `missing_parameter`, `no_balance`, `out_of_bounds`, or `refused: <error>`).
 *
 * @category models
 * @since 0.1.0
 */
export const RunOutcome = Schema.Struct({
  /** The rule. */
  rule_id: Ids.AutoTradeRuleId,
  /** The order placed, with its status after matching; null when none. */
  order: Schema.NullOr(OrdersApi.Order),
  /** Why no order was placed; null when one was. */
  skipped: Schema.NullOr(Schema.String)
}).annotate({ identifier: "AutoTradeRunOutcome" })

/**
 * @category models
 * @since 0.1.0
 */
export type RunOutcome = typeof RunOutcome.Type

/**
 * A market's liquidity settings as an admin sets them (`auto_trade_market_settings`, the
 * one source of truth; the legacy global row is not read).
 *
 * @category inputs
 * @since 0.1.0
 */
export const MarketSettingsInput = Schema.Struct({
  /** Whether the runs top the market up. */
  is_enabled: Schema.Boolean,
  /** Depth to keep on the bid side within the band, tonnes. */
  target_bid_quantity: Tonnes,
  /** Depth to keep on the ask side within the band, tonnes. */
  target_ask_quantity: Tonnes,
  /** The band: the largest distance from the reference price, a fraction. */
  max_price_deviation: Fraction,
  /** Seconds between top-ups (kept for the legacy column); 60 unless given. */
  interval_seconds: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
}).annotate({ identifier: "AutoTradeMarketSettingsInput" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type MarketSettingsInput = typeof MarketSettingsInput.Type

/**
 * A market's liquidity settings.
 *
 * @category models
 * @since 0.1.0
 */
export const MarketSettings = MarketMaking.AutoTradeMarketSetting.json.annotate({
  identifier: "AutoTradeMarketSettings"
})

/**
 * A recorded liquidity operation.
 *
 * @category models
 * @since 0.1.0
 */
export const LiquidityOperation = MarketMaking.LiquidityOperation.json.annotate({ identifier: "LiquidityOperation" })

/**
 * @category models
 * @since 0.1.0
 */
export type LiquidityOperation = typeof LiquidityOperation.Type

/**
 * The group `autoTrade`.
 *
 * @category groups
 * @since 0.1.0
 */
export class AutoTradeApi extends HttpApiGroup.make("autoTrade")
  .add(
    HttpApiEndpoint.post("createRule", "/admin/auto-trade/rules", {
      payload: CreateRule,
      success: Rule.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Create an auto-trade rule for a market maker"),
    HttpApiEndpoint.get("listRules", "/admin/auto-trade/rules", {
      success: Schema.Array(Rule),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Every auto-trade rule, in name order"),
    HttpApiEndpoint.get("getRule", "/admin/auto-trade/rules/:id", {
      params: { id: Ids.AutoTradeRuleId },
      success: Rule,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "One auto-trade rule"),
    HttpApiEndpoint.put("updateRule", "/admin/auto-trade/rules/:id", {
      params: { id: Ids.AutoTradeRuleId },
      payload: UpdateRule,
      success: Rule,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Replace an auto-trade rule's terms; its schedule restarts from now"),
    HttpApiEndpoint.post("setRuleEnabled", "/admin/auto-trade/rules/:id/enabled", {
      params: { id: Ids.AutoTradeRuleId },
      payload: Schema.Struct({
        /** Whether the rule runs. */
        is_enabled: Schema.Boolean
      }),
      success: Rule,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Enable or disable an auto-trade rule"),
    HttpApiEndpoint.delete("deleteRule", "/admin/auto-trade/rules/:id", {
      params: { id: Ids.AutoTradeRuleId },
      success: HttpApiSchema.NoContent,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Delete an auto-trade rule; the orders it placed stay"),
    HttpApiEndpoint.post("run", "/admin/auto-trade/run", {
      success: Schema.Array(RunOutcome),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Run the due auto-trade rules now; what each did"),
    HttpApiEndpoint.put("setMarketSettings", "/admin/auto-trade/markets/:market", {
      params: { market: Enums.MarketType },
      payload: MarketSettingsInput,
      success: MarketSettings,
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Set a market's liquidity targets and band"),
    HttpApiEndpoint.get("listMarketSettings", "/admin/auto-trade/markets", {
      success: Schema.Array(MarketSettings),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Every market's liquidity settings, by market"),
    HttpApiEndpoint.get("listLiquidityOperations", "/admin/auto-trade/liquidity-operations", {
      query: {
        ...Pagination.query(Ids.LiquidityOperationId),
        /** Only this market's operations. */
        market: Schema.optionalKey(Enums.MarketType)
      },
      success: Pagination.Page(LiquidityOperation),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "The recorded liquidity operations, oldest first"),
    HttpApiEndpoint.post("provideLiquidity", "/admin/auto-trade/markets/:market/liquidity", {
      params: { market: Enums.MarketType },
      payload: Schema.Struct({
        /** Why liquidity is added. */
        reason: Schema.optionalKey(Text.Line(500))
      }),
      success: LiquidityOperation.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Top a market's sides up to their targets now; the operation recorded")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Auto-trade", description: "Market makers' automatic quotes." }))
{}
