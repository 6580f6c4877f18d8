/**
 * The `Deposits` service on a real database, driven by the test clock: a first deposit
 * confirmed at another amount, held over Christmas on the TARGET calendar, released by
 * the job on its date; a large one cleared early; one rejected; every balance and stage
 * checked after every step, and the ledger's `verify` clean at the end. Then manual
 * review (the job leaves a reviewed deposit held; ending the review releases it), the
 * admins' settings (hold lengths, threshold, withdrawal limits) used from the next request
 * on and audited, refused attempts recorded as FAILED tickets, and what locked money is
 * locked for.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger, Migrations, Repository, Transaction } from "@niha/db"
import {
  Errors,
  FundingSettings as Settings,
  type Ids,
  Money,
  Onboarding as Rules,
  type Parties,
  StateMachine
} from "@niha/domain"
import {
  Admin,
  Audit,
  Deposits,
  DocumentStorage,
  FundingSettings,
  JobRunner,
  Onboarding,
  Password,
  Withdrawals
} from "@niha/server"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestClock from "effect/testing/TestClock"
import { pdf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const services = (backend: TestServer.Backend) =>
  Effect.map(
    TestServer.freshDatabase(backend),
    (database) =>
      Layer.mergeAll(Onboarding.layer, Deposits.layer, Withdrawals.layer, FundingSettings.layer).pipe(
        Layer.provideMerge(Layer.merge(Repository.Repositories.layer, DocumentStorage.layerMemory)),
        Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
      )
  )

const cents = (value: number) => Money.Cents.make(value)

const userOf = (id: Ids.UserId) =>
  Effect.gen(function*() {
    const repositories = yield* Repository.Repositories
    return yield* Effect.orDie(repositories.users.findById(id))
  })

/** An admin and a client user of an APPROVED entity, through the onboarding service. */
const approvedClient = Effect.gen(function*() {
  const onboarding = yield* Onboarding.Onboarding
  const created = yield* Admin.ensureFirst("admin@deposits.test").pipe(
    Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
  )
  if (created === undefined) return yield* Effect.die("no admin was made")
  const admin = created.user
  const { id } = yield* onboarding.submitContactRequest({
    entity_name: "Funded Energy BV",
    contact_email: "fin@funded.example",
    contact_first_name: "Fin",
    contact_last_name: "Dekker",
    jurisdiction: "EU"
  })
  const { user, entity } = yield* onboarding.convertContactRequest(admin, id)
  const upload = (name: string) => ({ bytes: pdf(name), file_name: `${name}.pdf`, mime_type: "application/pdf" })
  const client = yield* onboarding.signNda(user, upload("nda"))
  for (const type of Rules.requiredDocuments) {
    const document = yield* onboarding.uploadDocument(client, type, upload(type))
    yield* onboarding.reviewDocument(admin, document.id, { to: "APPROVED" })
  }
  yield* onboarding.submitKyc(client)
  yield* onboarding.decideEntity(admin, entity.id, { to: "APPROVED" })
  // The signed-in user as the next request would see it, at APPROVED.
  return { admin, client: yield* userOf(user.id), entityId: entity.id }
})

const eur = (admin: Parties.User, entityId: Ids.EntityId) =>
  Effect.gen(function*() {
    const deposits = yield* Deposits.Deposits
    const holding = (yield* deposits.holdings(admin, entityId)).find((row) => row.asset_type === "EUR")
    return { available: Number(holding?.available ?? 0), locked: Number(holding?.locked ?? 0) }
  })

const releaseRound = JobRunner.runDue({ [Deposits.releaseJob]: Deposits.releaseHandler }, { instance: "test" })

const epoch = (iso: string) => DateTime.toEpochMillis(DateTime.makeUnsafe(iso))
const untilOf = (deposit: { readonly hold_until: DateTime.Utc | null }) =>
  deposit.hold_until === null ? Effect.die("the deposit has no release date") : Effect.succeed(deposit.hold_until)

