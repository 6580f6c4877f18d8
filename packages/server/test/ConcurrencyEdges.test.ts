/**
 * Concurrency edges through real HTTP (issue #18), on both backends: twenty admins'
 * releases of one AML hold racing post it once; one `Idempotency-Key` sent a hundred
 * times at once has one effect and a hundred identical answers; the same key with another
 * body is a 409. On PGlite the requests are serialized by its one session, which still
 * checks that every answer is the first one's.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Money } from "@niha/domain"
import * as Effect from "effect/Effect"
import { call } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { approvedCompany, balanceOf } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

const raw = (url: string, init: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    return {
      status: response.status,
      replayed: response.headers.get("idempotent-replayed"),
      text,
      json: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> | undefined
    }
  })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`concurrency edges [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("posts an AML hold's release once when twenty releases race", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { admin, client, entityId } = yield* approvedCompany(server, "race@hold.test", "Race Hold")
          const amount = Money.Cents.make(70_000)
          const deposit = yield* call(() =>
            client.funding.announceDeposit({ payload: { amount, wire_reference: "WIRE-RACE" } })
          )
          yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: deposit.id },
              payload: { bank_reference: "BANK-RACE", received_amount: amount }
            })
          )
          assert.deepStrictEqual(yield* balanceOf(admin, entityId, "EUR"), { available: 0, locked: 70_000 })
          const outcomes = yield* Effect.forEach(
            Array.from({ length: 20 }, (_, i) => i),
            (i) =>
              Effect.promise(() =>
                admin.funding.clearDeposit({ params: { id: deposit.id }, payload: { reason: `verified ${i}` } }).then(
                  (cleared) => ({ status: 200, cleared }),
                  (error: { readonly status?: number; readonly code?: string }) => ({
                    status: error.status ?? 0,
                    code: error.code
                  })
                )
              ),
            { concurrency: "unbounded" }
          )
          const statuses = outcomes.map((outcome) => outcome.status).sort()
          assert.strictEqual(statuses.filter((status) => status === 200).length, 1, JSON.stringify(outcomes))
          assert.deepStrictEqual(statuses.filter((status) => status !== 200), Array(19).fill(409))
          assert.deepStrictEqual(yield* balanceOf(admin, entityId, "EUR"), { available: 70_000, locked: 0 })
          const journal = yield* call(() => admin.funding.journal({ params: { id: entityId }, query: {} }))
          // One release transfer: its two legs on the entity (held to available), no second.
          const releases = journal.data.flatMap((entry) => {
            const key = entry.idempotency_key ?? ""
            return key.includes(":release#") ? [key.slice(key.indexOf(":release#") + 1)] : []
          }).sort()
          assert.deepStrictEqual(releases, ["release#0", "release#1"], JSON.stringify(journal.data))
        }))

      it.effect("runs one Idempotency-Key sent 100 times at once once, answers all alike, and 409s another body", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { admin, bearer, client, entityId } = yield* approvedCompany(server, "keys@idem.test", "Keyed")
          const amount = Money.Cents.make(100_000)
          const deposit = yield* call(() =>
            client.funding.announceDeposit({ payload: { amount, wire_reference: "WIRE-KEYED" } })
          )
          yield* call(() =>
            admin.funding.confirmDeposit({
              params: { id: deposit.id },
              payload: { bank_reference: "BANK-KEYED", received_amount: amount }
            })
          )
          yield* call(() => admin.funding.clearDeposit({ params: { id: deposit.id }, payload: { reason: "verified" } }))
          const post = (body: object) =>
            raw(`${server.baseUrl}/withdrawals`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                authorization: `Bearer ${bearer}`,
                "idempotency-key": "withdraw-7c1e"
              },
              body: JSON.stringify(body)
            })
          const body = { amount: "200.00", beneficiary_name: "Keyed BV", iban: "DE89370400440532013000" }
          const answers = yield* Effect.forEach(Array.from({ length: 100 }, () => body), post, {
            concurrency: "unbounded"
          })
          const first = answers[0]
          assert.isDefined(first)
          for (const answer of answers) {
            assert.strictEqual(answer.status, 201, answer.text)
            assert.deepStrictEqual(answer.json, first?.json)
          }
          assert.strictEqual(answers.filter((answer) => answer.replayed === null).length, 1)
          const withdrawals = yield* call(() => client.funding.listWithdrawals({ query: {} }))
          assert.strictEqual(withdrawals.data.length, 1)
          assert.deepStrictEqual(yield* balanceOf(admin, entityId, "EUR"), { available: 80_000, locked: 20_000 })
          const other = yield* post({ ...body, amount: "300.00" })
          assert.strictEqual(other.status, 409)
          assert.strictEqual(other.json?.["code"], "idempotency_key_reused")
          assert.deepStrictEqual(yield* balanceOf(admin, entityId, "EUR"), { available: 80_000, locked: 20_000 })
        }))
    })
  })
}
