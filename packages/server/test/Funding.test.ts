/**
 * Funding through the SDK against a started server, on both backends: a company from
 * APPROVED announces a deposit, an admin confirms it at another amount onto an AML hold,
 * clears one early and rejects another; balances after every step; bad input changes
 * nothing; another entity's deposit is a 404; a repeated request with its key moves money
 * once; admins set the AML policy and the withdrawal limits (bad values are a 400 and
 * change nothing), put a deposit on manual review, and holdings show what locked money is
 * locked for. (The release by the job on its TARGET date, and manual review against the
 * job, run on the test clock in `Deposits.test.ts`.)
 */
import { assert, describe, layer } from "@effect/vitest"
import { FundingSettings, type Ids, Money } from "@niha/domain"
import { PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import { call, failure } from "./support/Clients.ts"
import { mailTo, tokenOf } from "./support/Onboarding.ts"
import * as TestServer from "./support/TestServer.ts"
import { approvedCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const
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

      it.effect("lets admins set the AML policy and the withdrawal limits, review a deposit, and see what is locked", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { admin, bearer, client, entityId } = yield* approvedCompany(
            server,
            "ada@settings-funding.example",
            "Settings Funding AG"
          )
          const adminToken = (yield* call(() =>
            PromiseClient.createClient({ baseUrl: server.baseUrl }).auth.login({
              payload: { email: server.admin.email, password: server.admin.password }
            })
          )).token
          const put = (path: string, body: unknown, token = adminToken) =>
            Effect.promise(() =>
              fetch(`${server.baseUrl}/admin/funding-settings/${path}`, {
                method: "PUT",
                headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
                body: JSON.stringify(body)
              }).then(async (response) => ({
                status: response.status,
                json: await response.json() as { readonly field?: string; readonly code?: string }
              }))
            )
          assert.deepStrictEqual(yield* call(() => admin.funding.getSettings()), FundingSettings.defaults)
          assert.strictEqual((yield* failure(() => client.funding.getSettings())).status, 403)

          // Bad values are a 400 naming the field, and change nothing.
          const hold = { FIRST_DEPOSIT: 3, SUBSEQUENT: 1, LARGE_AMOUNT: 2 }
          const badPolicies: ReadonlyArray<readonly [unknown, string]> = [
            [{ large_amount_threshold: "0.00", hold_business_days: hold }, "large_amount_threshold"],
            [{ large_amount_threshold: "-5.00", hold_business_days: hold }, "large_amount_threshold"],
            [{ large_amount_threshold: "1.001", hold_business_days: hold }, "large_amount_threshold"],
            [{ large_amount_threshold: "100.00", hold_business_days: { ...hold, FIRST_DEPOSIT: -1 } }, "FIRST_DEPOSIT"],
            [{ large_amount_threshold: "100.00", hold_business_days: { ...hold, SUBSEQUENT: 1.5 } }, "SUBSEQUENT"],
            [{ large_amount_threshold: "100.00", hold_business_days: { ...hold, LARGE_AMOUNT: 61 } }, "LARGE_AMOUNT"],
            [{ large_amount_threshold: "100.00" }, "hold_business_days"]
          ]
          for (const [body, field] of badPolicies) {
            const answer = yield* put("aml-policy", body)
            assert.strictEqual(answer.status, 400, JSON.stringify(body))
            assert.include(answer.json.field ?? "", field, JSON.stringify(answer.json))
          }
          const badLimits: ReadonlyArray<readonly [unknown, string]> = [
            [{ minimum: "0.00", max_per_24h: "100.00", max_per_7d: "100.00" }, "minimum"],
            [{ minimum: "100.00", max_per_24h: "99.99", max_per_7d: "1000.00" }, "max_per_24h"],
            [{ minimum: "100.00", max_per_24h: "1000.00", max_per_7d: "999.99" }, "max_per_7d"],
            [{ minimum: "ten", max_per_24h: "1000.00", max_per_7d: "1000.00" }, "minimum"]
          ]
          for (const [body, field] of badLimits) {
            const answer = yield* put("withdrawal-limits", body)
            assert.strictEqual(answer.status, 400, JSON.stringify(body))
            assert.include(answer.json.field ?? "", field, JSON.stringify(answer.json))
          }
          const forbidden = yield* put(
            "aml-policy",
            { large_amount_threshold: "100.00", hold_business_days: hold },
            bearer
          )
          assert.strictEqual(forbidden.status, 403)
          assert.deepStrictEqual(yield* call(() => admin.funding.getSettings()), FundingSettings.defaults)

          // A new policy applies from the next confirmation on.
          const policy = { large_amount_threshold: cents(1_000_000), hold_business_days: { ...hold, FIRST_DEPOSIT: 4 } }
          const changed = yield* call(() => admin.funding.setAmlPolicy({ payload: policy }))
          assert.deepStrictEqual(changed.aml_policy, policy)
          const deposit = yield* call(() =>
            client.funding.announceDeposit({ payload: { amount: cents(80_000), wire_reference: "SETTINGS-1" } })
          )
          const held = yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: deposit.id },
              payload: { bank_reference: "BANK-S1", received_amount: cents(80_000) }
            })
          )
          assert.deepStrictEqual([held.hold_type, held.hold_business_days], ["FIRST_DEPOSIT", 4])

          // Manual review: admins only, once, with a reason; ended before its date it stays held.
          const notAdmin = yield* failure(() =>
            client.funding.reviewDeposit({ params: { id: deposit.id }, payload: { reason: "mine" } })
          )
          assert.strictEqual(notAdmin.status, 403)
          const reviewed = yield* call(() =>
            admin.funding.reviewDeposit({ params: { id: deposit.id }, payload: { reason: "remitter unclear" } })
          )
          assert.isTrue(reviewed.manual_review)
          const twice = yield* failure(() =>
            admin.funding.reviewDeposit({ params: { id: deposit.id }, payload: { reason: "again" } })
          )
          assert.strictEqual(twice.status, 409)
          const ended = yield* call(() =>
            admin.funding.endDepositReview({ params: { id: deposit.id }, payload: { reason: "remitter known" } })
          )
          assert.deepStrictEqual([ended.status, ended.manual_review], ["ON_HOLD", false])
          yield* call(() => admin.funding.clearDeposit({ params: { id: deposit.id }, payload: { reason: "verified" } }))

          // New limits apply from the next request on.
          const limits = { minimum: cents(5_000), max_per_24h: cents(20_000), max_per_7d: cents(30_000) }
          assert.deepStrictEqual(
            (yield* call(() => admin.funding.setWithdrawalLimits({ payload: limits }))).withdrawal_limits,
            limits
          )
          const beneficiary = { beneficiary_name: "Settings Funding AG", iban: "DE89370400440532013000" }
          const overDay = yield* failure(() =>
            client.funding.requestWithdrawal({
              payload: { amount: cents(25_000), ...beneficiary },
              headers: { "idempotency-key": "over-the-day" }
            })
          )
          assert.strictEqual(overDay.code, "limit_exceeded")
          yield* call(() => client.funding.requestWithdrawal({ payload: { amount: cents(15_000), ...beneficiary } }))

          // What locked money is locked for, as decimal strings on the wire; the parts sum to locked.
          const second = yield* call(() =>
            client.funding.announceDeposit({ payload: { amount: cents(9_000), wire_reference: "SETTINGS-2" } })
          )
          yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: second.id },
              payload: { bank_reference: "BANK-S2", received_amount: cents(9_000) }
            })
          )
          const wire = yield* Effect.promise(() =>
            fetch(`${server.baseUrl}/entities/${entityId}/holdings`, { headers: { authorization: `Bearer ${bearer}` } })
              .then((response) => response.json() as Promise<ReadonlyArray<Record<string, unknown>>>)
          )
          const eur = wire.find((holding) => holding["asset_type"] === "EUR")
          assert.deepStrictEqual(eur?.["locked_for"], {
            aml_holds: "90.00",
            withdrawals: "150.00",
            orders: "0.00",
            other: "0.00"
          })
          assert.deepStrictEqual([eur?.["available"], eur?.["locked"]], ["650.00", "240.00"])
          for (const holding of yield* call(() => client.funding.holdings({ params: { id: entityId } }))) {
            const { aml_holds, orders, other, withdrawals } = holding.locked_for
            assert.strictEqual(aml_holds + withdrawals + orders + other, holding.locked, holding.asset_type)
          }

          // The refused request was recorded, after its transaction (readable on PostgreSQL only).
          if (server.backend === "postgres") {
            const failed = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              return yield* sql<{ action: string; subject_id: string; response_data: { readonly error: string } }>`
                SELECT action, subject_id, response_data FROM ticket_logs WHERE status = 'FAILED'
                  AND action = 'withdrawals.request' AND subject_id = ${entityId}`
            }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)
            assert.deepStrictEqual(failed.map((row) => row.response_data.error), ["LimitExceeded"])
          }
          yield* call(() => admin.funding.setWithdrawalLimits({ payload: FundingSettings.defaults.withdrawal_limits }))
          yield* call(() => admin.funding.setAmlPolicy({ payload: FundingSettings.defaults.aml_policy }))
        }))
    })
  })
}
