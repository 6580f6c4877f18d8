/**
 * Funding through the SDK against a started server, on both backends: a company from
 * APPROVED announces a deposit, an admin confirms it at another amount onto an AML hold,
 * clears one early and rejects another; balances after every step; bad input changes
 * nothing; another entity's deposit is a 404; a repeated request with its key moves money
 * once. (The release by the job on its TARGET date runs on the test clock in
 * `Deposits.test.ts`.)
 */
import { assert, describe, layer } from "@effect/vitest"
import { type Ids, Money, Onboarding } from "@niha/domain"
import { PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import { call, clientAtNda, failure } from "./support/Clients.ts"
import { form, mailTo, pdf, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const
/** The admin, and a client user of an entity taken to APPROVED through the API. */
const approvedCompany = (server: TestServer.Running, email: string, company: string) =>
  Effect.gen(function*() {
    const { admin: signedIn, client, entity, token } = yield* clientAtNda(server, email, company)
    const admin = signedIn.client
    yield* call(() =>
      client.kyc.signNda({ payload: form({ bytes: pdf("nda"), name: "nda.pdf", type: "application/pdf" }) })
    )
    for (const type of Onboarding.requiredDocuments) {
      const document = yield* call(() =>
        client.kyc.uploadDocument({
          payload: form({ bytes: pdf(type), name: `${type}.pdf`, type: "application/pdf" }, type)
        })
      )
      yield* call(() => admin.admin.approveDocument({ params: { id: document.id } }))
    }
    yield* call(() => client.kyc.submit())
    yield* call(() => admin.admin.approveEntity({ params: { id: entity.id } }))
    return { admin, client, bearer: token, entityId: entity.id }
  })

const cents = (value: number) => Money.Cents.make(value)

/** Another admin, invited by the first, signed in by its invitation link. */
const secondAdmin = (server: TestServer.Running, admin: PromiseClient.Client) =>
  Effect.gen(function*() {
    const before = server.mails.length
    yield* call(() =>
      admin.admin.createStaff({
        payload: { email: "second@niha.test", first_name: "Sol", last_name: "Berg", role: "ADMIN" }
      })
    )
    const invitation = yield* mailTo(server, "second@niha.test", () => true, before)
    const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
    const session = yield* call(() => anonymous.auth.redeemMagicLink({ payload: { token: tokenOf(invitation.text) } }))
    return PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: session.token })
  })

