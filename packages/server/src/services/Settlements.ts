/**
 * The settlement workflow: the batches trading creates (one per purchase fill, PENDING,
 * due on `@niha/settlement`'s schedule) move along `StateMachine.settlementStatus` by an
 * admin's hand, PENDING -> TRANSFER_INITIATED -> IN_TRANSIT -> AT_CUSTODY -> SETTLED, or
 * to FAILED from any state before SETTLED. Every change locks the batch, is checked by the
 * machine, appends `settlement_status_history` and an audit row in the same transaction; a
 * refused move changes nothing (and is put on the audit trail as a refusal).
 *
 * - **SETTLED** delivers the allowances from `SETTLEMENT_PENDING` to the buyer's available
 *   balance (`Ledger.deliverSettlement`) and moves the buyer's client users on through the
 *   stage machine: CEA_SETTLE -> SWAP for a CEA purchase, EUA_SETTLE -> EUA for a swap.
 * - **FAILED** (non-delivery) is resolved once by an admin's choice
 *   (`settlement_resolutions`):
 *   - `REVERSAL`: the trade undone through the ledger. The quote asset goes back to the
 *     buyer with its fee (`notional + buyer fee`), the seller returns what it received
 *     (`notional - seller fee`, so its fee is returned too), and the allowances go from
 *     `SETTLEMENT_PENDING` back to the seller. `FEES` is credit-only (revenue is never
 *     debited, the ledger's limit), so the two fees refunded are paid from `WORLD` (the
 *     platform's own bank money): `FEES` keeps what was earned, the refund is its own line
 *     on the batch's reference.
 *   - `BUY_IN` (CEA purchases): replacement allowances bought at `buy_in_price` are
 *     delivered to the buyer (from `WORLD`, the outside registry), the failed seller keeps
 *     its undelivered allowances (back from `SETTLEMENT_PENDING`) and pays back what it was
 *     paid plus the difference when the replacement cost more (`charged_to_seller`); it
 *     does not get its fee back. The buyer's stage moves as at SETTLED.
 *   A seller that cannot pay is `InsufficientFunds`, and nothing changes.
 *
 * A failure and its resolution are mailed (through the outbox, in the same transaction) to
 * the client users of both parties: the buyer and, when an entity sold, the seller, who
 * cannot read the buyer's batch. Clients read their entity's batches; another entity's batch
 * reads as unknown.
 *
 * @since 0.1.0
 */
import { Ledger, type Repository, Transaction } from "@niha/db"
import {
  type Enums,
  Errors,
  type Ids,
  Market,
  Money,
  type Parties,
  Price,
  Settlement,
  StateMachine,
  Trading
} from "@niha/domain"
import type { SettlementsApi } from "@niha/sdk"
import { SettlementSchedule } from "@niha/settlement"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"
import { refusalRecorder } from "../internal/refusals.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, moveEntityStage, present, visible } from "../internal/rules.ts"
import * as MailOutbox from "../MailOutbox.ts"
import type { PageQuery } from "../Paging.ts"
import * as Inventory from "./Inventory.ts"
import * as SettlementCalendars from "./SettlementCalendars.ts"
import * as Swaps from "./Swaps.ts"

const staffAction = "manage_settlement"

const batches = {
  find: rows.byId("settlement_batches", Settlement.SettlementBatch, { lock: false }),
  lock: rows.byId("settlement_batches", Settlement.SettlementBatch, { lock: true }),
  page: rows.page("settlement_batches", Settlement.SettlementBatch)
}
const histories = rows.all("settlement_status_history", Settlement.SettlementStatusHistory)
const resolutions = rows.all("settlement_resolutions", Settlement.SettlementResolution)
const trades = rows.all("cash_market_trades", Trading.CashMarketTrade)
const orders = rows.all("orders", Trading.Order)
const batchJson = Schema.encodeSync(Settlement.SettlementBatch.json)
const decodeCashPrice = Schema.decodeUnknownResult(Price.CashPriceFromString)