const beneficiary = { beneficiary_name: "Funded Energy BV", iban: "DE89370400440532013000" }

/** The audit rows of an action, oldest first. */
const tickets = (action: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      readonly status: string
      readonly user_id: string | null
      readonly subject_table: string | null
      readonly subject_id: string | null
      readonly request_payload: unknown
      readonly response_data: unknown
      readonly before_state: unknown
      readonly after_state: unknown
    }>`
      SELECT status::text AS status, user_id, subject_table, subject_id, request_payload, response_data, before_state,
        after_state
      FROM ticket_logs WHERE action = ${action} ORDER BY created_at, id`)

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the Deposits service [${backend}]`, () => {
    it.effect(
      "holds a first deposit over Christmas, releases it on its TARGET date, and clears and rejects others",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-22T10:00:00Z")))
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const deposits = yield* Deposits.Deposits
            const { admin, client, entityId } = yield* approvedClient
            assert.strictEqual((yield* userOf(client.id)).role, "APPROVED")

            // The client announces a wire; its stage moves to FUNDING.
            const announced = yield* deposits.announce(client, { amount: cents(100_000), wire_reference: "NIHA-1" })
            assert.strictEqual(announced.status, "PENDING")
            assert.strictEqual((yield* userOf(client.id)).role, "FUNDING")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 0, locked: 0 })

            // A client may not confirm its own deposit.
            const own = yield* Effect.flip(
              deposits.confirm(yield* userOf(client.id), announced.id, {
                bank_reference: "BANK-1",
                received_amount: cents(100_000)
              })
            )
            assert.instanceOf(own, Errors.NotPermitted)

            // Confirmed at the amount received: held 3 TARGET days, past 25 and 26 December.
            const held = yield* deposits.confirm(admin, announced.id, {
              bank_reference: "BANK-1",
              received_amount: cents(99_950)
            })
            assert.strictEqual(held.status, "ON_HOLD")
            assert.strictEqual(held.aml_status, "ON_HOLD")
            assert.strictEqual(held.hold_type, "FIRST_DEPOSIT")
            assert.strictEqual(held.amount, cents(99_950))
            assert.strictEqual(
              held.hold_until === null ? "" : DateTime.formatIso(held.hold_until),
              "2026-12-28T00:00:00.000Z"
            )
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 0, locked: 99_950 })
            assert.strictEqual((yield* userOf(client.id)).role, "AML")
            // Confirming again is a transition the machine refuses.
            const twice = yield* Effect.flip(
              deposits.confirm(admin, announced.id, { bank_reference: "BANK-1", received_amount: cents(99_950) })
            )
            assert.instanceOf(twice, StateMachine.InvalidTransition)

            // The job waits for the date...
            yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-27T23:59:00Z")))
            assert.strictEqual(yield* releaseRound, 0)
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 0, locked: 99_950 })
            // ...and releases the hold on it.
            yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-28T00:00:00Z")))
            assert.strictEqual(yield* releaseRound, 1)
            assert.strictEqual((yield* deposits.get(admin, announced.id)).status, "CLEARED")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 99_950, locked: 0 })
            assert.strictEqual((yield* userOf(client.id)).role, "CEA")
            assert.isFalse(yield* deposits.releaseDue(announced.id))

            // A large deposit gets LARGE_AMOUNT and is cleared early by an admin.
            const large = yield* deposits.announce(client, { amount: cents(15_000_000), wire_reference: "NIHA-2" })
            const largeHeld = yield* deposits.confirm(admin, large.id, {
              bank_reference: "BANK-2",
              received_amount: cents(15_000_000)
            })
            assert.strictEqual(largeHeld.hold_type, "LARGE_AMOUNT")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 99_950, locked: 15_000_000 })
            const cleared = yield* deposits.clear(admin, large.id, "source of funds documented")
            assert.strictEqual(cleared.status, "CLEARED")
            assert.strictEqual(cleared.clear_reason, "source of funds documented")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 15_099_950, locked: 0 })

            // Another is rejected on hold: its money goes back.
            const doubtful = yield* deposits.announce(client, { amount: cents(50_000), wire_reference: "NIHA-3" })
            yield* deposits.confirm(admin, doubtful.id, { bank_reference: "BANK-3", received_amount: cents(50_000) })
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 15_099_950, locked: 50_000 })
            const rejected = yield* deposits.reject(admin, doubtful.id, "remitter is not the client")
            assert.strictEqual(rejected.status, "REJECTED")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 15_099_950, locked: 0 })
            assert.strictEqual((yield* userOf(client.id)).role, "CEA")
            const late = yield* Effect.flip(deposits.clear(admin, doubtful.id, "too late"))
            assert.instanceOf(late, StateMachine.InvalidTransition)

            const sql = yield* SqlClient.SqlClient
            const report = yield* Ledger.make(sql).verify
            assert.isTrue(report.ok, JSON.stringify(report))
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    it.effect(
      "keeps a deposit on manual review held on its date, releases it when the review ends, and lets admins decide",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(epoch("2026-12-01T10:00:00Z"))
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const deposits = yield* Deposits.Deposits
            const { admin, client, entityId } = yield* approvedClient
            const held = (amount: number, reference: string) =>
              Effect.flatMap(
                deposits.announce(client, { amount: cents(amount), wire_reference: reference }),
                (announced) =>
                  deposits.confirm(admin, announced.id, { bank_reference: reference, received_amount: cents(amount) })
              )

            const first = yield* held(100_000, "REVIEW-1")
            assert.isFalse(first.manual_review)
            const notAdmin = yield* Effect.flip(deposits.review(yield* userOf(client.id), first.id, "mine"))
            assert.instanceOf(notAdmin, Errors.NotPermitted)
            const onReview = yield* deposits.review(admin, first.id, "source of funds unclear")
            assert.isTrue(onReview.manual_review)
            assert.strictEqual(onReview.status, "ON_HOLD")
            assert.instanceOf(yield* Effect.flip(deposits.review(admin, first.id, "again")), Errors.Conflict)

            // On its date the job runs, and leaves the deposit held: no money moves.
            yield* TestClock.setTime(DateTime.toEpochMillis(yield* untilOf(first)))
            assert.strictEqual(yield* releaseRound, 1)
            assert.strictEqual((yield* deposits.get(admin, first.id)).status, "ON_HOLD")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 0, locked: 100_000 })
            assert.isFalse(yield* deposits.releaseDue(first.id))
            assert.strictEqual(yield* releaseRound, 0)

            // The review ends after the date: released at once, as the job would have done.
            yield* TestClock.adjust("2 days")
            const released = yield* deposits.endReview(admin, first.id, "source of funds documented")
            assert.strictEqual(released.status, "CLEARED")
            assert.isFalse(released.manual_review)
            assert.isNull(released.cleared_by_admin_id)
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 100_000, locked: 0 })
            assert.strictEqual((yield* userOf(client.id)).role, "CEA")

            // A review that ends before the date leaves the release to the job on its date.
            const second = yield* held(20_000, "REVIEW-2")
            yield* deposits.review(admin, second.id, "remitter name differs")
            const ended = yield* deposits.endReview(admin, second.id, "remitter is the parent company")
            assert.strictEqual(ended.status, "ON_HOLD")
            assert.isFalse(ended.manual_review)
            assert.strictEqual(yield* releaseRound, 0)
            yield* TestClock.setTime(DateTime.toEpochMillis(yield* untilOf(second)))
            assert.strictEqual(yield* releaseRound, 1)
            assert.strictEqual((yield* deposits.get(admin, second.id)).status, "CLEARED")
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 120_000, locked: 0 })

            // Admins may still clear or reject a deposit on review.
            const third = yield* held(30_000, "REVIEW-3")
            yield* deposits.review(admin, third.id, "check the remitter")
            const cleared = yield* deposits.clear(admin, third.id, "remitter checked")
            assert.strictEqual(cleared.status, "CLEARED")
            assert.isFalse(cleared.manual_review)
            const fourth = yield* held(40_000, "REVIEW-4")
            yield* deposits.review(admin, fourth.id, "check the remitter")
            const rejected = yield* deposits.reject(admin, fourth.id, "remitter is not the client")
            assert.strictEqual(rejected.status, "REJECTED")
            assert.isFalse(rejected.manual_review)
            assert.instanceOf(yield* Effect.flip(deposits.endReview(admin, fourth.id, "late")), Errors.Conflict)
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 150_000, locked: 0 })

            // Each review is in the trail with its reason; the refused ones as FAILED.
            const reviews = yield* tickets("deposits.review")
            assert.deepStrictEqual(
              reviews.map((row) => [row.status, row.subject_id, row.request_payload]),
              [
                ["FAILED", first.id, { reason: "mine" }],
                ["SUCCESS", first.id, { reason: "source of funds unclear" }],
                ["FAILED", first.id, { reason: "again" }],
                ["SUCCESS", second.id, { reason: "remitter name differs" }],
                ["SUCCESS", third.id, { reason: "check the remitter" }],
                ["SUCCESS", fourth.id, { reason: "check the remitter" }]
              ]
            )
            assert.deepStrictEqual(reviews[0]?.response_data, {
              error: "NotPermitted",
              message: notAdmin.message
            })
            const ends = yield* tickets("deposits.end_review")
            assert.deepStrictEqual(ends.map((row) => row.status), ["SUCCESS", "SUCCESS", "FAILED"])
            const sql = yield* SqlClient.SqlClient
            assert.isTrue((yield* Ledger.make(sql).verify).ok)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    it.effect(
      "confirms and limits with the admins' settings from the next request on, audits each change, records refusals",
      () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(epoch("2026-12-01T10:00:00Z"))
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const deposits = yield* Deposits.Deposits
            const withdrawals = yield* Withdrawals.Withdrawals
            const settings = yield* FundingSettings.FundingSettings
            const sql = yield* SqlClient.SqlClient
            const { admin, client, entityId } = yield* approvedClient
            assert.deepStrictEqual(yield* settings.get(admin), Settings.defaults)
            assert.instanceOf(yield* Effect.flip(settings.get(client)), Errors.NotPermitted)
            const held = (amount: number, reference: string) =>
              Effect.flatMap(
                deposits.announce(client, { amount: cents(amount), wire_reference: reference }),
                (announced) =>
                  deposits.confirm(admin, announced.id, { bank_reference: reference, received_amount: cents(amount) })
              )

            // Longer holds and a lower threshold, from the next confirmation on.
            const policy = {
              large_amount_threshold: cents(50_000),
              hold_business_days: { FIRST_DEPOSIT: 5, SUBSEQUENT: 1, LARGE_AMOUNT: 4 }
            }
            const changed = yield* settings.setAmlPolicy(admin, policy)
            assert.deepStrictEqual(changed, { ...Settings.defaults, aml_policy: policy })
            const first = yield* held(100_000, "SET-1")
            assert.deepStrictEqual([first.hold_type, first.hold_business_days], ["FIRST_DEPOSIT", 5])
            assert.strictEqual(DateTime.formatIso(yield* untilOf(first)), "2026-12-08T00:00:00.000Z")
            yield* deposits.clear(admin, first.id, "remitter verified")
            const large = yield* held(60_000, "SET-2")
            assert.deepStrictEqual([large.hold_type, large.hold_business_days], ["LARGE_AMOUNT", 4])
            const small = yield* held(10_000, "SET-3")
            assert.deepStrictEqual([small.hold_type, small.hold_business_days], ["SUBSEQUENT", 1])
            const [amlChange] = yield* tickets("funding_settings.aml_policy")
            assert.strictEqual(amlChange?.user_id, admin.id)
            assert.deepStrictEqual(amlChange?.before_state, {
              key: "aml_policy",
              value: {
                large_amount_threshold: "100000.00",
                hold_business_days: { FIRST_DEPOSIT: 3, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
              }
            })
            assert.deepStrictEqual(amlChange?.after_state, {
              key: "aml_policy",
              value: {
                large_amount_threshold: "500.00",
                hold_business_days: { FIRST_DEPOSIT: 5, SUBSEQUENT: 1, LARGE_AMOUNT: 4 }
              }
            })
            const activity = yield* sql<{ count: number }>`
              SELECT count(*)::int AS count FROM activity_logs
              WHERE user_id = ${admin.id} AND action = 'funding_settings.aml_policy'`
            assert.strictEqual(activity[0]?.count, 1)

            // Tighter withdrawal limits, from the next request on.
            const limits = { minimum: cents(5_000), max_per_24h: cents(30_000), max_per_7d: cents(40_000) }
            yield* settings.setWithdrawalLimits(admin, limits)
            assert.deepStrictEqual((yield* settings.get(admin)).withdrawal_limits, limits)
            const funded = yield* userOf(client.id)
            const tooSmall = yield* Effect.flip(withdrawals.request(funded, { amount: cents(4_000), ...beneficiary }))
            assert.instanceOf(tooSmall, Errors.LimitExceeded)
            assert.deepStrictEqual([tooSmall.limit, tooSmall.bound], ["minimum", "50.00"])
            const out = yield* withdrawals.request(funded, { amount: cents(25_000), ...beneficiary })
            // Inside a request's outer transaction, as `Idempotency.once` runs it: the refusal
            // is written after that transaction rolled back.
            const overDay = yield* Effect.flip(
              Audit.keepingRefusals(
                Transaction.run(withdrawals.request(funded, { amount: cents(10_000), ...beneficiary }))
              )
            )
            assert.instanceOf(overDay, Errors.LimitExceeded)
            assert.deepStrictEqual([overDay.limit, overDay.remaining], ["max_per_24h", "50.00"])
            const refusals = yield* tickets("withdrawals.request")
            assert.deepStrictEqual(
              refusals.map((row) => [row.status, row.subject_table, row.subject_id]),
              [
                ["FAILED", "entities", entityId],
                ["SUCCESS", "withdrawals", out.id],
                ["FAILED", "entities", entityId]
              ]
            )
            assert.deepStrictEqual(refusals[2]?.request_payload, {
              amount: "100.00",
              beneficiary_name: beneficiary.beneficiary_name,
              iban: beneficiary.iban,
              bic: null
            })
            assert.deepStrictEqual(refusals[2]?.response_data, { error: "LimitExceeded", message: overDay.message })
            // Nothing else changed: one withdrawal, its amount the only one locked for withdrawals.
            const [count] = yield* sql<{ count: number }>`SELECT count(*)::int AS count FROM withdrawals`
            assert.strictEqual(count?.count, 1)

            // A client confirming its own deposit, a transition the machine refuses: FAILED tickets.
            const own = yield* deposits.announce(client, { amount: cents(7_000), wire_reference: "SET-4" })
            yield* Effect.flip(deposits.confirm(funded, own.id, { bank_reference: "X", received_amount: cents(7_000) }))
            yield* Effect.flip(deposits.clear(admin, first.id, "again"))
            const confirms = yield* tickets("deposits.confirm")
            assert.deepStrictEqual(confirms.at(-1)?.response_data, {
              error: "NotPermitted",
              message: new Errors.NotPermitted({ action: "confirm_deposit", role: "CEA", allowed: ["ADMIN"] }).message
            })
            assert.strictEqual(confirms.at(-1)?.status, "FAILED")
            assert.deepStrictEqual((yield* tickets("deposits.clear")).map((row) => row.status), ["SUCCESS", "FAILED"])
            assert.strictEqual((yield* deposits.get(admin, own.id)).status, "PENDING")

            // What locked money is locked for: the holds and the withdrawal, then an order's lock.
            const balance = (yield* (yield* Deposits.Deposits).holdings(admin, entityId)).find((row) =>
              row.asset_type === "EUR"
            )
            assert.deepStrictEqual(balance?.locked_for, { aml_holds: 70_000, withdrawals: 25_000, orders: 0, other: 0 })
            assert.strictEqual(balance?.locked, 95_000)
            yield* Ledger.make(sql).apply(Ledger.lockForOrder({
              key: "orders:test-lock",
              entity_id: entityId,
              order_id: "00000000-0000-4000-8000-000000000001",
              asset: "EUR",
              amount: 12_345
            }))
            const holdings = yield* deposits.holdings(admin, entityId)
            for (const holding of holdings) {
              const { aml_holds, orders, other, withdrawals } = holding.locked_for
              assert.strictEqual(aml_holds + withdrawals + orders + other, holding.locked, holding.asset_type)
            }
            assert.deepStrictEqual(holdings.find((row) => row.asset_type === "EUR")?.locked_for, {
              aml_holds: 70_000,
              withdrawals: 25_000,
              orders: 12_345,
              other: 0
            })
            assert.isTrue((yield* Ledger.make(sql).verify).ok)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    if (backend === "postgres") {
      it.effect(
        "never takes a balance below zero when twenty withdrawals race",
        () =>
          Effect.scoped(Effect.gen(function*() {
            yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T10:00:00Z")))
            const context = yield* Layer.build(yield* services(backend))
            yield* Effect.gen(function*() {
              const deposits = yield* Deposits.Deposits
              const withdrawals = yield* Withdrawals.Withdrawals
              const { admin, client, entityId } = yield* approvedClient
              const deposit = yield* deposits.announce(client, { amount: cents(99_950), wire_reference: "POOL" })
              yield* deposits.confirm(admin, deposit.id, { bank_reference: "B", received_amount: cents(99_950) })
              yield* deposits.clear(admin, deposit.id, "verified")
              const funded = yield* userOf(client.id)
              const attempts = yield* Effect.all(
                Array.from({ length: 20 }, () =>
                  Effect.result(
                    withdrawals.request(funded, {
                      amount: cents(10_000),
                      beneficiary_name: "Funded Energy BV",
                      iban: "DE89370400440532013000"
                    })
                  )),
                { concurrency: 20 }
              )
              const accepted = attempts.filter((attempt) => attempt._tag === "Success").length
              const refused = attempts.flatMap((attempt) => attempt._tag === "Failure" ? [attempt.failure] : [])
              assert.strictEqual(accepted, 9)
              for (const error of refused) assert.instanceOf(error, Errors.InsufficientFunds)
              assert.deepStrictEqual(yield* eur(admin, entityId), { available: 9_950, locked: 90_000 })
              const sql = yield* SqlClient.SqlClient
              assert.isTrue((yield* Ledger.make(sql).verify).ok)
            }).pipe(Effect.provideContext(context))
          })),
        { timeout: 120_000 }
      )

      it.effect("posts a hold once when twenty releases race", () =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-12-01T10:00:00Z")))
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const deposits = yield* Deposits.Deposits
            const { admin, client, entityId } = yield* approvedClient
            const deposit = yield* deposits.announce(client, { amount: cents(70_000), wire_reference: "RACE" })
            yield* deposits.confirm(admin, deposit.id, { bank_reference: "B", received_amount: cents(70_000) })
            yield* TestClock.adjust("30 days")
            const released = yield* Effect.all(Array.from({ length: 20 }, () => deposits.releaseDue(deposit.id)), {
              concurrency: 20
            })
            assert.strictEqual(released.filter((done) => done).length, 1)
            assert.deepStrictEqual(yield* eur(admin, entityId), { available: 70_000, locked: 0 })
            const sql = yield* SqlClient.SqlClient
            assert.isTrue((yield* Ledger.make(sql).verify).ok)
          }).pipe(Effect.provideContext(context))
        })), { timeout: 120_000 })
    }
  })
}
