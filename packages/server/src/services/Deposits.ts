/**
 * The deposit workflow: a client announces a wire, an admin confirms what the bank
 * received, the money is held for AML review in the entity's `Locked` EUR (a pending
 * ledger transfer from `WORLD`), and the hold is cleared, by an admin early or by the
 * `aml.release` job on its date, or rejected. Only cleared money is available.
 *
 * - Every status change goes through `@niha/domain`'s `depositStatus` and `amlStatus`
 *   machines (CONFIRMED is a real state: the seed's defect #1 does not return); the hold's
 *   type and length come from `AmlPolicy.decide`, its date from `@niha/settlement`'s
 *   TARGET calendar (a holiday inside the hold pushes it).
 * - Money moves only through the `Ledger` (`placeHold`, `releaseHold`, `rejectHold`),
 *   in the same transaction as the deposit row, its audit rows and its job, with
 *   idempotency keys derived from the deposit, so a repeated release posts once.
 * - The client's stage follows `userRole`: APPROVED -> FUNDING at its first announcement,
 *   FUNDING -> AML while its first deposit is held, AML -> CEA when it clears, and back to
 *   FUNDING when it is rejected.
 * - The hold lengths and the LARGE_AMOUNT threshold are the admins' current AML policy
 *   (`FundingSettings`), read in the confirmation's transaction after the deposit is locked.
 * - Manual review: an admin may put a held deposit on review (`manual_review`), and the
 *   release job then leaves it held on its date; taken off review on or after its date, it
 *   is released at once, as the job would have; admins may still clear or reject it.
 * - A refused attempt (not permitted, unknown, a transition the machines refuse) writes a
 *   FAILED `ticket_logs` row after the refusal (`Audit.recordRefusal`) and changes nothing
 *   else.
 *
 * @since 0.1.0
 */
import { Ledger, type Repository, Transaction } from "@niha/db"
import { AmlPolicy, Errors, Funds, Ids, Money, type Parties, StateMachine } from "@niha/domain"
import { Calendar, CivilDate } from "@niha/settlement"
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
import * as JobRunner from "../jobs/JobRunner.ts"
import type { PageQuery } from "../Paging.ts"
import * as FundingSettings from "./FundingSettings.ts"

/**
 * The job kind that releases an AML hold on its date.
 *
 * @category jobs
 * @since 0.1.0
 */
export const releaseJob = "aml.release"

/**
 * A wire a client announces.
 *
 * @category models
 * @since 0.1.0
 */
export interface Announcement {
  /** The amount the client sends. */
  readonly amount: Money.Cents
  /** The client's own reference on the wire. */
  readonly wire_reference: string
}

/**
 * What the bank received, as an admin confirms it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Receipt {
  /** The bank's reference of the incoming wire. */
  readonly bank_reference: string
  /** The amount actually received; the deposit is booked at it. */
  readonly received_amount: Money.Cents
}

const deposits = {
  find: rows.byId("deposits", Funds.Deposit, { lock: false }),
  lock: rows.byId("deposits", Funds.Deposit, { lock: true }),
  page: rows.page("deposits", Funds.Deposit),
  all: rows.all("deposits", Funds.Deposit)
}

const depositJson = Schema.encodeSync(Funds.Deposit.json)

/** The parts of a holding's locked balance, as decimal text, beside its row. */
interface LockParts {
  readonly locked_aml_holds: string
  readonly locked_withdrawals: string
  readonly locked_orders: string
  readonly locked_other: string
}

const holdingRows = rows.all("entity_holdings", Funds.EntityHolding)
const eurLocks = Schema.decodeUnknownEffect(Funds.EurLocks)
const allowanceLocks = Schema.decodeUnknownEffect(Funds.AllowanceLocks)

/**
 * A holding with what its locked balance is locked for. The parts come from the pending
 * transfers, the balance from the holding: parts that do not sum to it are a broken
 * ledger invariant (`Locked` moves only through pending transfers), so the request dies.
 */
