/**
 * Inventory: the external CEA sellers admins register (with their registry account) and the
 * certificate lots (`certificates`) that sellers, entities and the platform hold.
 *
 * A lot moves through `StateMachine.certificateStatus`: AVAILABLE -> RESERVED when an admin
 * allocates it to the open settlement batch it delivers (`certificate_allocations`; the
 * lot's type must be the batch's asset, and a batch's lots never exceed its quantity) ->
 * SOLD in the transaction that settles the batch (`Settlements`), or back to AVAILABLE,
 * the allocation released, in the transaction that fails it. A lot has at most one open
 * allocation (a partial unique index), so it is never in two settlements. A move the
 * machine refuses (reserving a RESERVED or SOLD lot) is a 409 that changes nothing.
 *
 * A seller's sell order (placed by an admin, `SellerOrders`) reserves the seller's lots
 * itself and each fill allocates them to the buyer's batch (`SellerLots`); an admin
 * still allocates by hand the lots that deliver other batches (an entity's or a market
 * maker's sale). A lot a failed batch releases leaves its order too (`order_id` cleared).
 *
 * @since 0.1.0
 */
import { type Repository, Transaction } from "@niha/db"
import { Errors, type Ids, type Parties, Settlement, StateMachine, Trading } from "@niha/domain"
import type { InventoryApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present } from "../internal/rules.ts"
import type { Page, PageQuery } from "../Paging.ts"

const staffAction = "manage_settlement"

const sellers = {
  find: rows.byId("sellers", Trading.Seller, { lock: false }),
  page: rows.page("sellers", Trading.Seller)
}
const lots = {
  find: rows.byId("certificates", Trading.Certificate, { lock: false }),
  lock: rows.byId("certificates", Trading.Certificate, { lock: true }),
  page: rows.page("certificates", Trading.Certificate),
  all: rows.all("certificates", Trading.Certificate)
}
const batches = rows.byId("settlement_batches", Settlement.SettlementBatch, { lock: true })
const lotJson = Schema.encodeSync(Trading.Certificate.json)

/** A lot with its seller and its open or final allocation. */
const view = (certificate: Trading.Certificate) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [seller] = yield* sql<{ seller_id: Ids.SellerId }>`
      SELECT seller_id FROM seller_certificates WHERE certificate_id = ${certificate.id}`
    const [allocation] = yield* sql<{ settlement_batch_id: Ids.SettlementBatchId }>`
      SELECT settlement_batch_id FROM certificate_allocations
      WHERE certificate_id = ${certificate.id} AND released_at IS NULL`
    const lot: InventoryApi.Lot = {
      certificate,
      seller_id: seller?.seller_id ?? null,
      settlement_batch_id: allocation?.settlement_batch_id ?? null
    }
    return lot
  })

/** Moves the lots allocated to a batch (open allocations) to `to`, through the machine. */
const moveAllocated = (batchId: Ids.SettlementBatchId, to: "SOLD" | "AVAILABLE") =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const allocated = yield* lots.all(sql`
      SELECT c.* FROM certificates c
      JOIN certificate_allocations a ON a.certificate_id = c.id
      WHERE a.settlement_batch_id = ${batchId} AND a.released_at IS NULL
      ORDER BY c.id FOR UPDATE OF c`)
    const now = DateTime.toDate(yield* DateTime.now)
    for (const lot of allocated) {
      yield* Effect.orDie(move(StateMachine.certificateStatus, lot.status, to))
      yield* sql`
        UPDATE certificates SET status = ${to}, sold_at = ${to === "SOLD" ? now : null},
          reserved_at = ${to === "SOLD" ? lot.reserved_at === null ? null : DateTime.toDate(lot.reserved_at) : null},
          order_id = ${to === "SOLD" ? lot.order_id : null}, updated_at = ${now}
        WHERE id = ${lot.id}`
      yield* Audit.record({
        user_id: null,
        action: `certificates.${to.toLowerCase()}`,
        subject_table: "certificates",
        subject_id: lot.id,
        details: { settlement_batch_id: batchId }
      })
    }
    if (to === "AVAILABLE") {
      yield* sql`
        UPDATE certificate_allocations SET released_at = ${now}
        WHERE settlement_batch_id = ${batchId} AND released_at IS NULL`
    }
    return allocated.length
  })

/**
 * Marks the lots allocated to a batch SOLD (the batch settled), in the caller's transaction.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const sellAllocated = (batchId: Ids.SettlementBatchId) => moveAllocated(batchId, "SOLD")

/**
 * Puts the lots allocated to a batch back to AVAILABLE and releases their allocations (the
 * batch failed), in the caller's transaction.
 *
 * @category lifecycle
 * @since 0.1.0
 */
export const releaseAllocated = (batchId: Ids.SettlementBatchId) => moveAllocated(batchId, "AVAILABLE")

