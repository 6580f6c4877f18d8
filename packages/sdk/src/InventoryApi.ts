/**
 * Inventory, as the group `inventory` of the API (admins only): the external CEA sellers
 * (with their registry account) and the certificate lots that sellers, entities and the
 * platform hold. A lot moves AVAILABLE -> RESERVED when an admin allocates it to the
 * settlement batch it delivers, -> SOLD when that batch settles, or back to AVAILABLE when
 * the batch fails; a lot is never in two settlements. A move the domain's machine refuses
 * (reserving a SOLD or RESERVED lot) is a 409 that changes nothing.
 *
 * An admin also places a seller's sell orders (a GTC LIMIT SELL in CEA_CASH): the order
 * reserves the seller's AVAILABLE lots, oldest first, until they cover its quantity; each
 * fill allocates the lots it takes (a lot larger than the fill is split) to the buyer's
 * settlement batch, and a cancel or the order's end releases the rest to AVAILABLE. Lots
 * that do not cover the order are a 409 that changes nothing.
 *
 * @since 0.1.0
 */
import { Enums, Ids, Parties, Text, Trading } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import { Order, OrderWithFills } from "./OrdersApi.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A seller as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Seller = Trading.Seller.json.annotate({ identifier: "Seller" })

/**
 * A lot as the API shows it: the certificate row, its seller, and the batch it is allocated to.
 *
 * @category models
 * @since 0.1.0
 */
export const Lot = Schema.Struct({
  /** The lot. */
  certificate: Trading.Certificate.json,
  /** The seller holding it, if a seller does. */
  seller_id: Schema.NullOr(Ids.SellerId),
  /** The settlement batch it is allocated to (RESERVED or SOLD), if any. */
  settlement_batch_id: Schema.NullOr(Ids.SettlementBatchId)
}).annotate({ identifier: "Lot" })

/**
 * @category models
 * @since 0.1.0
 */
export type Lot = typeof Lot.Type

/**
 * A seller as an admin registers it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const RegisterSeller = Schema.Struct({
  /** Display name. */
  name: Text.Line(200),
  /** The anonymous code buyers see, unique. */
  code: Schema.String.check(Schema.isPattern(/^[A-Z0-9-]{2,32}$/u)),
  /** Where the seller is established. */
  jurisdiction: Enums.Jurisdiction,
  /** Contact email address. */
  contact_email: Schema.optionalKey(Parties.EmailInput),
  /** Its account in the Chinese registry, where CEA are transferred from. */
  registry_account: Text.Line(100)
}).annotate({ identifier: "RegisterSeller" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type RegisterSeller = typeof RegisterSeller.Type

/**
 * A lot as an admin registers it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const RegisterLot = Schema.Struct({
  /** CEA or EUA. */
  certificate_type: Enums.CertificateType,
  /** Whole tonnes. */
  quantity: Schema.String.check(Schema.isPattern(/^[1-9]\d{0,14}$/u)),
  /** The registry serial number (or first serial of the range), unique. */
  serial_number: Text.Line(100),
  /** The compliance year the allowances were issued for. */
  vintage_year: Schema.Int.check(Schema.isBetween({ minimum: 2005, maximum: 2100 })),
  /** The seller holding it. */
  seller_id: Schema.optionalKey(Ids.SellerId),
  /** The entity holding it. */
  entity_id: Schema.optionalKey(Ids.EntityId)
}).annotate({ identifier: "RegisterLot" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type RegisterLot = typeof RegisterLot.Type

/**
 * A seller's sell order as an admin places it: a GTC LIMIT SELL in CEA_CASH.
 *
 * @category inputs
 * @since 0.1.0
 */
export const SellerOrder = Schema.Struct({
  /** Whole tonnes, covered by the seller's AVAILABLE CEA lots. */
  quantity: Schema.String.check(Schema.isPattern(/^[1-9]\d{0,14}$/u)),
  /** The limit price in EUR per tonne, e.g. "12.50". */
  price: Schema.String.check(Schema.isPattern(/^\d{1,14}(?:\.\d{1,2})?$/u)),
  /** The admin's reference, unique per seller: placing it again answers the first order. */
  client_reference: Schema.optionalKey(Text.Line(64))
}).annotate({ identifier: "SellerOrder" })

/**
 * @category inputs
 * @since 0.1.0
 */
export type SellerOrder = typeof SellerOrder.Type

/**
 * The group `inventory`.
 *
 * @category groups
 * @since 0.1.0
 */
export class InventoryApi extends HttpApiGroup.make("inventory")
  .add(
    HttpApiEndpoint.post("registerSeller", "/admin/sellers", {
      payload: RegisterSeller,
      success: Seller.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Register an external CEA seller"),
    HttpApiEndpoint.get("listSellers", "/admin/sellers", {
      query: Pagination.query(Ids.SellerId),
      success: Pagination.Page(Seller),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "The registered sellers"),
    HttpApiEndpoint.post("registerLot", "/admin/certificates", {
      payload: RegisterLot,
      success: Lot.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Register a certificate lot, AVAILABLE"),
    HttpApiEndpoint.get("listLots", "/admin/certificates", {
      query: {
        ...Pagination.query(Ids.CertificateId),
        /** Only lots in this status. */
        status: Schema.optionalKey(Enums.CertificateStatus)
      },
      success: Pagination.Page(Lot),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Certificate lots, optionally by status"),
    HttpApiEndpoint.post("allocateLot", "/admin/certificates/:id/allocate", {
      params: { id: Ids.CertificateId },
      payload: Schema.Struct({
        /** The open settlement batch the lot delivers. */
        settlement_batch_id: Ids.SettlementBatchId
      }),
      success: Lot,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reserve a lot for the settlement batch it delivers"),
    HttpApiEndpoint.post("placeSellerOrder", "/admin/sellers/:id/orders", {
      params: { id: Ids.SellerId },
      payload: SellerOrder,
      success: OrderWithFills.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Place a seller's sell order, reserving its lots"),
    HttpApiEndpoint.get("listSellerOrders", "/admin/sellers/:id/orders", {
      params: { id: Ids.SellerId },
      query: Pagination.query(Ids.OrderId),
      success: Pagination.Page(Order),
      error: [ApiError.Forbidden, ApiError.NotFound]
    }).annotate(OpenApi.Summary, "A seller's orders"),
    HttpApiEndpoint.post("cancelSellerOrder", "/admin/sellers/:id/orders/:orderId/cancel", {
      params: { id: Ids.SellerId, orderId: Ids.OrderId },
      success: OrderWithFills,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Cancel a seller's order; the lots no fill took go back AVAILABLE")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Inventory", description: "Sellers and certificate lots." }))
{}
