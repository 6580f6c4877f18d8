/**
 * The matching core: one order book as plain, allocation-light TypeScript.
 *
 * - Order slots are 32-byte records in one typed array, indexed by slot number, with a
 *   free list, so a resting order costs a few dozen bytes and no object.
 * - Each price level is an intrusive doubly-linked FIFO through the slots (their `NEXT` and
 *   `PREV` fields); levels are indexed by their tick offset from the band's minimum price, in
 *   chunks of 1024 levels allocated on first use.
 * - A two-level bitset per side marks the non-empty levels, so the next best level is found
 *   with a few `Math.clz32` rather than a scan of empty ticks. Best bid and ask are kept
 *   incrementally.
 * - Order ids map to slots through an open-addressing table of integers (`IdTable`); the
 *   book keeps each resting order's id in its slot record, not the caller's string (see
 *   `orderId.ts`). Owners are interned to small integers, with per-owner totals; cancel-all
 *   finds an owner's orders by scanning the slots (see `slotsOf`).
 *
 * No closure, promise or Effect is created per order; the only allocations on the hot path
 * are the events themselves (made by constructors: see `events.ts`), a trade id string per
 * trade, and a maker's id string when an event names it. The public modules wrap this
 * class; nothing here is exported from the package.
 */
import type * as Command from "../Command.ts"
import * as CounterpartyCode from "../CounterpartyCode.ts"
import type * as Event from "../Event.ts"
import * as Instrument from "../Instrument.ts"
import type * as Snapshot from "../Snapshot.ts"
import * as Events from "./events.ts"
import { hashId, IdTable } from "./idTable.ts"
import { decode, hashWords, IdKey, isLong } from "./orderId.ts"

/** The null slot / level / owner index. */
export const NIL = -1

const CHUNK_SHIFT = 10
const CHUNK_SIZE = 1 << CHUNK_SHIFT
const CHUNK_MASK = CHUNK_SIZE - 1

const BUY = 0
const SELL = 1

const FLAG_SELL = 1
const FLAG_POST_ONLY = 2
const STP_SHIFT = 2

const STP_CANCEL_TAKER = 0
const STP_CANCEL_MAKER = 1
const STP_CANCEL_BOTH = 2
const STP_DECREMENT_BOTH = 3
const STP_NAMES = ["CANCEL_TAKER", "CANCEL_MAKER", "CANCEL_BOTH", "DECREMENT_BOTH"] as const

const TIF_GTC = 0
const TIF_IOC = 1
const TIF_FOK = 2

/** Budget sentinel: the order has no budget. */
/** The `restFlags` of an order whose remainder expires instead of resting (IOC, FOK). */
const EXPIRE_REST = -1
const NO_BUDGET = -1
const MAX_SAFE = Number.MAX_SAFE_INTEGER

const sideCode = (side: string): number => side === "BUY" ? BUY : side === "SELL" ? SELL : NIL

const stpCode = (mode: string): number =>
  mode === "CANCEL_TAKER"
    ? STP_CANCEL_TAKER
    : mode === "CANCEL_MAKER"
    ? STP_CANCEL_MAKER
    : mode === "CANCEL_BOTH"
    ? STP_CANCEL_BOTH
    : mode === "DECREMENT_BOTH"
    ? STP_DECREMENT_BOTH
    : NIL

const tifCode = (tif: string): number =>
  tif === "GTC" ? TIF_GTC : tif === "IOC" ? TIF_IOC : tif === "FOK" ? TIF_FOK : NIL

/**
 * An integer as V8 stores it cheapest. A quantity read from a Float64Array and put in an
 * event as is gets a 16-byte heap number of its own; one that fits 31 bits is stored in the
 * event's field itself. Values beyond that range pass unchanged.
 */
const small = (x: number): number => (x <= 0x3fffffff && x >= -0x40000000 ? x | 0 : x)

const isId = (id: unknown): id is string => typeof id === "string" && id.length > 0

/**
 * A broken invariant of the book's own structure: a bug, never a caller's mistake (those are
 * rejections). It throws rather than fall back to a default that would corrupt the book
 * silently; `OrderBook` and `MatchingEngine` do not catch it.
 */
const broken = (invariant: string): never => {
  throw new Error(`order book invariant broken: ${invariant}`)
}

// Reads of typed-array elements that must exist. An index past the end means a link, level or
// owner index is corrupt. The check costs nothing measurable: the engine bounds-checks the
// read anyway, and the throwing branch is never taken. Each reader is one expression with the
// message built out of line (`outside`): at 21 bytes of bytecode (47 with the message inline)
// V8 always inlines it, and the dozens of reads in `remove`, `rest` or `match` no longer use
// up the optimising compiler's inlining budget, which left calls such as `IdTable.delete` and
// `hashWords` out of line (`--trace-turbo-inlining`).
const outside = (array: Int32Array | Float64Array | Uint32Array, index: number): never =>
  broken(`index ${index} outside a ${array.constructor.name} of ${array.length}`)
const int32 = (array: Int32Array, index: number): number => array[index] ?? outside(array, index)
const float64 = (array: Float64Array, index: number): number => array[index] ?? outside(array, index)
const uint32 = (array: Uint32Array, index: number): number => array[index] ?? outside(array, index)

/** One chunk of 1024 consecutive price levels of one side. */
class LevelChunk {
  readonly head: Int32Array
  readonly tail: Int32Array
  readonly quantity: Float64Array
  readonly count: Int32Array
  constructor() {
    this.head = new Int32Array(CHUNK_SIZE).fill(NIL)
    this.tail = new Int32Array(CHUNK_SIZE).fill(NIL)
    this.quantity = new Float64Array(CHUNK_SIZE)
    this.count = new Int32Array(CHUNK_SIZE)
  }
}

const chunkMissing = (slot: number, level: number): never =>
  broken(`slot ${slot} rests at level ${level}, whose chunk does not exist`)

/** The bids or the asks. */
export class BookSide {
  readonly isBid: boolean
  readonly chunks: Array<LevelChunk | undefined>
  /** One bit per level: set when the level has orders. */
  readonly bits: Uint32Array
  /** One bit per word of `bits`: set when that word is not zero. */
  readonly summary: Uint32Array
  best = NIL
  orders = 0
  constructor(isBid: boolean, levelCount: number) {
    this.isBid = isBid
    this.chunks = new Array<LevelChunk | undefined>(Math.ceil(levelCount / CHUNK_SIZE)).fill(undefined)
    const words = Math.ceil(levelCount / 32)
    this.bits = new Uint32Array(words)
    this.summary = new Uint32Array(Math.ceil(words / 32))
  }
}

