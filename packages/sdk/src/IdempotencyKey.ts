/**
 * The `Idempotency-Key` header of endpoints that create something: send a key of your own
 * (a UUID) and send the same request again with it after a timeout or a lost answer; the
 * server runs it once and answers every repetition with the first answer (marked
 * `Idempotent-Replayed: true`). The same key with another request answers 409
 * `idempotency_key_reused`. Keys are per caller.
 *
 * ```ts
 * await niha.admin.convertContactRequest({ params: { id }, headers: { "idempotency-key": crypto.randomUUID() } })
 * ```
 *
 * @since 0.1.0
 */
import { Idempotency } from "@niha/domain"
import * as Schema from "effect/Schema"

/**
 * The header's name.
 *
 * @category constants
 * @since 0.1.0
 */
export const header = "Idempotency-Key"

/**
 * The header fields of an idempotent endpoint (HTTP header names are lower case here).
 *
 * @category schemas
 * @since 0.1.0
 */
export const headers = {
  /** A key of the caller's own naming this request; optional. */
  "idempotency-key": Schema.optionalKey(Idempotency.Key)
}
