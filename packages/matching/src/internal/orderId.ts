/**
 * Order ids as the book keeps them: in its own typed arrays, not as the caller's strings.
 *
 * An id of at most {@link INLINE_MAX} characters, each below U+0100 (every ASCII id, and
 * Latin-1 ones), is packed into three 32-bit words: its length in the low byte of the first
 * word, then one character per byte. The book stores those three words in the order's slot
 * record, so when an order rests the caller's string is not retained: it dies young (the
 * garbage collector never copies it, storing it needs no write barrier), and a cancel compares
 * three integers of the slot record it is about to read anyway instead of a cold string. The
 * id's string is made again (`decode`) only when an event or a view needs it: a trade with the
 * order as maker, a cancellation the book initiates, a snapshot.
 *
 * Any other id (longer, or with a character from U+0100 up) is "long": its words are
 * `[0, length, 0]` (a zero length byte cannot be a short id: ids are never empty) and the
 * book keeps the string itself beside the slot. Both forms are exact: a short id decodes to
 * the very characters it was made of.
 */
import { hashId } from "./idTable.ts"

/** The longest id kept inline (11 characters and the length byte fill three words). */
export const INLINE_MAX = 11

/** An id being looked up or stored: its three words, its hash, and the string when it is long. */
export class IdKey {
  w0 = 0
  w1 = 0
  w2 = 0
  /** The id itself when it is long (see the module's comment), else the empty string. */
  long = ""
  /** The id's hash under `seed`. */
  hash = 0
  readonly seed: number

  constructor(seed: number) {
    this.seed = seed
  }

  /** Encodes `id` (not empty) into this key and returns its hash. */
  set(id: string): number {
    const length = id.length
    if (length <= INLINE_MAX) {
      let w0 = length
      let w1 = 0
      let w2 = 0
      let all = 0
      for (let i = 0; i < length; i++) {
        const c = id.charCodeAt(i)
        all |= c
        const at = i + 1
        const shifted = c << ((at & 3) << 3)
        if (at < 4) w0 |= shifted
        else if (at < 8) w1 |= shifted
        else w2 |= shifted
      }
      // Every character below U+0100 exactly when their union is.
      if (all < 0x100) {
        this.w0 = w0
        this.w1 = w1
        this.w2 = w2
        this.long = ""
        this.hash = hashWords(this.seed, w0, w1, w2)
        return this.hash
      }
    }
    this.w0 = 0
    this.w1 = length
    this.w2 = 0
    this.long = id
    this.hash = hashId(this.seed, id)
    return this.hash
  }
}

const mixBlock = (h: number, block: number): number => {
  let k = Math.imul(block, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** MurmurHash3 x86_32 over the three words of a short id. */
export const hashWords = (seed: number, w0: number, w1: number, w2: number): number => {
  let h = mixBlock(mixBlock(mixBlock(seed, w0), w1), w2)
  h ^= 12
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

/** Whether the first word of a stored id marks a long id (kept as a string beside the slot). */
export const isLong = (w0: number): boolean => (w0 & 0xff) === 0

/**
 * The string of a short id from its three words. One `String.fromCharCode` call with the
 * right number of arguments, so the string is built flat in one allocation.
 */
export const decode = (w0: number, w1: number, w2: number): string => {
  const c1 = (w0 >>> 8) & 0xff
  const c2 = (w0 >>> 16) & 0xff
  const c3 = w0 >>> 24
  const c4 = w1 & 0xff
  const c5 = (w1 >>> 8) & 0xff
  const c6 = (w1 >>> 16) & 0xff
  const c7 = w1 >>> 24
  const c8 = w2 & 0xff
  const c9 = (w2 >>> 8) & 0xff
  const c10 = (w2 >>> 16) & 0xff
  const c11 = w2 >>> 24
  switch (w0 & 0xff) {
    case 1:
      return String.fromCharCode(c1)
    case 2:
      return String.fromCharCode(c1, c2)
    case 3:
      return String.fromCharCode(c1, c2, c3)
    case 4:
      return String.fromCharCode(c1, c2, c3, c4)
    case 5:
      return String.fromCharCode(c1, c2, c3, c4, c5)
    case 6:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6)
    case 7:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6, c7)
    case 8:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8)
    case 9:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8, c9)
    case 10:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10)
    case 11:
      return String.fromCharCode(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11)
    default:
      throw new Error(`order id invariant broken: a stored short id of length ${w0 & 0xff}`)
  }
}
