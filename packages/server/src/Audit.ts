/**
 * The audit trail of the back office and of the accounts: one `activity_logs` line per
 * thing a person did (shown to admins as a timeline), and one `ticket_logs` line per
 * change of a subject row, with its state before and after, so any change can be
 * explained later. Both are written in the transaction of the change they record, so the
 * trail has exactly the changes that committed.
 *
 * A refused attempt (a withdrawal over a limit, a client confirming its own deposit, a
 * transition the machines refuse) changes nothing, so its transaction rolls back; it is
 * recorded by {@link recordRefusal} as a `ticket_logs` row with status FAILED, written in
 * a small transaction of its own after the refusal. Inside a request's outer transaction
 * (`Idempotency.once` runs one around the service's), that row waits, in
 * {@link keepingRefusals}, until the outer transaction has ended, so the rollback of the
 * refused request cannot take it away.
 *
 * Every state-changing request (POST, PUT, PATCH, DELETE on a route of the API) leaves at
 * least one `ticket_logs` row: {@link layerRequests} follows each such request, and when
 * its service wrote none (an endpoint without a subject row such as a sign-out, or a
 * request refused before any service ran: not signed in, not permitted, invalid input) it
 * writes one itself, SUCCESS or FAILED by the HTTP status, with who (the principal the
 * `Authentication` middleware found, {@link noteActor}), the route, the status and the
 * request id, and never the body (it may hold a password or a key).
 *
 * @since 0.1.0
 */
import { Transaction } from "@niha/db"
import type { Ids } from "@niha/domain"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import type * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as RequestContext from "./RequestContext.ts"
import * as Routes from "./Routes.ts"

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

/**
 * What the audit knows of the request being served: who acted (once authenticated) and
 * how many ticket rows its services wrote.
 *
 * @category models
 * @since 0.1.0
 */
export interface Trail {
  /** The user the request authenticated as; null until then, or for a public endpoint. */
  readonly user_id: Ids.UserId | null
  /** The ticket rows written for it so far. */
  readonly tickets: number
}

/**
 * The trail of the state-changing request being served ({@link layerRequests}); undefined
 * outside one.
 *
 * @category recording
 * @since 0.1.0
 */
export const CurrentTrail = Context.Reference<Ref.Ref<Trail> | undefined>("@niha/server/Audit/CurrentTrail", {
  defaultValue: () => undefined
})

const updateTrail = (f: (trail: Trail) => Trail) =>
  Effect.flatMap(CurrentTrail, (trail) => trail === undefined ? Effect.void : Ref.update(trail, f))

/**
 * Notes that a ticket row was written for the request being served. {@link record} notes
 * its own; a row written for the request by another fiber (the order writer's batch,
 * {@link recordAll}) is noted by the request once that row has committed, so
 * {@link layerRequests} writes no second one.
 *
 * @category recording
 * @since 0.1.0
 */
export const noteTicket: Effect.Effect<void> = updateTrail((trail) => ({ ...trail, tickets: trail.tickets + 1 }))

/**
 * Notes who the request being served acts for (the `Authentication` middleware calls it).
 *
 * @category recording
 * @since 0.1.0
 */
export const noteActor = (user_id: Ids.UserId): Effect.Effect<void> => updateTrail((trail) => ({ ...trail, user_id }))

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
    yield* noteTicket
    yield* sql`
      INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_table, subject_id, status,
        request_payload, before_state, after_state, ip_address, user_agent)
      VALUES (${yield* ticketReference}, ${entry.user_id}, ${entry.action}, ${entry.subject_table},
        ${entry.subject_id ?? null}, 'SUCCESS', ${json(entry.details)}::jsonb, ${json(entry.before)}::jsonb,
        ${json(entry.after)}::jsonb, ${from.ip_address}, ${from.user_agent})`
  }
})

/**
 * Records the trail of many commands at once, each with its caller's origin, in one
 * statement: the rows of `activity_logs` and `ticket_logs` {@link record} writes one entry
 * at a time (a batch of the order writer's).
 *
 * @category recording
 * @since 0.1.0
 */
