/**
 * The lots behind an external seller's sell order, as steps of the order writer's
 * transaction (`Orders`): a seller's allowances sit in its own registry account, outside
 * the platform's ledger, so its order is guaranteed by the lots it reserves, not by a
 * ledger lock.
 *
 * - **Reserve** (placement): the seller's AVAILABLE CEA lots, oldest first (registered
 *   first, then by serial number), until they cover the order's quantity; the last one
 *   may cover more than the order needs (the domain's rule, `LotReservation`). They move AVAILABLE -> RESERVED
 *   (`StateMachine.certificateStatus`) with `certificates.order_id` set to the order.
 * - **Allocate** (each fill): the fill takes the order's RESERVED lots not yet taken,
 *   oldest first, and allocates them to the buyer's settlement batch
 *   (`certificate_allocations`). A lot larger than what the fill still needs is split, as
 *   a registry splits a holding: the lot keeps the rest, and a new lot of the part taken
 *   (serial `<serial>/<match id>`, same type, vintage and seller, RESERVED for the order)
 *   is allocated. So a lot is in one settlement at most (the partial unique index of
 *   open allocations backs this), and SETTLED marks exactly the batch's lots SOLD
 *   (`Inventory.sellAllocated`), FAILED puts them back AVAILABLE (`releaseAllocated`).
 * - **Release** (the order leaves the book: cancelled, filled, or its remainder
 *   expired): its lots not taken by a fill go back AVAILABLE, `order_id` cleared.
 *
 * @since 0.1.0
 */
import { Errors, type Ids, LotReservation, StateMachine } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { move } from "../internal/rules.ts"

/**
 * An AVAILABLE lot a seller could reserve.
 *
 * @category models
 * @since 0.1.0
 */
export interface FreeLot {
  /** The lot. */
  readonly id: Ids.CertificateId
  /** Its seller. */
  readonly seller_id: Ids.SellerId
  /** Whole tonnes. */
  readonly quantity: number
}

/**
 * The AVAILABLE CEA lots of the sellers, oldest first, locked for the transaction.
 *
 * @category reservation
 * @since 0.1.0
 */
export const freeLots = (sellers: ReadonlyArray<Ids.SellerId>) =>
  Effect.gen(function*() {
    if (sellers.length === 0) return new Map<Ids.SellerId, Array<FreeLot>>()
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ id: Ids.CertificateId; seller_id: Ids.SellerId; quantity: string }>`
      SELECT c.id, s.seller_id, c.quantity::text AS quantity FROM certificates c
      JOIN seller_certificates s ON s.certificate_id = c.id
      WHERE s.seller_id IN ${sql.in([...sellers].sort())} AND c.status = 'AVAILABLE' AND c.certificate_type = 'CEA'
      ORDER BY c.created_at, c.serial_number, c.id FOR UPDATE OF c`
    const pools = new Map<Ids.SellerId, Array<FreeLot>>()
    for (const row of rows) {
      const pool = pools.get(row.seller_id) ?? []
      pool.push({ id: row.id, seller_id: row.seller_id, quantity: Number(row.quantity) })
      pools.set(row.seller_id, pool)
    }
    return pools
  })

/**
 * Takes from the front of `pool` (oldest first) the lots that cover `quantity`, removing
 * them from it; `undefined` (and the pool unchanged) when all of them do not cover it. The
 * domain's rule (`LotReservation.pick`).
 *
 * @category reservation
 * @since 0.1.0
 */
export const pick = (pool: Array<FreeLot>, quantity: number): ReadonlyArray<FreeLot> | undefined =>
  LotReservation.pick(pool, quantity)

/**
 * The tonnes of a pool.
 *
 * @category reservation
 * @since 0.1.0
 */
export const total = (pool: ReadonlyArray<FreeLot>): number => LotReservation.total(pool)

/**
 * Reserves the picked lots for the order (stored in the same transaction): AVAILABLE ->
 * RESERVED through the machine. A lot that is no longer AVAILABLE (it was locked when
 * picked) is a broken invariant.
 *
 * @category reservation
 * @since 0.1.0
 */
export const reserve = (
  reservations: ReadonlyArray<{ readonly orderId: Ids.OrderId; readonly lots: ReadonlyArray<FreeLot> }>,
  now: Date
) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const status = yield* Effect.orDie(move(StateMachine.certificateStatus, "AVAILABLE", "RESERVED"))
    for (const { lots, orderId } of reservations) {
      if (lots.length === 0) continue
      const reserved = yield* sql<{ id: string }>`
        UPDATE certificates SET status = ${status}, order_id = ${orderId}, reserved_at = ${now}, updated_at = ${now}
        WHERE id IN ${sql.in(lots.map((lot) => lot.id))} AND status = 'AVAILABLE' RETURNING id`
      if (reserved.length !== lots.length) {
        return yield* Effect.die(new Error(`invariant broken: a lot picked for order ${orderId} is not AVAILABLE`))
      }
    }
  })

