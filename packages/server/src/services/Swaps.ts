/**
 * Swap requests: a client at the SWAP stage (or later) asks to swap CEA into a quantity of
 * EUA at a limit rate (CEA per EUA). The request is carried by a GTC LIMIT BUY order in the
 * SWAP book placed through `Orders` (so locks, fees, ledger posts and the settlement batches
 * of type SWAP_CEA_TO_EUA are trading's own), with the client reference `swap:<id>` that
 * ties the order to its request.
 *
 * Statuses move through `StateMachine.swapStatus`: OPEN (placed, not yet filled) -> MATCHED
 * (its order filled, whenever that happens: at placement or later against a new offer) ->
 * COMPLETED (every batch of its order SETTLED; `Settlements` completes it in the
 * transaction that settles the last one), or OPEN -> CANCELLED (its resting order is
 * cancelled and what the lock still holds returned; a part already filled still settles).
 * A MATCHED swap is not cancelled here: its trades settle, and a failed delivery is
 * resolved by an admin (`Settlements.resolve`). A refused move is a 409 that changes
 * nothing.
 *
 * A swap's fills are the SWAP market's rows of `cash_market_trades` (which both markets
 * share), and each also writes a `trades` row of type SWAP in the same statement (`Orders`),
 * with its rate in `trades.rate` (migration 13: the seed's EUR `price_per_tonne` cannot hold
 * a rate of CEA per EUA at four decimals).
 *
 * @since 0.1.0
 */
import { type Repository, Transaction } from "@niha/db"
import { type Enums, Errors, type Ids, type Parties, Price, StateMachine, Trading } from "@niha/domain"
import type { SwapsApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present, visible } from "../internal/rules.ts"
import type { Page, PageQuery } from "../Paging.ts"
import { Orders } from "./Orders.ts"

const staffAction = "view_audit_log"

const swaps = {
  find: rows.byId("swap_requests", Trading.SwapRequest, { lock: false }),
  lock: rows.byId("swap_requests", Trading.SwapRequest, { lock: true }),
  page: rows.page("swap_requests", Trading.SwapRequest)
}
const orders = rows.all("orders", Trading.Order)
const swapJson = Schema.encodeSync(Trading.SwapRequest.json)
const decodeRate = Schema.decodeUnknownResult(Price.SwapPriceFromString)

/**
 * The client reference of the order that carries a swap request.
 *
 * @category references
 * @since 0.1.0
 */
export const orderReference = (id: string): string => `swap:${id}`

/** The order of a swap request. */
const orderOf = (swap: Trading.SwapRequest) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.flatMap(
      orders(sql`
        SELECT * FROM orders WHERE entity_id = ${swap.entity_id} AND client_reference = ${orderReference(swap.id)}`),
      ([order]) =>
        order === undefined ?
          Effect.die(new Error(`invariant broken: swap request ${swap.id} has no order`)) :
          Effect.succeed(order)
    ))

/**
 * Brings a swap request's status up to its order's: MATCHED once the order is FILLED (its
 * batches tagged with the request), COMPLETED once every batch of the order is SETTLED.
 * Runs in the caller's transaction when there is one; answers the request as it now is.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const sync = Effect.fn("Swaps.sync")(function*(id: Ids.SwapRequestId) {
  const sql = yield* SqlClient.SqlClient
  return yield* Transaction.run(Effect.gen(function*() {
    const swap = yield* present(swaps.lock(id))
    if (swap.status === "CANCELLED" || swap.status === "COMPLETED") return swap
    const order = yield* orderOf(swap)
    yield* sql`
      UPDATE settlement_batches SET swap_request_id = ${id}
      WHERE order_id = ${order.id} AND swap_request_id IS NULL`
    let status: Enums.SwapStatus = swap.status
    if (status === "OPEN" && order.status === "FILLED") {
      status = yield* Effect.orDie(move(StateMachine.swapStatus, status, "MATCHED"))
      yield* sql`UPDATE swap_requests SET status = 'MATCHED', matched_at = now(), updated_at = now() WHERE id = ${id}`
    }
    if (status === "MATCHED") {
      const [open] = yield* sql<{ left: number }>`
        SELECT count(*)::int AS left FROM settlement_batches WHERE order_id = ${order.id} AND status <> 'SETTLED'`
      if (open?.left === 0) {
        yield* Effect.orDie(move(StateMachine.swapStatus, status, "COMPLETED"))
        yield* sql`
          UPDATE swap_requests SET status = 'COMPLETED', completed_at = now(), updated_at = now() WHERE id = ${id}`
      }
    }
    const after = yield* present(swaps.find(id))
    if (after.status !== swap.status) {
      yield* Audit.record({
        user_id: null,
        action: `swaps.${after.status.toLowerCase()}`,
        subject_table: "swap_requests",
        subject_id: id,
        before: swapJson(swap),
        after: swapJson(after)
      })
    }
    return after
  }))
})

/**
 * The swap request an order carries, if it carries one.
 *
 * @category references
 * @since 0.1.0
 */
export const swapOfOrder = (order: Trading.Order): Ids.SwapRequestId | undefined =>
  order.client_reference?.startsWith("swap:") === true ?
    order.client_reference.slice("swap:".length) as Ids.SwapRequestId :
    undefined

