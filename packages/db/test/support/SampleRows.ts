/**
 * One valid row per table, in the encoded form the database holds (decimal text, Date
 * instants, uuid text), written in an order where every parent comes before its children.
 * `ids` carries the ids the database generated for the rows inserted so far.
 */
import type { Tables } from "@niha/domain"

export type Ids = Partial<Record<Tables.TableName | "sell_order", string>>

const at = new Date("2026-02-10T09:30:00.000Z")
const stamps = { created_at: at, updated_at: at }

const need = (ids: Ids, table: Tables.TableName | "sell_order"): string => {
  const id = ids[table]
  if (id === undefined) throw new Error(`sample row of ${table} needed before its children`)
  return id
}

/** The tables in insertion order (parents first). */
export const order: ReadonlyArray<Tables.TableName> = [
  "users",
  "entities",
  "contact_requests",
  "kyc_documents",
  "user_sessions",
  "authentication_attempts",
  "sellers",
  "market_maker_clients",
  "orders",
  "cash_market_trades",
  "certificates",
  "trades",
  "swap_requests",
  "deposits",
  "withdrawals",
  "entity_holdings",
  "asset_transactions",
  "trading_fee_configs",
  "entity_fee_overrides",
  "auto_trade_rules",
  "auto_trade_settings",
  "auto_trade_market_settings",
  "liquidity_operations",
  "settlement_batches",
  "settlement_status_history",
  "scraping_sources",
  "price_history",
  "exchange_rate_sources",
  "ticket_logs",
  "activity_logs",
  "mail_config"
]

/** A resting SELL order of the market maker, the other side of the sample trade. */
export const sellOrder = (ids: Ids): Record<string, unknown> => ({
  entity_id: null,
  market_maker_id: need(ids, "market_maker_clients"),
  seller_id: null,
  side: "SELL",
  status: "PARTIALLY_FILLED",
  quantity: "40",
  filled_quantity: "10",
  client_reference: null,
  cancelled_at: null,
  ...stamps,
  market: "CEA_CASH",
  price: "12.34",
  order_type: "LIMIT",
  time_in_force: "GTC",
  post_only: false,
  budget: null,
  fee_rate: "0.002500",
  filled_notional: "123.40",
  fees_paid: "0.31",
  market_sequence: "7",
  locked_amount: "0.00"
})

