/**
 * Passwords: the policy a new password must meet, and how it is stored.
 *
 * The policy follows OWASP ASVS 5 (V6.2) and NIST SP 800-63B (5.1.1.2): at least
 * {@link minLength} and at most {@link maxLength} characters, counted in Unicode code
 * points after NFC normalisation; every character allowed, spaces and emoji included;
 * no composition rules ("one digit, one symbol"); nothing truncated. What is refused is
 * what attackers try first: passwords on a list of common passwords (also with digits or
 * punctuation appended, "Password1234!"), passwords containing the user's email name or
 * names, and one character repeated. {@link check} answers with a {@link WeakPassword}
 * value whose message a person can act on; it never repeats the password.
 *
 * Storage is scrypt, one of the memory-hard functions the OWASP Password Storage Cheat
 * Sheet recommends, from `node:crypto` (no native addon), encoded as a PHC string so the
 * parameters travel with each hash and can be raised later: {@link needsRehash} tells a
 * login to store a fresh hash when they have changed. Login code should call
 * {@link verifyDummy} when the email is unknown, so that an unknown email costs the same
 * time as a wrong password and timing does not reveal which emails have accounts.
 *
 * @since 0.1.0
 */
import { dictionary } from "@zxcvbn-ts/language-common"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Crypto from "node:crypto"

/**
 * The fewest characters (Unicode code points after NFC) a password may have: the
 * ASVS 5 minimum for a password that is the only factor.
 *
 * @category constants
 * @since 0.1.0
 */
export const minLength = 12

/**
 * The most characters (Unicode code points after NFC) a password may have. ASVS asks
 * for at least 64; 128 leaves room for pass phrases while bounding the work per login.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLength = 128

/**
 * Why {@link check} refused a password.
 *
 * @category models
 * @since 0.1.0
 */
export const WeakPasswordReason = Schema.Literals(["too_short", "too_long", "common", "personal", "repetitive"])

/**
 * @category models
 * @since 0.1.0
 */
export type WeakPasswordReason = typeof WeakPasswordReason.Type

const reasonMessages: { readonly [K in WeakPasswordReason]: string } = {
  too_short: `the password must be at least ${minLength} characters long`,
  too_long: `the password must be at most ${maxLength} characters long`,
  common: "the password is on a list of commonly used passwords; choose one that is harder to guess",
  personal: "the password must not contain your email address or your name",
  repetitive: "the password must not be a single character repeated"
}

/**
 * A password the policy refuses; `reason` says which rule, the message says it in a
 * sentence and never contains the password.
 *
 * @category errors
 * @since 0.1.0
 */
export class WeakPassword extends Schema.TaggedError<WeakPassword>()("WeakPassword", {
  /** The rule the password breaks. */
  reason: WeakPasswordReason
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return reasonMessages[this.reason]
  }
}

/**
 * What is known of the user, to refuse passwords built from it.
 *
 * @category models
 * @since 0.1.0
 */
export interface CheckContext {
  /** The user's email; its local part (before `@`) must not appear in the password. */
  readonly email?: string | undefined
  /** The user's names (given name, family name, company ...). */
  readonly names?: ReadonlyArray<string> | undefined
}

// The list is lower case; building the Set once makes each check a few lookups.
let commonPasswords: ReadonlySet<string> | undefined
const isCommon = (candidate: string): boolean => {
  commonPasswords ??= new Set(dictionary["passwords-common"])
  return candidate.length > 0 && commonPasswords.has(candidate)
}

// Digits, punctuation, symbols and spaces people append to a common word to pass a rule.
const trailingDecoration = /[\p{N}\p{P}\p{S}\s]+$/u

// Personal words shorter than this match too much ("ann", "li") to be refused.
const minPersonalLength = 4

const personalWords = (context: CheckContext): ReadonlyArray<string> => {
  const words: Array<string> = []
  const add = (text: string) => {
    const normalised = text.normalize("NFC").toLowerCase()
    for (const word of [normalised, ...normalised.split(/[\s._+\-@]+/u)]) {
      if ([...word].length >= minPersonalLength) words.push(word)
    }
  }
  if (context.email !== undefined) add(context.email.split("@")[0] ?? "")
  for (const name of context.names ?? []) add(name)
  return words
}

/**
 * Checks a new password against the policy (see the module comment). The user's email
 * and names, when given, are refused as parts of the password.
 *
 * @category policy
 * @since 0.1.0
 */
