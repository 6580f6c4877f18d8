/**
 * The commands an {@link OrderBook} accepts. Each is a tagged struct with a Schema, so the
 * same definition validates untrusted input at the boundary, encodes the journal and types
 * the hot path (which builds and reads plain objects of these types, never running a
 * Schema per order).
 *
 * Every command carries its own `seq` (the market's sequence number, strictly increasing
 * over the accepted commands of a book) and `timestamp` (milliseconds since the epoch, or
 * any integer clock the caller chooses): the engine never reads a clock. Prices are in the
 * instrument's minor price units, quantities in whole tonnes, budgets in notional units
 * (price x quantity in those minor units, e.g. euro cents on `CEA_CASH`); see
 * {@link Instrument}.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as Schema from "effect/Schema"

/**
 * A market sequence number: a non-negative safe integer.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Sequence = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * How long an order may live: `GTC` rests until filled or cancelled, `IOC` trades what it
 * can at once and drops the rest, `FOK` trades its whole quantity at once or is rejected.
 *
 * @category schemas
 * @since 0.1.0
 */
export const TimeInForce = Schema.Literals(["GTC", "IOC", "FOK"])
/**
 * @category models
 * @since 0.1.0
 */
export type TimeInForce = typeof TimeInForce.Type

/**
 * The time in force of a market order: it never rests.
 *
 * @category schemas
 * @since 0.1.0
 */
export const MarketTimeInForce = Schema.Literals(["IOC", "FOK"])
/**
 * @category models
 * @since 0.1.0
 */
export type MarketTimeInForce = typeof MarketTimeInForce.Type

/**
 * What happens when an incoming order (the taker) would trade with a resting order of the
 * same owner (the maker); the taker's mode applies. `CANCEL_TAKER` cancels the rest of the
 * taker, `CANCEL_MAKER` cancels the maker and goes on matching, `CANCEL_BOTH` cancels both,
 * `DECREMENT_BOTH` reduces both by the quantity that would have traded, without a trade.
 *
 * @category schemas
 * @since 0.1.0
 */
export const SelfTradePrevention = Schema.Literals(["CANCEL_TAKER", "CANCEL_MAKER", "CANCEL_BOTH", "DECREMENT_BOTH"])
/**
 * @category models
 * @since 0.1.0
 */
export type SelfTradePrevention = typeof SelfTradePrevention.Type

const Id = Schema.NonEmptyString

/**
 * Places a limit order. A `postOnly` order (GTC only) is rejected rather than trade on
 * arrival.
 *
 * @category schemas
 * @since 0.1.0
 */
export const PlaceLimit = Schema.TaggedStruct("PlaceLimit", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int,
  /** The order id, unique among resting orders. */
  orderId: Id,
  /** The owner: an entity or a market maker. */
  owner: Id,
  /** BUY or SELL. */
  side: Enums.OrderSide,
  /** The limit price, in minor price units. */
  price: Schema.Int,
  /** The quantity, in tonnes. */
  quantity: Schema.Int,
  /** GTC, IOC or FOK. */
  timeInForce: TimeInForce,
  /** Rejected rather than trade on arrival. */
  postOnly: Schema.Boolean,
  /** What happens when the order meets one of its owner's resting orders. */
  selfTradePrevention: SelfTradePrevention
})
/**
 * @category models
 * @since 0.1.0
 */
export type PlaceLimit = typeof PlaceLimit.Type

/**
 * Places a market order. It trades at the best prices available, bounded by `quantity`
 * (tonnes), by `budget` (BUY only: the most it may spend, in notional units) and by
 * `limitPrice` (a protective price it never trades beyond; without it the price band is the
 * bound). At least one of `quantity` and `budget` is required; `FOK` requires `quantity`.
 * What it cannot trade at once expires.
 *
 * @category schemas
 * @since 0.1.0
 */
export const PlaceMarket = Schema.TaggedStruct("PlaceMarket", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int,
  /** The order id, unique among resting orders. */
  orderId: Id,
  /** The owner: an entity or a market maker. */
  owner: Id,
  /** BUY or SELL. */
  side: Enums.OrderSide,
  /** The most tonnes to buy or sell, or `null` for a budget-only BUY. */
  quantity: Schema.NullOr(Schema.Int),
  /** BUY only: the most to spend, in notional units, or `null`. */
  budget: Schema.NullOr(Schema.Int),
  /** A protective price never traded beyond, or `null` (the band is the bound). */
  limitPrice: Schema.NullOr(Schema.Int),
  /** IOC (the default) or FOK. */
  timeInForce: MarketTimeInForce,
  /** What happens when the order meets one of its owner's resting orders. */
  selfTradePrevention: SelfTradePrevention
})
/**
 * @category models
 * @since 0.1.0
 */
export type PlaceMarket = typeof PlaceMarket.Type

