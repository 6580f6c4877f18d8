/**
 * The group `ledger` of the API: an admin's adjustment of an entity's balance, the one way
 * the back office moves money by hand (a correction, allowances delivered to a client's
 * account outside the platform). The amount moves between the entity's available balance
 * and `WORLD`, through the ledger, with the admin's reason kept on the journal line and
 * in the audit trail. A negative adjustment never takes a balance below zero.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Text } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import { Holding } from "./FundingApi.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"

/**
 * An adjustment as an admin asks for it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const Adjustment = Schema.Struct({
  /** The asset. */
  asset_type: Enums.AssetType,
  /**
   * The signed amount in the asset's scale: EUR with at most two decimals, allowances in
   * whole tonnes ("-12.50", "100").
   */
  amount: Schema.String.check(Schema.isPattern(/^-?\d{1,14}(?:\.\d{1,2})?$/u)),
  /** Why, kept on the journal line and in the audit trail. */
  reason: Text.Line(1000)
}).annotate({ identifier: "Adjustment" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type Adjustment = typeof Adjustment.Type

/**
 * The group `ledger`.
 *
 * @category groups
 * @since 0.1.0
 */
export class LedgerApi extends HttpApiGroup.make("ledger")
  .add(
    HttpApiEndpoint.post("adjust", "/admin/entities/:id/adjustments", {
      params: { id: Ids.EntityId },
      headers: IdempotencyKey.headers,
      payload: Adjustment,
      success: Holding,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Adjust an entity's available balance by hand, with a reason")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Ledger", description: "Adjustments by the back office." }))
{}
