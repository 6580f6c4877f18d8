/**
 * Market data: what the public may see of each market, for the `marketData` group of the
 * contract (`@niha/sdk`'s `MarketDataApi`, which describes every field).
 *
 * - **The book** (depth, best bid and ask) is read from the market's writer
 *   (`MarketWriter.read`): under its permit, brought up to the database first, so a read
 *   is the book at one sequence, never half a write.
 * - **Trades, the ticker and candles** are read from `cash_market_trades` in SQL: the
 *   ticker's and candles' aggregates (first and last by market sequence, high, low,
 *   volume, notional) are computed by PostgreSQL in exact `numeric` and come back as
 *   integers of the market's minor units. A trade's aggressor is the side of the order of
 *   the stored command that made it; its counterparties are shown by the book's anonymous
 *   codes (`OrderBook.counterpartyCode`), never by entity; an external seller by its own
 *   anonymous code (`sellers.code`). The live stream shows every owner by the book's code.
 * - **The live stream** subscribes to the writer's updates before it reads its snapshot,
 *   drops the updates the snapshot already holds, and sends each write as a `book` event
 *   then its trades (the writes of other instances too: the writer publishes what it
 *   catches up). When an update does not follow the last one it sent (this subscriber fell
 *   more than the buffer behind), it sends a new snapshot instead of the gap.
 *
 * @since 0.1.0
 */
import { Decimal, Enums, Errors, Market } from "@niha/domain"
import { OrderBook } from "@niha/matching"
import { MarketDataApi } from "@niha/sdk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Stream from "effect/Stream"
import * as rows from "../internal/rows.ts"
import { MarketWriter, type Update } from "./MarketWriter.ts"

/**
 * The 24-hour window of the ticker.
 *
 * @category constants
 * @since 0.1.0
 */
export const tickerWindow: Duration.Duration = Duration.hours(24)

/**
 * The width of each candle interval.
 *
 * @category constants
 * @since 0.1.0
 */
export const intervals: { readonly [I in MarketDataApi.CandleInterval]: Duration.Duration } = {
  "1m": Duration.minutes(1),
  "1h": Duration.hours(1),
  "1d": Duration.days(1)
}

const priceText = (market: Enums.MarketType, minor: number | bigint) =>
  Decimal.format(minor, Market.instruments[market].priceScale)
const quoteText = (market: Enums.MarketType, minor: number | bigint) =>
  Decimal.format(minor, Market.instruments[market].quoteScale)
const tonnesText = (tonnes: number | bigint) => Decimal.format(tonnes, 0)
// Numeric columns times these are the minor units `Decimal.format` takes (exact: the
// columns hold no more decimals than the scale, checked where they are written).
const priceFactor = (market: Enums.MarketType) => 10 ** Market.instruments[market].priceScale
const quoteFactor = (market: Enums.MarketType) => 10 ** Market.instruments[market].quoteScale

const levelOf = (market: Enums.MarketType) => (level: OrderBook.Level): MarketDataApi.Level => ({
  price: priceText(market, level.price),
  quantity: tonnesText(level.quantity),
  orders: level.orders
})

const isoOf = (millis: number) => DateTime.formatIso(DateTime.makeUnsafe(millis))

const TradeRow = Schema.Struct({
  match_id: Schema.String,
  sequence: Schema.NumberFromString,
  executed_at: Schema.DateTimeUtcFromDate,
  price: Schema.BigIntFromString,
  quantity: Schema.BigIntFromString,
  buyer: Schema.String,
  seller: Schema.String,
  /** An external seller's anonymous code (`sellers.code`), shown instead of a derived one. */
  seller_code: Schema.NullOr(Schema.String),
  aggressor: Enums.OrderSide
})

