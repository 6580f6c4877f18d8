/**
 * The catalogue of the 31 tables: each table's row model by its name, the classes a
 * union model is made of, and the 51 foreign keys. The database package derives its schema
 * from this module, and the tests check it against the models, so the three cannot drift.
 *
 * Six tables have a union model, because the scale of an amount or a price depends on a
 * discriminator column (`asset_type`, `market` or `settlement_type`); their members share
 * every column name. {@link members} lists the classes of every table (one for most).
 *
 * @since 0.1.0
 */
import type { Model } from "effect/schema"
import * as Audit from "./Audit.ts"
import * as Auth from "./Auth.ts"
import * as Funds from "./Funds.ts"
import * as Mail from "./Mail.ts"
import * as MarketMaking from "./MarketMaking.ts"
import * as Parties from "./Parties.ts"
import * as Pricing from "./Pricing.ts"
import * as Settlement from "./Settlement.ts"
import * as Trading from "./Trading.ts"

/**
 * Every table's row model, by table name.
 *
 * @category catalogue
 * @since 0.1.0
 */
export const tables = {
  /** Row model of `users`. */
  users: Parties.User,
  /** Row model of `entities`. */
  entities: Parties.Entity,
  /** Row model of `contact_requests`. */
  contact_requests: Parties.ContactRequest,
  /** Row model of `kyc_documents`. */
  kyc_documents: Parties.KycDocument,
  /** Row model of `user_sessions`. */
  user_sessions: Auth.UserSession,
  /** Row model of `authentication_attempts`. */
  authentication_attempts: Auth.AuthenticationAttempt,
  /** Row model of `orders`. */
  orders: Trading.Order,
  /** Row model of `cash_market_trades`. */
  cash_market_trades: Trading.CashMarketTrade,
  /** Row model of `trades`. */
  trades: Trading.Trade,
  /** Row model of `certificates`. */
  certificates: Trading.Certificate,
  /** Row model of `swap_requests`. */
  swap_requests: Trading.SwapRequest,
  /** Row model of `sellers`. */
  sellers: Trading.Seller,
  /** Row model of `deposits`. */
  deposits: Funds.Deposit,
  /** Row model of `withdrawals`. */
  withdrawals: Funds.Withdrawal,
  /** Row model of `entity_holdings`. */
  entity_holdings: Funds.EntityHolding,
  /** Row model of `asset_transactions`. */
  asset_transactions: Funds.AssetTransaction,
  /** Row model of `trading_fee_configs`. */
  trading_fee_configs: Funds.TradingFeeConfig,
  /** Row model of `entity_fee_overrides`. */
  entity_fee_overrides: Funds.EntityFeeOverride,
  /** Row model of `market_maker_clients`. */
  market_maker_clients: MarketMaking.MarketMakerClient,
  /** Row model of `auto_trade_rules`. */
  auto_trade_rules: MarketMaking.AutoTradeRule,
  /** Row model of `auto_trade_settings`. */
  auto_trade_settings: MarketMaking.AutoTradeSetting,
  /** Row model of `auto_trade_market_settings`. */
  auto_trade_market_settings: MarketMaking.AutoTradeMarketSetting,
  /** Row model of `liquidity_operations`. */
  liquidity_operations: MarketMaking.LiquidityOperation,
  /** Row model of `settlement_batches`. */
  settlement_batches: Settlement.SettlementBatch,
  /** Row model of `settlement_status_history`. */
  settlement_status_history: Settlement.SettlementStatusHistory,
  /** Row model of `price_history`. */
  price_history: Pricing.PriceHistory,
  /** Row model of `scraping_sources`. */
  scraping_sources: Pricing.ScrapingSource,
  /** Row model of `exchange_rate_sources`. */
  exchange_rate_sources: Pricing.ExchangeRateSource,
  /** Row model of `ticket_logs`. */
  ticket_logs: Audit.TicketLog,
  /** Row model of `activity_logs`. */
  activity_logs: Audit.ActivityLog,
  /** Row model of `mail_config`. */
  mail_config: Mail.MailConfig
} as const

