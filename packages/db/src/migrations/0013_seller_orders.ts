/**
 * Migration 13, `seller_orders`: sell orders of external sellers that reserve their lots,
 * and the `trades` rows of swaps.
 *
 * - `certificates.order_id`: the seller's sell order that reserves the lot (RESERVED for
 *   it, or taken by one of its fills and allocated to the buyer's settlement batch). One
 *   column, so a lot is reserved by at most one order; it is cleared when the lot goes
 *   back to AVAILABLE (`certificates_order_reserved_check`).
 * - `trades.rate`: a SWAP trade's rate in CEA per EUA at four decimals, which the seed's
 *   `price_per_tonne numeric(20,2)` (EUR) cannot hold. A SWAP row has a rate and no EUR
 *   price or value (both made nullable); any other row has a price and a value and no
 *   rate (`trades_priced_check`).
 * - `trades.cash_market_trade_id`: the order-book fill a `trades` row records, at most one
 *   row per fill (a partial unique index), written in the statement that writes the fill.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `ALTER TABLE certificates
  ADD COLUMN order_id uuid,
  ADD CONSTRAINT certificates_order_reserved_check CHECK (order_id IS NULL OR status <> 'AVAILABLE')`,
  "ALTER TABLE certificates ADD CONSTRAINT certificates_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id)",
  "CREATE INDEX certificates_order_id_idx ON certificates (order_id)",
  `ALTER TABLE trades
  ADD COLUMN rate numeric(20,4) CHECK (rate IS NULL OR rate > 0),
  ADD COLUMN cash_market_trade_id uuid,
  ALTER COLUMN price_per_tonne DROP NOT NULL,
  ALTER COLUMN total_value DROP NOT NULL,
  ADD CONSTRAINT trades_priced_check CHECK (CASE WHEN trade_type = 'SWAP'
    THEN rate IS NOT NULL AND price_per_tonne IS NULL AND total_value IS NULL
    ELSE rate IS NULL AND price_per_tonne IS NOT NULL AND total_value IS NOT NULL END)`,
  "ALTER TABLE trades ADD CONSTRAINT trades_cash_market_trade_id_fkey FOREIGN KEY (cash_market_trade_id) REFERENCES cash_market_trades (id)",
  "CREATE UNIQUE INDEX trades_cash_market_trade_id_key ON trades (cash_market_trade_id) WHERE cash_market_trade_id IS NOT NULL"
]
