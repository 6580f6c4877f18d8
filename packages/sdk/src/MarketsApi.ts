/**
 * The `markets` group of the API: the markets of the platform as instruments, read from
 * `@niha/domain`'s market table (CEA_CASH trades CEA for EUR, SWAP trades EUA for CEA),
 * so a client learns which asset a quantity counts and how a price is scaled before it
 * places an order. Public, paged like every list.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as Pagination from "./Pagination.ts"

/**
 * One market as an instrument.
 *
 * @category models
 * @since 0.1.0
 */
export const Market = Schema.Struct({
  /** The market's name, also its id and cursor. */
  market: Enums.MarketType,
  /** The asset a quantity counts, in whole tonnes. */
  base: Enums.AssetType.annotate({ description: "The asset a quantity counts, in whole tonnes." }),
  /** The asset prices, notionals and fees are paid in. */
  quote: Enums.AssetType.annotate({ description: "The asset prices, notionals and fees are paid in." }),
  /** Decimals of a price on the wire. */
  price_scale: Schema.Int.annotate({ description: "Decimals of a price on the wire." }),
  /** Decimals of the quote asset, the unit fees round to. */
  quote_scale: Schema.Int.annotate({ description: "Decimals of the quote asset, the unit fees round to." }),
  /** The settlement a buy in this market creates. */
  settlement_type: Enums.SettlementType.annotate({ description: "The settlement a buy in this market creates." })
}).annotate({ identifier: "Market" })

/**
 * @category models
 * @since 0.1.0
 */
export type Market = typeof Market.Type

/**
 * The group: `list` (`GET /markets`), a page of markets in name order, the market name
 * being the cursor.
 *
 * @category groups
 * @since 0.1.0
 */
export class MarketsApi extends HttpApiGroup.make("markets")
  .add(
    HttpApiEndpoint.get("list", "/markets", {
      query: Pagination.query(Enums.MarketType),
      success: Pagination.Page(Market)
    }).annotate(OpenApi.Summary, "List the markets")
  )
  .annotateMerge(OpenApi.annotations({ title: "Markets", description: "The markets and their instruments." }))
{}