const withLocks = (holding: Funds.EntityHolding, parts: LockParts | undefined) =>
  Effect.gen(function*() {
    if (parts === undefined) return yield* Effect.die(new Error("invariant broken: a holding row without its parts"))
    const input = {
      aml_holds: parts.locked_aml_holds,
      withdrawals: parts.locked_withdrawals,
      orders: parts.locked_orders,
      other: parts.locked_other
    }
    const balance: Funds.Balance = holding.asset_type === "EUR" ?
      { ...holding, locked_for: yield* Effect.orDie(eurLocks(input)) } :
      { ...holding, locked_for: yield* Effect.orDie(allowanceLocks(input)) }
    const { aml_holds, orders, other, withdrawals } = balance.locked_for
    // Integers below 2^53: exact.
    if (aml_holds + withdrawals + orders + other !== balance.locked) {
      return yield* Effect.die(
        new Error(
          `invariant broken: the locked ${balance.asset_type} of entity ${balance.entity_id} is ${balance.locked}, ` +
            `but its pending transfers hold ${aml_holds + withdrawals + orders + other}`
        )
      )
    }
    return balance
  })

const journalLines = { page: rows.page("asset_transactions", Funds.AssetTransaction) }
const holdKey = (id: Ids.DepositId) => `deposits:${id}:hold`

/**
 * The start (00:00 UTC) of the day `days` TARGET business days after the instant's UTC
 * date. TARGET's rules need no yearly data, so a refusal is a defect.
 */
const holdEnd = (from: DateTime.Utc, days: number) =>
  Effect.gen(function*() {
    const today = yield* Result.match(CivilDate.parse(DateTime.formatIso(from).slice(0, 10)), {
      onFailure: Effect.die,
      onSuccess: Effect.succeed
    })
    const end = yield* Result.match(Calendar.advance(Calendar.target, today, days), {
      onFailure: Effect.die,
      onSuccess: Effect.succeed
    })
    return DateTime.makeUnsafe(`${end}T00:00:00Z`)
  })

