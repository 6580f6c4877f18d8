/**
 * Branded identifiers, one per table of the platform. Every id is a UUID (the database
 * generates them with `gen_random_uuid()`), and the brand keeps an id of one table from
 * being passed where another's is expected: an `EntityId` is not a `UserId`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * A UUID in its canonical text form; the unbranded base of every id.
 *
 * @category ids
 * @since 0.1.0
 */
export const Uuid = Schema.String.check(Schema.isUUID(undefined, { message: "must be a UUID" }))

/**
 * Identifier of a row of `users`.
 *
 * @category ids
 * @since 0.1.0
 */
export const UserId = Uuid.pipe(Schema.brand("UserId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type UserId = typeof UserId.Type

/**
 * Identifier of a row of `entities`.
 *
 * @category ids
 * @since 0.1.0
 */
export const EntityId = Uuid.pipe(Schema.brand("EntityId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type EntityId = typeof EntityId.Type

/**
 * Identifier of a row of `contact_requests`.
 *
 * @category ids
 * @since 0.1.0
 */
export const ContactRequestId = Uuid.pipe(Schema.brand("ContactRequestId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ContactRequestId = typeof ContactRequestId.Type

/**
 * Identifier of a row of `orders`.
 *
 * @category ids
 * @since 0.1.0
 */
export const OrderId = Uuid.pipe(Schema.brand("OrderId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type OrderId = typeof OrderId.Type

/**
 * Identifier of a row of `cash_market_trades`.
 *
 * @category ids
 * @since 0.1.0
 */
export const CashMarketTradeId = Uuid.pipe(Schema.brand("CashMarketTradeId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type CashMarketTradeId = typeof CashMarketTradeId.Type

/**
 * Identifier of a row of `trades`.
 *
 * @category ids
 * @since 0.1.0
 */
export const TradeId = Uuid.pipe(Schema.brand("TradeId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type TradeId = typeof TradeId.Type

/**
 * Identifier of a row of `certificates`.
 *
 * @category ids
 * @since 0.1.0
 */
export const CertificateId = Uuid.pipe(Schema.brand("CertificateId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type CertificateId = typeof CertificateId.Type

/**
 * Identifier of a row of `swap_requests`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SwapRequestId = Uuid.pipe(Schema.brand("SwapRequestId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SwapRequestId = typeof SwapRequestId.Type

/**
 * Identifier of a row of `sellers`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SellerId = Uuid.pipe(Schema.brand("SellerId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SellerId = typeof SellerId.Type

/**
 * Identifier of a row of `deposits`.
 *
 * @category ids
 * @since 0.1.0
 */
export const DepositId = Uuid.pipe(Schema.brand("DepositId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type DepositId = typeof DepositId.Type

/**
 * Identifier of a row of `withdrawals`.
 *
 * @category ids
 * @since 0.1.0
 */
export const WithdrawalId = Uuid.pipe(Schema.brand("WithdrawalId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type WithdrawalId = typeof WithdrawalId.Type

/**
 * Identifier of a row of `entity_holdings`.
 *
 * @category ids
 * @since 0.1.0
 */
export const EntityHoldingId = Uuid.pipe(Schema.brand("EntityHoldingId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type EntityHoldingId = typeof EntityHoldingId.Type

/**
 * Identifier of a row of `trading_fee_configs`.
 *
 * @category ids
 * @since 0.1.0
 */
export const TradingFeeConfigId = Uuid.pipe(Schema.brand("TradingFeeConfigId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type TradingFeeConfigId = typeof TradingFeeConfigId.Type

/**
 * Identifier of a row of `entity_fee_overrides`.
 *
 * @category ids
 * @since 0.1.0
 */
export const EntityFeeOverrideId = Uuid.pipe(Schema.brand("EntityFeeOverrideId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type EntityFeeOverrideId = typeof EntityFeeOverrideId.Type

/**
 * Identifier of a row of `market_maker_clients`.
 *
 * @category ids
 * @since 0.1.0
 */
export const MarketMakerClientId = Uuid.pipe(Schema.brand("MarketMakerClientId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type MarketMakerClientId = typeof MarketMakerClientId.Type

/**
 * Identifier of a row of `auto_trade_rules`.
 *
 * @category ids
 * @since 0.1.0
 */
export const AutoTradeRuleId = Uuid.pipe(Schema.brand("AutoTradeRuleId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type AutoTradeRuleId = typeof AutoTradeRuleId.Type

/**
 * Identifier of a row of `auto_trade_settings`.
 *
 * @category ids
 * @since 0.1.0
 */
export const AutoTradeSettingId = Uuid.pipe(Schema.brand("AutoTradeSettingId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type AutoTradeSettingId = typeof AutoTradeSettingId.Type

/**
 * Identifier of a row of `auto_trade_market_settings`.
 *
 * @category ids
 * @since 0.1.0
 */
export const AutoTradeMarketSettingId = Uuid.pipe(Schema.brand("AutoTradeMarketSettingId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type AutoTradeMarketSettingId = typeof AutoTradeMarketSettingId.Type

/**
 * Identifier of a row of `settlement_batches`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SettlementBatchId = Uuid.pipe(Schema.brand("SettlementBatchId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SettlementBatchId = typeof SettlementBatchId.Type

/**
 * Identifier of a row of `settlement_status_history`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SettlementStatusHistoryId = Uuid.pipe(Schema.brand("SettlementStatusHistoryId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SettlementStatusHistoryId = typeof SettlementStatusHistoryId.Type

/**
 * Identifier of a row of `settlement_resolutions`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SettlementResolutionId = Uuid.pipe(Schema.brand("SettlementResolutionId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SettlementResolutionId = typeof SettlementResolutionId.Type

/**
 * Identifier of a row of `settlement_overdue_flags`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SettlementOverdueFlagId = Uuid.pipe(Schema.brand("SettlementOverdueFlagId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SettlementOverdueFlagId = typeof SettlementOverdueFlagId.Type

/**
 * Identifier of a row of `seller_certificates`.
 *
 * @category ids
 * @since 0.1.0
 */
export const SellerCertificateId = Uuid.pipe(Schema.brand("SellerCertificateId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type SellerCertificateId = typeof SellerCertificateId.Type

/**
 * Identifier of a row of `certificate_allocations`.
 *
 * @category ids
 * @since 0.1.0
 */
export const CertificateAllocationId = Uuid.pipe(Schema.brand("CertificateAllocationId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type CertificateAllocationId = typeof CertificateAllocationId.Type

/**
 * Identifier of a row of `price_history`.
 *
 * @category ids
 * @since 0.1.0
 */
export const PriceHistoryId = Uuid.pipe(Schema.brand("PriceHistoryId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type PriceHistoryId = typeof PriceHistoryId.Type

/**
 * Identifier of a row of `scraping_sources`.
 *
 * @category ids
 * @since 0.1.0
 */
export const ScrapingSourceId = Uuid.pipe(Schema.brand("ScrapingSourceId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ScrapingSourceId = typeof ScrapingSourceId.Type

/**
 * Identifier of a row of `exchange_rate_sources`.
 *
 * @category ids
 * @since 0.1.0
 */
export const ExchangeRateSourceId = Uuid.pipe(Schema.brand("ExchangeRateSourceId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ExchangeRateSourceId = typeof ExchangeRateSourceId.Type

/**
 * Identifier of a row of `exchange_rate_history` (the platform's own table, migration 14).
 *
 * @category ids
 * @since 0.1.0
 */
export const ExchangeRateHistoryId = Uuid.pipe(Schema.brand("ExchangeRateHistoryId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ExchangeRateHistoryId = typeof ExchangeRateHistoryId.Type

/**
 * Identifier of a row of `ticket_logs`.
 *
 * @category ids
 * @since 0.1.0
 */
export const TicketLogId = Uuid.pipe(Schema.brand("TicketLogId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type TicketLogId = typeof TicketLogId.Type

/**
 * Identifier of a row of `asset_transactions`.
 *
 * @category ids
 * @since 0.1.0
 */
export const AssetTransactionId = Uuid.pipe(Schema.brand("AssetTransactionId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type AssetTransactionId = typeof AssetTransactionId.Type

/**
 * Identifier of a row of `liquidity_operations`.
 *
 * @category ids
 * @since 0.1.0
 */
export const LiquidityOperationId = Uuid.pipe(Schema.brand("LiquidityOperationId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type LiquidityOperationId = typeof LiquidityOperationId.Type

/**
 * Identifier of a row of `activity_logs`.
 *
 * @category ids
 * @since 0.1.0
 */
export const ActivityLogId = Uuid.pipe(Schema.brand("ActivityLogId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ActivityLogId = typeof ActivityLogId.Type

/**
 * Identifier of a row of `user_sessions`.
 *
 * @category ids
 * @since 0.1.0
 */
export const UserSessionId = Uuid.pipe(Schema.brand("UserSessionId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type UserSessionId = typeof UserSessionId.Type

/**
 * Identifier of a row of `authentication_attempts`.
 *
 * @category ids
 * @since 0.1.0
 */
export const AuthenticationAttemptId = Uuid.pipe(Schema.brand("AuthenticationAttemptId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type AuthenticationAttemptId = typeof AuthenticationAttemptId.Type

/**
 * Identifier of a row of `kyc_documents`.
 *
 * @category ids
 * @since 0.1.0
 */
export const KycDocumentId = Uuid.pipe(Schema.brand("KycDocumentId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type KycDocumentId = typeof KycDocumentId.Type

/**
 * Identifier of a row of `magic_link_tokens` (a table of the platform's own, beyond the seed's 31).
 *
 * @category ids
 * @since 0.1.0
 */
export const MagicLinkTokenId = Uuid.pipe(Schema.brand("MagicLinkTokenId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type MagicLinkTokenId = typeof MagicLinkTokenId.Type

/**
 * Identifier of a row of `api_keys` (a table of the platform's own, beyond the seed's 31).
 *
 * @category ids
 * @since 0.1.0
 */
export const ApiKeyId = Uuid.pipe(Schema.brand("ApiKeyId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type ApiKeyId = typeof ApiKeyId.Type

/**
 * Identifier of a row of `mail_outbox` (a table of the platform's own, beyond the seed's 31).
 *
 * @category ids
 * @since 0.1.0
 */
export const MailOutboxId = Uuid.pipe(Schema.brand("MailOutboxId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type MailOutboxId = typeof MailOutboxId.Type

/**
 * Identifier of a row of `withdrawal_approvals` (a table of the platform's own: the second
 * admin's approval of a withdrawal to a new beneficiary).
 *
 * @category ids
 * @since 0.1.0
 */
export const WithdrawalApprovalId = Uuid.pipe(Schema.brand("WithdrawalApprovalId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type WithdrawalApprovalId = typeof WithdrawalApprovalId.Type

/**
 * Identifier of a row of `funding_settings` (a table of the platform's own: the AML policy
 * and the withdrawal limits as admins set them).
 *
 * @category ids
 * @since 0.1.0
 */
export const FundingSettingId = Uuid.pipe(Schema.brand("FundingSettingId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type FundingSettingId = typeof FundingSettingId.Type

/**
 * Identifier of a row of `jobs` (a table of the platform's own: the durable job runner).
 *
 * @category ids
 * @since 0.1.0
 */
export const JobId = Uuid.pipe(Schema.brand("JobId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type JobId = typeof JobId.Type

/**
 * Identifier of a row of `idempotency_keys` (a table of the platform's own, beyond the seed's 31).
 *
 * @category ids
 * @since 0.1.0
 */
export const IdempotencyKeyId = Uuid.pipe(Schema.brand("IdempotencyKeyId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type IdempotencyKeyId = typeof IdempotencyKeyId.Type

/**
 * Identifier of a row of `mail_config`.
 *
 * @category ids
 * @since 0.1.0
 */
export const MailConfigId = Uuid.pipe(Schema.brand("MailConfigId"))
/**
 * @category ids
 * @since 0.1.0
 */
export type MailConfigId = typeof MailConfigId.Type

/**
 * Every id schema by the table it identifies.
 *
 * @category catalogue
 * @since 0.1.0
 */
export const byTable = {
  /** Id of a row of `users`. */
  users: UserId,
  /** Id of a row of `entities`. */
  entities: EntityId,
  /** Id of a row of `contact_requests`. */
  contact_requests: ContactRequestId,
  /** Id of a row of `orders`. */
  orders: OrderId,
  /** Id of a row of `cash_market_trades`. */
  cash_market_trades: CashMarketTradeId,
  /** Id of a row of `trades`. */
  trades: TradeId,
  /** Id of a row of `certificates`. */
  certificates: CertificateId,
  /** Id of a row of `swap_requests`. */
  swap_requests: SwapRequestId,
  /** Id of a row of `sellers`. */
  sellers: SellerId,
  /** Id of a row of `deposits`. */
  deposits: DepositId,
  /** Id of a row of `withdrawals`. */
  withdrawals: WithdrawalId,
  /** Id of a row of `entity_holdings`. */
  entity_holdings: EntityHoldingId,
  /** Id of a row of `trading_fee_configs`. */
  trading_fee_configs: TradingFeeConfigId,
  /** Id of a row of `entity_fee_overrides`. */
  entity_fee_overrides: EntityFeeOverrideId,
  /** Id of a row of `market_maker_clients`. */
  market_maker_clients: MarketMakerClientId,
  /** Id of a row of `auto_trade_rules`. */
  auto_trade_rules: AutoTradeRuleId,
  /** Id of a row of `auto_trade_settings`. */
  auto_trade_settings: AutoTradeSettingId,
  /** Id of a row of `auto_trade_market_settings`. */
  auto_trade_market_settings: AutoTradeMarketSettingId,
  /** Id of a row of `settlement_batches`. */
  settlement_batches: SettlementBatchId,
  /** Id of a row of `settlement_status_history`. */
  settlement_status_history: SettlementStatusHistoryId,
  /** Id of a row of `price_history`. */
  price_history: PriceHistoryId,
  /** Id of a row of `scraping_sources`. */
  scraping_sources: ScrapingSourceId,
  /** Id of a row of `exchange_rate_sources`. */
  exchange_rate_sources: ExchangeRateSourceId,
  /** Id of a row of `ticket_logs`. */
  ticket_logs: TicketLogId,
  /** Id of a row of `asset_transactions`. */
  asset_transactions: AssetTransactionId,
  /** Id of a row of `liquidity_operations`. */
  liquidity_operations: LiquidityOperationId,
  /** Id of a row of `activity_logs`. */
  activity_logs: ActivityLogId,
  /** Id of a row of `user_sessions`. */
  user_sessions: UserSessionId,
  /** Id of a row of `authentication_attempts`. */
  authentication_attempts: AuthenticationAttemptId,
  /** Id of a row of `kyc_documents`. */
  kyc_documents: KycDocumentId,
  /** Id of a row of `mail_config`. */
  mail_config: MailConfigId
} as const
