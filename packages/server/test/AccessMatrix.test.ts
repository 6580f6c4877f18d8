/**
 * The access-control matrix (issue #18): every endpoint of the contract that takes an
 * object id, called on an object of one client entity (the owner, at stage CEA) by an
 * anonymous caller, the admin, and a user of another entity at every role and stage,
 * against one expected table kept here. Cells: 1 = 401, 3 = 403, 4 = 404, 2 = let through
 * (any other answer but a 5xx: 2xx, or a 400/409 of the business rules). An endpoint of
 * the contract with an id in its path and no row fails the suite by name, so endpoints
 * added on other branches must be given their row.
 *
 * Beside the matrix: nobody sets their own role, stage or status, and onboarding steps
 * cannot be skipped.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Api, PromiseClient } from "@niha/sdk"
import { Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { adminOf, call, clientAtNda, failure, strongPassword } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { tradingCompany } from "./support/Trading.ts"

// A second connection to the server's database is needed (PGlite is one session).
const backend: TestServer.Backend = "postgres"
const live = { excludeTestServices: true, timeout: "600 seconds" } as const
const generous = { limit: 1_000_000, window: "1 minute" } as const

/** The callers, in the order of the table's columns (and of the calls). */
const otherRoles = [
  "MM",
  "NDA",
  "REJECTED",
  "KYC",
  "APPROVED",
  "FUNDING",
  "AML",
  "CEA",
  "CEA_SETTLE",
  "SWAP",
  "EUA_SETTLE",
  "EUA"
] as const
const columns = ["anonymous", ...otherRoles, "ADMIN", "owner"] as const
type Column = (typeof columns)[number]

/**
 * THE EXPECTED TABLE: one row per endpoint with an object id, one cell per column:
 * anonymous, MM, NDA, REJECTED, KYC, APPROVED, FUNDING, AML, CEA, CEA_SETTLE, SWAP,
 * EUA_SETTLE, EUA (each of another entity; MM has none), ADMIN, the owner. A client's
 * objects are not found (404) by users of other entities who could act on their own
 * (so ids tell nothing), and forbidden (403) to roles that may not act at all; orders are
 * their entity's alone, not even the admin's to amend or cancel.
 */
const expected: Record<string, string> = {
  //                                a MNRKAFACCSEE A o
  "account.revokeSession": "1 444444444444 4 2",
  "account.revokeApiKey": "1 444444444444 4 2",
  "kyc.getDocument": "1 444444444444 2 2",
  "kyc.downloadDocument": "1 444444444444 2 2",
  "admin.getContactRequest": "1 333333333333 2 3",
  "admin.assignContactRequest": "1 333333333333 2 3",
  "admin.convertContactRequest": "1 333333333333 2 3",
  "admin.rejectContactRequest": "1 333333333333 2 3",
  "admin.getKycFile": "1 333333333333 2 3",
  "admin.approveDocument": "1 333333333333 2 3",
  "admin.rejectDocument": "1 333333333333 2 3",
  "funding.getDeposit": "1 444444444444 2 2",
  "funding.confirmDeposit": "1 333333333333 2 3",
  "funding.clearDeposit": "1 333333333333 2 3",
  "funding.reviewDeposit": "1 333333333333 2 3",
  "funding.endDepositReview": "1 333333333333 2 3",
  "funding.rejectDeposit": "1 333333333333 2 3",
  "funding.getWithdrawal": "1 444444444444 2 2",
  "funding.processWithdrawal": "1 333333333333 2 3",
  "funding.approveWithdrawal": "1 333333333333 2 3",
  "funding.completeWithdrawal": "1 333333333333 2 3",
  "funding.rejectWithdrawal": "1 333333333333 2 3",
  "funding.journal": "1 444444444444 2 2",
  "funding.holdings": "1 444444444444 2 2",
  "fees.changeConfig": "1 333333333333 2 3",
  "fees.deactivateConfig": "1 333333333333 2 3",
  "fees.changeOverride": "1 333333333333 2 3",
  "fees.deactivateOverride": "1 333333333333 2 3",
  "orders.getOrder": "1 444444444444 2 2",
  "orders.amendOrder": "1 433333344444 3 2",
  "orders.cancelOrder": "1 433333344444 3 2",
  "ledger.adjust": "1 333333333333 2 3",
  "admin.approveEntity": "1 333333333333 2 3",
  "admin.rejectEntity": "1 333333333333 2 3"
}