const setBit = (side: BookSide, level: number): void => {
  const word = level >>> 5
  side.bits[word] = uint32(side.bits, word) | (1 << (level & 31))
  const summaryWord = word >>> 5
  side.summary[summaryWord] = uint32(side.summary, summaryWord) | (1 << (word & 31))
}

const clearBit = (side: BookSide, level: number): void => {
  const word = level >>> 5
  const value = uint32(side.bits, word) & ~(1 << (level & 31))
  side.bits[word] = value
  if (value === 0) {
    const summaryWord = word >>> 5
    side.summary[summaryWord] = uint32(side.summary, summaryWord) & ~(1 << (word & 31))
  }
}

const lowestBit = (x: number): number => 31 - Math.clz32(x & -x)
const highestBit = (x: number): number => 31 - Math.clz32(x)

/** The highest non-empty level strictly below `from`, or NIL. */
export const levelBelow = (side: BookSide, from: number): number => {
  if (from <= 0) return NIL
  const level = from - 1
  let word = level >>> 5
  const bit = level & 31
  const bits = uint32(side.bits, word) & (bit === 31 ? -1 : (1 << (bit + 1)) - 1)
  if (bits !== 0) return (word << 5) + highestBit(bits)
  let summaryWord = word >>> 5
  const summaryBit = word & 31
  let summary = summaryBit === 0 ? 0 : uint32(side.summary, summaryWord) & ((1 << summaryBit) - 1)
  while (summary === 0) {
    if (summaryWord === 0) return NIL
    summaryWord--
    summary = uint32(side.summary, summaryWord)
  }
  word = (summaryWord << 5) + highestBit(summary)
  return (word << 5) + highestBit(uint32(side.bits, word))
}

/** The lowest non-empty level strictly above `from`, or NIL. */
export const levelAbove = (side: BookSide, from: number): number => {
  const level = from + 1
  let word = level >>> 5
  if (word >= side.bits.length) return NIL
  const bits = uint32(side.bits, word) & (-1 << (level & 31))
  if (bits !== 0) return (word << 5) + lowestBit(bits)
  let summaryWord = word >>> 5
  const summaryBit = (word & 31) + 1
  let summary = summaryBit === 32 ? 0 : uint32(side.summary, summaryWord) & (-1 << summaryBit)
  while (summary === 0) {
    summaryWord++
    if (summaryWord >= side.summary.length) return NIL
    summary = uint32(side.summary, summaryWord)
  }
  word = (summaryWord << 5) + lowestBit(summary)
  return (word << 5) + lowestBit(uint32(side.bits, word))
}

/** The next level after `level` in priority order (lower for bids, higher for asks). */
export const nextLevel = (side: BookSide, level: number): number =>
  side.isBid ? levelBelow(side, level) : levelAbove(side, level)

/** A read-only view of one price level. */
export interface LevelView {
  readonly level: number
  readonly quantity: number
  readonly count: number
  readonly head: number
}

const growInt32 = (array: Int32Array, size: number): Int32Array<ArrayBuffer> => {
  const grown = new Int32Array(size)
  grown.set(array)
  return grown
}

const growFloat64 = (array: Float64Array, size: number): Float64Array<ArrayBuffer> => {
  const grown = new Float64Array(size)
  grown.set(array)
  return grown
}

const INITIAL_SLOTS = 1024

/**
 * An order slot is one record of 32 bytes: eight 32-bit fields. One record rather than one
 * array per field, because a cancel or a fill touches every field of a slot that is not in
 * cache: aligned, two to a cache line, they cost one miss instead of one per field (records
 * of 36 and 44 bytes, which straddle lines, measured slower). The level and the flags share
 * a field, and the quantity is a 32-bit integer (an instrument's maximum quantity is at most
 * 2^31 - 1); the priority, read only by snapshots and cancel-all, lives in its own array.
 * The last 12 bytes are the order's id (see `orderId.ts`): a cancel confirms the id table's
 * hash match there, in the record it reads next anyway, and removing an order recomputes the
 * id's hash from them rather than store it.
 *
 * There is no list of each owner's orders: it cost two more cache misses (the owner's
 * neighbouring orders) on every rest, fill and cancel, for cancel-all alone, which scans the
 * slots instead (see `cancelAll`).
 */
const SLOT_BYTES = 32
const SLOT_INTS = SLOT_BYTES / 4
/** The level queue's links. */
const NEXT = 0
const PREV = 1
/** The level (at most 2^24 levels) above the flags: `level << FLAG_BITS | flags`. */
const PLACE = 2
/** The interned owner. */
const OWNER = 3
/** The open quantity. */
const QUANTITY = 4
/** The order's id, as the three words of an `IdKey` (a long id's string is in `longIds`). */
const ID_W0 = 5
const ID_W1 = 6
const ID_W2 = 7
/** Flags, in the low bits of PLACE. Bit 0: sell; bit 1: post-only; bits 2-3: self-trade prevention mode. */
const FLAG_BITS = 4
const FLAG_MASK = (1 << FLAG_BITS) - 1
const INITIAL_OWNERS = 64

/** One order book. */
export class Book {
  readonly instrument: Instrument.Instrument
  readonly market: string
  readonly tick: number
  readonly lot: number
  readonly minQuantity: number
  readonly maxQuantity: number
  readonly minPrice: number
  readonly maxPrice: number
  readonly levelCount: number
  readonly codeKey: CounterpartyCode.Key

  lastSeq = -1
  halted = false
  readonly bids: BookSide
  readonly asks: BookSide

  // Order slots: one 48-byte record per slot (see SLOT_BYTES). A free slot's NEXT links the
  // free list and its OWNER is NIL.
  private capacity = INITIAL_SLOTS
  private freeHead = NIL
  private highWater = 0
  private slots = new Int32Array(INITIAL_SLOTS * SLOT_INTS)
  /** The `seq` that gave the order in each slot its place in the queue (snapshots only). */
  private priorities = new Float64Array(INITIAL_SLOTS)
  private readonly ids: IdTable
  /** The id being looked up or stored by the command being executed. */
  private readonly key: IdKey
  /** The ids too long (or too wide) to keep in a slot record, by slot. */
  // By slot, "" where the slot holds no long id; it grows only when long ids rest, so a book
  // of short ids pays nothing for it, and a book of UUIDs reads an array, not a Map.
  private readonly longIds: Array<string> = []

