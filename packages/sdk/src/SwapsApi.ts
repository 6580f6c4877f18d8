/**
 * Swap requests, as the group `swaps` of the API: a client at the SWAP stage (or later) asks
 * to swap CEA into a quantity of EUA at a limit rate (CEA per EUA). The request is matched
 * against the EUA offers of the SWAP book through the same order path as trading (the CEA
 * locked, fees, ledger, a settlement batch of type SWAP_CEA_TO_EUA per fill), and moves
 * OPEN -> MATCHED (its order filled) -> COMPLETED (its batches settled), or CANCELLED (an
 * OPEN request, whose resting order is cancelled and its lock returned). A move the domain's
 * machine refuses is a 409 that changes nothing.
 *
 * @since 0.1.0
 */
import { Ids, Trading } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A swap request as the API shows it, with the order that carries it.
 *
 * @category models
 * @since 0.1.0
 */
export const Swap = Schema.Struct({
  /** The request. */
  swap: Trading.SwapRequest.json,
  /** The SWAP-market order that carries it. */
  order_id: Ids.OrderId
}).annotate({ identifier: "Swap" })

/**
 * @category models
 * @since 0.1.0
 */
export type Swap = typeof Swap.Type

/**
 * A swap as a client asks for it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const RequestSwap = Schema.Struct({
  /** The EUA wanted, whole tonnes. */
  eua_quantity: Schema.String.check(Schema.isPattern(/^[1-9]\d{0,14}$/u)),
  /** The most CEA paid per EUA, four decimals at most ("1.2500"). */
  rate: Schema.String.check(Schema.isPattern(/^\d{1,10}(?:\.\d{1,4})?$/u))
}).annotate({ identifier: "RequestSwap" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type RequestSwap = typeof RequestSwap.Type

/**
 * The group `swaps`.
 *
 * @category groups
 * @since 0.1.0
 */
export class SwapsApi extends HttpApiGroup.make("swaps")
  .add(
    HttpApiEndpoint.post("requestSwap", "/swaps", {
      payload: RequestSwap,
      success: Swap.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Ask to swap CEA into EUA at a limit rate; matched at once where it can be"),
    HttpApiEndpoint.get("listSwaps", "/swaps", {
      query: Pagination.query(Ids.SwapRequestId),
      success: Pagination.Page(Swap),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Swap requests: the caller's entity's, or every entity's for an admin"),
    HttpApiEndpoint.get("getSwap", "/swaps/:id", {
      params: { id: Ids.SwapRequestId },
      success: Swap,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One swap request"),
    HttpApiEndpoint.post("cancelSwap", "/swaps/:id/cancel", {
      params: { id: Ids.SwapRequestId },
      success: Swap,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Cancel an OPEN swap request; its resting order is cancelled")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Swaps", description: "CEA swapped into EUA." }))
{}
