/**
 * Seeded random command streams for the differential and journal tests. The generator
 * looks at the reference book to aim cancels and amendments at live orders most of the
 * time, and mixes in every kind of bad command at a low rate.
 */
import { type Command, Instrument } from "@niha/matching"
import { Result } from "effect"
import type { ReferenceBook } from "./reference.ts"

/** xorshift32: small and seedable, so a stream replays from its seed. */
export const prng = (seed: number) => {
  let state = (seed >>> 0) || 0x9e3779b9
  const next = (): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <A>(values: ReadonlyArray<A>): A => {
    const value = values[int(0, values.length - 1)]
    if (value === undefined) throw new Error("pick from an empty array")
    return value
  }
  return { next, int, pick, chance: (p: number): boolean => next() < p }
}

export type Random = ReturnType<typeof prng>

/** A small instrument with a coarse grid, so tick, lot and minimum rules fire often. */
export const testInstrument: Instrument.Instrument = Result.getOrThrow(Instrument.make({
  market: "CEA_CASH",
  baseAsset: "CEA",
  quoteAsset: "EUR",
  priceDecimals: 2,
  tickSize: 5,
  lotSize: 2,
  minQuantity: 4,
  maxQuantity: 400,
  minPrice: 500,
  maxPrice: 1_500
}))

export const owners = ["alice", "bob", "carol", "dave"] as const
const modes: ReadonlyArray<Command.SelfTradePrevention> = [
  "CANCEL_TAKER",
  "CANCEL_MAKER",
  "CANCEL_BOTH",
  "DECREMENT_BOTH"
]

export interface Generator {
  readonly next: (book: ReferenceBook) => Command.Command
}

/**
 * A stream generator around the middle of the instrument's band. `bad` is the rate of
 * deliberately invalid commands.
 */
export const generator = (random: Random, instrument: Instrument.Instrument, bad = 0.05): Generator => {
  const tick = instrument.tickSize
  const lot = instrument.lotSize
  const center = Math.round((instrument.minPrice + instrument.maxPrice) / 2 / tick) * tick
  let seq = 0
  let ids = 0
  let timestamp = 1_700_000_000_000
  // Mostly on the passive side of the centre, sometimes crossing, so the book builds depth
  // and still trades.
  const price = (side: "BUY" | "SELL"): number => center + (side === "BUY" ? -1 : 1) * random.int(-3, 12) * tick
  const quantity = (): number => Math.max(instrument.minQuantity, lot * random.int(1, 12))
  const badQuantity = (): number =>
    random.pick([0, -lot, instrument.minQuantity + 1 - (lot === 1 ? 1 : 0), lot, instrument.maxQuantity + lot, 1.5])
  const badPrice = (): number => random.pick([center + 1, instrument.minPrice - tick, instrument.maxPrice + tick, 0])
  return {
    next: (book) => {
      // Sometimes a sequence number that does not increase.
      seq = random.chance(0.02) && seq > 0 ? seq - random.int(0, 1) : seq + random.int(1, 3)
      timestamp += random.int(0, 1_000)
      const owner = random.pick(owners)
      const live = book.orders
      if (book.halted && random.chance(0.3)) return { _tag: "Resume", seq, timestamp }
      const roll = random.next()
      const side = random.chance(0.5) ? "BUY" : "SELL"
      const selfTradePrevention = random.pick(modes)
      const wrong = random.chance(bad)
      if (roll < 0.5) {
        const timeInForce = random.pick<Command.TimeInForce>(["GTC", "GTC", "GTC", "GTC", "IOC", "FOK"])
        const postOnly = timeInForce === "GTC" ? random.chance(0.15) : wrong && random.chance(0.3)
        const duplicate = wrong && live.length > 0 && random.chance(0.3)
        return {
          _tag: "PlaceLimit",
          seq,
          timestamp,
          orderId: duplicate ? random.pick(live).orderId : `o${++ids}`,
          owner,
          side,
          price: wrong && random.chance(0.5) ? badPrice() : price(side),
          quantity: wrong && random.chance(0.5) ? badQuantity() : quantity(),
          timeInForce,
          postOnly,
          selfTradePrevention
        }
      }
      if (roll < 0.56) {
        const kind = random.int(0, 2)
        const timeInForce = random.chance(0.2) ? "FOK" : "IOC"
        const budgetOnly = side === "BUY" && kind === 1
        return {
          _tag: "PlaceMarket",
          seq,
          timestamp,
          orderId: `m${++ids}`,
          owner,
          side: wrong && random.chance(0.3) ? "SELL" : side,
          quantity: budgetOnly ? (wrong && random.chance(0.3) ? 10 : null) : wrong ? badQuantity() : quantity(),
          budget: side === "BUY" && kind >= 1 ? (wrong ? random.pick([0, -5, 2.5]) : random.int(1, 40) * center) : null,
          limitPrice: random.chance(0.5) ? (wrong ? badPrice() : price(side === "BUY" ? "SELL" : "BUY")) : null,
          timeInForce,
          selfTradePrevention
        }
      }
      if (roll < 0.78) {
        const target = live.length > 0 && !random.chance(0.1) ? random.pick(live) : undefined
        return {
          _tag: "Cancel",
          seq,
          timestamp,
          orderId: target?.orderId ?? `o${random.int(1, ids + 1)}x`,
          owner: target === undefined || random.chance(0.05) ? owner : target.owner
        }
      }
      if (roll < 0.985) {
        const target = live.length > 0 && !random.chance(0.05) ? random.pick(live) : undefined
        const change = random.int(0, 5)
        const newPrice = change === 0 || change === 3 ? (wrong ? badPrice() : price(target?.side ?? side)) : null
        const newQuantity = change === 1 && target !== undefined
          ? Math.max(lot, target.quantity - lot * random.int(1, 3))
          : change === 2 || change === 3
          ? (wrong ? badQuantity() : quantity())
          : change === 4 && target !== undefined
          ? target.quantity
          : null
        return {
          _tag: "Amend",
          seq,
          timestamp,
          orderId: target?.orderId ?? "nobody",
          owner: target === undefined || random.chance(0.05) ? owner : target.owner,
          price: newPrice,
          quantity: newQuantity
        }
      }
      if (roll < 0.995) return { _tag: "CancelAll", seq, timestamp, owner }
      return random.chance(0.8) ? { _tag: "Halt", seq, timestamp } : { _tag: "Resume", seq, timestamp }
    }
  }
}

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    return v
  })
