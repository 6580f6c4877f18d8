/**
 * The server adds nothing to matching: a seeded random stream of limit orders (GTC, IOC,
 * FOK) and cancels from three companies, sent one by one through the SDK, gets exactly
 * the answers the pure engine of `@niha/matching` gives the same stream: the same fills
 * at the same prices for every placement, the same refusals, and the same final status
 * and filled quantity of every order.
 */
import { assert, describe, layer } from "@effect/vitest"
import { type Ids, Price } from "@niha/domain"
import { Command, type Event, Instrument, OrderBook } from "@niha/matching"
import type { OrdersApi, PromiseClient } from "@niha/sdk"
import * as Effect from "effect/Effect"
import { call, failure } from "./support/Clients.ts"
import * as TestServer from "./support/TestServer.ts"
import { tradingCompany } from "./support/Trading.ts"

const live = { excludeTestServices: true, timeout: "300 seconds" } as const
const commandCount = 2000

type Intent =
  | {
    readonly _tag: "Place"
    readonly ref: string
    readonly trader: number
    readonly side: "BUY" | "SELL"
    readonly price: number
    readonly quantity: number
    readonly timeInForce: "GTC" | "IOC" | "FOK"
  }
  | { readonly _tag: "Cancel"; readonly ref: string; readonly trader: number }

/** A reproducible stream: a linear congruential generator from `seed`. */
const intents = (seed: number, count: number): ReadonlyArray<Intent> => {
  let state = seed
  const next = (bound: number) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state % bound
  }
  const placed: Array<{ readonly ref: string; readonly trader: number }> = []
  const stream: Array<Intent> = []
  for (let index = 0; index < count; index++) {
    if (placed.length > 0 && next(100) < 15) {
      const target = placed[next(placed.length)]
      if (target !== undefined) stream.push({ _tag: "Cancel", ref: target.ref, trader: target.trader })
      continue
    }
    const roll = next(100)
    const intent: Intent = {
      _tag: "Place",
      ref: `d-${index}`,
      trader: next(3),
      side: next(2) === 0 ? "BUY" : "SELL",
      price: 1190 + next(21),
      quantity: 1 + next(50),
      timeInForce: roll < 80 ? "GTC" : roll < 95 ? "IOC" : "FOK"
    }
    placed.push({ ref: intent.ref, trader: intent.trader })
    stream.push(intent)
  }
  return stream
}

/** What the pure engine says of one intent: fills of a placement, or a refusal. */
interface Expected {
  readonly refused: boolean
  readonly fills: ReadonlyArray<readonly [price: string, quantity: string]>
}

/** The pure engine, fed the stream with the companies' entity ids as owners. */
const pureEngine = (stream: ReadonlyArray<Intent>, owners: ReadonlyArray<Ids.EntityId>) => {
  const book = OrderBook.make({ instrument: Instrument.ceaCash, anonymitySecret: "differential" })
  const orders = new Map<string, { quantity: number; filled: number; done: boolean }>()
  const answers: Array<Expected> = []
  let seq = 0
  const settle = (events: ReadonlyArray<Event.Event>, taker: string | null) => {
    const fills: Array<readonly [string, string]> = []
    for (const event of events) {
      if (event._tag === "Trade") {
        for (const id of [event.buyOrderId, event.sellOrderId]) {
          const order = orders.get(id)
          if (order !== undefined) order.filled += event.quantity
        }
        const maker = event.buyOrderId === taker ? event.sellOrderId : event.buyOrderId
        const makerState = orders.get(maker)
        if (makerState !== undefined && event.makerRemaining === 0) makerState.done = true
        const takerState = taker === null ? undefined : orders.get(taker)
        if (takerState !== undefined && event.takerRemaining === 0) takerState.done = true
        fills.push([Price.formatCash(Price.CashPrice.make(event.price)), String(event.quantity)])
      } else if (event._tag === "OrderExpired" || event._tag === "OrderCancelled") {
        const order = orders.get(event.orderId)
        if (order !== undefined) order.done = true
      }
    }
    return fills
  }
  for (const intent of stream) {
    const owner = owners[intent.trader] ?? ""
    if (intent._tag === "Place") {
      orders.set(intent.ref, { quantity: intent.quantity, filled: 0, done: false })
      const events = OrderBook.apply(
        book,
        Command.limit({
          seq,
          timestamp: 0,
          orderId: intent.ref,
          owner,
          side: intent.side,
          price: intent.price,
          quantity: intent.quantity,
          timeInForce: intent.timeInForce
        })
      )
      const refused = events[0]?._tag === "CommandRejected"
      if (refused) orders.delete(intent.ref)
      else seq++
      answers.push({ refused, fills: refused ? [] : settle(events, intent.ref) })
    } else {
      const events = OrderBook.apply(book, { _tag: "Cancel", seq, timestamp: 0, orderId: intent.ref, owner })
      const refused = events[0]?._tag === "CommandRejected"
      if (!refused) seq++
      answers.push({ refused, fills: refused ? [] : settle(events, null) })
    }
  }
  const statusOf = (order: { quantity: number; filled: number; done: boolean }) =>
    order.done ?
      (order.filled === order.quantity ? "FILLED" : "CANCELLED") :
      (order.filled > 0 ? "PARTIALLY_FILLED" : "OPEN")
  const finals = new Map([...orders].map(([ref, order]) => [ref, `${statusOf(order)} ${order.filled}`] as const))
  return { answers, finals }
}

