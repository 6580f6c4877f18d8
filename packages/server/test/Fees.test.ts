/**
 * Fee administration through the SDK against a started server, on both backends: an admin
 * creates, changes and deactivates market configs and entity overrides; the resolved rates
 * follow the precedence override > market > none and fall back when an override is
 * deactivated; bad rates are a 400 that changes nothing; a second active config is a 409;
 * a client may not administer fees (403), reads its own entity's rates, and another
 * entity's answer 404; every change is in the trail.
 */
import { assert, describe, layer } from "@effect/vitest"
import type { Ids } from "@niha/domain"
import { FeesApi, type PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { adminOf, call, clientAtNda, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"

const live = { excludeTestServices: true, timeout: "180 seconds" } as const

/** A rate as the wire takes it (`"0.0025"`), decoded the way the SDK sends it. */
const rate = Schema.decodeSync(FeesApi.Rate)

/** The resolved rates as `source:rate` per side, the rates as the wire writes them. */
const resolvedOf = (client: PromiseClient.Client, entityId: Ids.EntityId, market: "CEA_CASH" | "SWAP" = "CEA_CASH") =>
  Effect.map(call(() => client.fees.resolved({ query: { entity_id: entityId, market } })), (resolved) => {
    const encoded = Schema.encodeSync(FeesApi.ResolvedFees)(resolved)
    return {
      buyer: `${encoded.buyer.source}:${encoded.buyer.rate}`,
      seller: `${encoded.seller.source}:${encoded.seller.rate}`
    }
  })

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`fees through the SDK [${backend}]`, () => {
    layer(TestServer.layer(backend), live)((it) => {
      it.effect("administers configs and overrides, and resolves override > market > none", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin, session } = yield* adminOf(server)
          const alpha = yield* clientAtNda(server, "ines@alpha-fees.example", "Alpha Fees GmbH")
          const beta = yield* clientAtNda(server, "ines@beta-fees.example", "Beta Fees GmbH")
          const a = alpha.entity.id
          const b = beta.entity.id
          assert.deepStrictEqual(yield* resolvedOf(alpha.client, a), {
            buyer: "none:0.000000",
            seller: "none:0.000000"
          })

          const config = yield* call(() =>
            admin.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0.0025"), seller_rate: rate("0.002") }
            })
          )
          assert.isTrue(config.is_active)
          assert.strictEqual(Schema.encodeSync(FeesApi.FeeConfig)(config).buyer_rate, "0.002500")
          assert.deepStrictEqual(yield* resolvedOf(alpha.client, a), {
            buyer: "market:0.002500",
            seller: "market:0.002000"
          })
          const second = yield* failure(() =>
            admin.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0.001"), seller_rate: rate("0.001") }
            })
          )
          assert.strictEqual(second.status, 409)
          assert.strictEqual(second.code, "conflict")

          // A create sent again with its key answers the first row, not a 409.
          const key = "fee-override-alpha-1"
          const override = yield* call(() =>
            admin.fees.createOverride({
              payload: { entity_id: a, market: "CEA_CASH", buyer_rate: rate("0.001"), reason: "volume agreement" },
              headers: { "idempotency-key": key }
            })
          )
          const replayed = yield* call(() =>
            admin.fees.createOverride({
              payload: { entity_id: a, market: "CEA_CASH", buyer_rate: rate("0.001"), reason: "volume agreement" },
              headers: { "idempotency-key": key }
            })
          )
          assert.strictEqual(replayed.id, override.id)
          assert.deepStrictEqual(yield* resolvedOf(alpha.client, a), {
            buyer: "override:0.001000",
            seller: "market:0.002000"
          })
          assert.deepStrictEqual(yield* resolvedOf(beta.client, b), {
            buyer: "market:0.002500",
            seller: "market:0.002000"
          })

          yield* call(() =>
            admin.fees.changeConfig({ params: { id: config.id }, payload: { seller_rate: rate("0.003") } })
          )
          const changed = yield* call(() =>
            admin.fees.changeOverride({ params: { id: override.id }, payload: { seller_rate: rate("0") } })
          )
          assert.strictEqual(changed.reason, "volume agreement")
          assert.deepStrictEqual(yield* resolvedOf(admin, a), {
            buyer: "override:0.001000",
            seller: "override:0.000000"
          })

          // Deactivated, the override gives way to the market; it cannot change again.
          yield* call(() => admin.fees.deactivateOverride({ params: { id: override.id } }))
          assert.deepStrictEqual(yield* resolvedOf(alpha.client, a), {
            buyer: "market:0.002500",
            seller: "market:0.003000"
          })
          const historical = yield* failure(() =>
            admin.fees.changeOverride({ params: { id: override.id }, payload: { buyer_rate: rate("0.002") } })
          )
          assert.strictEqual(historical.status, 409)
          // Deactivated, the config leaves no fee.
          yield* call(() => admin.fees.deactivateConfig({ params: { id: config.id } }))
          assert.deepStrictEqual(yield* resolvedOf(alpha.client, a), {
            buyer: "none:0.000000",
            seller: "none:0.000000"
          })

          const configs = yield* call(() => admin.fees.listConfigs({ query: { market: "CEA_CASH" } }))
          assert.deepStrictEqual(configs.data.map((row) => [row.id, row.is_active]), [[config.id, false]])
          const ofAlpha = yield* call(() => admin.fees.listOverrides({ query: { entity_id: a } }))
          assert.deepStrictEqual(ofAlpha.data.map((row) => row.id), [override.id])
          assert.deepStrictEqual((yield* call(() => admin.fees.listOverrides({ query: { entity_id: b } }))).data, [])

          // The trail, readable beside the server on PostgreSQL only.
          if (server.backend === "postgres") {
            const actions = yield* Effect.gen(function*() {
              const sql = yield* SqlClient.SqlClient
              return yield* sql<{ action: string; user_id: string }>`
                SELECT action, user_id FROM ticket_logs
                WHERE subject_table IN ('trading_fee_configs', 'entity_fee_overrides') ORDER BY created_at, id`
            }).pipe(Effect.provide(Layer.orDie(server.database)), Effect.orDie)
            assert.deepStrictEqual(actions.map((row) => row.action), [
              "trading_fee_configs.create",
              "entity_fee_overrides.create",
              "trading_fee_configs.change",
              "entity_fee_overrides.change",
              "entity_fee_overrides.deactivate",
              "trading_fee_configs.deactivate"
            ])
            assert.isTrue(actions.every((row) => row.user_id === session.user.id))
          }
        }))

      it.effect("refuses bad rates with a 400 that changes nothing, clients with a 403, other entities with a 404", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const { client: admin, session } = yield* adminOf(server)
          const gamma = yield* clientAtNda(server, "ines@gamma-fees.example", "Gamma Fees GmbH")
          const delta = yield* clientAtNda(server, "ines@delta-fees.example", "Delta Fees GmbH")
          const before = yield* call(() => admin.fees.listConfigs({ query: { market: "SWAP" } }))

          const send = (method: string, path: string, body: unknown, bearer = session.token) =>
            Effect.promise(() =>
              fetch(`${server.baseUrl}${path}`, {
                method,
                headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                body: JSON.stringify(body)
              }).then(async (response) => ({
                status: response.status,
                json: await response.json() as { readonly field?: string; readonly code?: string }
              }))
            )
          const bad: ReadonlyArray<unknown> = ["-0.001", "abc", "0.0000001", "0.2", "1", "", "1e-3", 0.0025, null]
          for (const value of bad) {
            const answer = yield* send("POST", "/admin/fee-configs", {
              market: "SWAP",
              buyer_rate: "0.001",
              seller_rate: value
            })
            assert.strictEqual(answer.status, 400, `${JSON.stringify(value)}: ${JSON.stringify(answer.json)}`)
            assert.strictEqual(answer.json.code, "validation_failed")
            assert.strictEqual(answer.json.field, "seller_rate", JSON.stringify(value))
          }
          const created = yield* call(() =>
            admin.fees.createConfig({
              payload: { market: "SWAP", buyer_rate: rate("0.1"), seller_rate: rate("0.0015") }
            })
          )
          for (const value of ["-0.5", "0.1000001", "0.25"]) {
            const change = yield* send("PATCH", `/admin/fee-configs/${created.id}`, { buyer_rate: value })
            assert.strictEqual(change.status, 400, value)
            assert.strictEqual(change.json.field, "buyer_rate", value)
            const override = yield* send("POST", "/admin/fee-overrides", {
              entity_id: gamma.entity.id,
              market: "SWAP",
              buyer_rate: value
            })
            assert.strictEqual(override.status, 400, value)
          }
          const empty = yield* send("POST", "/admin/fee-overrides", { entity_id: gamma.entity.id, market: "SWAP" })
          assert.strictEqual(empty.status, 400)
          assert.strictEqual(empty.json.field, "buyer_rate")
          const nothing = yield* send("PATCH", `/admin/fee-configs/${created.id}`, {})
          assert.deepStrictEqual([nothing.status, nothing.json.field], [400, "buyer_rate"])
          const after = yield* call(() => admin.fees.listConfigs({ query: { market: "SWAP" } }))
          assert.deepStrictEqual(after.data.map((row) => row.id), [...before.data.map((row) => row.id), created.id])
          assert.strictEqual(Schema.encodeSync(FeesApi.FeeConfig)(after.data[0] ?? created).buyer_rate, "0.100000")
          assert.deepStrictEqual(
            (yield* call(() => admin.fees.listOverrides({ query: { entity_id: gamma.entity.id } }))).data,
            []
          )

          // A client administers nothing.
          const denied = yield* failure(() =>
            gamma.client.fees.createConfig({
              payload: { market: "CEA_CASH", buyer_rate: rate("0"), seller_rate: rate("0") }
            })
          )
          assert.strictEqual(denied.status, 403)
          assert.strictEqual(denied.code, "not_permitted")
          assert.strictEqual((yield* failure(() => gamma.client.fees.listOverrides({ query: {} }))).status, 403)
          assert.strictEqual(
            (yield* failure(() => gamma.client.fees.deactivateConfig({ params: { id: created.id } }))).status,
            403
          )
          const stillActive = yield* call(() => admin.fees.listConfigs({ query: { market: "SWAP" } }))
          assert.isTrue(stillActive.data.every((row) => row.is_active))
          assert.notInclude((yield* call(() => gamma.client.account.me())).capabilities, "configure_fees")
          assert.include((yield* call(() => admin.account.me())).capabilities, "configure_fees")

          // Its own entity's rates it reads; another entity's, and an unknown one, are 404.
          assert.deepStrictEqual(yield* resolvedOf(gamma.client, gamma.entity.id, "SWAP"), {
            buyer: "market:0.100000",
            seller: "market:0.001500"
          })
          const other = yield* failure(() =>
            gamma.client.fees.resolved({ query: { entity_id: delta.entity.id, market: "SWAP" } })
          )
          assert.strictEqual(other.status, 404)
          const unknown = yield* failure(() =>
            admin.fees.resolved({
              query: { entity_id: "00000000-0000-4000-8000-000000000000" as Ids.EntityId, market: "SWAP" }
            })
          )
          assert.strictEqual(unknown.status, 404)
        }))
    })
  })
}
