/**
 * The group `marketMakers` of the API: the operator's market makers (`market_maker_clients`),
 * each with a ledger entity of its own, and the orders an MM user (or an admin) places,
 * lists and cancels for one of them through the same order path as clients.
 *
 * An admin creates a market maker for a staff user of role MM (one market maker per user)
 * and funds its entity with `POST /admin/entities/{id}/adjustments`. An MM user acts for
 * its own market maker only; any other id answers 404, as if it did not exist.
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
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as OrdersApi from "./OrdersApi.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A market maker as the API shows it: its row and the entity that holds its balances.
 *
 * @category models
 * @since 0.1.0
 */
export const MarketMaker = Schema.Struct({
  /** The `market_maker_clients` row. */
  market_maker: MarketMaking.MarketMakerClient.json,
  /** The entity whose holdings are the market maker's (fund it with an adjustment). */
  entity_id: Ids.EntityId
}).annotate({ identifier: "MarketMaker" })

/**
 * @category models
 * @since 0.1.0
 */
export type MarketMaker = typeof MarketMaker.Type

/**
 * A market maker as an admin creates one.
 *
 * @category inputs
 * @since 0.1.0
 */
export const CreateMarketMaker = Schema.Struct({
  /** The staff user of role MM who operates it; one market maker per user. */
  user_id: Ids.UserId,
  /** Display name (also its entity's name). */
  name: Text.Line(200),
  /** What the market maker does. */
  mm_type: Enums.MarketMakerType,
  /** The anonymous code counterparties see; generated when absent. */
  anonymous_code: Schema.optionalKey(Text.Line(40)),
  /** What the account is for. */
  description: Schema.optionalKey(Text.Line(1000))
}).annotate({ identifier: "CreateMarketMaker" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type CreateMarketMaker = typeof CreateMarketMaker.Type

/**
 * The group `marketMakers`.
 *
 * @category groups
 * @since 0.1.0
 */
export class MarketMakersApi extends HttpApiGroup.make("marketMakers")
  .add(
    HttpApiEndpoint.post("createMarketMaker", "/admin/market-makers", {
      headers: IdempotencyKey.headers,
      payload: CreateMarketMaker,
      success: MarketMaker.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Create a market maker, with its own entity, for a staff user of role MM"),
    HttpApiEndpoint.get("listMarketMakers", "/market-makers", {
      success: Schema.Array(MarketMaker),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Market makers: every one for an admin, its own for an MM user"),
    HttpApiEndpoint.post("setMarketMakerActive", "/admin/market-makers/:id/active", {
      params: { id: Ids.MarketMakerClientId },
      payload: Schema.Struct({
        /** Whether the market maker may trade. */
        is_active: Schema.Boolean
      }),
      success: MarketMaker,
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "Let a market maker trade, or stop it (its resting orders stay)"),
    HttpApiEndpoint.post("placeOrder", "/market-makers/:id/orders", {
      params: { id: Ids.MarketMakerClientId },
      headers: IdempotencyKey.headers,
      payload: OrdersApi.PlaceOrder,
      success: OrdersApi.OrderWithFills.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Place an order for a market maker; the same path as a client's order"),
    HttpApiEndpoint.get("listOrders", "/market-makers/:id/orders", {
      params: { id: Ids.MarketMakerClientId },
      query: {
        ...Pagination.query(Ids.OrderId),
        /** Only this market's orders. */
        market: Schema.optionalKey(Enums.MarketType)
      },
      success: Pagination.Page(OrdersApi.Order),
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "A market maker's orders, paged"),
    HttpApiEndpoint.post("cancelOrder", "/market-makers/:id/orders/:order_id/cancel", {
      params: { id: Ids.MarketMakerClientId, order_id: Ids.OrderId },
      success: OrdersApi.OrderWithFills,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Cancel a market maker's order; what it still locks is returned")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({
    title: "Market makers",
    description: "The operator's market makers and the orders placed for them."
  }))
{}
