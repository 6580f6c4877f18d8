/**
 * The state of one order book as data: its instrument, the last accepted sequence number,
 * whether it is halted, and every resting order in priority order. Restoring a snapshot and
 * applying the commands that followed it gives the same events and the same state as
 * replaying every command from the start (the package tests this byte for byte).
 *
 * Owners appear by id here: a snapshot is internal state for the operator's journal, not a
 * public view. The anonymity secret is not part of it.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as Schema from "effect/Schema"
import * as Command from "./Command.ts"
import * as Instrument from "./Instrument.ts"

/**
 * The version of the snapshot format, written in every snapshot.
 *
 * @category constants
 * @since 0.1.0
 */
export const version = 1

/**
 * A resting order. `priority` is the `seq` of the command that gave the order its place in
 * its queue (its placement, or its last amendment that lost priority); orders of a level
 * trade in increasing priority.
 *
 * @category schemas
 * @since 0.1.0
 */
export const RestingOrder = Schema.Struct({
  /** The order id. */
  orderId: Schema.NonEmptyString,
  /** Its owner. */
  owner: Schema.NonEmptyString,
  /** BUY or SELL. */
  side: Enums.OrderSide,
  /** Its price, in minor price units. */
  price: Schema.Int,
  /** Its open quantity, in tonnes. */
  quantity: Schema.Int,
  /** The `seq` of the command that gave it its place in the queue. */
  priority: Command.Sequence,
  /** Whether it is post-only (it keeps that on amendment). */
  postOnly: Schema.Boolean,
  /** Its self-trade prevention mode (used when an amendment makes it trade). */
  selfTradePrevention: Command.SelfTradePrevention
})
/**
 * @category models
 * @since 0.1.0
 */
export type RestingOrder = typeof RestingOrder.Type

/**
 * A book's state. `lastSeq` is -1 before the first accepted command.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Snapshot = Schema.Struct({
  /** The snapshot format version. */
  version: Schema.Literal(version),
  /** The book's instrument. */
  instrument: Instrument.Instrument,
  /** The `seq` of the last accepted command, -1 before the first. */
  lastSeq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(-1)),
  /** Whether the market is halted. */
  halted: Schema.Boolean,
  /** Every resting order, in increasing priority. */
  orders: Schema.Array(RestingOrder)
})
/**
 * @category models
 * @since 0.1.0
 */
export type Snapshot = typeof Snapshot.Type

/**
 * Raised when a snapshot cannot be restored: it does not decode, or its orders are not a
 * valid book (off the grid, duplicated, out of priority order, crossed).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSnapshot extends Schema.TaggedError<InvalidSnapshot>()("InvalidSnapshot", {
  /** What is wrong with the snapshot. */
  message: Schema.String
}) {}

/**
 * The snapshot as a JSON string (the form the journal stores).
 *
 * @category encoding
 * @since 0.1.0
 */
export const SnapshotFromJson = Schema.fromJsonString(Snapshot)

/**
 * Encodes a snapshot to JSON text, with its fields in schema order (so equal snapshots give
 * equal bytes). Fails with a Schema issue only for a hand-built snapshot that breaks its
 * schema.
 *
 * @category encoding
 * @since 0.1.0
 */
export const toJson = Schema.encodeResult(SnapshotFromJson)

/**
 * Decodes a snapshot from JSON text.
 *
 * @category decoding
 * @since 0.1.0
 */
export const fromJson = Schema.decodeUnknownResult(SnapshotFromJson)
