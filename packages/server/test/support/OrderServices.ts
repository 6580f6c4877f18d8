/**
 * What the service-level trading suites share: `Orders` over one `MarketWriter`, `Fees`
 * and the repositories on a fresh migrated database; balances read from the ledger; limit
 * orders; placements run in one writer batch; and the check that a book equals a rebuild
 * from its stored commands.
 */
import { assert } from "@effect/vitest"
import { type Database, Ledger, Migrations, Repository } from "@niha/db"
import type { Enums, Ids } from "@niha/domain"
import type { OrdersApi } from "@niha/sdk"
import { Fees, MarketWriter, Orders } from "@niha/server"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as SqlClient from "effect/sql/SqlClient"
import * as TestServer from "./TestServer.ts"

/** The order services on a fresh, migrated database of `backend`, with a writer made with `writer`. */
export const orderServices = (
  backend: TestServer.Backend,
  writer: MarketWriter.Options
): Effect.Effect<
  Layer.Layer<
    Orders.Orders | MarketWriter.MarketWriter | Fees.Fees | Repository.Repositories | Database.Client,
    unknown
  >,
  unknown,
  Scope.Scope
> =>
  Effect.map(
    TestServer.freshDatabase(backend),
    (database) =>
      Orders.Orders.layer.pipe(
        Layer.provideMerge(MarketWriter.MarketWriter.layer(writer)),
        Layer.provideMerge(Fees.layer),
        Layer.provideMerge(Repository.Repositories.layer),
        Layer.provideMerge(Layer.provideMerge(Migrations.layer, database))
      )
  )

/** Available and locked of one asset of an entity, in minor units, from the ledger. */
export const holdingOf = (entityId: Ids.EntityId, asset: "EUR" | "CEA" | "EUA") =>
  Effect.gen(function*() {
    const ledger = Ledger.make(yield* SqlClient.SqlClient)
    const row = (yield* ledger.holdings(entityId)).find((holding) => holding.asset_type === asset)
    return { available: Number(row?.available ?? 0), locked: Number(row?.locked ?? 0) }
  })

/** A limit order, in CEA_CASH unless `extra` names another market. */
export const limitOrder = (
  side: "BUY" | "SELL",
  quantity: string,
  price: string,
  extra: Partial<Pick<OrdersApi.PlaceOrder, "market" | "time_in_force" | "post_only" | "client_reference">> = {}
): OrdersApi.PlaceOrder => ({ market: "CEA_CASH", side, type: "LIMIT", quantity, price, ...extra })

/**
 * Runs the placements in one batch of `market`'s writer, in the order given: the writer is
 * held by a command of its own while they queue, then released. Answers each one's result.
 */
export const inOneBatch = <A, E, R>(
  placements: ReadonlyArray<Effect.Effect<A, E, R>>,
  market: Enums.MarketType = "CEA_CASH"
) =>
  Effect.gen(function*() {
    const writer = yield* MarketWriter.MarketWriter
    const gate = yield* Deferred.make<void>()
    const holding = yield* Effect.forkChild(writer.write(market, () => Deferred.await(gate)))
    // The holding command is taken by the writer before the placements queue behind it.
    for (let spin = 0; spin < 20; spin++) yield* Effect.yieldNow
    const fibers = []
    for (const placement of placements) {
      fibers.push(yield* Effect.forkChild(Effect.result(placement)))
      for (let spin = 0; spin < 5; spin++) yield* Effect.yieldNow
    }
    yield* Deferred.succeed(gate, undefined)
    yield* Fiber.join(holding)
    return yield* Effect.forEach(fibers, Fiber.join)
  })

/** The book of `market` equals the one rebuilt from the last snapshot and the stored commands after it. */
export const assertBookRebuilds = (market: Enums.MarketType) =>
  Effect.gen(function*() {
    const writer = yield* MarketWriter.MarketWriter
    const hash = yield* writer.hash(market)
    yield* writer.forget(market)
    assert.strictEqual(yield* writer.hash(market), hash, `the ${market} book and its rebuild`)
  })
