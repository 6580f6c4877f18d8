/**
 * The schema of the first migration, written as data: each table's columns with their SQL
 * type, default and inline checks, its table-level constraints, then the foreign keys (from
 * the domain's catalogue), an index for every foreign key and one for each hot query. The
 * statements are generated from this data, so the order is fixed and every run of the
 * migration is the same text.
 *
 * Conventions: every id is `uuid DEFAULT gen_random_uuid()`, every instant `timestamptz`
 * (with `now()` defaults for `created_at` / `updated_at`), EUR amounts `numeric(20,2)`,
 * tonne counts `bigint` (except in `entity_holdings` and `asset_transactions`, whose
 * amount columns are `numeric(20,2)` for every asset, as the domain models them), prices
 * `numeric(20,4)`, rates `numeric(12,6)`.
 */
import { Enums, Tables } from "@niha/domain"

/** One column: its name and its SQL definition after the name. */
export interface Column {
  readonly name: string
  readonly definition: string
}

/** One table of the schema. */
export interface Table {
  readonly name: string
  readonly columns: ReadonlyArray<Column>
  /** Table-level constraints, each `CONSTRAINT name ...`. */
  readonly constraints: ReadonlyArray<string>
}

const col = (name: string, definition: string): Column => ({ name, definition })

const id = col("id", "uuid PRIMARY KEY DEFAULT gen_random_uuid()")
const createdAt = col("created_at", "timestamptz NOT NULL DEFAULT now()")
const updatedAt = col("updated_at", "timestamptz NOT NULL DEFAULT now()")
const text = (name: string) => col(name, `text NOT NULL CHECK (btrim(${name}) = ${name} AND ${name} <> '')`)
const optionalText = (name: string) =>
  col(name, `text CHECK (${name} IS NULL OR (btrim(${name}) = ${name} AND ${name} <> ''))`)
const freeText = (name: string) => col(name, "text")
const ref = (name: string) => col(name, "uuid NOT NULL")
const optionalRef = (name: string) => col(name, "uuid")
const at = (name: string) => col(name, "timestamptz NOT NULL")
const optionalAt = (name: string) => col(name, "timestamptz")
const bool = (name: string, fallback: boolean) => col(name, `boolean NOT NULL DEFAULT ${fallback}`)
const enumOf = (name: string, type: keyof typeof Enums.databaseNames, fallback?: string) =>
  col(name, `${type} NOT NULL${fallback === undefined ? "" : ` DEFAULT '${fallback}'`}`)
const optionalEnumOf = (name: string, type: keyof typeof Enums.databaseNames) => col(name, type)
const email = (name: string) => col(name, `text NOT NULL CHECK (${name} = lower(${name}) AND ${name} LIKE '%_@_%._%')`)
const optionalEmail = (name: string) =>
  col(name, `text CHECK (${name} IS NULL OR (${name} = lower(${name}) AND ${name} LIKE '%_@_%._%'))`)
/** Whole tonnes, at least `min`. */
const tonnes = (name: string, min: 0 | 1, fallback?: number) =>
  col(name, `bigint NOT NULL${fallback === undefined ? "" : ` DEFAULT ${fallback}`} CHECK (${name} >= ${min})`)
const optionalTonnes = (name: string) => col(name, `bigint CHECK (${name} IS NULL OR ${name} >= 0)`)
/** EUR in cents at two decimals, at least zero (or above zero when `positive`). */
const eur = (name: string, positive: boolean, fallback?: string) =>
  col(
    name,
    `numeric(20,2) NOT NULL${fallback === undefined ? "" : ` DEFAULT ${fallback}`} CHECK (${name} ${
      positive ? ">" : ">="
    } 0)`
  )
const price = (name: string) => col(name, `numeric(20,4) NOT NULL CHECK (${name} > 0)`)
const optionalPrice = (name: string) => col(name, `numeric(20,4) CHECK (${name} IS NULL OR ${name} > 0)`)
/** A rate between 0 and 1 in parts per million. */
const rate = (name: string, fallback?: string) =>
  col(
    name,
    `numeric(12,6) NOT NULL${fallback === undefined ? "" : ` DEFAULT ${fallback}`} CHECK (${name} BETWEEN 0 AND 1)`
  )
