/**
 * The market writer's recovery when a batch fails after the engine applied its commands
 * (issue #18: the full soak run once saw the SWAP book stop replaying to its open orders).
 * Each case holds the writer while a SWAP batch queues (placements that trade, amends that
 * reduce and reprice, a cancel), makes one command's database write fail after the engine
 * applied it, and then checks that the live book's hash equals a replay of every stored
 * command from the first (no snapshot involved), that the stored commands replay to the
 * open orders of the database (`Replay.bookProblems`), and that a rebuild from the last
 * snapshot plus its suffix gives the same book. Snapshots are taken every 2 commands, so
 * every rebuild starts from one.
 *
 * - A write that fails with a deadlock (SQLSTATE 40P01) once: `Transaction.run` runs the
 *   whole batch again, and every command succeeds once.
 * - An amend whose write always fails: the batch fails, runs again one command per
 *   transaction, and only the amend fails.
 * - A placement of the group that fails, between amends: likewise, only it fails.
 * - A command the engine applies half and then throws on (a broken invariant, simulated by
 *   wrapping `OrderBook.apply`): the book was marked to rebuild only after a command was
 *   accepted, so this one's batch committed around the job's defect and the book kept a
 *   cancel the database never stored. It now fails the batch and the book is rebuilt.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger, Transaction } from "@niha/db"
import { Command, Instrument, OrderBook } from "@niha/matching"
import type * as Matching from "@niha/matching"
import type { OrdersApi } from "@niha/sdk"
import { MarketWriter, Orders } from "@niha/server"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"
import { vi } from "vitest"
import { orderServices } from "./support/OrderServices.ts"
import { bookProblems } from "./support/Replay.ts"
import * as TestServer from "./support/TestServer.ts"
import { trader } from "./support/Trading.ts"

const anonymitySecret = "writer-recovery-test"

/** The order whose cancel the wrapped engine applies and then throws on, while set. */
const fault = vi.hoisted(() => ({ cancelThrows: undefined as string | undefined }))

vi.mock("@niha/matching", async (importOriginal) => {
  const original = await importOriginal<typeof Matching>()
  const apply: typeof original.OrderBook.apply = (book, command) => {
    const events = original.OrderBook.apply(book, command)
    if (command._tag === "Cancel" && command.orderId === fault.cancelThrows) {
      throw new Error("order book invariant broken, as the test says")
    }
    return events
  }
  return { ...original, OrderBook: { ...original.OrderBook, apply } }
})

const swap = (
  side: "BUY" | "SELL",
  quantity: number,
  price: string,
  reference?: string
): OrdersApi.PlaceOrder => ({
  market: "SWAP",
  side,
  type: "LIMIT",
  quantity: String(quantity),
  price,
  ...(reference === undefined ? {} : { client_reference: reference })
})

/** The hash of a book made by replaying every stored SWAP command from the first, through the pure engine. */
const replayHash = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ command: unknown }>`
    SELECT command FROM market_commands WHERE market = 'SWAP' ORDER BY market_commands.sequence`
  const book = OrderBook.make({ instrument: Instrument.forMarket("SWAP"), anonymitySecret })
  for (const row of rows) {
    const command = Command.decodeUnknown(row.command)
    if (Result.isFailure(command)) return assert.fail("a stored command does not decode")
    const [first] = OrderBook.apply(book, command.success)
    if (first?._tag === "CommandRejected") return assert.fail(`a stored command is refused: ${first.reason}`)
  }
  return MarketWriter.hashOf(book)
})

/** Runs the effects as one SWAP batch, in order: the writer is held (by a command of its own) while they queue, then released. */
const inOneBatch = (effects: ReadonlyArray<Effect.Effect<unknown, unknown>>) =>
  Effect.gen(function*() {
    const writer = yield* MarketWriter.MarketWriter
    const gate = yield* Deferred.make<void>()
    const holding = yield* Effect.forkChild(writer.write("SWAP", () => Deferred.await(gate)))
    const fibers = []
    for (const effect of effects) {
      // An amend or a cancel reads its order before it queues: a pause lets each reach the
      // queue before the next starts.
      yield* Effect.sleep("150 millis")
      fibers.push(yield* Effect.forkChild(Effect.result(effect)))
    }
    yield* Effect.sleep("150 millis")
    yield* Deferred.succeed(gate, undefined)
    yield* Fiber.join(holding)
    return yield* Effect.forEach(fibers, Fiber.join)
  })

