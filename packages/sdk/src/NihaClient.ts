/**
 * The client of the API for Effect users: a service holding the client that
 * `HttpApiClient` derives from the contract, so every endpoint is a method with the
 * request and response types of its schemas (`client.system.health()`,
 * `client.markets.list({ query: { limit: 10 } })`), failing with the endpoint's
 * declared `ApiError` classes, an `HttpClientError` (no answer, or a status the
 * endpoint does not declare) or a `SchemaError` (a request that does not match its
 * schema is refused before it is sent).
 *
 * Every request carries the API version this SDK speaks (`Niha-Version`) and, when one
 * is given, the API key or session token as `Authorization: Bearer`. {@link layer} sends
 * requests with `fetch`, so it runs in Node and in browsers alike.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as HttpApiClient from "effect/http-api/HttpApiClient"
import type * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Groups } from "./Api.ts"
import * as internal from "./internal/client.ts"

/**
 * The client: one property per group (`system`, `markets`, `marketData`, `auth`, `account`,
 * `onboarding`, `kyc`, `admin`, `funding`, `fees`, `orders`, `ledger`, `audit`,
 * `configuration`, `prices`), one method per endpoint,
 * each taking the endpoint's request (`params`, `query`, `payload` as it declares them)
 * and returning an Effect of its decoded success.
 *
 * @category models
 * @since 0.1.0
 */
