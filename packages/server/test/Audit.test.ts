/**
 * The audit trail through the SDK against a started server, on both backends: a change a
 * service audits leaves its own ticket (with before and after) and no other; a request no
 * service audits (a sign-out, a refused call, invalid input) leaves one ticket of its own,
 * with who, the route and the outcome, and never its body; admins page and filter tickets
 * and activity; clients may not read them; every row is sealed into the hash chain.
 */
import { assert, describe, layer } from "@effect/vitest"
import { AuditChain } from "@niha/db"
import { FeesApi, PromiseClient } from "@niha/sdk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { adminOf, call, clientAtNda, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

const rate = Schema.decodeSync(FeesApi.Rate)

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the audit trail through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("one ticket per state-changing request, a refused one too; admins filter and page them", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin, session } = yield* adminOf(server)
          const adminId = session.user.id
          const alpha = yield* clientAtNda(server, "ines@alpha-audit.example", "Alpha Audit GmbH")
          const alphaId = (yield* call(() => alpha.client.account.me())).user.id
          const started = yield* DateTime.now

          // A change its service audits: its own ticket, with before and after, and no other.
          const config = yield* call(() =>
            admin.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0.0025"), seller_rate: rate("0.002") }
            })
          )
          const ofConfig = yield* call(() => admin.audit.listTickets({ query: { subject_id: config.id } }))
          assert.deepStrictEqual(ofConfig.data.map((ticket) => [ticket.action, ticket.status, ticket.user_id]), [
            ["trading_fee_configs.create", "SUCCESS", adminId]
          ])
          assert.isNull(ofConfig.data[0]?.before_state)
          assert.isNotNull(ofConfig.data[0]?.after_state)
          const generic = yield* call(() =>
            admin.audit.listTickets({ query: { action: "POST /admin/fee-configs", status: "SUCCESS" } })
          )
          assert.deepStrictEqual(generic.data, [])

          // Refused (403) and invalid (400) requests leave a FAILED ticket with who tried.
          const refused = yield* failure(() =>
            alpha.client.fees.createConfig({
              payload: { market: "SWAP", buyer_rate: rate("0.001"), seller_rate: rate("0.001") }
            })
          )
          assert.strictEqual(refused.status, 403)
          const invalid = yield* failure(() => admin.fees.changeConfig({ params: { id: config.id }, payload: {} }))
          assert.strictEqual(invalid.status, 400)
          const failed = yield* call(() => admin.audit.listTickets({ query: { status: "FAILED", from: started } }))
          const failedRows = failed.data.map((ticket) => [ticket.action, ticket.user_id, ticket.response_data])
          assert.deepInclude(failedRows, ["POST /admin/fee-configs", alphaId, { status: 403 }])
          assert.isTrue(
            failed.data.some((ticket) =>
              ticket.action.startsWith("PATCH /admin/fee-configs") ||
              ticket.action === "trading_fee_configs.change"
            ),
            "the invalid change is in the trail"
          )

          // A sign-out and a sign-in, which no service tickets: one ticket each, no secrets.
          const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
          const second = yield* call(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: server.admin.password } })
          )
          const wrong = yield* failure(() =>
            anonymous.auth.login({ payload: { email: server.admin.email, password: "not the password at all 1" } })
          )
          assert.strictEqual(wrong.status, 401)
          const secondClient = PromiseClient.createClient({ baseUrl: server.baseUrl, apiKey: second.token })
          yield* call(() => secondClient.account.logout())
          const logouts = yield* call(() =>
            admin.audit.listTickets({ query: { action: "POST /account/logout", user_id: adminId } })
          )
          assert.deepStrictEqual(logouts.data.map((ticket) => ticket.status), ["SUCCESS"])
          const logins = yield* call(() =>
            admin.audit.listTickets({ query: { action: "POST /auth/login", from: started } })
          )
          assert.deepStrictEqual(logins.data.map((ticket) => ticket.status), ["SUCCESS", "FAILED"])
          const everything = JSON.stringify(
            (yield* call(() => admin.audit.listTickets({ query: { limit: 100, from: started } }))).data
          )
          assert.notInclude(everything, server.admin.password)
          assert.notInclude(everything, "not the password at all 1")
          assert.notInclude(everything, second.token)

          // Filters: by entity (its own row, or by its users), by time, and paging.
          const ofAlpha = yield* call(() => admin.audit.listTickets({ query: { entity_id: alpha.entity.id } }))
          assert.isTrue(ofAlpha.data.some((ticket) => ticket.user_id === alphaId))
          assert.isTrue(
            ofAlpha.data.every((ticket) => ticket.user_id === alphaId || ticket.subject_id === alpha.entity.id)
          )
          const future = DateTime.add(started, { days: 1 })
          assert.deepStrictEqual((yield* call(() => admin.audit.listTickets({ query: { from: future } }))).data, [])
          const first = yield* call(() => admin.audit.listTickets({ query: { limit: 1 } }))
          assert.isTrue(first.has_more)
          const [firstTicket] = first.data
          if (firstTicket === undefined) return assert.fail("no ticket")
          const next = yield* call(() =>
            admin.audit.listTickets({ query: { limit: 1, starting_after: firstTicket.id } })
          )
          assert.notStrictEqual(next.data[0]?.id, first.data[0]?.id)
          assert.isTrue((next.data[0]?.created_at ?? started) >= (first.data[0]?.created_at ?? started))

          // Every row is sealed by the job within a second or so: a place, the hash before it, its own hash.
          let sealed = first
          for (let attempt = 0; attempt < 50 && sealed.data.some((ticket) => ticket.chain_seq === null); attempt++) {
            yield* Effect.sleep("100 millis")
            sealed = yield* call(() => admin.audit.listTickets({ query: { limit: 1 } }))
          }
          for (const ticket of sealed.data) {
            assert.isNumber(ticket.chain_seq)
            assert.match(ticket.prev_hash ?? "", /^[0-9a-f]{64}$/)
            assert.match(ticket.row_hash ?? "", /^[0-9a-f]{64}$/)
          }
          assert.strictEqual(sealed.data[0]?.prev_hash, AuditChain.genesis)

          // Activity lines, by user.
          const activity = yield* call(() => admin.audit.listActivity({ query: { user_id: adminId } }))
          assert.isAbove(activity.data.length, 0)
          assert.isTrue(activity.data.every((line) => line.user_id === adminId))

          // A client may not read the trail.
          assert.strictEqual((yield* failure(() => alpha.client.audit.listTickets({ query: {} }))).status, 403)
          assert.strictEqual((yield* failure(() => alpha.client.audit.listActivity({ query: {} }))).status, 403)
        }))
    })
  })
}