/** The open quantity of an order in the database. */
const openOf = (id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<
      { open: number }
    >`SELECT (quantity - filled_quantity)::int AS open FROM orders WHERE id = ${id}`
    return row?.open
  })

/** The live book equals a replay from the first command, the database's open orders, and a rebuild from a snapshot. */
const assertBookIsTheCommands = Effect.gen(function*() {
  const writer = yield* MarketWriter.MarketWriter
  const live = yield* writer.hash("SWAP")
  assert.strictEqual(live, yield* replayHash)
  assert.deepStrictEqual(yield* bookProblems("SWAP", anonymitySecret), [])
  yield* writer.forget("SWAP")
  assert.strictEqual(yield* writer.hash("SWAP"), live)
  const sql = yield* SqlClient.SqlClient
  const [snapshots] = yield* sql<{ count: number }>`SELECT count(*)::int AS count FROM market_snapshots`
  assert.isAbove(snapshots?.count ?? 0, 0)
  const report = yield* Ledger.make(sql).verify
  assert.isTrue(report.ok, JSON.stringify(report))
})

/** A seller's two offers and a buyer's bid on SWAP, and a batch of commands on them. */
const scenario = (fault: string) =>
  Effect.gen(function*() {
    const orders = yield* Orders.Orders
    const sql = yield* SqlClient.SqlClient
    // One statement per call: a prepared statement takes one.
    for (const statement of fault.split(";;")) if (statement.trim() !== "") yield* sql.unsafe(statement)
    const seller = yield* trader("Recovery Seller", "SWAP", { EUA: 1_000 })
    const buyer = yield* trader("Recovery Buyer", "SWAP", { CEA: 100_000 })
    const first = yield* orders.place(seller.user, swap("SELL", 12, "1.0100"))
    const second = yield* orders.place(seller.user, swap("SELL", 5, "1.0200"))
    const bid = yield* orders.place(buyer.user, swap("BUY", 10, "0.9900"))
    const results = yield* inOneBatch([
      // Takes 3 of the first offer (12 -> 9 open).
      orders.place(buyer.user, swap("BUY", 3, "1.0100")),
      // Reduced to 7 open: keeps its priority.
      orders.amend(seller.user, first.order.id, { quantity: "7" }),
      // Takes 4 of the first offer.
      orders.place(buyer.user, swap("BUY", 4, "1.0100")),
      // Repriced below the bid: trades 5 with it as the taker.
      orders.amend(seller.user, second.order.id, { price: "0.9900" }),
      orders.cancel(buyer.user, bid.order.id),
      orders.place(buyer.user, swap("BUY", 1, "1.0100", "boom"))
    ])
    return { results, first: first.order.id, second: second.order.id }
  })

/** Runs `body` with the order services on a fresh database of the suite's backend. */
const withOrderServices = <A, E>(
  body: Effect.Effect<A, E, Layer.Success<Effect.Success<ReturnType<typeof orderServices>>>>
) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(yield* orderServices(backend, { anonymitySecret, snapshotEvery: 2 }))
    return yield* body.pipe(Effect.provide(context))
  }))

const failed = (result: Result.Result<unknown, unknown> | undefined) => result !== undefined && Result.isFailure(result)

// PostgreSQL only: on the embedded database the held writer holds its one connection, so an
// amend could not read its order (and queue) until the batch had started.
const backend = "postgres"

