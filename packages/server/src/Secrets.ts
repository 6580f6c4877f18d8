/**
 * Secrets at rest: the write-only settings (`mail_config.resend_api_key`,
 * `mail_config.smtp_password`) are stored sealed with AES-256-GCM (node:crypto) under a key
 * from the environment, `NIHA_SECRETS_KEY`: 32 bytes as 64 hex digits or as base64
 * (`openssl rand -hex 32`). The API never answers a secret, only whether it is set.
 *
 * A sealed value is `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts, a fresh 12-byte
 * IV each time). The key id (the first 16 hex digits of a SHA-256 of the key) names the key
 * without revealing it, so a wrong key is told apart from a damaged value. {@link check}
 * says whether the stored secrets can be read: the server logs its answer at start and
 * `GET /ready` answers 503 with it while secrets are stored and the key is missing or not
 * theirs.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"

/**
 * The environment variable holding the key.
 *
 * @category constants
 * @since 0.1.0
 */
export const keyVariable = "NIHA_SECRETS_KEY"

/**
 * `NIHA_SECRETS_KEY` is set but is not 32 bytes as 64 hex digits or base64.
 *
 * @category errors
 * @since 0.1.0
 */
export class SecretsKeyInvalid extends Schema.TaggedError<SecretsKeyInvalid>()("SecretsKeyInvalid", {}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${keyVariable} must be 32 bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)`
  }
}

/**
 * A secret cannot be sealed or opened: no key, another key, or a damaged value.
 *
 * @category errors
 * @since 0.1.0
 */
export class SecretsUnavailable extends Schema.TaggedError<SecretsUnavailable>()("SecretsUnavailable", {
  /** Why, in a sentence (never the secret). */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.reason
  }
}

/**
 * Seals and opens secrets with the configured key.
 *
 * @category models
 * @since 0.1.0
 */
export interface Box {
  /** The id of the configured key, or undefined without one. */
  readonly keyId: string | undefined
  /** Seals a secret for storage. */
  readonly seal: (plain: string) => Effect.Effect<string, SecretsUnavailable>
  /** Opens a stored secret (a value stored before sealing existed is read as it is). */
  readonly open: (stored: string) => Effect.Effect<string, SecretsUnavailable>
}

/**
 * The secrets box of the server.
 *
 * @category services
 * @since 0.1.0
 */
export class Secrets extends Context.Service<Secrets, Box>()("@niha/server/Secrets") {}

const idOf = (key: Buffer): string =>
  NodeCrypto.createHash("sha256").update("niha-secrets-key:").update(key).digest("hex").slice(0, 16)

/**
 * The key a `NIHA_SECRETS_KEY` value stands for.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseKey = (text: string): Effect.Effect<Buffer, SecretsKeyInvalid> => {
  const trimmed = text.trim()
  const key = /^[0-9a-f]{64}$/iu.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64")
  return key.length === 32 ? Effect.succeed(key) : Effect.fail(new SecretsKeyInvalid())
}

const missingKey = new SecretsUnavailable({
  reason: `secrets are stored sealed but ${keyVariable} is not set: set the key they were sealed with`
})

/**
 * A box with `key` (32 bytes), or without a key (sealing and opening then fail).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (key: Buffer | undefined): Box => {
  const keyId = key === undefined ? undefined : idOf(key)
  const seal = (plain: string) =>
    key === undefined || keyId === undefined ?
      Effect.fail(
        new SecretsUnavailable({ reason: `${keyVariable} is not set: secrets cannot be stored without a key` })
      ) :
      Effect.sync(() => {
        const iv = NodeCrypto.randomBytes(12)
        const cipher = NodeCrypto.createCipheriv("aes-256-gcm", key, iv)
        cipher.setAAD(Buffer.from(keyId))
        const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
        const tag = cipher.getAuthTag()
        return ["v1", keyId, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".")
      })
  const open = (stored: string): Effect.Effect<string, SecretsUnavailable> => {
    const parts = stored.split(".")
    if (parts[0] !== "v1" || parts.length !== 5) return Effect.succeed(stored)
    const [, id = "", iv = "", tag = "", body = ""] = parts
    if (key === undefined) return Effect.fail(missingKey)
    if (id !== keyId) {
      return Effect.fail(
        new SecretsUnavailable({
          reason: `${keyVariable} is not the key the stored secrets were sealed with (key ${id}, given ${keyId})`
        })
      )
    }
    return Effect.try({
      try: () => {
        const decipher = NodeCrypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"))
        decipher.setAAD(Buffer.from(id))
        decipher.setAuthTag(Buffer.from(tag, "base64url"))
        return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8")
      },
      catch: () => new SecretsUnavailable({ reason: "a stored secret is damaged: it does not open with its key" })
    })
  }
  return { keyId, seal, open }
}

/**
 * The box with the key of `NIHA_SECRETS_KEY` (none when unset); an invalid key fails.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<Secrets, SecretsKeyInvalid | Config.ConfigError> = Layer.effect(
  Secrets,
  Effect.gen(function*() {
    const text = yield* Config.option(Config.Redacted(keyVariable))
    if (Option.isNone(text)) return make(undefined)
    return make(yield* parseKey(Redacted.value(text.value)))
  })
)

/**
 * The box with `key` (64 hex digits or base64 of 32 bytes), or without a key.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerKey = (key: string | undefined): Layer.Layer<Secrets, SecretsKeyInvalid> =>
  Layer.effect(Secrets, key === undefined ? Effect.succeed(make(undefined)) : Effect.map(parseKey(key), make))

/**
 * Whether the stored secrets open with the configured key: fails with the reason when one
 * does not (no key, another key, a damaged value).
 *
 * @category checks
 * @since 0.1.0
 */
export const check = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const box = yield* Secrets
  const stored = yield* sql<{ value: string }>`
    SELECT resend_api_key AS value FROM mail_config WHERE resend_api_key IS NOT NULL
    UNION ALL SELECT smtp_password FROM mail_config WHERE smtp_password IS NOT NULL`
  for (const row of stored) yield* box.open(row.value)
})