/** The market a settlement type settles. */
const marketOf = (type: Enums.SettlementType): Enums.MarketType => type === "CEA_PURCHASE" ? "CEA_CASH" : "SWAP"

/** The stage a buyer's users leave and reach when a batch of `type` delivers. */
const stageAtDelivery = (type: Enums.SettlementType) =>
  type === "CEA_PURCHASE" ? ["CEA_SETTLE", "SWAP"] as const : ["EUA_SETTLE", "EUA"] as const

/** The milestone statuses, in order. */
const milestoneStatuses = SettlementSchedule.Milestone.literals

/**
 * A move of a batch as an admin asks for it.
 *
 * @category models
 * @since 0.1.0
 */
export type Advance = SettlementsApi.Advance

/**
 * A resolution of a FAILED batch as an admin asks for it.
 *
 * @category models
 * @since 0.1.0
 */
export type Resolve = SettlementsApi.Resolve

/**
 * Builds the service on the database in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ledger = Ledger.make(sql)
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const transaction = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient | Repository.Repositories>) =>
    Transaction.run(effect).pipe(Effect.provideContext(context))
  const refused = refusalRecorder(sql)

  /** Ledger requests whose only expected refusal is a balance. */
  const moveAssets = (requests: ReadonlyArray<Ledger.Request>) =>
    ledger.submit(requests).pipe(
      Effect.catchIf(
        (error) => !(error instanceof Errors.InsufficientFunds),
        (error) => Effect.die(error)
      )
    )

  /** The batch with its history, milestones and resolution. */
  const detail = (batch: Settlement.SettlementBatch) =>
    Effect.gen(function*() {
      const history = yield* histories(sql`
        SELECT * FROM settlement_status_history WHERE settlement_batch_id = ${batch.id}
        ORDER BY created_at, (from_status IS NOT NULL), id`)
      const [resolution] = yield* resolutions(sql`
        SELECT * FROM settlement_resolutions WHERE settlement_batch_id = ${batch.id}`)
      const flagged = yield* sql<{ milestone: string }>`
        SELECT milestone::text AS milestone FROM settlement_overdue_flags WHERE settlement_batch_id = ${batch.id}`
      const flags = new Set(flagged.map((row) => row.milestone))
      const schedule = SettlementSchedule.make({
        settlementType: batch.settlement_type,
        executedAt: batch.executed_at,
        registry: SettlementCalendars.current()
      })
      const dueDates = new Map<string, string>(
        Result.isSuccess(schedule) ?
          schedule.success.milestones.map((milestone) => [milestone.status, milestone.dueDate]) :
          milestoneStatuses.map((status) => [status, DateTime.formatIsoDate(batch.expected_settlement_date)])
      )
      const milestones = milestoneStatuses.map((status): SettlementsApi.Milestone => {
        const reached = history.find((entry) => entry.to_status === status)
        return {
          status,
          due_date: dueDates.get(status) ?? DateTime.formatIsoDate(batch.expected_settlement_date),
          reached_at: reached === undefined ? null : DateTime.formatIso(reached.created_at),
          overdue: flags.has(status)
        }
      })
      const answer: SettlementsApi.BatchDetail = {
        batch,
        history,
        milestones,
        resolution: resolution === undefined ? null : {
          resolution: resolution.resolution,
          note: resolution.note,
          buy_in_price: resolution.buy_in_price === null ? null : Price.formatCash(
            // Stored at four decimals; a buy-in price is a CEA_CASH price (two).
            Price.CashPrice.make(Math.round(resolution.buy_in_price / 100))
          ),
          charged_to_seller: resolution.charged_to_seller === null ? null : Money.format(resolution.charged_to_seller),
          resolved_at: DateTime.formatIso(resolution.created_at)
        },
        reschedule_pending: batch.reschedule_pending
      }
      return answer
    })

  const record = (
    actor: Ids.UserId,
    action: string,
    before: Settlement.SettlementBatch,
    after: Settlement.SettlementBatch,
    details?: Audit.Json
  ) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "settlement_batches",
      subject_id: after.id,
      before: batchJson(before),
      after: batchJson(after),
      ...(details === undefined ? {} : { details })
    })

  const appendHistory = (
    batch: Settlement.SettlementBatch,
    to: Enums.SettlementStatus,
    actor: Ids.UserId | null,
    note: string | null
  ) =>
    sql`
      INSERT INTO settlement_status_history (settlement_batch_id, from_status, to_status, updated_by, note)
      VALUES (${batch.id}, ${batch.status}, ${to}, ${actor}, ${note})`

  /** Mails the active client users of the given entities (the buyer, and the seller when it is an entity). */
  const tell = (
    entities: ReadonlyArray<Ids.EntityId | null>,
    subject: string,
    text: string
  ) =>
    Effect.gen(function*() {
      const ids = entities.filter((id): id is Ids.EntityId => id !== null)
      if (ids.length === 0) return
      const users = yield* sql<{ email: string }>`
        SELECT email FROM users WHERE is_active AND entity_id IN ${sql.in(ids)} ORDER BY email`
      for (const user of users) {
        yield* MailOutbox.enqueue({ kind: "settlement_failure", to: user.email, subject, text })
      }
    })

  /** The entity that sold what a batch delivers, if an entity did (not a market maker). */
  const sellerOf = (batch: Settlement.SettlementBatch) =>
    Effect.gen(function*() {
      if (batch.cash_market_trade_id === null) return null
      const [row] = yield* sql<{ entity_id: Ids.EntityId | null }>`
        SELECT o.entity_id FROM cash_market_trades t JOIN orders o ON o.id = t.sell_order_id
        WHERE t.id = ${batch.cash_market_trade_id}`
      return row?.entity_id ?? null
    })

  /** Delivers a batch's allowances to its buyer and moves the buyer's stage on. */
  const deliver = (batch: Settlement.SettlementBatch, actor: Ids.UserId) =>
    Effect.gen(function*() {
      yield* moveAssets([Ledger.deliverSettlement({
        key: `settlement_batches:${batch.id}:deliver`,
        created_by: actor,
        entity_id: batch.entity_id,
        settlement_batch_id: batch.id,
        asset: batch.asset_type,
        amount: batch.quantity
      })])
      const [from, to] = stageAtDelivery(batch.settlement_type)
      yield* moveEntityStage(batch.entity_id, from, to, actor)
    })

  /**
   * Moves the `trades` row of a batch's fill (every SWAP fill writes one, `Orders`) through
   * the machine: COMPLETED when the batch settles, CANCELLED when it is reversed.
   */
  const closeTradeRow = (batch: Settlement.SettlementBatch, to: "COMPLETED" | "CANCELLED") =>
    Effect.gen(function*() {
      if (batch.cash_market_trade_id === null) return
      const [row] = yield* sql<{ id: string; status: Enums.TradeStatus }>`
        SELECT id, status FROM trades WHERE cash_market_trade_id = ${batch.cash_market_trade_id} FOR UPDATE`
      if (row === undefined) return
      const next = yield* Effect.orDie(move(StateMachine.tradeStatus, row.status, to))
      const now = DateTime.toDate(yield* DateTime.now)
      yield* sql`
        UPDATE trades SET status = ${next}, completed_at = ${next === "COMPLETED" ? now : null},
          cancelled_at = ${next === "CANCELLED" ? now : null}, updated_at = ${now}
        WHERE id = ${row.id}`
    })

  /** Completes the swap request a settled batch's order carries, once all its batches settled. */
  const completeSwap = (batch: Settlement.SettlementBatch) =>
    Effect.gen(function*() {
      if (batch.order_id === null) return
      const [order] = yield* orders(sql`SELECT * FROM orders WHERE id = ${batch.order_id}`)
      const swap = order === undefined ? undefined : Swaps.swapOfOrder(order)
      if (swap !== undefined) yield* Swaps.sync(swap)
    })

  const advance = Effect.fn("Settlements.advance")(
    function*(admin: Parties.User, id: Ids.SettlementBatchId, input: Advance) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        const before = yield* batches.lock(id)
        yield* move(StateMachine.settlementStatus, before.status, input.to)
        const reference = input.registry_reference ?? before.registry_reference
        if (reference === null && input.to === "TRANSFER_INITIATED") {
          return yield* new Errors.ValidationFailed({
            issues: [{ path: "registry_reference", message: "a transfer is initiated with the registry's reference" }]
          })
        }
        const now = DateTime.toDate(yield* DateTime.now)
        yield* sql`
          UPDATE settlement_batches SET status = ${input.to}, registry_reference = ${reference},
            settled_at = ${input.to === "SETTLED" ? now : null}, updated_at = ${now}
          WHERE id = ${id}`
        const note = input.note ??
          (input.registry_reference === undefined ? null : `registry reference ${input.registry_reference}`)
        yield* appendHistory(before, input.to, admin.id, note)
        if (input.to === "SETTLED") {
          yield* deliver(before, admin.id)
          yield* completeSwap(before)
          yield* closeTradeRow(before, "COMPLETED")
          yield* Inventory.sellAllocated(id)
        }
        const after = yield* present(batches.find(id))
        yield* record(admin.id, `settlements.${input.to.toLowerCase()}`, before, after, { ...input })
        return yield* detail(after)
      }))
    },
    (effect, admin, id, input) => refused(admin, "settlements.advance", "settlement_batches", id, { ...input })(effect)
  )

  const fail = Effect.fn("Settlements.fail")(
    function*(admin: Parties.User, id: Ids.SettlementBatchId, reason: string) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        const before = yield* batches.lock(id)
        yield* move(StateMachine.settlementStatus, before.status, "FAILED")
        const now = DateTime.toDate(yield* DateTime.now)
        yield* sql`
          UPDATE settlement_batches SET status = 'FAILED', failed_at = ${now}, failure_reason = ${reason},
            updated_at = ${now}
          WHERE id = ${id}`
        yield* appendHistory(before, "FAILED", admin.id, reason)
        yield* Inventory.releaseAllocated(id)
        yield* tell(
          [before.entity_id, yield* sellerOf(before)],
          `Settlement ${before.batch_reference} failed`,
          `The delivery of ${before.quantity} t ${before.asset_type} (settlement ${before.batch_reference}) failed: ` +
            `${reason}\nAn admin will resolve it by reversing the trade or buying the allowances in.\n`
        )
        const after = yield* present(batches.find(id))
        yield* record(admin.id, "settlements.failed", before, after, { reason })
        return yield* detail(after)
      }))
    },
    (effect, admin, id, reason) => refused(admin, "settlements.fail", "settlement_batches", id, { reason })(effect)
  )

  /** The trade a batch settles, and the account its seller was paid into. */
  const tradeOf = (batch: Settlement.SettlementBatch) =>
    Effect.gen(function*() {
      if (batch.cash_market_trade_id === null) {
        return yield* new Errors.Conflict({
          resource: "settlement_batches",
          reason: "this batch settles no order-book trade, so there is nothing to reverse or buy in"
        })
      }
      const [trade] = yield* trades(sql`SELECT * FROM cash_market_trades WHERE id = ${batch.cash_market_trade_id}`)
      if (trade === undefined) return yield* Effect.die(new Error("invariant broken: a batch's trade is missing"))
      const [sell] = yield* orders(sql`SELECT * FROM orders WHERE id = ${trade.sell_order_id}`)
      if (sell === undefined) return yield* Effect.die(new Error("invariant broken: a trade's sell order is missing"))
      // An external seller is paid to, and takes its allowances back into, the outside world.
      const seller: Ledger.Account = sell.entity_id !== null
        ? Ledger.available(sell.entity_id)
        : Ledger.platform(sell.seller_id === null ? "CUSTODY" : "WORLD")
      return { trade, seller, sellerEntity: sell.entity_id, marketMaker: sell.market_maker_id }
    })

  const resolve = Effect.fn("Settlements.resolve")(
    function*(admin: Parties.User, id: Ids.SettlementBatchId, input: Resolve) {
      yield* authorize(admin, staffAction)
      return yield* transaction(Effect.gen(function*() {
        const batch = yield* batches.lock(id)
        if (batch.status !== "FAILED") {
          return yield* new Errors.Conflict({
            resource: "settlement_batches",
            reason: `only a FAILED batch is resolved; this one is ${batch.status}`
          })
        }
        const [earlier] = yield* sql`SELECT 1 FROM settlement_resolutions WHERE settlement_batch_id = ${id}`
        if (earlier !== undefined) {
          return yield* new Errors.Conflict({ resource: "settlement_batches", reason: "the batch is already resolved" })
        }
        const { seller, sellerEntity, trade } = yield* tradeOf(batch)
        const { base, quote } = Market.instruments[marketOf(batch.settlement_type)]
        const reference = `settlement_batches:${id}`
        const notes = `${input.resolution}: ${input.note}`
        const transfer = (suffix: string, asset: Enums.AssetType, legs: ReadonlyArray<Ledger.Leg>): Ledger.Request => ({
          _tag: "Transfer",
          key: `${reference}:${suffix}`,
          type: "ADJUSTMENT",
          reference,
          notes,
          created_by: admin.id,
          asset,
          legs: legs.filter((leg) => leg.amount !== 0)
        })
        let buyInPrice: string | null = null
        let charged: number | null = null
        if (input.resolution === "REVERSAL") {
          const fees = trade.buyer_fee + trade.seller_fee
          yield* moveAssets([
            transfer("reverse-payment", quote, [
              { account: Ledger.available(batch.entity_id), amount: trade.notional + trade.buyer_fee },
              { account: seller, amount: -(trade.notional - trade.seller_fee) },
              { account: Ledger.platform("WORLD"), amount: -fees }
            ]),
            transfer("reverse-delivery", base, [
              { account: Ledger.platform("SETTLEMENT_PENDING"), amount: -batch.quantity },
              { account: seller, amount: batch.quantity }
            ])
          ].filter((request) => request._tag !== "Transfer" || request.legs.length >= 2))
          yield* closeTradeRow(batch, "CANCELLED")
        } else {
          if (batch.settlement_type !== "CEA_PURCHASE") {
            return yield* new Errors.Conflict({
              resource: "settlement_batches",
              reason: "a buy-in replaces CEA of a purchase; a failed swap is reversed"
            })
          }
          const price = input.buy_in_price === undefined ?
            undefined :
            Result.getOrUndefined(decodeCashPrice(input.buy_in_price))
          if (price === undefined) {
            return yield* new Errors.ValidationFailed({
              issues: [{
                path: "buy_in_price",
                message: "a buy-in needs the price paid per tonne, in EUR (e.g. \"12.50\")"
              }]
            })
          }
          const cost = yield* Effect.orDie(Result.match(Price.cashNotional(batch.quantity, price), {
            onFailure: Effect.fail,
            onSuccess: Effect.succeed
          }))
          const difference = Math.max(0, cost - trade.notional)
          charged = difference
          buyInPrice = Price.formatCash(price)
          yield* moveAssets([
            transfer("buy-in-charge", quote, [
              { account: seller, amount: -(trade.notional + difference) },
              { account: Ledger.platform("WORLD"), amount: trade.notional + difference }
            ]),
            transfer("buy-in-return", base, [
              { account: Ledger.platform("SETTLEMENT_PENDING"), amount: -batch.quantity },
              { account: seller, amount: batch.quantity }
            ]),
            transfer("buy-in-delivery", base, [
              { account: Ledger.platform("WORLD"), amount: -batch.quantity },
              { account: Ledger.available(batch.entity_id), amount: batch.quantity }
            ])
          ])
          const [from, to] = stageAtDelivery(batch.settlement_type)
          yield* moveEntityStage(batch.entity_id, from, to, admin.id)
        }
        yield* sql`
          INSERT INTO settlement_resolutions (settlement_batch_id, resolution, note, buy_in_price, charged_to_seller,
            resolved_by)
          VALUES (${id}, ${input.resolution}, ${input.note}, ${buyInPrice},
            ${charged === null ? null : Money.format(Money.Cents.make(charged))}, ${admin.id})`
        yield* tell(
          [batch.entity_id, sellerEntity],
          `Settlement ${batch.batch_reference} resolved: ${input.resolution}`,
          `The failed settlement ${batch.batch_reference} (${batch.quantity} t ${batch.asset_type}) was resolved by ` +
            (input.resolution === "REVERSAL" ?
              "reversing the trade: the buyer is refunded with its fee, the seller returns what it was paid and " +
              "gets its allowances back." :
              `a buy-in at ${buyInPrice ?? ""} per tonne: the buyer receives replacement allowances; the seller ` +
              `keeps its allowances and pays back what it was paid plus ${
                charged === null ? "0.00" : Money.format(Money.Cents.make(charged))
              } EUR.`) +
            `\nWhy: ${input.note}\nFailure: ${batch.failure_reason ?? ""}\n`
        )
        yield* Audit.record({
          user_id: admin.id,
          action: `settlements.resolve.${input.resolution.toLowerCase()}`,
          subject_table: "settlement_batches",
          subject_id: id,
          details: { ...input, charged_to_seller: charged === null ? null : Money.format(Money.Cents.make(charged)) }
        })
        return yield* detail(batch)
      }))
    },
    (effect, admin, id, input) => refused(admin, "settlements.resolve", "settlement_batches", id, { ...input })(effect)
  )

  const get = Effect.fn("Settlements.get")(function*(actor: Parties.User, id: Ids.SettlementBatchId) {
    return yield* Effect.gen(function*() {
      const batch = yield* batches.find(id)
      yield* visible(actor, batch.entity_id, staffAction, "settlement_batches", id)
      return yield* detail(batch)
    }).pipe(Effect.provideContext(context))
  })

  const list = Effect.fn("Settlements.list")(function*(
    actor: Parties.User,
    query: PageQuery & {
      readonly entity_id?: Ids.EntityId | undefined
      readonly status?: Enums.SettlementStatus | undefined
    }
  ) {
    if (actor.entity_id === null) yield* authorize(actor, staffAction)
    const entityId = actor.entity_id ?? query.entity_id
    const byEntity = entityId === undefined ? sql`` : sql`AND entity_id = ${entityId}`
    const byStatus = query.status === undefined ? sql`` : sql`AND status = ${query.status}`
    return yield* batches.page(sql`${byEntity} ${byStatus}`, query).pipe(Effect.provideContext(context))
  })

  return {
    /** An admin moves a batch to its next milestone; SETTLED delivers the allowances and moves the stage. */
    advance,
    /** An admin marks a batch FAILED, with the reason. */
    fail,
    /** An admin resolves a FAILED batch by reversal or buy-in. */
    resolve,
    /** One batch the actor may see, with its history, milestones and resolution. */
    get,
    /** Batches: the actor's entity's, or any entity's for an admin, optionally by status. */
    list
  }
})

/**
 * The settlement operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The settlements service.
 *
 * @category services
 * @since 0.1.0
 */
export class Settlements extends Context.Service<Settlements, Service>()("@niha/server/Settlements") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Settlements, never, SqlClient.SqlClient | Repository.Repositories> = Layer.effect(
  Settlements,
  make
)