describe.skipIf(TestServer.skipReasonOf(backend) !== undefined)(
  `the writer's recovery of a failed SWAP batch [${backend}]`,
  () => {
    it.live(
      "runs a batch whose write deadlocked once again whole: every command once, the book its commands",
      () =>
        withOrderServices(Effect.gen(function*() {
          // The amend to 7 open (10 with the 3 filled) deadlocks once, after the engine applied it (a sequence
          // counts the attempts: it does not roll back with them).
          const { first, results, second } = yield* scenario(`
            CREATE SEQUENCE fault_attempts;;
            CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.quantity = 12 AND NEW.quantity = 10 THEN
                IF nextval('fault_attempts') = 1 THEN
                  RAISE EXCEPTION 'deadlock, as the test says' USING ERRCODE = '40P01';
                END IF;
              END IF;
              RETURN NEW;
            END $$;;
            CREATE TRIGGER fault BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION fault();`)
          for (const [index, result] of results.entries()) {
            assert.isFalse(failed(result), `command ${index}: ${String(result)}`)
          }
          const sql = yield* SqlClient.SqlClient
          // Two attempts of the amend's write, and the batch's six commands in one
          // transaction (one now()): the whole batch ran again, not one command at a time.
          const [attempts] = yield* sql<{ last: number }>`SELECT last_value::int AS last FROM fault_attempts`
          assert.strictEqual(attempts?.last, 2)
          const stamps = yield* sql<{ created_at: Date }>`
            SELECT created_at FROM market_commands WHERE market = 'SWAP' ORDER BY market_commands.sequence`
          assert.strictEqual(stamps.length, 9)
          assert.strictEqual(new Set(stamps.slice(3).map((row) => row.created_at.getTime())).size, 1)
          // 12 - 3, amended to 7, then 4 and 1 taken; the second offer traded its 5 with the bid.
          assert.strictEqual(yield* openOf(first), 2)
          assert.strictEqual(yield* openOf(second), 0)
          yield* assertBookIsTheCommands
        })),
      60_000
    )

    it.live(
      "fails only the amend whose write fails, after the engine applied it, and rebuilds the book",
      () =>
        withOrderServices(Effect.gen(function*() {
          const { first, results, second } = yield* scenario(`
            CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.quantity = 12 AND NEW.quantity = 10 THEN RAISE EXCEPTION 'the amend fails'; END IF;
              RETURN NEW;
            END $$;;
            CREATE TRIGGER fault BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION fault();`)
          for (const [index, result] of results.entries()) {
            assert.strictEqual(failed(result), index === 1, `command ${index}: ${String(result)}`)
          }
          // 12 - 3 - 4 - 1: the amend left nothing, in the database or the book.
          assert.strictEqual(yield* openOf(first), 4)
          assert.strictEqual(yield* openOf(second), 0)
          yield* assertBookIsTheCommands
        })),
      60_000
    )

    it.live(
      "fails only the placement of the group that fails, between amends, and rebuilds the book",
      () =>
        withOrderServices(Effect.gen(function*() {
          const { first, results, second } = yield* scenario(`
            CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.client_reference = 'boom' THEN RAISE EXCEPTION 'the placement fails'; END IF;
              RETURN NEW;
            END $$;;
            CREATE TRIGGER fault BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION fault();`)
          for (const [index, result] of results.entries()) {
            assert.strictEqual(failed(result), index === 5, `command ${index}: ${String(result)}`)
          }
          // 12 - 3, amended to 7, then 4 taken.
          assert.strictEqual(yield* openOf(first), 3)
          assert.strictEqual(yield* openOf(second), 0)
          yield* assertBookIsTheCommands
        })),
      60_000
    )

    it.live(
      "rebuilds the book after a command the engine applied half and threw on, and stores nothing of it",
      () =>
        withOrderServices(Effect.gen(function*() {
          const orders = yield* Orders.Orders
          const seller = yield* trader("Half Seller", "SWAP", { EUA: 1_000 })
          const offer = yield* orders.place(seller.user, swap("SELL", 12, "1.0100"))
          yield* orders.place(seller.user, swap("SELL", 5, "1.0200"))
          fault.cancelThrows = offer.order.id
          const thrown = yield* Effect.exit(orders.cancel(seller.user, offer.order.id))
          fault.cancelThrows = undefined
          assert.isTrue(thrown._tag === "Failure", String(thrown))
          // The database never stored the cancel; the live book must not hold it either.
          assert.strictEqual(yield* openOf(offer.order.id), 12)
          yield* assertBookIsTheCommands
          const cancelled = yield* orders.cancel(seller.user, offer.order.id)
          assert.strictEqual(cancelled.order.status, "CANCELLED")
          yield* assertBookIsTheCommands
        })),
      60_000
    )

    it.live(
      "runs a job queued from inside the caller's own transaction in the writer's: it commits with the batch",
      () =>
        withOrderServices(Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const writer = yield* MarketWriter.MarketWriter
          const refused = yield* Effect.flip(Transaction.run(Effect.gen(function*() {
            yield* writer.write("SWAP", () =>
              sql`INSERT INTO ticket_logs (ticket_reference, action, status)
                VALUES ('TKT-WRITER-OWN', 'writer.test', 'SUCCESS')`)
            return yield* Effect.fail("the caller rolls back" as const)
          })))
          assert.strictEqual(refused, "the caller rolls back")
          // The job's row was the writer's to commit, not the caller's to roll back.
          const [row] = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM ticket_logs WHERE ticket_reference = 'TKT-WRITER-OWN'`
          assert.strictEqual(row?.n, 1)
        })),
      60_000
    )
  }
)