export interface Client {
  /** The `system` group. */
  readonly system: {
    /** `GET /health`: liveness. */
    readonly health: Method<"system", "health">
    /** `GET /ready`: readiness; fails with `ApiError.ServiceUnavailable` when not ready. */
    readonly ready: Method<"system", "ready">
    /** `GET /version`: the server and API versions. */
    readonly version: Method<"system", "version">
  }
  /** The `markets` group. */
  readonly markets: {
    /** `GET /markets`: a page of markets. */
    readonly list: Method<"markets", "list">
  }
  /** The `marketData` group: public. */
  readonly marketData: {
    /** `GET /markets/{market}/book`: the L2 depth with its sequence. */
    readonly book: Method<"marketData", "book">
    /** `GET /markets/{market}/top`: the best bid and ask with their sequence. */
    readonly top: Method<"marketData", "top">
    /** `GET /markets/{market}/trades`: the recent trades, newest first. */
    readonly trades: Method<"marketData", "trades">
    /** `GET /markets/{market}/ticker`: the 24-hour ticker. */
    readonly ticker: Method<"marketData", "ticker">
    /** `GET /markets/{market}/candles`: OHLC candles. */
    readonly candles: Method<"marketData", "candles">
    /**
     * `GET /markets/{market}/stream`: the raw Server-Sent Events, unchecked;
     * `MarketStream.follow` checks their sequences.
     */
    readonly stream: Method<"marketData", "stream">
  }
  /** The `auth` group. */
  readonly auth: {
    /** `POST /auth/login`: sign in with email and password. */
    readonly login: Method<"auth", "login">
    /** `POST /auth/magic-links`: email a sign-in link. */
    readonly requestMagicLink: Method<"auth", "requestMagicLink">
    /** `POST /auth/magic-links/redeem`: sign in with a link's token. */
    readonly redeemMagicLink: Method<"auth", "redeemMagicLink">
  }
  /** The `account` group. */
  readonly account: {
    /** `GET /account`: the signed-in user, its entity and capabilities. */
    readonly me: Method<"account", "me">
    /** `POST /account/logout`: end this session. */
    readonly logout: Method<"account", "logout">
    /** `POST /account/logout-everywhere`: end every session. */
    readonly logoutEverywhere: Method<"account", "logoutEverywhere">
    /** `GET /account/sessions`: the open sessions. */
    readonly listSessions: Method<"account", "listSessions">
    /** `DELETE /account/sessions/{id}`: end one session. */
    readonly revokeSession: Method<"account", "revokeSession">
    /** `POST /account/password`: set a new password. */
    readonly changePassword: Method<"account", "changePassword">
    /** `POST /account/api-keys`: create an API key. */
    readonly createApiKey: Method<"account", "createApiKey">
    /** `GET /account/api-keys`: the API keys. */
    readonly listApiKeys: Method<"account", "listApiKeys">
    /** `DELETE /account/api-keys/{id}`: revoke an API key. */
    readonly revokeApiKey: Method<"account", "revokeApiKey">
  }
  /** The `onboarding` group. */
  readonly onboarding: {
    /** `POST /contact-requests`: ask to join. */
    readonly submitContactRequest: Method<"onboarding", "submitContactRequest">
  }
  /** The `kyc` group. */
  readonly kyc: {
    /** `POST /kyc/nda`: upload the signed NDA. */
    readonly signNda: Method<"kyc", "signNda">
    /** `GET /kyc`: the caller's KYC file. */
    readonly file: Method<"kyc", "file">
    /** `POST /kyc/documents`: upload a KYC document. */
    readonly uploadDocument: Method<"kyc", "uploadDocument">
    /** `GET /kyc/documents`: the entity's documents. */
    readonly listDocuments: Method<"kyc", "listDocuments">
    /** `GET /kyc/documents/{id}`: one document's record. */
    readonly getDocument: Method<"kyc", "getDocument">
    /** `GET /kyc/documents/{id}/content`: one document's file. */
    readonly downloadDocument: Method<"kyc", "downloadDocument">
    /** `POST /kyc/submit`: submit the file for review. */
    readonly submit: Method<"kyc", "submit">
  }
  /** The `admin` group. */
  readonly admin: {
    /** `GET /admin/contact-requests`. */
    readonly listContactRequests: Method<"admin", "listContactRequests">
    /** `GET /admin/contact-requests/{id}`. */
    readonly getContactRequest: Method<"admin", "getContactRequest">
    /** `POST /admin/contact-requests/{id}/assign`. */
    readonly assignContactRequest: Method<"admin", "assignContactRequest">
    /** `POST /admin/contact-requests/{id}/convert`. */
    readonly convertContactRequest: Method<"admin", "convertContactRequest">
    /** `POST /admin/contact-requests/{id}/reject`. */
    readonly rejectContactRequest: Method<"admin", "rejectContactRequest">
    /** `GET /admin/entities`. */
    readonly listEntities: Method<"admin", "listEntities">
    /** `GET /admin/entities/{id}/kyc`. */
    readonly getKycFile: Method<"admin", "getKycFile">
    /** `POST /admin/kyc/documents/{id}/approve`. */
    readonly approveDocument: Method<"admin", "approveDocument">
    /** `POST /admin/kyc/documents/{id}/reject`. */
    readonly rejectDocument: Method<"admin", "rejectDocument">
    /** `POST /admin/entities/{id}/kyc/approve`. */
    readonly approveEntity: Method<"admin", "approveEntity">
    /** `POST /admin/entities/{id}/kyc/reject`. */
    readonly rejectEntity: Method<"admin", "rejectEntity">
    /** `POST /admin/users`: create a staff user. */
    readonly createStaff: Method<"admin", "createStaff">
  }
  /** The `funding` group. */
  readonly funding: {
    /** `POST /deposits`: announce a wire. */
    readonly announceDeposit: Method<"funding", "announceDeposit">
    /** `GET /deposits`: deposits, paged. */
    readonly listDeposits: Method<"funding", "listDeposits">
    /** `GET /deposits/{id}`: one deposit. */
    readonly getDeposit: Method<"funding", "getDeposit">
    /** `POST /admin/deposits/{id}/confirm`: confirm what the bank received; AML hold. */
    readonly confirmDeposit: Method<"funding", "confirmDeposit">
    /** `POST /admin/deposits/{id}/clear`: clear a hold early. */
    readonly clearDeposit: Method<"funding", "clearDeposit">
    /** `POST /admin/deposits/{id}/reject`: reject a deposit. */
    readonly rejectDeposit: Method<"funding", "rejectDeposit">
    /** `POST /admin/deposits/{id}/review`: put a held deposit on manual review. */
    readonly reviewDeposit: Method<"funding", "reviewDeposit">
    /** `POST /admin/deposits/{id}/end-review`: end a manual review; released when due. */
    readonly endDepositReview: Method<"funding", "endDepositReview">
    /** `GET /admin/funding-settings`: the AML hold policy and the withdrawal limits. */
    readonly getSettings: Method<"funding", "getSettings">
    /** `PUT /admin/funding-settings/aml-policy`: set the AML hold policy. */
    readonly setAmlPolicy: Method<"funding", "setAmlPolicy">
    /** `PUT /admin/funding-settings/withdrawal-limits`: set the withdrawal limits. */
    readonly setWithdrawalLimits: Method<"funding", "setWithdrawalLimits">
    /** `POST /withdrawals`: ask for a withdrawal. */
    readonly requestWithdrawal: Method<"funding", "requestWithdrawal">
    /** `GET /withdrawals`: withdrawals, paged. */
    readonly listWithdrawals: Method<"funding", "listWithdrawals">
    /** `GET /withdrawals/{id}`: one withdrawal. */
    readonly getWithdrawal: Method<"funding", "getWithdrawal">
    /** `POST /admin/withdrawals/{id}/process`: start the payout. */
    readonly processWithdrawal: Method<"funding", "processWithdrawal">
    /** `POST /admin/withdrawals/{id}/approve`: a second admin's approval (four eyes). */
    readonly approveWithdrawal: Method<"funding", "approveWithdrawal">
    /** `POST /admin/withdrawals/{id}/complete`: record the wire sent. */
    readonly completeWithdrawal: Method<"funding", "completeWithdrawal">
    /** `POST /admin/withdrawals/{id}/reject`: reject and release. */
    readonly rejectWithdrawal: Method<"funding", "rejectWithdrawal">
    /** `GET /entities/{id}/journal`: an entity's journal lines. */
    readonly journal: Method<"funding", "journal">
    /** `GET /entities/{id}/holdings`: an entity's balances, with what is locked for what. */
    readonly holdings: Method<"funding", "holdings">
  }
  /** The `fees` group. */
  readonly fees: {
    /** `GET /admin/fee-configs`: market fee configs, paged. */
    readonly listConfigs: Method<"fees", "listConfigs">
    /** `POST /admin/fee-configs`: set a market's fee rates. */
    readonly createConfig: Method<"fees", "createConfig">
    /** `PATCH /admin/fee-configs/{id}`: change an active market fee config. */
    readonly changeConfig: Method<"fees", "changeConfig">
    /** `POST /admin/fee-configs/{id}/deactivate`: deactivate a market fee config. */
    readonly deactivateConfig: Method<"fees", "deactivateConfig">
    /** `GET /admin/fee-overrides`: entity fee overrides, paged, optionally of one entity. */
    readonly listOverrides: Method<"fees", "listOverrides">
    /** `POST /admin/fee-overrides`: give an entity its own rates in a market. */
    readonly createOverride: Method<"fees", "createOverride">
    /** `PATCH /admin/fee-overrides/{id}`: change an active entity fee override. */
    readonly changeOverride: Method<"fees", "changeOverride">
    /** `POST /admin/fee-overrides/{id}/deactivate`: deactivate an entity fee override. */
    readonly deactivateOverride: Method<"fees", "deactivateOverride">
    /** `GET /fees/resolved`: the rates that apply to an entity in a market, and their source. */
    readonly resolved: Method<"fees", "resolved">
  }
  /** The `orders` group. */
  readonly orders: {
    /** `POST /orders`: place an order; answered with its status after matching and its fills. */
    readonly placeOrder: Method<"orders", "placeOrder">
    /** `GET /orders`: orders, newest first, paged. */
    readonly listOrders: Method<"orders", "listOrders">
    /** `GET /orders/{id}`: one order with its fills. */
    readonly getOrder: Method<"orders", "getOrder">
    /** `POST /orders/{id}/cancel`: cancel an order. */
    readonly cancelOrder: Method<"orders", "cancelOrder">
    /** `POST /orders/{id}/amend`: a new price or a smaller open quantity. */
    readonly amendOrder: Method<"orders", "amendOrder">
    /** `POST /orders/cancel-all`: cancel every resting order of the caller's entity in a market. */
    readonly cancelAll: Method<"orders", "cancelAll">
  }
  /** The `ledger` group. */
  readonly ledger: {
    /** `POST /admin/entities/{id}/adjustments`: adjust a balance by hand, with a reason. */
    readonly adjust: Method<"ledger", "adjust">
  }
  /** The `settlements` group. */
  readonly settlements: {
    /** `GET /settlements`: settlement batches, paged. */
    readonly listSettlements: Method<"settlements", "listSettlements">
    /** `GET /settlements/{id}`: one batch with its history, milestones and resolution. */
    readonly getSettlement: Method<"settlements", "getSettlement">
    /** `POST /admin/settlements/{id}/advance`: move a batch to its next milestone. */
    readonly advanceSettlement: Method<"settlements", "advanceSettlement">
    /** `POST /admin/settlements/{id}/fail`: mark a batch FAILED. */
    readonly failSettlement: Method<"settlements", "failSettlement">
    /** `POST /admin/settlements/{id}/resolve`: resolve a FAILED batch by reversal or buy-in. */
    readonly resolveSettlement: Method<"settlements", "resolveSettlement">
  }
  /** The `swaps` group. */
  readonly swaps: {
    /** `POST /swaps`: ask to swap CEA into EUA at a limit rate. */
    readonly requestSwap: Method<"swaps", "requestSwap">
    /** `GET /swaps`: swap requests, paged. */
    readonly listSwaps: Method<"swaps", "listSwaps">
    /** `GET /swaps/{id}`: one swap request. */
    readonly getSwap: Method<"swaps", "getSwap">
    /** `POST /swaps/{id}/cancel`: cancel an OPEN swap request. */
    readonly cancelSwap: Method<"swaps", "cancelSwap">
  }
  /** The `inventory` group. */
  readonly inventory: {
    /** `POST /admin/sellers`: register an external CEA seller. */
    readonly registerSeller: Method<"inventory", "registerSeller">
    /** `GET /admin/sellers`: the sellers, paged. */
    readonly listSellers: Method<"inventory", "listSellers">
    /** `POST /admin/certificates`: register a certificate lot. */
    readonly registerLot: Method<"inventory", "registerLot">
    /** `GET /admin/certificates`: certificate lots, paged. */
    readonly listLots: Method<"inventory", "listLots">
    /** `POST /admin/certificates/{id}/allocate`: reserve a lot for a settlement batch. */
    readonly allocateLot: Method<"inventory", "allocateLot">
    /** `POST /admin/sellers/{id}/orders`: place a seller's sell order, reserving its lots. */
    readonly placeSellerOrder: Method<"inventory", "placeSellerOrder">
    /** `GET /admin/sellers/{id}/orders`: a seller's orders, paged. */
    readonly listSellerOrders: Method<"inventory", "listSellerOrders">
    /** `POST /admin/sellers/{id}/orders/{orderId}/cancel`: cancel a seller's order, releasing its lots. */
    readonly cancelSellerOrder: Method<"inventory", "cancelSellerOrder">
  }
  /** The `audit` group. */
  readonly audit: {
    /** `GET /admin/audit/tickets`: audit tickets, filtered, paged. */
    readonly listTickets: Method<"audit", "listTickets">
    /** `GET /admin/audit/activity`: activity lines, filtered, paged. */
    readonly listActivity: Method<"audit", "listActivity">
  }
  /** The `configuration` group. */
  readonly configuration: {
    /** `GET /admin/mail-configs`: mail configs, paged, secrets as set or not. */
    readonly listMailConfigs: Method<"configuration", "listMailConfigs">
    /** `POST /admin/mail-configs`: add a mail config. */
    readonly createMailConfig: Method<"configuration", "createMailConfig">
    /** `PATCH /admin/mail-configs/{id}`: change a mail config or make it active. */
    readonly changeMailConfig: Method<"configuration", "changeMailConfig">
    /** `POST /admin/mail-configs/{id}/test`: send a test mail through it. */
    readonly testMailConfig: Method<"configuration", "testMailConfig">
    /** `GET /admin/scraping-sources`: price sources, paged. */
    readonly listScrapingSources: Method<"configuration", "listScrapingSources">
    /** `POST /admin/scraping-sources`: add a price source. */
    readonly createScrapingSource: Method<"configuration", "createScrapingSource">
    /** `PATCH /admin/scraping-sources/{id}`: change a price source. */
    readonly changeScrapingSource: Method<"configuration", "changeScrapingSource">
    /** `POST /admin/scraping-sources/{id}/fetch`: fetch a price source now. */
    readonly fetchScrapingSource: Method<"configuration", "fetchScrapingSource">
    /** `GET /admin/exchange-rate-sources`: exchange-rate sources, paged. */
    readonly listExchangeRateSources: Method<"configuration", "listExchangeRateSources">
    /** `POST /admin/exchange-rate-sources`: add an exchange-rate source. */
    readonly createExchangeRateSource: Method<"configuration", "createExchangeRateSource">
    /** `PATCH /admin/exchange-rate-sources/{id}`: change an exchange-rate source. */
    readonly changeExchangeRateSource: Method<"configuration", "changeExchangeRateSource">
    /** `POST /admin/exchange-rate-sources/{id}/fetch`: fetch an exchange-rate source now. */
    readonly fetchExchangeRateSource: Method<"configuration", "fetchExchangeRateSource">
  }
  /** The `prices` group. */
  readonly prices: {
    /** `GET /prices/history`: a certificate's price history by interval. */
    readonly history: Method<"prices", "history">
    /** `GET /prices/latest`: a certificate's latest price. */
    readonly latest: Method<"prices", "latest">
  }
  /** The `marketMakers` group. */
  readonly marketMakers: {
    /** `POST /admin/market-makers`: create a market maker, with its own entity, for an MM user. */
    readonly createMarketMaker: Method<"marketMakers", "createMarketMaker">
    /** `GET /market-makers`: every market maker for an admin, its own for an MM user. */
    readonly listMarketMakers: Method<"marketMakers", "listMarketMakers">
    /** `POST /admin/market-makers/{id}/active`: let a market maker trade, or stop it. */
    readonly setMarketMakerActive: Method<"marketMakers", "setMarketMakerActive">
    /** `POST /market-makers/{id}/orders`: place an order for a market maker. */
    readonly placeOrder: Method<"marketMakers", "placeOrder">
    /** `GET /market-makers/{id}/orders`: a market maker's orders, paged. */
    readonly listOrders: Method<"marketMakers", "listOrders">
    /** `POST /market-makers/{id}/orders/{order_id}/cancel`: cancel a market maker's order. */
    readonly cancelOrder: Method<"marketMakers", "cancelOrder">
  }
  /** The `autoTrade` group. */
  readonly autoTrade: {
    /** `POST /admin/auto-trade/rules`: create an auto-trade rule for a market maker. */
    readonly createRule: Method<"autoTrade", "createRule">
    /** `GET /admin/auto-trade/rules`: every rule, in name order. */
    readonly listRules: Method<"autoTrade", "listRules">
    /** `GET /admin/auto-trade/rules/{id}`: one rule. */
    readonly getRule: Method<"autoTrade", "getRule">
    /** `PUT /admin/auto-trade/rules/{id}`: replace a rule's terms; its schedule restarts. */
    readonly updateRule: Method<"autoTrade", "updateRule">
    /** `DELETE /admin/auto-trade/rules/{id}`: delete a rule; the orders it placed stay. */
    readonly deleteRule: Method<"autoTrade", "deleteRule">
    /** `POST /admin/auto-trade/rules/{id}/enabled`: enable or disable a rule. */
    readonly setRuleEnabled: Method<"autoTrade", "setRuleEnabled">
    /** `POST /admin/auto-trade/run`: run the due rules now. */
    readonly run: Method<"autoTrade", "run">
    /** `PUT /admin/auto-trade/markets/{market}`: a market's liquidity targets and band. */
    readonly setMarketSettings: Method<"autoTrade", "setMarketSettings">
    /** `GET /admin/auto-trade/markets`: every market's liquidity settings. */
    readonly listMarketSettings: Method<"autoTrade", "listMarketSettings">
    /** `GET /admin/auto-trade/liquidity-operations`: the recorded liquidity operations, paged. */
    readonly listLiquidityOperations: Method<"autoTrade", "listLiquidityOperations">
    /** `POST /admin/auto-trade/markets/{market}/liquidity`: top a market up now. */
    readonly provideLiquidity: Method<"autoTrade", "provideLiquidity">
  }
}

