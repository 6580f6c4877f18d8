/**
 * Opaque secrets handed to clients: session tokens, magic-link tokens and API keys.
 *
 * A token is `<prefix>_<43 characters>`: 32 random bytes (256 bits, twice the 128-bit
 * minimum of OWASP ASVS V7.2) in base64url without padding, behind a prefix naming its
 * kind (`nihs` session, `nihm` magic link, `nihk` API key). The prefix lets secret
 * scanners (GitHub's, gitleaks) recognise a leaked NIHA secret and lets the server refuse
 * a token of the wrong kind before any lookup.
 *
 * The database stores only the SHA-256 of a token, never the token, so a database leak
 * gives no usable credential. A fast hash is right here, unlike for passwords: a token
 * has 256 bits of entropy, so there is nothing to guess and no need to slow guessing down
 * (see `Password` for what human-chosen secrets need).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"

/**
 * What a token is for.
 *
 * @category models
 * @since 0.1.0
 */
export type Kind = "session" | "magic_link" | "api_key"

/**
 * The prefix of each kind of token (written before an underscore).
 *
 * @category constants
 * @since 0.1.0
 */
export const prefixes: { readonly [K in Kind]: string } = {
  session: "nihs",
  magic_link: "nihm",
  api_key: "nihk"
}

const kinds: ReadonlyArray<Kind> = ["session", "magic_link", "api_key"]

/**
 * A freshly generated token: `token` goes to the client once, `hash` to the database.
 *
 * @category models
 * @since 0.1.0
 */
export interface Generated {
  /** The secret: `<prefix>_<43 base64url characters>`. Show it once, never store it. */
  readonly token: string
  /** The hex SHA-256 of the whole token: what the database stores and looks up. */
  readonly hash: string
  /** The kind's prefix, such as `nihk`. */
  readonly prefix: string
}

/**
 * A freshly generated API key, with a short id to show in lists ("nihk_AbCd1234…").
 *
 * @category models
 * @since 0.1.0
 */
export interface GeneratedApiKey extends Generated {
  /**
   * The first 8 characters after the prefix: enough to tell keys apart in a list,
   * 48 of the 256 bits, so the rest stays far beyond guessing.
   */
  readonly display: string
}

const randomBytes = 32
const displayLength = 8

// 32 bytes are 43 base64url characters; the last carries only 4 bits, so it is one of
// the 16 characters whose 2 low bits are zero. Only the canonical spelling is accepted.
const shape = /^(nihs|nihm|nihk)_[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/

const hexHash = /^[0-9a-f]{64}$/

/**
 * The hex SHA-256 of a token, as stored in the database.
 *
 * @category hashing
 * @since 0.1.0
 */
export const hashToken = (token: string): string => Crypto.createHash("sha256").update(token, "utf8").digest("hex")

/**
 * Generates a token of a kind from 32 bytes of the operating system's random source.
 *
 * @category constructors
 * @since 0.1.0
 */
export function generate(kind: "api_key"): Effect.Effect<GeneratedApiKey>
/**
 * @category constructors
 * @since 0.1.0
 */
export function generate(kind: Kind): Effect.Effect<Generated>
export function generate(kind: Kind): Effect.Effect<Generated | GeneratedApiKey> {
  return Effect.sync(() => {
    const prefix = prefixes[kind]
    const secret = Crypto.randomBytes(randomBytes).toString("base64url")
    const token = `${prefix}_${secret}`
    const generated: Generated = { token, hash: hashToken(token), prefix }
    return kind === "api_key" ? { ...generated, display: secret.slice(0, displayLength) } : generated
  })
}

/**
 * The kind of a token, from its prefix, when the whole token has the right shape;
 * `undefined` for anything else (wrong prefix, length or alphabet).
 *
 * @category parsing
 * @since 0.1.0
 */
export const kindOf = (token: string): Kind | undefined => {
  const match = shape.exec(token)
  if (match === null) return undefined
  return kinds.find((kind) => prefixes[kind] === match[1])
}

/**
 * Whether two hex SHA-256 hashes are equal, in time that does not depend on where they
 * differ. Anything that is not 64 lower-case hex characters is unequal to everything.
 *
 * @category hashing
 * @since 0.1.0
 */
export const equals = (a: string, b: string): boolean => {
  if (!hexHash.test(a) || !hexHash.test(b)) return false
  return Crypto.timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"))
}
