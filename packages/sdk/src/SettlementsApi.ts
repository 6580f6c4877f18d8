/**
 * Settlement, as the group `settlements` of the API: the T+N registry deliveries that
 * trading creates (one batch per purchase fill) and their lifecycle.
 *
 * - Clients list their entity's batches and read one with its full status history and its
 *   milestones: the due date of each (from `@niha/settlement`'s schedule on the
 *   settlement type's calendars) and when it was actually reached. Another entity's batch
 *   reads as a 404.
 * - Admins list every batch (filtered by entity and status) and move a batch along
 *   PENDING -> TRANSFER_INITIATED -> IN_TRANSIT -> AT_CUSTODY -> SETTLED, or to FAILED
 *   from any state before SETTLED, with the registry's transfer reference and a note. A
 *   move the domain's machine refuses is a 409 that changes nothing. SETTLED delivers the
 *   allowances from pending settlement to the buyer's available balance.
 * - A FAILED batch is resolved once by an admin's choice: `REVERSAL` (the trade undone
 *   through the ledger, both sides made whole, fees returned) or `BUY_IN` (the buyer
 *   receives replacement allowances, the price difference charged to the failed seller).
 *   The resolution is stored and returned with the batch, to both parties.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Settlement, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A settlement batch as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Batch = Settlement.SettlementBatch.json.annotate({ identifier: "SettlementBatch" })

/**
 * @category models
 * @since 0.1.0
 */
export type Batch = typeof Batch.Type

/**
 * One status change of a batch, as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const HistoryEntry = Settlement.SettlementStatusHistory.json.annotate({ identifier: "SettlementHistoryEntry" })

/**
 * A milestone of a batch: when it is due and when it was reached.
 *
 * @category models
 * @since 0.1.0
 */
export const Milestone = Schema.Struct({
  /** The milestone status. */
  status: Enums.SettlementStatus,
  /** The business day by which it is due (YYYY-MM-DD), on the settlement type's calendars. */
  due_date: Schema.String,
  /** When the batch reached it (ISO 8601), or null. */
  reached_at: Schema.NullOr(Schema.String),
  /** Whether the job flagged it overdue (its due date passed before it was reached). */
  overdue: Schema.Boolean
}).annotate({ identifier: "SettlementMilestone" })

/**
 * @category models
 * @since 0.1.0
 */
export type Milestone = typeof Milestone.Type

/**
 * How a FAILED batch is resolved.
 *
 * @category models
 * @since 0.1.0
 */
export const ResolutionKind = Schema.Literals(["REVERSAL", "BUY_IN"])

/**
 * @category models
 * @since 0.1.0
 */
export type ResolutionKind = typeof ResolutionKind.Type

/**
 * The resolution of a FAILED batch, as both parties see it.
 *
 * @category models
 * @since 0.1.0
 */
export const Resolution = Schema.Struct({
  /** REVERSAL or BUY_IN. */
  resolution: ResolutionKind,
  /** Why, in the admin's words. */
  note: Schema.String,
  /** BUY_IN: the price paid for the replacement allowances, per tonne. */
  buy_in_price: Schema.NullOr(Schema.String),
  /** BUY_IN: what the failed seller was charged (replacement cost over the trade's notional). */
  charged_to_seller: Schema.NullOr(Schema.String),
  /** When it was resolved (ISO 8601). */
  resolved_at: Schema.String
}).annotate({ identifier: "SettlementResolution" })

/**
 * @category models
 * @since 0.1.0
 */
export type Resolution = typeof Resolution.Type

/**
 * A batch with its history (oldest first), its milestones, and its resolution once FAILED
 * and resolved.
 *
 * @category models
 * @since 0.1.0
 */
export const BatchDetail = Schema.Struct({
  /** The batch. */
  batch: Batch,
  /** Every status change, oldest first. */
  history: Schema.Array(HistoryEntry),
  /** The milestones with their due dates and when they were reached. */
  milestones: Schema.Array(Milestone),
  /** How a FAILED batch was resolved; null otherwise. */
  resolution: Schema.NullOr(Resolution),
  /** Whether the batch waits for calendar data to be scheduled (its due dates are provisional). */
  reschedule_pending: Schema.Boolean
}).annotate({ identifier: "SettlementBatchDetail" })

/**
 * @category models
 * @since 0.1.0
 */
export type BatchDetail = typeof BatchDetail.Type

/**
 * An admin's move of a batch to its next milestone.
 *
 * @category inputs
 * @since 0.1.0
 */
export const Advance = Schema.Struct({
  /** TRANSFER_INITIATED, IN_TRANSIT, AT_CUSTODY or SETTLED. */
  to: Enums.SettlementStatus.pick(["TRANSFER_INITIATED", "IN_TRANSIT", "AT_CUSTODY", "SETTLED"]),
  /** The registry's transfer reference (required when none is stored yet and moving to TRANSFER_INITIATED). */
  registry_reference: Schema.optionalKey(Text.Line(140)),
  /** A note for the history. */
  note: Schema.optionalKey(Text.Line(1000))
}).annotate({ identifier: "SettlementAdvance" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type Advance = typeof Advance.Type

/**
 * An admin's resolution of a FAILED batch.
 *
 * @category inputs
 * @since 0.1.0
 */
export const Resolve = Schema.Struct({
  /** REVERSAL or BUY_IN. */
  resolution: ResolutionKind,
  /** Why, shown to both parties. */
  note: Text.Line(1000),
  /** BUY_IN: the price paid per tonne for the replacement allowances, in the batch's price scale. */
  buy_in_price: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^\d{1,14}(?:\.\d{1,4})?$/u)))
}).annotate({ identifier: "SettlementResolve" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type Resolve = typeof Resolve.Type

/**
 * The group `settlements`.
 *
 * @category groups
 * @since 0.1.0
 */
export class SettlementsApi extends HttpApiGroup.make("settlements")
  .add(
    HttpApiEndpoint.get("listSettlements", "/settlements", {
      query: {
        ...Pagination.query(Ids.SettlementBatchId),
        /** For an admin: the batches of one entity. */
        entity_id: Schema.optionalKey(Ids.EntityId),
        /** Only batches in this status. */
        status: Schema.optionalKey(Enums.SettlementStatus)
      },
      success: Pagination.Page(Batch),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Settlement batches: the caller's entity's, or any entity's for an admin"),
    HttpApiEndpoint.get("getSettlement", "/settlements/:id", {
      params: { id: Ids.SettlementBatchId },
      success: BatchDetail,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One settlement batch with its history, milestones and resolution"),
    HttpApiEndpoint.post("advanceSettlement", "/admin/settlements/:id/advance", {
      params: { id: Ids.SettlementBatchId },
      headers: IdempotencyKey.headers,
      payload: Advance,
      success: BatchDetail,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Move a batch to its next milestone; SETTLED delivers the allowances"),
    HttpApiEndpoint.post("failSettlement", "/admin/settlements/:id/fail", {
      params: { id: Ids.SettlementBatchId },
      headers: IdempotencyKey.headers,
      payload: Schema.Struct({
        /** Why the delivery failed. */
        reason: Text.Line(1000)
      }),
      success: BatchDetail,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Mark a batch FAILED (non-delivery), with the reason"),
    HttpApiEndpoint.post("resolveSettlement", "/admin/settlements/:id/resolve", {
      params: { id: Ids.SettlementBatchId },
      headers: IdempotencyKey.headers,
      payload: Resolve,
      success: BatchDetail,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Resolve a FAILED batch by reversal or buy-in")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Settlements", description: "T+N registry deliveries." }))
{}
