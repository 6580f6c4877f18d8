/**
 * The index from order ids (caller strings) to order slots: an open-addressing hash table on
 * one typed array, with linear probing and backward-shift deletion (no tombstones, so the
 * churn of a book, where most orders are cancelled soon after they rest, never degrades it).
 *
 * It replaces a `Map<string, number>`, which cost about half of the book's time: V8's Map
 * keeps its entries in insertion order with chained buckets, and each step along a chain
 * reads another key string to compare hashes, a cache miss in a book of thousands of orders.
 * Here each entry is two adjacent 32-bit words, the id's hash and its slot, so a probe reads
 * one cache line and compares integers; only an equal hash asks the table's {@link Keys}
 * whether that slot holds the id looked up (the book compares the id's characters, which it
 * keeps in the slot's own record: see `orderId.ts`).
 *
 * The hash is MurmurHash3 (over the packed characters of a short id, over the UTF-16 code
 * units of a long one: see `orderId.ts`), seeded from the book's anonymity
 * key, so the layout differs from book to book and a fixed list of colliding ids does not
 * carry over. That is not a defence against a caller free to choose millions of ids
 * (MurmurHash3 has seed-independent multicollisions): ids should be assigned by the
 * embedding service (UUIDs), as the README says. The hash only decides where entries sit in
 * the table: nothing observable (events, snapshots, views) depends on it, so the book stays
 * deterministic.
 */

/** The null slot; an entry with this slot is empty. */
const EMPTY = -1
const INITIAL_CAPACITY = 2048
/**
 * The table doubles when it would be more than 4/5 full, so it is 2/5 to 4/5 full: 10 to 20
 * bytes per id (a half-full limit cost 16 to 32, a fifth of a resting order's memory).
 * Entries are 8 bytes, eight to a cache line, so even the longer probe runs near 4/5 (about
 * 13 entries for a missing id, 3 for a present one) stay within one or two lines; the first
 * line is the cache miss that costs, not the entries after it.
 */
const LOAD_NUMERATOR = 4
const LOAD_DENOMINATOR = 5

const outside = (entries: Int32Array, index: number): never => {
  throw new Error(`id table invariant broken: index ${index} outside ${entries.length}`)
}

/**
 * Entry word `index`, which must exist: every index is masked to the table. One expression
 * with the message built out of line, so V8 always inlines it (see `int32` in `book.ts`).
 */
const word = (entries: Int32Array, index: number): number => entries[index] ?? outside(entries, index)

/** The seeded 32-bit hash of an id (MurmurHash3 x86_32 over UTF-16 code units, two per block). */
export const hashId = (seed: number, id: string): number => {
  const length = id.length
  let h = seed
  let i = 0
  for (; i + 1 < length; i += 2) {
    let k = id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  if (i < length) {
    let k = id.charCodeAt(i)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Where the ids live: the table stores hashes and slots, never the ids themselves. */
export interface Keys {
  /** Whether the order in `slot` has the id being looked up (the one `find` was called for). */
  readonly matches: (slot: number) => boolean
}

/** Order id to slot. The ids themselves live with their slots (see {@link Keys}). */
export class IdTable {
  /** Entry `i` is `entries[2i]` (the id's hash) and `entries[2i + 1]` (its slot, or EMPTY). */
  private entries: Int32Array<ArrayBuffer>
  private mask: number
  /** The number of ids in the table. */
  size = 0
  private readonly keys: Keys

  constructor(keys: Keys) {
    this.keys = keys
    this.entries = new Int32Array(INITIAL_CAPACITY * 2).fill(EMPTY)
    this.mask = INITIAL_CAPACITY - 1
  }

  /** The slot of the id being looked up, whose hash is `hash`, or -1. */
  find(hash: number): number {
    const entries = this.entries
    const mask = this.mask
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const slot = word(entries, 2 * i + 1)
      if (slot === EMPTY) return EMPTY
      if (entries[2 * i] === hash && this.keys.matches(slot)) return slot
    }
  }

  /** Adds an id known to be absent, by its hash, and the slot holding it. */
  insert(hash: number, slot: number): void {
    if ((this.size + 1) * LOAD_DENOMINATOR > (this.mask + 1) * LOAD_NUMERATOR) this.grow()
    this.size++
    this.place(hash, slot)
  }

  /** Removes the entry of `slot`, whose id has hash `hash` (it must be present). */
  delete(hash: number, slot: number): void {
    const entries = this.entries
    const mask = this.mask
    let i = hash & mask
    for (let found = word(entries, 2 * i + 1); found !== slot; found = word(entries, 2 * i + 1)) {
      // An empty entry before the slot's own: the id was never inserted, or the run is broken.
      if (found === EMPTY) throw new Error(`id table invariant broken: slot ${slot} is not in the table`)
      i = (i + 1) & mask
    }
    // Backward shift: pull later entries of the run into the hole when their home allows it,
    // so every entry stays reachable from its home without tombstones.
    let j = i
    for (;;) {
      j = (j + 1) & mask
      const moved = word(entries, 2 * j + 1)
      if (moved === EMPTY) break
      const movedHash = word(entries, 2 * j)
      const home = movedHash & mask
      // Movable when its home is not in the cyclic interval (i, j].
      if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
        entries[2 * i] = movedHash
        entries[2 * i + 1] = moved
        i = j
      }
    }
    entries[2 * i] = 0
    entries[2 * i + 1] = EMPTY
    this.size--
  }

  private place(hash: number, slot: number): void {
    const entries = this.entries
    const mask = this.mask
    let i = hash & mask
    while (word(entries, 2 * i + 1) !== EMPTY) i = (i + 1) & mask
    entries[2 * i] = hash
    entries[2 * i + 1] = slot
  }

  private grow(): void {
    const old = this.entries
    const capacity = (this.mask + 1) * 2
    this.entries = new Int32Array(capacity * 2).fill(EMPTY)
    this.mask = capacity - 1
    for (let i = 0; i < old.length; i += 2) {
      const slot = word(old, i + 1)
      if (slot !== EMPTY) this.place(word(old, i), slot)
    }
  }
}
