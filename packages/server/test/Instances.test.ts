/**
 * Two real `niha` processes on one PostgreSQL database, under a load of orders sent to
 * both: one of them is killed (SIGKILL) in the middle of it and started again. Afterwards
 * every acknowledged order is stored once, the market's commands run 0, 1, 2, ... with no
 * gap, a replay of them gives a book whose resting orders are exactly the open orders of
 * the database, and the ledger's `verify` is clean. The survivor goes on matching at once
 * (the dead writer's advisory lock ends with its connection).
 */
import { assert, describe, it } from "@effect/vitest"
import { Database, Ledger } from "@niha/db"
import type { Ids } from "@niha/domain"
import { type MarketDataApi, PromiseClient } from "@niha/sdk"
import { Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type Child, spawn, waitForApiUrl } from "./support/Processes.ts"
import { bookProblems } from "./support/Replay.ts"
import * as TestServer from "./support/TestServer.ts"

const password = "a long and quite unusual passphrase 93"

/** A client entity at stage CEA with a password user, funded from WORLD. */
const trader = (name: string, funds: { readonly asset: "EUR" | "CEA"; readonly amount: number }) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [entity] = yield* sql<{ id: Ids.EntityId }>`
      INSERT INTO entities (name, jurisdiction) VALUES (${name}, 'EU') RETURNING id`
    if (entity === undefined) return yield* Effect.die("no entity")
    const email = `${name.toLowerCase()}@instances.test`
    const hashed = yield* Password.hash(password).pipe(
      Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
    )
    yield* sql`
      INSERT INTO users (email, first_name, last_name, role, entity_id, password_hash)
      VALUES (${email}, 'Ivo', 'Instance', 'CEA', ${entity.id}, ${hashed})`
    yield* Effect.orDie(
      Ledger.make(sql).apply(Ledger.adjust({
        key: `fund:${entity.id}`,
        entity_id: entity.id,
        asset: funds.asset,
        amount: funds.amount,
        reason: "test funding"
      }))
    )
    return { email, entityId: entity.id }
  })

const signIn = (baseUrl: string, email: string) =>
  Effect.promise(async () => {
    const anonymous = PromiseClient.createClient({ baseUrl })
    const session = await anonymous.auth.login({ payload: { email, password } })
    return session.token
  })

interface Outcome {
  readonly acknowledged: Array<string>
  failed: number
}

/** Places random CEA_CASH limit orders around 12.00 until `until`, through the first live base URL. */
const load = (
  token: string,
  side: "BUY" | "SELL",
  bases: ReadonlyArray<() => string | undefined>,
  until: number,
  seed: number,
  outcome: Outcome
) =>
  Effect.promise(async () => {
    let state = seed
    const next = () => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state
    }
    let sent = 0
    while (Date.now() < until) {
      const base = bases[sent++ % bases.length]?.() ?? bases.map((live) => live()).find((url) => url !== undefined)
      if (base === undefined) break
      const client = PromiseClient.createClient({ baseUrl: base, apiKey: token })
      const price = (1190 + (next() % 21)) / 100
      try {
        const placed = await client.orders.placeOrder({
          payload: {
            market: "CEA_CASH",
            side,
            type: "LIMIT",
            quantity: String(1 + (next() % 20)),
            price: price.toFixed(2)
          }
        })
        outcome.acknowledged.push(placed.order.id)
      } catch {
        // A server killed mid-request: the order is not acknowledged (it may or may not exist).
        outcome.failed++
      }
    }
  })