/**
 * The name of a table.
 *
 * @category catalogue
 * @since 0.1.0
 */
export type TableName = keyof typeof tables

/**
 * Every table name, in the catalogue's order.
 *
 * @category catalogue
 * @since 0.1.0
 */
export const tableNames = Object.keys(tables) as ReadonlyArray<TableName>

/**
 * The model classes of each table: the model itself for most tables, and the members of
 * the union for the six union tables (their column names are the same in every member).
 * A member's `fields` are its select variant: every column of the table.
 *
 * @category catalogue
 * @since 0.1.0
 */
export const members: { readonly [T in TableName]: ReadonlyArray<Model.Any> } = {
  users: [Parties.User],
  entities: [Parties.Entity],
  contact_requests: [Parties.ContactRequest],
  kyc_documents: [Parties.KycDocument],
  user_sessions: [Auth.UserSession],
  authentication_attempts: [Auth.AuthenticationAttempt],
  orders: [Trading.CashOrder, Trading.SwapOrder],
  cash_market_trades: [Trading.CashTrade, Trading.SwapTrade],
  trades: [Trading.Trade],
  certificates: [Trading.Certificate],
  swap_requests: [Trading.SwapRequest],
  sellers: [Trading.Seller],
  deposits: [Funds.Deposit],
  withdrawals: [Funds.Withdrawal],
  entity_holdings: [Funds.EurHolding, Funds.AllowanceHolding],
  asset_transactions: [Funds.EurTransaction, Funds.AllowanceTransaction],
  trading_fee_configs: [Funds.TradingFeeConfig],
  entity_fee_overrides: [Funds.EntityFeeOverride],
  market_maker_clients: [MarketMaking.MarketMakerClient],
  auto_trade_rules: [MarketMaking.CashAutoTradeRule, MarketMaking.SwapAutoTradeRule],
  auto_trade_settings: [MarketMaking.AutoTradeSetting],
  auto_trade_market_settings: [MarketMaking.AutoTradeMarketSetting],
  liquidity_operations: [MarketMaking.LiquidityOperation],
  settlement_batches: [Settlement.CeaPurchaseBatch, Settlement.SwapBatch],
  settlement_status_history: [Settlement.SettlementStatusHistory],
  price_history: [Pricing.PriceHistory],
  scraping_sources: [Pricing.ScrapingSource],
  exchange_rate_sources: [Pricing.ExchangeRateSource],
  ticket_logs: [Audit.TicketLog],
  activity_logs: [Audit.ActivityLog],
  mail_config: [Mail.MailConfig]
}

/**
 * One foreign key: `table.column -> references.id`. `origin` says whether the seed's
 * foreign key map lists it (43 of them) or it is one of the 8 the seed counts but does not
 * list, reconstructed from its ER diagram and the tables' purposes.
 *
 * @category catalogue
 * @since 0.1.0
 */
export interface ForeignKey {
  /** The referencing table. */
  readonly table: TableName
  /** The referencing column. */
  readonly column: string
  /** The referenced table (its `id`). */
  readonly references: TableName
  /** Whether the seed's foreign key map lists the key, or it was reconstructed. */
  readonly origin: "seed" | "reconstructed"
}

const seed = (table: TableName, column: string, references: TableName): ForeignKey => ({
  table,
  column,
  references,
  origin: "seed"
})

const reconstructed = (table: TableName, column: string, references: TableName): ForeignKey => ({
  table,
  column,
  references,
  origin: "reconstructed"
})

/**
 * The 51 foreign keys of the platform. Each is an id field of its table's model with the
 * brand of the referenced table's id (nullable where the reference is optional).
 *
 * @category catalogue
 * @since 0.1.0
 */