/**
 * Builds the service on the database, the repositories and `Orders` in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const service = yield* Orders
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const provided = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories>) =>
    Effect.provideContext(effect, context)

  const answer = (swap: Trading.SwapRequest) =>
    Effect.map(orderOf(swap), (order): SwapsApi.Swap => ({ swap, order_id: order.id }))

  const request = Effect.fn("Swaps.request")(function*(actor: Parties.User, input: SwapsApi.RequestSwap) {
    yield* authorize(actor, "request_swap")
    const entityId = actor.entity_id
    if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
    const rate = Result.getOrUndefined(decodeRate(input.rate))
    if (rate === undefined) {
      return yield* new Errors.ValidationFailed({
        issues: [{ path: "rate", message: "a rate of CEA per EUA, positive, four decimals at most" }]
      })
    }
    const quantity = Number(input.eua_quantity)
    const cea = yield* Result.match(Price.swapNotional(quantity as Trading.Order["quantity"], rate, "UP"), {
      onFailure: () =>
        Effect.fail(new Errors.ValidationFailed({ issues: [{ path: "eua_quantity", message: "too large" }] })),
      onSuccess: Effect.succeed
    })
    const id = NodeCrypto.randomUUID() as Ids.SwapRequestId
    // The order first: a swap the account cannot pay for is refused and writes nothing.
    yield* service.place(actor, {
      market: "SWAP",
      side: "BUY",
      type: "LIMIT",
      quantity: input.eua_quantity,
      price: Price.formatSwap(rate),
      time_in_force: "GTC",
      client_reference: orderReference(id)
    })
    const code = `SW-${NodeCrypto.randomBytes(4).toString("hex").toUpperCase()}`
    return yield* provided(Transaction.run(Effect.gen(function*() {
      yield* sql`
        INSERT INTO swap_requests (id, entity_id, cea_quantity, eua_quantity, rate, status, anonymous_code)
        VALUES (${id}, ${entityId}, ${cea}, ${quantity}, ${Price.formatSwap(rate)}, 'OPEN', ${code})`
      const created = yield* present(swaps.find(id))
      yield* Audit.record({
        user_id: actor.id,
        action: "swaps.request",
        subject_table: "swap_requests",
        subject_id: id,
        after: swapJson(created)
      })
      return yield* answer(yield* sync(id))
    })))
  })

  const get = Effect.fn("Swaps.get")(function*(actor: Parties.User, id: Ids.SwapRequestId) {
    return yield* provided(Effect.gen(function*() {
      const swap = yield* swaps.find(id)
      yield* visible(actor, swap.entity_id, staffAction, "swap_requests", id)
      return yield* answer(yield* sync(id))
    }))
  })

  const list = Effect.fn("Swaps.list")(function*(actor: Parties.User, query: PageQuery) {
    if (actor.entity_id === null) yield* authorize(actor, staffAction)
    const filter = actor.entity_id === null ? sql`` : sql`AND entity_id = ${actor.entity_id}`
    return yield* provided(Effect.gen(function*() {
      const page = yield* swaps.page(filter, query)
      const data: Array<SwapsApi.Swap> = []
      for (const swap of page.data) data.push(yield* answer(yield* sync(swap.id)))
      const synced: Page<SwapsApi.Swap> = { data, has_more: page.has_more }
      return synced
    }))
  })

  const cancel = Effect.fn("Swaps.cancel")(function*(actor: Parties.User, id: Ids.SwapRequestId) {
    // As for an order: a role that may cancel nothing is refused (403) before any id is looked up.
    yield* authorize(actor, "cancel_own_order")
    const before = yield* provided(Effect.gen(function*() {
      const swap = yield* swaps.find(id)
      yield* visible(actor, swap.entity_id, staffAction, "swap_requests", id)
      return yield* sync(id)
    }))
    yield* move(StateMachine.swapStatus, before.status, "CANCELLED")
    if (before.status !== "OPEN") {
      return yield* new Errors.Conflict({
        resource: "swap_requests",
        reason: "a MATCHED swap settles; a failed delivery is resolved by an admin"
      })
    }
    const order = yield* provided(orderOf(before))
    if (order.status === "OPEN" || order.status === "PARTIALLY_FILLED") yield* service.cancel(actor, order.id)
    return yield* provided(Transaction.run(Effect.gen(function*() {
      const locked = yield* swaps.lock(id)
      yield* move(StateMachine.swapStatus, locked.status, "CANCELLED")
      const now = DateTime.toDate(yield* DateTime.now)
      yield* sql`
        UPDATE swap_requests SET status = 'CANCELLED', cancelled_at = ${now}, updated_at = ${now} WHERE id = ${id}`
      const after = yield* present(swaps.find(id))
      yield* Audit.record({
        user_id: actor.id,
        action: "swaps.cancel",
        subject_table: "swap_requests",
        subject_id: id,
        before: swapJson(locked),
        after: swapJson(after)
      })
      return yield* answer(after)
    })))
  })

  return {
    /** A client asks to swap CEA into EUA at a limit rate; its order is placed at once. */
    request,
    /** One swap request the actor may see, its status brought up to its order's. */
    get,
    /** Swap requests: the actor's entity's, or every entity's for staff. */
    list,
    /** Cancels an OPEN swap request and its resting order. */
    cancel
  }
})

/**
 * The swaps service.
 *
 * @category services
 * @since 0.1.0
 */
export class Swaps extends Context.Service<Swaps, Effect.Success<typeof make>>()("@niha/server/Swaps") {
  /**
   * The service on the database, the repositories and `Orders` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Swaps, never, SqlClient.SqlClient | Repository.Repositories | Orders> = Layer
    .effect(Swaps, make)
}
