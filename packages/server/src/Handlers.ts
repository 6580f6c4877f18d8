/**
 * The handlers of the contract's groups, one Layer per group, and {@link layer} with all
 * of them: what `HttpApiBuilder.layer(Api)` needs to serve the API.
 *
 * - `system`: `health` answers as long as the process does; `ready` asks the database
 *   (bounded by a timeout, so a hung database reads as not ready rather than hanging
 *   the probe) whether it answers and has run the last migration this server ships, and
 *   tells how far each settlement calendar's data reaches (a warning within 60 days);
 *   `version` names the package and the API versions.
 * - `markets`: the instruments of `@niha/domain`, paged in market-name order.
 * - `marketData`: depth, trades, ticker, candles and the live stream (`MarketDataHandlers`).
 *
 * @since 0.1.0
 */
import { Migrations, type Repository } from "@niha/db"
import { Market } from "@niha/domain"
import { Api, ApiError, ApiVersion, type Authentication, type MarketsApi, Pagination } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import packageJson from "../package.json" with { type: "json" }
import * as Access from "./Access.ts"
import * as AuditHandlers from "./AuditHandlers.ts"
import * as AuthHandlers from "./AuthHandlers.ts"
import * as ConfigurationHandlers from "./ConfigurationHandlers.ts"
import type * as DocumentStorage from "./DocumentStorage.ts"
import type * as Draining from "./Draining.ts"
import * as ErrorHandling from "./ErrorHandling.ts"
import * as FeesHandlers from "./FeesHandlers.ts"
import * as FundingHandlers from "./FundingHandlers.ts"
import * as MarketDataHandlers from "./MarketDataHandlers.ts"
import * as MarketMakersHandlers from "./MarketMakersHandlers.ts"
import * as OnboardingHandlers from "./OnboardingHandlers.ts"
import * as OrdersHandlers from "./OrdersHandlers.ts"
import * as PricesHandlers from "./PricesHandlers.ts"
import * as Secrets from "./Secrets.ts"
import * as Adjustments from "./services/Adjustments.ts"
import * as AuditLog from "./services/AuditLog.ts"
import * as AutoTrade from "./services/AutoTrade.ts"
import * as Configuration from "./services/Configuration.ts"
import * as Deposits from "./services/Deposits.ts"
import * as Fees from "./services/Fees.ts"
import * as FundingSettings from "./services/FundingSettings.ts"
import * as Inventory from "./services/Inventory.ts"
import * as MarketData from "./services/MarketData.ts"
import * as MarketMakers from "./services/MarketMakers.ts"
import type * as MarketWriter from "./services/MarketWriter.ts"
import * as Onboarding from "./services/Onboarding.ts"
import * as Orders from "./services/Orders.ts"
import type * as Prices from "./services/Prices.ts"
import * as SellerOrders from "./services/SellerOrders.ts"
import * as SettlementCalendars from "./services/SettlementCalendars.ts"
import * as Settlements from "./services/Settlements.ts"
import * as Swaps from "./services/Swaps.ts"
import * as Withdrawals from "./services/Withdrawals.ts"
import * as SettlementsHandlers from "./SettlementsHandlers.ts"

/**
 * The npm name of the server package.
 *
 * @category constants
 * @since 0.1.0
 */
export const packageName: string = packageJson.name

/**
 * The version of the server package.
 *
 * @category constants
 * @since 0.1.0
 */
export const version: string = packageJson.version

/**
 * The id of the last migration this server ships: a database is ready when it has run it.
 *
 * @category constants
 * @since 0.1.0
 */
export const expectedMigration: number = Migrations.all.reduce((last, migration) => Math.max(last, migration.id), 0)

/**
 * How long readiness waits for the database before answering 503.
 *
 * @category constants
 * @since 0.1.0
 */
export const readinessTimeout: Duration.Duration = Duration.seconds(2)

const notReady = (message: string) =>
  Effect.flatMap(
    ErrorHandling.body({ code: "not_ready", message }),
    (body) => Effect.fail(new ApiError.ServiceUnavailable(body))
  )

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

const readiness = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ recorded: boolean }>`SELECT to_regclass(${Migrations.table}) IS NOT NULL AS recorded`
  if (rows[0]?.recorded !== true) return { migration: 0 }
  const [last] = yield* sql<{ migration: number | null }>`
    SELECT max(migration_id)::int AS migration FROM ${sql(Migrations.table)}`
  return { migration: last?.migration ?? 0 }
}).pipe(
  Effect.timeoutOrElse({
    duration: readinessTimeout,
    orElse: () => notReady(`the database did not answer within ${Duration.format(readinessTimeout)}`)
  }),
  Effect.catchTag("SqlError", (error) => notReady(`the database is unreachable: ${describe(error.cause)}`)),
  Effect.flatMap(({ migration }) =>
    migration === expectedMigration ?
      Secrets.check.pipe(
        Effect.catchTag("SqlError", (error) => notReady(`the database is unreachable: ${describe(error.cause)}`)),
        Effect.catchTag("SecretsUnavailable", (error) => notReady(error.reason)),
        Effect.andThen(DateTime.now),
        Effect.map((now) => ({
          status: "ready" as const,
          database: { migration, expected_migration: expectedMigration },
          calendars: SettlementCalendars.horizon(now)
        }))
      ) :
      notReady(`the database is at migration ${migration}, this server needs ${expectedMigration}: run niha migrate`)
  )
)