  // Owners, interned to small integers.
  private ownerCapacity = INITIAL_OWNERS
  readonly ownerIndex = new Map<string, number>()
  readonly ownerIds: Array<string> = []
  private readonly ownerCodes: Array<string | undefined> = []
  ownerOrders = new Int32Array(INITIAL_OWNERS)
  ownerBuy = new Float64Array(INITIAL_OWNERS)
  ownerSell = new Float64Array(INITIAL_OWNERS)

  // Scratch state of the command being executed.
  private tradeCount = 0
  private takerCancelled = false
  private budgetLeft = 0

  constructor(instrument: Instrument.Instrument, anonymitySecret: string) {
    this.instrument = instrument
    this.market = instrument.market
    this.tick = instrument.tickSize
    this.lot = instrument.lotSize
    this.minQuantity = instrument.minQuantity
    this.maxQuantity = instrument.maxQuantity
    this.minPrice = instrument.minPrice
    this.maxPrice = instrument.maxPrice
    this.levelCount = Instrument.levels(instrument)
    // The slot layout holds a quantity in 32 bits and a level in 28 (see SLOT_BYTES).
    if (this.maxQuantity > Instrument.maxOrderQuantity || this.levelCount > Instrument.maxLevels) {
      broken(`instrument ${instrument.market} exceeds the book's quantity or level limits`)
    }
    this.codeKey = CounterpartyCode.key(anonymitySecret)
    this.key = new IdKey(Number(BigInt.asIntN(32, this.codeKey.k0 ^ this.codeKey.k1)))
    this.ids = new IdTable(this)
    this.bids = new BookSide(true, this.levelCount)
    this.asks = new BookSide(false, this.levelCount)
  }

  // ---------------------------------------------------------------------------------------
  // Commands
  // ---------------------------------------------------------------------------------------

  execute(command: Command.Command, out: Array<Event.Event>): void {
    const seq = command.seq
    if (!Number.isSafeInteger(seq) || seq < 0) return this.reject(command, "INVALID_COMMAND", out)
    if (seq <= this.lastSeq) return this.reject(command, "SEQUENCE_NOT_INCREASING", out)
    switch (command._tag) {
      case "PlaceLimit":
        return this.placeLimit(command, out)
      case "Cancel":
        return this.cancel(command, out)
      case "PlaceMarket":
        return this.placeMarket(command, out)
      case "Amend":
        return this.amend(command, out)
      case "CancelAll":
        return this.cancelAll(command, out)
      case "Halt":
        return this.halt(command, out)
      case "Resume":
        return this.resume(command, out)
      default:
        return this.reject(command, "INVALID_COMMAND", out)
    }
  }

  private reject(command: Command.Command, reason: Event.RejectReason, out: Array<Event.Event>): void {
    const orderId = "orderId" in command && typeof command.orderId === "string" ? command.orderId : null
    out.push(new Events.CommandRejected(command.seq, String(command._tag), orderId, reason))
  }

  private quantityProblem(quantity: unknown): Event.RejectReason | undefined {
    if (typeof quantity !== "number" || !Number.isFinite(quantity)) return "INVALID_COMMAND"
    if (quantity <= 0) return "NON_POSITIVE_QUANTITY"
    if (quantity > this.maxQuantity) return "ABOVE_MAX_QUANTITY"
    if (quantity % this.lot !== 0) return "LOT_SIZE"
    if (quantity < this.minQuantity) return "BELOW_MIN_QUANTITY"
    return undefined
  }

  private priceProblem(price: unknown): Event.RejectReason | undefined {
    if (typeof price !== "number" || !Number.isFinite(price)) return "INVALID_COMMAND"
    if (price < this.minPrice || price > this.maxPrice) return "OUTSIDE_PRICE_BAND"
    if (price % this.tick !== 0) return "OFF_TICK"
    return undefined
  }

  private static budgetProblem(budget: unknown): Event.RejectReason | undefined {
    if (typeof budget !== "number" || Number.isNaN(budget)) return "INVALID_COMMAND"
    if (budget <= 0) return "NON_POSITIVE_BUDGET"
    if (budget > MAX_SAFE) return "NOTIONAL_OVERFLOW"
    if (!Number.isInteger(budget)) return "INVALID_COMMAND"
    return undefined
  }

  /** Whether an order of `side` at `level` would trade on arrival. */
  private crosses(side: number, level: number): boolean {
    if (side === BUY) {
      const best = this.asks.best
      return best !== NIL && best <= level
    }
    const best = this.bids.best
    return best !== NIL && best >= level
  }

  private placeLimit(command: Command.PlaceLimit, out: Array<Event.Event>): void {
    if (this.halted) return this.reject(command, "MARKET_HALTED", out)
    const side = sideCode(command.side)
    const tif = tifCode(command.timeInForce)
    const stp = stpCode(command.selfTradePrevention)
    const postOnly = command.postOnly
    if (
      side === NIL || tif === NIL || stp === NIL || typeof postOnly !== "boolean" || (postOnly && tif !== TIF_GTC) ||
      !isId(command.orderId) || !isId(command.owner)
    ) return this.reject(command, "INVALID_COMMAND", out)
    const quantity = command.quantity
    const price = command.price
    const problem = this.quantityProblem(quantity) ?? this.priceProblem(price)
    if (problem !== undefined) return this.reject(command, problem, out)
    if (price * quantity > MAX_SAFE) return this.reject(command, "NOTIONAL_OVERFLOW", out)
    const idHash = this.key.set(command.orderId)
    if (this.ids.find(idHash) !== NIL) return this.reject(command, "DUPLICATE_ORDER_ID", out)
    const level = (price - this.minPrice) / this.tick
    if (postOnly && this.crosses(side, level)) return this.reject(command, "POST_ONLY_WOULD_CROSS", out)
    if (
      tif === TIF_FOK &&
      !this.fillable(side, this.ownerIndex.get(command.owner) ?? NIL, stp, level, quantity, NO_BUDGET)
    ) return this.reject(command, "FOK_NOT_FILLABLE", out)

    const seq = command.seq
    this.lastSeq = seq
    this.tradeCount = 0
    out.push(new Events.OrderAccepted(seq, command.orderId, command.owner, command.side))
    const owner = this.internOwner(command.owner)
    const restFlags = tif === TIF_GTC ? side | (postOnly ? FLAG_POST_ONLY : 0) | (stp << STP_SHIFT) : EXPIRE_REST
    this.matchThenRest(command, idHash, owner, side, command.side, stp, level, price, quantity, restFlags, out)
  }

