/**
 * The audit trail, as the group `audit` of the API: admins read `ticket_logs` (every
 * state-changing request, with who, what, the subject before and after, and the outcome,
 * refused attempts included) and `activity_logs` (what each person did), filtered and
 * paged oldest first. Both tables are append-only and hash-chained in the database; the
 * rows carry their place in the chain and their hashes (`niha audit verify` checks them).
 *
 * @since 0.1.0
 */
import { Audit, Enums, Ids, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as Pagination from "./Pagination.ts"
import { Instant } from "./Query.ts"

/**
 * A `ticket_logs` row as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketLog = Audit.TicketLog.json.annotate({ identifier: "TicketLog" })

/**
 * @category models
 * @since 0.1.0
 */
export type TicketLog = typeof TicketLog.Type

/**
 * An `activity_logs` row as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const ActivityLog = Audit.ActivityLog.json.annotate({ identifier: "ActivityLog" })

/**
 * @category models
 * @since 0.1.0
 */
export type ActivityLog = typeof ActivityLog.Type

const timeRange = {
  /** Only rows written at or after this instant. */
  from: Schema.optionalKey(Instant),
  /** Only rows written before this instant. */
  to: Schema.optionalKey(Instant)
}

/**
 * The filters of `GET /admin/audit/tickets`, all optional and combined with AND.
 *
 * @category inputs
 * @since 0.1.0
 */
export const TicketQuery = {
  ...Pagination.query(Ids.TicketLogId),
  /** Only tickets of rows of this table (`deposits`, `orders`, ...). */
  subject_table: Schema.optionalKey(Text.Line(100)),
  /** Only tickets of this row. */
  subject_id: Schema.optionalKey(Ids.Uuid),
  /** Only tickets concerning this entity: the entity itself, or by one of its users. */
  entity_id: Schema.optionalKey(Ids.EntityId),
  /** Only what this user did. */
  user_id: Schema.optionalKey(Ids.UserId),
  /** Only what this market maker did. */
  market_maker_id: Schema.optionalKey(Ids.MarketMakerClientId),
  /** Only this action (`deposits.confirm`, `POST /account/logout`, ...). */
  action: Schema.optionalKey(Text.Line(200)),
  /** Only this outcome. */
  status: Schema.optionalKey(Enums.TicketStatus),
  ...timeRange
}

/**
 * The group `audit`.
 *
 * @category groups
 * @since 0.1.0
 */
export class AuditApi extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("listTickets", "/admin/audit/tickets", {
      query: TicketQuery,
      success: Pagination.Page(TicketLog),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Audit tickets by subject, entity, user, market maker, action, outcome and time"),
    HttpApiEndpoint.get("listActivity", "/admin/audit/activity", {
      query: {
        ...Pagination.query(Ids.ActivityLogId),
        /** Only what this user did. */
        user_id: Schema.optionalKey(Ids.UserId),
        /** Only this action. */
        action: Schema.optionalKey(Text.Line(200)),
        ...timeRange
      },
      success: Pagination.Page(ActivityLog),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "What people did, by user, action and time")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({
    title: "Audit",
    description: "The append-only, hash-chained audit trail: tickets of every state-changing request, and activity."
  }))
{}
