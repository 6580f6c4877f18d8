/**
 * A pure, deterministic order book for one instrument, with price-time priority: commands
 * in, events out. This is the core partners embed (the reference server does not match
 * through it yet); {@link MatchingEngine} wraps several books in an Effect service.
 *
 * `apply` takes a {@link Command.Command} and returns its {@link Event.Event}s; `applyInto`
 * appends them to an array you own, the allocation-free form for batches. The book never
 * reads a clock or a random source, so the same commands give the same events everywhere.
 * A rejected command yields one `CommandRejected` event and leaves the book exactly as it
 * was.
 *
 * Reads are pure views: best bid and ask, L2 depth, the cost of a quantity (VWAP and worst
 * price), an owner's resting quantity, and an anonymised L3 queue where owners appear only
 * as {@link CounterpartyCode} codes. `snapshot` and `restore` turn a book into data and
 * back, for the journal.
 *
 * @since 0.1.0
 */
import type { Enums } from "@niha/domain"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Command from "./Command.ts"
import * as CounterpartyCode from "./CounterpartyCode.ts"
import type * as Event from "./Event.ts"
import type * as Instrument from "./Instrument.ts"
import { Book, type BookSide, levelAbove, levelBelow, NIL } from "./internal/book.ts"
import * as Snapshot from "./Snapshot.ts"

/**
 * What a book is built from: its instrument and the secret that keys the anonymous
 * counterparty codes (keep it out of the journal; see {@link CounterpartyCode.key}).
 *
 * @category models
 * @since 0.1.0
 */
export interface Config {
  /** The instrument the book trades. */
  readonly instrument: Instrument.Instrument
  /** The secret keying the anonymous counterparty codes. */
  readonly anonymitySecret: string
}

/**
 * An order book. Mutable: `apply` changes it in place. Its contents are read through the
 * functions of this module.
 *
 * @category models
 * @since 0.1.0
 */
export interface OrderBook {
  /** The instrument the book trades. */
  readonly instrument: Instrument.Instrument
  /** The `seq` of the last accepted command, -1 before the first. */
  readonly lastSeq: number
  /** Whether the market is halted. */
  readonly halted: boolean
}

// Every OrderBook is a Book: `make` and `restore` are the only constructors.
const core = (book: OrderBook): Book => book as Book

/**
 * An empty book.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (config: Config): OrderBook => new Book(config.instrument, config.anonymitySecret)

/**
 * Applies one command and returns its events.
 *
 * @category commands
 * @since 0.1.0
 */
export const apply = (book: OrderBook, command: Command.Command): Array<Event.Event> => {
  // `new Array()` starts with room for four elements (most commands yield one to three
  // events); a `[]` literal starts with none and its first push grows it to seventeen: 100
  // more bytes of garbage per command and a call to grow the array.
  const events = new Array<Event.Event>()
  core(book).execute(command, events)
  return events
}

/**
 * Applies one command and appends its events to `events` (no array allocated per command).
 *
 * @category commands
 * @since 0.1.0
 */
export const applyInto = (book: OrderBook, command: Command.Command, events: Array<Event.Event>): void => {
  core(book).execute(command, events)
}

/**
 * Applies commands in order and returns all their events.
 *
 * @category commands
 * @since 0.1.0
 */
export const applyAll = (book: OrderBook, commands: Iterable<Command.Command>): Array<Event.Event> => {
  const events: Array<Event.Event> = []
  const target = core(book)
  for (const command of commands) target.execute(command, events)
  return events
}

// -----------------------------------------------------------------------------------------
// Views
// -----------------------------------------------------------------------------------------

/**
 * One price level: its price, total resting quantity and number of orders.
 *
 * @category views
 * @since 0.1.0
 */
export interface Level {
  /** The level's price, in minor price units. */
  readonly price: number
  /** The total resting quantity, in tonnes. */
  readonly quantity: number
  /** The number of resting orders. */
  readonly orders: number
}

const sideOf = (target: Book, side: Enums.OrderSide): BookSide => side === "BUY" ? target.bids : target.asks

const topOf = (target: Book, side: BookSide): Level | null => {
  const view = side.best === NIL ? undefined : target.levelView(side, side.best)
  return view === undefined ? null : { price: target.priceOf(view.level), quantity: view.quantity, orders: view.count }
}

/**
 * The best (highest) bid level, or `null` when there is no bid.
 *
 * @category views
 * @since 0.1.0
 */
export const bestBid = (book: OrderBook): Level | null => topOf(core(book), core(book).bids)

/**
 * The best (lowest) ask level, or `null` when there is no ask.
 *
 * @category views
 * @since 0.1.0
 */
export const bestAsk = (book: OrderBook): Level | null => topOf(core(book), core(book).asks)

/**
 * L2 depth: up to `levels` levels of each side, best first.
 *
 * @category views
 * @since 0.1.0
 */
export interface Depth {
  /** Bid levels, highest first. */
  readonly bids: ReadonlyArray<Level>
  /** Ask levels, lowest first. */
  readonly asks: ReadonlyArray<Level>
}

