/**
 * Migration 8, order entry: what the order path of the server needs beyond the seed's
 * `orders` and `cash_market_trades`.
 *
 * - `orders` gains how it was placed (`order_type`, `time_in_force`, `post_only`, a market
 *   buy's `budget`), the fee rate it was placed with (kept for all its fills: its lock was
 *   computed from it), what a buy locked and what its fills have taken (`locked_amount`,
 *   `filled_notional`, `fees_paid`, in the quote asset; a sell locks its quantity of the
 *   base asset, so its `locked_amount` is 0), and the market sequence of the
 *   command that placed it. `order_type` and `time_in_force` are text with a check, not
 *   enum types, so the database keeps exactly the seed's 31 enum types.
 * - `cash_market_trades` keeps the rates each side paid, the side of the order that
 *   arrived (the aggressor), and the engine's trade id and market sequence, so a trade can
 *   be compared with a replay of the stored commands.
 * - `market_commands`: every command the matching engine accepted, with its market
 *   sequence, written in the transaction of its effects. The books are a cache of it.
 * - `market_snapshots`: a book's snapshot at a sequence, with the hash of the book, so a
 *   restart replays only the commands after the last one.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `ALTER TABLE orders
  ADD COLUMN order_type text NOT NULL DEFAULT 'LIMIT' CHECK (order_type IN ('LIMIT', 'MARKET')),
  ADD COLUMN time_in_force text NOT NULL DEFAULT 'GTC' CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
  ADD COLUMN post_only boolean NOT NULL DEFAULT false,
  ADD COLUMN budget numeric(20,2) CHECK (budget IS NULL OR budget > 0),
  ADD COLUMN fee_rate numeric(12,6) NOT NULL DEFAULT 0 CHECK (fee_rate BETWEEN 0 AND 1),
  ADD COLUMN locked_amount numeric(20,2) NOT NULL DEFAULT 0 CHECK (locked_amount >= 0),
  ADD COLUMN filled_notional numeric(20,2) NOT NULL DEFAULT 0 CHECK (filled_notional >= 0),
  ADD COLUMN fees_paid numeric(20,2) NOT NULL DEFAULT 0 CHECK (fees_paid >= 0),
  ADD COLUMN market_sequence bigint CHECK (market_sequence IS NULL OR market_sequence >= 0),
  ADD CONSTRAINT orders_post_only_check CHECK (NOT post_only OR (order_type = 'LIMIT' AND time_in_force = 'GTC')),
  ADD CONSTRAINT orders_market_time_in_force_check CHECK (order_type = 'LIMIT' OR time_in_force <> 'GTC'),
  ADD CONSTRAINT orders_budget_market_buy_check CHECK (budget IS NULL OR (order_type = 'MARKET' AND side = 'BUY')),
  ADD CONSTRAINT orders_sell_lock_check CHECK (side = 'BUY' OR locked_amount = 0)`,
  "CREATE INDEX orders_entity_created_idx ON orders (entity_id, created_at DESC, id DESC)",
  `ALTER TABLE cash_market_trades
  ADD COLUMN buyer_fee_rate numeric(12,6) NOT NULL DEFAULT 0 CHECK (buyer_fee_rate BETWEEN 0 AND 1),
  ADD COLUMN seller_fee_rate numeric(12,6) NOT NULL DEFAULT 0 CHECK (seller_fee_rate BETWEEN 0 AND 1),
  ADD COLUMN match_id text CHECK (match_id IS NULL OR match_id <> ''),
  ADD COLUMN aggressor orderside,
  ADD COLUMN market_sequence bigint CHECK (market_sequence IS NULL OR market_sequence >= 0)`,
  "CREATE UNIQUE INDEX cash_market_trades_market_match_key ON cash_market_trades (market, match_id) WHERE match_id IS NOT NULL",
  `CREATE TABLE market_commands (
  market markettype NOT NULL,
  sequence bigint NOT NULL CHECK (sequence >= 0),
  command jsonb NOT NULL,
  order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT market_commands_pkey PRIMARY KEY (market, sequence)
)`,
  "ALTER TABLE market_commands ADD CONSTRAINT market_commands_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id)",
  "CREATE INDEX market_commands_order_id_idx ON market_commands (order_id)",
  `CREATE TABLE market_snapshots (
  market markettype NOT NULL,
  sequence bigint NOT NULL CHECK (sequence >= -1),
  book_hash text NOT NULL CHECK (book_hash ~ '^[0-9a-f]{64}$'),
  snapshot jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT market_snapshots_pkey PRIMARY KEY (market, sequence)
)`
]
