/**
 * The audit trail of the back office and of the accounts: one `activity_logs` line per
 * thing a person did (shown to admins as a timeline), and one `ticket_logs` line per
 * change of a subject row, with its state before and after, so any change can be
 * explained later. Both are written in the transaction of the change they record, so the
 * trail has exactly the changes that committed.
 *
 * @since 0.1.0
 */
import type { Ids } from "@niha/domain"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"

/**
 * Where a request came from, as recorded with what it did.
 *
 * @category models
 * @since 0.1.0
 */
export interface Origin {
  /** The client's address as the server saw it. */
  readonly ip_address: string | null
  /** The client's User-Agent header. */
  readonly user_agent: string | null
}

/**
 * The origin of the request being served (both null outside a request).
 *
 * @category accessors
 * @since 0.1.0
 */
export const origin: Effect.Effect<Origin> = Effect.map(
  Effect.serviceOption(HttpServerRequest.HttpServerRequest),
  (request) => {
    if (Option.isNone(request)) return { ip_address: null, user_agent: null }
    const address = Option.getOrUndefined(request.value.remoteAddress)
    const agent = request.value.headers["user-agent"]
    return {
      ip_address: address === undefined || address.trim() === "" ? null : address.trim(),
      user_agent: agent === undefined || agent === "" ? null : agent.slice(0, 512)
    }
  }
)

/**
 * A JSON value of a row for the trail: its JSON encoding when it has one.
 *
 * @category models
 * @since 0.1.0
 */
export type Json = Schema.Json

/**
 * What an action did, as recorded.
 *
 * @category models
 * @since 0.1.0
 */
export interface Entry {
  /** Who acted; null for the system (a job, the CLI). */
  readonly user_id: Ids.UserId | null
  /** What was done, as `<subject>.<verb>`, e.g. `contact_requests.convert`. */
  readonly action: string
  /** The table of the row acted on. */
  readonly subject_table?: string | undefined
  /** The id of the row acted on. */
  readonly subject_id?: string | undefined
  /** Facts for display. */
  readonly details?: Json | undefined
  /** The row before the change. */
  readonly before?: Json | undefined
  /** The row after the change. */
  readonly after?: Json | undefined
}

const ticketReference = Effect.gen(function*() {
  const now = yield* DateTime.now
  const day = DateTime.formatIso(now).slice(0, 10).replaceAll("-", "")
  // A random suffix, not a counter: references must not tell how busy the platform is.
  const suffix = yield* Effect.sync(() => NodeCrypto.randomBytes(5).toString("hex").toUpperCase())
  return `TKT-${day}-${suffix}`
})

/**
 * Records an action: an activity line for its user (when a user acted) and, when it has a
 * subject, a ticket line with the subject's state before and after; both with the
 * request's origin. Run it inside the transaction of the change.
 *
 * @category recording
 * @since 0.1.0
 */
export const record = Effect.fn("Audit.record")(function*(entry: Entry) {
  const sql = yield* SqlClient.SqlClient
  const from = yield* origin
  const json = (value: Json | undefined) => value === undefined ? null : JSON.stringify(value)
  if (entry.user_id !== null) {
    yield* sql`
      INSERT INTO activity_logs (user_id, action, details, ip_address, user_agent)
      VALUES (${entry.user_id}, ${entry.action}, ${json(entry.details)}::jsonb, ${from.ip_address}, ${from.user_agent})`
  }
  if (entry.subject_table !== undefined) {
    yield* sql`
      INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_table, subject_id, status,
        request_payload, before_state, after_state, ip_address, user_agent)
      VALUES (${yield* ticketReference}, ${entry.user_id}, ${entry.action}, ${entry.subject_table},
        ${entry.subject_id ?? null}, 'SUCCESS', ${json(entry.details)}::jsonb, ${json(entry.before)}::jsonb,
        ${json(entry.after)}::jsonb, ${from.ip_address}, ${from.user_agent})`
  }
})
