/**
 * Market data, as the group `marketData` of the API: public, no sign-in. For each market
 * (CEA_CASH, SWAP): the L2 depth of its book, the best bid and ask, the recent trades
 * with anonymous counterparty codes, a 24-hour ticker, OHLC candles for charts, and a live
 * stream of the book and its trades as Server-Sent Events.
 *
 * Prices, quantities and amounts are decimal strings in the market's scale (CEA_CASH
 * prices in EUR with two decimals, SWAP prices in CEA per EUA with four; quantities in
 * whole tonnes; notionals in the quote asset), never floating-point numbers. A trade shows
 * its buyer and seller by anonymous codes (the same entity always has the same code in a
 * market), never by entity.
 *
 * **Sequence numbers.** Every command the market's engine accepted has a market sequence;
 * a book read says at which sequence it was read, and a trade names the sequence of the
 * command that made it. The stream (`GET /markets/{market}/stream`) sends:
 *
 * - `snapshot`: the depth and its `sequence`, first, and again whenever the server had to
 *   resynchronise (a `snapshot` replaces everything the client holds);
 * - `book`: one per write the market's writer committed, with `previous_sequence` (the
 *   sequence before the write) and `sequence` (after it), and the price levels it changed
 *   as they stand after it (a level with quantity `"0"` is empty now; a write that changed
 *   no level still sends its `book` event, with none);
 * - `trade`: each trade of that write, after its `book` event, with its counterparty codes
 *   and the `sequence` of its command (after `previous_sequence`, at most `sequence`).
 *
 * A `book` event follows when its `previous_sequence` is the last sequence the client
 * holds; anything else is a gap: the client missed a write and must read a new snapshot
 * (reconnect). `MarketStream` does that check for Effect users and the Promise client's
 * iterator. A comment line (`: heartbeat`) comes every 15 seconds so proxies keep the
 * connection open.
 *
 * @since 0.1.0
 */
import { Enums } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import * as Pagination from "./Pagination.ts"
import { Instant } from "./Query.ts"

const Price = Schema.String.annotate({ description: "A price in the market's price scale, e.g. \"12.50\"." })
const Quantity = Schema.String.annotate({ description: "Whole tonnes of the base asset, e.g. \"100\"." })
const Amount = Schema.String.annotate({ description: "An amount of the quote asset in its scale, e.g. \"1250.00\"." })
const Sequence = Schema.Int.check(Schema.isGreaterThanOrEqualTo(-1)).annotate({
  description: "A market sequence: the number of the last command the book applied (-1 before the first)."
})
const Time = Schema.String.annotate({ description: "An instant, ISO 8601 in UTC." })

/**
 * The most levels a depth read or a stream snapshot shows per side.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLevels = 1000

/**
 * The levels per side a depth read or a stream snapshot shows unless asked.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultLevels = 50

const LevelsFromString = Schema.String.check(
  Schema.isPattern(/^[1-9][0-9]{0,3}$/u, { message: `must be an integer from 1 to ${maxLevels}` })
).pipe(
  Schema.decodeTo(
    Schema.Int.check(
      Schema.isBetween({ minimum: 1, maximum: maxLevels }, { message: `must be an integer from 1 to ${maxLevels}` })
    ),
    SchemaTransformation.numberFromString
  )
).annotate({ description: `Levels per side, 1 to ${maxLevels} (default ${defaultLevels}).` })

const marketParams = { market: Enums.MarketType }

/**
 * One price level: its price, the total quantity resting there and the number of orders.
 *
 * @category models
 * @since 0.1.0
 */
export const Level = Schema.Struct({
  /** The level's price. */
  price: Price,
  /** The total resting quantity; "0" in a `book` update when the level is empty now. */
  quantity: Quantity,
  /** The number of resting orders. */
  orders: Schema.Int
}).annotate({ identifier: "Level" })

/**
 * @category models
 * @since 0.1.0
 */
export type Level = typeof Level.Type

/**
 * The L2 depth of a market's book at a sequence: the best levels of each side.
 *
 * @category models
 * @since 0.1.0
 */
export const Depth = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The sequence the book was read at. */
  sequence: Sequence,
  /** Bid levels, highest first. */
  bids: Schema.Array(Level),
  /** Ask levels, lowest first. */
  asks: Schema.Array(Level)
}).annotate({ identifier: "Depth" })

/**
 * @category models
 * @since 0.1.0
 */
export type Depth = typeof Depth.Type

/**
 * The best bid and ask of a market at a sequence.
 *
 * @category models
 * @since 0.1.0
 */
export const Top = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The sequence the book was read at. */
  sequence: Sequence,
  /** The highest bid level, or null when nobody bids. */
  bid: Schema.NullOr(Level),
  /** The lowest ask level, or null when nobody offers. */
  ask: Schema.NullOr(Level)
}).annotate({ identifier: "Top" })

