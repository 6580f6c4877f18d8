/**
 * @niha/matching: pure, deterministic, fast price-time order books for the CEA and EUA
 * markets, with snapshot and replay, and an Effect service on top.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Instrument rules: assets, tick, lot, quantity limits, price band; the `CEA_CASH` and
 * `SWAP` defaults.
 *
 * @since 0.1.0
 */
export * as Instrument from "./Instrument.ts"

/**
 * The commands a book accepts, with their Schemas.
 *
 * @since 0.1.0
 */
export * as Command from "./Command.ts"

/**
 * The events a book emits, with their Schemas and the typed reject reasons.
 *
 * @since 0.1.0
 */
export * as Event from "./Event.ts"

/**
 * The pure order book: commands in, events out, views, snapshot and restore.
 *
 * @since 0.1.0
 */
export * as OrderBook from "./OrderBook.ts"

/**
 * A book's state as data, with its versioned Schema.
 *
 * @since 0.1.0
 */
export * as Snapshot from "./Snapshot.ts"

/**
 * The versioned journal format (commands and snapshots as JSON lines) and replay.
 *
 * @since 0.1.0
 */
export * as Journal from "./Journal.ts"

/**
 * Anonymous counterparty codes (keyed SipHash-2-4 of the owner id).
 *
 * @since 0.1.0
 */
export * as CounterpartyCode from "./CounterpartyCode.ts"

/**
 * The Effect service holding the books of several markets.
 *
 * @since 0.1.0
 */
export * as MatchingEngine from "./MatchingEngine.ts"