/**
 * The client method of an endpoint, named by its group and its identifier. A test checks
 * that {@link Client} is exactly the client `HttpApiClient` derives from the contract.
 *
 * @category models
 * @since 0.1.0
 */
export type Method<
  Group extends HttpApiGroup.Identifier<Groups>,
  Endpoint extends HttpApiGroup.EndpointsWithIdentifier<Groups, Group>["identifier"]
> = HttpApiClient.Client.Method<
  Extract<
    HttpApiEndpoint.WithIdentifier<HttpApiGroup.EndpointsWithIdentifier<Groups, Group>, Endpoint>,
    HttpApiEndpoint.ConstraintRequest
  >,
  never,
  never
>

/**
 * Where the server is and who is calling.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The server's base URL, e.g. `http://localhost:4000`. */
  readonly baseUrl: string | URL
  /** An API key or a session token, sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string | Redacted.Redacted | undefined
  /** The API version to ask for; the version of this SDK unless given. */
  readonly apiVersion?: string | undefined
}

/**
 * The client as a service.
 *
 * @category services
 * @since 0.1.0
 */
export class NihaClient extends Context.Service<NihaClient, Client>()("@niha/sdk/NihaClient") {}

/**
 * Builds a client on the `HttpClient` in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Client, never, HttpClient.HttpClient> => internal.make(options)

/**
 * The client on an `HttpClient` the caller provides (Node's, one with retries or a
 * proxy, a test double).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWithHttpClient = (options: Options): Layer.Layer<NihaClient, never, HttpClient.HttpClient> =>
  Layer.effect(NihaClient, make(options))

/**
 * The client on `fetch`: works in Node 22+ and in browsers.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<NihaClient> =>
  layerWithHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))