/**
 * @category models
 * @since 0.1.0
 */
export type Top = typeof Top.Type

/**
 * A trade as the public sees it.
 *
 * @category models
 * @since 0.1.0
 */
export const PublicTrade = Schema.Struct({
  /** The engine's id of the trade, the same in `/trades` and in the stream. */
  id: Schema.String,
  /** The market. */
  market: Enums.MarketType,
  /** The sequence of the command that traded. */
  sequence: Sequence,
  /** The price. */
  price: Price,
  /** The quantity. */
  quantity: Quantity,
  /** The side of the order that arrived and took liquidity. */
  aggressor: Enums.OrderSide,
  /** The buyer's anonymous counterparty code. */
  buyer: Schema.String.annotate({ description: "The buyer's anonymous code (the same entity, the same code)." }),
  /** The seller's anonymous counterparty code. */
  seller: Schema.String.annotate({ description: "The seller's anonymous code (the same entity, the same code)." }),
  /** When it executed. */
  executed_at: Time
}).annotate({ identifier: "PublicTrade" })

/**
 * @category models
 * @since 0.1.0
 */
export type PublicTrade = typeof PublicTrade.Type

/**
 * The recent trades of a market, newest first.
 *
 * @category models
 * @since 0.1.0
 */
export const Trades = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The trades, newest first. */
  data: Schema.Array(PublicTrade)
}).annotate({ identifier: "Trades" })

/**
 * @category models
 * @since 0.1.0
 */
export type Trades = typeof Trades.Type

/**
 * A market over the last 24 hours: the first, highest, lowest and last trade prices (all
 * null without a trade in the window), the change from first to last, the volume and
 * notional traded, and the best bid and ask now.
 *
 * @category models
 * @since 0.1.0
 */
export const Ticker = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The sequence the best bid and ask were read at. */
  sequence: Sequence,
  /** The start of the window (excluded). */
  from: Time,
  /** The end of the window, now (included). */
  to: Time,
  /** The first trade's price in the window. */
  open: Schema.NullOr(Price),
  /** The highest price. */
  high: Schema.NullOr(Price),
  /** The lowest price. */
  low: Schema.NullOr(Price),
  /** The last trade's price in the window. */
  last: Schema.NullOr(Price),
  /** `last - open`, signed. */
  change: Schema.NullOr(Schema.String.annotate({ description: "last - open, signed, in the price scale." })),
  /** The tonnes traded. */
  volume: Quantity,
  /** The notional traded, in the quote asset. */
  notional: Amount,
  /** The number of trades. */
  trades: Schema.Int,
  /** The best bid's price now. */
  best_bid: Schema.NullOr(Price),
  /** The best ask's price now. */
  best_ask: Schema.NullOr(Price)
}).annotate({ identifier: "Ticker" })

/**
 * @category models
 * @since 0.1.0
 */
export type Ticker = typeof Ticker.Type

/**
 * The width of a candle: one minute, one hour or one day (UTC).
 *
 * @category models
 * @since 0.1.0
 */
export const CandleInterval = Schema.Literals(["1m", "1h", "1d"]).annotate({
  identifier: "CandleInterval",
  description: "The width of a candle: 1m, 1h or 1d (UTC days)."
})

/**
 * @category models
 * @since 0.1.0
 */
export type CandleInterval = typeof CandleInterval.Type

/**
 * The most candles one request covers: a longer `from`..`to` is refused.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxCandles = 1440

/**
 * One OHLC candle: the trades of one interval.
 *
 * @category models
 * @since 0.1.0
 */
export const Candle = Schema.Struct({
  /** The start of the interval. */
  time: Time,
  /** The first trade's price. */
  open: Price,
  /** The highest price. */
  high: Price,
  /** The lowest price. */
  low: Price,
  /** The last trade's price. */
  close: Price,
  /** The tonnes traded. */
  volume: Quantity,
  /** The notional traded, in the quote asset. */
  notional: Amount,
  /** The number of trades. */
  trades: Schema.Int
}).annotate({ identifier: "Candle" })

/**
 * @category models
 * @since 0.1.0
 */
export type Candle = typeof Candle.Type

/**
 * The candles of a market between two instants, oldest first; intervals without a trade
 * have no candle.
 *
 * @category models
 * @since 0.1.0
 */
export const Candles = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The width of each candle. */
  interval: CandleInterval,
  /** The start of the first interval covered (`from`, rounded down to the interval). */
  from: Time,
  /** The end of the range (excluded). */
  to: Time,
  /** The candles, oldest first. */
  data: Schema.Array(Candle)
}).annotate({ identifier: "Candles" })

/**
 * @category models
 * @since 0.1.0
 */
export type Candles = typeof Candles.Type