const eurOf = (client: PromiseClient.Client, entityId: Ids.EntityId) =>
  Effect.map(
    call(() => client.funding.holdings({ params: { id: entityId } })),
    (holdings) => {
      const eur = holdings.find((holding) => holding.asset_type === "EUR")
      return { available: Number(eur?.available ?? 0), locked: Number(eur?.locked ?? 0) }
    }
  )

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`funding through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("takes a deposit to an AML hold and clears it, rejects another, then withdraws and rejects a withdrawal", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { admin, bearer, client, entityId } = yield* approvedCompany(server, "ada@funded.example", "Funded AG")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 0, locked: 0 })

          const key = "deposit-announce-1"
          const announced = yield* call(() =>
            client.funding.announceDeposit({
              payload: { amount: cents(100_000), wire_reference: "NIHA-FUNDED-1" },
              headers: { "idempotency-key": key }
            })
          )
          assert.strictEqual(announced.status, "PENDING")
          const again = yield* call(() =>
            client.funding.announceDeposit({
              payload: { amount: cents(100_000), wire_reference: "NIHA-FUNDED-1" },
              headers: { "idempotency-key": key }
            })
          )
          assert.strictEqual(again.id, announced.id)
          assert.strictEqual((yield* call(() => client.account.me())).user.role, "FUNDING")

          const own = yield* failure(() =>
            client.funding.confirmDeposit({
              params: { id: announced.id },
              payload: { bank_reference: "BANK-1", received_amount: cents(100_000) }
            })
          )
          assert.strictEqual(own.status, 403)

          const held = yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: announced.id },
              payload: { bank_reference: "BANK-1", received_amount: cents(99_950) }
            })
          )
          assert.strictEqual(held.status, "ON_HOLD")
          assert.strictEqual(held.hold_type, "FIRST_DEPOSIT")
          assert.strictEqual(Number(held.amount), 99_950)
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 0, locked: 99_950 })
          assert.strictEqual((yield* call(() => client.account.me())).user.role, "AML")

          const cleared = yield* call(() =>
            admin.funding.clearDeposit({ params: { id: announced.id }, payload: { reason: "remitter verified" } })
          )
          assert.strictEqual(cleared.status, "CLEARED")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 99_950, locked: 0 })
          assert.strictEqual((yield* call(() => client.account.me())).user.role, "CEA")

          const second = yield* call(() =>
            client.funding.announceDeposit({ payload: { amount: cents(20_000), wire_reference: "NIHA-FUNDED-2" } })
          )
          yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: second.id },
              payload: { bank_reference: "BANK-2", received_amount: cents(20_000) }
            })
          )
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 99_950, locked: 20_000 })
          const rejected = yield* call(() =>
            admin.funding.rejectDeposit({ params: { id: second.id }, payload: { reason: "third-party remitter" } })
          )
          assert.strictEqual(rejected.status, "REJECTED")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 99_950, locked: 0 })
          const late = yield* failure(() =>
            admin.funding.clearDeposit({ params: { id: second.id }, payload: { reason: "too late" } })
          )
          assert.strictEqual(late.status, 409)
          assert.strictEqual(late.code, "invalid_transition")

          const listed = yield* call(() => client.funding.listDeposits({ query: {} }))
          assert.deepStrictEqual(listed.data.map((deposit) => deposit.status), ["CLEARED", "REJECTED"])

          // Money out: locked at once, completed to the bank.
          const beneficiary = { beneficiary_name: "Funded AG", iban: "DE89370400440532013000", bic: "DEUTDEFF" }
          const withdrawal = yield* call(() =>
            client.funding.requestWithdrawal({ payload: { amount: cents(30_000), ...beneficiary } })
          )
          assert.strictEqual(withdrawal.status, "PENDING")
          assert.strictEqual(withdrawal.iban, "DE89370400440532013000")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 69_950, locked: 30_000 })
          const tooMuch = yield* failure(() =>
            client.funding.requestWithdrawal({ payload: { amount: cents(80_000), ...beneficiary } })
          )
          assert.strictEqual(tooMuch.status, 409)
          assert.strictEqual(tooMuch.code, "insufficient_funds")
          const tooLittle = yield* failure(() =>
            client.funding.requestWithdrawal({ payload: { amount: cents(5_000), ...beneficiary } })
          )
          assert.strictEqual(tooLittle.code, "limit_exceeded")
          // On the wire an IBAN may be typed with spaces and in lower case; wrong check digits are a 400.
          const typed = (iban: string) =>
            Effect.promise(() =>
              fetch(`${server.baseUrl}/withdrawals`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                body: JSON.stringify({ amount: "200.00", beneficiary_name: "Funded AG", iban })
              }).then(async (response) => ({
                status: response.status,
                json: await response.json() as { readonly field?: string; readonly iban?: string; readonly id?: string }
              }))
            )
          const badIban = yield* typed("DE88 3704 0044 0532 0130 00")
          assert.strictEqual(badIban.status, 400)
          assert.strictEqual(badIban.json.field, "iban")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 69_950, locked: 30_000 })
          const spaced = yield* typed("de89 3704 0044 0532 0130 00")
          assert.strictEqual(spaced.status, 201)
          assert.strictEqual(spaced.json.iban, "DE89370400440532013000")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 49_950, locked: 50_000 })
          yield* call(() =>
            admin.funding.rejectWithdrawal({
              params: { id: spaced.json.id as typeof withdrawal.id },
              payload: { reason: "a test of typing" }
            })
          )
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 69_950, locked: 30_000 })
          const notAdmin = yield* failure(() => client.funding.processWithdrawal({ params: { id: withdrawal.id } }))
          assert.strictEqual(notAdmin.status, 403)
          yield* call(() => admin.funding.processWithdrawal({ params: { id: withdrawal.id } }))
          // Four eyes: a first withdrawal to this IBAN needs a second admin's approval.
          const unapproved = yield* failure(() =>
            admin.funding.completeWithdrawal({ params: { id: withdrawal.id }, payload: { bank_reference: "OUT-1" } })
          )
          assert.strictEqual(unapproved.status, 409)
          assert.include(unapproved.message, "second admin")
          yield* call(() => admin.funding.approveWithdrawal({ params: { id: withdrawal.id } }))
          const sameAdmin = yield* failure(() =>
            admin.funding.completeWithdrawal({ params: { id: withdrawal.id }, payload: { bank_reference: "OUT-1" } })
          )
          assert.include(sameAdmin.message, "cannot also complete")
          const otherAdmin = yield* secondAdmin(server, admin)
          const completed = yield* call(() =>
            otherAdmin.funding.completeWithdrawal({
              params: { id: withdrawal.id },
              payload: { bank_reference: "OUT-1" }
            })
          )
          assert.strictEqual(completed.status, "COMPLETED")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 69_950, locked: 0 })

          // Another is rejected: its lock is released.
          const another = yield* call(() =>
            client.funding.requestWithdrawal({ payload: { amount: cents(20_000), ...beneficiary } })
          )
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 49_950, locked: 20_000 })
          const rejectedOut = yield* call(() =>
            admin.funding.rejectWithdrawal({ params: { id: another.id }, payload: { reason: "beneficiary unknown" } })
          )
          assert.strictEqual(rejectedOut.status, "REJECTED")
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 69_950, locked: 0 })
          const completeRejected = yield* failure(() =>
            admin.funding.completeWithdrawal({ params: { id: another.id }, payload: { bank_reference: "OUT-2" } })
          )
          assert.strictEqual(completeRejected.code, "invalid_transition")
          // The IBAN was paid before: no second approval is needed, nor accepted.
          const known = yield* call(() =>
            client.funding.requestWithdrawal({ payload: { amount: cents(10_000), ...beneficiary } })
          )
          const needless = yield* failure(() => admin.funding.approveWithdrawal({ params: { id: known.id } }))
          assert.strictEqual(needless.status, 409)
          yield* call(() => admin.funding.processWithdrawal({ params: { id: known.id } }))
          yield* call(() =>
            admin.funding.completeWithdrawal({ params: { id: known.id }, payload: { bank_reference: "OUT-3" } })
          )
          assert.deepStrictEqual(yield* eurOf(client, entityId), { available: 59_950, locked: 0 })

          // The journal: every line of the entity's accounts; together they make its holding.
          const journal = yield* call(() => client.funding.journal({ params: { id: entityId }, query: { limit: 100 } }))
          assert.isFalse(journal.has_more)
          assert.isAbove(journal.data.length, 10)
          const { available, locked } = yield* eurOf(client, entityId)
          assert.strictEqual(journal.data.reduce((total, line) => total + Number(line.amount), 0), available + locked)
          const hidden = yield* failure(() =>
            PromiseClient.createClient({ baseUrl: server.baseUrl }).funding.journal({
              params: { id: entityId },
              query: {}
            })
          )
          assert.strictEqual(hidden.status, 401)
        }))

      it.effect("changes nothing on bad input, and hides other entities' deposits", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const a = yield* approvedCompany(server, "ada@alpha-funding.example", "Alpha Funding AG")
          const b = yield* approvedCompany(server, "ada@beta-funding.example", "Beta Funding AG")
          for (const amount of ["-1.00", "0", "0.00", "1.001", "ten", "1e3", ""]) {
            const answer = yield* Effect.promise(() =>
              fetch(`${server.baseUrl}/deposits`, {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${a.bearer}` },
                body: JSON.stringify({ amount, wire_reference: "BAD" })
              }).then(async (response) => ({
                status: response.status,
                json: await response.json() as { readonly field?: string; readonly code?: string }
              }))
            )
            assert.strictEqual(answer.status, 400, `${amount}: ${JSON.stringify(answer.json)}`)
            assert.strictEqual(answer.json.field, "amount", amount)
          }
          assert.deepStrictEqual((yield* call(() => a.client.funding.listDeposits({ query: {} }))).data, [])
          const deposit = yield* call(() =>
            a.client.funding.announceDeposit({ payload: { amount: cents(5_000), wire_reference: "ALPHA" } })
          )
          const hidden = yield* failure(() => b.client.funding.getDeposit({ params: { id: deposit.id } }))
          assert.strictEqual(hidden.status, 404)
          const holdings = yield* failure(() => b.client.funding.holdings({ params: { id: a.entityId } }))
          assert.strictEqual(holdings.status, 404)
        }))
    })
  })
}
