/**
 * The HTTP API of NIHA Carbon as one `HttpApi` value: every group, endpoint, input
 * schema and error. The server implements it (`@niha/server`), the clients of this
 * package derive from it, and the OpenAPI document is generated from it, so none of
 * them can drift from the others.
 *
 * Every endpoint also declares the errors any request can meet ({@link CommonErrors}):
 * a malformed request (400, naming the field), a method the path does not answer (405),
 * a body over the size limit (413) or of a type the endpoint does not read (415) and a
 * server failure (500), each with the error body of `ApiError`.
 *
 * @since 0.1.0
 */
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as OpenApi from "effect/http-api/OpenApi"
import * as ApiError from "./ApiError.ts"
import * as ApiVersion from "./ApiVersion.ts"
import { AuditApi } from "./AuditApi.ts"
import { AccountApi, AuthApi } from "./AuthApi.ts"
import { AutoTradeApi } from "./AutoTradeApi.ts"
import { ConfigurationApi } from "./ConfigurationApi.ts"
import { FeesApi } from "./FeesApi.ts"
import { FundingApi } from "./FundingApi.ts"
import { InventoryApi } from "./InventoryApi.ts"
import { LedgerApi } from "./LedgerApi.ts"
import { MarketDataApi } from "./MarketDataApi.ts"
import { MarketMakersApi } from "./MarketMakersApi.ts"
import { MarketsApi } from "./MarketsApi.ts"
import { AdminApi, KycApi, OnboardingApi } from "./OnboardingApi.ts"
import { OrdersApi } from "./OrdersApi.ts"
import { PricesApi } from "./PricesApi.ts"
import { SettlementsApi } from "./SettlementsApi.ts"
import { SwapsApi } from "./SwapsApi.ts"
import { SystemApi } from "./SystemApi.ts"

/**
 * The errors every endpoint may answer, whatever it does. The server provides the
 * middleware (it turns a request that fails its schema into a {@link ApiError.BadRequest}
 * naming the field); clients need no part of it.
 *
 * @category middleware
 * @since 0.1.0
 */
export class CommonErrors extends HttpApiMiddleware.Service<CommonErrors>()("@niha/sdk/Api/CommonErrors", {
  error: [
    ApiError.BadRequest,
    ApiError.MethodNotAllowed,
    ApiError.PayloadTooLarge,
    ApiError.UnsupportedMediaType,
    ApiError.InternalError
  ]
}) {}

/**
 * The API.
 *
 * @category api
 * @since 0.1.0
 */
export class Api extends HttpApi.make("niha")
  .add(SystemApi)
  .add(MarketsApi)
  .add(MarketDataApi)
  .add(AuthApi)
  .add(AccountApi)
  .add(OnboardingApi)
  .add(KycApi)
  .add(AdminApi)
  .add(FundingApi)
  .add(FeesApi)
  .add(OrdersApi)
  .add(LedgerApi)
  .add(SettlementsApi)
  .add(SwapsApi)
  .add(InventoryApi)
  .add(AuditApi)
  .add(ConfigurationApi)
  .add(PricesApi)
  .add(MarketMakersApi)
  .add(AutoTradeApi)
  .middleware(CommonErrors)
  .annotateMerge(OpenApi.annotations({
    title: "NIHA Carbon API",
    version: ApiVersion.current,
    description: "Carbon-allowance trading. This version serves onboarding (the public contact form, sign-in by " +
      "password, magic link or API key, the NDA and KYC file, and the back office that reviews them) and funding " +
      "(deposits with their AML holds, withdrawals, holdings) and public market data (depth, best bid and ask, " +
      "recent trades with anonymous counterparty codes, a 24-hour ticker, candles, and a live Server-Sent " +
      "Events stream of the book and its trades at GET /markets/{market}/stream), orders in both markets and " +
      "their settlement (batches moved through their milestones, delivery, failed deliveries reversed or bought " +
      "in), swap requests of CEA into EUA, and the inventory of sellers and certificate lots; market making and " +
      "price feeds come in later versions. " +
      `Send the API version in the ${ApiVersion.header} header; every response carries its request id in ` +
      "X-Request-Id, and every error body carries code, message, field (where there is one) and request_id.",
    license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    servers: [{ url: "/", description: "The server that serves this document" }]
  }))
{}

/**
 * The groups of the API as a union, with the middleware the API applies to them; pick
 * one with `HttpApiGroup.WithIdentifier<Groups, "system">`.
 *
 * @category api
 * @since 0.1.0
 */
export type Groups = typeof Api extends HttpApi.HttpApi<infer _Id, infer G> ? G : never