export const recordAll = Effect.fn("Audit.recordAll")(
  function*(entries: ReadonlyArray<{ readonly entry: Entry; readonly origin: Origin }>) {
    const sql = yield* SqlClient.SqlClient
    const json = (value: Json | undefined) => value === undefined ? null : JSON.stringify(value)
    const activity = entries.filter(({ entry }) => entry.user_id !== null)
    const tickets = entries.filter(({ entry }) => entry.subject_table !== undefined)
    const references = yield* Effect.forEach(tickets, () => ticketReference)
    const activityInsert = sql`
      INSERT INTO activity_logs (user_id, action, details, ip_address, user_agent)
      VALUES ${
      sql.csv(activity.map(({ entry, origin }) =>
        sql`(${entry.user_id}, ${entry.action}, ${
          json(entry.details)
        }::jsonb, ${origin.ip_address}, ${origin.user_agent})`
      ))
    }`
    const ticketInsert = sql`
      INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_table, subject_id, status,
        request_payload, before_state, after_state, ip_address, user_agent)
      VALUES ${
      sql.csv(tickets.map(({ entry, origin }, index) =>
        sql`(${references[index] ?? ""}, ${entry.user_id}, ${entry.action}, ${entry.subject_table ?? null},
          ${entry.subject_id ?? null}, 'SUCCESS', ${json(entry.details)}::jsonb, ${json(entry.before)}::jsonb,
          ${json(entry.after)}::jsonb, ${origin.ip_address}, ${origin.user_agent})`
      ))
    }`
    if (activity.length > 0 && tickets.length > 0) {
      yield* sql`WITH activity AS (${activityInsert}) ${ticketInsert}`
    } else if (activity.length > 0) {
      yield* activityInsert
    } else if (tickets.length > 0) {
      yield* ticketInsert
    }
  }
)

/**
 * A refused attempt, as recorded: who tried what on which subject, with which input, and
 * the refusal.
 *
 * @category models
 * @since 0.1.0
 */
export interface Refusal {
  /** Who tried; null for the system. */
  readonly user_id: Ids.UserId | null
  /** What was tried, as `<subject>.<verb>`, e.g. `withdrawals.request`. */
  readonly action: string
  /** The table of the row it was tried on (or of the entity, for a row not yet made). */
  readonly subject_table: string
  /** The id of that row, when there is one. */
  readonly subject_id?: string | undefined
  /** The input of the attempt. */
  readonly input?: Json | undefined
  /** The subject as it was (and still is). */
  readonly before?: Json | undefined
  /** Why it was refused: the domain error. */
  readonly error: unknown
}

/**
 * The refusals of a request waiting for its outer transaction to end ({@link keepingRefusals}).
 *
 * @category recording
 * @since 0.1.0
 */
export class PendingRefusals extends Context.Service<PendingRefusals, Ref.Ref<ReadonlyArray<Refusal>>>()(
  "@niha/server/Audit/PendingRefusals"
) {}

/** The refusal as the ticket's response: the error's tag and message. */
const refusalJson = (error: unknown): Json => ({
  error: Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" ? error._tag : "Error",
  message: error instanceof Error ? error.message : String(error)
})

const writeRefusal = (refusal: Refusal) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const from = yield* origin
    const json = (value: Json | undefined) => value === undefined ? null : JSON.stringify(value)
    yield* noteTicket
    yield* Transaction.run(sql`
      INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_table, subject_id, status,
        request_payload, response_data, before_state, ip_address, user_agent)
      VALUES (${yield* ticketReference}, ${refusal.user_id}, ${refusal.action}, ${refusal.subject_table},
        ${refusal.subject_id ?? null}, 'FAILED', ${json(refusal.input)}::jsonb,
        ${JSON.stringify(refusalJson(refusal.error))}::jsonb, ${json(refusal.before)}::jsonb, ${from.ip_address},
        ${from.user_agent})`)
  }).pipe(
    // The refusal itself is what the caller gets; a trail that could not be written is
    // logged as an error, never in its place.
    Effect.catchCause((cause) =>
      Effect.logError("a refused attempt could not be recorded in ticket_logs", cause).pipe(
        Effect.annotateLogs({ action: refusal.action, subject_id: refusal.subject_id ?? null })
      )
    )
  )

/**
 * Records a refused attempt as a `ticket_logs` row with status FAILED, in its own small
 * transaction: at once when no transaction is open, or, inside {@link keepingRefusals},
 * once the outer transaction has ended. Inside another caller's transaction (no
 * {@link keepingRefusals} around it) the row is written there, and lasts if that
 * transaction commits. Run it after the refused transaction, never inside it.
 *
 * @category recording
 * @since 0.1.0
 */