/**
 * Builds the service on the database and the repositories in context.
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
  // A hold moves money from WORLD, which has no limit, under keys derived from the
  // deposit: a ledger refusal here is a broken invariant, not the caller's mistake.
  const orDieLedger = <A, E>(effect: Effect.Effect<A, E>) => Effect.orDie(effect)

  const record = (actor: Ids.UserId | null, action: string, before: Funds.Deposit | null, after: Funds.Deposit) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "deposits",
      subject_id: after.id,
      ...(before === null ? {} : { before: depositJson(before) }),
      after: depositJson(after)
    })

  /** Puts the domain refusals of an attempt on the audit trail (`internal/refusals.ts`). */
  const refused = refusalRecorder(sql)

  const announce = Effect.fn("Deposits.announce")(function*(actor: Parties.User, input: Announcement) {
    yield* authorize(actor, "announce_deposit")
    const entityId = actor.entity_id
    if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
    return yield* transaction(Effect.gen(function*() {
      const [row] = yield* sql<{ id: Ids.DepositId }>`
        INSERT INTO deposits (entity_id, user_id, amount, wire_reference)
        VALUES (${entityId}, ${actor.id}, ${Money.format(input.amount)}, ${input.wire_reference})
        RETURNING id`
      if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
      const deposit = yield* present(deposits.find(row.id))
      yield* record(actor.id, "deposits.announce", null, deposit)
      yield* moveEntityStage(entityId, "APPROVED", "FUNDING", actor.id)
      return deposit
    }))
  }, (effect, actor, input) =>
    refused(actor, "deposits.announce", "entities", actor.entity_id, {
      amount: Money.format(input.amount),
      wire_reference: input.wire_reference
    })(effect))

  const confirm = Effect.fn("Deposits.confirm")(function*(admin: Parties.User, id: Ids.DepositId, receipt: Receipt) {
    yield* authorize(admin, "confirm_deposit")
    return yield* transaction(Effect.gen(function*() {
      const before = yield* deposits.lock(id)
      const confirmed = yield* move(StateMachine.depositStatus, before.status, "CONFIRMED")
      const held = yield* move(StateMachine.depositStatus, confirmed, "ON_HOLD")
      const aml = yield* move(StateMachine.amlStatus, before.aml_status, "ON_HOLD")
      const earlier = yield* deposits.all(sql`SELECT * FROM deposits WHERE entity_id = ${before.entity_id}`)
      const decision = AmlPolicy.decide(
        { id, entity_id: before.entity_id, amount: receipt.received_amount },
        earlier,
        yield* FundingSettings.amlPolicy.current
      )
      const now = yield* DateTime.now
      const until = yield* holdEnd(now, decision.hold_business_days)
      yield* sql`
        UPDATE deposits SET status = ${held}, aml_status = ${aml}, amount = ${Money.format(receipt.received_amount)},
          bank_reference = ${receipt.bank_reference}, confirmed_by = ${admin.id}, confirmed_at = ${
        DateTime.toDate(now)
      },
          hold_type = ${decision.hold_type}, hold_business_days = ${decision.hold_business_days},
          hold_until = ${DateTime.toDate(until)}, updated_at = now()
        WHERE id = ${id}`
      yield* orDieLedger(ledger.apply(Ledger.placeHold({
        key: holdKey(id),
        created_by: admin.id,
        entity_id: before.entity_id,
        deposit_id: id,
        amount: receipt.received_amount
      })))
      yield* JobRunner.schedule({ kind: releaseJob, key: id, payload: { deposit_id: id }, runAt: until })
      const after = yield* present(deposits.find(id))
      yield* record(admin.id, "deposits.confirm", before, after)
      yield* moveEntityStage(before.entity_id, "FUNDING", "AML", admin.id)
      return after
    }))
  }, (effect, admin, id, receipt) =>
    refused(admin, "deposits.confirm", "deposits", id, {
      bank_reference: receipt.bank_reference,
      received_amount: Money.format(receipt.received_amount)
    })(effect))

  /** Clears a held deposit: the held amount becomes available. */
  const clearHeld = (before: Funds.Deposit, actor: Ids.UserId | null, reason: string) =>
    Effect.gen(function*() {
      const status = yield* move(StateMachine.depositStatus, before.status, "CLEARED")
      const aml = yield* move(StateMachine.amlStatus, before.aml_status, "CLEARED")
      yield* orDieLedger(ledger.apply(Ledger.releaseHold({
        key: `deposits:${before.id}:release`,
        created_by: actor,
        hold: { key: holdKey(before.id) },
        entity_id: before.entity_id,
        deposit_id: before.id
      })))
      yield* sql`
        UPDATE deposits SET status = ${status}, aml_status = ${aml}, cleared_by_admin_id = ${actor},
          cleared_at = ${DateTime.toDate(yield* DateTime.now)}, clear_reason = ${reason}, manual_review = false,
          updated_at = now()
        WHERE id = ${before.id}`
      const after = yield* present(deposits.find(before.id))
      yield* record(actor, "deposits.clear", before, after)
      yield* moveEntityStage(before.entity_id, "AML", "CEA", actor)
      return after
    })

  const clear = Effect.fn("Deposits.clear")(function*(admin: Parties.User, id: Ids.DepositId, reason: string) {
    yield* authorize(admin, "decide_aml_hold")
    return yield* transaction(Effect.flatMap(deposits.lock(id), (before) => clearHeld(before, admin.id, reason)))
  }, (effect, admin, id, reason) => refused(admin, "deposits.clear", "deposits", id, { reason })(effect))

  const reject = Effect.fn("Deposits.reject")(function*(admin: Parties.User, id: Ids.DepositId, reason: string) {
    yield* authorize(admin, "decide_aml_hold")
    return yield* transaction(Effect.gen(function*() {
      const before = yield* deposits.lock(id)
      const status = yield* move(StateMachine.depositStatus, before.status, "REJECTED")
      const aml = yield* move(StateMachine.amlStatus, before.aml_status, "REJECTED")
      if (before.status === "ON_HOLD") {
        yield* orDieLedger(ledger.apply(Ledger.rejectHold({
          key: `deposits:${id}:reject`,
          created_by: admin.id,
          hold: { key: holdKey(id) },
          deposit_id: id
        })))
      }
      yield* sql`
        UPDATE deposits SET status = ${status}, aml_status = ${aml}, rejected_by_admin_id = ${admin.id},
          rejected_at = ${DateTime.toDate(yield* DateTime.now)}, rejection_reason = ${reason}, manual_review = false,
          updated_at = now()
        WHERE id = ${id}`
      const after = yield* present(deposits.find(id))
      yield* record(admin.id, "deposits.reject", before, after)
      const [other] = yield* sql`
        SELECT 1 FROM deposits WHERE entity_id = ${before.entity_id} AND status IN ('ON_HOLD', 'CLEARED')`
      if (other === undefined) yield* moveEntityStage(before.entity_id, "AML", "FUNDING", admin.id)
      return after
    }))
  }, (effect, admin, id, reason) => refused(admin, "deposits.reject", "deposits", id, { reason })(effect))

  /** Whether a held deposit's release date has come. */
  const isDue = (deposit: Funds.Deposit) =>
    Effect.map(
      DateTime.now,
      (now) => deposit.hold_until !== null && !DateTime.isGreaterThan(deposit.hold_until, now)
    )

  const releaseReason = "the AML hold reached its release date"

  /**
   * The `aml.release` job: clears a deposit whose hold has reached its date, unless an
   * admin put it on manual review (it stays held; ending the review releases it). Run
   * again (a retried job, a concurrent runner), it finds the deposit cleared and does
   * nothing.
   */
  const releaseDue = Effect.fn("Deposits.releaseDue")(function*(id: Ids.DepositId) {
    return yield* transaction(Effect.gen(function*() {
      const before = yield* present(deposits.lock(id))
      if (before.status !== "ON_HOLD" || before.manual_review) return false
      if (!(yield* isDue(before))) return false
      yield* clearHeld(before, null, releaseReason)
      return true
    }))
  })

  /** Puts a held deposit on manual review, or takes it off, with the reason in the trail. */
  const setReview = (admin: Parties.User, id: Ids.DepositId, onReview: boolean, reason: string) =>
    Effect.gen(function*() {
      yield* authorize(admin, "decide_aml_hold")
      return yield* transaction(Effect.gen(function*() {
        const before = yield* deposits.lock(id)
        if (before.status !== "ON_HOLD") {
          return yield* new Errors.Conflict({
            resource: "deposits",
            reason: `only a deposit on AML hold can be put on or taken off manual review; this one is ${before.status}`
          })
        }
        if (before.manual_review === onReview) {
          return yield* new Errors.Conflict({
            resource: "deposits",
            reason: onReview ? "the deposit is already on manual review" : "the deposit is not on manual review"
          })
        }
        yield* sql`UPDATE deposits SET manual_review = ${onReview}, updated_at = now() WHERE id = ${id}`
        const after = yield* present(deposits.find(id))
        yield* Audit.record({
          user_id: admin.id,
          action: onReview ? "deposits.review" : "deposits.end_review",
          subject_table: "deposits",
          subject_id: id,
          details: { reason },
          before: depositJson(before),
          after: depositJson(after)
        })
        // Off review on or after its date: released now, as the job would have done then.
        if (!onReview && (yield* isDue(after))) return yield* clearHeld(after, null, releaseReason)
        return after
      }))
    })

  const review = Effect.fn("Deposits.review")(
    function*(admin: Parties.User, id: Ids.DepositId, reason: string) {
      return yield* setReview(admin, id, true, reason)
    },
    (effect, admin, id, reason) => refused(admin, "deposits.review", "deposits", id, { reason })(effect)
  )

  const endReview = Effect.fn("Deposits.endReview")(
    function*(admin: Parties.User, id: Ids.DepositId, reason: string) {
      return yield* setReview(admin, id, false, reason)
    },
    (effect, admin, id, reason) => refused(admin, "deposits.end_review", "deposits", id, { reason })(effect)
  )

  const get = Effect.fn("Deposits.get")(function*(actor: Parties.User, id: Ids.DepositId) {
    const deposit = yield* deposits.find(id).pipe(Effect.provideContext(context))
    yield* visible(actor, deposit.entity_id, "confirm_deposit", "deposits", id)
    return deposit
  })

  const list = Effect.fn("Deposits.list")(function*(
    actor: Parties.User,
    query: PageQuery & { readonly entity_id?: Ids.EntityId | undefined }
  ) {
    const entityId = actor.entity_id ?? query.entity_id
    if (actor.entity_id === null) yield* authorize(actor, "confirm_deposit")
    const filter = entityId === undefined ? sql`` : sql`AND entity_id = ${entityId}`
    return yield* deposits.page(filter, query).pipe(Effect.provideContext(context))
  })

  const holdings = Effect.fn("Deposits.holdings")(function*(actor: Parties.User, entityId: Ids.EntityId) {
    yield* visible(actor, entityId, "confirm_deposit", "entities", entityId)
    // One statement, so the holdings and the pending transfers are one snapshot: the parts
    // of each holding's locked balance are read at the same instant as the balance.
    const raw = yield* sql<LockParts>`
      SELECT h.*, coalesce(l.aml_holds, 0)::text AS locked_aml_holds,
        coalesce(l.withdrawals, 0)::text AS locked_withdrawals, coalesce(l.orders, 0)::text AS locked_orders,
        coalesce(l.other, 0)::text AS locked_other
      FROM entity_holdings h
      LEFT JOIN LATERAL (
        SELECT sum(p.remaining) FILTER (WHERE x.reference LIKE 'deposits:%') AS aml_holds,
          sum(p.remaining) FILTER (WHERE x.reference LIKE 'withdrawals:%') AS withdrawals,
          sum(p.remaining) FILTER (WHERE x.reference LIKE 'orders:%') AS orders,
          sum(p.remaining) FILTER (
            WHERE x.reference NOT LIKE 'deposits:%' AND x.reference NOT LIKE 'withdrawals:%'
              AND x.reference NOT LIKE 'orders:%') AS other
        FROM ledger.pending_transfers p
        JOIN asset_transactions x ON x.transfer_id = p.transfer_id AND x.account = 'LOCKED'
          AND x.entity_id = p.holder_id
        WHERE p.holder_id = h.entity_id AND p.asset_type = h.asset_type AND p.remaining > 0
      ) l ON TRUE
      WHERE h.entity_id = ${entityId}
      ORDER BY h.asset_type`
    const rows = yield* holdingRows(Effect.succeed(raw))
    return yield* Effect.forEach(rows, (holding, index) => withLocks(holding, raw[index]))
  })

  const journal = Effect.fn("Deposits.journal")(function*(
    actor: Parties.User,
    entityId: Ids.EntityId,
    query: PageQuery
  ) {
    yield* visible(actor, entityId, "confirm_deposit", "entities", entityId)
    return yield* journalLines.page(sql`AND entity_id = ${entityId}`, query).pipe(Effect.provideContext(context))
  })

  return {
    /** An entity's journal: every line of its accounts, oldest first, a page at a time. */
    journal,
    /** A client announces a wire (the deposit is PENDING). */
    announce,
    /** An admin confirms what the bank received; the deposit goes on AML hold. */
    confirm,
    /** An admin clears a hold early, with a reason. */
    clear,
    /** An admin rejects a deposit, with a reason; a held amount goes back. */
    reject,
    /** The release job: clears a hold that reached its date; false when there was nothing to do. */
    releaseDue,
    /** One deposit the actor may see. */
    get,
    /** Deposits: the actor's entity's, or any entity's for an admin. */
    list,
    /** An entity's balances per asset, available and locked, and what the locked part is locked for. */
    holdings,
    /** An admin puts a held deposit on manual review: the release job leaves it held. */
    review,
    /** An admin takes a deposit off manual review: released at once when its date has come. */
    endReview
  }
})

/**
 * What a deposit operation can fail with, besides database failures: an unknown deposit
 * or one of another entity, an action the actor's role may not take, a status change the
 * machines refuse, a manual review that does not fit the deposit (not held, already on
 * review, not on review).
 *
 * @category errors
 * @since 0.1.0
 */
export type DepositError = Errors.NotFound | Errors.NotPermitted | StateMachine.InvalidTransition | Errors.Conflict

/**
 * The deposit operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The deposits service.
 *
 * @category services
 * @since 0.1.0
 */
export class Deposits extends Context.Service<Deposits, Service>()("@niha/server/Deposits") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Deposits, never, SqlClient.SqlClient | Repository.Repositories> = Layer.effect(
  Deposits,
  make
)

/**
 * The job handler of {@link releaseJob}, for the server's `JobRunner`.
 *
 * @category jobs
 * @since 0.1.0
 */
export const releaseHandler = (job: { readonly key: string }): Effect.Effect<boolean, unknown, Deposits> =>
  Effect.flatMap(
    Schema.decodeUnknownEffect(Ids.DepositId)(job.key),
    (id) => Effect.flatMap(Deposits, (deposits) => deposits.releaseDue(id))
  )