/**
 * The L2 depth of the book to `levels` levels per side.
 *
 * @category views
 * @since 0.1.0
 */
export const depth = (book: OrderBook, levels: number): Depth => {
  const target = core(book)
  const read = (side: BookSide): Array<Level> =>
    target.levels(side, Math.max(0, Math.floor(levels))).map((view) => ({
      price: target.priceOf(view.level),
      quantity: view.quantity,
      orders: view.count
    }))
  return { bids: read(target.bids), asks: read(target.asks) }
}

/**
 * The level at one price of one side, without walking the book: its total resting
 * quantity and number of orders, both 0 when nothing rests there (also for a price off
 * the instrument's band or tick). Market data reports the levels a command changed with it.
 *
 * @category views
 * @since 0.1.0
 */
export const levelAt = (book: OrderBook, side: Enums.OrderSide, price: number): Level => {
  const target = core(book)
  const offset = price - target.minPrice
  const onBook = Number.isSafeInteger(price) && offset >= 0 && price <= target.maxPrice && offset % target.tick === 0
  const view = onBook ? target.levelView(sideOf(target, side), offset / target.tick) : undefined
  return { price, quantity: view?.quantity ?? 0, orders: view?.count ?? 0 }
}

/**
 * The cost of trading a quantity against the book now. `quantity` is what the book can
 * fill (at most `requested`), `notional` its exact cost in notional units (a bigint: price
 * x quantity summed over the levels it takes), `vwap` the average price rounded half-up to a
 * minor price unit, `worstPrice` the last level it reaches (`null` when nothing fills).
 *
 * @category views
 * @since 0.1.0
 */
export interface Quote {
  /** The side of the hypothetical order. */
  readonly side: Enums.OrderSide
  /** The quantity asked for. */
  readonly requested: number
  /** The quantity the book can fill now. */
  readonly quantity: number
  /** The exact cost of that quantity, in notional units. */
  readonly notional: bigint
  /** The volume-weighted average price, rounded half-up; `null` when nothing fills. */
  readonly vwap: number | null
  /** The price of the last level reached; `null` when nothing fills. */
  readonly worstPrice: number | null
  /** Whether the whole requested quantity fills. */
  readonly complete: boolean
}

/**
 * Raised when a quote is asked for a quantity that is not a non-negative safe integer.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidQuoteQuantity extends Schema.TaggedError<InvalidQuoteQuantity>()("InvalidQuoteQuantity", {
  /** The quantity asked for. */
  quantity: Schema.Number
}) {}

/**
 * The cost to BUY (walking the asks) or SELL (walking the bids) `quantity` tonnes now,
 * ignoring self-trade prevention.
 *
 * @category views
 * @since 0.1.0
 */
export const quote = (
  book: OrderBook,
  side: Enums.OrderSide,
  quantity: number
): Result.Result<Quote, InvalidQuoteQuantity> => {
  if (!Number.isSafeInteger(quantity) || quantity < 0) return Result.fail(new InvalidQuoteQuantity({ quantity }))
  const target = core(book)
  const levels = side === "BUY" ? target.asks : target.bids
  let remaining = quantity
  let notional = 0n
  let worstPrice: number | null = null
  let level = levels.best
  while (remaining > 0 && level !== NIL) {
    const view = target.levelView(levels, level)
    if (view !== undefined) {
      const taken = Math.min(remaining, view.quantity)
      worstPrice = target.priceOf(level)
      notional += BigInt(worstPrice) * BigInt(taken)
      remaining -= taken
    }
    level = side === "BUY" ? levelAbove(levels, level) : levelBelow(levels, level)
  }
  const filled = quantity - remaining
  const vwap = filled === 0 ? null : Number((2n * notional + BigInt(filled)) / (2n * BigInt(filled)))
  return Result.succeed({
    side,
    requested: quantity,
    quantity: filled,
    notional,
    vwap,
    worstPrice,
    complete: remaining === 0
  })
}

/**
 * What one owner has resting: total quantity on each side and the number of orders.
 *
 * @category views
 * @since 0.1.0
 */
export interface Position {
  /** Resting quantity on the bid side, in tonnes. */
  readonly buyQuantity: number
  /** Resting quantity on the ask side, in tonnes. */
  readonly sellQuantity: number
  /** Number of resting orders. */
  readonly orders: number
}

/**
 * The resting quantity of one owner (zero when the owner has nothing in the book).
 *
 * @category views
 * @since 0.1.0
 */
export const restingOf = (book: OrderBook, owner: string): Position => {
  const target = core(book)
  const index = target.ownerIndex.get(owner)
  if (index === undefined) return { buyQuantity: 0, sellQuantity: 0, orders: 0 }
  return target.position(index)
}

/**
 * One resting order as the public may see it: its counterparty code, never its owner or id.
 *
 * @category views
 * @since 0.1.0
 */
export interface AnonymousOrder {
  /** The owner's anonymous code. */
  readonly counterparty: string
  /** The order's open quantity. */
  readonly quantity: number
}