  /**
   * Matches an incoming limit order (a new one, or an amended one that lost its priority),
   * then reports what is left: cancelled by self-trade prevention, rested with `restFlags`,
   * or expired when `restFlags` is {@link EXPIRE_REST} (IOC and FOK).
   */
  private matchThenRest(
    command: { readonly seq: number; readonly timestamp: number; readonly orderId: string; readonly owner: string },
    idHash: number,
    owner: number,
    side: number,
    sideName: "BUY" | "SELL",
    stp: number,
    level: number,
    price: number,
    quantity: number,
    restFlags: number,
    out: Array<Event.Event>
  ): void {
    const seq = command.seq
    const remaining = this.match(
      seq,
      command.timestamp,
      command.orderId,
      owner,
      command.owner,
      side,
      stp,
      level,
      quantity,
      NO_BUDGET,
      true,
      out
    )
    if (this.takerCancelled) {
      out.push(
        new Events.OrderCancelled(seq, command.orderId, command.owner, sideName, price, small(remaining), "SELF_TRADE")
      )
    } else if (remaining > 0) {
      if (restFlags !== EXPIRE_REST) {
        this.rest(idHash, owner, side, level, remaining, seq, restFlags)
        out.push(new Events.OrderRested(seq, command.orderId, command.owner, sideName, price, small(remaining)))
      } else {
        out.push(new Events.OrderExpired(seq, command.orderId, command.owner, sideName, small(remaining), null))
      }
    }
  }

  private placeMarket(command: Command.PlaceMarket, out: Array<Event.Event>): void {
    if (this.halted) return this.reject(command, "MARKET_HALTED", out)
    const side = sideCode(command.side)
    const tif = tifCode(command.timeInForce)
    const stp = stpCode(command.selfTradePrevention)
    const quantity = command.quantity
    const budget = command.budget
    const limitPrice = command.limitPrice
    if (
      side === NIL || (tif !== TIF_IOC && tif !== TIF_FOK) || stp === NIL || !isId(command.orderId) ||
      !isId(command.owner) || (quantity === null && budget === null) || (budget !== null && side !== BUY) ||
      (tif === TIF_FOK && quantity === null)
    ) return this.reject(command, "INVALID_COMMAND", out)
    const problem = (quantity === null ? undefined : this.quantityProblem(quantity)) ??
      (budget === null ? undefined : Book.budgetProblem(budget)) ??
      (limitPrice === null ? undefined : this.priceProblem(limitPrice))
    if (problem !== undefined) return this.reject(command, problem, out)
    if (quantity !== null) {
      // The worst price a BUY can pay is its protection, else the band's top; a SELL can
      // receive at most the band's top.
      const worstPrice = side === BUY && limitPrice !== null ? limitPrice : this.maxPrice
      if (worstPrice * quantity > MAX_SAFE) return this.reject(command, "NOTIONAL_OVERFLOW", out)
    }
    if (this.ids.find(this.key.set(command.orderId)) !== NIL) {
      return this.reject(command, "DUPLICATE_ORDER_ID", out)
    }
    const limitLevel = limitPrice !== null
      ? (limitPrice - this.minPrice) / this.tick
      : side === BUY
      ? this.levelCount - 1
      : 0
    const takerQuantity = quantity ?? MAX_SAFE
    const takerBudget = budget ?? NO_BUDGET
    if (
      tif === TIF_FOK &&
      !this.fillable(side, this.ownerIndex.get(command.owner) ?? NIL, stp, limitLevel, takerQuantity, takerBudget)
    ) return this.reject(command, "FOK_NOT_FILLABLE", out)

    const seq = command.seq
    this.lastSeq = seq
    this.tradeCount = 0
    out.push(new Events.OrderAccepted(seq, command.orderId, command.owner, command.side))
    const owner = this.internOwner(command.owner)
    const remaining = this.match(
      seq,
      command.timestamp,
      command.orderId,
      owner,
      command.owner,
      side,
      stp,
      limitLevel,
      takerQuantity,
      takerBudget,
      quantity !== null,
      out
    )
    const remainingQuantity = quantity === null ? null : small(remaining)
    if (this.takerCancelled) {
      out.push(
        new Events.OrderCancelled(
          seq,
          command.orderId,
          command.owner,
          command.side,
          null,
          remainingQuantity,
          "SELF_TRADE"
        )
      )
    } else if (quantity === null || remaining > 0) {
      out.push(
        new Events.OrderExpired(
          seq,
          command.orderId,
          command.owner,
          command.side,
          remainingQuantity,
          budget === null ? null : small(this.budgetLeft)
        )
      )
    }
  }

  private cancel(command: Command.Cancel, out: Array<Event.Event>): void {
    if (!isId(command.orderId) || !isId(command.owner)) return this.reject(command, "INVALID_COMMAND", out)
    const idHash = this.key.set(command.orderId)
    const slot = this.ids.find(idHash)
    if (slot === NIL) return this.reject(command, "UNKNOWN_ORDER", out)
    if (this.ownerIds[int32(this.slots, slot * SLOT_INTS + OWNER)] !== command.owner) {
      return this.reject(command, "NOT_ORDER_OWNER", out)
    }
    this.lastSeq = command.seq
    // The command's id equals the stored one: no need to make the string again.
    out.push(this.cancelledEvent(command.seq, slot, command.orderId, "REQUESTED"))
    this.remove(slot, idHash)
  }