const optionalRate = (name: string) => col(name, `numeric(12,6) CHECK (${name} IS NULL OR ${name} BETWEEN 0 AND 1)`)
const optionalSignedRate = (name: string) =>
  col(name, `numeric(12,6) CHECK (${name} IS NULL OR ${name} BETWEEN -1 AND 1)`)
const count = (name: string, fallback?: number) =>
  col(name, `integer NOT NULL${fallback === undefined ? "" : ` DEFAULT ${fallback}`} CHECK (${name} >= 0)`)
const optionalCount = (name: string) => col(name, `integer CHECK (${name} IS NULL OR ${name} >= 0)`)
const seconds = (name: string, fallback?: number) =>
  col(name, `integer NOT NULL${fallback === undefined ? "" : ` DEFAULT ${fallback}`} CHECK (${name} > 0)`)
const json = (name: string) => col(name, "jsonb")

const table = (name: string, columns: ReadonlyArray<Column>, constraints: ReadonlyArray<string> = []): Table => ({
  name,
  columns,
  constraints
})

/** A check that an amount of a non-EUR asset is a whole number of tonnes. */
const wholeUnless = (assetColumn: string, eurValue: string, amountColumns: ReadonlyArray<string>) =>
  `(${assetColumn} = '${eurValue}' OR (${amountColumns.map((c) => `${c} = trunc(${c})`).join(" AND ")}))`

/** The accounts a journal line may move: an entity's two balances, or a platform account. */
export const entityAccounts = ["AVAILABLE", "LOCKED"] as const
export const platformAccounts = ["FEES", "CUSTODY", "SETTLEMENT_PENDING", "WORLD"] as const
export const transferKinds = ["POSTED", "PENDING", "POST_PENDING", "VOID_PENDING"] as const

const list = (values: ReadonlyArray<string>) => values.map((value) => `'${value}'`).join(", ")

