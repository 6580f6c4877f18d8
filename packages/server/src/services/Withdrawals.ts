/**
 * The withdrawal workflow: a client user asks for an amount to a beneficiary account; the
 * amount moves to the entity's `Locked` EUR at once (a pending ledger transfer); an admin
 * marks it PROCESSING, then COMPLETED with the bank's reference (the locked amount leaves
 * for `WORLD`) or REJECTED with a reason (the lock is released).
 *
 * The request is checked against `WithdrawalPolicy` of `@niha/domain` (a minimum, the most
 * per 24 hours and per 7 days), with the limits the admins set (`FundingSettings`, read in
 * the same transaction), in the same transaction that locks the amount, after the
 * entity's EUR holding row is locked (the first lock of the platform's order,
 * `Transaction.lockOrder`), so concurrent requests cannot together pass a limit or the
 * balance. The IBAN and BIC are checked by `Banking` before the service is called.
 *
 * A refused attempt (over a limit or the balance, not permitted, a transition the machine
 * refuses, four eyes missing) writes a FAILED `ticket_logs` row after the refusal
 * (`Audit.recordRefusal`) and changes nothing else.
 *
 * Four eyes: the entity's first withdrawal to an IBAN it was never paid out to
 * (`WithdrawalPolicy.needsSecondApproval`) is completed only after a second admin approved
 * it (`withdrawal_approvals`), and not by that admin.
 *
 * @since 0.1.0
 */
import { Ledger, type Repository, Transaction } from "@niha/db"
import { Errors, Funds, type Ids, Money, type Parties, StateMachine, WithdrawalPolicy } from "@niha/domain"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import { refusalRecorder } from "../internal/refusals.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present, visible } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"
import * as FundingSettings from "./FundingSettings.ts"

/**
 * A withdrawal as a client asks for it (the IBAN and BIC already in electronic form).
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  /** The amount. */
  readonly amount: Money.Cents
  /** The account holder's name. */
  readonly beneficiary_name: string
  /** The IBAN, checked. */
  readonly iban: string
  /** The BIC, checked, if given. */
  readonly bic?: string | null | undefined
}