/** Every order of a company, all pages. */
const allOrders = (client: PromiseClient.Client) =>
  Effect.gen(function*() {
    const orders: Array<OrdersApi.Order> = []
    let after: Ids.OrderId | undefined
    for (;;) {
      const page = yield* call(() =>
        client.orders.listOrders({ query: { limit: 100, ...(after === undefined ? {} : { starting_after: after }) } })
      )
      orders.push(...page.data)
      const last = page.data.at(-1)
      if (!page.has_more || last === undefined) return orders
      after = last.id
    }
  })

describe.skipIf(TestServer.skipReasonOf(TestServer.quickBackend) !== undefined)(
  "the server and the pure engine",
  () => {
    layer(TestServer.layer(TestServer.quickBackend), live)((it) => {
      it.effect(`give the same answers to ${commandCount} seeded random commands`, () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServer
          const companies = [
            yield* tradingCompany(server, "one@diff.example", "Diff One", 10_000_000_000),
            yield* tradingCompany(server, "two@diff.example", "Diff Two", 10_000_000_000),
            yield* tradingCompany(server, "three@diff.example", "Diff Three", 10_000_000_000)
          ]
          const admin = companies[0]?.admin
          if (admin === undefined) return yield* Effect.die("no admin")
          for (const company of companies) {
            yield* call(() =>
              admin.ledger.adjust({
                params: { id: company.entityId },
                payload: { asset_type: "CEA", amount: "10000000", reason: "differential test stock" }
              })
            )
          }
          const stream = intents(20261129, commandCount)
          const expected = pureEngine(stream, companies.map((company) => company.entityId))
          const ids = new Map<string, Ids.OrderId>()
          for (const [index, intent] of stream.entries()) {
            const client = companies[intent.trader]?.client
            const want = expected.answers[index]
            if (client === undefined || want === undefined) return yield* Effect.die("stream out of range")
            if (intent._tag === "Place") {
              const payload: OrdersApi.PlaceOrder = {
                market: "CEA_CASH",
                side: intent.side,
                type: "LIMIT",
                quantity: String(intent.quantity),
                price: Price.formatCash(Price.CashPrice.make(intent.price)),
                time_in_force: intent.timeInForce,
                client_reference: intent.ref
              }
              if (want.refused) {
                const refused = yield* failure(() => client.orders.placeOrder({ payload }))
                assert.strictEqual(refused.code, "order_rejected", `${intent.ref} is refused`)
                continue
              }
              const placed = yield* call(() => client.orders.placeOrder({ payload }))
              ids.set(intent.ref, placed.order.id)
              assert.deepStrictEqual(
                placed.fills.map((fill) => [fill.price, fill.quantity]),
                want.fills.map(([price, quantity]) => [price, quantity]),
                `fills of ${intent.ref}`
              )
            } else {
              const id = ids.get(intent.ref)
              if (id === undefined) continue
              if (want.refused) {
                const refused = yield* failure(() => client.orders.cancelOrder({ params: { id } }))
                assert.strictEqual(refused.code, "invalid_transition", `cancel of ${intent.ref} is refused`)
              } else {
                const cancelled = yield* call(() => client.orders.cancelOrder({ params: { id } }))
                assert.strictEqual(cancelled.order.status, "CANCELLED")
              }
            }
          }
          const finals = new Map<string, string>()
          for (const company of companies) {
            for (const order of yield* allOrders(company.client)) {
              finals.set(order.client_reference ?? order.id, `${order.status} ${order.filled_quantity}`)
            }
          }
          assert.deepStrictEqual(finals, expected.finals)
        }), { timeout: 300_000 })
    })
  }
)
