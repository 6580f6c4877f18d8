/**
 * Order entry: place, cancel, list and read orders in both markets, pre-funded through
 * the ledger and matched by the market's one writer (`MarketWriter`).
 *
 * - **Pre-funding.** A buy locks its worst case in the quote asset: its notional at its
 *   limit (or protection) price, or its budget, plus the fee at its rate; a sell locks the
 *   allowances. The lock is a pending ledger transfer, written in the transaction that
 *   stores the order, before the engine sees it: an order the account cannot pay for is
 *   `InsufficientFunds` and changes nothing.
 * - **Fills.** Each trade posts from the two locks (`Ledger.settleTrade`): the buyer's
 *   quote to the seller less the seller's fee, both fees to `FEES`, the allowances to
 *   `SETTLEMENT_PENDING` for the buyer, with a settlement batch due on the date of
 *   `@niha/settlement`'s schedule. An order that leaves the book (filled, cancelled,
 *   expired) returns what its lock still holds.
 * - **Fees.** An order's rate is `FeeSchedule.resolve`d when it is placed and kept for its
 *   fills (its lock was computed from it; a rate changed later applies to later orders).
 *   Fees are half-up in the quote asset's unit, on the order's cumulative notional: a
 *   fill is charged `fee(notional so far) - fee(notional before it)`, so an order's fees
 *   are exactly the fee of its whole notional however it was filled, and never more than
 *   its lock. In SWAP a fill's CEA notional is `quantity x price` rounded half-up to the
 *   tonne, so a buy locks half a tonne per tonne more than its exact notional. These rules
 *   are the domain's (`FeeSchedule.fillFee`, `fillNotional`, `buyLock`), property-tested
 *   there: any split of a buy at any prices up to its limit costs no more than its lock.
 * - **State.** Statuses move through `StateMachine.orderStatus`; the buyer's clients
 *   move CEA -> CEA_SETTLE at a first CEA purchase (SWAP -> EUA_SETTLE at a first EUA
 *   one). Every command is audited. Placement is idempotent by `client_reference`.
 *
 * @since 0.1.0
 */
import { Ledger, type Repository } from "@niha/db"
import {
  type Enums,
  Errors,
  FeeSchedule,
  type Ids,
  Market,
  Money,
  type Parties,
  Price,
  Quantity,
  Rate,
  StateMachine,
  Trading
} from "@niha/domain"
import { Command, type Event, Instrument } from "@niha/matching"
import type { OrdersApi } from "@niha/sdk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, moveEntityStage, present, visible } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"
import { Fees } from "./Fees.ts"
import { MarketWriter, type Writer } from "./MarketWriter.ts"
import * as SettlementCalendars from "./SettlementCalendars.ts"

/**
 * The staff action that lets a user read every entity's orders.
 *
 * @category access
 * @since 0.1.0
 */
export const staffReadAction = "view_audit_log"

const orders = {
  find: rows.byId("orders", Trading.Order, { lock: false }),
  lock: rows.byId("orders", Trading.Order, { lock: true }),
  all: rows.all("orders", Trading.Order),
  page: rows.page("orders", Trading.Order)
}
const trades = { all: rows.all("cash_market_trades", Trading.CashMarketTrade) }
const orderJson = Schema.encodeSync(Trading.Order.json)

const lockKey = (id: string) => `orders:${id}:lock`
const newId = () => NodeCrypto.randomUUID() as Ids.OrderId

// ---------------------------------------------------------------------------------------------
// Placement: the input checked against its market
// ---------------------------------------------------------------------------------------------

const numbersOf = {
  CEA_CASH: Schema.Struct({
    quantity: Schema.optionalKey(Quantity.TonnesFromString),
    price: Schema.optionalKey(Price.CashPriceFromString),
    budget: Schema.optionalKey(Money.CentsFromString)
  }),
  SWAP: Schema.Struct({
    quantity: Schema.optionalKey(Quantity.TonnesFromString),
    price: Schema.optionalKey(Price.SwapPriceFromString),
    budget: Schema.optionalKey(Quantity.TonnesFromString)
  })
} as const

/** An order as the engine and the database will see it, checked. */
interface Spec {
  readonly market: Enums.MarketType
  readonly side: Enums.OrderSide
  readonly type: Trading.OrderType
  readonly quantity: number
  /** The limit price, or a MARKET order's protection price (its band's end when none was given). */
  readonly price: number
  /** Whether a MARKET order was given a protection price. */
  readonly protected: boolean
  readonly budget: number | null
  readonly timeInForce: Trading.TimeInForce
  readonly postOnly: boolean
  readonly clientReference: string | null
}

const invalid = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