const withdrawals = {
  find: rows.byId("withdrawals", Funds.Withdrawal, { lock: false }),
  lock: rows.byId("withdrawals", Funds.Withdrawal, { lock: true }),
  page: rows.page("withdrawals", Funds.Withdrawal)
}
const withdrawalJson = Schema.encodeSync(Funds.Withdrawal.json)
const decodeCents = Schema.decodeUnknownEffect(Money.CentsFromString)

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

  /** A ledger request whose only expected refusal is the entity's balance. */
  const moveMoney = (request: Ledger.Request) =>
    ledger.apply(request).pipe(
      Effect.catchIf(
        (error) => !(error instanceof Errors.InsufficientFunds),
        (error) => Effect.die(error)
      )
    )

  const record = (actor: Ids.UserId, action: string, before: Funds.Withdrawal | null, after: Funds.Withdrawal) =>
    Audit.record({
      user_id: actor,
      action,
      subject_table: "withdrawals",
      subject_id: after.id,
      ...(before === null ? {} : { before: withdrawalJson(before) }),
      after: withdrawalJson(after)
    })

  /** What the entity withdrew or has pending since `since`. */
  const withdrawnSince = (entityId: Ids.EntityId, since: DateTime.Utc) =>
    Effect.flatMap(
      sql<{ total: string }>`
        SELECT coalesce(sum(amount), 0)::numeric(20,2)::text AS total FROM withdrawals
        WHERE entity_id = ${entityId} AND status <> 'REJECTED' AND created_at > ${DateTime.toDate(since)}`,
      // Decimal text to cents exactly, never through a float; a sum over the range is a defect.
      ([row]) => Effect.orDie(decodeCents(row?.total ?? "0.00"))
    )

  /** Puts the domain refusals of an attempt on the audit trail (`internal/refusals.ts`). */
  const refused = refusalRecorder(sql)

  const request = Effect.fn("Withdrawals.request")(function*(actor: Parties.User, input: Request) {
    yield* authorize(actor, "request_withdrawal")
    const entityId = actor.entity_id
    if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
    const lockReference = `withdrawals:${yield* Effect.sync(() => NodeCrypto.randomUUID())}`
    return yield* transaction(Effect.gen(function*() {
      // The holding first: concurrent requests of one entity queue here.
      yield* sql`SELECT 1 FROM entity_holdings WHERE entity_id = ${entityId} AND asset_type = 'EUR' FOR UPDATE`
      const now = yield* DateTime.now
      const checked = WithdrawalPolicy.check({
        amount: input.amount,
        last_24h: yield* withdrawnSince(entityId, DateTime.subtract(now, { hours: 24 })),
        last_7d: yield* withdrawnSince(entityId, DateTime.subtract(now, { days: 7 }))
      }, yield* FundingSettings.withdrawalLimits.current)
      if (Result.isFailure(checked)) return yield* checked.failure
      const [row] = yield* sql<{ id: Ids.WithdrawalId }>`
        INSERT INTO withdrawals (entity_id, user_id, amount, status, beneficiary_name, iban, bic, lock_reference,
          locked_at, created_at)
        VALUES (${entityId}, ${actor.id}, ${Money.format(input.amount)}, 'PENDING', ${input.beneficiary_name},
          ${input.iban}, ${input.bic ?? null}, ${lockReference}, ${DateTime.toDate(now)}, ${DateTime.toDate(now)})
        RETURNING id`
      if (row === undefined) return yield* Effect.die("INSERT ... RETURNING returned no row")
      yield* moveMoney(Ledger.lockForWithdrawal({
        key: lockReference,
        created_by: actor.id,
        entity_id: entityId,
        withdrawal_id: row.id,
        amount: input.amount
      }))
      const withdrawal = yield* present(withdrawals.find(row.id))
      yield* record(actor.id, "withdrawals.request", null, withdrawal)
      return withdrawal
    }))
  }, (effect, actor, input) =>
    refused(actor, "withdrawals.request", "entities", actor.entity_id, {
      amount: Money.format(input.amount),
      beneficiary_name: input.beneficiary_name,
      iban: input.iban,
      bic: input.bic ?? null
    })(effect))

  /** Moves a withdrawal as an admin, with the changes and the ledger request of the move. */
  const decide = (
    admin: Parties.User,
    id: Ids.WithdrawalId,
    to: "PROCESSING" | "COMPLETED" | "REJECTED",
    change: (
      before: Funds.Withdrawal,
      at: Date
    ) => Effect.Effect<void, Errors.InsufficientFunds | Errors.Conflict | SqlError>,
    input: Audit.Json = {}
  ) =>
    Effect.gen(function*() {
      yield* authorize(admin, "process_withdrawal")
      return yield* transaction(Effect.gen(function*() {
        const before = yield* withdrawals.lock(id)
        yield* move(StateMachine.withdrawalStatus, before.status, to)
        yield* change(before, DateTime.toDate(yield* DateTime.now))
        const after = yield* present(withdrawals.find(id))
        yield* record(admin.id, `withdrawals.${to.toLowerCase()}`, before, after)
        return after
      }))
    }).pipe(refused(admin, `withdrawals.${to.toLowerCase()}`, "withdrawals", id, input))

  const process = Effect.fn("Withdrawals.process")(function*(admin: Parties.User, id: Ids.WithdrawalId) {
    return yield* decide(admin, id, "PROCESSING", (_, at) =>
      Effect.asVoid(sql`
        UPDATE withdrawals SET status = 'PROCESSING', processed_by = ${admin.id}, processed_at = ${at},
          updated_at = now()
        WHERE id = ${id}`))
  })

  /** Whether this withdrawal is the entity's first to its IBAN, so needs a second admin. */
  const needsApproval = (withdrawal: Funds.Withdrawal) =>
    Effect.map(
      sql`
        SELECT 1 FROM withdrawals
        WHERE entity_id = ${withdrawal.entity_id} AND iban = ${withdrawal.iban} AND status = 'COMPLETED'
          AND id <> ${withdrawal.id}
        LIMIT 1`,
      (rows) => WithdrawalPolicy.needsSecondApproval(rows.length > 0)
    )

  const approve = Effect.fn("Withdrawals.approve")(function*(admin: Parties.User, id: Ids.WithdrawalId) {
    yield* authorize(admin, "process_withdrawal")
    return yield* transaction(Effect.gen(function*() {
      const withdrawal = yield* withdrawals.lock(id)
      if (withdrawal.status !== "PENDING" && withdrawal.status !== "PROCESSING") {
        return yield* new Errors.Conflict({
          resource: "withdrawals",
          reason: `a ${withdrawal.status} withdrawal cannot be approved`
        })
      }
      if (!(yield* needsApproval(withdrawal))) {
        return yield* new Errors.Conflict({
          resource: "withdrawals",
          reason: "this beneficiary was paid before; the withdrawal needs no second approval"
        })
      }
      const inserted = yield* sql`
        INSERT INTO withdrawal_approvals (withdrawal_id, approved_by) VALUES (${id}, ${admin.id})
        ON CONFLICT (withdrawal_id) DO NOTHING RETURNING id`
      if (inserted.length === 0) {
        return yield* new Errors.Conflict({ resource: "withdrawals", reason: "the withdrawal is already approved" })
      }
      yield* Audit.record({
        user_id: admin.id,
        action: "withdrawals.approve",
        subject_table: "withdrawals",
        subject_id: id,
        details: { approved_by: admin.id }
      })
      return withdrawal
    }))
  }, (effect, admin, id) => refused(admin, "withdrawals.approve", "withdrawals", id, {})(effect))

  /** Fails unless a withdrawal that needs a second admin was approved by another than `admin`. */
  const fourEyes = (admin: Parties.User, withdrawal: Funds.Withdrawal) =>
    Effect.gen(function*() {
      if (!(yield* needsApproval(withdrawal))) return
      const [approval] = yield* sql<{ approved_by: Ids.UserId }>`
        SELECT approved_by FROM withdrawal_approvals WHERE withdrawal_id = ${withdrawal.id}`
      if (approval === undefined) {
        return yield* new Errors.Conflict({
          resource: "withdrawals",
          reason: "a first withdrawal to this beneficiary needs the approval of a second admin " +
            "(POST /admin/withdrawals/{id}/approve) before it is completed"
        })
      }
      if (approval.approved_by === admin.id) {
        return yield* new Errors.Conflict({
          resource: "withdrawals",
          reason: "the admin who approved this withdrawal cannot also complete it"
        })
      }
    })

  const complete = Effect.fn("Withdrawals.complete")(
    function*(admin: Parties.User, id: Ids.WithdrawalId, bankReference: string) {
      return yield* decide(admin, id, "COMPLETED", (before, at) =>
        Effect.gen(function*() {
          yield* fourEyes(admin, before)
          yield* moveMoney(Ledger.completeWithdrawal({
            key: `${before.lock_reference}:complete`,
            created_by: admin.id,
            lock: { key: before.lock_reference },
            withdrawal_id: id
          }))
          yield* sql`
            UPDATE withdrawals SET status = 'COMPLETED', completed_by = ${admin.id}, completed_at = ${at},
              bank_reference = ${bankReference}, updated_at = now()
            WHERE id = ${id}`
        }), { bank_reference: bankReference })
    }
  )

  const reject = Effect.fn("Withdrawals.reject")(function*(admin: Parties.User, id: Ids.WithdrawalId, reason: string) {
    return yield* decide(admin, id, "REJECTED", (before, at) =>
      Effect.gen(function*() {
        yield* moveMoney(Ledger.unlockWithdrawal({
          key: `${before.lock_reference}:release`,
          created_by: admin.id,
          lock: { key: before.lock_reference },
          withdrawal_id: id
        }))
        yield* sql`
          UPDATE withdrawals SET status = 'REJECTED', rejected_by = ${admin.id}, rejected_at = ${at},
            rejection_reason = ${reason}, lock_released_at = ${at}, updated_at = now()
          WHERE id = ${id}`
      }), { reason })
  })

  const get = Effect.fn("Withdrawals.get")(function*(actor: Parties.User, id: Ids.WithdrawalId) {
    const withdrawal = yield* withdrawals.find(id).pipe(Effect.provideContext(context))
    yield* visible(actor, withdrawal.entity_id, "process_withdrawal", "withdrawals", id)
    return withdrawal
  })

  const list = Effect.fn("Withdrawals.list")(function*(
    actor: Parties.User,
    query: PageQuery & { readonly entity_id?: Ids.EntityId | undefined }
  ) {
    if (actor.entity_id === null) yield* authorize(actor, "process_withdrawal")
    const entityId = actor.entity_id ?? query.entity_id
    const filter = entityId === undefined ? sql`` : sql`AND entity_id = ${entityId}`
    return yield* withdrawals.page(filter, query).pipe(Effect.provideContext(context))
  })

  return {
    /** A client asks for a withdrawal; the amount is locked at once. */
    request,
    /** An admin starts the payout. */
    process,
    /** A second admin approves a first withdrawal to a new beneficiary. */
    approve,
    /** An admin records the wire sent (after a second admin's approval where needed): the locked amount leaves. */
    complete,
    /** An admin rejects a withdrawal: the lock is released. */
    reject,
    /** One withdrawal the actor may see. */
    get,
    /** Withdrawals: the actor's entity's, or any entity's for an admin. */
    list
  }
})

/**
 * The withdrawal operations, as {@link make} builds them.
 *
 * @category services
 * @since 0.1.0
 */
export type Service = Effect.Success<typeof make>

/**
 * The withdrawals service.
 *
 * @category services
 * @since 0.1.0
 */
export class Withdrawals extends Context.Service<Withdrawals, Service>()("@niha/server/Withdrawals") {}

/**
 * The service as a Layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Withdrawals, never, SqlClient.SqlClient | Repository.Repositories> = Layer.effect(
  Withdrawals,
  make
)