/**
 * The `system` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const system: Layer.Layer<
  HttpApiGroup.Service<"niha", "system">,
  never,
  SqlClient.SqlClient | Secrets.Secrets
> = HttpApiBuilder.group(
  Api.Api,
  "system",
  Effect.fn(function*(handlers) {
    const sql = yield* SqlClient.SqlClient
    const box = yield* Secrets.Secrets
    return handlers.handleAll({
      health: () => Effect.succeed({ status: "ok" as const }),
      ready: () =>
        readiness.pipe(Effect.provideService(SqlClient.SqlClient, sql), Effect.provideService(Secrets.Secrets, box)),
      version: () =>
        Effect.succeed({
          name: packageName,
          version,
          api_version: ApiVersion.current,
          supported_api_versions: [...ApiVersion.supported]
        })
    })
  })
).pipe(Layer.provide(ErrorHandling.layer))

const markets: ReadonlyArray<MarketsApi.Market> = Object.values(Market.instruments)
  .map((instrument) => ({
    market: instrument.market,
    base: instrument.base,
    quote: instrument.quote,
    price_scale: instrument.priceScale,
    quote_scale: instrument.quoteScale,
    settlement_type: instrument.settlementType
  }))
  .sort((a, b) => a.market.localeCompare(b.market))

/**
 * The `markets` group.
 *
 * @category layers
 * @since 0.1.0
 */
export const marketsGroup: Layer.Layer<HttpApiGroup.Service<"niha", "markets">> = HttpApiBuilder.group(
  Api.Api,
  "markets",
  (handlers) =>
    handlers.handleAll({
      list: ({ query }) => Effect.succeed(Pagination.fromList(markets, (market) => market.market, query))
    })
).pipe(Layer.provide(ErrorHandling.layer))

/**
 * Every group of the API, the `CommonErrors` middleware (which the router also needs when
 * it builds the routes) and the `Authentication` middleware, with the throttles of
 * `limits` on the public endpoints.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerWith = (limits: AuthHandlers.Limits = AuthHandlers.defaultLimits): Layer.Layer<
  | HttpApiGroup.Service<"niha", "system">
  | HttpApiGroup.Service<"niha", "markets">
  | HttpApiGroup.Service<"niha", "marketData">
  | HttpApiGroup.Service<"niha", "auth">
  | HttpApiGroup.Service<"niha", "account">
  | HttpApiGroup.Service<"niha", "onboarding">
  | HttpApiGroup.Service<"niha", "kyc">
  | HttpApiGroup.Service<"niha", "admin">
  | HttpApiGroup.Service<"niha", "funding">
  | HttpApiGroup.Service<"niha", "fees">
  | HttpApiGroup.Service<"niha", "orders">
  | HttpApiGroup.Service<"niha", "ledger">
  | HttpApiGroup.Service<"niha", "settlements">
  | HttpApiGroup.Service<"niha", "swaps">
  | HttpApiGroup.Service<"niha", "inventory">
  | HttpApiGroup.Service<"niha", "audit">
  | HttpApiGroup.Service<"niha", "configuration">
  | HttpApiGroup.Service<"niha", "prices">
  | HttpApiGroup.Service<"niha", "marketMakers">
  | HttpApiGroup.Service<"niha", "autoTrade">
  | Api.CommonErrors
  | Authentication.Authentication,
  never,
  | SqlClient.SqlClient
  | Repository.Repositories
  | DocumentStorage.DocumentStorage
  | MarketWriter.MarketWriter
  | Draining.Draining
  | Secrets.Secrets
  | Prices.Prices
> =>
  Layer.mergeAll(
    system,
    marketsGroup,
    MarketDataHandlers.marketData,
    AuthHandlers.auth(limits),
    AuthHandlers.account(limits),
    OnboardingHandlers.onboarding(limits),
    OnboardingHandlers.kyc,
    OnboardingHandlers.admin,
    FundingHandlers.funding,
    FeesHandlers.fees,
    OrdersHandlers.orders,
    OrdersHandlers.ledger,
    SettlementsHandlers.settlements,
    SettlementsHandlers.swaps,
    SettlementsHandlers.inventory,
    AuditHandlers.audit,
    ConfigurationHandlers.configuration,
    PricesHandlers.prices,
    MarketMakersHandlers.marketMakers,
    MarketMakersHandlers.autoTrade
  ).pipe(
    Layer.provideMerge(Layer.merge(Access.layer, ErrorHandling.layer)),
    Layer.provide(
      Layer.mergeAll(
        Onboarding.layer,
        Deposits.layer,
        Withdrawals.layer,
        FundingSettings.layer,
        Fees.layer,
        Layer.mergeAll(
          Swaps.Swaps.layer,
          MarketMakers.MarketMakers.layer,
          AutoTrade.AutoTradeRuns.layer,
          SellerOrders.SellerOrders.layer
        ).pipe(
          Layer.provideMerge(Orders.Orders.layer.pipe(Layer.provide(Fees.layer))),
          Layer.provideMerge(Fees.layer)
        ),
        Adjustments.Adjustments.layer,
        Settlements.layer,
        Inventory.Inventory.layer,
        MarketData.MarketData.layer,
        AuditLog.AuditLog.layer,
        Configuration.Configuration.layer
      )
    )
  )

/**
 * {@link layerWith} the default throttles.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = layerWith()