  private amend(command: Command.Amend, out: Array<Event.Event>): void {
    if (this.halted) return this.reject(command, "MARKET_HALTED", out)
    if (
      !isId(command.orderId) || !isId(command.owner) || (command.price === null && command.quantity === null)
    ) return this.reject(command, "INVALID_COMMAND", out)
    const idHash = this.key.set(command.orderId)
    const slot = this.ids.find(idHash)
    if (slot === NIL) return this.reject(command, "UNKNOWN_ORDER", out)
    const owner = int32(this.slots, slot * SLOT_INTS + OWNER)
    if (this.ownerIds[owner] !== command.owner) return this.reject(command, "NOT_ORDER_OWNER", out)
    const flags = this.flagsOf(slot)
    const side = flags & FLAG_SELL
    const currentPrice = this.minPrice + this.levelOf(slot) * this.tick
    const currentQuantity = int32(this.slots, slot * SLOT_INTS + QUANTITY)
    const quantity = command.quantity ?? currentQuantity
    const price = command.price ?? currentPrice
    const problem = (command.quantity === null ? undefined : this.quantityProblem(quantity)) ??
      (command.price === null ? undefined : this.priceProblem(price))
    if (problem !== undefined) return this.reject(command, problem, out)
    if (price * quantity > MAX_SAFE) return this.reject(command, "NOTIONAL_OVERFLOW", out)
    if (price === currentPrice && quantity === currentQuantity) return this.reject(command, "NOTHING_TO_AMEND", out)
    const level = (price - this.minPrice) / this.tick
    if (price !== currentPrice && (flags & FLAG_POST_ONLY) !== 0 && this.crosses(side, level)) {
      return this.reject(command, "POST_ONLY_WOULD_CROSS", out)
    }

    const seq = command.seq
    this.lastSeq = seq
    this.tradeCount = 0
    const sideName = side === BUY ? "BUY" : "SELL"
    if (price === currentPrice && quantity < currentQuantity) {
      this.reduce(slot, currentQuantity - quantity)
      out.push(new Events.OrderAmended(seq, command.orderId, command.owner, sideName, price, quantity, true))
      return
    }
    // A price change or a size increase: the order leaves its queue and comes back as a new
    // GTC order at the back of its level, trading first if it now crosses.
    this.remove(slot, idHash)
    out.push(new Events.OrderAmended(seq, command.orderId, command.owner, sideName, price, quantity, false))
    const stp = (flags >>> STP_SHIFT) & 3
    this.matchThenRest(command, idHash, owner, side, sideName, stp, level, price, quantity, flags, out)
  }

  private cancelAll(command: Command.CancelAll, out: Array<Event.Event>): void {
    if (!isId(command.owner)) return this.reject(command, "INVALID_COMMAND", out)
    const seq = command.seq
    this.lastSeq = seq
    let count = 0
    const owner = this.ownerIndex.get(command.owner)
    if (owner !== undefined) {
      for (const slot of this.slotsOf(owner)) {
        out.push(this.cancelledEvent(seq, slot, this.idOf(slot), "CANCEL_ALL"))
        this.remove(slot, this.storedIdHash(slot))
        count++
      }
    }
    out.push(new Events.OwnerOrdersCancelled(seq, command.owner, count))
  }

  private halt(command: Command.Halt, out: Array<Event.Event>): void {
    if (this.halted) return this.reject(command, "ALREADY_HALTED", out)
    this.lastSeq = command.seq
    this.halted = true
    out.push(new Events.MarketHalted(command.seq))
  }

  private resume(command: Command.Resume, out: Array<Event.Event>): void {
    if (!this.halted) return this.reject(command, "NOT_HALTED", out)
    this.lastSeq = command.seq
    this.halted = false
    out.push(new Events.MarketResumed(command.seq))
  }

  // ---------------------------------------------------------------------------------------
  // Matching
  // ---------------------------------------------------------------------------------------

  /**
   * Matches an incoming order against the other side, best price first and, within a
   * price, oldest first, never beyond `limitLevel` nor beyond `budget` (when it is not
   * NO_BUDGET). Returns the quantity left; `takerCancelled` tells whether self-trade
   * prevention stopped the order and `budgetLeft` what is left of its budget.
   */
  private match(
    seq: number,
    timestamp: number,
    takerId: string,
    takerOwner: number,
    takerOwnerId: string,
    side: number,
    stp: number,
    limitLevel: number,
    quantity: number,
    budget: number,
    quantityKnown: boolean,
    out: Array<Event.Event>
  ): number {
    this.takerCancelled = false
    this.budgetLeft = budget
    const buy = side === BUY
    const book = buy ? this.asks : this.bids
    const lot = this.lot
    let remaining = quantity
    outer: while (remaining > 0) {
      const level = book.best
      if (level === NIL || (buy ? level > limitLevel : level < limitLevel)) break
      const price = this.minPrice + level * this.tick
      const chunk = book.chunks[level >>> CHUNK_SHIFT]
      if (chunk === undefined) return broken(`level ${level} is marked non-empty but has no chunk`)
      let maker = int32(chunk.head, level & CHUNK_MASK)
      while (maker !== NIL) {
        let wanted = remaining
        if (budget !== NO_BUDGET) {
          const affordable = Math.floor(this.budgetLeft / price)
          const lots = affordable - (affordable % lot)
          if (lots < wanted) wanted = lots
          if (wanted === 0) break outer
        }
        const makerQuantity = int32(this.slots, maker * SLOT_INTS + QUANTITY)
        const filled = makerQuantity < wanted ? makerQuantity : wanted
        const next = int32(this.slots, maker * SLOT_INTS + NEXT)
        if (int32(this.slots, maker * SLOT_INTS + OWNER) === takerOwner) {
          if (stp === STP_CANCEL_MAKER || stp === STP_CANCEL_BOTH) {
            out.push(this.cancelledEvent(seq, maker, this.idOf(maker), "SELF_TRADE"))
            this.remove(maker, this.storedIdHash(maker))
            if (stp === STP_CANCEL_BOTH) {
              this.takerCancelled = true
              break outer
            }
            maker = next
            continue
          }
          if (stp === STP_CANCEL_TAKER) {
            this.takerCancelled = true
            break outer
          }
          remaining -= filled
          if (budget !== NO_BUDGET) this.budgetLeft -= filled * price
          out.push(
            new Events.SelfTradeDecremented(
              seq,
              takerOwnerId,
              takerId,
              this.idOf(maker),
              price,
              small(filled),
              quantityKnown ? small(remaining) : null,
              small(makerQuantity - filled)
            )
          )
        } else {
          remaining -= filled
          if (budget !== NO_BUDGET) this.budgetLeft -= filled * price
          const makerId = this.idOf(maker)
          const makerOwnerId = this.ownerName(int32(this.slots, maker * SLOT_INTS + OWNER))
          out.push(
            new Events.Trade(
              seq,
              `${this.market}-${seq}-${++this.tradeCount}`,
              timestamp,
              price,
              small(filled),
              buy ? "BUY" : "SELL",
              buy ? takerId : makerId,
              buy ? takerOwnerId : makerOwnerId,
              buy ? makerId : takerId,
              buy ? makerOwnerId : takerOwnerId,
              small(makerQuantity - filled),
              quantityKnown ? small(remaining) : null
            )
          )
        }
        if (filled === makerQuantity) this.remove(maker, this.storedIdHash(maker))
        else this.reduce(maker, filled)
        if (remaining === 0) break outer
        maker = next
      }
    }
    return remaining
  }

