/**
 * The crash suites' check that a market's stored commands are its book: the commands run
 * 0, 1, 2, ... with no gap, each order is placed once, a replay of them through the pure
 * engine refuses none, and the replayed book's resting orders are exactly the open orders
 * of the database (id and open quantity).
 *
 * Run it in one snapshot (`inSnapshot`) to check a database that is still being written:
 * a command commits with its orders, so any snapshot is a consistent point.
 */
import type { Enums } from "@niha/domain"
import { Command, Instrument, OrderBook } from "@niha/matching"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as SqlClient from "effect/sql/SqlClient"

/** Runs `effect` in one REPEATABLE READ transaction: every statement sees the same snapshot. */
export const inSnapshot = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(
      Effect.andThen(sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`, effect)
    ))

/** What is wrong between a market's stored commands and its open orders; empty when nothing. */
export const bookProblems = (market: Enums.MarketType, anonymitySecret: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const problems: Array<string> = []
    const commands = yield* sql<{ sequence: string; command: unknown }>`
      SELECT sequence::text AS sequence, command FROM market_commands WHERE market = ${market}
      ORDER BY market_commands.sequence`
    commands.forEach((row, index) => {
      if (Number(row.sequence) !== index) problems.push(`${market}: command ${index} has sequence ${row.sequence}`)
    })
    const book = OrderBook.make({ instrument: Instrument.forMarket(market), anonymitySecret })
    const placed = new Set<string>()
    for (const row of commands) {
      const decoded = Command.decodeUnknown(row.command)
      if (Result.isFailure(decoded)) {
        problems.push(`${market}: command ${row.sequence} does not decode`)
        continue
      }
      const command = decoded.success
      if (command._tag === "PlaceLimit") {
        if (placed.has(command.orderId)) problems.push(`${market}: order ${command.orderId} placed twice`)
        placed.add(command.orderId)
      }
      const [event] = OrderBook.apply(book, command)
      if (event?._tag === "CommandRejected") problems.push(`${market}: stored command ${row.sequence} is refused`)
    }
    const resting = new Map(OrderBook.snapshot(book).orders.map((order) => [order.orderId, order.quantity] as const))
    const open = new Map(
      (yield* sql<{ id: string; open: string }>`
        SELECT id, (quantity - filled_quantity)::text AS open FROM orders
        WHERE market = ${market} AND status IN ('OPEN', 'PARTIALLY_FILLED')`).map((row) =>
        [row.id, Number(row.open)] as const
      )
    )
    for (const [id, quantity] of open) {
      const replayed = resting.get(id)
      if (replayed !== quantity) {
        problems.push(`${market}: open order ${id} has ${quantity} open, the replay ${replayed}`)
      }
    }
    for (const [id, quantity] of resting) {
      if (!open.has(id)) problems.push(`${market}: the replay rests ${id} (${quantity}) but it is not open`)
    }
    return problems
  })
