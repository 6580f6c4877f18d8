/**
 * @niha/server: the NIHA Carbon reference server: the handlers of `@niha/sdk`'s
 * contract, its request middleware, logging, and the `niha` command line.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The server as one Layer: database, API, OpenAPI document, reference page, graceful
 * shutdown.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.ts"

/**
 * The handlers of the contract's groups.
 *
 * @since 0.1.0
 */
export * as Handlers from "./Handlers.ts"

/**
 * Request ids, API version, body size limit, CORS, error bodies and access logs around
 * every request.
 *
 * @since 0.1.0
 */
export * as RequestContext from "./RequestContext.ts"

/**
 * Schema failures and domain errors as API error bodies.
 *
 * @since 0.1.0
 */
export * as ErrorHandling from "./ErrorHandling.ts"

/**
 * Structured JSON logs at a configured level.
 *
 * @since 0.1.0
 */
export * as Logging from "./Logging.ts"

/**
 * The `niha` command line: start, migrate.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.ts"

/**
 * Sign-in and credentials: password login with lock-out, magic links, sessions and API
 * keys.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.ts"

/**
 * The server side of the `Authentication` middleware, and the capability and entity
 * checks handlers run.
 *
 * @since 0.1.0
 */
export * as Access from "./Access.ts"

/**
 * The handlers of the `auth` and `account` groups, and the throttles of the public
 * endpoints.
 *
 * @since 0.1.0
 */
export * as AuthHandlers from "./AuthHandlers.ts"

/**
 * The handlers of the `onboarding`, `kyc` and `admin` groups.
 *
 * @since 0.1.0
 */
export * as OnboardingHandlers from "./OnboardingHandlers.ts"

/**
 * The handlers of the `funding` group.
 *
 * @since 0.1.0
 */
export * as FundingHandlers from "./FundingHandlers.ts"

/**
 * The handlers of the `fees` group.
 *
 * @since 0.1.0
 */
export * as FeesHandlers from "./FeesHandlers.ts"

/**
 * Trading fee administration as a service: market configs and entity overrides, audited,
 * the rates that apply to an entity, and the schedule in force for the order service.
 *
 * @since 0.1.0
 */
export * as Fees from "./services/Fees.ts"

/**
 * The onboarding workflow as a service: contact request to approved entity, one
 * transaction per operation, domain errors; called by handlers, jobs and the CLI.
 *
 * @since 0.1.0
 */
export * as Onboarding from "./services/Onboarding.ts"

/**
 * The durable job runner on the `jobs` table: scheduled work that survives a restart.
 *
 * @since 0.1.0
 */
export * as JobRunner from "./jobs/JobRunner.ts"

/**
 * Cursor pages as the services read them.
 *
 * @since 0.1.0
 */
export * as Paging from "./Paging.ts"

/**
 * The deposit workflow as a service: announce, confirm onto an AML hold, release on the
 * TARGET date by a job, clear early or reject; money through the ledger.
 *
 * @since 0.1.0
 */
export * as Deposits from "./services/Deposits.ts"

/**
 * The withdrawal workflow as a service: the amount locked at request within the limits,
 * processed, completed or rejected; money through the ledger.
 *
 * @since 0.1.0
 */
export * as Withdrawals from "./services/Withdrawals.ts"

/**
 * The funding settings as a service: the AML hold policy and the withdrawal limits that
 * admins set, audited, read by the deposit and withdrawal workflows in their transactions.
 *
 * @since 0.1.0
 */
export * as FundingSettings from "./services/FundingSettings.ts"

/**
 * The order workflow as a service: pre-funded placement through the ledger, matching by
 * the market's writer, fills with fees and settlement batches, cancels.
 *
 * @since 0.1.0
 */
export * as Orders from "./services/Orders.ts"

/**
 * The one writer of each market: its book a cache of the stored commands, one command at
 * a time per market across instances (an advisory lock), rebuilt after a failed write.
 *
 * @since 0.1.0
 */
export * as MarketWriter from "./services/MarketWriter.ts"

/**
 * Market data as a service: depth and best bid and ask from the writer's book; trades,
 * ticker and candles from the stored trades; the live stream of each market.
 *
 * @since 0.1.0
 */
export * as MarketData from "./services/MarketData.ts"

/**
 * An admin's adjustment of a balance, with a reason, through the ledger.
 *
 * @since 0.1.0
 */
export * as Adjustments from "./services/Adjustments.ts"

/**
 * The handlers of the `orders` and `ledger` groups.
 *
 * @since 0.1.0
 */
export * as OrdersHandlers from "./OrdersHandlers.ts"

/**
 * Settlement batches: their lifecycle, the delivery at SETTLED and the resolution of failures.
 *
 * @since 0.1.0
 */
export * as Settlements from "./services/Settlements.ts"

/**
 * The calendars settlement schedules on, with the years an operator added, and their horizon.
 *
 * @since 0.1.0
 */
export * as SettlementCalendars from "./services/SettlementCalendars.ts"

