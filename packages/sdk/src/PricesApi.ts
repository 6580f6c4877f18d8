/**
 * Prices from outside markets, as the group `prices` of the API (any signed-in caller):
 * the price history of a certificate by interval for charts (open, high, low, close per
 * bucket), in the currency observed or converted to EUR through the latest exchange rates,
 * and the latest price. The prices come from the sources admins configure (`configuration`
 * group), fetched on schedule.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import { Instant } from "./Query.ts"

/**
 * The chart intervals.
 *
 * @category inputs
 * @since 0.1.0
 */
export const Interval = Schema.Literals(["1m", "5m", "15m", "1h", "4h", "1d", "1w"]).annotate({
  identifier: "PriceInterval"
})

/**
 * @category inputs
 * @since 0.1.0
 */
export type Interval = typeof Interval.Type

const Decimal = Schema.String.annotate({ description: "A decimal with 4 places, e.g. \"72.3500\"." })

/**
 * One bucket of a chart.
 *
 * @category models
 * @since 0.1.0
 */
export const PriceBucket = Schema.Struct({
  /** The start of the bucket. */
  start: Schema.DateTimeUtcFromString,
  /** The first price in it. */
  open: Decimal,
  /** The highest. */
  high: Decimal,
  /** The lowest. */
  low: Decimal,
  /** The last. */
  close: Decimal,
  /** How many prices it holds. */
  count: Schema.Int
}).annotate({ identifier: "PriceBucket" })

/**
 * @category models
 * @since 0.1.0
 */
export type PriceBucket = typeof PriceBucket.Type

/**
 * A chart: the buckets that hold prices, oldest first.
 *
 * @category models
 * @since 0.1.0
 */
export const PriceHistory = Schema.Struct({
  /** The certificate. */
  certificate_type: Enums.CertificateType,
  /** The currency of the prices. */
  currency: Enums.Currency,
  /** The bucket width. */
  interval: Interval,
  /** The buckets. */
  buckets: Schema.Array(PriceBucket)
}).annotate({ identifier: "PriceHistory" })

/**
 * @category models
 * @since 0.1.0
 */
export type PriceHistory = typeof PriceHistory.Type

/**
 * The latest price of a certificate.
 *
 * @category models
 * @since 0.1.0
 */
export const LatestPrice = Schema.Struct({
  /** The certificate. */
  certificate_type: Enums.CertificateType,
  /** The currency. */
  currency: Enums.Currency,
  /** The price per tonne. */
  price: Decimal,
  /** When it was observed. */
  recorded_at: Schema.DateTimeUtcFromString
}).annotate({ identifier: "LatestPrice" })

/**
 * @category models
 * @since 0.1.0
 */
export type LatestPrice = typeof LatestPrice.Type

/**
 * The group `prices`.
 *
 * @category groups
 * @since 0.1.0
 */
export class PricesApi extends HttpApiGroup.make("prices")
  .add(
    HttpApiEndpoint.get("history", "/prices/history", {
      query: {
        /** The certificate. */
        certificate_type: Enums.CertificateType,
        /** The bucket width. */
        interval: Interval,
        /** EUR (default) converts every price; another currency keeps only the prices observed in it. */
        currency: Schema.optionalKey(Enums.Currency),
        /** From this instant (inclusive). */
        from: Instant,
        /** To this instant (exclusive); now when absent. */
        to: Schema.optionalKey(Instant)
      },
      success: PriceHistory,
      error: ApiError.BadRequest
    }).annotate(OpenApi.Summary, "A certificate's price history by interval (at most 1000 buckets)"),
    HttpApiEndpoint.get("latest", "/prices/latest", {
      query: {
        /** The certificate. */
        certificate_type: Enums.CertificateType,
        /** EUR (default) converts; another currency keeps only the prices observed in it. */
        currency: Schema.optionalKey(Enums.Currency)
      },
      success: LatestPrice,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "A certificate's latest price")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({
    title: "Prices",
    description: "Certificate prices from outside markets, by interval for charts, in EUR or as observed."
  }))
{}