export const recordRefusal = Effect.fn("Audit.recordRefusal")(function*(refusal: Refusal) {
  const sql = yield* SqlClient.SqlClient
  const open = yield* Effect.serviceOption(sql.transactionService)
  const pending = yield* Effect.serviceOption(PendingRefusals)
  if (Option.isSome(open) && Option.isSome(pending)) {
    return yield* Ref.update(pending.value, (refusals) => [...refusals, refusal])
  }
  yield* writeRefusal(refusal)
})

/**
 * Runs `effect` (a request with its own outer transaction) and then writes the refusals
 * its services recorded inside that transaction, each in its own transaction, whether
 * the request succeeded or not; answers what `effect` answered.
 *
 * @category recording
 * @since 0.1.0
 */
export const keepingRefusals = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, PendingRefusals> | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const pending = yield* Ref.make<ReadonlyArray<Refusal>>([])
    const exit = yield* Effect.exit(Effect.provideService(effect, PendingRefusals, pending))
    for (const refusal of yield* Ref.get(pending)) yield* writeRefusal(refusal)
    return yield* exit
  })

/**
 * Records `effect`'s refusals ({@link recordRefusal}): when it fails with an error that
 * `isRefusal` accepts (a domain refusal, not a database failure), the refusal is recorded
 * as `refusal` describes it, and the error passes through unchanged.
 *
 * @category recording
 * @since 0.1.0
 */
export const refusalsOf =
  (isRefusal: (error: unknown) => boolean, refusal: Omit<Refusal, "error">) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | SqlClient.SqlClient> =>
    Effect.tapError(effect, (error) => isRefusal(error) ? recordRefusal({ ...refusal, error }) : Effect.void)

const stateChanging: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"])

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu

/** The route a request matched (`POST /admin/deposits/:id/confirm`) and the first id in its path. */
const routeOf = (method: string, path: string) => {
  const route = Routes.matching(path).find((candidate) => candidate.method === method)
  const subject = path.split("/").find((segment) => uuidPattern.test(segment))
  return { route: route === undefined ? undefined : `${method} ${route.path}`, subject_id: subject ?? null }
}

const writeRequestTicket = (
  request: {
    readonly method: string
    readonly path: string
    readonly route: string
    readonly subject_id: string | null
  },
  trail: Trail,
  status: number | null
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const from = yield* origin
    const requestId = yield* RequestContext.CurrentRequestId
    const outcome = status !== null && status < 400 ? "SUCCESS" : "FAILED"
    const payload = { method: request.method, path: request.path, request_id: requestId }
    yield* Transaction.run(sql`
      INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_id, status, request_payload, response_data,
        ip_address, user_agent)
      VALUES (${yield* ticketReference}, ${trail.user_id}, ${request.route}, ${request.subject_id}, ${outcome},
        ${JSON.stringify(payload)}::jsonb, ${JSON.stringify({ status })}::jsonb, ${from.ip_address},
        ${from.user_agent})`)
  }).pipe(
    Effect.catchCause((cause) =>
      Effect.logError("a request could not be recorded in ticket_logs", cause).pipe(
        Effect.annotateLogs({ action: request.route })
      )
    )
  )

/**
 * The global middleware that leaves a ticket for every state-changing request of the API
 * whose services wrote none (see the module's description). Requests to no route of the
 * API (answered 404 or 405) change nothing and leave none.
 *
 * @category recording
 * @since 0.1.0
 */
export const layerRequests: Layer.Layer<never, never, HttpRouter.HttpRouter | SqlClient.SqlClient> = HttpRouter
  .middleware(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      return <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          if (!stateChanging.has(request.method)) return app
          const path = request.url.split("?")[0] ?? request.url
          const { route, subject_id } = routeOf(request.method, path)
          if (route === undefined) return app
          return Effect.gen(function*() {
            const trail = yield* Ref.make<Trail>({ user_id: null, tickets: 0 })
            const exit = yield* Effect.exit(Effect.provideService(app, CurrentTrail, trail))
            const seen = yield* Ref.get(trail)
            if (seen.tickets === 0) {
              const status = Exit.isSuccess(exit) ? exit.value.status : null
              yield* writeRequestTicket({ method: request.method, path, route, subject_id }, seen, status).pipe(
                Effect.provideService(SqlClient.SqlClient, sql)
              )
            }
            return yield* exit
          })
        })
    }),
    { global: true }
  )