/**
 * One level of the anonymised L3 view, its orders in queue order.
 *
 * @category views
 * @since 0.1.0
 */
export interface QueueLevel extends Level {
  /** The level's orders, first in priority first. */
  readonly queue: ReadonlyArray<AnonymousOrder>
}

/**
 * The anonymised L3 view of one side: up to `levels` levels, best first, each with its
 * orders in time priority and their counterparty codes.
 *
 * @category views
 * @since 0.1.0
 */
export const queue = (book: OrderBook, side: Enums.OrderSide, levels: number): Array<QueueLevel> => {
  const target = core(book)
  return target.levels(sideOf(target, side), Math.max(0, Math.floor(levels))).map((view) => {
    const orders: Array<AnonymousOrder> = []
    for (let slot = view.head; slot !== NIL; slot = target.nextInQueue(slot)) {
      orders.push({ counterparty: target.ownerCode(target.ownerOf(slot)), quantity: target.quantityOf(slot) })
    }
    return { price: target.priceOf(view.level), quantity: view.quantity, orders: view.count, queue: orders }
  })
}

/**
 * A resting order by id, with its owner (an owner-facing view), or `null`.
 *
 * @category views
 * @since 0.1.0
 */
export const findOrder = (book: OrderBook, orderId: string): Snapshot.RestingOrder | null => {
  const target = core(book)
  const slot = target.slotOf(orderId)
  return slot === NIL ? null : target.restingOrder(slot)
}

/**
 * The anonymous code under which `owner` appears in this book's public views.
 *
 * @category views
 * @since 0.1.0
 */
export const counterpartyCode = (book: OrderBook, owner: string): string => {
  const target = core(book)
  const index = target.ownerIndex.get(owner)
  return index === undefined ? CounterpartyCode.make(target.codeKey, owner) : target.ownerCode(index)
}

/**
 * A trade as the public may see it: counterparties by code.
 *
 * @category views
 * @since 0.1.0
 */
export interface PublicTrade {
  /** The trade id. */
  readonly tradeId: string
  /** The time of the trade. */
  readonly timestamp: number
  /** The price, in minor price units. */
  readonly price: number
  /** The quantity, in tonnes. */
  readonly quantity: number
  /** The side of the incoming order. */
  readonly aggressor: Enums.OrderSide
  /** The buyer's anonymous code. */
  readonly buyer: string
  /** The seller's anonymous code. */
  readonly seller: string
}

/**
 * The public form of a trade event of this book.
 *
 * @category views
 * @since 0.1.0
 */
export const publicTrade = (book: OrderBook, trade: Event.Trade): PublicTrade => ({
  tradeId: trade.tradeId,
  timestamp: trade.timestamp,
  price: trade.price,
  quantity: trade.quantity,
  aggressor: trade.aggressor,
  buyer: counterpartyCode(book, trade.buyOwner),
  seller: counterpartyCode(book, trade.sellOwner)
})

// -----------------------------------------------------------------------------------------
// Snapshots
// -----------------------------------------------------------------------------------------

/**
 * The book's state as data (see {@link Snapshot}).
 *
 * @category snapshots
 * @since 0.1.0
 */
export const snapshot = (book: OrderBook): Snapshot.Snapshot => {
  const target = core(book)
  return {
    version: Snapshot.version,
    instrument: target.instrument,
    lastSeq: target.lastSeq,
    halted: target.halted,
    orders: target.restingOrders()
  }
}

const instrumentKeys = [
  "market",
  "baseAsset",
  "quoteAsset",
  "priceDecimals",
  "tickSize",
  "lotSize",
  "minQuantity",
  "maxQuantity",
  "minPrice",
  "maxPrice"
] as const

/**
 * Rebuilds a book from a snapshot. The snapshot's instrument must equal the configured one
 * and its orders must form a valid book: on the grid, unique, in increasing priority, none
 * after `lastSeq`, not crossed.
 *
 * @category snapshots
 * @since 0.1.0
 */
export const restore = (
  config: Config,
  state: Snapshot.Snapshot
): Result.Result<OrderBook, Snapshot.InvalidSnapshot> => {
  const invalid = (message: string) => Result.fail(new Snapshot.InvalidSnapshot({ message }))
  if (state.version !== Snapshot.version) return invalid(`unsupported snapshot version ${String(state.version)}`)
  for (const key of instrumentKeys) {
    if (state.instrument[key] !== config.instrument[key]) {
      return invalid(`the snapshot's instrument differs from the configured one in ${key}`)
    }
  }
  if (!Number.isSafeInteger(state.lastSeq) || state.lastSeq < -1) return invalid(`invalid lastSeq ${state.lastSeq}`)
  const target = new Book(config.instrument, config.anonymitySecret)
  target.lastSeq = state.lastSeq
  target.halted = state.halted
  let previous = -1
  for (const order of state.orders) {
    if (order.priority <= previous) return invalid(`order ${order.orderId}: priorities must increase`)
    previous = order.priority
    const problem = target.restoreOrder(order)
    if (problem !== undefined) return invalid(problem)
  }
  return Result.succeed(target)
}