const totals = { volume: Schema.BigIntFromString, notional: Schema.BigIntFromString, trades: Schema.NumberFromString }
const Minor = Schema.BigIntFromString
// Over no trade (a ticker's quiet day) the prices are null; a candle has at least one trade.
const TickerRow = Schema.Struct({
  ...totals,
  open: Schema.NullOr(Minor),
  high: Schema.NullOr(Minor),
  low: Schema.NullOr(Minor),
  close: Schema.NullOr(Minor)
})
const CandleRow = Schema.Struct({
  ...totals,
  open: Minor,
  high: Minor,
  low: Minor,
  close: Minor,
  time: Schema.DateTimeUtcFromDate
})

/**
 * A candle request: the interval, and the range (`from` rounded down to the interval,
 * `to` excluded); `to` is now and `from` as far back as one request may go unless given.
 *
 * @category models
 * @since 0.1.0
 */
export interface CandleQuery {
  /** The width of each candle. */
  readonly interval: MarketDataApi.CandleInterval
  /** The start of the range. */
  readonly from?: DateTime.Utc | undefined
  /** The end of the range, excluded. */
  readonly to?: DateTime.Utc | undefined
}

/**
 * What the service does; every answer is in the contract's types (`MarketDataApi`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Service {
  /** The L2 depth of a market's book to `levels` levels per side, with its sequence. */
  readonly depth: (market: Enums.MarketType, levels: number) => Effect.Effect<MarketDataApi.Depth, SqlError>
  /** The best bid and ask, with their sequence. */
  readonly top: (market: Enums.MarketType) => Effect.Effect<MarketDataApi.Top, SqlError>
  /** The `limit` most recent trades, newest first. */
  readonly trades: (market: Enums.MarketType, limit: number) => Effect.Effect<MarketDataApi.Trades, SqlError>
  /** The ticker of the 24 hours up to now (the `Clock`'s). */
  readonly ticker: (market: Enums.MarketType) => Effect.Effect<MarketDataApi.Ticker, SqlError>
  /** The candles of a range; a range that is empty or too long is `ValidationFailed` naming `from`. */
  readonly candles: (
    market: Enums.MarketType,
    query: CandleQuery
  ) => Effect.Effect<MarketDataApi.Candles, Errors.ValidationFailed | SqlError>
  /**
   * The live events of a market: a snapshot to `levels`, then each write this instance
   * commits; a new snapshot whenever a write was missed.
   */
  readonly stream: (market: Enums.MarketType, levels: number) => Stream.Stream<MarketDataApi.StreamEvent>
}

const tradeRows = rows.all("cash_market_trades", TradeRow)
const tickerRows = rows.all("cash_market_trades", TickerRow)
const candleRows = rows.all("cash_market_trades", CandleRow)

