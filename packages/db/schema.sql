-- The schema of a freshly migrated @niha/db database, read from the catalog by
-- SchemaSnapshot.read. Regenerate with: pnpm --filter @niha/db schema:snapshot

-- 31 enum types
CREATE TYPE amlstatus AS ENUM ('PENDING', 'ON_HOLD', 'CLEARED', 'REJECTED');
CREATE TYPE assettype AS ENUM ('EUR', 'CEA', 'EUA');
CREATE TYPE authmethod AS ENUM ('PASSWORD', 'MAGIC_LINK');
CREATE TYPE autotradepricemode AS ENUM ('fixed', 'spread_from_best', 'percentage_from_market', 'random_spread');
CREATE TYPE autotradequantitymode AS ENUM ('fixed', 'percentage_of_balance', 'random_range');
CREATE TYPE certificatestatus AS ENUM ('AVAILABLE', 'RESERVED', 'SOLD');
CREATE TYPE certificatetype AS ENUM ('EUA', 'CEA');
CREATE TYPE contactstatus AS ENUM ('NDA', 'REJECTED', 'KYC');
CREATE TYPE currency AS ENUM ('EUR', 'USD', 'CNY', 'HKD');
CREATE TYPE depositstatus AS ENUM ('PENDING', 'CONFIRMED', 'ON_HOLD', 'CLEARED', 'REJECTED');
CREATE TYPE documentstatus AS ENUM ('PENDING', 'APPROVED', 'REJECTED');
CREATE TYPE documenttype AS ENUM ('REGISTRATION', 'TAX_CERTIFICATE', 'ARTICLES', 'FINANCIAL_STATEMENTS', 'GHG_PERMIT', 'ID', 'PROOF_AUTHORITY', 'CONTACT_INFO');
CREATE TYPE holdtype AS ENUM ('FIRST_DEPOSIT', 'SUBSEQUENT', 'LARGE_AMOUNT');
CREATE TYPE jurisdiction AS ENUM ('EU', 'CN', 'HK', 'OTHER');
CREATE TYPE kycstatus AS ENUM ('PENDING', 'APPROVED', 'REJECTED');
CREATE TYPE mailprovider AS ENUM ('resend', 'smtp');
CREATE TYPE marketmakertype AS ENUM ('CEA_BUYER', 'CEA_SELLER', 'EUA_OFFER');
CREATE TYPE markettype AS ENUM ('CEA_CASH', 'SWAP');
CREATE TYPE orderside AS ENUM ('BUY', 'SELL');
CREATE TYPE orderstatus AS ENUM ('OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED');
CREATE TYPE scrapelibrary AS ENUM ('HTTPX', 'BEAUTIFULSOUP', 'SELENIUM', 'PLAYWRIGHT');
CREATE TYPE scrapestatus AS ENUM ('SUCCESS', 'FAILED', 'TIMEOUT');
CREATE TYPE settlementstatus AS ENUM ('PENDING', 'TRANSFER_INITIATED', 'IN_TRANSIT', 'AT_CUSTODY', 'SETTLED', 'FAILED');
CREATE TYPE settlementtype AS ENUM ('CEA_PURCHASE', 'SWAP_CEA_TO_EUA');
CREATE TYPE swapstatus AS ENUM ('OPEN', 'MATCHED', 'COMPLETED', 'CANCELLED');
CREATE TYPE ticketstatus AS ENUM ('SUCCESS', 'FAILED');
CREATE TYPE tradestatus AS ENUM ('PENDING', 'CONFIRMED', 'COMPLETED', 'CANCELLED');
CREATE TYPE tradetype AS ENUM ('BUY', 'SELL', 'SWAP');
CREATE TYPE transactiontype AS ENUM ('DEPOSIT', 'WITHDRAWAL', 'TRADE_DEBIT', 'TRADE_CREDIT', 'TRADE_BUY', 'TRADE_SELL', 'ADJUSTMENT');
CREATE TYPE userrole AS ENUM ('ADMIN', 'MM', 'NDA', 'REJECTED', 'KYC', 'APPROVED', 'FUNDING', 'AML', 'CEA', 'CEA_SETTLE', 'SWAP', 'EUA_SETTLE', 'EUA');
CREATE TYPE withdrawalstatus AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'REJECTED');

-- 48 tables

TABLE activity_logs (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  action text NOT NULL
  details jsonb
  ip_address text
  user_agent text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  chain_seq bigint
  prev_hash text
  row_hash text
);
CONSTRAINT activity_logs_action_check CHECK (((btrim(action) = action) AND (action <> ''::text)));
CONSTRAINT activity_logs_chain_check CHECK ((((chain_seq IS NULL) AND (prev_hash IS NULL) AND (row_hash IS NULL)) OR ((chain_seq > 0) AND (prev_hash ~ '^[0-9a-f]{64}$'::text) AND (row_hash ~ '^[0-9a-f]{64}$'::text))));
CONSTRAINT activity_logs_ip_address_check CHECK (((ip_address IS NULL) OR ((btrim(ip_address) = ip_address) AND (ip_address <> ''::text))));
CONSTRAINT activity_logs_pkey PRIMARY KEY (id);
CONSTRAINT activity_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE UNIQUE INDEX activity_logs_chain_seq_key ON public.activity_logs USING btree (chain_seq);
CREATE INDEX activity_logs_created_idx ON public.activity_logs USING btree (created_at);
CREATE UNIQUE INDEX activity_logs_pkey ON public.activity_logs USING btree (id);
CREATE INDEX activity_logs_user_id_idx ON public.activity_logs USING btree (user_id);
CREATE TRIGGER activity_logs_append_only BEFORE INSERT OR DELETE OR UPDATE ON public.activity_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER activity_logs_no_truncate BEFORE TRUNCATE ON public.activity_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

TABLE api_keys (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  name text NOT NULL
  display text NOT NULL
  key_hash text NOT NULL
  expires_at timestamp with time zone
  last_used_at timestamp with time zone
  revoked_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT api_keys_display_check CHECK (((btrim(display) = display) AND (display <> ''::text)));
CONSTRAINT api_keys_key_hash_check CHECK ((key_hash ~ '^[0-9a-f]{64}$'::text));
CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);
CONSTRAINT api_keys_name_check CHECK (((btrim(name) = name) AND (name <> ''::text) AND (length(name) <= 100)));
CONSTRAINT api_keys_pkey PRIMARY KEY (id);
CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE UNIQUE INDEX api_keys_key_hash_key ON public.api_keys USING btree (key_hash);
CREATE UNIQUE INDEX api_keys_pkey ON public.api_keys USING btree (id);
CREATE INDEX api_keys_user_id_idx ON public.api_keys USING btree (user_id, created_at);

TABLE asset_transactions (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid
  transaction_type transactiontype NOT NULL
  reference text NOT NULL
  idempotency_key text NOT NULL
  market_maker_id uuid
  created_by uuid
  notes text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  asset_type assettype NOT NULL
  amount numeric(20,2) NOT NULL
  balance_after numeric(20,2)
  transfer_id uuid NOT NULL
  account text NOT NULL
  transfer_kind text NOT NULL
  pending_id uuid
);
CONSTRAINT asset_transactions_account_check CHECK ((account = ANY (ARRAY['AVAILABLE'::text, 'LOCKED'::text, 'FEES'::text, 'CUSTODY'::text, 'SETTLEMENT_PENDING'::text, 'WORLD'::text])));
CONSTRAINT asset_transactions_account_owner_check CHECK (((entity_id IS NOT NULL) = (account = ANY (ARRAY['AVAILABLE'::text, 'LOCKED'::text]))));
CONSTRAINT asset_transactions_amount_check CHECK ((amount <> (0)::numeric));
CONSTRAINT asset_transactions_balance_after_check CHECK (((balance_after IS NULL) OR (balance_after >= (0)::numeric)));
CONSTRAINT asset_transactions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id);
CONSTRAINT asset_transactions_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT asset_transactions_idempotency_key_check CHECK (((btrim(idempotency_key) = idempotency_key) AND (idempotency_key <> ''::text)));
CONSTRAINT asset_transactions_idempotency_key_key UNIQUE (idempotency_key);
CONSTRAINT asset_transactions_market_maker_id_fkey FOREIGN KEY (market_maker_id) REFERENCES market_maker_clients(id);
CONSTRAINT asset_transactions_pending_check CHECK (((pending_id IS NOT NULL) = (transfer_kind = ANY (ARRAY['POST_PENDING'::text, 'VOID_PENDING'::text]))));
CONSTRAINT asset_transactions_pkey PRIMARY KEY (id);
CONSTRAINT asset_transactions_platform_line_check CHECK (((entity_id IS NULL) = (balance_after IS NULL)));
CONSTRAINT asset_transactions_reference_check CHECK (((btrim(reference) = reference) AND (reference <> ''::text)));
CONSTRAINT asset_transactions_transfer_kind_check CHECK ((transfer_kind = ANY (ARRAY['POSTED'::text, 'PENDING'::text, 'POST_PENDING'::text, 'VOID_PENDING'::text])));
CONSTRAINT asset_transactions_whole_tonnes_check CHECK (((asset_type = 'EUR'::assettype) OR ((amount = trunc(amount)) AND (COALESCE(balance_after, (0)::numeric) = trunc(COALESCE(balance_after, (0)::numeric))))));
CREATE INDEX asset_transactions_account_idx ON public.asset_transactions USING btree (entity_id, asset_type, created_at);
CREATE INDEX asset_transactions_created_by_idx ON public.asset_transactions USING btree (created_by);
CREATE UNIQUE INDEX asset_transactions_idempotency_key_key ON public.asset_transactions USING btree (idempotency_key);
CREATE INDEX asset_transactions_market_maker_id_idx ON public.asset_transactions USING btree (market_maker_id);
CREATE INDEX asset_transactions_pending_idx ON public.asset_transactions USING btree (pending_id) WHERE (pending_id IS NOT NULL);
CREATE UNIQUE INDEX asset_transactions_pkey ON public.asset_transactions USING btree (id);
CREATE INDEX asset_transactions_reference_idx ON public.asset_transactions USING btree (reference);
CREATE INDEX asset_transactions_transfer_idx ON public.asset_transactions USING btree (transfer_id);
CREATE TRIGGER asset_transactions_append_only BEFORE DELETE OR UPDATE ON public.asset_transactions FOR EACH ROW EXECUTE FUNCTION asset_transactions_append_only();
CREATE TRIGGER asset_transactions_no_truncate BEFORE TRUNCATE ON public.asset_transactions FOR EACH STATEMENT EXECUTE FUNCTION asset_transactions_append_only();

