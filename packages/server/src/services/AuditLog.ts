/**
 * Reading the audit trail (admins with `view_audit_log`): pages of `ticket_logs` and
 * `activity_logs`, filtered, oldest first in `(created_at, id)` order. Writing it is
 * `Audit`'s; the database keeps both tables append-only and hash-chained.
 *
 * @since 0.1.0
 */
import { Audit, type Errors, type Ids, type Parties } from "@niha/domain"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import type { Fragment } from "effect/sql/Statement"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"

/**
 * A time range: rows written at or after `from` and before `to`.
 *
 * @category models
 * @since 0.1.0
 */
export interface TimeRange {
  /** Only rows written at or after this instant. */
  readonly from?: DateTime.Utc | undefined
  /** Only rows written before this instant. */
  readonly to?: DateTime.Utc | undefined
}

/**
 * The filters of a ticket page, all optional, combined with AND.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketFilter extends TimeRange {
  /** The subject's table. */
  readonly subject_table?: string | undefined
  /** The subject row. */
  readonly subject_id?: string | undefined
  /** The entity: the subject is the entity, or one of its users acted. */
  readonly entity_id?: Ids.EntityId | undefined
  /** Who acted. */
  readonly user_id?: Ids.UserId | undefined
  /** The market maker that acted. */
  readonly market_maker_id?: Ids.MarketMakerClientId | undefined
  /** The action. */
  readonly action?: string | undefined
  /** The outcome. */
  readonly status?: "SUCCESS" | "FAILED" | undefined
}

/**
 * The filters of an activity page.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActivityFilter extends TimeRange {
  /** Who acted. */
  readonly user_id?: Ids.UserId | undefined
  /** The action. */
  readonly action?: string | undefined
}

/**
 * Builds the service.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tickets = rows.page("ticket_logs", Audit.TicketLog)
  const activity = rows.page("activity_logs", Audit.ActivityLog)
  const iso = (instant: DateTime.Utc) => DateTime.formatIso(instant)

  const and = (parts: ReadonlyArray<Fragment | undefined>): Fragment =>
    parts.reduce<Fragment>((filter, part) => part === undefined ? filter : sql`${filter} AND ${part}`, sql``)

  const range = (filter: TimeRange) => [
    filter.from === undefined ? undefined : sql`created_at >= ${iso(filter.from)}::timestamptz`,
    filter.to === undefined ? undefined : sql`created_at < ${iso(filter.to)}::timestamptz`
  ]

  const listTickets = Effect.fn("AuditLog.listTickets")(function*(
    actor: Parties.User,
    query: PageQuery & TicketFilter
  ) {
    yield* authorize(actor, "view_audit_log")
    const filter = and([
      query.subject_table === undefined ? undefined : sql`subject_table = ${query.subject_table}`,
      query.subject_id === undefined ? undefined : sql`subject_id = ${query.subject_id}`,
      query.entity_id === undefined ? undefined : sql`(subject_id = ${query.entity_id}
        OR user_id IN (SELECT id FROM users WHERE entity_id = ${query.entity_id}))`,
      query.user_id === undefined ? undefined : sql`user_id = ${query.user_id}`,
      query.market_maker_id === undefined ? undefined : sql`market_maker_id = ${query.market_maker_id}`,
      query.action === undefined ? undefined : sql`action = ${query.action}`,
      query.status === undefined ? undefined : sql`status = ${query.status}`,
      ...range(query)
    ])
    return yield* tickets(filter, query).pipe(Effect.provideService(SqlClient.SqlClient, sql))
  })

  const listActivity = Effect.fn("AuditLog.listActivity")(function*(
    actor: Parties.User,
    query: PageQuery & ActivityFilter
  ) {
    yield* authorize(actor, "view_audit_log")
    const filter = and([
      query.user_id === undefined ? undefined : sql`user_id = ${query.user_id}`,
      query.action === undefined ? undefined : sql`action = ${query.action}`,
      ...range(query)
    ])
    return yield* activity(filter, query).pipe(Effect.provideService(SqlClient.SqlClient, sql))
  })

  return {
    /** A page of audit tickets matching the filters (admins). */
    listTickets,
    /** A page of activity lines matching the filters (admins). */
    listActivity
  }
})

/**
 * What reading the trail can fail with, besides database failures.
 *
 * @category errors
 * @since 0.1.0
 */
export type AuditLogError = Errors.NotPermitted

/**
 * The operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The audit log service.
 *
 * @category services
 * @since 0.1.0
 */
export class AuditLog extends Context.Service<AuditLog, Service>()("@niha/server/AuditLog") {
  /** The service as a Layer. */
  static readonly layer: Layer.Layer<AuditLog, never, SqlClient.SqlClient> = Layer.effect(AuditLog, make)
}
