/**
 * Migration 14, `exchange_rate_history`: every good read of an exchange-rate source,
 * so that a price in `price_history` converts to EUR with the rate of its own time. The
 * seed keeps only `exchange_rate_sources.last_rate`, which converted a year of history
 * with today's rate.
 *
 * - One row per successful fetch, written in the fetch's transaction with `last_rate`;
 *   the pair is copied from the source so that a lookup by pair and time is one index
 *   scan (`exchange_rate_history_pair_idx`).
 * - The rates already read are carried over, at the time they were read.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  `CREATE TABLE exchange_rate_history (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source_id uuid NOT NULL,
  base_currency currency NOT NULL,
  quote_currency currency NOT NULL,
  rate numeric(20,6) NOT NULL CHECK (rate > 0),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT exchange_rate_history_pair_check CHECK (base_currency <> quote_currency)
)`,
  "ALTER TABLE exchange_rate_history ADD CONSTRAINT exchange_rate_history_source_id_fkey FOREIGN KEY (source_id) REFERENCES exchange_rate_sources (id)",
  "CREATE INDEX exchange_rate_history_pair_idx ON exchange_rate_history (base_currency, quote_currency, recorded_at)",
  "CREATE INDEX exchange_rate_history_source_id_idx ON exchange_rate_history (source_id)",
  `INSERT INTO exchange_rate_history (source_id, base_currency, quote_currency, rate, recorded_at)
  SELECT id, base_currency, quote_currency, last_rate, coalesce(last_fetched_at, updated_at)
  FROM exchange_rate_sources WHERE last_rate IS NOT NULL`
]