/** Checks a placement against the rules of order types and the market's instrument. */
const specOf = (input: OrdersApi.PlaceOrder, clientReference: string | null) =>
  Effect.gen(function*() {
    const instrument = Instrument.forMarket(input.market)
    const numbers = yield* Effect.mapError(
      Schema.decodeUnknownEffect(numbersOf[input.market])({
        ...(input.quantity === undefined ? {} : { quantity: input.quantity }),
        ...(input.price === undefined ? {} : { price: input.price }),
        ...(input.budget === undefined ? {} : { budget: input.budget })
      }),
      Errors.validationFailed
    )
    const quantity = numbers.quantity
    if (quantity === undefined) return yield* invalid("quantity", "an order needs a quantity in whole tonnes")
    if (quantity < instrument.minQuantity || quantity > instrument.maxQuantity) {
      return yield* invalid(
        "quantity",
        `must be between ${instrument.minQuantity} and ${instrument.maxQuantity} tonnes`
      )
    }
    const price = numbers.price
    if (price !== undefined && (price < instrument.minPrice || price > instrument.maxPrice)) {
      return yield* invalid(
        "price",
        `must be between ${formatPrice(input.market, instrument.minPrice)} and ${
          formatPrice(input.market, instrument.maxPrice)
        }`
      )
    }
    const postOnly = input.post_only ?? false
    if (input.type === "LIMIT") {
      if (price === undefined) return yield* invalid("price", "a LIMIT order needs a price")
      if (numbers.budget !== undefined) return yield* invalid("budget", "only a MARKET BUY has a budget")
      const timeInForce = input.time_in_force ?? "GTC"
      if (postOnly && timeInForce !== "GTC") return yield* invalid("post_only", "a post-only order is GTC")
      return {
        market: input.market,
        side: input.side,
        type: "LIMIT",
        quantity,
        price,
        protected: true,
        budget: null,
        timeInForce,
        postOnly,
        clientReference
      } satisfies Spec
    }
    const timeInForce = input.time_in_force ?? "IOC"
    if (timeInForce === "GTC") return yield* invalid("time_in_force", "a MARKET order is IOC or FOK")
    if (postOnly) return yield* invalid("post_only", "a MARKET order cannot be post-only")
    const budget = numbers.budget ?? null
    if (budget !== null) {
      if (input.side !== "BUY") return yield* invalid("budget", "only a MARKET BUY has a budget")
      if (input.market !== "CEA_CASH") return yield* invalid("budget", "a budget is offered in CEA_CASH only")
      if (budget <= 0) return yield* invalid("budget", "must be greater than zero")
    }
    return {
      market: input.market,
      side: input.side,
      type: "MARKET",
      quantity,
      price: price ?? (input.side === "BUY" ? instrument.maxPrice : instrument.minPrice),
      protected: price !== undefined,
      budget,
      timeInForce,
      postOnly: false,
      clientReference
    } satisfies Spec
  })

// ---------------------------------------------------------------------------------------------
// Amounts in the quote asset's minor unit (EUR cents in CEA_CASH, CEA tonnes in SWAP)
// ---------------------------------------------------------------------------------------------

const formatQuote = (market: Enums.MarketType, amount: number): string =>
  Market.quoteAsset(market) === "EUR" ? Money.format(Money.SignedCents.make(amount)) : Quantity.format(
    Quantity.SignedTonnes.make(amount)
  )

const formatPrice = (market: Enums.MarketType, price: number): string =>
  market === "CEA_CASH" ? Price.formatCash(Price.CashPrice.make(price)) : Price.formatSwap(Price.SwapPrice.make(price))

// ---------------------------------------------------------------------------------------------
// Matching results: orders touched by a command
// ---------------------------------------------------------------------------------------------

/** An order a command touched, in memory until its transaction writes it. */
interface Touched {
  readonly id: Ids.OrderId
  readonly entityId: Ids.EntityId
  readonly side: Enums.OrderSide
  readonly quantity: number
  readonly feeRate: Rate.Ppm
  readonly locked: number
  readonly before: Trading.Order | null
  filled: number
  notional: number
  fees: number
  /** It left the book: filled, cancelled or expired. */
  done: boolean
}

/** An order loaded from the database; one without an entity is a broken invariant here. */
const touchedOf = (order: Trading.Order): Effect.Effect<Touched> =>
  order.entity_id === null ?
    // Orders of market makers and sellers are placed by the market-making issue's path.
    Effect.die(new Error(`invariant broken: order ${order.id} has no entity`)) :
    Effect.succeed({
      id: order.id,
      entityId: order.entity_id,
      side: order.side,
      quantity: order.quantity,
      feeRate: order.fee_rate,
      locked: order.side === "BUY" ? order.locked_amount : order.quantity,
      before: order,
      filled: order.filled_quantity,
      notional: order.filled_notional,
      fees: order.fees_paid,
      done: false
    })