/**
 * A `book` event of the stream: one write's sequences and the levels it changed, as they
 * stand after it.
 *
 * @category stream
 * @since 0.1.0
 */
export const BookUpdate = Schema.Struct({
  /** The market. */
  market: Enums.MarketType,
  /** The sequence before the write. */
  previous_sequence: Sequence,
  /** The sequence after the write. */
  sequence: Sequence,
  /** Changed bid levels, highest first (quantity "0": empty now). */
  bids: Schema.Array(Level),
  /** Changed ask levels, lowest first (quantity "0": empty now). */
  asks: Schema.Array(Level)
}).annotate({ identifier: "BookUpdate" })

/**
 * @category stream
 * @since 0.1.0
 */
export type BookUpdate = typeof BookUpdate.Type

/**
 * One event of the stream as it travels: its SSE event name and its JSON data.
 *
 * @category stream
 * @since 0.1.0
 */
export const StreamEvent = Schema.Union([
  Schema.Struct({
    /** The SSE event name. */
    event: Schema.Literal("snapshot"),
    /** The depth and the sequence it was read at (JSON on the wire). */
    data: Schema.fromJsonString(Depth)
  }),
  Schema.Struct({
    /** The SSE event name. */
    event: Schema.Literal("book"),
    /** One write's sequences and changed levels (JSON on the wire). */
    data: Schema.fromJsonString(BookUpdate)
  }),
  Schema.Struct({
    /** The SSE event name. */
    event: Schema.Literal("trade"),
    /** One trade of the write (JSON on the wire). */
    data: Schema.fromJsonString(PublicTrade)
  })
]).annotate({ identifier: "MarketStreamEvent" })

/**
 * @category stream
 * @since 0.1.0
 */
export type StreamEvent = typeof StreamEvent.Type

/**
 * How often the stream sends a heartbeat comment.
 *
 * @category constants
 * @since 0.1.0
 */
export const heartbeatSeconds = 15

/**
 * The group `marketData`.
 *
 * @category groups
 * @since 0.1.0
 */
export class MarketDataApi extends HttpApiGroup.make("marketData")
  .add(
    HttpApiEndpoint.get("book", "/markets/:market/book", {
      params: marketParams,
      query: { levels: Schema.optionalKey(LevelsFromString) },
      success: Depth
    }).annotate(OpenApi.Summary, "The L2 depth of a market's book, with the sequence it was read at"),
    HttpApiEndpoint.get("top", "/markets/:market/top", {
      params: marketParams,
      success: Top
    }).annotate(OpenApi.Summary, "The best bid and ask, with the sequence they were read at"),
    HttpApiEndpoint.get("trades", "/markets/:market/trades", {
      params: marketParams,
      query: { limit: Schema.optionalKey(Pagination.LimitFromString) },
      success: Trades
    }).annotate(OpenApi.Summary, "The recent trades, newest first, counterparties by anonymous code"),
    HttpApiEndpoint.get("ticker", "/markets/:market/ticker", {
      params: marketParams,
      success: Ticker
    }).annotate(OpenApi.Summary, "Open, high, low, last, change, volume and notional over 24 hours; best bid and ask"),
    HttpApiEndpoint.get("candles", "/markets/:market/candles", {
      params: marketParams,
      query: {
        /** The width of each candle. */
        interval: CandleInterval,
        /** The start of the range (ISO 8601); `to` minus 1440 intervals unless given. */
        from: Schema.optionalKey(Instant),
        /** The end of the range, excluded (ISO 8601); now unless given. */
        to: Schema.optionalKey(Instant)
      },
      success: Candles
    }).annotate(OpenApi.Summary, `OHLC candles (1m, 1h, 1d) between from and to, at most ${maxCandles} intervals`),
    HttpApiEndpoint.get("stream", "/markets/:market/stream", {
      params: marketParams,
      query: { levels: Schema.optionalKey(LevelsFromString) },
      success: HttpApiSchema.StreamSse({ events: StreamEvent })
    }).annotate(OpenApi.Summary, "The live book and trades as Server-Sent Events")
      .annotate(
        OpenApi.Description,
        "text/event-stream: a `snapshot` event (the depth to `levels` and its `sequence`), then per write a " +
          "`book` event (its `previous_sequence` and `sequence`, and the levels it changed as they stand after " +
          "it; quantity \"0\" is an empty level) followed by a `trade` event per trade (with the `sequence` of " +
          "its command). A `book` event whose `previous_sequence` is not the last sequence held means a write " +
          "was missed: read a new snapshot by reconnecting. The server sends a new `snapshot` itself when it " +
          `notices a gap. A comment line \`: heartbeat\` comes every ${heartbeatSeconds} seconds.`
      )
  )
  .annotateMerge(OpenApi.annotations({
    title: "Market data",
    description: "Depth, best bid and ask, trades, ticker, candles and the live stream; public."
  }))
{}