TABLE audit_chain_heads (
  table_name text NOT NULL
  chain_seq bigint NOT NULL DEFAULT 0
  row_hash text NOT NULL DEFAULT repeat('0'::text, 64)
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT audit_chain_heads_chain_seq_check CHECK ((chain_seq >= 0));
CONSTRAINT audit_chain_heads_pkey PRIMARY KEY (table_name);
CONSTRAINT audit_chain_heads_row_hash_check CHECK ((row_hash ~ '^[0-9a-f]{64}$'::text));
CONSTRAINT audit_chain_heads_table_name_check CHECK ((table_name = ANY (ARRAY['ticket_logs'::text, 'activity_logs'::text])));
CREATE UNIQUE INDEX audit_chain_heads_pkey ON public.audit_chain_heads USING btree (table_name);

TABLE authentication_attempts (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid
  email text NOT NULL
  method authmethod NOT NULL
  success boolean NOT NULL
  failure_reason text
  ip_address text
  user_agent text
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT authentication_attempts_failure_reason_check CHECK (((failure_reason IS NULL) OR ((btrim(failure_reason) = failure_reason) AND (failure_reason <> ''::text))));
CONSTRAINT authentication_attempts_ip_address_check CHECK (((ip_address IS NULL) OR ((btrim(ip_address) = ip_address) AND (ip_address <> ''::text))));
CONSTRAINT authentication_attempts_pkey PRIMARY KEY (id);
CONSTRAINT authentication_attempts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE INDEX authentication_attempts_email_idx ON public.authentication_attempts USING btree (email, created_at);
CREATE INDEX authentication_attempts_ip_idx ON public.authentication_attempts USING btree (ip_address, created_at) WHERE (ip_address IS NOT NULL);
CREATE UNIQUE INDEX authentication_attempts_pkey ON public.authentication_attempts USING btree (id);
CREATE INDEX authentication_attempts_user_id_idx ON public.authentication_attempts USING btree (user_id);
CREATE INDEX authentication_attempts_user_idx ON public.authentication_attempts USING btree (user_id, created_at) WHERE (user_id IS NOT NULL);

TABLE auto_trade_market_settings (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  market markettype NOT NULL
  is_enabled boolean NOT NULL DEFAULT false
  target_bid_quantity bigint NOT NULL DEFAULT 0
  target_ask_quantity bigint NOT NULL DEFAULT 0
  max_price_deviation numeric(12,6) NOT NULL DEFAULT 0
  internal_trades_enabled boolean NOT NULL DEFAULT false
  interval_seconds integer NOT NULL DEFAULT 60
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT auto_trade_market_settings_interval_seconds_check CHECK ((interval_seconds > 0));
CONSTRAINT auto_trade_market_settings_market_key UNIQUE (market);
CONSTRAINT auto_trade_market_settings_max_price_deviation_check CHECK (((max_price_deviation >= (0)::numeric) AND (max_price_deviation <= (1)::numeric)));
CONSTRAINT auto_trade_market_settings_pkey PRIMARY KEY (id);
CONSTRAINT auto_trade_market_settings_target_ask_quantity_check CHECK ((target_ask_quantity >= 0));
CONSTRAINT auto_trade_market_settings_target_bid_quantity_check CHECK ((target_bid_quantity >= 0));
CREATE UNIQUE INDEX auto_trade_market_settings_market_key ON public.auto_trade_market_settings USING btree (market);
CREATE UNIQUE INDEX auto_trade_market_settings_pkey ON public.auto_trade_market_settings USING btree (id);

TABLE auto_trade_rules (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  market_maker_id uuid NOT NULL
  name text NOT NULL
  side orderside NOT NULL
  is_enabled boolean NOT NULL DEFAULT false
  price_mode autotradepricemode NOT NULL
  spread numeric(12,6)
  min_spread numeric(12,6)
  max_spread numeric(12,6)
  market_offset numeric(12,6)
  quantity_mode autotradequantitymode NOT NULL
  fixed_quantity bigint
  balance_share numeric(12,6)
  min_quantity bigint
  max_quantity bigint
  interval_seconds integer NOT NULL DEFAULT 60
  last_executed_at timestamp with time zone
  next_execution_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  market markettype NOT NULL
  fixed_price numeric(20,4)
);
CONSTRAINT auto_trade_rules_balance_share_check CHECK (((balance_share IS NULL) OR ((balance_share >= (0)::numeric) AND (balance_share <= (1)::numeric))));
CONSTRAINT auto_trade_rules_cash_price_scale_check CHECK (((market <> 'CEA_CASH'::markettype) OR (fixed_price = round(fixed_price, 2)) OR (fixed_price IS NULL)));
CONSTRAINT auto_trade_rules_fixed_price_check CHECK (((fixed_price IS NULL) OR (fixed_price > (0)::numeric)));
CONSTRAINT auto_trade_rules_fixed_quantity_check CHECK (((fixed_quantity IS NULL) OR (fixed_quantity >= 0)));
CONSTRAINT auto_trade_rules_interval_seconds_check CHECK ((interval_seconds > 0));
CONSTRAINT auto_trade_rules_market_maker_id_fkey FOREIGN KEY (market_maker_id) REFERENCES market_maker_clients(id);
CONSTRAINT auto_trade_rules_market_offset_check CHECK (((market_offset IS NULL) OR ((market_offset >= ('-1'::integer)::numeric) AND (market_offset <= (1)::numeric))));
CONSTRAINT auto_trade_rules_max_quantity_check CHECK (((max_quantity IS NULL) OR (max_quantity >= 0)));
CONSTRAINT auto_trade_rules_max_spread_check CHECK (((max_spread IS NULL) OR ((max_spread >= (0)::numeric) AND (max_spread <= (1)::numeric))));
CONSTRAINT auto_trade_rules_min_quantity_check CHECK (((min_quantity IS NULL) OR (min_quantity >= 0)));
CONSTRAINT auto_trade_rules_min_spread_check CHECK (((min_spread IS NULL) OR ((min_spread >= (0)::numeric) AND (min_spread <= (1)::numeric))));
CONSTRAINT auto_trade_rules_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT auto_trade_rules_pkey PRIMARY KEY (id);
CONSTRAINT auto_trade_rules_quantity_range_check CHECK (((min_quantity IS NULL) OR (max_quantity IS NULL) OR (min_quantity <= max_quantity)));
CONSTRAINT auto_trade_rules_spread_check CHECK (((spread IS NULL) OR ((spread >= (0)::numeric) AND (spread <= (1)::numeric))));
CONSTRAINT auto_trade_rules_spread_range_check CHECK (((min_spread IS NULL) OR (max_spread IS NULL) OR (min_spread <= max_spread)));
CREATE INDEX auto_trade_rules_due_idx ON public.auto_trade_rules USING btree (next_execution_at) WHERE is_enabled;
CREATE INDEX auto_trade_rules_market_maker_id_idx ON public.auto_trade_rules USING btree (market_maker_id);
CREATE UNIQUE INDEX auto_trade_rules_pkey ON public.auto_trade_rules USING btree (id);

TABLE auto_trade_settings (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  is_enabled boolean NOT NULL DEFAULT false
  target_bid_quantity bigint NOT NULL DEFAULT 0
  target_ask_quantity bigint NOT NULL DEFAULT 0
  max_price_deviation numeric(12,6) NOT NULL DEFAULT 0
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT auto_trade_settings_max_price_deviation_check CHECK (((max_price_deviation >= (0)::numeric) AND (max_price_deviation <= (1)::numeric)));
CONSTRAINT auto_trade_settings_pkey PRIMARY KEY (id);
CONSTRAINT auto_trade_settings_target_ask_quantity_check CHECK ((target_ask_quantity >= 0));
CONSTRAINT auto_trade_settings_target_bid_quantity_check CHECK ((target_bid_quantity >= 0));
CREATE UNIQUE INDEX auto_trade_settings_pkey ON public.auto_trade_settings USING btree (id);

TABLE cash_market_trades (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  buy_order_id uuid NOT NULL
  sell_order_id uuid NOT NULL
  market_maker_id uuid
  quantity bigint NOT NULL
  executed_at timestamp with time zone NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
  market markettype NOT NULL
  price numeric(20,4) NOT NULL
  notional numeric(20,2) NOT NULL
  buyer_fee numeric(20,2) NOT NULL DEFAULT 0
  seller_fee numeric(20,2) NOT NULL DEFAULT 0
  buyer_fee_rate numeric(12,6) NOT NULL DEFAULT 0
  seller_fee_rate numeric(12,6) NOT NULL DEFAULT 0
  match_id text
  aggressor orderside
  market_sequence bigint
);
CONSTRAINT cash_market_trades_buy_order_id_fkey FOREIGN KEY (buy_order_id) REFERENCES orders(id);
CONSTRAINT cash_market_trades_buyer_fee_check CHECK ((buyer_fee >= (0)::numeric));
CONSTRAINT cash_market_trades_buyer_fee_rate_check CHECK (((buyer_fee_rate >= (0)::numeric) AND (buyer_fee_rate <= (1)::numeric)));
CONSTRAINT cash_market_trades_cash_price_scale_check CHECK (((market <> 'CEA_CASH'::markettype) OR (price = round(price, 2))));
CONSTRAINT cash_market_trades_market_maker_id_fkey FOREIGN KEY (market_maker_id) REFERENCES market_maker_clients(id);
CONSTRAINT cash_market_trades_market_sequence_check CHECK (((market_sequence IS NULL) OR (market_sequence >= 0)));
CONSTRAINT cash_market_trades_match_id_check CHECK (((match_id IS NULL) OR (match_id <> ''::text)));
CONSTRAINT cash_market_trades_notional_check CHECK ((notional >= (0)::numeric));
CONSTRAINT cash_market_trades_pkey PRIMARY KEY (id);
CONSTRAINT cash_market_trades_price_check CHECK ((price > (0)::numeric));
CONSTRAINT cash_market_trades_quantity_check CHECK ((quantity >= 1));
CONSTRAINT cash_market_trades_sell_order_id_fkey FOREIGN KEY (sell_order_id) REFERENCES orders(id);
CONSTRAINT cash_market_trades_seller_fee_check CHECK ((seller_fee >= (0)::numeric));
CONSTRAINT cash_market_trades_seller_fee_rate_check CHECK (((seller_fee_rate >= (0)::numeric) AND (seller_fee_rate <= (1)::numeric)));
CONSTRAINT cash_market_trades_swap_tonnes_check CHECK (((market = 'CEA_CASH'::markettype) OR ((notional = trunc(notional)) AND (buyer_fee = trunc(buyer_fee)) AND (seller_fee = trunc(seller_fee)))));
CONSTRAINT cash_market_trades_two_orders_check CHECK ((buy_order_id <> sell_order_id));
CREATE INDEX cash_market_trades_buy_order_id_idx ON public.cash_market_trades USING btree (buy_order_id);
CREATE INDEX cash_market_trades_market_executed_idx ON public.cash_market_trades USING btree (market, executed_at);
CREATE INDEX cash_market_trades_market_maker_id_idx ON public.cash_market_trades USING btree (market_maker_id);
CREATE UNIQUE INDEX cash_market_trades_market_match_key ON public.cash_market_trades USING btree (market, match_id) WHERE (match_id IS NOT NULL);
CREATE INDEX cash_market_trades_market_sequence_idx ON public.cash_market_trades USING btree (market, market_sequence, length(match_id), match_id);
CREATE UNIQUE INDEX cash_market_trades_pkey ON public.cash_market_trades USING btree (id);
CREATE INDEX cash_market_trades_sell_order_id_idx ON public.cash_market_trades USING btree (sell_order_id);

TABLE certificate_allocations (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  certificate_id uuid NOT NULL
  settlement_batch_id uuid NOT NULL
  allocated_by uuid NOT NULL
  released_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT certificate_allocations_allocated_by_fkey FOREIGN KEY (allocated_by) REFERENCES users(id);
CONSTRAINT certificate_allocations_certificate_id_fkey FOREIGN KEY (certificate_id) REFERENCES certificates(id);
CONSTRAINT certificate_allocations_pkey PRIMARY KEY (id);
CONSTRAINT certificate_allocations_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches(id);
CREATE INDEX certificate_allocations_allocated_by_idx ON public.certificate_allocations USING btree (allocated_by);
CREATE INDEX certificate_allocations_certificate_id_idx ON public.certificate_allocations USING btree (certificate_id);
CREATE UNIQUE INDEX certificate_allocations_open_key ON public.certificate_allocations USING btree (certificate_id) WHERE (released_at IS NULL);
CREATE UNIQUE INDEX certificate_allocations_pkey ON public.certificate_allocations USING btree (id);
CREATE INDEX certificate_allocations_settlement_batch_id_idx ON public.certificate_allocations USING btree (settlement_batch_id);

TABLE certificates (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid
  certificate_type certificatetype NOT NULL
  status certificatestatus NOT NULL DEFAULT 'AVAILABLE'::certificatestatus
  quantity bigint NOT NULL
  serial_number text NOT NULL
  vintage_year integer NOT NULL
  unit_price numeric(20,2)
  reserved_at timestamp with time zone
  sold_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  order_id uuid
);
CONSTRAINT certificates_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT certificates_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id);
CONSTRAINT certificates_order_reserved_check CHECK (((order_id IS NULL) OR (status <> 'AVAILABLE'::certificatestatus)));
CONSTRAINT certificates_pkey PRIMARY KEY (id);
CONSTRAINT certificates_quantity_check CHECK ((quantity >= 1));
CONSTRAINT certificates_serial_number_check CHECK (((btrim(serial_number) = serial_number) AND (serial_number <> ''::text)));
CONSTRAINT certificates_serial_number_key UNIQUE (serial_number);
CONSTRAINT certificates_unit_price_check CHECK (((unit_price IS NULL) OR (unit_price > (0)::numeric)));
CONSTRAINT certificates_vintage_year_check CHECK (((vintage_year >= 2005) AND (vintage_year <= 2100)));
CREATE INDEX certificates_entity_id_idx ON public.certificates USING btree (entity_id);
CREATE INDEX certificates_order_id_idx ON public.certificates USING btree (order_id);
CREATE UNIQUE INDEX certificates_pkey ON public.certificates USING btree (id);
CREATE UNIQUE INDEX certificates_serial_number_key ON public.certificates USING btree (serial_number);

TABLE contact_requests (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_name text NOT NULL
  contact_email text NOT NULL
  contact_first_name text NOT NULL
  contact_last_name text NOT NULL
  position text
  jurisdiction jurisdiction
  status contactstatus NOT NULL DEFAULT 'NDA'::contactstatus
  agent_id uuid
  nda_file_name text
  nda_signed_at timestamp with time zone
  notes text
  submitter_ip text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT contact_requests_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES users(id);
CONSTRAINT contact_requests_contact_email_check CHECK (((contact_email = lower(contact_email)) AND (contact_email ~~ '%_@_%._%'::text)));
CONSTRAINT contact_requests_contact_first_name_check CHECK (((btrim(contact_first_name) = contact_first_name) AND (contact_first_name <> ''::text)));
CONSTRAINT contact_requests_contact_last_name_check CHECK (((btrim(contact_last_name) = contact_last_name) AND (contact_last_name <> ''::text)));
CONSTRAINT contact_requests_entity_name_check CHECK (((btrim(entity_name) = entity_name) AND (entity_name <> ''::text)));
CONSTRAINT contact_requests_nda_file_name_check CHECK (((nda_file_name IS NULL) OR ((btrim(nda_file_name) = nda_file_name) AND (nda_file_name <> ''::text))));
CONSTRAINT contact_requests_pkey PRIMARY KEY (id);
CONSTRAINT contact_requests_position_check CHECK ((("position" IS NULL) OR ((btrim("position") = "position") AND ("position" <> ''::text))));
CONSTRAINT contact_requests_submitter_ip_check CHECK (((submitter_ip IS NULL) OR ((btrim(submitter_ip) = submitter_ip) AND (submitter_ip <> ''::text))));
CREATE INDEX contact_requests_agent_id_idx ON public.contact_requests USING btree (agent_id);
CREATE UNIQUE INDEX contact_requests_pkey ON public.contact_requests USING btree (id);

TABLE deposits (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid NOT NULL
  user_id uuid NOT NULL
  amount numeric(20,2) NOT NULL
  wire_reference text NOT NULL
  bank_reference text
  status depositstatus NOT NULL DEFAULT 'PENDING'::depositstatus
  confirmed_by uuid
  confirmed_at timestamp with time zone
  aml_status amlstatus NOT NULL DEFAULT 'PENDING'::amlstatus
  hold_type holdtype
  hold_business_days integer
  hold_until timestamp with time zone
  cleared_by_admin_id uuid
  cleared_at timestamp with time zone
  clear_reason text
  rejected_by_admin_id uuid
  rejected_at timestamp with time zone
  rejection_reason text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  manual_review boolean NOT NULL DEFAULT false
);
CONSTRAINT deposits_amount_check CHECK ((amount > (0)::numeric));
CONSTRAINT deposits_bank_reference_check CHECK (((bank_reference IS NULL) OR ((btrim(bank_reference) = bank_reference) AND (bank_reference <> ''::text))));
CONSTRAINT deposits_clear_reason_check CHECK (((clear_reason IS NULL) OR ((btrim(clear_reason) = clear_reason) AND (clear_reason <> ''::text))));
CONSTRAINT deposits_cleared_by_admin_id_fkey FOREIGN KEY (cleared_by_admin_id) REFERENCES users(id);
CONSTRAINT deposits_cleared_check CHECK (((status <> 'CLEARED'::depositstatus) OR (cleared_at IS NOT NULL)));
CONSTRAINT deposits_confirmed_by_fkey FOREIGN KEY (confirmed_by) REFERENCES users(id);
CONSTRAINT deposits_confirmed_check CHECK (((status = ANY (ARRAY['PENDING'::depositstatus, 'REJECTED'::depositstatus])) OR ((confirmed_at IS NOT NULL) AND (confirmed_by IS NOT NULL))));
CONSTRAINT deposits_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT deposits_hold_business_days_check CHECK (((hold_business_days IS NULL) OR (hold_business_days >= 0)));
CONSTRAINT deposits_hold_check CHECK (((hold_type IS NULL) = (hold_business_days IS NULL)));
CONSTRAINT deposits_manual_review_check CHECK (((NOT manual_review) OR (status = 'ON_HOLD'::depositstatus)));
CONSTRAINT deposits_on_hold_check CHECK (((status <> 'ON_HOLD'::depositstatus) OR ((hold_type IS NOT NULL) AND (hold_until IS NOT NULL))));
CONSTRAINT deposits_pkey PRIMARY KEY (id);
CONSTRAINT deposits_rejected_by_admin_id_fkey FOREIGN KEY (rejected_by_admin_id) REFERENCES users(id);
CONSTRAINT deposits_rejected_check CHECK (((status <> 'REJECTED'::depositstatus) OR (rejected_at IS NOT NULL)));
CONSTRAINT deposits_rejection_reason_check CHECK (((rejection_reason IS NULL) OR ((btrim(rejection_reason) = rejection_reason) AND (rejection_reason <> ''::text))));
CONSTRAINT deposits_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CONSTRAINT deposits_wire_reference_check CHECK (((btrim(wire_reference) = wire_reference) AND (wire_reference <> ''::text)));
CREATE INDEX deposits_cleared_by_admin_id_idx ON public.deposits USING btree (cleared_by_admin_id);
CREATE INDEX deposits_confirmed_by_idx ON public.deposits USING btree (confirmed_by);
CREATE INDEX deposits_entity_id_idx ON public.deposits USING btree (entity_id);
CREATE INDEX deposits_on_hold_release_idx ON public.deposits USING btree (hold_until) WHERE (status = 'ON_HOLD'::depositstatus);
CREATE UNIQUE INDEX deposits_pkey ON public.deposits USING btree (id);
CREATE INDEX deposits_rejected_by_admin_id_idx ON public.deposits USING btree (rejected_by_admin_id);
CREATE INDEX deposits_status_idx ON public.deposits USING btree (status, created_at);
CREATE INDEX deposits_user_id_idx ON public.deposits USING btree (user_id);

TABLE effect_sql_migrations (
  migration_id integer NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
  name text NOT NULL
);
CONSTRAINT effect_sql_migrations_pkey PRIMARY KEY (migration_id);
CREATE UNIQUE INDEX effect_sql_migrations_pkey ON public.effect_sql_migrations USING btree (migration_id);

TABLE entities (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  name text NOT NULL
  registration_number text
  jurisdiction jurisdiction NOT NULL
  address text
  website text
  kyc_status kycstatus NOT NULL DEFAULT 'PENDING'::kycstatus
  kyc_submitted_at timestamp with time zone
  kyc_approved_at timestamp with time zone
  kyc_approved_by uuid
  kyc_rejection_reason text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT entities_address_check CHECK (((address IS NULL) OR ((btrim(address) = address) AND (address <> ''::text))));
CONSTRAINT entities_kyc_approved_by_fkey FOREIGN KEY (kyc_approved_by) REFERENCES users(id);
CONSTRAINT entities_kyc_rejection_reason_check CHECK (((kyc_rejection_reason IS NULL) OR ((btrim(kyc_rejection_reason) = kyc_rejection_reason) AND (kyc_rejection_reason <> ''::text))));
CONSTRAINT entities_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT entities_pkey PRIMARY KEY (id);
CONSTRAINT entities_registration_number_check CHECK (((registration_number IS NULL) OR ((btrim(registration_number) = registration_number) AND (registration_number <> ''::text))));
CONSTRAINT entities_website_check CHECK (((website IS NULL) OR ((btrim(website) = website) AND (website <> ''::text))));
CREATE INDEX entities_kyc_approved_by_idx ON public.entities USING btree (kyc_approved_by);
CREATE UNIQUE INDEX entities_pkey ON public.entities USING btree (id);

TABLE entity_fee_overrides (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid NOT NULL
  market markettype NOT NULL
  buyer_rate numeric(12,6)
  seller_rate numeric(12,6)
  is_active boolean NOT NULL DEFAULT true
  reason text
  updated_by uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT entity_fee_overrides_buyer_rate_check CHECK (((buyer_rate IS NULL) OR ((buyer_rate >= (0)::numeric) AND (buyer_rate <= (1)::numeric))));
CONSTRAINT entity_fee_overrides_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT entity_fee_overrides_pkey PRIMARY KEY (id);
CONSTRAINT entity_fee_overrides_reason_check CHECK (((reason IS NULL) OR ((btrim(reason) = reason) AND (reason <> ''::text))));
CONSTRAINT entity_fee_overrides_seller_rate_check CHECK (((seller_rate IS NULL) OR ((seller_rate >= (0)::numeric) AND (seller_rate <= (1)::numeric))));
CONSTRAINT entity_fee_overrides_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users(id);
CREATE UNIQUE INDEX entity_fee_overrides_active_key ON public.entity_fee_overrides USING btree (entity_id, market) WHERE is_active;
CREATE INDEX entity_fee_overrides_entity_id_idx ON public.entity_fee_overrides USING btree (entity_id);
CREATE UNIQUE INDEX entity_fee_overrides_pkey ON public.entity_fee_overrides USING btree (id);
CREATE INDEX entity_fee_overrides_updated_by_idx ON public.entity_fee_overrides USING btree (updated_by);

TABLE entity_holdings (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid NOT NULL
  asset_type assettype NOT NULL
  available numeric(20,2) NOT NULL DEFAULT 0
  locked numeric(20,2) NOT NULL DEFAULT 0
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT entity_holdings_available_check CHECK ((available >= (0)::numeric));
CONSTRAINT entity_holdings_entity_asset_key UNIQUE (entity_id, asset_type);
CONSTRAINT entity_holdings_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT entity_holdings_locked_check CHECK ((locked >= (0)::numeric));
CONSTRAINT entity_holdings_pkey PRIMARY KEY (id);
CONSTRAINT entity_holdings_whole_tonnes_check CHECK (((asset_type = 'EUR'::assettype) OR ((available = trunc(available)) AND (locked = trunc(locked)))));
CREATE UNIQUE INDEX entity_holdings_entity_asset_key ON public.entity_holdings USING btree (entity_id, asset_type);
CREATE UNIQUE INDEX entity_holdings_pkey ON public.entity_holdings USING btree (id);

TABLE exchange_rate_history (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  source_id uuid NOT NULL
  base_currency currency NOT NULL
  quote_currency currency NOT NULL
  rate numeric(20,6) NOT NULL
  recorded_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT exchange_rate_history_pair_check CHECK ((base_currency <> quote_currency));
CONSTRAINT exchange_rate_history_pkey PRIMARY KEY (id);
CONSTRAINT exchange_rate_history_rate_check CHECK ((rate > (0)::numeric));
CONSTRAINT exchange_rate_history_source_id_fkey FOREIGN KEY (source_id) REFERENCES exchange_rate_sources(id);
CREATE INDEX exchange_rate_history_pair_idx ON public.exchange_rate_history USING btree (base_currency, quote_currency, recorded_at);
CREATE UNIQUE INDEX exchange_rate_history_pkey ON public.exchange_rate_history USING btree (id);
CREATE INDEX exchange_rate_history_source_id_idx ON public.exchange_rate_history USING btree (source_id);

TABLE exchange_rate_sources (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  name text NOT NULL
  url text NOT NULL
  base_currency currency NOT NULL
  quote_currency currency NOT NULL
  is_active boolean NOT NULL DEFAULT true
  interval_seconds integer NOT NULL DEFAULT 3600
  last_rate numeric(20,6)
  last_fetched_at timestamp with time zone
  last_status scrapestatus
  last_error text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  selector text
);
CONSTRAINT exchange_rate_sources_interval_seconds_check CHECK ((interval_seconds > 0));
CONSTRAINT exchange_rate_sources_last_rate_check CHECK (((last_rate IS NULL) OR (last_rate > (0)::numeric)));
CONSTRAINT exchange_rate_sources_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT exchange_rate_sources_pair_check CHECK ((base_currency <> quote_currency));
CONSTRAINT exchange_rate_sources_pkey PRIMARY KEY (id);
CONSTRAINT exchange_rate_sources_selector_check CHECK (((selector IS NULL) OR ((btrim(selector) = selector) AND (selector <> ''::text))));
CONSTRAINT exchange_rate_sources_url_check CHECK (((btrim(url) = url) AND (url <> ''::text)));
CREATE UNIQUE INDEX exchange_rate_sources_pkey ON public.exchange_rate_sources USING btree (id);

TABLE funding_settings (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  key text NOT NULL
  value jsonb NOT NULL
  updated_by uuid NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT funding_settings_key_check CHECK ((key = ANY (ARRAY['aml_policy'::text, 'withdrawal_limits'::text])));
CONSTRAINT funding_settings_key_key UNIQUE (key);
CONSTRAINT funding_settings_pkey PRIMARY KEY (id);
CONSTRAINT funding_settings_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users(id);
CONSTRAINT funding_settings_value_check CHECK ((jsonb_typeof(value) = 'object'::text));
CREATE UNIQUE INDEX funding_settings_key_key ON public.funding_settings USING btree (key);
CREATE UNIQUE INDEX funding_settings_pkey ON public.funding_settings USING btree (id);
CREATE INDEX funding_settings_updated_by_idx ON public.funding_settings USING btree (updated_by);

TABLE idempotency_keys (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  principal text NOT NULL
  key text NOT NULL
  endpoint text NOT NULL
  request_hash text NOT NULL
  response jsonb NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT idempotency_keys_endpoint_check CHECK (((btrim(endpoint) = endpoint) AND (endpoint <> ''::text)));
CONSTRAINT idempotency_keys_key_check CHECK ((key ~ '^[!-~]{1,255}$'::text));
CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id);
CONSTRAINT idempotency_keys_principal_check CHECK (((btrim(principal) = principal) AND (principal <> ''::text)));
CONSTRAINT idempotency_keys_principal_key_key UNIQUE (principal, key);
CONSTRAINT idempotency_keys_request_hash_check CHECK ((request_hash ~ '^[0-9a-f]{64}$'::text));
CREATE INDEX idempotency_keys_created_idx ON public.idempotency_keys USING btree (created_at);
CREATE UNIQUE INDEX idempotency_keys_pkey ON public.idempotency_keys USING btree (id);
CREATE UNIQUE INDEX idempotency_keys_principal_key_key ON public.idempotency_keys USING btree (principal, key);

TABLE jobs (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  kind text NOT NULL
  key text NOT NULL
  payload jsonb NOT NULL DEFAULT 'null'::jsonb
  status text NOT NULL DEFAULT 'PENDING'::text
  run_at timestamp with time zone NOT NULL
  repeat_ms integer
  attempts integer NOT NULL DEFAULT 0
  max_attempts integer NOT NULL DEFAULT 10
  leased_by text
  leased_until timestamp with time zone
  last_error text
  finished_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT jobs_attempts_check CHECK ((attempts >= 0));
CONSTRAINT jobs_finished_has_time CHECK (((status = ANY (ARRAY['DONE'::text, 'FAILED'::text])) = (finished_at IS NOT NULL)));
CONSTRAINT jobs_key_check CHECK (((btrim(key) = key) AND (key <> ''::text)));
CONSTRAINT jobs_kind_check CHECK (((btrim(kind) = kind) AND (kind <> ''::text)));
CONSTRAINT jobs_kind_key_key UNIQUE (kind, key);
CONSTRAINT jobs_max_attempts_check CHECK ((max_attempts > 0));
CONSTRAINT jobs_pkey PRIMARY KEY (id);
CONSTRAINT jobs_repeat_ms_check CHECK (((repeat_ms IS NULL) OR (repeat_ms > 0)));
CONSTRAINT jobs_running_is_leased CHECK (((status = 'RUNNING'::text) = ((leased_by IS NOT NULL) AND (leased_until IS NOT NULL))));
CONSTRAINT jobs_status_check CHECK ((status = ANY (ARRAY['PENDING'::text, 'RUNNING'::text, 'DONE'::text, 'FAILED'::text])));
CREATE INDEX jobs_due_idx ON public.jobs USING btree (run_at) WHERE (status = 'PENDING'::text);
CREATE UNIQUE INDEX jobs_kind_key_key ON public.jobs USING btree (kind, key);
CREATE INDEX jobs_lease_idx ON public.jobs USING btree (leased_until) WHERE (status = 'RUNNING'::text);
CREATE UNIQUE INDEX jobs_pkey ON public.jobs USING btree (id);

TABLE kyc_documents (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  entity_id uuid NOT NULL
  document_type documenttype NOT NULL
  status documentstatus NOT NULL DEFAULT 'PENDING'::documentstatus
  file_name text NOT NULL
  storage_key text NOT NULL
  mime_type text NOT NULL
  size_bytes integer NOT NULL
  sha256 text NOT NULL
  reviewed_by uuid
  reviewed_at timestamp with time zone
  rejection_reason text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT kyc_documents_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT kyc_documents_file_name_check CHECK (((btrim(file_name) = file_name) AND (file_name <> ''::text)));
CONSTRAINT kyc_documents_mime_type_check CHECK (((btrim(mime_type) = mime_type) AND (mime_type <> ''::text)));
CONSTRAINT kyc_documents_pkey PRIMARY KEY (id);
CONSTRAINT kyc_documents_rejection_reason_check CHECK (((rejection_reason IS NULL) OR ((btrim(rejection_reason) = rejection_reason) AND (rejection_reason <> ''::text))));
CONSTRAINT kyc_documents_reviewed_by_fkey FOREIGN KEY (reviewed_by) REFERENCES users(id);
CONSTRAINT kyc_documents_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text));
CONSTRAINT kyc_documents_size_bytes_check CHECK ((size_bytes >= 0));
CONSTRAINT kyc_documents_storage_key_check CHECK (((btrim(storage_key) = storage_key) AND (storage_key <> ''::text)));
CONSTRAINT kyc_documents_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE INDEX kyc_documents_entity_id_idx ON public.kyc_documents USING btree (entity_id);
CREATE UNIQUE INDEX kyc_documents_pkey ON public.kyc_documents USING btree (id);
CREATE INDEX kyc_documents_reviewed_by_idx ON public.kyc_documents USING btree (reviewed_by);
CREATE INDEX kyc_documents_user_id_idx ON public.kyc_documents USING btree (user_id);

TABLE liquidity_operations (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  market markettype NOT NULL
  target_bid_quantity bigint NOT NULL
  target_ask_quantity bigint NOT NULL
  placed_bid_quantity bigint NOT NULL DEFAULT 0
  placed_ask_quantity bigint NOT NULL DEFAULT 0
  orders_placed integer NOT NULL DEFAULT 0
  reason text
  created_by uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT liquidity_operations_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id);
CONSTRAINT liquidity_operations_orders_placed_check CHECK ((orders_placed >= 0));
CONSTRAINT liquidity_operations_pkey PRIMARY KEY (id);
CONSTRAINT liquidity_operations_placed_ask_quantity_check CHECK ((placed_ask_quantity >= 0));
CONSTRAINT liquidity_operations_placed_bid_quantity_check CHECK ((placed_bid_quantity >= 0));
CONSTRAINT liquidity_operations_reason_check CHECK (((reason IS NULL) OR ((btrim(reason) = reason) AND (reason <> ''::text))));
CONSTRAINT liquidity_operations_target_ask_quantity_check CHECK ((target_ask_quantity >= 0));
CONSTRAINT liquidity_operations_target_bid_quantity_check CHECK ((target_bid_quantity >= 0));
CREATE INDEX liquidity_operations_created_by_idx ON public.liquidity_operations USING btree (created_by);
CREATE UNIQUE INDEX liquidity_operations_pkey ON public.liquidity_operations USING btree (id);

TABLE magic_link_tokens (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  token_hash text NOT NULL
  purpose text NOT NULL
  expires_at timestamp with time zone NOT NULL
  used_at timestamp with time zone
  ip_address text
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT magic_link_tokens_ip_address_check CHECK (((ip_address IS NULL) OR ((btrim(ip_address) = ip_address) AND (ip_address <> ''::text))));
CONSTRAINT magic_link_tokens_pkey PRIMARY KEY (id);
CONSTRAINT magic_link_tokens_purpose_check CHECK ((purpose = ANY (ARRAY['LOGIN'::text, 'INVITE'::text])));
CONSTRAINT magic_link_tokens_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text));
CONSTRAINT magic_link_tokens_token_hash_key UNIQUE (token_hash);
CONSTRAINT magic_link_tokens_used_after_created CHECK (((used_at IS NULL) OR (used_at >= created_at)));
CONSTRAINT magic_link_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE UNIQUE INDEX magic_link_tokens_pkey ON public.magic_link_tokens USING btree (id);
CREATE UNIQUE INDEX magic_link_tokens_token_hash_key ON public.magic_link_tokens USING btree (token_hash);
CREATE INDEX magic_link_tokens_user_id_idx ON public.magic_link_tokens USING btree (user_id, created_at);

TABLE mail_config (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  provider mailprovider NOT NULL
  from_email text NOT NULL
  from_name text
  reply_to text
  resend_api_key text
  smtp_host text
  smtp_port integer
  smtp_username text
  smtp_password text
  smtp_use_tls boolean NOT NULL DEFAULT true
  is_active boolean NOT NULL DEFAULT false
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT mail_config_from_email_check CHECK (((from_email = lower(from_email)) AND (from_email ~~ '%_@_%._%'::text)));
CONSTRAINT mail_config_from_name_check CHECK (((from_name IS NULL) OR ((btrim(from_name) = from_name) AND (from_name <> ''::text))));
CONSTRAINT mail_config_pkey PRIMARY KEY (id);
CONSTRAINT mail_config_reply_to_check CHECK (((reply_to IS NULL) OR ((reply_to = lower(reply_to)) AND (reply_to ~~ '%_@_%._%'::text))));
CONSTRAINT mail_config_smtp_host_check CHECK (((smtp_host IS NULL) OR ((btrim(smtp_host) = smtp_host) AND (smtp_host <> ''::text))));
CONSTRAINT mail_config_smtp_port_check CHECK (((smtp_port IS NULL) OR ((smtp_port >= 1) AND (smtp_port <= 65535))));
CONSTRAINT mail_config_smtp_username_check CHECK (((smtp_username IS NULL) OR ((btrim(smtp_username) = smtp_username) AND (smtp_username <> ''::text))));
CREATE UNIQUE INDEX mail_config_active_key ON public.mail_config USING btree ((true)) WHERE is_active;
CREATE UNIQUE INDEX mail_config_pkey ON public.mail_config USING btree (id);

TABLE mail_outbox (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  kind text NOT NULL
  to_email text NOT NULL
  subject text NOT NULL
  text_body text NOT NULL
  html_body text
  status text NOT NULL DEFAULT 'PENDING'::text
  attempts integer NOT NULL DEFAULT 0
  next_attempt_at timestamp with time zone NOT NULL DEFAULT now()
  last_error text
  provider text
  provider_message_id text
  sent_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT mail_outbox_attempts_check CHECK ((attempts >= 0));
CONSTRAINT mail_outbox_kind_check CHECK (((btrim(kind) = kind) AND (kind <> ''::text)));
CONSTRAINT mail_outbox_pkey PRIMARY KEY (id);
CONSTRAINT mail_outbox_sent_has_time CHECK (((status = 'SENT'::text) = (sent_at IS NOT NULL)));
CONSTRAINT mail_outbox_status_check CHECK ((status = ANY (ARRAY['PENDING'::text, 'SENT'::text, 'FAILED'::text])));
CONSTRAINT mail_outbox_subject_check CHECK (((btrim(subject) = subject) AND (subject <> ''::text)));
CONSTRAINT mail_outbox_to_email_check CHECK (((to_email = lower(to_email)) AND (to_email ~~ '%_@_%._%'::text)));
CREATE INDEX mail_outbox_due_idx ON public.mail_outbox USING btree (next_attempt_at) WHERE (status = 'PENDING'::text);
CREATE UNIQUE INDEX mail_outbox_pkey ON public.mail_outbox USING btree (id);

TABLE market_commands (
  market markettype NOT NULL
  sequence bigint NOT NULL
  command jsonb NOT NULL
  order_id uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT market_commands_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id);
CONSTRAINT market_commands_pkey PRIMARY KEY (market, sequence);
CONSTRAINT market_commands_sequence_check CHECK ((sequence >= 0));
CREATE INDEX market_commands_order_id_idx ON public.market_commands USING btree (order_id);
CREATE UNIQUE INDEX market_commands_pkey ON public.market_commands USING btree (market, sequence);

TABLE market_maker_clients (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  name text NOT NULL
  mm_type marketmakertype NOT NULL
  anonymous_code text NOT NULL
  description text
  is_active boolean NOT NULL DEFAULT true
  created_by uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT market_maker_clients_anonymous_code_check CHECK (((btrim(anonymous_code) = anonymous_code) AND (anonymous_code <> ''::text)));
CONSTRAINT market_maker_clients_anonymous_code_key UNIQUE (anonymous_code);
CONSTRAINT market_maker_clients_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id);
CONSTRAINT market_maker_clients_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT market_maker_clients_pkey PRIMARY KEY (id);
CONSTRAINT market_maker_clients_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CONSTRAINT market_maker_clients_user_id_key UNIQUE (user_id);
CREATE UNIQUE INDEX market_maker_clients_anonymous_code_key ON public.market_maker_clients USING btree (anonymous_code);
CREATE INDEX market_maker_clients_created_by_idx ON public.market_maker_clients USING btree (created_by);
CREATE UNIQUE INDEX market_maker_clients_pkey ON public.market_maker_clients USING btree (id);
CREATE UNIQUE INDEX market_maker_clients_user_id_key ON public.market_maker_clients USING btree (user_id);

TABLE market_snapshots (
  market markettype NOT NULL
  sequence bigint NOT NULL
  book_hash text NOT NULL
  snapshot jsonb NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT market_snapshots_book_hash_check CHECK ((book_hash ~ '^[0-9a-f]{64}$'::text));
CONSTRAINT market_snapshots_pkey PRIMARY KEY (market, sequence);
CONSTRAINT market_snapshots_sequence_check CHECK ((sequence >= '-1'::integer));
CREATE UNIQUE INDEX market_snapshots_pkey ON public.market_snapshots USING btree (market, sequence);

TABLE orders (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid
  market_maker_id uuid
  seller_id uuid
  side orderside NOT NULL
  status orderstatus NOT NULL DEFAULT 'OPEN'::orderstatus
  quantity bigint NOT NULL
  filled_quantity bigint NOT NULL DEFAULT 0
  client_reference text
  cancelled_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  market markettype NOT NULL
  price numeric(20,4) NOT NULL
  order_type text NOT NULL DEFAULT 'LIMIT'::text
  time_in_force text NOT NULL DEFAULT 'GTC'::text
  post_only boolean NOT NULL DEFAULT false
  budget numeric(20,2)
  fee_rate numeric(12,6) NOT NULL DEFAULT 0
  locked_amount numeric(20,2) NOT NULL DEFAULT 0
  filled_notional numeric(20,2) NOT NULL DEFAULT 0
  fees_paid numeric(20,2) NOT NULL DEFAULT 0
  market_sequence bigint
);
CONSTRAINT orders_budget_check CHECK (((budget IS NULL) OR (budget > (0)::numeric)));
CONSTRAINT orders_budget_market_buy_check CHECK (((budget IS NULL) OR ((order_type = 'MARKET'::text) AND (side = 'BUY'::orderside))));
CONSTRAINT orders_cancelled_check CHECK (((status <> 'CANCELLED'::orderstatus) OR (cancelled_at IS NOT NULL)));
CONSTRAINT orders_cash_price_scale_check CHECK (((market <> 'CEA_CASH'::markettype) OR (price = round(price, 2))));
CONSTRAINT orders_client_reference_check CHECK (((client_reference IS NULL) OR ((btrim(client_reference) = client_reference) AND (client_reference <> ''::text))));
CONSTRAINT orders_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT orders_fee_rate_check CHECK (((fee_rate >= (0)::numeric) AND (fee_rate <= (1)::numeric)));
CONSTRAINT orders_fees_paid_check CHECK ((fees_paid >= (0)::numeric));
CONSTRAINT orders_filled_check CHECK (((filled_quantity <= quantity) AND ((status <> 'FILLED'::orderstatus) OR (filled_quantity = quantity))));
CONSTRAINT orders_filled_notional_check CHECK ((filled_notional >= (0)::numeric));
CONSTRAINT orders_filled_quantity_check CHECK ((filled_quantity >= 0));
CONSTRAINT orders_locked_amount_check CHECK ((locked_amount >= (0)::numeric));
CONSTRAINT orders_market_maker_id_fkey FOREIGN KEY (market_maker_id) REFERENCES market_maker_clients(id);
CONSTRAINT orders_market_sequence_check CHECK (((market_sequence IS NULL) OR (market_sequence >= 0)));
CONSTRAINT orders_market_time_in_force_check CHECK (((order_type = 'LIMIT'::text) OR (time_in_force <> 'GTC'::text)));
CONSTRAINT orders_one_owner_check CHECK ((num_nonnulls(entity_id, market_maker_id, seller_id) = 1));
CONSTRAINT orders_order_type_check CHECK ((order_type = ANY (ARRAY['LIMIT'::text, 'MARKET'::text])));
CONSTRAINT orders_pkey PRIMARY KEY (id);
CONSTRAINT orders_post_only_check CHECK (((NOT post_only) OR ((order_type = 'LIMIT'::text) AND (time_in_force = 'GTC'::text))));
CONSTRAINT orders_price_check CHECK ((price > (0)::numeric));
CONSTRAINT orders_quantity_check CHECK ((quantity >= 1));
CONSTRAINT orders_sell_lock_check CHECK (((side = 'BUY'::orderside) OR (locked_amount = (0)::numeric)));
CONSTRAINT orders_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES sellers(id);
CONSTRAINT orders_time_in_force_check CHECK ((time_in_force = ANY (ARRAY['GTC'::text, 'IOC'::text, 'FOK'::text])));
CREATE UNIQUE INDEX orders_entity_client_reference_key ON public.orders USING btree (entity_id, client_reference) WHERE ((client_reference IS NOT NULL) AND (entity_id IS NOT NULL));
CREATE INDEX orders_entity_created_idx ON public.orders USING btree (entity_id, created_at DESC, id DESC);
CREATE INDEX orders_entity_id_idx ON public.orders USING btree (entity_id);
CREATE UNIQUE INDEX orders_market_maker_client_reference_key ON public.orders USING btree (market_maker_id, client_reference) WHERE ((client_reference IS NOT NULL) AND (market_maker_id IS NOT NULL));
CREATE INDEX orders_market_maker_id_idx ON public.orders USING btree (market_maker_id);
CREATE INDEX orders_open_book_idx ON public.orders USING btree (market, side, price, created_at) WHERE (status = ANY (ARRAY['OPEN'::orderstatus, 'PARTIALLY_FILLED'::orderstatus]));
CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id);
CREATE INDEX orders_seller_id_idx ON public.orders USING btree (seller_id);

TABLE price_history (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  certificate_type certificatetype NOT NULL
  price numeric(20,4) NOT NULL
  currency currency NOT NULL
  scraping_source_id uuid
  recorded_at timestamp with time zone NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT price_history_pkey PRIMARY KEY (id);
CONSTRAINT price_history_price_check CHECK ((price > (0)::numeric));
CONSTRAINT price_history_scraping_source_id_fkey FOREIGN KEY (scraping_source_id) REFERENCES scraping_sources(id);
CREATE INDEX price_history_latest_idx ON public.price_history USING btree (certificate_type, currency, recorded_at DESC);
CREATE UNIQUE INDEX price_history_pkey ON public.price_history USING btree (id);
CREATE INDEX price_history_scraping_source_id_idx ON public.price_history USING btree (scraping_source_id);

TABLE scraping_sources (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  name text NOT NULL
  url text NOT NULL
  certificate_type certificatetype NOT NULL
  currency currency NOT NULL
  library scrapelibrary NOT NULL
  selector text
  is_active boolean NOT NULL DEFAULT true
  interval_seconds integer NOT NULL DEFAULT 3600
  last_scraped_at timestamp with time zone
  last_status scrapestatus
  last_error text
  last_price numeric(20,4)
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT scraping_sources_interval_seconds_check CHECK ((interval_seconds > 0));
CONSTRAINT scraping_sources_last_price_check CHECK (((last_price IS NULL) OR (last_price > (0)::numeric)));
CONSTRAINT scraping_sources_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT scraping_sources_pkey PRIMARY KEY (id);
CONSTRAINT scraping_sources_selector_check CHECK (((selector IS NULL) OR ((btrim(selector) = selector) AND (selector <> ''::text))));
CONSTRAINT scraping_sources_url_check CHECK (((btrim(url) = url) AND (url <> ''::text)));
CREATE UNIQUE INDEX scraping_sources_pkey ON public.scraping_sources USING btree (id);

TABLE seller_certificates (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  seller_id uuid NOT NULL
  certificate_id uuid NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT seller_certificates_certificate_id_fkey FOREIGN KEY (certificate_id) REFERENCES certificates(id);
CONSTRAINT seller_certificates_certificate_id_key UNIQUE (certificate_id);
CONSTRAINT seller_certificates_pkey PRIMARY KEY (id);
CONSTRAINT seller_certificates_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES sellers(id);
CREATE UNIQUE INDEX seller_certificates_certificate_id_key ON public.seller_certificates USING btree (certificate_id);
CREATE UNIQUE INDEX seller_certificates_pkey ON public.seller_certificates USING btree (id);
CREATE INDEX seller_certificates_seller_id_idx ON public.seller_certificates USING btree (seller_id);

TABLE sellers (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  name text NOT NULL
  code text NOT NULL
  jurisdiction jurisdiction NOT NULL
  contact_email text
  registry_account text
  is_active boolean NOT NULL DEFAULT true
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT sellers_code_check CHECK (((btrim(code) = code) AND (code <> ''::text)));
CONSTRAINT sellers_code_key UNIQUE (code);
CONSTRAINT sellers_contact_email_check CHECK (((contact_email IS NULL) OR ((contact_email = lower(contact_email)) AND (contact_email ~~ '%_@_%._%'::text))));
CONSTRAINT sellers_name_check CHECK (((btrim(name) = name) AND (name <> ''::text)));
CONSTRAINT sellers_pkey PRIMARY KEY (id);
CONSTRAINT sellers_registry_account_check CHECK (((registry_account IS NULL) OR ((btrim(registry_account) = registry_account) AND (registry_account <> ''::text))));
CREATE UNIQUE INDEX sellers_code_key ON public.sellers USING btree (code);
CREATE UNIQUE INDEX sellers_pkey ON public.sellers USING btree (id);

TABLE settlement_batches (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  batch_reference text NOT NULL
  entity_id uuid NOT NULL
  order_id uuid
  cash_market_trade_id uuid
  swap_request_id uuid
  status settlementstatus NOT NULL DEFAULT 'PENDING'::settlementstatus
  quantity bigint NOT NULL
  executed_at timestamp with time zone NOT NULL
  trade_date date NOT NULL
  expected_settlement_date date NOT NULL
  registry_reference text
  settled_at timestamp with time zone
  failed_at timestamp with time zone
  failure_reason text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  settlement_type settlementtype NOT NULL
  asset_type assettype NOT NULL
  price numeric(20,4) NOT NULL
  total_amount numeric(20,2) NOT NULL
  reschedule_pending boolean NOT NULL DEFAULT false
);
CONSTRAINT settlement_batches_batch_reference_check CHECK (((btrim(batch_reference) = batch_reference) AND (batch_reference <> ''::text)));
CONSTRAINT settlement_batches_batch_reference_key UNIQUE (batch_reference);
CONSTRAINT settlement_batches_cash_market_trade_id_fkey FOREIGN KEY (cash_market_trade_id) REFERENCES cash_market_trades(id);
CONSTRAINT settlement_batches_cash_price_scale_check CHECK (((settlement_type <> 'CEA_PURCHASE'::settlementtype) OR (price = round(price, 2))));
CONSTRAINT settlement_batches_dates_check CHECK ((expected_settlement_date >= trade_date));
CONSTRAINT settlement_batches_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT settlement_batches_failed_check CHECK (((status <> 'FAILED'::settlementstatus) OR ((failed_at IS NOT NULL) AND (failure_reason IS NOT NULL))));
CONSTRAINT settlement_batches_failure_reason_check CHECK (((failure_reason IS NULL) OR ((btrim(failure_reason) = failure_reason) AND (failure_reason <> ''::text))));
CONSTRAINT settlement_batches_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders(id);
CONSTRAINT settlement_batches_pkey PRIMARY KEY (id);
CONSTRAINT settlement_batches_price_check CHECK ((price > (0)::numeric));
CONSTRAINT settlement_batches_quantity_check CHECK ((quantity >= 1));
CONSTRAINT settlement_batches_registry_reference_check CHECK (((registry_reference IS NULL) OR ((btrim(registry_reference) = registry_reference) AND (registry_reference <> ''::text))));
CONSTRAINT settlement_batches_settled_check CHECK (((status <> 'SETTLED'::settlementstatus) OR (settled_at IS NOT NULL)));
CONSTRAINT settlement_batches_swap_request_id_fkey FOREIGN KEY (swap_request_id) REFERENCES swap_requests(id);
CONSTRAINT settlement_batches_swap_tonnes_check CHECK (((settlement_type = 'CEA_PURCHASE'::settlementtype) OR (total_amount = trunc(total_amount))));
CONSTRAINT settlement_batches_total_amount_check CHECK ((total_amount >= (0)::numeric));
CONSTRAINT settlement_batches_type_asset_check CHECK ((((settlement_type = 'CEA_PURCHASE'::settlementtype) AND (asset_type = 'CEA'::assettype)) OR ((settlement_type = 'SWAP_CEA_TO_EUA'::settlementtype) AND (asset_type = 'EUA'::assettype))));
CREATE UNIQUE INDEX settlement_batches_batch_reference_key ON public.settlement_batches USING btree (batch_reference);
CREATE INDEX settlement_batches_cash_market_trade_id_idx ON public.settlement_batches USING btree (cash_market_trade_id);
CREATE INDEX settlement_batches_entity_id_idx ON public.settlement_batches USING btree (entity_id);
CREATE INDEX settlement_batches_order_id_idx ON public.settlement_batches USING btree (order_id);
CREATE UNIQUE INDEX settlement_batches_pkey ON public.settlement_batches USING btree (id);
CREATE INDEX settlement_batches_reschedule_pending_idx ON public.settlement_batches USING btree (reschedule_pending) WHERE reschedule_pending;
CREATE INDEX settlement_batches_status_due_idx ON public.settlement_batches USING btree (status, expected_settlement_date);
CREATE INDEX settlement_batches_status_idx ON public.settlement_batches USING btree (status);
CREATE INDEX settlement_batches_swap_request_id_idx ON public.settlement_batches USING btree (swap_request_id);

TABLE settlement_overdue_flags (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  settlement_batch_id uuid NOT NULL
  milestone settlementstatus NOT NULL
  due_date date NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT settlement_overdue_flags_batch_milestone_key UNIQUE (settlement_batch_id, milestone);
CONSTRAINT settlement_overdue_flags_milestone_check CHECK ((milestone = ANY (ARRAY['TRANSFER_INITIATED'::settlementstatus, 'IN_TRANSIT'::settlementstatus, 'AT_CUSTODY'::settlementstatus, 'SETTLED'::settlementstatus])));
CONSTRAINT settlement_overdue_flags_pkey PRIMARY KEY (id);
CONSTRAINT settlement_overdue_flags_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches(id);
CREATE UNIQUE INDEX settlement_overdue_flags_batch_milestone_key ON public.settlement_overdue_flags USING btree (settlement_batch_id, milestone);
CREATE UNIQUE INDEX settlement_overdue_flags_pkey ON public.settlement_overdue_flags USING btree (id);

TABLE settlement_resolutions (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  settlement_batch_id uuid NOT NULL
  resolution text NOT NULL
  note text NOT NULL
  buy_in_price numeric(20,4)
  charged_to_seller numeric(20,2)
  resolved_by uuid NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT settlement_resolutions_buy_in_check CHECK (((resolution = 'BUY_IN'::text) = (buy_in_price IS NOT NULL)));
CONSTRAINT settlement_resolutions_buy_in_price_check CHECK (((buy_in_price IS NULL) OR (buy_in_price > (0)::numeric)));
CONSTRAINT settlement_resolutions_charged_to_seller_check CHECK (((charged_to_seller IS NULL) OR (charged_to_seller >= (0)::numeric)));
CONSTRAINT settlement_resolutions_note_check CHECK (((btrim(note) = note) AND (note <> ''::text)));
CONSTRAINT settlement_resolutions_pkey PRIMARY KEY (id);
CONSTRAINT settlement_resolutions_resolution_check CHECK ((resolution = ANY (ARRAY['REVERSAL'::text, 'BUY_IN'::text])));
CONSTRAINT settlement_resolutions_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES users(id);
CONSTRAINT settlement_resolutions_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches(id);
CONSTRAINT settlement_resolutions_settlement_batch_id_key UNIQUE (settlement_batch_id);
CREATE UNIQUE INDEX settlement_resolutions_pkey ON public.settlement_resolutions USING btree (id);
CREATE INDEX settlement_resolutions_resolved_by_idx ON public.settlement_resolutions USING btree (resolved_by);
CREATE UNIQUE INDEX settlement_resolutions_settlement_batch_id_key ON public.settlement_resolutions USING btree (settlement_batch_id);

TABLE settlement_status_history (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  settlement_batch_id uuid NOT NULL
  from_status settlementstatus
  to_status settlementstatus NOT NULL
  updated_by uuid
  note text
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT settlement_status_history_change_check CHECK ((from_status IS DISTINCT FROM to_status));
CONSTRAINT settlement_status_history_pkey PRIMARY KEY (id);
CONSTRAINT settlement_status_history_settlement_batch_id_fkey FOREIGN KEY (settlement_batch_id) REFERENCES settlement_batches(id);
CONSTRAINT settlement_status_history_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users(id);
CREATE UNIQUE INDEX settlement_status_history_pkey ON public.settlement_status_history USING btree (id);
CREATE INDEX settlement_status_history_settlement_batch_id_idx ON public.settlement_status_history USING btree (settlement_batch_id);
CREATE INDEX settlement_status_history_updated_by_idx ON public.settlement_status_history USING btree (updated_by);

TABLE swap_requests (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid NOT NULL
  cea_quantity bigint NOT NULL
  eua_quantity bigint NOT NULL
  rate numeric(20,4) NOT NULL
  status swapstatus NOT NULL DEFAULT 'OPEN'::swapstatus
  anonymous_code text NOT NULL
  matched_at timestamp with time zone
  completed_at timestamp with time zone
  cancelled_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT swap_requests_anonymous_code_check CHECK (((btrim(anonymous_code) = anonymous_code) AND (anonymous_code <> ''::text)));
CONSTRAINT swap_requests_cea_quantity_check CHECK ((cea_quantity >= 1));
CONSTRAINT swap_requests_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT swap_requests_eua_quantity_check CHECK ((eua_quantity >= 1));
CONSTRAINT swap_requests_pkey PRIMARY KEY (id);
CONSTRAINT swap_requests_rate_check CHECK ((rate > (0)::numeric));
CREATE INDEX swap_requests_entity_id_idx ON public.swap_requests USING btree (entity_id);
CREATE UNIQUE INDEX swap_requests_pkey ON public.swap_requests USING btree (id);

TABLE throttle_windows (
  name text NOT NULL
  key text NOT NULL
  attempts bigint[] NOT NULL
  accepted boolean NOT NULL
  expires_ms bigint NOT NULL
);
CONSTRAINT throttle_windows_key_check CHECK (((length(key) >= 1) AND (length(key) <= 512)));
CONSTRAINT throttle_windows_name_check CHECK ((name ~ '^[a-z_]{1,64}$'::text));
CONSTRAINT throttle_windows_pkey PRIMARY KEY (name, key);
CREATE INDEX throttle_windows_expires_idx ON public.throttle_windows USING btree (expires_ms);
CREATE UNIQUE INDEX throttle_windows_pkey ON public.throttle_windows USING btree (name, key);

TABLE ticket_logs (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  ticket_reference text NOT NULL
  user_id uuid
  market_maker_id uuid
  action text NOT NULL
  subject_table text
  subject_id uuid
  status ticketstatus NOT NULL
  request_payload jsonb
  response_data jsonb
  before_state jsonb
  after_state jsonb
  ip_address text
  user_agent text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  chain_seq bigint
  prev_hash text
  row_hash text
);
CONSTRAINT ticket_logs_action_check CHECK (((btrim(action) = action) AND (action <> ''::text)));
CONSTRAINT ticket_logs_chain_check CHECK ((((chain_seq IS NULL) AND (prev_hash IS NULL) AND (row_hash IS NULL)) OR ((chain_seq > 0) AND (prev_hash ~ '^[0-9a-f]{64}$'::text) AND (row_hash ~ '^[0-9a-f]{64}$'::text))));
CONSTRAINT ticket_logs_ip_address_check CHECK (((ip_address IS NULL) OR ((btrim(ip_address) = ip_address) AND (ip_address <> ''::text))));
CONSTRAINT ticket_logs_market_maker_id_fkey FOREIGN KEY (market_maker_id) REFERENCES market_maker_clients(id);
CONSTRAINT ticket_logs_pkey PRIMARY KEY (id);
CONSTRAINT ticket_logs_subject_table_check CHECK (((subject_table IS NULL) OR ((btrim(subject_table) = subject_table) AND (subject_table <> ''::text))));
CONSTRAINT ticket_logs_ticket_reference_check CHECK (((btrim(ticket_reference) = ticket_reference) AND (ticket_reference <> ''::text)));
CONSTRAINT ticket_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE INDEX ticket_logs_action_idx ON public.ticket_logs USING btree (action, created_at);
CREATE UNIQUE INDEX ticket_logs_chain_seq_key ON public.ticket_logs USING btree (chain_seq);
CREATE INDEX ticket_logs_created_idx ON public.ticket_logs USING btree (created_at);
CREATE INDEX ticket_logs_market_maker_id_idx ON public.ticket_logs USING btree (market_maker_id);
CREATE UNIQUE INDEX ticket_logs_pkey ON public.ticket_logs USING btree (id);
CREATE INDEX ticket_logs_subject_idx ON public.ticket_logs USING btree (subject_table, subject_id);
CREATE INDEX ticket_logs_user_id_idx ON public.ticket_logs USING btree (user_id);
CREATE TRIGGER ticket_logs_append_only BEFORE INSERT OR DELETE OR UPDATE ON public.ticket_logs FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER ticket_logs_no_truncate BEFORE TRUNCATE ON public.ticket_logs FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

TABLE trades (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  trade_type tradetype NOT NULL
  certificate_type certificatetype NOT NULL
  certificate_id uuid
  buyer_entity_id uuid
  seller_entity_id uuid
  quantity bigint NOT NULL
  price_per_tonne numeric(20,2)
  total_value numeric(20,2)
  status tradestatus NOT NULL DEFAULT 'PENDING'::tradestatus
  confirmed_at timestamp with time zone
  completed_at timestamp with time zone
  cancelled_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
  rate numeric(20,4)
  cash_market_trade_id uuid
);
CONSTRAINT trades_buyer_entity_id_fkey FOREIGN KEY (buyer_entity_id) REFERENCES entities(id);
CONSTRAINT trades_cash_market_trade_id_fkey FOREIGN KEY (cash_market_trade_id) REFERENCES cash_market_trades(id);
CONSTRAINT trades_certificate_id_fkey FOREIGN KEY (certificate_id) REFERENCES certificates(id);
CONSTRAINT trades_pkey PRIMARY KEY (id);
CONSTRAINT trades_price_per_tonne_check CHECK ((price_per_tonne > (0)::numeric));
CONSTRAINT trades_priced_check CHECK (
CASE
    WHEN (trade_type = 'SWAP'::tradetype) THEN ((rate IS NOT NULL) AND (price_per_tonne IS NULL) AND (total_value IS NULL))
    ELSE ((rate IS NULL) AND (price_per_tonne IS NOT NULL) AND (total_value IS NOT NULL))
END);
CONSTRAINT trades_quantity_check CHECK ((quantity >= 1));
CONSTRAINT trades_rate_check CHECK (((rate IS NULL) OR (rate > (0)::numeric)));
CONSTRAINT trades_seller_entity_id_fkey FOREIGN KEY (seller_entity_id) REFERENCES entities(id);
CONSTRAINT trades_total_value_check CHECK ((total_value >= (0)::numeric));
CONSTRAINT trades_two_parties_check CHECK (((buyer_entity_id IS NULL) OR (buyer_entity_id IS DISTINCT FROM seller_entity_id)));
CREATE INDEX trades_buyer_entity_id_idx ON public.trades USING btree (buyer_entity_id);
CREATE UNIQUE INDEX trades_cash_market_trade_id_key ON public.trades USING btree (cash_market_trade_id) WHERE (cash_market_trade_id IS NOT NULL);
CREATE INDEX trades_certificate_id_idx ON public.trades USING btree (certificate_id);
CREATE UNIQUE INDEX trades_pkey ON public.trades USING btree (id);
CREATE INDEX trades_seller_entity_id_idx ON public.trades USING btree (seller_entity_id);

TABLE trading_fee_configs (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  market markettype NOT NULL
  buyer_rate numeric(12,6) NOT NULL DEFAULT 0
  seller_rate numeric(12,6) NOT NULL DEFAULT 0
  is_active boolean NOT NULL DEFAULT true
  updated_by uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT trading_fee_configs_buyer_rate_check CHECK (((buyer_rate >= (0)::numeric) AND (buyer_rate <= (1)::numeric)));
CONSTRAINT trading_fee_configs_pkey PRIMARY KEY (id);
CONSTRAINT trading_fee_configs_seller_rate_check CHECK (((seller_rate >= (0)::numeric) AND (seller_rate <= (1)::numeric)));
CONSTRAINT trading_fee_configs_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users(id);
CREATE UNIQUE INDEX trading_fee_configs_active_market_key ON public.trading_fee_configs USING btree (market) WHERE is_active;
CREATE UNIQUE INDEX trading_fee_configs_pkey ON public.trading_fee_configs USING btree (id);
CREATE INDEX trading_fee_configs_updated_by_idx ON public.trading_fee_configs USING btree (updated_by);

TABLE user_sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  user_id uuid NOT NULL
  token_hash text NOT NULL
  auth_method authmethod NOT NULL
  ip_address text
  user_agent text
  expires_at timestamp with time zone NOT NULL
  last_seen_at timestamp with time zone
  revoked_at timestamp with time zone
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT user_sessions_ip_address_check CHECK (((ip_address IS NULL) OR ((btrim(ip_address) = ip_address) AND (ip_address <> ''::text))));
CONSTRAINT user_sessions_pkey PRIMARY KEY (id);
CONSTRAINT user_sessions_token_hash_check CHECK (((btrim(token_hash) = token_hash) AND (token_hash <> ''::text)));
CONSTRAINT user_sessions_token_hash_key UNIQUE (token_hash);
CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE INDEX user_sessions_expires_idx ON public.user_sessions USING btree (expires_at) WHERE (revoked_at IS NULL);
CREATE UNIQUE INDEX user_sessions_pkey ON public.user_sessions USING btree (id);
CREATE UNIQUE INDEX user_sessions_token_hash_key ON public.user_sessions USING btree (token_hash);
CREATE INDEX user_sessions_user_id_idx ON public.user_sessions USING btree (user_id);

TABLE users (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid
  email text NOT NULL
  first_name text NOT NULL
  last_name text NOT NULL
  phone text
  position text
  role userrole NOT NULL DEFAULT 'NDA'::userrole
  password_hash text
  is_active boolean NOT NULL DEFAULT true
  last_login_at timestamp with time zone
  created_by uuid
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT users_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id);
CONSTRAINT users_email_check CHECK (((email = lower(email)) AND (email ~~ '%_@_%._%'::text)));
CONSTRAINT users_email_key UNIQUE (email);
CONSTRAINT users_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT users_first_name_check CHECK (((btrim(first_name) = first_name) AND (first_name <> ''::text)));
CONSTRAINT users_last_name_check CHECK (((btrim(last_name) = last_name) AND (last_name <> ''::text)));
CONSTRAINT users_phone_check CHECK (((phone IS NULL) OR ((btrim(phone) = phone) AND (phone <> ''::text))));
CONSTRAINT users_pkey PRIMARY KEY (id);
CONSTRAINT users_position_check CHECK ((("position" IS NULL) OR ((btrim("position") = "position") AND ("position" <> ''::text))));
CREATE INDEX users_created_by_idx ON public.users USING btree (created_by);
CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email);
CREATE INDEX users_entity_id_idx ON public.users USING btree (entity_id);
CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id);

TABLE withdrawal_approvals (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  withdrawal_id uuid NOT NULL
  approved_by uuid NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT withdrawal_approvals_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES users(id);
CONSTRAINT withdrawal_approvals_pkey PRIMARY KEY (id);
CONSTRAINT withdrawal_approvals_withdrawal_id_fkey FOREIGN KEY (withdrawal_id) REFERENCES withdrawals(id);
CONSTRAINT withdrawal_approvals_withdrawal_id_key UNIQUE (withdrawal_id);
CREATE INDEX withdrawal_approvals_approved_by_idx ON public.withdrawal_approvals USING btree (approved_by);
CREATE UNIQUE INDEX withdrawal_approvals_pkey ON public.withdrawal_approvals USING btree (id);
CREATE UNIQUE INDEX withdrawal_approvals_withdrawal_id_key ON public.withdrawal_approvals USING btree (withdrawal_id);

TABLE withdrawals (
  id uuid NOT NULL DEFAULT gen_random_uuid()
  entity_id uuid NOT NULL
  user_id uuid NOT NULL
  amount numeric(20,2) NOT NULL
  status withdrawalstatus NOT NULL DEFAULT 'PENDING'::withdrawalstatus
  beneficiary_name text NOT NULL
  iban text NOT NULL
  bic text
  lock_reference text NOT NULL
  locked_at timestamp with time zone NOT NULL DEFAULT now()
  lock_released_at timestamp with time zone
  processed_by uuid
  processed_at timestamp with time zone
  completed_by uuid
  completed_at timestamp with time zone
  bank_reference text
  rejected_by uuid
  rejected_at timestamp with time zone
  rejection_reason text
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT withdrawals_amount_check CHECK ((amount > (0)::numeric));
CONSTRAINT withdrawals_bank_reference_check CHECK (((bank_reference IS NULL) OR ((btrim(bank_reference) = bank_reference) AND (bank_reference <> ''::text))));
CONSTRAINT withdrawals_beneficiary_name_check CHECK (((btrim(beneficiary_name) = beneficiary_name) AND (beneficiary_name <> ''::text)));
CONSTRAINT withdrawals_bic_check CHECK (((bic IS NULL) OR (bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'::text)));
CONSTRAINT withdrawals_completed_by_fkey FOREIGN KEY (completed_by) REFERENCES users(id);
CONSTRAINT withdrawals_completed_check CHECK (((status <> 'COMPLETED'::withdrawalstatus) OR ((completed_at IS NOT NULL) AND (completed_by IS NOT NULL))));
CONSTRAINT withdrawals_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES entities(id);
CONSTRAINT withdrawals_iban_check CHECK ((iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'::text));
CONSTRAINT withdrawals_lock_reference_check CHECK (((btrim(lock_reference) = lock_reference) AND (lock_reference <> ''::text)));
CONSTRAINT withdrawals_lock_reference_key UNIQUE (lock_reference);
CONSTRAINT withdrawals_pkey PRIMARY KEY (id);
CONSTRAINT withdrawals_processed_by_fkey FOREIGN KEY (processed_by) REFERENCES users(id);
CONSTRAINT withdrawals_rejected_by_fkey FOREIGN KEY (rejected_by) REFERENCES users(id);
CONSTRAINT withdrawals_rejected_check CHECK (((status <> 'REJECTED'::withdrawalstatus) OR (rejected_at IS NOT NULL)));
CONSTRAINT withdrawals_rejection_reason_check CHECK (((rejection_reason IS NULL) OR ((btrim(rejection_reason) = rejection_reason) AND (rejection_reason <> ''::text))));
CONSTRAINT withdrawals_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);
CREATE INDEX withdrawals_completed_by_idx ON public.withdrawals USING btree (completed_by);
CREATE INDEX withdrawals_entity_id_idx ON public.withdrawals USING btree (entity_id);
CREATE UNIQUE INDEX withdrawals_lock_reference_key ON public.withdrawals USING btree (lock_reference);
CREATE UNIQUE INDEX withdrawals_pkey ON public.withdrawals USING btree (id);
CREATE INDEX withdrawals_processed_by_idx ON public.withdrawals USING btree (processed_by);
CREATE INDEX withdrawals_rejected_by_idx ON public.withdrawals USING btree (rejected_by);
CREATE INDEX withdrawals_status_idx ON public.withdrawals USING btree (status, created_at);
CREATE INDEX withdrawals_user_id_idx ON public.withdrawals USING btree (user_id);

-- 4 functions
FUNCTION asset_transactions_append_only: BEGIN
  RAISE EXCEPTION 'asset_transactions is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation', CONSTRAINT = 'asset_transactions_append_only';
END
FUNCTION audit_append_only: BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.row_hash IS NOT NULL THEN
      RAISE EXCEPTION '% rows are sealed by audit_chain_seal_pending(), never inserted sealed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('niha.audit_sealing', true) = 'on'
    AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL
    AND (to_jsonb(NEW) - 'chain_seq' - 'prev_hash' - 'row_hash') = (to_jsonb(OLD) - 'chain_seq' - 'prev_hash' - 'row_hash')
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END
FUNCTION audit_chain_seal_pending: DECLARE
  t text;
  r record;
  head_seq bigint;
  head_hash text;
  ids uuid[];
  seqs bigint[];
  prevs text[];
  hashes text[];
  n integer;
  total integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(7171717171);
  PERFORM set_config('niha.audit_sealing', 'on', true);
  FOREACH t IN ARRAY ARRAY['ticket_logs', 'activity_logs'] LOOP
    SELECT chain_seq, row_hash INTO head_seq, head_hash FROM audit_chain_heads WHERE table_name = t FOR UPDATE;
    ids := '{}';
    seqs := '{}';
    prevs := '{}';
    hashes := '{}';
    n := 0;
    FOR r IN EXECUTE format('SELECT id, created_at, to_jsonb(x) - ''chain_seq'' - ''prev_hash'' - ''row_hash'' - ''created_at'' AS body FROM %I x WHERE chain_seq IS NULL ORDER BY created_at, id FOR UPDATE', t) LOOP
      n := n + 1;
      ids[n] := r.id;
      prevs[n] := head_hash;
      head_seq := head_seq + 1;
      seqs[n] := head_seq;
      head_hash := audit_row_hash(head_seq, head_hash, r.body, r.created_at);
      hashes[n] := head_hash;
    END LOOP;
    IF n > 0 THEN
      EXECUTE format('UPDATE %I x SET chain_seq = u.seq, prev_hash = u.prev, row_hash = u.hash FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[]) AS u(id, seq, prev, hash) WHERE x.id = u.id', t)
        USING ids, seqs, prevs, hashes;
      UPDATE audit_chain_heads SET chain_seq = head_seq, row_hash = head_hash, updated_at = now() WHERE table_name = t;
      total := total + n;
    END IF;
  END LOOP;
  PERFORM set_config('niha.audit_sealing', 'off', true);
  RETURN total;
END
FUNCTION audit_row_hash: SELECT encode(sha256(convert_to(
    seq::text || '|' || prev || '|' || body::text || '|' ||
      to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'UTF8')), 'hex')

-- schema ledger

-- 2 tables

TABLE ledger.pending_transfers (
  transfer_id uuid NOT NULL
  asset_type assettype NOT NULL
  holder_id uuid NOT NULL
  source_account text NOT NULL
  source_entity_id uuid
  amount numeric(20,2) NOT NULL
  remaining numeric(20,2) NOT NULL
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT pending_transfers_amount_check CHECK ((amount > (0)::numeric));
CONSTRAINT pending_transfers_holder_id_fkey FOREIGN KEY (holder_id) REFERENCES entities(id);
CONSTRAINT pending_transfers_pkey PRIMARY KEY (transfer_id);
CONSTRAINT pending_transfers_remaining_check CHECK ((remaining >= (0)::numeric));
CONSTRAINT pending_transfers_remaining_within_amount_check CHECK ((remaining <= amount));
CONSTRAINT pending_transfers_source_account_check CHECK ((source_account = ANY (ARRAY['AVAILABLE'::text, 'FEES'::text, 'CUSTODY'::text, 'SETTLEMENT_PENDING'::text, 'WORLD'::text])));
CONSTRAINT pending_transfers_source_check CHECK (((source_entity_id IS NOT NULL) = (source_account = 'AVAILABLE'::text)));
CONSTRAINT pending_transfers_source_entity_id_fkey FOREIGN KEY (source_entity_id) REFERENCES entities(id);
CONSTRAINT pending_transfers_whole_tonnes_check CHECK (((asset_type = 'EUR'::assettype) OR ((amount = trunc(amount)) AND (remaining = trunc(remaining)))));
CREATE INDEX pending_transfers_holder_id_idx ON ledger.pending_transfers USING btree (holder_id);
CREATE UNIQUE INDEX pending_transfers_pkey ON ledger.pending_transfers USING btree (transfer_id);
CREATE INDEX pending_transfers_source_entity_id_idx ON ledger.pending_transfers USING btree (source_entity_id);

TABLE ledger.platform_accounts (
  account text NOT NULL
  asset_type assettype NOT NULL
  balance numeric(20,2) NOT NULL DEFAULT 0
  created_at timestamp with time zone NOT NULL DEFAULT now()
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CONSTRAINT platform_accounts_account_check CHECK ((account = ANY (ARRAY['FEES'::text, 'CUSTODY'::text, 'SETTLEMENT_PENDING'::text, 'WORLD'::text])));
CONSTRAINT platform_accounts_limit_check CHECK (((account = 'WORLD'::text) OR (balance >= (0)::numeric)));
CONSTRAINT platform_accounts_pkey PRIMARY KEY (account, asset_type);
CONSTRAINT platform_accounts_whole_tonnes_check CHECK (((asset_type = 'EUR'::assettype) OR (balance = trunc(balance))));
CREATE UNIQUE INDEX platform_accounts_pkey ON ledger.platform_accounts USING btree (account, asset_type);
