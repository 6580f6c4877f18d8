import { assert } from "@effect/vitest"
import { DemoFixture, Repository } from "@niha/db"
import * as Effect from "effect/Effect"
import { eachBackend } from "./support/Backends.ts"

/** The seed's row counts of the tables it fills. */
const seedCounts = {
  users: 5,
  entities: 4,
  contact_requests: 3,
  market_maker_clients: 1,
  price_history: 18,
  scraping_sources: 1,
  ticket_logs: 3,
  authentication_attempts: 2
}

eachBackend("DemoFixture", (it) => {
  it.layer(Repository.Repositories.layer)((it) => {
    it.effect("loads the seed's row counts, and loading again inserts nothing", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(DemoFixture.counts, seedCounts)
        const first = yield* DemoFixture.load
        assert.deepStrictEqual(first, seedCounts)
        const second = yield* DemoFixture.load
        assert.deepStrictEqual(second, {})
        const repositories = yield* Repository.Repositories
        for (const [table, count] of Object.entries(seedCounts)) {
          assert.strictEqual(yield* repositories[table as keyof typeof seedCounts].count, count, table)
        }
        assert.strictEqual(yield* repositories.orders.count, 0)
        assert.strictEqual(yield* repositories.entity_holdings.count, 0)
      }))

    it.effect("has an admin and a market maker, and every row decodes through the domain's models", () =>
      Effect.gen(function*() {
        const repositories = yield* Repository.Repositories
        const users = yield* repositories.users.findAll()
        assert.deepStrictEqual(users.map((user) => user.role).sort(), ["ADMIN", "EUA", "FUNDING", "KYC", "MM"])
        const [maker] = yield* repositories.market_maker_clients.findAll()
        assert.strictEqual(maker?.user_id, DemoFixture.ids.marketMaker)
        const prices = yield* repositories.price_history.findAll()
        assert.deepStrictEqual(
          [...new Set(prices.map((price) => `${price.certificate_type}/${price.currency}`))].sort(),
          ["CEA/CNY", "EUA/EUR"]
        )
        const tickets = yield* repositories.ticket_logs.findAll()
        assert.deepStrictEqual(tickets[0]?.after_state, { kyc_status: "APPROVED" })
      }))
  })
})