describe.skipIf(TestServer.skipReasonOf("postgres") !== undefined)("two niha processes on one PostgreSQL", () => {
  it.live(
    "share the market under load, survive a SIGKILL of one, and lose or double no order",
    () =>
      Effect.gen(function*() {
        const url = yield* TestServer.freshPostgresUrl
        const storage = yield* Effect.acquireRelease(
          Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-instances-"))),
          (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
        )
        const children: Array<Child> = []
        yield* Effect.addFinalizer(() => Effect.sync(() => children.forEach((child) => child.process.kill("SIGKILL"))))
        const start = Effect.gen(function*() {
          const child = spawn(["start"], {
            PORT: "0",
            DATABASE_URL: url,
            NIHA_STORAGE_DIR: storage,
            NIHA_ANONYMITY_SECRET: "instances-test",
            LOG_LEVEL: "warn"
          })
          children.push(child)
          return { child, baseUrl: yield* waitForApiUrl(child) }
        })
        const first = yield* start
        const second = yield* start
        const database = Database.layerUrl({ url, maxConnections: 2 })

        const traders = yield* Effect.gen(function*() {
          const buyers = [
            yield* trader("BuyerOne", { asset: "EUR", amount: 100_000_000 }),
            yield* trader("BuyerTwo", { asset: "EUR", amount: 100_000_000 })
          ]
          const sellers = [
            yield* trader("SellerOne", { asset: "CEA", amount: 1_000_000 }),
            yield* trader("SellerTwo", { asset: "CEA", amount: 1_000_000 })
          ]
          return { buyers, sellers }
        }).pipe(Effect.provide(database))

        // A stream of the second instance follows the writes of both.
        const watcher = PromiseClient.createClient({ baseUrl: second.baseUrl })
        const stream = yield* Effect.promise(() =>
          watcher.marketData.stream({ params: { market: "CEA_CASH" }, query: {} })
        )
        const streamed: Array<MarketDataApi.StreamEvent> = []
        const following = Effect.promise(async () => {
          for await (const event of stream) streamed.push(event)
        }).pipe(Effect.ignore)
        yield* Effect.forkScoped(following)

        let firstAlive = true
        const viaFirst = () => firstAlive ? first.baseUrl : undefined
        const viaSecond = () => second.baseUrl
        const outcome: Outcome = { acknowledged: [], failed: 0 }
        const loads = [
          ...traders.buyers.map((buyer, index) => ({ ...buyer, side: "BUY" as const, seed: 11 + index })),
          ...traders.sellers.map((seller, index) => ({ ...seller, side: "SELL" as const, seed: 23 + index }))
        ]
        const tokens = yield* Effect.forEach(loads, (one) => signIn(first.baseUrl, one.email))
        // Writes through the first instance alone reach the second one's stream (NOTIFY).
        const onlyFirst = PromiseClient.createClient({ baseUrl: first.baseUrl, apiKey: tokens[2] ?? "" })
        for (const price of ["13.00", "13.10", "13.20"]) {
          yield* Effect.promise(() =>
            onlyFirst.orders.placeOrder({
              payload: { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "1", price }
            })
          )
        }
        for (let wait = 0; wait < 50 && streamed.filter((event) => event.event === "book").length < 3; wait++) {
          yield* Effect.sleep("100 millis")
        }
        assert.strictEqual(streamed.filter((event) => event.event === "book").length, 3)
        const until = Date.now() + 4000
        const running = Effect.forEach(
          loads,
          (one, index) => load(tokens[index] ?? "", one.side, [viaFirst, viaSecond], until, one.seed, outcome),
          { concurrency: "unbounded" }
        )
        // Halfway through, the first process dies without a word.
        const kill = Effect.gen(function*() {
          yield* Effect.sleep("1500 millis")
          firstAlive = false
          first.child.process.kill("SIGKILL")
          yield* Effect.promise(() => first.child.exited)
          // The survivor matches the market within 5 seconds of the death.
          const killedAt = Date.now()
          const survivor = PromiseClient.createClient({ baseUrl: second.baseUrl, apiKey: tokens[0] ?? "" })
          const placed = yield* Effect.promise(() =>
            survivor.orders.placeOrder({
              payload: { market: "CEA_CASH", side: "BUY", type: "LIMIT", quantity: "1", price: "11.00" }
            })
          )
          outcome.acknowledged.push(placed.order.id)
          assert.isBelow(Date.now() - killedAt, 5000)
        })
        yield* Effect.all([running, kill], { concurrency: "unbounded" })
        assert.isAbove(outcome.acknowledged.length, 20)
        // It saw the first instance's writes as they committed, in sequence, without a new
        // snapshot: each book event starts where the one before ended.
        yield* Effect.sleep("500 millis")
        const books = streamed.flatMap((event) => event.event === "book" ? [event.data] : [])
        assert.isAbove(books.length, 10)
        for (const [index, book] of books.entries()) {
          const before = books[index - 1]
          if (before !== undefined) assert.strictEqual(book.previous_sequence, before.sequence)
        }
        assert.strictEqual(streamed.filter((event) => event.event === "snapshot").length, 1)
        yield* Effect.promise(() => stream.close())

        // Started again, the first process rebuilds the book from the database and trades on.
        const restarted = yield* start
        const again = PromiseClient.createClient({ baseUrl: restarted.baseUrl, apiKey: tokens[2] ?? "" })
        const late = yield* Effect.promise(() =>
          again.orders.placeOrder({
            payload: { market: "CEA_CASH", side: "SELL", type: "LIMIT", quantity: "5", price: "11.90" }
          })
        )
        outcome.acknowledged.push(late.order.id)

        yield* Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const stored = new Set(
            (yield* sql<{ id: string }>`SELECT id FROM orders`).map((row) => row.id)
          )
          for (const id of outcome.acknowledged) assert.isTrue(stored.has(id), `acknowledged order ${id} is stored`)
          assert.deepStrictEqual(yield* bookProblems("CEA_CASH", "instances-test"), [])
          const report = yield* Ledger.make(sql).verify
          assert.isTrue(report.ok, JSON.stringify(report))
        }).pipe(Effect.provide(database))
      }),
    { timeout: 180_000 }
  )
})