/** What an order's fills have taken from its lock. */
const consumed = (order: Touched) => order.side === "BUY" ? order.notional + order.fees : order.filled

/** Charges a fill's fee on the order's cumulative notional and returns it. */
const charge = (order: Touched, notional: number): number => {
  const fee = FeeSchedule.fillFee(order.notional, notional, order.feeRate)
  order.notional += notional
  order.fees += fee
  return fee
}

const statusOf = (order: Touched): Enums.OrderStatus =>
  order.done ?
    (order.filled === order.quantity ? "FILLED" : "CANCELLED") :
    (order.filled > 0 ? "PARTIALLY_FILLED" : "OPEN")

/** The ids of the resting orders a command's events name besides `taker`. */
const makersOf = (events: ReadonlyArray<Event.Event>, taker: string | null): ReadonlyArray<string> => {
  const ids = new Set<string>()
  for (const event of events) {
    if (event._tag === "Trade") {
      if (event.buyOrderId !== taker) ids.add(event.buyOrderId)
      if (event.sellOrderId !== taker) ids.add(event.sellOrderId)
    } else if (event._tag === "OrderCancelled" && event.orderId !== taker) {
      ids.add(event.orderId)
    }
  }
  return [...ids].sort()
}

/**
 * Builds the service on the database and the writer in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const writer = yield* MarketWriter
  const fees = yield* Fees
  const ledger = Ledger.make(sql)
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  // A ledger refusal after the lock (a post or a void) means the order's lock did not
  // cover its fills: a broken invariant of this module, not the caller's mistake.
  const orDieLedger = <A, E>(effect: Effect.Effect<A, E>) => Effect.orDie(effect)

  /** The rate of one side, from the fee schedule in force (`Fees.schedule`), in the caller's transaction. */
  const feeRate = (market: Enums.MarketType, entityId: Ids.EntityId, side: Enums.OrderSide) =>
    Effect.map(
      fees.schedule(sql, { market, entity_id: entityId }),
      (schedule) => FeeSchedule.resolve(schedule, { entity_id: entityId, market, side }).rate
    )

  // A command's trades share its sequence; the engine numbers them `<market>-<seq>-<n>`,
  // so within a command they sort by the length, then the text, of their match id.
  const fillsOf = (order: Trading.Order) =>
    Effect.map(
      trades.all(sql`
        SELECT * FROM cash_market_trades WHERE buy_order_id = ${order.id} OR sell_order_id = ${order.id}
        ORDER BY market_sequence, length(match_id), match_id, id`),
      (rows) =>
        rows.map((trade): OrdersApi.Fill => {
          const buying = order.side === "BUY"
          return {
            trade_id: trade.id,
            order_id: order.id,
            side: order.side,
            liquidity: trade.aggressor === order.side ? "TAKER" : "MAKER",
            price: formatPrice(order.market, trade.price),
            quantity: Quantity.format(trade.quantity),
            notional: formatQuote(order.market, trade.notional),
            fee: formatQuote(order.market, buying ? trade.buyer_fee : trade.seller_fee),
            fee_rate: Rate.format(buying ? trade.buyer_fee_rate : trade.seller_fee_rate),
            executed_at: DateTime.formatIso(trade.executed_at)
          }
        })
    )

  const withFills = (order: Trading.Order) =>
    Effect.map(fillsOf(order), (fills): OrdersApi.OrderWithFills => ({ order, fills }))

  /** The settlement batch of a purchase, due on its schedule's date. */
  const settlementBatch = (options: {
    readonly market: Enums.MarketType
    readonly tradeId: string
    readonly buyer: Touched
    readonly quantity: number
    readonly price: number
    readonly notional: number
    readonly executedAt: DateTime.Utc
    readonly actor: Ids.UserId
  }) =>
    Effect.gen(function*() {
      const instrument = Market.instruments[options.market]
      // A schedule past the calendars' data is accepted with provisional dates, to be
      // rescheduled when an operator adds the year (`SettlementCalendars`).
      const dates = SettlementCalendars.batchDates(instrument.settlementType, options.executedAt)
      const reference = `STL-${dates.trade_date.replaceAll("-", "")}-${
        NodeCrypto.randomBytes(5).toString("hex").toUpperCase()
      }`
      const [batch] = yield* sql<{ id: string }>`
        INSERT INTO settlement_batches (batch_reference, entity_id, order_id, cash_market_trade_id, status,
          quantity, executed_at, trade_date, expected_settlement_date, settlement_type, asset_type, price, total_amount,
          reschedule_pending)
        VALUES (${reference}, ${options.buyer.entityId}, ${options.buyer.id}, ${options.tradeId}, 'PENDING',
          ${options.quantity}, ${DateTime.toDate(options.executedAt)}, ${dates.trade_date},
          ${dates.settlement_date}, ${instrument.settlementType}, ${instrument.base},
          ${formatPrice(options.market, options.price)}, ${formatQuote(options.market, options.notional)},
          ${dates.reschedule_pending})
        RETURNING id`
      if (batch === undefined) return yield* Effect.die(new Error("invariant broken: a batch insert returned no row"))
      yield* sql`
        INSERT INTO settlement_status_history (settlement_batch_id, from_status, to_status, updated_by, note)
        VALUES (${batch.id}, NULL, 'PENDING', ${options.actor}, 'created by a trade')`
    })

  /**
   * Writes what a command's events did: the new order's row (`taker`, written first: the
   * trades refer to it), the trades with their fees, ledger posts and settlement batches,
   * the resting orders' new fills and statuses, and the unlock of every order that left
   * the book. The resting orders the events name are loaded and locked here.
   */
  const settle = (options: {
    readonly market: Enums.MarketType
    readonly events: ReadonlyArray<Event.Event>
    readonly touched: Map<string, Touched>
    /** The order that arrived (placed, or amended into a crossing price), if any. */
    readonly taker: Touched | null
    /** Writes a new taker's row, with its status after matching. */
    readonly insertTaker?: ((status: Enums.OrderStatus) => Effect.Effect<void, SqlError>) | undefined
    readonly actor: Ids.UserId
    readonly sequence: number
  }) =>
    Effect.gen(function*() {
      const { actor, events, market, sequence, touched } = options
      const taker = options.taker
      const makerIds = makersOf(events, taker?.id ?? null).filter((id) => !touched.has(id))
      if (makerIds.length > 0) {
        const loaded = yield* orders.all(
          sql`SELECT * FROM orders WHERE id IN ${sql.in(makerIds)} ORDER BY id FOR UPDATE`
        )
        for (const order of loaded) touched.set(order.id, yield* touchedOf(order))
      }
      const find = (id: string): Effect.Effect<Touched> => {
        const order = touched.get(id)
        return order === undefined ?
          Effect.die(new Error(`invariant broken: the engine names order ${id}, which is not in the database`)) :
          Effect.succeed(order)
      }
      const { base, quote } = Market.instruments[market]
      const requests: Array<Ledger.Request> = []
      const fills: Array<Fill> = []
      for (const event of events) {
        switch (event._tag) {
          case "Trade": {
            const buyer = yield* find(event.buyOrderId)
            const seller = yield* find(event.sellOrderId)
            // The instruments bound price x quantity far below the largest safe amount.
            const notional = yield* Result.match(FeeSchedule.fillNotional(market, event.quantity, event.price), {
              onFailure: Effect.die,
              onSuccess: Effect.succeed
            })
            const buyerFee = charge(buyer, notional)
            const sellerFee = charge(seller, notional)
            buyer.filled += event.quantity
            seller.filled += event.quantity
            const maker = taker !== null && buyer.id === taker.id ? seller : buyer
            if (event.makerRemaining === 0) maker.done = true
            if (taker !== null && event.takerRemaining === 0) taker.done = true
            const id = NodeCrypto.randomUUID()
            fills.push({ id, event, notional, buyerFee, sellerFee, buyer, seller })
            requests.push(...Ledger.settleTrade({
              key: `cash_market_trades:${id}`,
              trade_id: id,
              base,
              quote,
              quantity: event.quantity,
              notional,
              buyer_fee: buyerFee,
              seller_fee: sellerFee,
              buyer: { entity_id: buyer.entityId, lock: { key: lockKey(buyer.id) } },
              seller: { entity_id: seller.entityId, lock: { key: lockKey(seller.id) } },
              delivery: "settlement_pending"
            }))
            break
          }
          case "OrderExpired":
          case "OrderCancelled":
            ;(yield* find(event.orderId)).done = true
            break
          case "OrderAccepted":
          case "OrderRested":
          case "OrderAmended":
          case "OwnerOrdersCancelled":
            break
          default:
            // The commands of this module do not amend, decrement, cancel all or halt.
            return yield* Effect.die(new Error(`invariant broken: unexpected engine event ${event._tag}`))
        }
      }
      const now = DateTime.toDate(yield* DateTime.now)
      if (taker !== null && options.insertTaker !== undefined) yield* options.insertTaker(statusOf(taker))
      for (const fill of fills) yield* insertTrade(market, fill, sequence, actor)
      for (const order of touched.values()) {
        const left = order.locked - consumed(order)
        if (left < 0) {
          return yield* Effect.die(new Error(`invariant broken: order ${order.id}'s fills took more than its lock`))
        }
        if (order.done && left > 0) {
          requests.push(
            Ledger.unlockOrder({
              key: `orders:${order.id}:unlock`,
              lock: { key: lockKey(order.id) },
              order_id: order.id
            })
          )
        }
        if (order.before === null) continue
        const status = statusOf(order)
        if (status !== order.before.status) {
          yield* Effect.orDie(move(StateMachine.orderStatus, order.before.status, status))
        }
        yield* sql`
          UPDATE orders SET status = ${status}, filled_quantity = ${order.filled},
            filled_notional = ${formatQuote(market, order.notional)}, fees_paid = ${formatQuote(market, order.fees)},
            cancelled_at = ${status === "CANCELLED" ? now : null}, updated_at = ${now}
          WHERE id = ${order.id}`
      }
      if (requests.length > 0) yield* orDieLedger(ledger.submit(requests))
      const buyers = new Set(fills.map((fill) => fill.buyer.entityId))
      const [from, to] = market === "CEA_CASH" ? ["CEA", "CEA_SETTLE"] as const : ["SWAP", "EUA_SETTLE"] as const
      for (const buyer of buyers) yield* moveEntityStage(buyer, from, to, actor)
      return fills.length
    })

  const insertTrade = (market: Enums.MarketType, fill: Fill, sequence: number, actor: Ids.UserId) =>
    Effect.gen(function*() {
      const executedAt = DateTime.makeUnsafe(fill.event.timestamp)
      yield* sql`
        INSERT INTO cash_market_trades (id, buy_order_id, sell_order_id, quantity, executed_at, market, price,
          notional, buyer_fee, seller_fee, buyer_fee_rate, seller_fee_rate, match_id, aggressor, market_sequence)
        VALUES (${fill.id}, ${fill.buyer.id}, ${fill.seller.id}, ${fill.event.quantity},
          ${DateTime.toDate(executedAt)}, ${market}, ${formatPrice(market, fill.event.price)},
          ${formatQuote(market, fill.notional)}, ${formatQuote(market, fill.buyerFee)},
          ${formatQuote(market, fill.sellerFee)}, ${Rate.format(fill.buyer.feeRate)},
          ${Rate.format(fill.seller.feeRate)}, ${fill.event.tradeId}, ${fill.event.aggressor}, ${sequence})`
      yield* settlementBatch({
        market,
        tradeId: fill.id,
        buyer: fill.buyer,
        quantity: fill.event.quantity,
        price: fill.event.price,
        notional: fill.notional,
        executedAt,
        actor
      })
    })

  /** The answer to a placement replayed by its client reference, or `Conflict` when it differs. */
  const replay = (entityId: Ids.EntityId, spec: Spec) =>
    Effect.gen(function*() {
      if (spec.clientReference === null) return undefined
      const [earlier] = yield* orders.all(sql`
        SELECT * FROM orders WHERE entity_id = ${entityId} AND client_reference = ${spec.clientReference}`)
      if (earlier === undefined) return undefined
      const same = earlier.market === spec.market && earlier.side === spec.side && earlier.order_type === spec.type &&
        earlier.quantity === spec.quantity && earlier.price === spec.price && earlier.budget === spec.budget &&
        earlier.time_in_force === spec.timeInForce && earlier.post_only === spec.postOnly
      if (!same) {
        return yield* new Errors.Conflict({
          resource: "orders",
          reason: `client_reference ${JSON.stringify(spec.clientReference)} was used for another order`
        })
      }
      return yield* withFills(earlier)
    })

  const engineRefusal = (market: Enums.MarketType, rejected: Event.CommandRejected) => {
    switch (rejected.reason) {
      case "POST_ONLY_WOULD_CROSS":
      case "FOK_NOT_FILLABLE":
      case "MARKET_HALTED":
        return Effect.fail(new Errors.OrderRejected({ market, reason: rejected.reason }))
      default:
        // `specOf` checks what the engine checks; a refusal it did not foresee is a defect.
        return Effect.die(new Error(`invariant broken: the engine refused a checked order: ${rejected.reason}`))
    }
  }

  const commandOf = (spec: Spec, id: string, owner: string, sequence: number, timestamp: number): Command.Command =>
    spec.type === "LIMIT" ?
      Command.limit({
        seq: sequence,
        timestamp,
        orderId: id,
        owner,
        side: spec.side,
        price: spec.price,
        quantity: spec.quantity,
        timeInForce: spec.timeInForce,
        postOnly: spec.postOnly
      }) :
      Command.market({
        seq: sequence,
        timestamp,
        orderId: id,
        owner,
        side: spec.side,
        quantity: spec.quantity,
        budget: spec.budget,
        limitPrice: spec.protected ? spec.price : null,
        timeInForce: spec.timeInForce === "FOK" ? "FOK" : "IOC"
      })

  const place = Effect.fn("Orders.place")(
    function*(actor: Parties.User, input: OrdersApi.PlaceOrder, idempotencyKey?: string | undefined) {
      yield* authorize(actor, input.market === "CEA_CASH" ? "place_cea_order" : "request_swap")
      const entityId = actor.entity_id
      if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
      const spec = yield* specOf(input, input.client_reference ?? idempotencyKey ?? null)
      return yield* writer.write(spec.market, (market: Writer) =>
        Effect.gen(function*() {
          const earlier = yield* replay(entityId, spec)
          if (earlier !== undefined) return earlier
          const id = newId()
          const rate = yield* feeRate(spec.market, entityId, spec.side)
          const { base, quote } = Market.instruments[spec.market]
          const lock = spec.side === "BUY" ?
            FeeSchedule.buyLock({
              market: spec.market,
              price: spec.price,
              quantity: spec.quantity,
              budget: spec.budget,
              rate
            }) :
            Result.succeed(spec.quantity)
          if (Result.isFailure(lock)) {
            return yield* invalid("quantity", "the order's cost is beyond what the platform can hold")
          }
          const locked = lock.success
          // The lock comes first: an order the account cannot pay for changes nothing. Any
          // other refusal of a lock this module built under a fresh key is a defect.
          yield* Effect.catchIf(
            ledger.apply(Ledger.lockForOrder({
              key: lockKey(id),
              entity_id: entityId,
              order_id: id,
              asset: spec.side === "BUY" ? quote : base,
              amount: locked
            })),
            (error): error is Exclude<Ledger.LedgerError, Errors.InsufficientFunds | SqlError> =>
              !(error instanceof Errors.InsufficientFunds) && !isSqlError(error),
            Effect.die
          )
          const timestamp = yield* Clock.currentTimeMillis
          const command = commandOf(spec, id, entityId, market.nextSequence(), timestamp)
          const events = market.apply(command)
          const first = events[0]
          if (first !== undefined && first._tag === "CommandRejected") return yield* engineRefusal(spec.market, first)
          yield* market.store(command, null)
          const order: Touched = {
            id,
            entityId,
            side: spec.side,
            quantity: spec.quantity,
            feeRate: rate,
            locked,
            before: null,
            filled: 0,
            notional: 0,
            fees: 0,
            done: false
          }
          const insert = (status: Enums.OrderStatus) =>
            sql`
              INSERT INTO orders (id, entity_id, side, status, quantity, filled_quantity, client_reference, cancelled_at,
                market, price, order_type, time_in_force, post_only, budget, fee_rate, locked_amount, filled_notional,
                fees_paid, market_sequence)
              VALUES (${id}, ${entityId}, ${spec.side}, ${status}, ${spec.quantity}, ${order.filled},
                ${spec.clientReference}, ${status === "CANCELLED" ? new Date(timestamp) : null}, ${spec.market},
                ${formatPrice(spec.market, spec.price)}, ${spec.type}, ${spec.timeInForce}, ${spec.postOnly},
                ${spec.budget === null ? null : formatQuote(spec.market, spec.budget)}, ${Rate.format(rate)},
                ${formatQuote(spec.market, spec.side === "BUY" ? locked : 0)}, ${
              formatQuote(spec.market, order.notional)
            },
                ${formatQuote(spec.market, order.fees)}, ${command.seq})`.pipe(Effect.asVoid)
          const touched = new Map<string, Touched>([[id, order]])
          const filled = yield* settle({
            market: spec.market,
            events,
            touched,
            taker: order,
            insertTaker: insert,
            actor: actor.id,
            sequence: command.seq
          })
          yield* sql`UPDATE market_commands SET order_id = ${id} WHERE market = ${spec.market} AND sequence = ${command.seq}`
          const after = yield* present(orders.find(id))
          yield* Audit.record({
            user_id: actor.id,
            action: "orders.place",
            subject_table: "orders",
            subject_id: id,
            details: { market: spec.market, sequence: command.seq, trades: filled },
            after: orderJson(after)
          })
          return yield* withFills(after)
        })).pipe(Effect.provideContext(context))
    }
  )

  /**
   * An order of the actor's entity, read before its market's writer takes the command: an
   * order of another entity (or none) is `NotFound`, as if it did not exist.
   */
  const ownOrder = (actor: Parties.User, id: Ids.OrderId) =>
    Effect.gen(function*() {
      yield* authorize(actor, "cancel_own_order")
      const found = yield* orders.find(id).pipe(Effect.provideContext(context))
      if (found.entity_id === null || found.entity_id !== actor.entity_id) {
        return yield* new Errors.NotFound({ resource: "orders", id })
      }
      return { entityId: found.entity_id, found }
    })

  /** The answer to a command on a resting order: the order as it is now, audited with its state before. */
  const changed = (actor: Parties.User, action: string, before: Trading.Order, sequence: number) =>
    Effect.gen(function*() {
      const after = yield* present(orders.find(before.id))
      yield* Audit.record({
        user_id: actor.id,
        action,
        subject_table: "orders",
        subject_id: before.id,
        details: { market: before.market, sequence },
        before: orderJson(before),
        after: orderJson(after)
      })
      return yield* withFills(after)
    })

  const cancel = Effect.fn("Orders.cancel")(function*(actor: Parties.User, id: Ids.OrderId) {
    const { entityId, found } = yield* ownOrder(actor, id)
    return yield* writer.write(found.market, (market: Writer) =>
      Effect.gen(function*() {
        const before = yield* present(orders.lock(id))
        // A filled or cancelled order is answered with the machine's refusal.
        yield* move(StateMachine.orderStatus, before.status, "CANCELLED")
        const timestamp = yield* Clock.currentTimeMillis
        const command: Command.Command = {
          _tag: "Cancel",
          seq: market.nextSequence(),
          timestamp,
          orderId: id,
          owner: entityId
        }
        const events = market.apply(command)
        const first = events[0]
        if (first !== undefined && first._tag === "CommandRejected") {
          return yield* Effect.die(new Error(`invariant broken: a resting order is not in the book: ${first.reason}`))
        }
        yield* market.store(command, id)
        yield* settle({
          market: found.market,
          events,
          touched: new Map([[id, yield* touchedOf(before)]]),
          taker: null,
          actor: actor.id,
          sequence: command.seq
        })
        return yield* changed(actor, "orders.cancel", before, command.seq)
      })).pipe(Effect.provideContext(context))
  })

  const amend = Effect.fn("Orders.amend")(
    function*(actor: Parties.User, id: Ids.OrderId, input: { readonly price?: string; readonly quantity?: string }) {
      const { entityId, found } = yield* ownOrder(actor, id)
      const numbers = yield* Effect.mapError(
        Schema.decodeUnknownEffect(numbersOf[found.market])({
          ...(input.quantity === undefined ? {} : { quantity: input.quantity }),
          ...(input.price === undefined ? {} : { price: input.price })
        }),
        Errors.validationFailed
      )
      if (numbers.price === undefined && numbers.quantity === undefined) {
        return yield* invalid("", "an amend gives a new price, a new open quantity, or both")
      }
      if (numbers.quantity !== undefined && numbers.quantity < 1) {
        return yield* invalid("quantity", "the open quantity must be at least 1 tonne; cancel the order instead")
      }
      return yield* writer.write(found.market, (writing: Writer) =>
        Effect.gen(function*() {
          const before = yield* present(orders.lock(id))
          if (before.status === "FILLED" || before.status === "CANCELLED") {
            return yield* new Errors.Conflict({ resource: "orders", reason: `the order is ${before.status}` })
          }
          if (before.order_type !== "LIMIT" || before.time_in_force !== "GTC") {
            return yield* new Errors.Conflict({
              resource: "orders",
              reason: "only a resting GTC limit order is amended"
            })
          }
          const open = before.quantity - before.filled_quantity
          const quantity = numbers.quantity ?? open
          const price = numbers.price ?? before.price
          // The lock was computed for the old terms; an amend may only need less of it.
          if (quantity > open || (before.side === "BUY" && price > before.price)) {
            return yield* new Errors.Conflict({
              resource: "orders",
              reason: "an amend cannot need more funds locked (a larger quantity, or a higher bid); " +
                "cancel the order and place a new one"
            })
          }
          const timestamp = yield* Clock.currentTimeMillis
          const command: Command.Command = {
            _tag: "Amend",
            seq: writing.nextSequence(),
            timestamp,
            orderId: id,
            owner: entityId,
            price: numbers.price ?? null,
            quantity: numbers.quantity ?? null
          }
          const events = writing.apply(command)
          const first = events[0]
          if (first !== undefined && first._tag === "CommandRejected") {
            if (first.reason === "NOTHING_TO_AMEND") return yield* invalid("", "the amend changes nothing")
            return yield* engineRefusal(found.market, first)
          }
          yield* writing.store(command, id)
          yield* sql`
            UPDATE orders SET price = ${formatPrice(found.market, price)}, quantity = ${
            before.filled_quantity + quantity
          }
            WHERE id = ${id}`
          const amended = { ...(yield* touchedOf(before)), quantity: before.filled_quantity + quantity }
          yield* settle({
            market: found.market,
            events,
            touched: new Map([[id, amended]]),
            taker: amended,
            actor: actor.id,
            sequence: command.seq
          })
          return yield* changed(actor, "orders.amend", before, command.seq)
        })).pipe(Effect.provideContext(context))
    }
  )

  const cancelAll = Effect.fn("Orders.cancelAll")(function*(actor: Parties.User, market: Enums.MarketType) {
    yield* authorize(actor, "cancel_own_order")
    const entityId = actor.entity_id
    if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
    return yield* writer.write(market, (writing: Writer) =>
      Effect.gen(function*() {
        const timestamp = yield* Clock.currentTimeMillis
        const command: Command.Command = { _tag: "CancelAll", seq: writing.nextSequence(), timestamp, owner: entityId }
        const events = writing.apply(command)
        // Accepted even with nothing to cancel: the book's sequence moved, so it is stored.
        yield* writing.store(command, null)
        yield* settle({ market, events, touched: new Map(), taker: null, actor: actor.id, sequence: command.seq })
        const ids = events.flatMap((event) => event._tag === "OrderCancelled" ? [event.orderId] : [])
        const cancelled = ids.length === 0 ?
          [] :
          yield* orders.all(sql`SELECT * FROM orders WHERE id IN ${sql.in(ids)}`)
        const byId = new Map<string, Trading.Order>(cancelled.map((order) => [order.id, order] as const))
        yield* Audit.record({
          user_id: actor.id,
          action: "orders.cancel_all",
          details: { market, sequence: command.seq, cancelled: ids }
        })
        return {
          /** The orders cancelled, in their priority order. */
          cancelled: ids.flatMap((id) => byId.get(id) ?? [])
        }
      })).pipe(Effect.provideContext(context))
  })

  const get = Effect.fn("Orders.get")(function*(actor: Parties.User, id: Ids.OrderId) {
    const order = yield* orders.find(id)
    if (order.entity_id === null) return yield* new Errors.NotFound({ resource: "orders", id })
    yield* visible(actor, order.entity_id, staffReadAction, "orders", id)
    return yield* withFills(order)
  }, Effect.provideContext(context))

  const list = Effect.fn("Orders.list")(function*(
    actor: Parties.User,
    query: PageQuery & {
      readonly market?: Enums.MarketType | undefined
      readonly status?: Enums.OrderStatus | undefined
      readonly entity_id?: Ids.EntityId | undefined
    }
  ) {
    const staff = yield* Effect.map(Effect.result(authorize(actor, staffReadAction)), Result.isSuccess)
    const entity = staff ? query.entity_id ?? null : actor.entity_id
    if (!staff && entity === null) {
      return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
    }
    const filter = sql.and([
      ...(entity === null ? [] : [sql`entity_id = ${entity}`]),
      ...(query.market === undefined ? [] : [sql`market = ${query.market}`]),
      ...(query.status === undefined ? [] : [sql`status = ${query.status}`])
    ])
    return yield* orders.page(sql`AND ${filter}`, query)
  }, Effect.provideContext(context))

  return {
    /** Places an order for the actor's entity: locked, matched, stored; answered with its fills. */
    place,
    /** Cancels one of the actor's entity's orders; what it still locks is returned. */
    cancel,
    /** Amends a resting GTC order of the actor's entity: a new price or a smaller open quantity. */
    amend,
    /** Cancels every resting order of the actor's entity in a market. */
    cancelAll,
    /** One order with its fills, for its entity or staff. */
    get,
    /** Orders, oldest first, paged: the actor's entity's, or any entity's for staff. */
    list,
    /** The hash of a market's book (its snapshot's SHA-256), brought up to the database first. */
    bookHash: writer.hash
  }
})

/** A fill being written. */
interface Fill {
  readonly id: string
  readonly event: Event.Trade
  readonly notional: number
  readonly buyerFee: number
  readonly sellerFee: number
  readonly buyer: Touched
  readonly seller: Touched
}

/**
 * The order service.
 *
 * @category services
 * @since 0.1.0
 */
export class Orders extends Context.Service<Orders, Effect.Success<typeof make>>()("@niha/server/Orders") {
  /**
   * The service on the database, the repositories, the writer and the fees in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<
    Orders,
    never,
    SqlClient.SqlClient | Repository.Repositories | MarketWriter | Fees
  > = Layer.effect(Orders, make)
}
