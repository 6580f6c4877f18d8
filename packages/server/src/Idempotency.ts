/**
 * Idempotent endpoints: a request sent with an `Idempotency-Key` header runs once per
 * caller and key; sending it again answers the first answer (with the header
 * `Idempotent-Replayed: true`) and changes nothing. The same key with another request (other
 * endpoint or other input) is a 409 `idempotency_key_reused`.
 *
 * The record (`idempotency_keys`, `@niha/domain`'s `Idempotency.IdempotencyRecord`) is
 * written in the transaction of the request's own effects, so it exists exactly when they
 * do: a request that fails leaves no record and may be sent again, and a repetition sent
 * while the first is still running waits for it (the unique key holds it at the insert)
 * and then replays its answer. Only answers without secrets are recorded: endpoints whose
 * answer carries a token or key (login, API key creation) are not idempotent this way.
 * A refusal the request's service records (`Audit.recordRefusal`) is written after this
 * transaction ends (`Audit.keepingRefusals`), so the rollback does not take it away.
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import type { Parties } from "@niha/domain"
import { ApiError, Authentication } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as HttpEffect from "effect/http/HttpEffect"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as Audit from "./Audit.ts"
import * as ErrorHandling from "./ErrorHandling.ts"

/**
 * The header of the key, as requests send it.
 *
 * @category constants
 * @since 0.1.0
 */
export const header = "Idempotency-Key"

/**
 * The header a replayed answer carries.
 *
 * @category constants
 * @since 0.1.0
 */
export const replayedHeader = "Idempotent-Replayed"

/** JSON with object keys in sorted order, so equal inputs give equal fingerprints. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, field]) => field !== undefined)
    entries.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonical(field)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

/**
 * The fingerprint of a request: hex SHA-256 of its endpoint and canonical input.
 *
 * @category fingerprints
 * @since 0.1.0
 */
export const fingerprint = (endpoint: string, input: unknown): string =>
  NodeCrypto.createHash("sha256").update(`${endpoint}\n${canonical(input)}`, "utf8").digest("hex")

/**
 * How a request is named for {@link once}.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request<A> {
  /** The client's key; without one the request simply runs. */
  readonly key: string | undefined
  /** Whose key: the user's id, or the client address on public endpoints. */
  readonly principal: string
  /** The endpoint, as `group.endpoint`. */
  readonly endpoint: string
  /** The request's input (params, payload), for the fingerprint. */
  readonly input: unknown
  /** The schema of the answer, to record it as JSON and read it back. */
  readonly success: Schema.Codec<A, unknown>
}

/**
 * Runs `effect` once per caller and key, as described above; database failures become
 * defects (500).
 *
 * @category running
 * @since 0.1.0
 */
export const once = <A, E, R>(
  request: Request<A>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  Exclude<E, SqlError> | ApiError.Conflict,
  R | SqlClient.SqlClient | HttpServerRequest.HttpServerRequest
> => {
  const key = request.key
  if (key === undefined) return ErrorHandling.dieOnSqlError(effect)
  return Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const hash = fingerprint(request.endpoint, request.input)
    const encode = Schema.encodeUnknownEffect(Schema.toCodecJson(request.success))
    const decode = Schema.decodeUnknownEffect(Schema.toCodecJson(request.success))
    // Refusals the services record inside this transaction are written after it ends.
    return yield* Audit.keepingRefusals(Transaction.run(Effect.gen(function*() {
      const inserted = yield* sql`
        INSERT INTO idempotency_keys (principal, key, endpoint, request_hash, response)
        VALUES (${request.principal}, ${key}, ${request.endpoint}, ${hash}, 'null'::jsonb)
        ON CONFLICT (principal, key) DO NOTHING
        RETURNING id`
      if (inserted.length > 0) {
        // `ErrorHandling.answer` made a deadlock or serialization failure of the request's
        // own work a defect (a 500); failed again, it reaches this `Transaction.run`, the
        // outermost, which runs the whole request again as it would any such failure.
        const answer = yield* Effect.catchDefect(
          effect,
          (defect) => Transaction.isRetryable(defect) ? Effect.fail(defect) : Effect.die(defect)
        )
        const recorded = yield* Effect.orDie(encode(answer))
        yield* sql`
          UPDATE idempotency_keys SET response = ${JSON.stringify(recorded)}::jsonb
          WHERE principal = ${request.principal} AND key = ${key}`
        return answer
      }
      const [first] = yield* sql<{ endpoint: string; request_hash: string; response: unknown }>`
        SELECT endpoint, request_hash, response FROM idempotency_keys
        WHERE principal = ${request.principal} AND key = ${key}`
      if (first === undefined || first.request_hash !== hash) {
        return yield* ErrorHandling.fail(ApiError.Conflict, {
          code: "idempotency_key_reused",
          message: `${header} ${JSON.stringify(key)} was used for another request${
            first === undefined || first.endpoint === request.endpoint ? "" : ` (${first.endpoint})`
          }; use a new key for a new request`,
          field: header
        })
      }
      yield* HttpEffect.appendPreResponseHandler((_request, response) =>
        Effect.succeed(HttpServerResponse.setHeader(response, replayedHeader.toLowerCase(), "true"))
      )
      // The stored answer was written by this code from the same schema.
      return yield* Effect.orDie(decode(first.response))
    })))
  }).pipe(ErrorHandling.dieOnSqlError)
}

/**
 * {@link once} for the signed-in caller of an endpoint: the principal is the request's
 * user, and the service's errors are answered once (`ErrorHandling.answer`).
 *
 * @category running
 * @since 0.1.0
 */
export const onceForCaller = <A, I, E, R>(
  request: {
    /** The schema of the answer. */
    readonly success: Schema.Codec<A, I>
    /** The endpoint, as `group.endpoint`. */
    readonly endpoint: string
    /** The client's key, if it sent one. */
    readonly key: string | undefined
    /** The request's input, for the fingerprint. */
    readonly input: unknown
  },
  effect: (actor: Parties.User) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const { user } = yield* Authentication.CurrentPrincipal
    return yield* once(
      {
        key: request.key,
        principal: user.id,
        endpoint: request.endpoint,
        input: request.input,
        success: request.success
      },
      ErrorHandling.answer(effect(user))
    )
  })