/**
 * Builds the service on the database and the writer in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<Service, never, SqlClient.SqlClient | MarketWriter> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const writer = yield* MarketWriter

  /** The OHLC aggregates of the trades a `WHERE` clause selects, in minor units. */
  const aggregates = (market: Enums.MarketType) => {
    const price = sql`round(price * ${priceFactor(market)}::numeric)::bigint`
    return sql`
      (array_agg(${price} ORDER BY market_sequence, length(match_id), match_id))[1]::text AS open,
      max(${price})::text AS high,
      min(${price})::text AS low,
      (array_agg(${price} ORDER BY market_sequence DESC, length(match_id) DESC, match_id DESC))[1]::text AS close,
      coalesce(sum(quantity), 0)::text AS volume,
      round(coalesce(sum(notional), 0) * ${quoteFactor(market)}::numeric)::bigint::text AS notional,
      count(*)::text AS trades`
  }

  const depth = Effect.fn("MarketData.depth")(function*(market: Enums.MarketType, levels: number) {
    return yield* writer.read(market, (book, sequence): MarketDataApi.Depth => {
      const { asks, bids } = OrderBook.depth(book, levels)
      return { market, sequence, bids: bids.map(levelOf(market)), asks: asks.map(levelOf(market)) }
    })
  })

  const top = Effect.fn("MarketData.top")(function*(market: Enums.MarketType) {
    return yield* writer.read(market, (book, sequence): MarketDataApi.Top => {
      const bid = OrderBook.bestBid(book)
      const ask = OrderBook.bestAsk(book)
      return {
        market,
        sequence,
        bid: bid === null ? null : levelOf(market)(bid),
        ask: ask === null ? null : levelOf(market)(ask)
      }
    })
  })

  const trades = Effect.fn("MarketData.trades")(function*(market: Enums.MarketType, limit: number) {
    const found = yield* tradeRows(sql`
      SELECT t.match_id, t.market_sequence::text AS sequence, t.executed_at,
        round(t.price * ${priceFactor(market)}::numeric)::bigint::text AS price, t.quantity::text AS quantity,
        b.entity_id::text AS buyer, coalesce(s.entity_id, s.seller_id)::text AS seller, sl.code AS seller_code,
        CASE c.command->>'orderId' WHEN t.buy_order_id::text THEN 'BUY' WHEN t.sell_order_id::text THEN 'SELL' END
          AS aggressor
      FROM cash_market_trades t
      JOIN orders b ON b.id = t.buy_order_id
      JOIN orders s ON s.id = t.sell_order_id
      LEFT JOIN sellers sl ON sl.id = s.seller_id
      JOIN market_commands c ON c.market = t.market AND c.sequence = t.market_sequence
      WHERE t.market = ${market} AND t.match_id IS NOT NULL
      -- A command's trades share its sequence; the engine numbers them <market>-<seq>-<n>,
      -- so within a command they sort by the length, then the text, of their match id.
      ORDER BY t.market_sequence DESC, length(t.match_id) DESC, t.match_id DESC
      LIMIT ${limit}`)
    const data = yield* writer.read(market, (book) =>
      found.map((row): MarketDataApi.PublicTrade => ({
        id: row.match_id,
        market,
        sequence: row.sequence,
        price: priceText(market, row.price),
        quantity: tonnesText(row.quantity),
        aggressor: row.aggressor,
        buyer: OrderBook.counterpartyCode(book, row.buyer),
        seller: row.seller_code ?? OrderBook.counterpartyCode(book, row.seller),
        executed_at: DateTime.formatIso(row.executed_at)
      })))
    return { market, data } satisfies MarketDataApi.Trades
  })

  const ticker = Effect.fn("MarketData.ticker")(function*(market: Enums.MarketType) {
    const to = yield* Clock.currentTimeMillis
    const from = to - Duration.toMillis(tickerWindow)
    const [row] = yield* tickerRows(sql`
      SELECT ${aggregates(market)} FROM cash_market_trades
      WHERE market = ${market} AND executed_at > ${new Date(from)} AND executed_at <= ${new Date(to)}`)
    if (row === undefined) return yield* Effect.die(new Error("invariant broken: an aggregate without a row"))
    const best = yield* top(market)
    const price = (minor: bigint | null) => minor === null ? null : priceText(market, minor)
    return {
      market,
      sequence: best.sequence,
      from: isoOf(from),
      to: isoOf(to),
      open: price(row.open),
      high: price(row.high),
      low: price(row.low),
      last: price(row.close),
      change: row.open === null || row.close === null ? null : priceText(market, row.close - row.open),
      volume: tonnesText(row.volume),
      notional: quoteText(market, row.notional),
      trades: row.trades,
      best_bid: best.bid?.price ?? null,
      best_ask: best.ask?.price ?? null
    } satisfies MarketDataApi.Ticker
  })

  const candles = Effect.fn("MarketData.candles")(function*(market: Enums.MarketType, query: CandleQuery) {
    const step = Duration.toMillis(intervals[query.interval])
    const to = query.to === undefined ? yield* Clock.currentTimeMillis : DateTime.toEpochMillis(query.to)
    // Unless told, the range ends at `to` and covers as many intervals as a request may.
    const asked = query.from === undefined ?
      to - (MarketDataApi.maxCandles - 1) * step :
      DateTime.toEpochMillis(query.from)
    // Candles start on whole intervals since the Unix epoch (UTC midnight for days).
    const from = Math.floor(asked / step) * step
    if (asked >= to) {
      return yield* new Errors.ValidationFailed({ issues: [{ path: "from", message: "must be before to" }] })
    }
    if (Math.ceil((to - from) / step) > MarketDataApi.maxCandles) {
      return yield* new Errors.ValidationFailed({
        issues: [{
          path: "from",
          message: `from..to covers more than ${MarketDataApi.maxCandles} intervals of ${query.interval}`
        }]
      })
    }
    const found = yield* candleRows(sql`
      SELECT date_bin(${`${step / 1000} seconds`}::interval, executed_at, 'epoch'::timestamptz) AS time,
        ${aggregates(market)}
      FROM cash_market_trades
      WHERE market = ${market} AND executed_at >= ${new Date(from)} AND executed_at < ${new Date(to)}
      GROUP BY 1 ORDER BY 1`)
    return {
      market,
      interval: query.interval,
      from: isoOf(from),
      to: isoOf(to),
      data: found.map((row): MarketDataApi.Candle => ({
        time: DateTime.formatIso(row.time),
        open: priceText(market, row.open),
        high: priceText(market, row.high),
        low: priceText(market, row.low),
        close: priceText(market, row.close),
        volume: tonnesText(row.volume),
        notional: quoteText(market, row.notional),
        trades: row.trades
      }))
    } satisfies MarketDataApi.Candles
  })

  /** One write as stream events: its `book` event, then its trades. */
  const eventsOf = (update: Update): Array<MarketDataApi.StreamEvent> => {
    const market = update.market
    return [
      {
        event: "book",
        data: {
          market,
          previous_sequence: update.previousSequence,
          sequence: update.sequence,
          bids: update.levels.bids.map(levelOf(market)),
          asks: update.levels.asks.map(levelOf(market))
        }
      },
      ...update.trades.map((trade): MarketDataApi.StreamEvent => ({
        event: "trade",
        data: {
          id: trade.tradeId,
          market,
          sequence: trade.sequence,
          price: priceText(market, trade.price),
          quantity: tonnesText(trade.quantity),
          aggressor: trade.aggressor,
          buyer: trade.buyer,
          seller: trade.seller,
          executed_at: isoOf(trade.timestamp)
        }
      }))
    ]
  }

  const stream = (market: Enums.MarketType, levels: number): Stream.Stream<MarketDataApi.StreamEvent> =>
    Stream.unwrap(Effect.gen(function*() {
      // Subscribed before the snapshot is read, so no write after it is missed.
      const updates = yield* writer.subscribe(market)
      const first = yield* Effect.orDie(depth(market, levels))
      let held = first.sequence
      const snapshot = (depth: MarketDataApi.Depth): MarketDataApi.StreamEvent => {
        held = depth.sequence
        return { event: "snapshot", data: depth }
      }
      const follow = (update: Update) =>
        Effect.gen(function*(): Effect.fn.Return<ReadonlyArray<MarketDataApi.StreamEvent>> {
          // The snapshot holds it already (it was published before the snapshot was read).
          if (update.sequence <= held) return []
          if (update.previousSequence === held) {
            held = update.sequence
            return eventsOf(update)
          }
          // Dropped by the buffer (or a write not seen): start again from the book.
          // Updates are published under the writer's permit and the snapshot is read under
          // it, so the new snapshot holds this update too.
          return [snapshot(yield* Effect.orDie(depth(market, levels)))]
        })
      return Stream.concat(
        Stream.succeed(snapshot(first)),
        updates.pipe(Stream.mapEffect(follow), Stream.flattenIterable)
      )
    }))

  return { depth, top, trades, ticker, candles, stream } satisfies Service
})

/**
 * The market data service.
 *
 * @category services
 * @since 0.1.0
 */
export class MarketData extends Context.Service<MarketData, Service>()(
  "@niha/server/MarketData"
) {
  /**
   * The service on the database and the writer in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<MarketData, never, SqlClient.SqlClient | MarketWriter> = Layer.effect(
    MarketData,
    make
  )
}