/** The 31 tables, in the domain catalogue's order. */
export const tables: ReadonlyArray<Table> = [
  table("users", [
    id,
    optionalRef("entity_id"),
    email("email"),
    text("first_name"),
    text("last_name"),
    optionalText("phone"),
    optionalText("position"),
    enumOf("role", "userrole", "NDA"),
    freeText("password_hash"),
    bool("is_active", true),
    optionalAt("last_login_at"),
    optionalRef("created_by"),
    createdAt,
    updatedAt
  ], ["CONSTRAINT users_email_key UNIQUE (email)"]),
  table("entities", [
    id,
    text("name"),
    optionalText("registration_number"),
    enumOf("jurisdiction", "jurisdiction"),
    optionalText("address"),
    optionalText("website"),
    enumOf("kyc_status", "kycstatus", "PENDING"),
    optionalAt("kyc_submitted_at"),
    optionalAt("kyc_approved_at"),
    optionalRef("kyc_approved_by"),
    optionalText("kyc_rejection_reason"),
    createdAt,
    updatedAt
  ]),
  table("contact_requests", [
    id,
    text("entity_name"),
    email("contact_email"),
    text("contact_first_name"),
    text("contact_last_name"),
    optionalText("position"),
    optionalEnumOf("jurisdiction", "jurisdiction"),
    enumOf("status", "contactstatus", "NDA"),
    optionalRef("agent_id"),
    optionalText("nda_file_name"),
    optionalAt("nda_signed_at"),
    freeText("notes"),
    optionalText("submitter_ip"),
    createdAt,
    updatedAt
  ]),
  table("kyc_documents", [
    id,
    ref("user_id"),
    ref("entity_id"),
    enumOf("document_type", "documenttype"),
    enumOf("status", "documentstatus", "PENDING"),
    text("file_name"),
    text("storage_key"),
    text("mime_type"),
    count("size_bytes"),
    col("sha256", "text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')"),
    optionalRef("reviewed_by"),
    optionalAt("reviewed_at"),
    optionalText("rejection_reason"),
    createdAt,
    updatedAt
  ]),
  table("user_sessions", [
    id,
    ref("user_id"),
    text("token_hash"),
    enumOf("auth_method", "authmethod"),
    optionalText("ip_address"),
    freeText("user_agent"),
    at("expires_at"),
    optionalAt("last_seen_at"),
    optionalAt("revoked_at"),
    createdAt
  ], ["CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash)"]),
  table("authentication_attempts", [
    id,
    optionalRef("user_id"),
    col("email", "text NOT NULL"),
    enumOf("method", "authmethod"),
    col("success", "boolean NOT NULL"),
    optionalText("failure_reason"),
    optionalText("ip_address"),
    freeText("user_agent"),
    createdAt
  ]),
  table("orders", [
    id,
    optionalRef("entity_id"),
    optionalRef("market_maker_id"),
    optionalRef("seller_id"),
    enumOf("side", "orderside"),
    enumOf("status", "orderstatus", "OPEN"),
    tonnes("quantity", 1),
    tonnes("filled_quantity", 0, 0),
    optionalText("client_reference"),
    optionalAt("cancelled_at"),
    createdAt,
    updatedAt,
    enumOf("market", "markettype"),
    price("price")
  ], [
    "CONSTRAINT orders_one_owner_check CHECK (num_nonnulls(entity_id, market_maker_id, seller_id) = 1)",
    "CONSTRAINT orders_filled_check CHECK (filled_quantity <= quantity AND (status <> 'FILLED' OR filled_quantity = quantity))",
    "CONSTRAINT orders_cancelled_check CHECK (status <> 'CANCELLED' OR cancelled_at IS NOT NULL)",
    "CONSTRAINT orders_cash_price_scale_check CHECK (market <> 'CEA_CASH' OR price = round(price, 2))"
  ]),
  table("cash_market_trades", [
    id,
    ref("buy_order_id"),
    ref("sell_order_id"),
    optionalRef("market_maker_id"),
    tonnes("quantity", 1),
    at("executed_at"),
    createdAt,
    enumOf("market", "markettype"),
    price("price"),
    eur("notional", false),
    eur("buyer_fee", false, "0"),
    eur("seller_fee", false, "0")
  ], [
    "CONSTRAINT cash_market_trades_two_orders_check CHECK (buy_order_id <> sell_order_id)",
    "CONSTRAINT cash_market_trades_cash_price_scale_check CHECK (market <> 'CEA_CASH' OR price = round(price, 2))",
    `CONSTRAINT cash_market_trades_swap_tonnes_check CHECK ${
      wholeUnless("market", "CEA_CASH", ["notional", "buyer_fee", "seller_fee"])
    }`
  ]),
  table("trades", [
    id,
    enumOf("trade_type", "tradetype"),
    enumOf("certificate_type", "certificatetype"),
    optionalRef("certificate_id"),
    optionalRef("buyer_entity_id"),
    optionalRef("seller_entity_id"),
    tonnes("quantity", 1),
    col("price_per_tonne", "numeric(20,2) NOT NULL CHECK (price_per_tonne > 0)"),
    eur("total_value", false),
    enumOf("status", "tradestatus", "PENDING"),
    optionalAt("confirmed_at"),
    optionalAt("completed_at"),
    optionalAt("cancelled_at"),
    createdAt,
    updatedAt
  ], [
    "CONSTRAINT trades_two_parties_check CHECK (buyer_entity_id IS NULL OR buyer_entity_id IS DISTINCT FROM seller_entity_id)"
  ]),
  table("certificates", [
    id,
    optionalRef("entity_id"),
    enumOf("certificate_type", "certificatetype"),
    enumOf("status", "certificatestatus", "AVAILABLE"),
    tonnes("quantity", 1),
    text("serial_number"),
    col("vintage_year", "integer NOT NULL CHECK (vintage_year BETWEEN 2005 AND 2100)"),
    col("unit_price", "numeric(20,2) CHECK (unit_price IS NULL OR unit_price > 0)"),
    optionalAt("reserved_at"),
    optionalAt("sold_at"),
    createdAt,
    updatedAt
  ], ["CONSTRAINT certificates_serial_number_key UNIQUE (serial_number)"]),
  table("swap_requests", [
    id,
    ref("entity_id"),
    tonnes("cea_quantity", 1),
    tonnes("eua_quantity", 1),
    price("rate"),
    enumOf("status", "swapstatus", "OPEN"),
    text("anonymous_code"),
    optionalAt("matched_at"),
    optionalAt("completed_at"),
    optionalAt("cancelled_at"),
    createdAt,
    updatedAt
  ]),
  table("sellers", [
    id,
    text("name"),
    text("code"),
    enumOf("jurisdiction", "jurisdiction"),
    optionalEmail("contact_email"),
    optionalText("registry_account"),
    bool("is_active", true),
    createdAt,
    updatedAt
  ], ["CONSTRAINT sellers_code_key UNIQUE (code)"]),
  table("deposits", [
    id,
    ref("entity_id"),
    ref("user_id"),
    eur("amount", true),
    text("wire_reference"),
    optionalText("bank_reference"),
    enumOf("status", "depositstatus", "PENDING"),
    optionalRef("confirmed_by"),
    optionalAt("confirmed_at"),
    enumOf("aml_status", "amlstatus", "PENDING"),
    optionalEnumOf("hold_type", "holdtype"),
    optionalCount("hold_business_days"),
    optionalAt("hold_until"),
    optionalRef("cleared_by_admin_id"),
    optionalAt("cleared_at"),
    optionalText("clear_reason"),
    optionalRef("rejected_by_admin_id"),
    optionalAt("rejected_at"),
    optionalText("rejection_reason"),
    createdAt,
    updatedAt
  ], [
    "CONSTRAINT deposits_hold_check CHECK ((hold_type IS NULL) = (hold_business_days IS NULL))",
    // Each status records what made it: CONFIRMED is a state a deposit passes through.
    "CONSTRAINT deposits_confirmed_check CHECK (status IN ('PENDING', 'REJECTED') OR (confirmed_at IS NOT NULL AND confirmed_by IS NOT NULL))",
    "CONSTRAINT deposits_on_hold_check CHECK (status <> 'ON_HOLD' OR (hold_type IS NOT NULL AND hold_until IS NOT NULL))",
    "CONSTRAINT deposits_cleared_check CHECK (status <> 'CLEARED' OR cleared_at IS NOT NULL)",
    "CONSTRAINT deposits_rejected_check CHECK (status <> 'REJECTED' OR rejected_at IS NOT NULL)"
  ]),
  table("withdrawals", [
    id,
    ref("entity_id"),
    ref("user_id"),
    eur("amount", true),
    enumOf("status", "withdrawalstatus", "PENDING"),
    text("beneficiary_name"),
    col("iban", "text NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$')"),
    col("bic", "text CHECK (bic IS NULL OR bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$')"),
    text("lock_reference"),
    col("locked_at", "timestamptz NOT NULL DEFAULT now()"),
    optionalAt("lock_released_at"),
    optionalRef("processed_by"),
    optionalAt("processed_at"),
    optionalRef("completed_by"),
    optionalAt("completed_at"),
    optionalText("bank_reference"),
    optionalRef("rejected_by"),
    optionalAt("rejected_at"),
    optionalText("rejection_reason"),
    createdAt,
    updatedAt
  ], [
    "CONSTRAINT withdrawals_lock_reference_key UNIQUE (lock_reference)",
    "CONSTRAINT withdrawals_completed_check CHECK (status <> 'COMPLETED' OR (completed_at IS NOT NULL AND completed_by IS NOT NULL))",
    "CONSTRAINT withdrawals_rejected_check CHECK (status <> 'REJECTED' OR rejected_at IS NOT NULL)"
  ]),
  table("entity_holdings", [
    id,
    ref("entity_id"),
    enumOf("asset_type", "assettype"),
    eur("available", false, "0"),
    eur("locked", false, "0"),
    createdAt,
    updatedAt
  ], [
    "CONSTRAINT entity_holdings_entity_asset_key UNIQUE (entity_id, asset_type)",
    `CONSTRAINT entity_holdings_whole_tonnes_check CHECK ${wholeUnless("asset_type", "EUR", ["available", "locked"])}`
  ]),
  table("asset_transactions", [
    id,
    // Null on the lines of platform accounts, which belong to no entity.
    optionalRef("entity_id"),
    enumOf("transaction_type", "transactiontype"),
    text("reference"),
    text("idempotency_key"),
    optionalRef("market_maker_id"),
    optionalRef("created_by"),
    freeText("notes"),
    createdAt,
    enumOf("asset_type", "assettype"),
    col("amount", "numeric(20,2) NOT NULL CHECK (amount <> 0)"),
    // The entity's holding (available + locked) after the line; null on platform lines.
    col("balance_after", "numeric(20,2) CHECK (balance_after IS NULL OR balance_after >= 0)"),
    // The ledger's own columns: the transfer a line belongs to, the account it moves, the
    // kind of transfer, and the pending transfer a post or void resolves.
    ref("transfer_id"),
    col("account", `text NOT NULL CHECK (account IN (${list([...entityAccounts, ...platformAccounts])}))`),
    col("transfer_kind", `text NOT NULL CHECK (transfer_kind IN (${list(transferKinds)}))`),
    optionalRef("pending_id")
  ], [
    "CONSTRAINT asset_transactions_idempotency_key_key UNIQUE (idempotency_key)",
    `CONSTRAINT asset_transactions_account_owner_check CHECK ((entity_id IS NOT NULL) = (account IN (${
      list(entityAccounts)
    })))`,
    "CONSTRAINT asset_transactions_platform_line_check CHECK ((entity_id IS NULL) = (balance_after IS NULL))",
    `CONSTRAINT asset_transactions_whole_tonnes_check CHECK ${
      wholeUnless("asset_type", "EUR", ["amount", "coalesce(balance_after, 0)"])
    }`,
    "CONSTRAINT asset_transactions_pending_check CHECK ((pending_id IS NOT NULL) = (transfer_kind IN ('POST_PENDING', 'VOID_PENDING')))"
  ]),
  table("trading_fee_configs", [
    id,
    enumOf("market", "markettype"),
    rate("buyer_rate", "0"),
    rate("seller_rate", "0"),
    bool("is_active", true),
    optionalRef("updated_by"),
    createdAt,
    updatedAt
  ]),
  table("entity_fee_overrides", [
    id,
    ref("entity_id"),
    enumOf("market", "markettype"),
    optionalRate("buyer_rate"),
    optionalRate("seller_rate"),
    bool("is_active", true),
    optionalText("reason"),
    optionalRef("updated_by"),
    createdAt,
    updatedAt
  ]),
  table("market_maker_clients", [
    id,
    ref("user_id"),
    text("name"),
    enumOf("mm_type", "marketmakertype"),
    text("anonymous_code"),
    freeText("description"),
    bool("is_active", true),
    optionalRef("created_by"),
    createdAt,
    updatedAt
  ], [
    "CONSTRAINT market_maker_clients_user_id_key UNIQUE (user_id)",
    "CONSTRAINT market_maker_clients_anonymous_code_key UNIQUE (anonymous_code)"
  ]),
  table("auto_trade_rules", [
    id,
    ref("market_maker_id"),
    text("name"),
    enumOf("side", "orderside"),
    bool("is_enabled", false),
    enumOf("price_mode", "autotradepricemode"),
    optionalRate("spread"),
    optionalRate("min_spread"),
    optionalRate("max_spread"),
    optionalSignedRate("market_offset"),
    enumOf("quantity_mode", "autotradequantitymode"),
    optionalTonnes("fixed_quantity"),
    optionalRate("balance_share"),
    optionalTonnes("min_quantity"),
    optionalTonnes("max_quantity"),
    // One interval system (seconds); the seed kept minutes and seconds side by side.
    seconds("interval_seconds", 60),
    optionalAt("last_executed_at"),
    optionalAt("next_execution_at"),
    createdAt,
    updatedAt,
    enumOf("market", "markettype"),
    optionalPrice("fixed_price")
  ], [
    "CONSTRAINT auto_trade_rules_spread_range_check CHECK (min_spread IS NULL OR max_spread IS NULL OR min_spread <= max_spread)",
    "CONSTRAINT auto_trade_rules_quantity_range_check CHECK (min_quantity IS NULL OR max_quantity IS NULL OR min_quantity <= max_quantity)",
    "CONSTRAINT auto_trade_rules_cash_price_scale_check CHECK (market <> 'CEA_CASH' OR fixed_price = round(fixed_price, 2) OR fixed_price IS NULL)"
  ]),
  table("auto_trade_settings", [
    id,
    bool("is_enabled", false),
    tonnes("target_bid_quantity", 0, 0),
    tonnes("target_ask_quantity", 0, 0),
    rate("max_price_deviation", "0"),
    createdAt,
    updatedAt
  ]),
  table("auto_trade_market_settings", [
    id,
    enumOf("market", "markettype"),
    bool("is_enabled", false),
    tonnes("target_bid_quantity", 0, 0),
    tonnes("target_ask_quantity", 0, 0),
    rate("max_price_deviation", "0"),
    bool("internal_trades_enabled", false),
    seconds("interval_seconds", 60),
    createdAt,
    updatedAt
  ], ["CONSTRAINT auto_trade_market_settings_market_key UNIQUE (market)"]),
  table("liquidity_operations", [
    id,
    enumOf("market", "markettype"),
    tonnes("target_bid_quantity", 0),
    tonnes("target_ask_quantity", 0),
    tonnes("placed_bid_quantity", 0, 0),
    tonnes("placed_ask_quantity", 0, 0),
    count("orders_placed", 0),
    optionalText("reason"),
    optionalRef("created_by"),
    createdAt
  ]),
  table("settlement_batches", [
    id,
    text("batch_reference"),
    ref("entity_id"),
    optionalRef("order_id"),
    optionalRef("cash_market_trade_id"),
    optionalRef("swap_request_id"),
    enumOf("status", "settlementstatus", "PENDING"),
    tonnes("quantity", 1),
    at("executed_at"),
    col("trade_date", "date NOT NULL"),
    col("expected_settlement_date", "date NOT NULL"),
    optionalText("registry_reference"),
    optionalAt("settled_at"),
    optionalAt("failed_at"),
    optionalText("failure_reason"),
    createdAt,
    updatedAt,
    enumOf("settlement_type", "settlementtype"),
    enumOf("asset_type", "assettype"),
    price("price"),
    eur("total_amount", false)
  ], [
    "CONSTRAINT settlement_batches_batch_reference_key UNIQUE (batch_reference)",
    "CONSTRAINT settlement_batches_dates_check CHECK (expected_settlement_date >= trade_date)",
    "CONSTRAINT settlement_batches_settled_check CHECK (status <> 'SETTLED' OR settled_at IS NOT NULL)",
    "CONSTRAINT settlement_batches_failed_check CHECK (status <> 'FAILED' OR (failed_at IS NOT NULL AND failure_reason IS NOT NULL))",
    "CONSTRAINT settlement_batches_type_asset_check CHECK ((settlement_type = 'CEA_PURCHASE' AND asset_type = 'CEA') OR (settlement_type = 'SWAP_CEA_TO_EUA' AND asset_type = 'EUA'))",
    "CONSTRAINT settlement_batches_cash_price_scale_check CHECK (settlement_type <> 'CEA_PURCHASE' OR price = round(price, 2))",
    `CONSTRAINT settlement_batches_swap_tonnes_check CHECK ${
      wholeUnless("settlement_type", "CEA_PURCHASE", ["total_amount"])
    }`
  ]),
  table("settlement_status_history", [
    id,
    ref("settlement_batch_id"),
    optionalEnumOf("from_status", "settlementstatus"),
    enumOf("to_status", "settlementstatus"),
    optionalRef("updated_by"),
    freeText("note"),
    createdAt
  ], [
    "CONSTRAINT settlement_status_history_change_check CHECK (from_status IS DISTINCT FROM to_status)"
  ]),
  table("price_history", [
    id,
    enumOf("certificate_type", "certificatetype"),
    price("price"),
    enumOf("currency", "currency"),
    optionalRef("scraping_source_id"),
    at("recorded_at"),
    createdAt
  ]),
  table("scraping_sources", [
    id,
    text("name"),
    text("url"),
    enumOf("certificate_type", "certificatetype"),
    enumOf("currency", "currency"),
    enumOf("library", "scrapelibrary"),
    optionalText("selector"),
    bool("is_active", true),
    seconds("interval_seconds", 3600),
    optionalAt("last_scraped_at"),
    optionalEnumOf("last_status", "scrapestatus"),
    freeText("last_error"),
    optionalPrice("last_price"),
    createdAt,
    updatedAt
  ]),
  table("exchange_rate_sources", [
    id,
    text("name"),
    text("url"),
    enumOf("base_currency", "currency"),
    enumOf("quote_currency", "currency"),
    bool("is_active", true),
    seconds("interval_seconds", 3600),
    col("last_rate", "numeric(20,6) CHECK (last_rate IS NULL OR last_rate > 0)"),
    optionalAt("last_fetched_at"),
    optionalEnumOf("last_status", "scrapestatus"),
    freeText("last_error"),
    createdAt,
    updatedAt
  ], ["CONSTRAINT exchange_rate_sources_pair_check CHECK (base_currency <> quote_currency)"]),
  table("ticket_logs", [
    id,
    text("ticket_reference"),
    optionalRef("user_id"),
    optionalRef("market_maker_id"),
    text("action"),
    optionalText("subject_table"),
    optionalRef("subject_id"),
    enumOf("status", "ticketstatus"),
    json("request_payload"),
    json("response_data"),
    json("before_state"),
    json("after_state"),
    optionalText("ip_address"),
    freeText("user_agent"),
    createdAt
  ]),
  table("activity_logs", [
    id,
    ref("user_id"),
    text("action"),
    json("details"),
    optionalText("ip_address"),
    freeText("user_agent"),
    createdAt
  ]),
  table("mail_config", [
    id,
    enumOf("provider", "mailprovider"),
    email("from_email"),
    optionalText("from_name"),
    optionalEmail("reply_to"),
    freeText("resend_api_key"),
    optionalText("smtp_host"),
    col("smtp_port", "integer CHECK (smtp_port IS NULL OR smtp_port BETWEEN 1 AND 65535)"),
    optionalText("smtp_username"),
    freeText("smtp_password"),
    bool("smtp_use_tls", true),
    bool("is_active", false),
    createdAt,
    updatedAt
  ])
]