export const check = (password: string, context: CheckContext = {}): Result.Result<void, WeakPassword> => {
  const normalised = password.normalize("NFC")
  const codePoints = [...normalised]
  if (codePoints.length < minLength) return Result.fail(new WeakPassword({ reason: "too_short" }))
  if (codePoints.length > maxLength) return Result.fail(new WeakPassword({ reason: "too_long" }))
  if (new Set(codePoints).size === 1) return Result.fail(new WeakPassword({ reason: "repetitive" }))
  const lower = normalised.toLowerCase()
  if (isCommon(lower) || isCommon(lower.replace(trailingDecoration, ""))) {
    return Result.fail(new WeakPassword({ reason: "common" }))
  }
  if (personalWords(context).some((word) => lower.includes(word))) {
    return Result.fail(new WeakPassword({ reason: "personal" }))
  }
  return Result.succeed(undefined)
}

/**
 * The scrypt cost parameters: N = 2^`ln` (CPU and memory cost), `r` (block size), `p`
 * (parallelism). Memory used is about 128 · N · r bytes.
 *
 * @category models
 * @since 0.1.0
 */
export interface Params {
  /** log2 of scrypt's cost N (memory and time grow with 2^ln). */
  readonly ln: number
  /** scrypt's block size. */
  readonly r: number
  /** scrypt's parallelism. */
  readonly p: number
}

/**
 * The OWASP Password Storage Cheat Sheet's first scrypt configuration: N = 2^17,
 * r = 8, p = 1, that is 128 MiB and a few hundred milliseconds per hash on a server core
 * (1.1 s on a small two-core machine). The cheat sheet's alternatives trade memory for passes (N = 2^16 with
 * p = 2 ...); the memory-heavy one is chosen because memory is what makes GPU and ASIC
 * guessing expensive. Node runs scrypt on its libuv pool (4 threads by default), so at
 * most 4 hashes (512 MiB) run at once.
 *
 * @category constants
 * @since 0.1.0
 */
export const owasp: Params = { ln: 17, r: 8, p: 1 }

/**
 * The parameters {@link hash} uses: {@link owasp} unless a test provides cheaper ones
 * (`Effect.provideService(Password.CurrentParams, { ln: 10, r: 8, p: 1 })`).
 *
 * @category references
 * @since 0.1.0
 */
export const CurrentParams = Context.Reference<Params>("@niha/server/Password/CurrentParams", {
  defaultValue: () => owasp
})

// 16 bytes of salt and a 32-byte key: the sizes the cheat sheet and RFC 7914 use.
const saltBytes = 16
const keyBytes = 32

// Bounds on what a stored hash may ask for, so a corrupt or planted row cannot make a
// login allocate gigabytes: 2^20 · 8 · 128 bytes = 1 GiB is already far above owasp.
const maxLn = 20
const maxR = 32
const maxP = 16
const maxMemoryBytes = 1024 * 1024 * 1024

const memoryOf = (params: Params): number => 128 * 2 ** params.ln * params.r

// Node refuses scrypt when 128 · N · r reaches `maxmem` (32 MiB by default); twice the
// need, and at least 256 MiB, leaves room for its own bookkeeping.
const maxmemOf = (params: Params): number => Math.max(256 * 1024 * 1024, 2 * memoryOf(params))

const toB64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64").replace(/=+$/, "")

// PHC strings use standard base64 without padding; anything that does not re-encode to
// the same text is refused, so one hash has exactly one spelling.
const fromB64 = (text: string): Buffer | undefined => {
  const bytes = Buffer.from(text, "base64")
  return bytes.length > 0 && toB64(bytes) === text ? bytes : undefined
}

interface Decoded {
  readonly params: Params
  readonly salt: Buffer
  readonly key: Buffer
}

const phc = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** Why an encoded hash does not parse, or the parts it holds. */
const decode = (encoded: string): Result.Result<Decoded, string> => {
  const match = phc.exec(encoded)
  if (match === null) return Result.fail("not a PHC scrypt string ($scrypt$ln=..,r=..,p=..$salt$hash)")
  const [, ln, r, p, salt, key] = match
  const params: Params = { ln: Number(ln), r: Number(r), p: Number(p) }
  if (params.ln < 1 || params.ln > maxLn || params.r < 1 || params.r > maxR || params.p < 1 || params.p > maxP) {
    return Result.fail(`parameters out of range (ln 1..${maxLn}, r 1..${maxR}, p 1..${maxP})`)
  }
  if (memoryOf(params) > maxMemoryBytes) return Result.fail("parameters need more than 1 GiB of memory")
  const saltBuffer = fromB64(salt ?? "")
  const keyBuffer = fromB64(key ?? "")
  if (saltBuffer === undefined || keyBuffer === undefined) return Result.fail("salt or hash is not canonical base64")
  if (saltBuffer.length < 8 || keyBuffer.length < 16) return Result.fail("salt or hash too short")
  return Result.succeed({ params, salt: saltBuffer, key: keyBuffer })
}

