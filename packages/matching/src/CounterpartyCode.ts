/**
 * Anonymous counterparty codes. Public views of a book never show who is behind an order:
 * they show a code derived from the owner id with a keyed hash (SipHash-2-4, a keyed
 * pseudo-random function), so the same owner always gets the same code under the same
 * secret, nobody without the secret can tell whose code it is, and no clock or random
 * source is involved. The secret comes from the book's configuration; rotating it changes
 * every code.
 *
 * @since 0.1.0
 */

const MASK64 = (1n << 64n) - 1n

const rotl = (x: bigint, b: bigint): bigint => ((x << b) | (x >> (64n - b))) & MASK64

const readUint64LE = (bytes: Uint8Array, at: number): bigint => {
  let value = 0n
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i] ?? 0)
  return value
}

/**
 * SipHash-2-4 of `message` under the 128-bit key `(k0, k1)` (each a 64-bit unsigned
 * integer, the key's two little-endian halves), as a 64-bit unsigned integer.
 *
 * @category hashing
 * @since 0.1.0
 */
export const sipHash24 = (k0: bigint, k1: bigint, message: Uint8Array): bigint => {
  let v0 = k0 ^ 0x736f6d6570736575n
  let v1 = k1 ^ 0x646f72616e646f6dn
  let v2 = k0 ^ 0x6c7967656e657261n
  let v3 = k1 ^ 0x7465646279746573n
  const rounds = (n: number): void => {
    for (let r = 0; r < n; r++) {
      v0 = (v0 + v1) & MASK64
      v1 = rotl(v1, 13n) ^ v0
      v0 = rotl(v0, 32n)
      v2 = (v2 + v3) & MASK64
      v3 = rotl(v3, 16n) ^ v2
      v0 = (v0 + v3) & MASK64
      v3 = rotl(v3, 21n) ^ v0
      v2 = (v2 + v1) & MASK64
      v1 = rotl(v1, 17n) ^ v2
      v2 = rotl(v2, 32n)
    }
  }
  const length = message.length
  const whole = length - (length % 8)
  for (let at = 0; at < whole; at += 8) {
    const m = readUint64LE(message, at)
    v3 ^= m
    rounds(2)
    v0 ^= m
  }
  let last = BigInt(length & 0xff) << 56n
  for (let i = length - 1; i >= whole; i--) last |= BigInt(message[i] ?? 0) << BigInt(8 * (i - whole))
  v3 ^= last
  rounds(2)
  v0 ^= last
  v2 ^= 0xffn
  rounds(4)
  return (v0 ^ v1 ^ v2 ^ v3) & MASK64
}

/**
 * A SipHash key derived from a secret string.
 *
 * @category models
 * @since 0.1.0
 */
export interface Key {
  /** The key's first 64 bits. */
  readonly k0: bigint
  /** The key's last 64 bits. */
  readonly k1: bigint
}

const encoder = new TextEncoder()

/**
 * Derives the 128-bit key from a secret string (its UTF-8 bytes hashed under two fixed
 * keys). Use a long random secret kept outside the journal: anyone holding it can link codes
 * to owner ids they already know.
 *
 * @category constructors
 * @since 0.1.0
 */
export const key = (secret: string): Key => {
  const bytes = encoder.encode(secret)
  return { k0: sipHash24(0n, 0n, bytes), k1: sipHash24(0n, 1n, bytes) }
}

// Crockford's base 32: no I, L, O or U, so a code reads back unambiguously.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/**
 * The anonymous code of `owner` under `key`: `"CP-"` and ten Crockford base-32 characters
 * (50 bits of the hash).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (codeKey: Key, owner: string): string => {
  let hash = sipHash24(codeKey.k0, codeKey.k1, encoder.encode(owner))
  let code = ""
  for (let i = 0; i < 10; i++) {
    code = ALPHABET.charAt(Number(hash & 31n)) + code
    hash >>= 5n
  }
  return `CP-${code}`
}
