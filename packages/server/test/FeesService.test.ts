/**
 * The `Fees` service on a real database, on both backends: configs and overrides created,
 * changed and deactivated with their audit rows; resolution precedence (override, market,
 * none) and the fall-back of a deactivated override; one active row per key (409, also for
 * two concurrent creates); rates above the maximum refused; clients may not administer and
 * see only their own entity's rates; `schedule` loads what is in force.
 */
import { assert, describe, it } from "@effect/vitest"
import { Migrations, Repository } from "@niha/db"
import { Errors, FeeSchedule, type Ids, type Parties, Rate } from "@niha/domain"
import { Admin, DocumentStorage, Fees, Onboarding, Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestServer from "./support/TestServer.ts"

const services = (backend: TestServer.Backend) =>
  Effect.map(TestServer.freshDatabase(backend), (database) =>
    Layer.merge(Onboarding.layer, Fees.layer).pipe(
      Layer.provideMerge(Layer.merge(Repository.Repositories.layer, DocumentStorage.layerMemory)),
      Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
    ))

const ppm = (value: number) => Rate.Ppm.make(value)

const firstAdmin = Effect.gen(function*() {
  const created = yield* Admin.ensureFirst("admin@fees.test").pipe(
    Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
  )
  if (created === undefined) return yield* Effect.die("no admin was made")
  return created.user
})

/** A client user (at NDA) of a new entity. */
const clientOf = (admin: Parties.User, email: string, company: string) =>
  Effect.gen(function*() {
    const onboarding = yield* Onboarding.Onboarding
    const { id } = yield* onboarding.submitContactRequest({
      entity_name: company,
      contact_email: email,
      contact_first_name: "Ines",
      contact_last_name: "Fischer",
      jurisdiction: "EU"
    })
    const converted = yield* onboarding.convertContactRequest(admin, id)
    return { user: converted.user, entityId: converted.entity.id }
  })

/** The resolved rates as `source:rate` per side, for short assertions. */
const rates = (actor: Parties.User, entityId: Ids.EntityId, market: "CEA_CASH" | "SWAP" = "CEA_CASH") =>
  Effect.map(Effect.flatMap(Fees.Fees, (fees) => fees.resolved(actor, entityId, market)), (resolved) => ({
    buyer: `${resolved.buyer.source}:${resolved.buyer.rate}`,
    seller: `${resolved.seller.source}:${resolved.seller.rate}`
  }))

const count = (table: "trading_fee_configs" | "entity_fee_overrides") =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(table)}`, ([row]) => row?.n ?? -1)
  )

for (const { backend, skipReason } of TestServer.backends) {
  describe.skipIf(skipReason !== undefined)(`the Fees service [${backend}]`, () => {
    it.effect(
      "administers configs and overrides, resolves with precedence, and audits every change",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const fees = yield* Fees.Fees
            const sql = yield* SqlClient.SqlClient
            const admin = yield* firstAdmin
            const a = yield* clientOf(admin, "ines@alpha-fees.example", "Alpha Fees GmbH")
            const b = yield* clientOf(admin, "ines@beta-fees.example", "Beta Fees GmbH")

            // Nothing configured: no fee.
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "none:0", seller: "none:0" })

            const config = yield* fees.createConfig(admin, {
              market: "CEA_CASH",
              buyer_rate: ppm(2500),
              seller_rate: ppm(2000)
            })
            assert.isTrue(config.is_active)
            assert.strictEqual(config.updated_by, admin.id)
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "market:2500", seller: "market:2000" })
            // The other market is still without a fee.
            assert.deepStrictEqual(yield* rates(a.user, a.entityId, "SWAP"), { buyer: "none:0", seller: "none:0" })

            // One active config per market.
            const second = yield* Effect.flip(
              fees.createConfig(admin, { market: "CEA_CASH", buyer_rate: ppm(1), seller_rate: ppm(1) })
            )
            assert.instanceOf(second, Errors.Conflict)
            assert.strictEqual(yield* count("trading_fee_configs"), 1)

            // An override of the buyer side only: the seller side stays the market's.
            const override = yield* fees.createOverride(admin, {
              entity_id: a.entityId,
              market: "CEA_CASH",
              buyer_rate: ppm(1000),
              reason: "volume agreement"
            })
            assert.strictEqual(override.seller_rate, null)
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "override:1000", seller: "market:2000" })
            assert.deepStrictEqual(yield* rates(b.user, b.entityId), { buyer: "market:2500", seller: "market:2000" })
            const again = yield* Effect.flip(
              fees.createOverride(admin, { entity_id: a.entityId, market: "CEA_CASH", seller_rate: ppm(5) })
            )
            assert.instanceOf(again, Errors.Conflict)
            assert.strictEqual(yield* count("entity_fee_overrides"), 1)
            // An override of nothing, or of an entity that does not exist, changes nothing.
            assert.instanceOf(
              yield* Effect.flip(fees.createOverride(admin, { entity_id: b.entityId, market: "CEA_CASH" })),
              Errors.ValidationFailed
            )
            const unknown = yield* Effect.flip(
              fees.createOverride(admin, {
                entity_id: "00000000-0000-4000-8000-000000000000" as Ids.EntityId,
                market: "CEA_CASH",
                buyer_rate: ppm(1)
              })
            )
            assert.instanceOf(unknown, Errors.NotFound)
            assert.strictEqual(yield* count("entity_fee_overrides"), 1)

            // Changes: the market's seller rate, then the override's seller side too.
            const changed = yield* fees.changeConfig(admin, config.id, { seller_rate: ppm(3000) })
            assert.strictEqual(changed.buyer_rate, 2500)
            assert.strictEqual(changed.seller_rate, 3000)
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "override:1000", seller: "market:3000" })
            const both = yield* fees.changeOverride(admin, override.id, { seller_rate: ppm(500), reason: null })
            assert.strictEqual(both.reason, null)
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "override:1000", seller: "override:500" })
            // Clearing both sides would leave an override of nothing: deactivate instead.
            const empty = yield* Effect.flip(
              fees.changeOverride(admin, override.id, { buyer_rate: null, seller_rate: null })
            )
            assert.instanceOf(empty, Errors.ValidationFailed)

            // Bad rates: a rate above 10 %, reported per field, changes nothing.
            const tooHigh = yield* Effect.flip(
              fees.changeConfig(admin, config.id, { buyer_rate: ppm(100_001), seller_rate: ppm(200_000) })
            )
            assert.instanceOf(tooHigh, Errors.ValidationFailed)
            if (tooHigh instanceof Errors.ValidationFailed) {
              assert.deepStrictEqual(tooHigh.issues.map((issue) => issue.path), ["buyer_rate", "seller_rate"])
            }
            const maximum = yield* fees.changeConfig(admin, config.id, { buyer_rate: FeeSchedule.maxRate })
            assert.strictEqual(maximum.buyer_rate, FeeSchedule.maxRate)
            yield* fees.changeConfig(admin, config.id, { buyer_rate: ppm(2500) })
            assert.instanceOf(yield* Effect.flip(fees.changeConfig(admin, config.id, {})), Errors.ValidationFailed)

            // Clients administer nothing, and see only their own entity's rates.
            const client = yield* Effect.flip(
              fees.createConfig(a.user, { market: "SWAP", buyer_rate: ppm(1), seller_rate: ppm(1) })
            )
            assert.instanceOf(client, Errors.NotPermitted)
            assert.instanceOf(yield* Effect.flip(fees.deactivateOverride(a.user, override.id)), Errors.NotPermitted)
            assert.instanceOf(yield* Effect.flip(fees.listConfigs(a.user, { limit: 10 })), Errors.NotPermitted)
            assert.instanceOf(yield* Effect.flip(rates(b.user, a.entityId)), Errors.NotFound)
            assert.deepStrictEqual(yield* rates(admin, a.entityId), { buyer: "override:1000", seller: "override:500" })
            assert.instanceOf(
              yield* Effect.flip(rates(admin, "00000000-0000-4000-8000-000000000000" as Ids.EntityId)),
              Errors.NotFound
            )

            // A deactivated override falls back to the market; it is history and cannot change.
            const off = yield* fees.deactivateOverride(admin, override.id)
            assert.isFalse(off.is_active)
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "market:2500", seller: "market:3000" })
            assert.instanceOf(yield* Effect.flip(fees.deactivateOverride(admin, override.id)), Errors.Conflict)
            assert.instanceOf(
              yield* Effect.flip(fees.changeOverride(admin, override.id, { buyer_rate: ppm(1) })),
              Errors.Conflict
            )
            // A new override may now be made for the same entity and market.
            const renewed = yield* fees.createOverride(admin, {
              entity_id: a.entityId,
              market: "CEA_CASH",
              seller_rate: ppm(0)
            })
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "market:2500", seller: "override:0" })

            // The schedule in force: active rows only, narrowed on request, read in a transaction.
            const all = yield* fees.schedule()
            assert.deepStrictEqual(all.configs.map((row) => [row.market, row.buyer_rate, row.seller_rate]), [[
              "CEA_CASH",
              2500,
              3000
            ]])
            assert.deepStrictEqual(all.overrides.map((row) => [row.entity_id, row.seller_rate]), [[a.entityId, ppm(0)]])
            const swapOnly = yield* fees.schedule(sql, { market: "SWAP" })
            assert.deepStrictEqual([swapOnly.configs.length, swapOnly.overrides.length], [0, 0])
            const ofB = yield* fees.schedule(sql, { entity_id: b.entityId })
            assert.deepStrictEqual([ofB.configs.length, ofB.overrides.length], [1, 0])
            const inside = yield* sql.withTransaction(Effect.gen(function*() {
              yield* sql`UPDATE trading_fee_configs SET buyer_rate = 0.0042 WHERE id = ${config.id}`
              const seen = yield* fees.schedule(sql)
              return yield* Effect.fail({ rolledBack: seen.configs[0]?.buyer_rate })
            })).pipe(Effect.flip)
            assert.deepStrictEqual(inside, { rolledBack: ppm(4200) })
            assert.strictEqual(
              FeeSchedule.resolve(yield* fees.schedule(), { entity_id: b.entityId, market: "CEA_CASH", side: "BUY" })
                .rate,
              2500
            )

            // Deactivating the market's config: no fee where no override applies.
            yield* fees.deactivateConfig(admin, config.id)
            assert.deepStrictEqual(yield* rates(b.user, b.entityId), { buyer: "none:0", seller: "none:0" })
            assert.deepStrictEqual(yield* rates(a.user, a.entityId), { buyer: "none:0", seller: "override:0" })
            const listed = yield* fees.listConfigs(admin, { limit: 10 })
            assert.deepStrictEqual(listed.data.map((row) => row.is_active), [false])
            const ofA = yield* fees.listOverrides(admin, { limit: 1, entity_id: a.entityId })
            assert.deepStrictEqual([ofA.data.map((row) => row.id), ofA.has_more], [[override.id], true])
            const next = yield* fees.listOverrides(admin, {
              limit: 1,
              entity_id: a.entityId,
              starting_after: override.id
            })
            assert.deepStrictEqual(next.data.map((row) => row.id), [renewed.id])
            assert.deepStrictEqual((yield* fees.listOverrides(admin, { limit: 10, entity_id: b.entityId })).data, [])

            // The trail: one ticket per change with the row before and after, one activity line each.
            const tickets = yield* sql<{
              action: string
              subject_id: string
              before_state: { readonly seller_rate?: string } | null
              after_state: { readonly seller_rate?: string; readonly is_active?: boolean } | null
            }>`
            SELECT action, subject_id, before_state, after_state FROM ticket_logs
            WHERE subject_table IN ('trading_fee_configs', 'entity_fee_overrides') ORDER BY created_at, id`
            assert.deepStrictEqual(tickets.map((row) => row.action).sort(), [
              "entity_fee_overrides.change",
              "entity_fee_overrides.create",
              "entity_fee_overrides.create",
              "entity_fee_overrides.deactivate",
              "trading_fee_configs.change",
              "trading_fee_configs.change",
              "trading_fee_configs.change",
              "trading_fee_configs.create",
              "trading_fee_configs.deactivate"
            ])
            const sellerChange = tickets.find((row) =>
              row.action === "trading_fee_configs.change" && row.after_state?.seller_rate === "0.003000"
            )
            assert.strictEqual(sellerChange?.before_state?.seller_rate, "0.002000")
            const deactivation = tickets.find((row) => row.action === "entity_fee_overrides.deactivate")
            assert.strictEqual(deactivation?.subject_id, override.id)
            assert.strictEqual(deactivation?.after_state?.is_active, false)
            const [activity] = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM activity_logs
            WHERE user_id = ${admin.id} AND (action LIKE 'trading_fee_configs.%' OR action LIKE 'entity_fee_overrides.%')`
            assert.strictEqual(activity?.n, tickets.length)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )

    it.effect(
      "answers two concurrent creates for one market with one config and one Conflict",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const context = yield* Layer.build(yield* services(backend))
          yield* Effect.gen(function*() {
            const fees = yield* Fees.Fees
            const admin = yield* firstAdmin
            const results = yield* Effect.forEach(
              [ppm(100), ppm(200)],
              (rate) =>
                Effect.result(fees.createConfig(admin, { market: "SWAP", buyer_rate: rate, seller_rate: rate })),
              { concurrency: "unbounded" }
            )
            const failures = results.flatMap((result) => result._tag === "Failure" ? [result.failure] : [])
            assert.strictEqual(results.length - failures.length, 1)
            assert.strictEqual(failures.length, 1)
            assert.instanceOf(failures[0], Errors.Conflict)
            assert.strictEqual(yield* count("trading_fee_configs"), 1)
          }).pipe(Effect.provideContext(context))
        })),
      { timeout: 120_000 }
    )
  })
}