/** Endpoints whose path parameter is not an object id. */
const notObjectIds = new Set([
  "marketData.book",
  "marketData.top",
  "marketData.trades",
  "marketData.ticker",
  "marketData.candles",
  "marketData.stream"
])

const cellsOf = (row: string): Array<string> => row.replaceAll(" ", "").split("")

const classify = (status: number): string =>
  status === 401 ? "1" : status === 403 ? "3" : status === 404 ? "4" : status >= 500 ? `5xx(${status})` : "2"

const post = (baseUrl: string, token: string, path: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return (await response.json()) as Record<string, unknown>
  })

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(`the access-control matrix [${backend}]`, () => {
  layer(
    TestServer.layer(backend, {
      limits: {
        loginsPerAddress: generous,
        linksPerAddress: generous,
        linksPerEmail: generous,
        contactRequestsPerAddress: generous,
        passwordChangesPerSession: generous
      }
    }),
    live
  )((it) => {
    it.effect("has a row for every endpoint of the contract that takes an object id", () =>
      Effect.sync(() => {
        const missing: Array<string> = []
        for (const group of Object.values(Api.Api.groups)) {
          for (const endpoint of Object.values(group.endpoints)) {
            const name = `${group.identifier}.${endpoint.identifier}`
            if (endpoint.path.includes(":") && !notObjectIds.has(name) && expected[name] === undefined) {
              missing.push(`${name} (${endpoint.method} ${endpoint.path})`)
            }
          }
        }
        assert.deepStrictEqual(missing, [], "give these endpoints a row in the expected table of AccessMatrix.test.ts")
        for (const [name, row] of Object.entries(expected)) {
          assert.strictEqual(cellsOf(row).length, columns.length, name)
        }
      }))

    it.effect("answers every caller on another's objects as the table says", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const admin = yield* adminOf(server)
        const anonymous = PromiseClient.createClient({ baseUrl: server.baseUrl })
        const onDatabase = <A>(effect: Effect.Effect<A, unknown, SqlClient.SqlClient>) =>
          effect.pipe(Effect.provide(server.database), Effect.orDie)

        // The owner: a company at stage CEA with cleared EUR and a password, its objects made through the API.
        const owner = yield* tradingCompany(server, "owner@matrix.test", "Owner Matrix", 500_000)
        yield* call(() => owner.client.account.changePassword({ payload: { new_password: strongPassword } }))
        const login = (email: string) =>
          call(() => anonymous.auth.login({ payload: { email, password: strongPassword } }))
        const ownerSession = yield* login("owner@matrix.test")
        const targetSession = yield* login("owner@matrix.test")
        const ownerToken = ownerSession.token
        const key = yield* call(() => owner.client.account.createApiKey({ payload: { name: "matrix" } }))
        const deposit = yield* post(server.baseUrl, ownerToken, "/deposits", {
          amount: "100.00",
          wire_reference: "WIRE-MATRIX"
        })
        const withdrawal = yield* post(server.baseUrl, ownerToken, "/withdrawals", {
          amount: "200.00",
          beneficiary_name: "Owner Matrix BV",
          iban: "DE89370400440532013000"
        })
        const placed = yield* post(server.baseUrl, ownerToken, "/orders", {
          market: "CEA_CASH",
          side: "BUY",
          type: "LIMIT",
          quantity: "1",
          price: "10.00"
        })
        const config = yield* post(server.baseUrl, admin.session.token, "/admin/fee-configs", {
          market: "CEA_CASH",
          buyer_rate: "0.0025",
          seller_rate: "0.002"
        })
        const override = yield* post(server.baseUrl, admin.session.token, "/admin/fee-overrides", {
          entity_id: owner.entityId,
          market: "CEA_CASH",
          buyer_rate: "0.001",
          reason: "matrix"
        })
        const { contactRequest, document } = yield* onDatabase(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [request] = yield* sql<{ id: string }>`
            SELECT id FROM contact_requests WHERE contact_email = 'owner@matrix.test'`
          const [kyc] = yield* sql<
            { id: string }
          >`SELECT id FROM kyc_documents WHERE entity_id = ${owner.entityId} LIMIT 1`
          return { contactRequest: request?.id, document: kyc?.id }
        }))
        const order = (placed["order"] as { readonly id?: string } | undefined)?.id
        const ids: Record<string, string | undefined> = {
          "account.revokeSession": targetSession.session_id,
          "account.revokeApiKey": key.api_key.id,
          "kyc.getDocument": document,
          "kyc.downloadDocument": document,
          "admin.getContactRequest": contactRequest,
          "admin.assignContactRequest": contactRequest,
          "admin.convertContactRequest": contactRequest,
          "admin.rejectContactRequest": contactRequest,
          "admin.getKycFile": owner.entityId,
          "admin.approveDocument": document,
          "admin.rejectDocument": document,
          "admin.approveEntity": owner.entityId,
          "admin.rejectEntity": owner.entityId,
          "funding.journal": owner.entityId,
          "funding.holdings": owner.entityId,
          "ledger.adjust": owner.entityId,
          "fees.changeConfig": config["id"] as string | undefined,
          "fees.deactivateConfig": config["id"] as string | undefined,
          "fees.changeOverride": override["id"] as string | undefined,
          "fees.deactivateOverride": override["id"] as string | undefined,
          "orders.getOrder": order,
          "orders.amendOrder": order,
          "orders.cancelOrder": order
        }
        for (const name of Object.keys(expected)) {
          if (name.startsWith("funding.") && name.includes("Deposit")) ids[name] = deposit["id"] as string | undefined
          if (name.startsWith("funding.") && name.includes("Withdrawal")) {
            ids[name] = withdrawal["id"] as string | undefined
          }
        }
        const reason = { reason: "checked by the matrix" }
        const bodies: Record<string, unknown> = {
          "admin.assignContactRequest": { agent_id: admin.session.user.id },
          "admin.rejectContactRequest": reason,
          "admin.rejectDocument": reason,
          "admin.rejectEntity": reason,
          "funding.confirmDeposit": { bank_reference: "BANK-MATRIX", received_amount: "100.00" },
          "funding.clearDeposit": reason,
          "funding.rejectDeposit": reason,
          "funding.reviewDeposit": reason,
          "funding.endDepositReview": reason,
          "funding.completeWithdrawal": { bank_reference: "BANK-MATRIX" },
          "funding.rejectWithdrawal": reason,
          "orders.amendOrder": { quantity: "2" },
          "ledger.adjust": { asset_type: "EUR", amount: "1.00", reason: "matrix" },
          "fees.changeConfig": { buyer_rate: "0.003" },
          "fees.changeOverride": { buyer_rate: "0.002" }
        }

        // A user of another entity at every role and stage (MM has no entity), signed in.
        const hashed = yield* Password.hash(strongPassword).pipe(
          Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
        )
        const tokens: Partial<Record<Column, string>> = { ADMIN: admin.session.token, owner: ownerToken }
        for (const role of otherRoles) {
          const email = `${role.toLowerCase()}@matrix.test`
          yield* onDatabase(Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const [entity] = role === "MM" ?
              [{ id: null }] :
              yield* sql<{ id: string }>`
                INSERT INTO entities (name, jurisdiction) VALUES (${`Other ${role}`}, 'EU') RETURNING id`
            yield* sql`
              INSERT INTO users (email, first_name, last_name, role, entity_id, password_hash)
              VALUES (${email}, 'Otto', 'Other', ${role}, ${entity?.id ?? null}, ${hashed})`
          }))
          tokens[role] = (yield* login(email)).token
        }

        const mismatches: Array<string> = []
        let calls = 0
        for (const group of Object.values(Api.Api.groups)) {
          for (const endpoint of Object.values(group.endpoints)) {
            const name = `${group.identifier}.${endpoint.identifier}`
            const row = expected[name]
            if (row === undefined) continue
            const id = ids[name]
            if (id === undefined) {
              mismatches.push(`${name}: the suite made no object for it`)
              continue
            }
            const cells = cellsOf(row)
            const path = endpoint.path.replace(":id", id)
            const hasBody = endpoint.method !== "GET" && endpoint.method !== "DELETE"
            for (const [index, column] of columns.entries()) {
              const token = tokens[column]
              const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
              if (hasBody) headers["content-type"] = "application/json"
              const answer = yield* Effect.promise(async () => {
                const response = await fetch(`${server.baseUrl}${path}`, {
                  method: endpoint.method,
                  headers,
                  ...(hasBody ? { body: JSON.stringify(bodies[name] ?? {}) } : {})
                })
                return { status: response.status, text: await response.text() }
              })
              calls++
              const got = classify(answer.status)
              if (got !== cells[index]) {
                mismatches.push(
                  `${name} as ${column}: expected ${cells[index]}, got ${answer.status} ${answer.text.slice(0, 160)}`
                )
              }
            }
          }
        }
        console.log(
          `access matrix: ${Object.keys(expected).length} endpoints x ${columns.length} callers, ${calls} calls`
        )
        assert.deepStrictEqual(mismatches, [])
      }))

    it.effect("lets nobody set their own role, stage or status, nor skip an onboarding step", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServer
        const { client, entity, token } = yield* clientAtNda(server, "climber@matrix.test", "Climber")
        const send = (method: string, path: string, body: unknown) =>
          Effect.promise(async () => {
            const response = await fetch(`${server.baseUrl}${path}`, {
              method,
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify(body)
            })
            return response.status
          })
        const escalation = { role: "ADMIN", stage: "CEA", status: "APPROVED", is_active: true, entity_id: null }
        // No endpoint writes a user's own fields: the methods are not served.
        for (const method of ["PATCH", "PUT", "POST"]) {
          assert.strictEqual(yield* send(method, "/account", escalation), 405)
        }
        // Extra fields on endpoints that take a body are not applied.
        yield* send("POST", "/account/api-keys", { name: "sneaky", ...escalation })
        yield* send("POST", "/kyc/submit", escalation)
        yield* send("POST", `/admin/entities/${entity.id}/kyc/approve`, escalation)
        const me = yield* call(() => client.account.me())
        assert.strictEqual(me.user.role, "NDA")
        assert.isTrue(me.user.is_active)
        assert.strictEqual(me.user.entity_id, entity.id)
        // Steps cannot be skipped: at NDA nothing of a later stage is allowed.
        assert.strictEqual(yield* send("POST", "/kyc/submit", {}), 403)
        assert.strictEqual(yield* send("POST", `/admin/entities/${entity.id}/kyc/approve`, {}), 403)
        assert.strictEqual(yield* send("POST", "/deposits", { amount: "100.00", wire_reference: "SKIP" }), 403)
        assert.strictEqual(
          yield* send("POST", "/withdrawals", {
            amount: "200.00",
            beneficiary_name: "Climber BV",
            iban: "DE89370400440532013000"
          }),
          403
        )
        assert.strictEqual(
          yield* send("POST", "/orders", {
            market: "CEA_CASH",
            side: "BUY",
            type: "LIMIT",
            quantity: "1",
            price: "10.00"
          }),
          403
        )
        const refused = yield* failure(() => client.kyc.submit())
        assert.strictEqual(refused.status, 403)
        assert.strictEqual((yield* call(() => client.account.me())).user.role, "NDA")
      }))
  })
})