/** The foreign keys: the domain's catalogue of 51. */
export const foreignKeys = Tables.foreignKeys

/** Indexes beyond the one per foreign key: uniqueness rules and the hot queries. */
export const extraIndexes: ReadonlyArray<string> = [
  // Open orders of a market, best price first then oldest first (bids are read with a
  // backward scan of the same index).
  "CREATE INDEX orders_open_book_idx ON orders (market, side, price, created_at) WHERE status IN ('OPEN', 'PARTIALLY_FILLED')",
  // An owner's own reference makes order placement idempotent.
  "CREATE UNIQUE INDEX orders_entity_client_reference_key ON orders (entity_id, client_reference) WHERE client_reference IS NOT NULL AND entity_id IS NOT NULL",
  "CREATE UNIQUE INDEX orders_market_maker_client_reference_key ON orders (market_maker_id, client_reference) WHERE client_reference IS NOT NULL AND market_maker_id IS NOT NULL",
  // Deposits on AML hold, by release date (the release job).
  "CREATE INDEX deposits_on_hold_release_idx ON deposits (hold_until) WHERE status = 'ON_HOLD'",
  "CREATE INDEX deposits_status_idx ON deposits (status, created_at)",
  "CREATE INDEX withdrawals_status_idx ON withdrawals (status, created_at)",
  // Settlement batches by status and due date (the milestone job).
  "CREATE INDEX settlement_batches_status_due_idx ON settlement_batches (status, expected_settlement_date)",
  // The journal of one account, in order; the lines of a transfer; the resolutions of a pending transfer.
  "CREATE INDEX asset_transactions_account_idx ON asset_transactions (entity_id, asset_type, created_at)",
  "CREATE INDEX asset_transactions_transfer_idx ON asset_transactions (transfer_id)",
  "CREATE INDEX asset_transactions_pending_idx ON asset_transactions (pending_id) WHERE pending_id IS NOT NULL",
  "CREATE INDEX asset_transactions_reference_idx ON asset_transactions (reference)",
  // One active fee configuration per market, one active override per entity and market.
  "CREATE UNIQUE INDEX trading_fee_configs_active_market_key ON trading_fee_configs (market) WHERE is_active",
  "CREATE UNIQUE INDEX entity_fee_overrides_active_key ON entity_fee_overrides (entity_id, market) WHERE is_active",
  "CREATE UNIQUE INDEX mail_config_active_key ON mail_config ((true)) WHERE is_active",
  "CREATE INDEX price_history_latest_idx ON price_history (certificate_type, currency, recorded_at DESC)",
  "CREATE INDEX auto_trade_rules_due_idx ON auto_trade_rules (next_execution_at) WHERE is_enabled",
  "CREATE INDEX user_sessions_expires_idx ON user_sessions (expires_at) WHERE revoked_at IS NULL",
  "CREATE INDEX authentication_attempts_email_idx ON authentication_attempts (email, created_at)",
  "CREATE INDEX ticket_logs_created_idx ON ticket_logs (created_at)",
  "CREATE INDEX ticket_logs_subject_idx ON ticket_logs (subject_table, subject_id)",
  "CREATE INDEX activity_logs_created_idx ON activity_logs (created_at)"
]

