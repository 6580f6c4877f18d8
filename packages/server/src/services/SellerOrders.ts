/**
 * Sell orders of external sellers, placed, listed and cancelled by an admin on the
 * seller's behalf (`place_seller_order`). A seller's order is a GTC LIMIT SELL in
 * CEA_CASH owned by the seller (`orders.seller_id`, no entity), placed through the same
 * writer group as every order (`Orders.placeForSeller`): matched, stored, its fills
 * posted and their settlement batches created exactly as an entity's.
 *
 * What differs is what guarantees the sale: the seller's allowances are in its own
 * registry account, outside the ledger, so the order reserves the seller's lots instead
 * of locking funds (`SellerLots`: oldest first, AVAILABLE -> RESERVED), each fill takes
 * lots into the buyer's batch, and a cancel or the order's end releases the rest. In the
 * ledger the seller's side of a fill is `WORLD` (`Ledger.SellerSide`): the allowances
 * arrive from outside into `SETTLEMENT_PENDING` and the proceeds (notional less the
 * seller's fee, the market's rate) leave to the seller's bank, so the ledger stays
 * conserved without an account per seller.
 *
 * @since 0.1.0
 */
import type { Repository } from "@niha/db"
import { type Errors, type Ids, type Parties, type StateMachine, Trading } from "@niha/domain"
import type { InventoryApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as SqlClient from "effect/sql/SqlClient"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"
import { Orders } from "./Orders.ts"

const action = "place_seller_order"

/**
 * How a seller's order command is refused besides placement's own errors
 * (`Orders.PlaceError`): the admin may not (`NotPermitted`), an unknown seller or order
 * (`NotFound`), or a cancel of an order that left the book (`InvalidTransition`, a 409).
 *
 * @category errors
 * @since 0.1.0
 */
export type SellerOrderError = Errors.NotPermitted | Errors.NotFound | StateMachine.InvalidTransition
const sellers = rows.byId("sellers", Trading.Seller, { lock: false })

/**
 * Builds the service on the database and the order service in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const orders = yield* Orders
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const seller = (id: Ids.SellerId) => sellers(id).pipe(Effect.provideContext(context))

  const place = Effect.fn("SellerOrders.place")(
    function*(admin: Parties.User, sellerId: Ids.SellerId, input: InventoryApi.SellerOrder) {
      yield* authorize(admin, action)
      yield* seller(sellerId)
      return yield* orders.placeForSeller(admin, sellerId, {
        market: "CEA_CASH",
        side: "SELL",
        type: "LIMIT",
        quantity: input.quantity,
        price: input.price,
        time_in_force: "GTC",
        ...(input.client_reference === undefined ? {} : { client_reference: input.client_reference })
      })
    }
  )

  const list = Effect.fn("SellerOrders.list")(function*(admin: Parties.User, sellerId: Ids.SellerId, query: PageQuery) {
    yield* authorize(admin, action)
    yield* seller(sellerId)
    return yield* orders.listForSeller(sellerId, query)
  })

  const cancel = Effect.fn("SellerOrders.cancel")(
    function*(admin: Parties.User, sellerId: Ids.SellerId, id: Ids.OrderId) {
      yield* authorize(admin, action)
      return yield* orders.cancel(admin, id, { seller: sellerId })
    }
  )

  return {
    /** An admin places a seller's GTC LIMIT SELL in CEA_CASH, reserving its lots. */
    place,
    /** A seller's orders, oldest first, paged. */
    list,
    /** An admin cancels a seller's order; the lots no fill took go back AVAILABLE. */
    cancel
  }
})

/**
 * The sellers' order service.
 *
 * @category services
 * @since 0.1.0
 */
export class SellerOrders extends Context.Service<SellerOrders, Effect.Success<typeof make>>()(
  "@niha/server/SellerOrders"
) {
  /**
   * The service on the database, the repositories and the order service in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<SellerOrders, never, SqlClient.SqlClient | Repository.Repositories | Orders> =
    Layer.effect(SellerOrders, make)
}