  /**
   * Whether an incoming order would be filled entirely at once (a dry run of `match` that
   * changes nothing): the fill-or-kill test. Own orders skipped by `CANCEL_MAKER` do not
   * count; `CANCEL_TAKER` and `CANCEL_BOTH` stop at the first own order; `DECREMENT_BOTH`
   * consumes quantity as a trade would.
   */
  private fillable(
    side: number,
    owner: number,
    stp: number,
    limitLevel: number,
    quantity: number,
    budget: number
  ): boolean {
    const buy = side === BUY
    const book = buy ? this.asks : this.bids
    let remaining = quantity
    let budgetLeft = budget
    let level = book.best
    while (level !== NIL && (buy ? level <= limitLevel : level >= limitLevel)) {
      const price = this.minPrice + level * this.tick
      const chunk = book.chunks[level >>> CHUNK_SHIFT]
      if (chunk === undefined) return broken(`level ${level} is marked non-empty but has no chunk`)
      let maker = int32(chunk.head, level & CHUNK_MASK)
      while (maker !== NIL) {
        let wanted = remaining
        if (budget !== NO_BUDGET) {
          const affordable = Math.floor(budgetLeft / price)
          const lots = affordable - (affordable % this.lot)
          if (lots < wanted) wanted = lots
          if (wanted === 0) return false
        }
        if (int32(this.slots, maker * SLOT_INTS + OWNER) === owner) {
          if (stp === STP_CANCEL_TAKER || stp === STP_CANCEL_BOTH) return false
          if (stp === STP_CANCEL_MAKER) {
            maker = int32(this.slots, maker * SLOT_INTS + NEXT)
            continue
          }
        }
        const makerQuantity = int32(this.slots, maker * SLOT_INTS + QUANTITY)
        const filled = makerQuantity < wanted ? makerQuantity : wanted
        remaining -= filled
        if (budget !== NO_BUDGET) budgetLeft -= filled * price
        if (remaining === 0) return true
        maker = int32(this.slots, maker * SLOT_INTS + NEXT)
      }
      level = nextLevel(book, level)
    }
    return false
  }

  // ---------------------------------------------------------------------------------------
  // Slots, levels and owners
  // ---------------------------------------------------------------------------------------

  private allocate(): number {
    const free = this.freeHead
    if (free !== NIL) {
      this.freeHead = int32(this.slots, free * SLOT_INTS + NEXT)
      return free
    }
    if (this.highWater === this.capacity) this.growSlots()
    return this.highWater++
  }

  private growSlots(): void {
    const size = this.capacity * 2
    this.slots = growInt32(this.slots, size * SLOT_INTS)
    this.priorities = growFloat64(this.priorities, size)
    this.capacity = size
  }

  internOwner(ownerId: string): number {
    const known = this.ownerIndex.get(ownerId)
    if (known !== undefined) return known
    const owner = this.ownerIds.length
    if (owner === this.ownerCapacity) {
      const size = this.ownerCapacity * 2
      this.ownerOrders = growInt32(this.ownerOrders, size)
      this.ownerBuy = growFloat64(this.ownerBuy, size)
      this.ownerSell = growFloat64(this.ownerSell, size)
      this.ownerCapacity = size
    }
    this.ownerIndex.set(ownerId, owner)
    this.ownerIds.push(ownerId)
    this.ownerCodes.push(undefined)
    return owner
  }

  /** The anonymous code of an interned owner, computed once. */
  ownerCode(owner: number): string {
    const known = this.ownerCodes[owner]
    if (known !== undefined) return known
    const code = CounterpartyCode.make(this.codeKey, this.ownerName(owner))
    this.ownerCodes[owner] = code
    return code
  }

  /**
   * Puts an order at the back of its level's queue. Its id is the one in `key`, whose hash is
   * `idHash`: the command that rests it set the key (looking the id up for a duplicate) and
   * nothing in between sets it again.
   */
  rest(
    idHash: number,
    owner: number,
    side: number,
    level: number,
    quantity: number,
    priority: number,
    flags: number
  ): number {
    const slot = this.allocate()
    this.slots[slot * SLOT_INTS + PLACE] = (level << FLAG_BITS) | flags
    this.slots[slot * SLOT_INTS + QUANTITY] = quantity
    this.priorities[slot] = priority
    this.slots[slot * SLOT_INTS + OWNER] = owner
    const key = this.key
    if (key.hash !== idHash) broken(`slot ${slot} rests with a hash that is not its id's`)
    this.slots[slot * SLOT_INTS + ID_W0] = key.w0
    this.slots[slot * SLOT_INTS + ID_W1] = key.w1
    this.slots[slot * SLOT_INTS + ID_W2] = key.w2
    if (isLong(key.w0)) {
      while (this.longIds.length <= slot) this.longIds.push("")
      this.longIds[slot] = key.long
    }
    this.ids.insert(idHash, slot)

    const book = side === BUY ? this.bids : this.asks
    const chunkIndex = level >>> CHUNK_SHIFT
    let chunk = book.chunks[chunkIndex]
    if (chunk === undefined) {
      chunk = new LevelChunk()
      book.chunks[chunkIndex] = chunk
    }
    const offset = level & CHUNK_MASK
    const tail = int32(chunk.tail, offset)
    this.slots[slot * SLOT_INTS + NEXT] = NIL
    this.slots[slot * SLOT_INTS + PREV] = tail
    if (tail === NIL) {
      chunk.head[offset] = slot
      setBit(book, level)
      const best = book.best
      if (best === NIL || (side === BUY ? level > best : level < best)) book.best = level
    } else {
      this.slots[tail * SLOT_INTS + NEXT] = slot
    }
    chunk.tail[offset] = slot
    chunk.quantity[offset] = float64(chunk.quantity, offset) + quantity
    chunk.count[offset] = int32(chunk.count, offset) + 1
    book.orders++

    this.ownerOrders[owner] = int32(this.ownerOrders, owner) + 1
    if (side === BUY) this.ownerBuy[owner] = float64(this.ownerBuy, owner) + quantity
    else this.ownerSell[owner] = float64(this.ownerSell, owner) + quantity
    return slot
  }