const quote = (value: string): string => `'${value.replaceAll("'", "''")}'`

/** One `CREATE TYPE ... AS ENUM` per enum of the domain, values in the domain's order. */
export const enumStatements: ReadonlyArray<string> = Object.entries(Enums.databaseNames).map(([name, values]) =>
  `CREATE TYPE ${name} AS ENUM (${values.map(quote).join(", ")})`
)

const createTable = (spec: Table): string =>
  `CREATE TABLE ${spec.name} (\n${
    [...spec.columns.map((column) => `  ${column.name} ${column.definition}`), ...spec.constraints.map((c) => `  ${c}`)]
      .join(",\n")
  }\n)`

const foreignKeyStatements: ReadonlyArray<string> = foreignKeys.map((key) =>
  `ALTER TABLE ${key.table} ADD CONSTRAINT ${key.table}_${key.column}_fkey FOREIGN KEY (${key.column}) REFERENCES ${key.references} (id)`
)

/** Foreign keys whose column already leads another index (a unique key, the journal's account index). */
const indexedByUniqueKey = new Set([
  "market_maker_clients.user_id",
  "entity_holdings.entity_id",
  "asset_transactions.entity_id"
])

const foreignKeyIndexes: ReadonlyArray<string> = foreignKeys
  .filter((key) => !indexedByUniqueKey.has(`${key.table}.${key.column}`))
  .map((key) => `CREATE INDEX ${key.table}_${key.column}_idx ON ${key.table} (${key.column})`)

/** Journal lines are facts: a mistake is corrected by a reversing transfer, never an edit. */
const appendOnlyJournal: ReadonlyArray<string> = [
  `CREATE FUNCTION asset_transactions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'asset_transactions is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation', CONSTRAINT = 'asset_transactions_append_only';
END
$$`,
  "CREATE TRIGGER asset_transactions_append_only BEFORE UPDATE OR DELETE ON asset_transactions FOR EACH ROW EXECUTE FUNCTION asset_transactions_append_only()",
  "CREATE TRIGGER asset_transactions_no_truncate BEFORE TRUNCATE ON asset_transactions FOR EACH STATEMENT EXECUTE FUNCTION asset_transactions_append_only()"
]

/** The statements of the first migration, in order. */
export const initialSchema: ReadonlyArray<string> = [
  ...enumStatements,
  ...tables.map(createTable),
  ...foreignKeyStatements,
  ...foreignKeyIndexes,
  ...extraIndexes,
  ...appendOnlyJournal
]