/**
 * Builds the service on the database and the repositories in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const transaction = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories>) =>
    Transaction.run(effect).pipe(Effect.provideContext(context))

  const registerSeller = Effect.fn("Inventory.registerSeller")(
    function*(admin: Parties.User, input: InventoryApi.RegisterSeller) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        const [taken] = yield* sql`SELECT 1 FROM sellers WHERE code = ${input.code}`
        if (taken !== undefined) {
          return yield* new Errors.Conflict({ resource: "sellers", reason: `the code ${input.code} is taken` })
        }
        const [row] = yield* sql<{ id: Ids.SellerId }>`
          INSERT INTO sellers (name, code, jurisdiction, contact_email, registry_account)
          VALUES (${input.name}, ${input.code}, ${input.jurisdiction}, ${input.contact_email?.toLowerCase() ?? null},
            ${input.registry_account})
          RETURNING id`
        if (row === undefined) return yield* Effect.die(new Error("invariant broken: INSERT returned no row"))
        const seller = yield* present(sellers.find(row.id))
        yield* Audit.record({
          user_id: admin.id,
          action: "sellers.register",
          subject_table: "sellers",
          subject_id: seller.id,
          details: { ...input }
        })
        return seller
      }))
    }
  )

  const listSellers = Effect.fn("Inventory.listSellers")(function*(admin: Parties.User, query: PageQuery) {
    yield* authorize(admin, staffAction)
    return yield* sellers.page(sql``, query).pipe(Effect.provideContext(context))
  })

  const registerLot = Effect.fn("Inventory.registerLot")(
    function*(admin: Parties.User, input: InventoryApi.RegisterLot) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        if (input.seller_id !== undefined) yield* sellers.find(input.seller_id)
        if (input.entity_id !== undefined) {
          const [entity] = yield* sql`SELECT 1 FROM entities WHERE id = ${input.entity_id}`
          if (entity === undefined) return yield* new Errors.NotFound({ resource: "entities", id: input.entity_id })
        }
        const [taken] = yield* sql`SELECT 1 FROM certificates WHERE serial_number = ${input.serial_number}`
        if (taken !== undefined) {
          return yield* new Errors.Conflict({
            resource: "certificates",
            reason: `the serial number ${input.serial_number} is registered`
          })
        }
        const [row] = yield* sql<{ id: Ids.CertificateId }>`
          INSERT INTO certificates (entity_id, certificate_type, status, quantity, serial_number, vintage_year)
          VALUES (${input.entity_id ?? null}, ${input.certificate_type}, 'AVAILABLE', ${input.quantity},
            ${input.serial_number}, ${input.vintage_year})
          RETURNING id`
        if (row === undefined) return yield* Effect.die(new Error("invariant broken: INSERT returned no row"))
        if (input.seller_id !== undefined) {
          yield* sql`INSERT INTO seller_certificates (seller_id, certificate_id) VALUES (${input.seller_id}, ${row.id})`
        }
        const lot = yield* present(lots.find(row.id))
        yield* Audit.record({
          user_id: admin.id,
          action: "certificates.register",
          subject_table: "certificates",
          subject_id: lot.id,
          after: lotJson(lot)
        })
        return yield* view(lot)
      }))
    }
  )

  const listLots = Effect.fn("Inventory.listLots")(function*(
    admin: Parties.User,
    query: PageQuery & { readonly status?: Trading.Certificate["status"] | undefined }
  ) {
    yield* authorize(admin, staffAction)
    return yield* Effect.gen(function*() {
      const page = yield* lots.page(query.status === undefined ? sql`` : sql`AND status = ${query.status}`, query)
      const data: Array<InventoryApi.Lot> = []
      for (const lot of page.data) data.push(yield* view(lot))
      const viewed: Page<InventoryApi.Lot> = { data, has_more: page.has_more }
      return viewed
    }).pipe(Effect.provideContext(context))
  })

  const allocate = Effect.fn("Inventory.allocate")(
    function*(admin: Parties.User, id: Ids.CertificateId, batchId: Ids.SettlementBatchId) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        const batch = yield* batches(batchId)
        const lot = yield* lots.lock(id)
        yield* move(StateMachine.certificateStatus, lot.status, "RESERVED")
        if (batch.status === "SETTLED" || batch.status === "FAILED") {
          return yield* new Errors.Conflict({
            resource: "certificates",
            reason: `a lot is allocated to an open batch; this one is ${batch.status}`
          })
        }
        if (batch.asset_type !== lot.certificate_type) {
          return yield* new Errors.Conflict({
            resource: "certificates",
            reason: `a ${lot.certificate_type} lot cannot deliver a batch of ${batch.asset_type}`
          })
        }
        const [allocated] = yield* sql<{ total: number }>`
          SELECT coalesce(sum(c.quantity), 0)::int AS total FROM certificate_allocations a
          JOIN certificates c ON c.id = a.certificate_id
          WHERE a.settlement_batch_id = ${batchId} AND a.released_at IS NULL`
        if ((allocated?.total ?? 0) + lot.quantity > batch.quantity) {
          return yield* new Errors.Conflict({
            resource: "certificates",
            reason: `the batch delivers ${batch.quantity} t; its lots would exceed it`
          })
        }
        const now = DateTime.toDate(yield* DateTime.now)
        yield* sql`
          UPDATE certificates SET status = 'RESERVED', reserved_at = ${now}, updated_at = ${now} WHERE id = ${id}`
        yield* sql`
          INSERT INTO certificate_allocations (certificate_id, settlement_batch_id, allocated_by)
          VALUES (${id}, ${batchId}, ${admin.id})`
        const after = yield* present(lots.find(id))
        yield* Audit.record({
          user_id: admin.id,
          action: "certificates.reserve",
          subject_table: "certificates",
          subject_id: id,
          before: lotJson(lot),
          after: lotJson(after),
          details: { settlement_batch_id: batchId }
        })
        return yield* view(after)
      }))
    }
  )

  return {
    /** An admin registers an external CEA seller. */
    registerSeller,
    /** The registered sellers. */
    listSellers,
    /** An admin registers a certificate lot, AVAILABLE. */
    registerLot,
    /** Certificate lots, optionally by status. */
    listLots,
    /** An admin reserves a lot for the open settlement batch it delivers. */
    allocate
  }
})

/**
 * The inventory service.
 *
 * @category services
 * @since 0.1.0
 */
export class Inventory extends Context.Service<Inventory, Effect.Success<typeof make>>()("@niha/server/Inventory") {
  /**
   * The service on the database and the repositories in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Inventory, never, SqlClient.SqlClient | Repository.Repositories> = Layer.effect(
    Inventory,
    make
  )
}
