/**
 * @niha/sdk: the HTTP contract of NIHA Carbon and its clients, for Effect users and for
 * everyone else.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The one `HttpApi` definition the server implements and the clients derive from.
 *
 * @since 0.1.0
 */
export * as Api from "./Api.ts"

/**
 * The error body every error response carries, and one error class per status.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.ts"

/**
 * The API version header and the versions the server speaks.
 *
 * @since 0.1.0
 */
export * as ApiVersion from "./ApiVersion.ts"

/**
 * The request id header and its format.
 *
 * @since 0.1.0
 */
export * as RequestId from "./RequestId.ts"

/**
 * Cursor pagination: `limit`, `starting_after`, and pages with `has_more`.
 *
 * @since 0.1.0
 */
export * as Pagination from "./Pagination.ts"

/**
 * The values query strings share across groups: instants bounding a time range.
 *
 * @since 0.1.0
 */
export * as Query from "./Query.ts"

/**
 * The `system` group: health, readiness and version.
 *
 * @since 0.1.0
 */
export * as SystemApi from "./SystemApi.ts"

/**
 * The `markets` group: the markets as instruments.
 *
 * @since 0.1.0
 */
export * as MarketsApi from "./MarketsApi.ts"

/**
 * The `marketData` group: depth, best bid and ask, trades, ticker, candles and the live
 * stream, public.
 *
 * @since 0.1.0
 */
export * as MarketDataApi from "./MarketDataApi.ts"

/**
 * The live market data stream with its sequence numbers checked.
 *
 * @since 0.1.0
 */
export * as MarketStream from "./MarketStream.ts"

/**
 * How a request proves who sends it: bearer tokens and the session cookie, and the caller
 * as `CurrentPrincipal`.
 *
 * @since 0.1.0
 */
export * as Authentication from "./Authentication.ts"

/**
 * The `auth` group (signing in) and the `account` group (the signed-in user's account,
 * sessions and API keys).
 *
 * @since 0.1.0
 */
export * as AuthApi from "./AuthApi.ts"

/**
 * The `onboarding`, `kyc` and `admin` groups: from the public contact form to an approved
 * entity.
 *
 * @since 0.1.0
 */
export * as OnboardingApi from "./OnboardingApi.ts"

/**
 * The `funding` group: deposits with their AML holds, and holdings.
 *
 * @since 0.1.0
 */
export * as FundingApi from "./FundingApi.ts"

/**
 * The `fees` group: market fee configs, entity overrides, and the rates that apply.
 *
 * @since 0.1.0
 */
export * as FeesApi from "./FeesApi.ts"

/**
 * The `orders` group: pre-funded orders in both markets, with their fills.
 *
 * @since 0.1.0
 */
export * as OrdersApi from "./OrdersApi.ts"

/**
 * The `ledger` group: an admin's adjustment of a balance, with a reason.
 *
 * @since 0.1.0
 */
export * as LedgerApi from "./LedgerApi.ts"

/**
 * The `settlements` group: settlement batches, their lifecycle and the resolution of failures.
 *
 * @since 0.1.0
 */
export * as SettlementsApi from "./SettlementsApi.ts"

/**
 * The `swaps` group: CEA swapped into EUA through the SWAP book.
 *
 * @since 0.1.0
 */
export * as SwapsApi from "./SwapsApi.ts"

/**
 * The `inventory` group: sellers and certificate lots, allocated to settlement batches.
 *
 * @since 0.1.0
 */
export * as InventoryApi from "./InventoryApi.ts"

/**
 * The `audit` group: the hash-chained audit trail, for admins.
 *
 * @since 0.1.0
 */
export * as AuditApi from "./AuditApi.ts"

/**
 * The `marketMakers` group: the operator's market makers and the orders placed for them.
 *
 * @since 0.1.0
 */
export * as MarketMakersApi from "./MarketMakersApi.ts"

/**
 * The `autoTrade` group: an admin's auto-trade rules and a run of the due ones.
 *
 * @since 0.1.0
 */
export * as AutoTradeApi from "./AutoTradeApi.ts"

/**
 * The `Idempotency-Key` header of endpoints that create something.
 *
 * @since 0.1.0
 */
export * as IdempotencyKey from "./IdempotencyKey.ts"

/**
 * The client for Effect users, derived from the contract.
 *
 * @since 0.1.0
 */
export * as NihaClient from "./NihaClient.ts"

/**
 * The client for everyone else: `async` methods and typed error classes.
 *
 * @since 0.1.0
 */
export * as PromiseClient from "./PromiseClient.ts"

/**
 * The `configuration` group: mail configs with write-only secrets, price and exchange-rate sources.
 *
 * @since 0.1.0
 */
export * as ConfigurationApi from "./ConfigurationApi.ts"

/**
 * The `prices` group: certificate price history by interval, and the latest price.
 *
 * @since 0.1.0
 */
export * as PricesApi from "./PricesApi.ts"