/**
 * Swap requests of CEA into EUA, carried by orders in the SWAP book.
 *
 * @since 0.1.0
 */
export * as Swaps from "./services/Swaps.ts"

/**
 * Inventory: sellers and certificate lots, allocated to the settlement batches they deliver.
 *
 * @since 0.1.0
 */
export * as Inventory from "./services/Inventory.ts"

/**
 * Sell orders of external sellers, placed by an admin, reserving the seller's lots.
 *
 * @since 0.1.0
 */
export * as SellerOrders from "./services/SellerOrders.ts"

/**
 * The lots behind a seller's sell order: reserved, allocated to the buyers' batches by
 * the fills, released when the order ends.
 *
 * @since 0.1.0
 */
export * as SellerLots from "./services/SellerLots.ts"

/**
 * The handlers of the `settlements`, `swaps` and `inventory` groups.
 *
 * @since 0.1.0
 */
export * as SettlementsHandlers from "./SettlementsHandlers.ts"

/**
 * The recurring job that flags and mails settlement milestones past their due date.
 *
 * @since 0.1.0
 */
export * as SettlementOverdue from "./services/SettlementOverdue.ts"

/**
 * The operator's market makers as a service: each with an entity of its own, and orders
 * placed for them through the order path of clients; access checked in one place.
 *
 * @since 0.1.0
 */
export * as MarketMakers from "./services/MarketMakers.ts"

/**
 * The handlers of the `marketMakers` group.
 *
 * @since 0.1.0
 */
export * as MarketMakersHandlers from "./MarketMakersHandlers.ts"

/**
 * Auto-trade as a service: admins' rules, and the run (a recurring job) that places what
 * the due rules quote through the order path, with a seeded random source.
 *
 * @since 0.1.0
 */
export * as AutoTrade from "./services/AutoTrade.ts"

/**
 * The handlers of the `marketData` group, with the stream as Server-Sent Events.
 *
 * @since 0.1.0
 */
export * as MarketDataHandlers from "./MarketDataHandlers.ts"

/**
 * The signal that the server has begun to shut down, which ends never-ending responses.
 *
 * @since 0.1.0
 */
export * as Draining from "./Draining.ts"

/**
 * The routes the server answers, for 405s and upload body limits.
 *
 * @since 0.1.0
 */
export * as Routes from "./Routes.ts"

/**
 * The page sign-in and invitation links open.
 *
 * @since 0.1.0
 */
export * as SignInPage from "./SignInPage.ts"

/**
 * The first admin and `niha admin create`.
 *
 * @since 0.1.0
 */
export * as Admin from "./Admin.ts"

/**
 * The audit trail: `activity_logs` and `ticket_logs`.
 *
 * @since 0.1.0
 */
export * as Audit from "./Audit.ts"

/**
 * Password policy and scrypt hashing.
 *
 * @since 0.1.0
 */
export * as Password from "./Password.ts"

/**
 * Opaque secrets: session tokens, magic-link tokens and API keys.
 *
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.ts"

/**
 * Where uploaded files live, and the upload policy.
 *
 * @since 0.1.0
 */
export * as DocumentStorage from "./DocumentStorage.ts"

/**
 * In-memory throttling of public endpoints.
 *
 * @since 0.1.0
 */
export * as Throttle from "./Throttle.ts"

/**
 * Mail transports: SMTP, Resend and the development log.
 *
 * @since 0.1.0
 */
export * as Mailer from "./Mailer.ts"

/**
 * The transactional outbox of mail and its dispatcher.
 *
 * @since 0.1.0
 */
export * as MailOutbox from "./MailOutbox.ts"

/**
 * The texts of the mail the platform sends.
 *
 * @since 0.1.0
 */
export * as Notices from "./Notices.ts"

/**
 * Idempotent endpoints: the `Idempotency-Key` header, run once and replayed.
 *
 * @since 0.1.0
 */
export * as Idempotency from "./Idempotency.ts"

/**
 * Secrets at rest: AES-256-GCM sealing under `NIHA_SECRETS_KEY`, and the readiness check.
 *
 * @since 0.1.0
 */
export * as Secrets from "./Secrets.ts"

/**
 * Every state-changing request in the audit trail, refusals included.
 *
 * @since 0.1.0
 */
export * as AuditLog from "./services/AuditLog.ts"

/**
 * Platform configuration: mail configs with write-only secrets, price and exchange-rate sources.
 *
 * @since 0.1.0
 */
export * as Configuration from "./services/Configuration.ts"

/**
 * Prices from outside markets: sources fetched on schedule, history by interval, EUR conversion.
 *
 * @since 0.1.0
 */
export * as Prices from "./services/Prices.ts"

/**
 * Operational metrics (Effect `Metric`) and the Prometheus text endpoint `GET /metrics`.
 *
 * @since 0.1.0
 */
export * as Metrics from "./Metrics.ts"

/**
 * OpenTelemetry export of traces and metrics, configured by the standard `OTEL_*` variables.
 *
 * @since 0.1.0
 */
export * as Telemetry from "./Telemetry.ts"