/**
 * A fill of a seller's order, after the statement that stored it and its settlement batch.
 *
 * @category allocation
 * @since 0.1.0
 */
export interface SellerFill {
  /** The fill (`cash_market_trades.id`), whose batch receives the lots. */
  readonly tradeId: Ids.CashMarketTradeId
  /** The engine's match id, which names a split lot. */
  readonly matchId: string
  /** The seller's order. */
  readonly orderId: Ids.OrderId
  /** Whole tonnes. */
  readonly quantity: number
  /** The user whose command made the fill. */
  readonly actor: Ids.UserId
}

/**
 * Allocates to each fill's settlement batch the order's RESERVED lots it takes, oldest
 * first, splitting the last one when it is larger than what the fill still needs.
 *
 * @category allocation
 * @since 0.1.0
 */
export const allocate = (fills: ReadonlyArray<SellerFill>) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const fill of fills) {
      const [batch] = yield* sql<{ id: Ids.SettlementBatchId }>`
        SELECT id FROM settlement_batches WHERE cash_market_trade_id = ${fill.tradeId}`
      if (batch === undefined) {
        return yield* Effect.die(new Error(`invariant broken: fill ${fill.tradeId} has no settlement batch`))
      }
      const lots = yield* sql<
        { id: Ids.CertificateId; quantity: string; serial_number: string; seller_id: Ids.SellerId }
      >`
        SELECT c.id, c.quantity::text AS quantity, c.serial_number, s.seller_id FROM certificates c
        JOIN seller_certificates s ON s.certificate_id = c.id
        WHERE c.order_id = ${fill.orderId} AND c.status = 'RESERVED'
          AND NOT EXISTS (SELECT 1 FROM certificate_allocations a WHERE a.certificate_id = c.id AND a.released_at IS NULL)
        ORDER BY c.created_at, c.serial_number, c.id FOR UPDATE OF c`
      let needed = fill.quantity
      for (const lot of lots) {
        if (needed === 0) break
        const quantity = Number(lot.quantity)
        let taken: Ids.CertificateId = lot.id
        if (quantity > needed) {
          // Split: the lot keeps the rest, a new lot of the part taken goes to the batch.
          yield* sql`UPDATE certificates SET quantity = quantity - ${needed}, updated_at = now() WHERE id = ${lot.id}`
          const [part] = yield* sql<{ id: Ids.CertificateId }>`
            INSERT INTO certificates (entity_id, certificate_type, status, quantity, serial_number, vintage_year,
              unit_price, reserved_at, order_id)
            SELECT entity_id, certificate_type, status, ${needed}, ${`${lot.serial_number}/${fill.matchId}`},
              vintage_year, unit_price, reserved_at, order_id
            FROM certificates WHERE id = ${lot.id}
            RETURNING id`
          if (part === undefined) return yield* Effect.die(new Error("invariant broken: INSERT returned no row"))
          yield* sql`INSERT INTO seller_certificates (seller_id, certificate_id) VALUES (${lot.seller_id}, ${part.id})`
          taken = part.id
          needed = 0
        } else {
          needed -= quantity
        }
        yield* sql`
          INSERT INTO certificate_allocations (certificate_id, settlement_batch_id, allocated_by)
          VALUES (${taken}, ${batch.id}, ${fill.actor})`
      }
      if (needed > 0) {
        return yield* Effect.die(
          new Error(`invariant broken: order ${fill.orderId}'s reserved lots do not cover its fill ${fill.tradeId}`)
        )
      }
    }
  })

/**
 * Puts the lots of orders that left the book, not taken by a fill, back to AVAILABLE
 * (RESERVED -> AVAILABLE through the machine), `order_id` cleared.
 *
 * @category release
 * @since 0.1.0
 */
export const release = (orderIds: ReadonlyArray<Ids.OrderId>, now: Date) =>
  Effect.gen(function*() {
    if (orderIds.length === 0) return 0
    const sql = yield* SqlClient.SqlClient
    const status = yield* Effect.orDie(move(StateMachine.certificateStatus, "RESERVED", "AVAILABLE"))
    const released = yield* sql<{ id: string }>`
      UPDATE certificates c SET status = ${status}, order_id = NULL, reserved_at = NULL, updated_at = ${now}
      WHERE c.order_id IN ${sql.in([...orderIds].sort())} AND c.status = 'RESERVED'
        AND NOT EXISTS (SELECT 1 FROM certificate_allocations a WHERE a.certificate_id = c.id AND a.released_at IS NULL)
      RETURNING c.id`
    return released.length
  })

/**
 * The refusal of a seller order its AVAILABLE lots do not cover.
 *
 * @category errors
 * @since 0.1.0
 */
export const notCovered = (sellerId: Ids.SellerId, required: number, available: number) =>
  new Errors.Conflict({
    resource: "certificates",
    reason: `seller ${sellerId} has ${available} t of AVAILABLE CEA lots; the order needs ${required} t`
  })