  /** Reduces a resting order in place (it keeps its priority). */
  private reduce(slot: number, by: number): void {
    const sell = (this.flagsOf(slot) & FLAG_SELL) !== 0
    const book = sell ? this.asks : this.bids
    const level = this.levelOf(slot)
    this.slots[slot * SLOT_INTS + QUANTITY] = int32(this.slots, slot * SLOT_INTS + QUANTITY) - by
    const chunk = book.chunks[level >>> CHUNK_SHIFT] ?? chunkMissing(slot, level)
    const offset = level & CHUNK_MASK
    chunk.quantity[offset] = float64(chunk.quantity, offset) - by
    const owner = int32(this.slots, slot * SLOT_INTS + OWNER)
    if (sell) this.ownerSell[owner] = float64(this.ownerSell, owner) - by
    else this.ownerBuy[owner] = float64(this.ownerBuy, owner) - by
  }

  /**
   * Takes a resting order out of the book entirely and frees its slot. `idHash` is the hash
   * of its id: a cancel or an amend has it from looking the id up, and the others get it from
   * the slot record (`storedIdHash`); a wrong one fails the id table's invariant check.
   */
  private remove(slot: number, idHash: number): void {
    const sell = (this.flagsOf(slot) & FLAG_SELL) !== 0
    const book = sell ? this.asks : this.bids
    const level = this.levelOf(slot)
    const quantity = int32(this.slots, slot * SLOT_INTS + QUANTITY)
    const prev = int32(this.slots, slot * SLOT_INTS + PREV)
    const next = int32(this.slots, slot * SLOT_INTS + NEXT)
    const chunk = book.chunks[level >>> CHUNK_SHIFT] ?? chunkMissing(slot, level)
    const offset = level & CHUNK_MASK
    if (prev === NIL) chunk.head[offset] = next
    else this.slots[prev * SLOT_INTS + NEXT] = next
    if (next === NIL) chunk.tail[offset] = prev
    else this.slots[next * SLOT_INTS + PREV] = prev
    chunk.count[offset] = int32(chunk.count, offset) - 1
    if (prev === NIL && next === NIL) {
      chunk.quantity[offset] = 0
      clearBit(book, level)
      if (book.best === level) book.best = nextLevel(book, level)
    } else {
      chunk.quantity[offset] = float64(chunk.quantity, offset) - quantity
    }
    book.orders--

    const owner = int32(this.slots, slot * SLOT_INTS + OWNER)
    this.ownerOrders[owner] = int32(this.ownerOrders, owner) - 1
    if (sell) this.ownerSell[owner] = float64(this.ownerSell, owner) - quantity
    else this.ownerBuy[owner] = float64(this.ownerBuy, owner) - quantity

    if (isLong(int32(this.slots, slot * SLOT_INTS + ID_W0))) this.longIds[slot] = ""
    this.ids.delete(idHash, slot)
    this.slots[slot * SLOT_INTS + OWNER] = NIL
    this.slots[slot * SLOT_INTS + NEXT] = this.freeHead
    this.freeHead = slot
  }

  /** The hash of the id of the order in `slot`, made again from its record. */
  private storedIdHash(slot: number): number {
    const base = slot * SLOT_INTS
    const w0 = int32(this.slots, base + ID_W0)
    if (isLong(w0)) return hashId(this.key.seed, this.longIdOf(slot))
    return hashWords(this.key.seed, w0, int32(this.slots, base + ID_W1), int32(this.slots, base + ID_W2))
  }

  /** The cancellation of the order in `slot`, whose id is `orderId`. */
  private cancelledEvent(
    seq: number,
    slot: number,
    orderId: string,
    reason: Event.CancelReason
  ): Event.OrderCancelled {
    return new Events.OrderCancelled(
      seq,
      orderId,
      this.ownerName(int32(this.slots, slot * SLOT_INTS + OWNER)),
      (this.flagsOf(slot) & FLAG_SELL) !== 0 ? "SELL" : "BUY",
      this.minPrice + this.levelOf(slot) * this.tick,
      small(int32(this.slots, slot * SLOT_INTS + QUANTITY)),
      reason
    )
  }

  // ---------------------------------------------------------------------------------------
  // Reads (not on the hot path)
  // ---------------------------------------------------------------------------------------

  /** The level of the order in `slot`. */
  levelOf(slot: number): number {
    return int32(this.slots, slot * SLOT_INTS + PLACE) >>> FLAG_BITS
  }

  /** The flags of the order in `slot` (side, post-only, self-trade prevention). */
  flagsOf(slot: number): number {
    return int32(this.slots, slot * SLOT_INTS + PLACE) & FLAG_MASK
  }

  /**
   * Whether the order in `slot` has the id in `key` (the id table's check of a hash match):
   * three integers of the slot record, and for a long id the string kept beside it.
   */
  matches(slot: number): boolean {
    const base = slot * SLOT_INTS
    const key = this.key
    const w0 = int32(this.slots, base + ID_W0)
    return w0 === key.w0 && int32(this.slots, base + ID_W1) === key.w1 &&
      int32(this.slots, base + ID_W2) === key.w2 &&
      (!isLong(w0) || this.longIds[slot] === key.long)
  }

  /**
   * The id of the order in `slot`, made again from the slot record (or the long id kept
   * beside it). A freed slot has no owner (see `remove`).
   */
  idOf(slot: number): string {
    const base = slot * SLOT_INTS
    if (int32(this.slots, base + OWNER) === NIL) return broken(`slot ${slot} holds no order`)
    const w0 = int32(this.slots, base + ID_W0)
    if (!isLong(w0)) {
      return decode(w0, int32(this.slots, base + ID_W1), int32(this.slots, base + ID_W2))
    }
    return this.longIdOf(slot)
  }