const encode = (decoded: Decoded): string =>
  `$scrypt$ln=${decoded.params.ln},r=${decoded.params.r},p=${decoded.params.p}$${toB64(decoded.salt)}$${
    toB64(decoded.key)
  }`

const passwordBytes = (password: string): Buffer => Buffer.from(password.normalize("NFC"), "utf8")

// The asynchronous scrypt runs on libuv's pool and leaves the event loop free; the
// synchronous one would stall every request for the length of a hash. An error here is
// a bug or an exhausted machine (the parameters are bounded), hence a defect.
const scrypt = (password: string, salt: Buffer, keyLength: number, params: Params): Effect.Effect<Buffer> =>
  Effect.callback<Buffer>((resume) => {
    Crypto.scrypt(
      passwordBytes(password),
      salt,
      keyLength,
      { N: 2 ** params.ln, r: params.r, p: params.p, maxmem: maxmemOf(params) },
      (error, key) => resume(error === null ? Effect.succeed(key) : Effect.die(error))
    )
  })

/**
 * Hashes a password with a fresh 16-byte random salt and the {@link CurrentParams}:
 * `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64 without padding). The password is hashed
 * as the UTF-8 bytes of its NFC form, so the same password typed on another keyboard
 * (composed or decomposed accents) verifies.
 *
 * @category hashing
 * @since 0.1.0
 */
export const hash = Effect.fn("Password.hash")(function*(password: string) {
  const params = yield* CurrentParams
  const salt = yield* Effect.sync(() => Crypto.randomBytes(saltBytes))
  const key = yield* scrypt(password, salt, keyBytes, params)
  return encode({ params, salt, key })
})

/**
 * Whether `password` matches an encoded hash, compared in constant time. A hash that
 * does not parse (a corrupt row, another scheme) is a `false` and a warning in the log,
 * so a login fails closed and someone notices.
 *
 * @category hashing
 * @since 0.1.0
 */
export const verify = Effect.fn("Password.verify")(function*(password: string, encoded: string) {
  const decoded = decode(encoded)
  if (Result.isFailure(decoded)) {
    yield* Effect.logWarning("a stored password hash does not parse; the login is refused").pipe(
      Effect.annotateLogs({ problem: decoded.failure })
    )
    return false
  }
  const { key, params, salt } = decoded.success
  const derived = yield* scrypt(password, salt, key.length, params)
  return Crypto.timingSafeEqual(derived, key)
})

/**
 * Whether a stored hash should be replaced, after a successful login, by a fresh
 * {@link hash}: it does not parse, or its parameters or sizes are not `params`. A hash
 * with stronger parameters than `params` is replaced too, so lowering the cost on
 * purpose takes effect.
 *
 * @category hashing
 * @since 0.1.0
 */
export const needsRehash = (encoded: string, params: Params): boolean => {
  const decoded = decode(encoded)
  if (Result.isFailure(decoded)) return true
  const current = decoded.success
  return current.params.ln !== params.ln || current.params.r !== params.r || current.params.p !== params.p ||
    current.salt.length !== saltBytes || current.key.length !== keyBytes
}

// A fixed salt and key: nothing verifies against them (the chance of a 32-byte match is
// 2^-256), and they need not be secret.
const dummySalt = Buffer.alloc(saltBytes, 0x5a)
const dummyKey = Buffer.alloc(keyBytes, 0)

/**
 * The fixed hash {@link verifyDummy} verifies against: a hash of the given parameters
 * with the salt and key sizes of a real one, so verifying against it costs what a real
 * verify costs (the same scrypt work), while no password matches it.
 *
 * @category hashing
 * @since 0.1.0
 */
export const dummyHash = (params: Params): string => encode({ params, salt: dummySalt, key: dummyKey })

/**
 * Spends the time of a {@link verify} against {@link dummyHash} with the
 * {@link CurrentParams}, and answers `false`. Call it when a login names an unknown
 * email, so the answer takes as long as for a known email with a wrong password.
 *
 * @category hashing
 * @since 0.1.0
 */
export const verifyDummy = Effect.fn("Password.verifyDummy")(function*(password: string) {
  const params = yield* CurrentParams
  yield* verify(password, dummyHash(params))
  return false
})