/** The encoded insert of one sample row of `table`. */
export const sample = (table: Tables.TableName, ids: Ids): Record<string, unknown> => {
  switch (table) {
    case "users":
      return {
        entity_id: null,
        email: "sample.admin@niha.example",
        first_name: "Sam",
        last_name: "Admin",
        phone: null,
        position: "Operations",
        role: "ADMIN",
        password_hash: "$argon2id$v=19$sample",
        is_active: true,
        last_login_at: null,
        created_by: null,
        ...stamps
      }
    case "entities":
      return {
        name: "Sample Industries GmbH",
        registration_number: "HRB 12345",
        jurisdiction: "EU",
        address: "Hafenstrasse 1, Hamburg",
        website: "https://sample.example",
        kyc_status: "APPROVED",
        kyc_submitted_at: at,
        kyc_approved_at: at,
        kyc_approved_by: need(ids, "users"),
        kyc_rejection_reason: null,
        ...stamps
      }
    case "contact_requests":
      return {
        entity_name: "Prospect SA",
        contact_email: "jane@prospect.example",
        contact_first_name: "Jane",
        contact_last_name: "Doe",
        position: null,
        jurisdiction: "EU",
        status: "NDA",
        agent_id: need(ids, "users"),
        nda_file_name: null,
        nda_signed_at: null,
        notes: "met at a fair",
        submitter_ip: "192.0.2.1",
        ...stamps
      }
    case "kyc_documents":
      return {
        user_id: need(ids, "users"),
        entity_id: need(ids, "entities"),
        document_type: "REGISTRATION",
        status: "PENDING",
        file_name: "register.pdf",
        storage_key: "kyc/sample/register.pdf",
        mime_type: "application/pdf",
        size_bytes: 48_213,
        sha256: "a".repeat(64),
        reviewed_by: null,
        reviewed_at: null,
        rejection_reason: null,
        ...stamps
      }
    case "user_sessions":
      return {
        user_id: need(ids, "users"),
        token_hash: "b".repeat(64),
        auth_method: "PASSWORD",
        ip_address: "192.0.2.2",
        user_agent: "vitest",
        expires_at: new Date("2026-02-11T09:30:00.000Z"),
        last_seen_at: null,
        revoked_at: null,
        created_at: at
      }
    case "authentication_attempts":
      return {
        user_id: need(ids, "users"),
        email: "sample.admin@niha.example",
        method: "PASSWORD",
        success: true,
        failure_reason: null,
        ip_address: null,
        user_agent: null,
        created_at: at
      }
    case "sellers":
      return {
        name: "Shanghai Allowances Ltd",
        code: "SAL",
        jurisdiction: "CN",
        contact_email: "desk@sal.example",
        registry_account: "CN-REG-001",
        is_active: true,
        ...stamps
      }
    case "market_maker_clients":
      return {
        user_id: need(ids, "users"),
        name: "House Liquidity",
        mm_type: "CEA_SELLER",
        anonymous_code: "MM-0001",
        description: null,
        is_active: true,
        created_by: need(ids, "users"),
        ...stamps
      }
    case "orders":
      return {
        entity_id: need(ids, "entities"),
        market_maker_id: null,
        seller_id: null,
        side: "BUY",
        status: "OPEN",
        quantity: "100",
        filled_quantity: "0",
        client_reference: "client-order-1",
        cancelled_at: null,
        ...stamps,
        market: "CEA_CASH",
        price: "12.34",
        order_type: "LIMIT",
        time_in_force: "GTC",
        post_only: false,
        budget: null,
        fee_rate: "0.002500",
        locked_amount: "1237.09",
        filled_notional: "0.00",
        fees_paid: "0.00",
        market_sequence: "8"
      }
    case "cash_market_trades":
      return {
        buy_order_id: need(ids, "orders"),
        sell_order_id: need(ids, "sell_order"),
        market_maker_id: need(ids, "market_maker_clients"),
        quantity: "10",
        executed_at: at,
        created_at: at,
        market: "CEA_CASH",
        price: "12.34",
        notional: "123.40",
        buyer_fee: "0.31",
        seller_fee: "0.00",
        buyer_fee_rate: "0.002500",
        seller_fee_rate: "0.000000",
        match_id: "CEA_CASH-8-1",
        aggressor: "BUY",
        market_sequence: "8"
      }
    case "certificates":
      return {
        entity_id: need(ids, "entities"),
        certificate_type: "CEA",
        status: "AVAILABLE",
        quantity: "500",
        serial_number: "CEA-2025-000001",
        vintage_year: 2025,
        unit_price: "11.80",
        order_id: null,
        reserved_at: null,
        sold_at: null,
        ...stamps
      }
    case "trades":
      return {
        trade_type: "BUY",
        certificate_type: "CEA",
        certificate_id: need(ids, "certificates"),
        buyer_entity_id: need(ids, "entities"),
        seller_entity_id: null,
        quantity: "50",
        price_per_tonne: "11.80",
        total_value: "590.00",
        rate: null,
        cash_market_trade_id: null,
        status: "PENDING",
        confirmed_at: null,
        completed_at: null,
        cancelled_at: null,
        ...stamps
      }
    case "swap_requests":
      return {
        entity_id: need(ids, "entities"),
        cea_quantity: "812",
        eua_quantity: "100",
        rate: "8.1200",
        status: "OPEN",
        anonymous_code: "SW-0001",
        matched_at: null,
        completed_at: null,
        cancelled_at: null,
        ...stamps
      }
    case "deposits":
      return {
        entity_id: need(ids, "entities"),
        user_id: need(ids, "users"),
        amount: "25000.00",
        wire_reference: "NIHA-DEP-0001",
        bank_reference: null,
        status: "PENDING",
        confirmed_by: null,
        confirmed_at: null,
        aml_status: "PENDING",
        hold_type: null,
        hold_business_days: null,
        hold_until: null,
        manual_review: false,
        cleared_by_admin_id: null,
        cleared_at: null,
        clear_reason: null,
        rejected_by_admin_id: null,
        rejected_at: null,
        rejection_reason: null,
        ...stamps
      }
    case "withdrawals":
      return {
        entity_id: need(ids, "entities"),
        user_id: need(ids, "users"),
        amount: "1000.00",
        status: "PENDING",
        beneficiary_name: "Sample Industries GmbH",
        iban: "DE89370400440532013000",
        bic: "COBADEFFXXX",
        lock_reference: "withdrawal-lock-1",
        locked_at: at,
        lock_released_at: null,
        processed_by: null,
        processed_at: null,
        completed_by: null,
        completed_at: null,
        bank_reference: null,
        rejected_by: null,
        rejected_at: null,
        rejection_reason: null,
        ...stamps
      }
    case "entity_holdings":
      return {
        entity_id: need(ids, "entities"),
        ...stamps,
        asset_type: "EUR",
        available: "1500.25",
        locked: "0.00"
      }
    case "asset_transactions":
      return {
        entity_id: need(ids, "entities"),
        transaction_type: "DEPOSIT",
        reference: "deposits:sample",
        idempotency_key: "sample-line#0",
        market_maker_id: null,
        created_by: need(ids, "users"),
        notes: null,
        created_at: at,
        asset_type: "CEA",
        amount: "-5",
        balance_after: "495"
      }
    case "trading_fee_configs":
      return {
        market: "CEA_CASH",
        buyer_rate: "0.002500",
        seller_rate: "0.001000",
        is_active: true,
        updated_by: need(ids, "users"),
        ...stamps
      }
    case "entity_fee_overrides":
      return {
        entity_id: need(ids, "entities"),
        market: "CEA_CASH",
        buyer_rate: "0.001000",
        seller_rate: null,
        is_active: true,
        reason: "volume discount",
        updated_by: need(ids, "users"),
        ...stamps
      }
    case "auto_trade_rules":
      return {
        market_maker_id: need(ids, "market_maker_clients"),
        name: "Quote the touch",
        side: "SELL",
        is_enabled: true,
        price_mode: "spread_from_best",
        spread: "0.005000",
        min_spread: null,
        max_spread: null,
        market_offset: "-0.010000",
        quantity_mode: "fixed",
        fixed_quantity: "25",
        balance_share: null,
        min_quantity: null,
        max_quantity: null,
        interval_seconds: 300,
        last_executed_at: null,
        next_execution_at: at,
        ...stamps,
        market: "SWAP",
        fixed_price: "8.1234"
      }
    case "auto_trade_settings":
      return {
        is_enabled: false,
        target_bid_quantity: "1000",
        target_ask_quantity: "1000",
        max_price_deviation: "0.050000",
        ...stamps
      }
    case "auto_trade_market_settings":
      return {
        market: "CEA_CASH",
        is_enabled: true,
        target_bid_quantity: "2000",
        target_ask_quantity: "1500",
        max_price_deviation: "0.030000",
        internal_trades_enabled: false,
        interval_seconds: 60,
        ...stamps
      }
    case "liquidity_operations":
      return {
        market: "CEA_CASH",
        target_bid_quantity: "2000",
        target_ask_quantity: "1500",
        placed_bid_quantity: "1800",
        placed_ask_quantity: "1500",
        orders_placed: 6,
        reason: "morning top-up",
        created_by: need(ids, "users"),
        created_at: at
      }
    case "settlement_batches":
      return {
        batch_reference: "SB-2026-000001",
        entity_id: need(ids, "entities"),
        order_id: need(ids, "orders"),
        cash_market_trade_id: need(ids, "cash_market_trades"),
        swap_request_id: null,
        status: "PENDING",
        quantity: "10",
        executed_at: at,
        trade_date: "2026-02-10",
        expected_settlement_date: "2026-02-13",
        registry_reference: null,
        settled_at: null,
        failed_at: null,
        failure_reason: null,
        reschedule_pending: false,
        ...stamps,
        settlement_type: "CEA_PURCHASE",
        asset_type: "CEA",
        price: "12.34",
        total_amount: "123.40"
      }
    case "settlement_status_history":
      return {
        settlement_batch_id: need(ids, "settlement_batches"),
        from_status: null,
        to_status: "PENDING",
        updated_by: need(ids, "users"),
        note: "batch created",
        created_at: at
      }
    case "scraping_sources":
      return {
        name: "Exchange close",
        url: "https://prices.example/cea",
        certificate_type: "CEA",
        currency: "CNY",
        library: "HTTPX",
        selector: "#close",
        is_active: true,
        interval_seconds: 3600,
        last_scraped_at: null,
        last_status: null,
        last_error: null,
        last_price: null,
        ...stamps
      }
    case "price_history":
      return {
        certificate_type: "CEA",
        price: "85.1200",
        currency: "CNY",
        scraping_source_id: need(ids, "scraping_sources"),
        recorded_at: at,
        created_at: at
      }
    case "exchange_rate_sources":
      return {
        name: "ECB reference",
        url: "https://rates.example/eur-cny",
        base_currency: "EUR",
        quote_currency: "CNY",
        selector: "rates.CNY",
        is_active: true,
        interval_seconds: 86_400,
        last_rate: "7.812345",
        last_fetched_at: at,
        last_status: "SUCCESS",
        last_error: null,
        ...stamps
      }
    case "ticket_logs":
      return {
        ticket_reference: "TKT-000001",
        user_id: need(ids, "users"),
        market_maker_id: null,
        action: "deposit.confirm",
        subject_table: "deposits",
        subject_id: need(ids, "deposits"),
        status: "SUCCESS",
        request_payload: { amount: "25000.00", nested: { list: [1, 2, 3] } },
        response_data: null,
        before_state: { status: "PENDING" },
        after_state: { status: "CONFIRMED" },
        ip_address: "192.0.2.3",
        user_agent: "vitest",
        created_at: at
      }
    case "activity_logs":
      return {
        user_id: need(ids, "users"),
        action: "login",
        details: { method: "PASSWORD" },
        ip_address: null,
        user_agent: null,
        created_at: at
      }
    case "mail_config":
      return {
        provider: "smtp",
        from_email: "noreply@niha.example",
        from_name: "NIHA Carbon",
        reply_to: null,
        resend_api_key: null,
        smtp_host: "smtp.example",
        smtp_port: 587,
        smtp_username: "mailer",
        smtp_password: "secret",
        smtp_use_tls: true,
        is_active: true,
        ...stamps
      }
  }
}