  private longIdOf(slot: number): string {
    const id = this.longIds[slot]
    return id === undefined || id === "" ? broken(`slot ${slot} holds a long id that is not kept`) : id
  }

  /**
   * The slots of an owner's resting orders, in priority order (the order cancel-all cancels
   * them in): a scan of the slots in use, stopped once all the owner's orders are found, and
   * a sort by priority (priorities are unique). Cancel-all is rare, and this keeps every
   * other command free of a per-owner list (see SLOT_BYTES).
   */
  private slotsOf(owner: number): Array<number> {
    const expected = int32(this.ownerOrders, owner)
    const found: Array<number> = []
    for (let slot = 0; slot < this.highWater && found.length < expected; slot++) {
      if (int32(this.slots, slot * SLOT_INTS + OWNER) === owner) found.push(slot)
    }
    if (found.length !== expected) broken(`owner ${owner} has ${found.length} orders, not ${expected}`)
    return found.sort((a, b) => float64(this.priorities, a) - float64(this.priorities, b))
  }

  /** The resting quantity per side and the number of orders of an interned owner. */
  position(owner: number): { buyQuantity: number; sellQuantity: number; orders: number } {
    return {
      buyQuantity: float64(this.ownerBuy, owner),
      sellQuantity: float64(this.ownerSell, owner),
      orders: int32(this.ownerOrders, owner)
    }
  }

  /** The id of an interned owner. */
  ownerName(owner: number): string {
    const id = this.ownerIds[owner]
    return id === undefined ? broken(`owner ${owner} was never interned`) : id
  }

  priceOf(level: number): number {
    return this.minPrice + level * this.tick
  }

  /** The level `level` of `book`, or undefined when it is empty. */
  levelView(book: BookSide, level: number): LevelView | undefined {
    const chunk = book.chunks[level >>> CHUNK_SHIFT]
    if (chunk === undefined) return undefined
    const offset = level & CHUNK_MASK
    const head = int32(chunk.head, offset)
    if (head === NIL) return undefined
    return { level, quantity: float64(chunk.quantity, offset), count: int32(chunk.count, offset), head }
  }

  /** Up to `maxLevels` non-empty levels of `book`, best first. */
  levels(book: BookSide, maxLevels: number): Array<LevelView> {
    const result: Array<LevelView> = []
    let level = book.best
    while (level !== NIL && result.length < maxLevels) {
      const view = this.levelView(book, level)
      if (view !== undefined) result.push(view)
      level = nextLevel(book, level)
    }
    return result
  }

  /** The resting order in `slot`. */
  restingOrder(slot: number): Snapshot.RestingOrder {
    const flags = this.flagsOf(slot)
    return {
      orderId: this.idOf(slot),
      owner: this.ownerName(int32(this.slots, slot * SLOT_INTS + OWNER)),
      side: (flags & FLAG_SELL) !== 0 ? "SELL" : "BUY",
      price: this.priceOf(this.levelOf(slot)),
      quantity: int32(this.slots, slot * SLOT_INTS + QUANTITY),
      priority: float64(this.priorities, slot),
      postOnly: (flags & FLAG_POST_ONLY) !== 0,
      selfTradePrevention: STP_NAMES[(flags >>> STP_SHIFT) & 3] ?? broken(`slot ${slot}: no self-trade mode`)
    }
  }

  /** Every resting order, in priority order (the order they were given their places). */
  restingOrders(): Array<Snapshot.RestingOrder> {
    // A slot holds an order exactly when it has an owner (freed slots have none).
    const slots: Array<number> = []
    for (let slot = 0; slot < this.highWater; slot++) {
      if (int32(this.slots, slot * SLOT_INTS + OWNER) !== NIL) slots.push(slot)
    }
    slots.sort((a, b) => float64(this.priorities, a) - float64(this.priorities, b))
    return slots.map((slot) => this.restingOrder(slot))
  }

  /**
   * Puts a resting order from a snapshot back, or says why it cannot be. Orders must come in
   * priority order, so each lands at the back of its queue as it was.
   */
  restoreOrder(order: Snapshot.RestingOrder): string | undefined {
    const side = sideCode(order.side)
    const stp = stpCode(order.selfTradePrevention)
    if (side === NIL || stp === NIL || !isId(order.orderId) || !isId(order.owner)) {
      return `order ${order.orderId}: malformed`
    }
    const idHash = this.key.set(order.orderId)
    if (this.ids.find(idHash) !== NIL) return `order ${order.orderId}: duplicate id`
    // A partly filled order may be below the minimum quantity, so only the grid is checked.
    const quantity = order.quantity
    if (!Number.isSafeInteger(quantity) || quantity <= 0 || quantity > this.maxQuantity || quantity % this.lot !== 0) {
      return `order ${order.orderId}: quantity ${quantity} is off the lot grid`
    }
    if (this.priceProblem(order.price) !== undefined) return `order ${order.orderId}: price ${order.price} is invalid`
    if (!Number.isSafeInteger(order.priority) || order.priority > this.lastSeq) {
      return `order ${order.orderId}: priority ${order.priority} is after the snapshot's last sequence`
    }
    const level = (order.price - this.minPrice) / this.tick
    if (this.crosses(side, level)) return `order ${order.orderId}: the book would be crossed`
    const flags = side | (order.postOnly ? FLAG_POST_ONLY : 0) | (stp << STP_SHIFT)
    this.rest(idHash, this.internOwner(order.owner), side, level, quantity, order.priority, flags)
    return undefined
  }

  /** The slot of the resting order `orderId`, or NIL. */
  slotOf(orderId: string): number {
    return this.ids.find(this.key.set(orderId))
  }

  /** The next order in the same level's queue, or NIL. */
  nextInQueue(slot: number): number {
    return int32(this.slots, slot * SLOT_INTS + NEXT)
  }

  /** The interned owner of a resting order. */
  ownerOf(slot: number): number {
    return int32(this.slots, slot * SLOT_INTS + OWNER)
  }

  /** The open quantity of a resting order. */
  quantityOf(slot: number): number {
    return int32(this.slots, slot * SLOT_INTS + QUANTITY)
  }
}