export const foreignKeys: ReadonlyArray<ForeignKey> = [
  // users, referenced by 24
  seed("activity_logs", "user_id", "users"),
  seed("authentication_attempts", "user_id", "users"),
  seed("user_sessions", "user_id", "users"),
  seed("kyc_documents", "user_id", "users"),
  seed("kyc_documents", "reviewed_by", "users"),
  seed("market_maker_clients", "user_id", "users"),
  seed("market_maker_clients", "created_by", "users"),
  seed("asset_transactions", "created_by", "users"),
  seed("deposits", "user_id", "users"),
  seed("deposits", "confirmed_by", "users"),
  seed("deposits", "cleared_by_admin_id", "users"),
  seed("deposits", "rejected_by_admin_id", "users"),
  seed("withdrawals", "user_id", "users"),
  seed("withdrawals", "processed_by", "users"),
  seed("withdrawals", "completed_by", "users"),
  seed("withdrawals", "rejected_by", "users"),
  seed("settlement_status_history", "updated_by", "users"),
  seed("trading_fee_configs", "updated_by", "users"),
  seed("entity_fee_overrides", "updated_by", "users"),
  seed("entities", "kyc_approved_by", "users"),
  seed("contact_requests", "agent_id", "users"),
  seed("ticket_logs", "user_id", "users"),
  seed("liquidity_operations", "created_by", "users"),
  seed("users", "created_by", "users"),
  // entities, referenced by 11
  seed("users", "entity_id", "entities"),
  seed("certificates", "entity_id", "entities"),
  seed("deposits", "entity_id", "entities"),
  seed("withdrawals", "entity_id", "entities"),
  seed("entity_holdings", "entity_id", "entities"),
  seed("entity_fee_overrides", "entity_id", "entities"),
  seed("orders", "entity_id", "entities"),
  seed("settlement_batches", "entity_id", "entities"),
  seed("trades", "buyer_entity_id", "entities"),
  seed("trades", "seller_entity_id", "entities"),
  seed("swap_requests", "entity_id", "entities"),
  // market_maker_clients, referenced by 5
  seed("auto_trade_rules", "market_maker_id", "market_maker_clients"),
  seed("orders", "market_maker_id", "market_maker_clients"),
  seed("cash_market_trades", "market_maker_id", "market_maker_clients"),
  seed("asset_transactions", "market_maker_id", "market_maker_clients"),
  seed("ticket_logs", "market_maker_id", "market_maker_clients"),
  // orders, referenced by 3
  seed("cash_market_trades", "buy_order_id", "orders"),
  seed("cash_market_trades", "sell_order_id", "orders"),
  seed("settlement_batches", "order_id", "orders"),
  // the 8 the seed counts but does not list
  reconstructed("orders", "seller_id", "sellers"), // ER diagram: sellers "sells via" orders
  reconstructed("settlement_status_history", "settlement_batch_id", "settlement_batches"), // ER: "status trail"
  reconstructed("asset_transactions", "entity_id", "entities"), // the journal's account
  reconstructed("kyc_documents", "entity_id", "entities"), // the entity under review
  reconstructed("trades", "certificate_id", "certificates"), // the inventory lot traded
  reconstructed("settlement_batches", "cash_market_trade_id", "cash_market_trades"), // the trade settled
  reconstructed("settlement_batches", "swap_request_id", "swap_requests"), // the swap settled
  reconstructed("price_history", "scraping_source_id", "scraping_sources") // where a price came from
]

/**
 * A foreign key a later migration added to one of the seed's tables, beyond the 51 of
 * {@link foreignKeys}: an id field of its table's model like them.
 *
 * @category catalogue
 * @since 0.1.0
 */
export interface AddedForeignKey {
  /** The referencing table. */
  readonly table: TableName
  /** The referencing column. */
  readonly column: string
  /** The referenced table (its `id`). */
  readonly references: TableName
  /** The migration that added it. */
  readonly migration: number
}

/**
 * The foreign keys later migrations added to the seed's tables: the seller's order that
 * reserves a lot, and the order-book fill a `trades` row records (both migration 13).
 *
 * @category catalogue
 * @since 0.1.0
 */
export const addedForeignKeys: ReadonlyArray<AddedForeignKey> = [
  { table: "certificates", column: "order_id", references: "orders", migration: 13 },
  { table: "trades", column: "cash_market_trade_id", references: "cash_market_trades", migration: 13 }
]
