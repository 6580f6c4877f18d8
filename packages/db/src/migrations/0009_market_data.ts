/**
 * Migration 9, market data: indexes for the public reads of `cash_market_trades`, so they
 * stay an index scan however many trades there are.
 *
 * - `(market, market_sequence, ...)`: the recent trades of a market, newest first (a
 *   command's trades share its sequence and sort by their match id's length, then text).
 * - `(market, executed_at)`: the 24-hour ticker and the candles of a time range.
 *
 * FROZEN once released: its SHA-256 is pinned by `test/FrozenMigrations.test.ts`. Never
 * edit it; a change is a new migration.
 */

/** The statements, in order. */
export const statements: ReadonlyArray<string> = [
  "CREATE INDEX cash_market_trades_market_sequence_idx ON cash_market_trades (market, market_sequence, length(match_id), match_id)",
  "CREATE INDEX cash_market_trades_market_executed_idx ON cash_market_trades (market, executed_at)"
]
