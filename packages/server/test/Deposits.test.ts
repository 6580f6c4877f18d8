/**
 * The `Deposits` service on a real database, driven by the test clock: a first deposit
 * confirmed at another amount, held over Christmas on the TARGET calendar, released by
 * the job on its date; a large one cleared early; one rejected; every balance and stage
 * checked after every step, and the ledger's `verify` clean at the end.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger, Migrations, Repository } from "@niha/db"
import { Errors, type Ids, Money, Onboarding as Rules, type Parties, StateMachine } from "@niha/domain"
import { Admin, Deposits, DocumentStorage, JobRunner, Onboarding, Password, Withdrawals } from "@niha/server"
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
      Layer.mergeAll(Onboarding.layer, Deposits.layer, Withdrawals.layer).pipe(
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
