/**
 * The access-control matrix (issue #18): every endpoint of the contract that takes an
 * object id, called on an object of one client entity (the owner, at stage CEA) by an
 * anonymous caller, the admin, and a user of another entity at every role and stage,
 * against one expected table kept here. Cells: 1 = 401, 3 = 403, 4 = 404, 2 = let through
 * (any other answer but a 5xx: 2xx, or a 400/409 of the business rules). An endpoint of
 * the contract with an id in its path and no row fails the suite by name, so endpoints
 * added on other branches must be given their row. A market maker's endpoints have rows too
 * (their object is a market maker of an MM user: the owner column is then a client like the
 * rest), and its own MM user is checked beside the table.
 *
 * Beside the matrix: nobody sets their own role, stage or status, and onboarding steps
 * cannot be skipped.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Api, PromiseClient } from "@niha/sdk"
import { Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import { adminOf, call, clientAtNda, failure, staffWithPassword, strongPassword } from "./support/Clients.ts"
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
  "admin.rejectEntity": "1 333333333333 2 3",
  "settlements.getSettlement": "1 444444444444 2 2",
  "settlements.advanceSettlement": "1 333333333333 2 3",
  "settlements.failSettlement": "1 333333333333 2 3",
  "settlements.resolveSettlement": "1 333333333333 2 3",
  "swaps.getSwap": "1 444444444444 2 2",
  "swaps.cancelSwap": "1 433333344444 3 2",
  "inventory.allocateLot": "1 333333333333 2 3",
  // A seller's orders: the object is an external seller, the admin's alone.
  "inventory.placeSellerOrder": "1 333333333333 2 3",
  "inventory.listSellerOrders": "1 333333333333 2 3",
  "inventory.cancelSellerOrder": "1 333333333333 2 3",
  "configuration.changeMailConfig": "1 333333333333 2 3",
  "configuration.testMailConfig": "1 333333333333 2 3",
  "configuration.changeScrapingSource": "1 333333333333 2 3",
  "configuration.fetchScrapingSource": "1 333333333333 2 3",
  "configuration.changeExchangeRateSource": "1 333333333333 2 3",
  "configuration.fetchExchangeRateSource": "1 333333333333 2 3",
  "autoTrade.getRule": "1 333333333333 2 3",
  "autoTrade.updateRule": "1 333333333333 2 3",
  "autoTrade.setRuleEnabled": "1 333333333333 2 3",
  // Runs after the rule's other endpoints (the API's order): the admin's call deletes it.
  "autoTrade.deleteRule": "1 333333333333 2 3",
  // A market maker's: its object is a market maker of an MM user (not the owner, a client);
  // the MM column is an MM user of no market maker, the owner column a client like the rest.
  "marketMakers.setMarketMakerActive": "1 333333333333 2 3",
  "marketMakers.placeOrder": "1 433333333333 2 3",
  "marketMakers.listOrders": "1 433333333333 2 3",
  "marketMakers.cancelOrder": "1 433333333333 2 3"
}

/** Endpoints whose path parameter is not an object id. */
const notObjectIds = new Set([
  "marketData.book",
  "marketData.top",
  "marketData.trades",
  "marketData.ticker",
  "marketData.candles",
  "marketData.stream",
  "autoTrade.setMarketSettings",
  "autoTrade.provideLiquidity"
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
        // Objects of the admin's: a mail config, a price source, an exchange-rate source (unreachable hosts).
        const mailConfig = yield* post(server.baseUrl, admin.session.token, "/admin/mail-configs", {
          provider: "smtp",
          from_email: "noreply@matrix.test",
          smtp_host: "127.0.0.1",
          smtp_port: 9,
          smtp_use_tls: false
        })
        const scraping = yield* post(server.baseUrl, admin.session.token, "/admin/scraping-sources", {
          name: "Matrix close",
          url: "http://127.0.0.1:9/cea.json",
          certificate_type: "CEA",
          currency: "CNY",
          library: "HTTPX",
          selector: "data.close"
        })
        const rates = yield* post(server.baseUrl, admin.session.token, "/admin/exchange-rate-sources", {
          name: "Matrix rates",
          url: "http://127.0.0.1:9/eur",
          base_currency: "EUR",
          quote_currency: "CNY",
          selector: "rates.CNY"
        })
        // A settlement batch of the owner's: a second company sells to its resting buy.
        const seller = yield* tradingCompany(server, "seller@matrix.test", "Seller Matrix", 1)
        yield* call(() =>
          admin.client.ledger.adjust({
            params: { id: seller.entityId },
            payload: { asset_type: "CEA", amount: "10", reason: "matrix" }
          })
        )
        yield* post(server.baseUrl, ownerToken, "/orders", {
          market: "CEA_CASH",
          side: "BUY",
          type: "LIMIT",
          quantity: "1",
          price: "11.00"
        })
        yield* call(() =>
          seller.client.orders.placeOrder({
            payload: { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "1", price: "11.00" }
          })
        )
        // A lot of the seller's registry account, for the batch.
        const lotSeller = yield* call(() =>
          admin.client.inventory.registerSeller({
            payload: { name: "Matrix Power", code: "MTX-01", jurisdiction: "CN", registry_account: "CN-REG-MATRIX" }
          })
        )
        const lot = yield* call(() =>
          admin.client.inventory.registerLot({
            payload: {
              certificate_type: "CEA",
              quantity: "1",
              serial_number: "CEA-MATRIX-0001",
              vintage_year: 2025,
              seller_id: lotSeller.id,
              entity_id: seller.entityId
            }
          })
        )
        // A seller's resting sell order, on a lot of its own, placed by the admin.
        const orderSeller = yield* call(() =>
          admin.client.inventory.registerSeller({
            payload: { name: "Matrix Wind", code: "MTX-02", jurisdiction: "CN", registry_account: "CN-REG-MATRIX-2" }
          })
        )
        yield* call(() =>
          admin.client.inventory.registerLot({
            payload: {
              certificate_type: "CEA",
              quantity: "5",
              serial_number: "CEA-MATRIX-0002",
              vintage_year: 2025,
              seller_id: orderSeller.id
            }
          })
        )
        const sellerOrder = yield* call(() =>
          admin.client.inventory.placeSellerOrder({
            params: { id: orderSeller.id },
            payload: { quantity: "1", price: "99.00" }
          })
        )
        // A swap of the owner's: requested at stage SWAP (set by SQL for the request alone), then back at CEA.
        yield* call(() =>
          admin.client.ledger.adjust({
            params: { id: owner.entityId },
            payload: { asset_type: "CEA", amount: "100", reason: "matrix" }
          })
        )
        const setOwnerRole = (role: string) =>
          onDatabase(Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* sql`UPDATE users SET role = ${role} WHERE email = 'owner@matrix.test'`
          }))
        yield* setOwnerRole("SWAP")
        const swap = yield* post(server.baseUrl, ownerToken, "/swaps", { eua_quantity: "10", rate: "1.1000" })
        yield* setOwnerRole("CEA")
        // A market maker of an MM user's, with an auto-trade rule and a resting order the admin placed for it.
        const maker = yield* staffWithPassword(server, "maker@matrix.test")
        const makerUserId = (yield* call(() => maker.client.account.me())).user.id
        const marketMaker = yield* call(() =>
          admin.client.marketMakers.createMarketMaker({
            payload: { user_id: makerUserId, name: "Matrix Desk", mm_type: "CEA_SELLER" }
          })
        )
        yield* call(() =>
          admin.client.ledger.adjust({
            params: { id: marketMaker.entity_id },
            payload: { asset_type: "CEA", amount: "100", reason: "matrix" }
          })
        )
        const makerOrder = yield* call(() =>
          admin.client.marketMakers.placeOrder({
            params: { id: marketMaker.market_maker.id },
            payload: { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "1", price: "99.00" }
          })
        )
        const rule = yield* call(() =>
          admin.client.autoTrade.createRule({
            payload: {
              market_maker_id: marketMaker.market_maker.id,
              name: "matrix",
              market: "CEA_CASH",
              side: "SELL",
              is_enabled: false,
              price_mode: "fixed",
              fixed_price: "99.00",
              quantity_mode: "fixed",
              fixed_quantity: 1,
              interval_seconds: 60
            }
          })
        )
        const { batch, contactRequest, document } = yield* onDatabase(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [request] = yield* sql<{ id: string }>`
            SELECT id FROM contact_requests WHERE contact_email = 'owner@matrix.test'`
          const [kyc] = yield* sql<
            { id: string }
          >`SELECT id FROM kyc_documents WHERE entity_id = ${owner.entityId} LIMIT 1`
          const [settlement] = yield* sql<{ id: string }>`
            SELECT id FROM settlement_batches WHERE entity_id = ${owner.entityId} LIMIT 1`
          return { batch: settlement?.id, contactRequest: request?.id, document: kyc?.id }
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
          "orders.cancelOrder": order,
          "settlements.getSettlement": batch,
          "settlements.advanceSettlement": batch,
          "settlements.failSettlement": batch,
          "settlements.resolveSettlement": batch,
          "swaps.getSwap": (swap["swap"] as { readonly id?: string } | undefined)?.id,
          "swaps.cancelSwap": (swap["swap"] as { readonly id?: string } | undefined)?.id,
          "inventory.allocateLot": lot.certificate.id,
          "inventory.placeSellerOrder": orderSeller.id,
          "inventory.listSellerOrders": orderSeller.id,
          "inventory.cancelSellerOrder": orderSeller.id,
          "configuration.changeMailConfig": mailConfig["id"] as string | undefined,
          "configuration.testMailConfig": mailConfig["id"] as string | undefined,
          "configuration.changeScrapingSource": scraping["id"] as string | undefined,
          "configuration.fetchScrapingSource": scraping["id"] as string | undefined,
          "configuration.changeExchangeRateSource": rates["id"] as string | undefined,
          "configuration.fetchExchangeRateSource": rates["id"] as string | undefined,
          "autoTrade.getRule": rule.id,
          "autoTrade.updateRule": rule.id,
          "autoTrade.setRuleEnabled": rule.id,
          "autoTrade.deleteRule": rule.id,
          "marketMakers.setMarketMakerActive": marketMaker.market_maker.id,
          "marketMakers.placeOrder": marketMaker.market_maker.id,
          "marketMakers.listOrders": marketMaker.market_maker.id,
          "marketMakers.cancelOrder": marketMaker.market_maker.id
        }
        /** Path parameters beside `:id`. */
        const otherParams: Record<string, Record<string, string>> = {
          "marketMakers.cancelOrder": { order_id: makerOrder.order.id },
          "inventory.cancelSellerOrder": { orderId: sellerOrder.order.id }
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
          "fees.changeOverride": { buyer_rate: "0.002" },
          "settlements.advanceSettlement": { to: "TRANSFER_INITIATED", registry_reference: "REG-MATRIX" },
          "settlements.failSettlement": reason,
          "settlements.resolveSettlement": { resolution: "REVERSAL", note: "matrix" },
          "inventory.allocateLot": { settlement_batch_id: batch },
          "inventory.placeSellerOrder": { quantity: "1", price: "99.00" },
          "configuration.changeMailConfig": { from_name: "Matrix" },
          "configuration.testMailConfig": { to: "ops@matrix.test" },
          "configuration.changeScrapingSource": { is_active: false },
          "configuration.changeExchangeRateSource": { is_active: false },
          "autoTrade.updateRule": {
            name: "matrix",
            market: "CEA_CASH",
            side: "SELL",
            price_mode: "fixed",
            fixed_price: "98.00",
            quantity_mode: "fixed",
            fixed_quantity: 1,
            interval_seconds: 60
          },
          "autoTrade.setRuleEnabled": { is_enabled: false },
          "marketMakers.setMarketMakerActive": { is_active: true },
          "marketMakers.placeOrder": { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "1", price: "98.00" }
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
            const path = Object.entries(otherParams[name] ?? {}).reduce(
              (done, [param, value]) => done.replace(`:${param}`, value),
              endpoint.path.replace(":id", id)
            )
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
        // The market maker's own MM user, whom the columns do not hold: let through on its market maker's
        // orders, refused (403) the admin's switch.
        const makerCalls: ReadonlyArray<readonly [string, string, string, unknown, number | "2"]> = [
          ["GET", `/market-makers/${marketMaker.market_maker.id}/orders`, "listOrders", undefined, "2"],
          [
            "POST",
            `/market-makers/${marketMaker.market_maker.id}/orders`,
            "placeOrder",
            bodies["marketMakers.placeOrder"],
            "2"
          ],
          [
            "POST",
            `/market-makers/${marketMaker.market_maker.id}/orders/${makerOrder.order.id}/cancel`,
            "cancelOrder",
            {},
            "2"
          ],
          ["POST", `/admin/market-makers/${marketMaker.market_maker.id}/active`, "setMarketMakerActive", {
            is_active: true
          }, 403]
        ]
        for (const [method, path, name, body, want] of makerCalls) {
          const status = yield* Effect.promise(async () => {
            const response = await fetch(`${server.baseUrl}${path}`, {
              method,
              headers: { authorization: `Bearer ${maker.token}`, "content-type": "application/json" },
              ...(body === undefined ? {} : { body: JSON.stringify(body) })
            })
            return response.status
          })
          if (classify(status) !== (want === "2" ? "2" : classify(want))) {
            mismatches.push(`marketMakers.${name} as its market maker's MM user: expected ${want}, got ${status}`)
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
