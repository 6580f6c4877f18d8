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
 *
 * @since 0.1.0
 */
import { Ledger, type Repository, Transaction } from "@niha/db"
import { AmlPolicy, type Enums, type Errors, Funds, Ids, Money, type Parties, StateMachine } from "@niha/domain"
import { Calendar, CivilDate } from "@niha/settlement"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present, visible } from "../internal/rules.ts"
import * as JobRunner from "../jobs/JobRunner.ts"
import type { PageQuery } from "../Paging.ts"

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

  /** Moves the entity's client users whose stage may go from `from` to `to`. */
  const moveStage = (entityId: Ids.EntityId, from: Enums.UserRole, to: Enums.UserRole, actor: Ids.UserId | null) =>
    Effect.gen(function*() {
      // The moves this service makes are all in the machine; a refusal is a broken invariant.
      const stage = yield* Effect.orDie(move(StateMachine.userRole, from, to))
      const moved = yield* sql<{ id: Ids.UserId }>`
        UPDATE users SET role = ${stage}, updated_at = now()
        WHERE entity_id = ${entityId} AND role = ${from} RETURNING id`
      for (const user of moved) {
        yield* Audit.record({
          user_id: actor,
          action: "users.stage",
          subject_table: "users",
          subject_id: user.id,
          details: { from, to }
        })
      }
    })

  const record = (actor: Ids.UserId | null, action: string, before: Funds.Deposit | null, after: Funds.Deposit) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "deposits",
      subject_id: after.id,
      ...(before === null ? {} : { before: depositJson(before) }),
      after: depositJson(after)
    })

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
      yield* moveStage(entityId, "APPROVED", "FUNDING", actor.id)
      return deposit
    }))
  })

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
        AmlPolicy.defaults
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
      yield* moveStage(before.entity_id, "FUNDING", "AML", admin.id)
      return after
    }))
  })

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
          cleared_at = ${DateTime.toDate(yield* DateTime.now)}, clear_reason = ${reason}, updated_at = now()
        WHERE id = ${before.id}`
      const after = yield* present(deposits.find(before.id))
      yield* record(actor, "deposits.clear", before, after)
      yield* moveStage(before.entity_id, "AML", "CEA", actor)
      return after
    })

  const clear = Effect.fn("Deposits.clear")(function*(admin: Parties.User, id: Ids.DepositId, reason: string) {
    yield* authorize(admin, "decide_aml_hold")
    return yield* transaction(Effect.flatMap(deposits.lock(id), (before) => clearHeld(before, admin.id, reason)))
  })

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
          rejected_at = ${DateTime.toDate(yield* DateTime.now)}, rejection_reason = ${reason}, updated_at = now()
        WHERE id = ${id}`
      const after = yield* present(deposits.find(id))
      yield* record(admin.id, "deposits.reject", before, after)
      const [other] = yield* sql`
        SELECT 1 FROM deposits WHERE entity_id = ${before.entity_id} AND status IN ('ON_HOLD', 'CLEARED')`
      if (other === undefined) yield* moveStage(before.entity_id, "AML", "FUNDING", admin.id)
      return after
    }))
  })

  /**
   * The `aml.release` job: clears a deposit whose hold has reached its date. Run again
   * (a retried job, a concurrent runner), it finds the deposit cleared and does nothing.
   */
  const releaseDue = Effect.fn("Deposits.releaseDue")(function*(id: Ids.DepositId) {
    return yield* transaction(Effect.gen(function*() {
      const before = yield* present(deposits.lock(id))
      if (before.status !== "ON_HOLD" || before.hold_until === null) return false
      if (DateTime.isGreaterThan(before.hold_until, yield* DateTime.now)) return false
      yield* clearHeld(before, null, "the AML hold reached its release date")
      return true
    }))
  })

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
    return yield* ledger.holdings(entityId)
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
    /** An entity's balances per asset, available and locked. */
    holdings
  }
})

/**
 * What a deposit operation can fail with, besides database failures: an unknown deposit
 * or one of another entity, an action the actor's role may not take, a status change the
 * machines refuse.
 *
 * @category errors
 * @since 0.1.0
 */
export type DepositError = Errors.NotFound | Errors.NotPermitted | StateMachine.InvalidTransition

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
