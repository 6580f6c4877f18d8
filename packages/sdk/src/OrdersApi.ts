/**
 * Orders, as the group `orders` of the API: place, cancel, list and read orders in either
 * market (CEA_CASH trades CEA for EUR, SWAP trades EUA for CEA).
 *
 * An order is pre-funded: a buy locks its worst-case cost (limit price x quantity, or its
 * budget, plus the fee at its rate), a sell locks the allowances, in the transaction that
 * stores it. The answer to a placement carries the order's status after matching and its
 * fills, so a client knows at once what happened. A cancel returns what is still locked.
 *
 * Prices, quantities and amounts are decimal strings in the market's scale (CEA_CASH
 * prices in EUR with two decimals, SWAP prices in CEA per EUA with four; quantities in
 * whole tonnes), never floating-point numbers. Placement is idempotent by
 * `client_reference` (or the `Idempotency-Key` header when the body has none): the same
 * reference again answers the first order; with other fields it is a 409.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Text, Trading } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as Pagination from "./Pagination.ts"

const Decimal = Schema.String.check(Schema.isPattern(/^\d{1,14}(?:\.\d{1,8})?$/u)).annotate({
  description: "A non-negative decimal string, e.g. \"12.50\"."
})

/**
 * An order as a client places it.
 *
 * - LIMIT: `price` and `quantity` are required; `time_in_force` GTC (the default), IOC or
 *   FOK; `post_only` (GTC only) refuses an order that would trade on arrival.
 * - MARKET: trades at once at the best prices, IOC (the default) or FOK; `price` is an
 *   optional protection price never traded beyond; a BUY gives `quantity`, `budget` (the
 *   most to spend on notional, in the quote asset) or both; a SELL gives `quantity`.
 *
 * @category inputs
 * @since 0.1.0
 */
export const PlaceOrder = Schema.Struct({
  /** CEA_CASH or SWAP. */
  market: Enums.MarketType,
  /** BUY or SELL. */
  side: Enums.OrderSide,
  /** LIMIT or MARKET. */
  type: Trading.OrderType,
  /** Whole tonnes of the base asset. */
  quantity: Schema.optionalKey(Decimal),
  /** The limit price (LIMIT) or the protection price (MARKET), in the market's price scale. */
  price: Schema.optionalKey(Decimal),
  /** A MARKET BUY's most to spend on notional, in the quote asset. */
  budget: Schema.optionalKey(Decimal),
  /** GTC, IOC or FOK; GTC for a LIMIT order and IOC for a MARKET order unless given. */
  time_in_force: Schema.optionalKey(Trading.TimeInForce),
  /** Refused rather than trade on arrival (LIMIT GTC only). */
  post_only: Schema.optionalKey(Schema.Boolean),
  /** The caller's own reference, unique per entity: placing it again answers the first order. */
  client_reference: Schema.optionalKey(Text.Line(64))
}).annotate({ identifier: "PlaceOrder" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type PlaceOrder = typeof PlaceOrder.Type

/**
 * An order as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Order = Trading.Order.json.annotate({ identifier: "Order" })

/**
 * @category models
 * @since 0.1.0
 */
export type Order = typeof Order.Type

/**
 * One fill of an order, as its owner sees it: the counterparty is not shown.
 *
 * @category models
 * @since 0.1.0
 */
export const Fill = Schema.Struct({
  /** The trade. */
  trade_id: Ids.CashMarketTradeId,
  /** The order filled. */
  order_id: Ids.OrderId,
  /** The side of the order filled. */
  side: Enums.OrderSide,
  /** MAKER when the order was resting, TAKER when it arrived. */
  liquidity: Schema.Literals(["MAKER", "TAKER"]),
  /** The execution price, in the market's price scale. */
  price: Schema.String,
  /** Whole tonnes traded. */
  quantity: Schema.String,
  /** `quantity x price` in the quote asset. */
  notional: Schema.String,
  /** The fee this side paid, in the quote asset. */
  fee: Schema.String,
  /** The fee rate this side paid, as a decimal fraction ("0.002500" is 0.25%). */
  fee_rate: Schema.String,
  /** When the trade executed (ISO 8601). */
  executed_at: Schema.String
}).annotate({ identifier: "Fill" })

/**
 * @category models
 * @since 0.1.0
 */
export type Fill = typeof Fill.Type

/**
 * An order with its fills.
 *
 * @category models
 * @since 0.1.0
 */
export const OrderWithFills = Schema.Struct({
  /** The order, with its status after matching. */
  order: Order,
  /** Its fills, oldest first. */
  fills: Schema.Array(Fill)
}).annotate({ identifier: "OrderWithFills" })

/**
 * @category models
 * @since 0.1.0
 */
export type OrderWithFills = typeof OrderWithFills.Type

/**
 * An amendment of a resting order: a new price, a new open quantity, or both.
 *
 * @category inputs
 * @since 0.1.0
 */
export const Amendment = Schema.Struct({
  /** The new limit price (a BUY may only lower it). */
  price: Schema.optionalKey(Decimal),
  /** The new open quantity, what is left to trade (never more than now). */
  quantity: Schema.optionalKey(Decimal)
}).check(
  Schema.makeFilter((amendment: { readonly price?: string; readonly quantity?: string }) =>
    amendment.price === undefined && amendment.quantity === undefined ?
      { path: ["quantity"], issue: "give a new price, a new open quantity, or both" } :
      undefined
  )
).annotate({ identifier: "Amendment" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type Amendment = typeof Amendment.Type

/**
 * The group `orders`.
 *
 * @category groups
 * @since 0.1.0
 */
export class OrdersApi extends HttpApiGroup.make("orders")
  .add(
    HttpApiEndpoint.post("placeOrder", "/orders", {
      headers: IdempotencyKey.headers,
      payload: PlaceOrder,
      success: OrderWithFills.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Place an order; the answer carries its status after matching and its fills"),
    HttpApiEndpoint.get("listOrders", "/orders", {
      query: {
        ...Pagination.query(Ids.OrderId),
        /** Only this market's orders. */
        market: Schema.optionalKey(Enums.MarketType),
        /** Only orders in this status. */
        status: Schema.optionalKey(Enums.OrderStatus),
        /** For an admin: the orders of one entity. */
        entity_id: Schema.optionalKey(Ids.EntityId)
      },
      success: Pagination.Page(Order),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Orders, newest first: the caller's entity's, or any entity's for an admin"),
    HttpApiEndpoint.get("getOrder", "/orders/:id", {
      params: { id: Ids.OrderId },
      success: OrderWithFills,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One order with its fills"),
    HttpApiEndpoint.post("cancelOrder", "/orders/:id/cancel", {
      params: { id: Ids.OrderId },
      success: OrderWithFills,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Cancel an order; what it still locks is returned"),
    HttpApiEndpoint.post("amendOrder", "/orders/:id/amend", {
      params: { id: Ids.OrderId },
      payload: Amendment,
      success: OrderWithFills,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(
      OpenApi.Summary,
      "Amend a resting order: less open quantity keeps its time priority; a new price loses it"
    ),
    HttpApiEndpoint.post("cancelAll", "/orders/cancel-all", {
      payload: Schema.Struct({
        /** The market whose resting orders of the caller's entity are cancelled. */
        market: Enums.MarketType
      }),
      success: Schema.Struct({
        /** The orders cancelled, in their priority order. */
        cancelled: Schema.Array(Order)
      }),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Cancel every resting order of the caller's entity in a market")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Orders", description: "Order entry in both markets." }))
{}
