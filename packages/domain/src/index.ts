/**
 * @niha/domain: the one place where the rules of NIHA Carbon live. Partner platforms
 * import it directly; the server, the SDK and the database are built on it.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The 31 enumerations of the platform.
 *
 * @since 0.1.0
 */
export * as Enums from "./Enums.ts"

/**
 * Every status lifecycle as a transition table.
 *
 * @since 0.1.0
 */
export * as StateMachine from "./StateMachine.ts"

/**
 * Branded UUID identifiers, one per table.
 *
 * @since 0.1.0
 */
export * as Ids from "./Ids.ts"

/**
 * Exact decimals: named rounding modes, rounded bigint division, canonical decimal text.
 *
 * @since 0.1.0
 */
export * as Decimal from "./Decimal.ts"

/**
 * Text PostgreSQL can store (no NUL character), and one-line inputs built on it.
 *
 * @since 0.1.0
 */
export * as Text from "./Text.ts"

/**
 * Euro amounts in integer cents, with their decimal-string codecs.
 *
 * @since 0.1.0
 */
export * as Money from "./Money.ts"

/**
 * Allowance quantities in whole tonnes, with their decimal-string codecs.
 *
 * @since 0.1.0
 */
export * as Quantity from "./Quantity.ts"

/**
 * Prices per market (CEA_CASH in EUR cents per tonne, SWAP in CEA per EUA at four decimals)
 * and the notional of a fill.
 *
 * @since 0.1.0
 */
export * as Price from "./Price.ts"

/**
 * Fee rates and percentages in parts per million, exchange rates at six decimals.
 *
 * @since 0.1.0
 */
export * as Rate from "./Rate.ts"

/**
 * The two markets as instruments: base and quote assets, price scales.
 *
 * @since 0.1.0
 */
export * as Market from "./Market.ts"

/**
 * The typed errors the server returns and the SDK decodes.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.ts"

/**
 * Row models of `users`, `entities`, `contact_requests` and `kyc_documents`.
 *
 * @since 0.1.0
 */
export * as Parties from "./Parties.ts"

/**
 * The rules of onboarding beyond the state machines: the KYC documents an entity must have
 * approved, and where an entity's file stands against them.
 *
 * @since 0.1.0
 */
export * as Onboarding from "./Onboarding.ts"

/**
 * Idempotent requests: the client's key and the record of a request run under it.
 *
 * @since 0.1.0
 */
export * as Idempotency from "./Idempotency.ts"

/**
 * Row models of `user_sessions` and `authentication_attempts`.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.ts"

/**
 * Row models of `orders`, `cash_market_trades`, `trades`, `certificates`, `swap_requests`
 * and `sellers`.
 *
 * @since 0.1.0
 */
export * as Trading from "./Trading.ts"

/**
 * Row models of `deposits`, `withdrawals`, `entity_holdings`, `asset_transactions`,
 * `trading_fee_configs` and `entity_fee_overrides`.
 *
 * @since 0.1.0
 */
export * as Funds from "./Funds.ts"

/**
 * Row models of `market_maker_clients`, the auto-trade tables and `liquidity_operations`.
 *
 * @since 0.1.0
 */
export * as MarketMaking from "./MarketMaking.ts"

/**
 * What an auto-trade rule quotes, as a pure function of its terms, its market and a seeded
 * source of random integers.
 *
 * @since 0.1.0
 */
export * as AutoTrade from "./AutoTrade.ts"

/**
 * Row models of `settlement_batches` and `settlement_status_history`.
 *
 * @since 0.1.0
 */
export * as Settlement from "./Settlement.ts"

/**
 * Row models of `price_history`, `scraping_sources` and `exchange_rate_sources`.
 *
 * @since 0.1.0
 */
export * as Pricing from "./Pricing.ts"

/**
 * Row models of `ticket_logs` and `activity_logs`.
 *
 * @since 0.1.0
 */
export * as Audit from "./Audit.ts"

/**
 * Row model of `mail_config`.
 *
 * @since 0.1.0
 */
export * as Mail from "./Mail.ts"

/**
 * The catalogue of the 31 tables: models by name, union members, the 51 foreign keys.
 *
 * @since 0.1.0
 */
export * as Tables from "./Tables.ts"

/**
 * Who may do what: the capability table of roles and onboarding stages, and its check.
 *
 * @since 0.1.0
 */
export * as Capabilities from "./Capabilities.ts"

/**
 * Fee resolution (override > market > zero) and fees, half-up in the quote asset.
 *
 * @since 0.1.0
 */
export * as FeeSchedule from "./FeeSchedule.ts"

/**
 * The AML hold policy: the hold type and length of a confirmed deposit.
 *
 * @since 0.1.0
 */
export * as AmlPolicy from "./AmlPolicy.ts"

/**
 * Which lots a seller's sell order reserves: the oldest first, until they cover it.
 *
 * @since 0.1.0
 */
export * as LotReservation from "./LotReservation.ts"

/**
 * The durable jobs of the platform: the `jobs` table's model and statuses.
 *
 * @since 0.1.0
 */
export * as Job from "./Job.ts"

/**
 * IBAN and BIC, checked with `ibantools` and decoded to their electronic form.
 *
 * @since 0.1.0
 */
export * as Banking from "./Banking.ts"

/**
 * The withdrawal policy: a minimum, limits per 24 hours and 7 days, and four eyes for a
 * new beneficiary.
 *
 * @since 0.1.0
 */
export * as WithdrawalPolicy from "./WithdrawalPolicy.ts"

/**
 * The funding settings admins change: the AML hold policy and the withdrawal limits.
 *
 * @since 0.1.0
 */
export * as FundingSettings from "./FundingSettings.ts"