/**
 * Cancels a resting order of `owner`.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Cancel = Schema.TaggedStruct("Cancel", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int,
  /** The resting order to cancel. */
  orderId: Id,
  /** Its owner. */
  owner: Id
})
/**
 * @category models
 * @since 0.1.0
 */
export type Cancel = typeof Cancel.Type

/**
 * Amends a resting order of `owner`: a new price, a new open quantity (what is left to
 * trade, not the original size), or both; `null` keeps the current value. Reducing the
 * quantity at the same price keeps the order's time priority; a price change or a size
 * increase loses it (the order goes to the back of its new level and may trade on arrival,
 * unless it is post-only, which is then rejected).
 *
 * @category schemas
 * @since 0.1.0
 */
export const Amend = Schema.TaggedStruct("Amend", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int,
  /** The resting order to amend. */
  orderId: Id,
  /** Its owner. */
  owner: Id,
  /** The new price, or `null` to keep it. */
  price: Schema.NullOr(Schema.Int),
  /** The new open quantity, or `null` to keep it. */
  quantity: Schema.NullOr(Schema.Int)
})
/**
 * @category models
 * @since 0.1.0
 */
export type Amend = typeof Amend.Type

/**
 * Cancels every resting order of one owner.
 *
 * @category schemas
 * @since 0.1.0
 */
export const CancelAll = Schema.TaggedStruct("CancelAll", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int,
  /** The owner whose orders are cancelled. */
  owner: Id
})
/**
 * @category models
 * @since 0.1.0
 */
export type CancelAll = typeof CancelAll.Type

/**
 * Halts the market: new orders and amendments are rejected, cancels are still accepted.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Halt = Schema.TaggedStruct("Halt", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int
})
/**
 * @category models
 * @since 0.1.0
 */
export type Halt = typeof Halt.Type

/**
 * Resumes a halted market.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Resume = Schema.TaggedStruct("Resume", {
  /** The market sequence number of the command. */
  seq: Sequence,
  /** The caller's time of the command, in milliseconds since the epoch. */
  timestamp: Schema.Int
})
/**
 * @category models
 * @since 0.1.0
 */
export type Resume = typeof Resume.Type

/**
 * Any command.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Command = Schema.Union([PlaceLimit, PlaceMarket, Cancel, Amend, CancelAll, Halt, Resume])
/**
 * @category models
 * @since 0.1.0
 */
export type Command = typeof Command.Type

/**
 * Decodes an untrusted value into a command, failing with a Schema issue.
 *
 * @category decoding
 * @since 0.1.0
 */
export const decodeUnknown = Schema.decodeUnknownResult(Command)

/**
 * A limit order with the defaults most callers want: GTC, not post-only, self-trade
 * prevention `CANCEL_TAKER`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const limit = (
  fields: Omit<PlaceLimit, "_tag" | "timeInForce" | "postOnly" | "selfTradePrevention"> & {
    /** GTC unless given. */
    readonly timeInForce?: TimeInForce
    /** false unless given. */
    readonly postOnly?: boolean
    /** CANCEL_TAKER unless given. */
    readonly selfTradePrevention?: SelfTradePrevention
  }
): PlaceLimit => ({
  _tag: "PlaceLimit",
  seq: fields.seq,
  timestamp: fields.timestamp,
  orderId: fields.orderId,
  owner: fields.owner,
  side: fields.side,
  price: fields.price,
  quantity: fields.quantity,
  timeInForce: fields.timeInForce ?? "GTC",
  postOnly: fields.postOnly ?? false,
  selfTradePrevention: fields.selfTradePrevention ?? "CANCEL_TAKER"
})

/**
 * A market order with defaults: IOC, no budget or protective price unless given,
 * self-trade prevention `CANCEL_TAKER`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const market = (
  fields: Pick<PlaceMarket, "seq" | "timestamp" | "orderId" | "owner" | "side"> & {
    /** The most tonnes to trade; none unless given. */
    readonly quantity?: number | null
    /** BUY only: the most to spend in notional units; none unless given. */
    readonly budget?: number | null
    /** The protective price; none (the band) unless given. */
    readonly limitPrice?: number | null
    /** IOC unless given. */
    readonly timeInForce?: MarketTimeInForce
    /** CANCEL_TAKER unless given. */
    readonly selfTradePrevention?: SelfTradePrevention
  }
): PlaceMarket => ({
  _tag: "PlaceMarket",
  seq: fields.seq,
  timestamp: fields.timestamp,
  orderId: fields.orderId,
  owner: fields.owner,
  side: fields.side,
  quantity: fields.quantity ?? null,
  budget: fields.budget ?? null,
  limitPrice: fields.limitPrice ?? null,
  timeInForce: fields.timeInForce ?? "IOC",
  selfTradePrevention: fields.selfTradePrevention ?? "CANCEL_TAKER"
})
