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
 * - **Owners.** An order is an entity's (its client users', or a market maker's entity) or
 *   an external seller's (`placeForSeller`, an admin acting for it): a seller's order is
 *   guaranteed by the lots it reserves (`SellerLots`), not a ledger lock, and its side of a
 *   fill is `WORLD` (`Ledger.SellerSide`). SWAP fills also write their `trades` row.
 * - **State.** Statuses move through `StateMachine.orderStatus`; the buyer's clients
 *   move CEA -> CEA_SETTLE at a first CEA purchase (SWAP -> EUA_SETTLE at a first EUA
 *   one). Every command is audited. Placement is idempotent by `client_reference`.
 *
 * @since 0.1.0
 */
import { Ledger, type Repository } from "@niha/db"
import {
  Decimal,
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
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import type * as Statement from "effect/sql/Statement"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import { columns } from "../internal/columns.ts"
import * as rows from "../internal/rows.ts"
import { authorize, move, present, visible } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"
import { scheduleColumns, scheduleFrom } from "./Fees.ts"
import { type Group, MarketWriter, type Writer } from "./MarketWriter.ts"
import * as SellerLots from "./SellerLots.ts"
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
  /** Its owner, as in `orders_one_owner_check`: an entity, or an external seller (its lots, `SellerLots`). */
  readonly entityId: Ids.EntityId | null
  readonly sellerId: Ids.SellerId | null
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

/** An order loaded from the database; one of neither an entity nor a seller is a broken invariant here. */
const touchedOf = (order: Trading.Order): Effect.Effect<Touched> =>
  order.entity_id === null && order.seller_id === null ?
    // Orders of market makers are placed for their entity (`MarketMakers`).
    Effect.die(new Error(`invariant broken: order ${order.id} has no entity nor seller`)) :
    Effect.succeed({
      id: order.id,
      entityId: order.entity_id,
      sellerId: order.seller_id,
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

/** An order placed in this batch, before any fill: nothing filled, its lock whole. */
const placedTouched = (
  order: Pick<Touched, "id" | "entityId" | "sellerId" | "side" | "quantity" | "feeRate" | "locked">
): Touched => ({ ...order, before: null, filled: 0, notional: 0, fees: 0, done: false })

/** The engine's owner of an order (and its client references' scope): its entity or its seller. */
const ownerOf = (order: { readonly entityId: Ids.EntityId | null; readonly sellerId: Ids.SellerId | null }): string => {
  const owner = order.entityId ?? order.sellerId
  if (owner === null) throw new Error("invariant broken: an order of neither an entity nor a seller")
  return owner
}

/** An order's side of a fill in the ledger: an entity pays out of its lock, a seller from outside (`WORLD`). */
const tradeSideOf = (order: Touched): Ledger.TradeSide =>
  order.entityId !== null ?
    { entity_id: order.entityId, lock: { key: lockKey(order.id) } } :
    { seller_id: ownerOf(order) as Ids.SellerId }

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
  const ledger = Ledger.make(sql)
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  // A ledger refusal after the lock (a post or a void) means the order's lock did not
  // cover its fills: a broken invariant of this module, not the caller's mistake.
  const orDieLedger = <A, E>(effect: Effect.Effect<A, E>) => Effect.orDie(effect)

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

  /**
   * What a command's trade events did, in memory: each fill's notional and fees (charged on
   * the orders' cumulative notional) and ledger posts, the orders' fills, and which orders
   * left the book. Every order the events name must be in `touched`.
   */
  const matchEvents = (
    market: Enums.MarketType,
    events: ReadonlyArray<Event.Event>,
    touched: ReadonlyMap<string, Touched>,
    taker: Touched | null
  ) =>
    Effect.gen(function*() {
      const find = (id: string): Effect.Effect<Touched> => {
        const order = touched.get(id)
        return order === undefined ?
          Effect.die(new Error(`invariant broken: the engine names order ${id}, which is not in the database`)) :
          Effect.succeed(order)
      }
      const { base, quote } = Market.instruments[market]
      const fills: Array<Fill> = []
      const named = new Set<string>()
      for (const event of events) {
        switch (event._tag) {
          case "Trade": {
            const buyer = yield* find(event.buyOrderId)
            const seller = yield* find(event.sellOrderId)
            const buyerEntity = buyer.entityId
            if (buyerEntity === null) {
              // A seller's order only sells (`placeForSeller`).
              return yield* Effect.die(new Error(`invariant broken: order ${buyer.id} buys without an entity`))
            }
            named.add(buyer.id)
            named.add(seller.id)
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
            const id = NodeCrypto.randomUUID() as Ids.CashMarketTradeId
            fills.push({
              id,
              event,
              notional,
              buyerFee,
              sellerFee,
              buyer,
              buyerEntity,
              seller,
              requests: Ledger.settleTrade({
                key: `cash_market_trades:${id}`,
                trade_id: id,
                base,
                quote,
                quantity: event.quantity,
                notional,
                buyer_fee: buyerFee,
                seller_fee: sellerFee,
                buyer: tradeSideOf(buyer),
                seller: tradeSideOf(seller),
                delivery: "settlement_pending"
              })
            })
            break
          }
          case "OrderExpired":
          case "OrderCancelled": {
            const order = yield* find(event.orderId)
            order.done = true
            named.add(order.id)
            break
          }
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
      return { fills, named }
    })

  /** The insert of new orders, with their state after matching, answering the stored rows (`RETURNING *`). */
  const ordersInsert = (
    market: Enums.MarketType,
    placed: ReadonlyArray<{ readonly spec: Spec; readonly order: Touched; readonly sequence: number }>,
    now: Date
  ) =>
    Effect.gen(function*() {
      const status = placed.map(({ order }) => statusOf(order))
      const c = yield* columns({
        id: placed.map(({ order }) => order.id),
        entity: placed.map(({ order }) => order.entityId),
        seller: placed.map(({ order }) => order.sellerId),
        side: placed.map(({ spec }) => spec.side),
        status,
        quantity: placed.map(({ spec }) => String(spec.quantity)),
        filled: placed.map(({ order }) => String(order.filled)),
        reference: placed.map(({ spec }) => spec.clientReference),
        cancelled: status.map((one) => one === "CANCELLED" ? now.toISOString() : null),
        price: placed.map(({ spec }) => formatPrice(market, spec.price)),
        type: placed.map(({ spec }) => spec.type),
        timeInForce: placed.map(({ spec }) => spec.timeInForce),
        postOnly: placed.map(({ spec }) => String(spec.postOnly)),
        budget: placed.map(({ spec }) => spec.budget === null ? null : formatQuote(market, spec.budget)),
        rate: placed.map(({ order }) => Rate.format(order.feeRate)),
        locked: placed.map(({ order, spec }) => formatQuote(market, spec.side === "BUY" ? order.locked : 0)),
        notional: placed.map(({ order }) => formatQuote(market, order.notional)),
        fees: placed.map(({ order }) => formatQuote(market, order.fees)),
        sequence: placed.map(({ sequence }) => String(sequence))
      })
      return sql`
        INSERT INTO orders (id, entity_id, seller_id, side, status, quantity, filled_quantity, client_reference,
          cancelled_at, market, price, order_type, time_in_force, post_only, budget, fee_rate, locked_amount,
          filled_notional, fees_paid, market_sequence)
        SELECT id, entity_id, seller_id, side, status, quantity, filled_quantity, client_reference, cancelled_at,
          ${market}::markettype, price, order_type, time_in_force, post_only, budget, fee_rate, locked_amount,
          filled_notional, fees_paid, market_sequence
        FROM unnest(${c.id}::uuid[], ${c.entity}::uuid[], ${c.seller}::uuid[], ${c.side}::orderside[],
          ${c.status}::orderstatus[],
          ${c.quantity}::bigint[], ${c.filled}::bigint[], ${c.reference}::text[], ${c.cancelled}::timestamptz[],
          ${c.price}::numeric[], ${c.type}::text[], ${c.timeInForce}::text[], ${c.postOnly}::boolean[],
          ${c.budget}::numeric[], ${c.rate}::numeric[], ${c.locked}::numeric[], ${c.notional}::numeric[],
          ${c.fees}::numeric[], ${c.sequence}::bigint[])
          AS placed(id, entity_id, seller_id, side, status, quantity, filled_quantity, client_reference, cancelled_at,
            price,
            order_type, time_in_force, post_only, budget, fee_rate, locked_amount, filled_notional, fees_paid,
            market_sequence)
        RETURNING *`
    })

  /**
   * The inserts of trades with their rates and fees, and of a settlement batch (due on its
   * schedule's date) with its first history line for each, as named parts of one statement
   * (`WITH`), whatever their number.
   */
  const tradeInserts = (market: Enums.MarketType, fills: ReadonlyArray<CommandFill>) =>
    Effect.gen(function*(): Effect.fn.Return<ReadonlyArray<Part>> {
      if (fills.length === 0) return []
      const instrument = Market.instruments[market]
      // A schedule past the calendars' data is accepted with provisional dates, to be
      // rescheduled when an operator adds the year (`SettlementCalendars`).
      const schedules = fills.map((fill) =>
        SettlementCalendars.batchDates(instrument.settlementType, DateTime.makeUnsafe(fill.event.timestamp))
      )
      const executed = fills.map((fill) => new Date(fill.event.timestamp).toISOString())
      const t = yield* columns({
        id: fills.map((fill) => fill.id),
        buy: fills.map((fill) => fill.buyer.id),
        sell: fills.map((fill) => fill.seller.id),
        quantity: fills.map((fill) => String(fill.event.quantity)),
        executed,
        price: fills.map((fill) => formatPrice(market, fill.event.price)),
        notional: fills.map((fill) => formatQuote(market, fill.notional)),
        buyerFee: fills.map((fill) => formatQuote(market, fill.buyerFee)),
        sellerFee: fills.map((fill) => formatQuote(market, fill.sellerFee)),
        buyerRate: fills.map((fill) => Rate.format(fill.buyer.feeRate)),
        sellerRate: fills.map((fill) => Rate.format(fill.seller.feeRate)),
        match: fills.map((fill) => fill.event.tradeId),
        aggressor: fills.map((fill) => fill.event.aggressor),
        sequence: fills.map((fill) => String(fill.sequence))
      })
      const trades = sql`
        INSERT INTO cash_market_trades (id, buy_order_id, sell_order_id, quantity, executed_at, market, price,
          notional, buyer_fee, seller_fee, buyer_fee_rate, seller_fee_rate, match_id, aggressor, market_sequence)
        SELECT id, buy, sell, quantity, executed, ${market}::markettype, price, notional, buyer_fee, seller_fee,
          buyer_rate, seller_rate, match, aggressor, sequence
        FROM unnest(${t.id}::uuid[], ${t.buy}::uuid[], ${t.sell}::uuid[], ${t.quantity}::bigint[],
          ${t.executed}::timestamptz[], ${t.price}::numeric[], ${t.notional}::numeric[], ${t.buyerFee}::numeric[],
          ${t.sellerFee}::numeric[], ${t.buyerRate}::numeric[], ${t.sellerRate}::numeric[], ${t.match}::text[],
          ${t.aggressor}::orderside[], ${t.sequence}::bigint[])
          AS fill(id, buy, sell, quantity, executed, price, notional, buyer_fee, seller_fee, buyer_rate, seller_rate,
            match, aggressor, sequence)`
      const b = yield* columns({
        reference: schedules.map((schedule) =>
          `STL-${schedule.trade_date.replaceAll("-", "")}-${NodeCrypto.randomBytes(5).toString("hex").toUpperCase()}`
        ),
        entity: fills.map((fill) => fill.buyerEntity),
        order: fills.map((fill) => fill.buyer.id),
        trade: fills.map((fill) => fill.id),
        quantity: fills.map((fill) => String(fill.event.quantity)),
        executed,
        tradeDate: schedules.map((schedule) => schedule.trade_date),
        due: schedules.map((schedule) => schedule.settlement_date),
        reschedule: schedules.map((schedule) => String(schedule.reschedule_pending)),
        price: fills.map((fill) => formatPrice(market, fill.event.price)),
        total: fills.map((fill) => formatQuote(market, fill.notional)),
        actor: fills.map((fill) => fill.actor)
      })
      const batches = sql`
          INSERT INTO settlement_batches (batch_reference, entity_id, order_id, cash_market_trade_id, status,
            quantity, executed_at, trade_date, expected_settlement_date, settlement_type, asset_type, price,
            total_amount, reschedule_pending)
          SELECT reference, entity, order_id, trade, 'PENDING', quantity, executed, trade_date, due,
            ${instrument.settlementType}::settlementtype, ${instrument.base}::assettype, price, total, reschedule
          FROM unnest(${b.reference}::text[], ${b.entity}::uuid[], ${b.order}::uuid[], ${b.trade}::uuid[],
            ${b.quantity}::bigint[], ${b.executed}::timestamptz[], ${b.tradeDate}::date[], ${b.due}::date[],
            ${b.price}::numeric[], ${b.total}::numeric[], ${b.reschedule}::boolean[])
            AS batch(reference, entity, order_id, trade, quantity, executed, trade_date, due, price, total, reschedule)
          RETURNING id, cash_market_trade_id`
      const history = sql`
        INSERT INTO settlement_status_history (settlement_batch_id, from_status, to_status, updated_by, note)
        SELECT batch.id, NULL, 'PENDING', actor.actor, 'created by a trade'
        FROM batch JOIN unnest(${b.trade}::uuid[], ${b.actor}::uuid[]) AS actor(trade, actor)
          ON actor.trade = batch.cash_market_trade_id`
      return [["trade", trades], ["batch", batches], ["history", history], ...(yield* swapTrades(market, fills))]
    })

  /**
   * The `trades` rows of SWAP fills, one per fill, as a named part of the statement that
   * writes the fills: the seed's legacy trade record, with the rate in CEA per EUA
   * (`trades.rate`, migration 13) and no EUR price or value. They are CONFIRMED (the fill
   * is executed), COMPLETED when the batch settles and CANCELLED when it is reversed
   * (`Settlements`). CEA_CASH fills write none: `cash_market_trades` is their record, and
   * the legacy table's BUY and SELL rows stay for over-the-counter deals.
   */
  const swapTrades = (market: Enums.MarketType, fills: ReadonlyArray<CommandFill>) =>
    Effect.gen(function*(): Effect.fn.Return<ReadonlyArray<Part>> {
      if (market !== "SWAP" || fills.length === 0) return []
      const status = yield* Effect.orDie(move(StateMachine.tradeStatus, "PENDING", "CONFIRMED"))
      const w = yield* columns({
        trade: fills.map((fill) => fill.id),
        buyer: fills.map((fill) => fill.buyerEntity),
        seller: fills.map((fill) => fill.seller.entityId),
        quantity: fills.map((fill) => String(fill.event.quantity)),
        rate: fills.map((fill) => formatPrice(market, fill.event.price)),
        executed: fills.map((fill) => new Date(fill.event.timestamp).toISOString())
      })
      return [[
        "swap_trade",
        sql`
        INSERT INTO trades (trade_type, certificate_type, buyer_entity_id, seller_entity_id, quantity, rate,
          cash_market_trade_id, status, confirmed_at)
        SELECT 'SWAP', ${Market.instruments[market].base}::certificatetype, buyer, seller, quantity, rate, trade,
          ${status}::tradestatus, executed
        FROM unnest(${w.trade}::uuid[], ${w.buyer}::uuid[], ${w.seller}::uuid[], ${w.quantity}::bigint[],
          ${w.rate}::numeric[], ${w.executed}::timestamptz[]) AS fill(trade, buyer, seller, quantity, rate, executed)`
      ]]
    })

  /**
   * The update of the resting orders a write touched (their fills and statuses, moves the
   * machine allows) as a named part of one statement.
   */
  const restingUpdate = (market: Enums.MarketType, resting: ReadonlyArray<Touched>, now: Date) =>
    Effect.gen(function*(): Effect.fn.Return<ReadonlyArray<Part>> {
      if (resting.length === 0) return []
      const status: Array<Enums.OrderStatus> = []
      for (const order of resting) {
        const next = statusOf(order)
        if (order.before !== null && next !== order.before.status) {
          yield* Effect.orDie(move(StateMachine.orderStatus, order.before.status, next))
        }
        status.push(next)
      }
      const c = yield* columns({
        id: resting.map((order) => order.id),
        status,
        filled: resting.map((order) => String(order.filled)),
        notional: resting.map((order) => formatQuote(market, order.notional)),
        fees: resting.map((order) => formatQuote(market, order.fees)),
        cancelled: status.map((one) => one === "CANCELLED" ? now.toISOString() : null)
      })
      return [[
        "resting",
        sql`
        UPDATE orders SET status = touched.status, filled_quantity = touched.filled,
          filled_notional = touched.notional, fees_paid = touched.fees, cancelled_at = touched.cancelled,
          updated_at = ${now}
        FROM unnest(${c.id}::uuid[], ${c.status}::orderstatus[], ${c.filled}::bigint[], ${c.notional}::numeric[],
          ${c.fees}::numeric[], ${c.cancelled}::timestamptz[]) AS touched(id, status, filled, notional, fees, cancelled)
        WHERE orders.id = touched.id`
      ]]
    })

  /** One statement: the parts as `WITH` queries, then `main` (they all run, in one snapshot). */
  const statement = (parts: ReadonlyArray<Part>, main: Statement.Fragment) =>
    parts.length === 0 ? sql`${main}` : sql`
      WITH ${sql.csv(parts.map(([name, part]) => sql`${sql.literal(name)} AS (${part})`))}
      ${main}`

  /**
   * The buyers' clients move CEA -> CEA_SETTLE at a first CEA purchase (SWAP -> EUA_SETTLE
   * at a first EUA one), in one statement; each move is audited for the command of the
   * buyer's first fill here.
   */
  const moveStages = (market: Enums.MarketType, firsts: ReadonlyArray<CommandFill>) =>
    Effect.gen(function*() {
      if (firsts.length === 0) return
      const [from, to] = market === "CEA_CASH" ? ["CEA", "CEA_SETTLE"] as const : ["SWAP", "EUA_SETTLE"] as const
      const stage = yield* Effect.orDie(move(StateMachine.userRole, from, to))
      const byEntity = new Map<string, CommandFill>(firsts.map((fill) => [fill.buyerEntity, fill] as const))
      const moved = yield* sql<{ id: Ids.UserId; entity_id: string }>`
        UPDATE users SET role = ${stage}, updated_at = now()
        WHERE entity_id IN ${sql.in([...byEntity.keys()].sort())} AND role = ${from} RETURNING id, entity_id`
      for (const user of moved) {
        const fill = byEntity.get(user.entity_id)
        if (fill === undefined) continue
        yield* Audit.record({
          user_id: fill.actor,
          action: "users.stage",
          subject_table: "users",
          subject_id: user.id,
          details: { from, to }
        }).pipe(Effect.provideContext(fill.context))
      }
    })

  /**
   * The lots of sellers' orders a write touched (`SellerLots`), after the statement that
   * stored the fills and their batches: each fill of a seller's order takes its lots into
   * the buyer's batch, and an order that left the book releases the lots no fill took.
   */
  const sellerLotSteps = (fills: ReadonlyArray<CommandFill>, touched: Iterable<Touched>, now: Date) =>
    Effect.gen(function*() {
      yield* SellerLots.allocate(fills.flatMap((fill) =>
        fill.seller.sellerId === null ? [] : [{
          tradeId: fill.id,
          matchId: fill.event.tradeId,
          orderId: fill.seller.id,
          quantity: fill.event.quantity,
          actor: fill.actor
        }]
      ))
      yield* SellerLots.release(
        [...touched].flatMap((order) => order.sellerId !== null && order.done ? [order.id] : []),
        now
      )
    })

  /**
   * Writes what a command's events did (a cancel's, an amend's): the trades with their
   * fees, ledger posts and settlement batches, the resting orders' new fills and statuses,
   * and the unlock of every order that left the book. The resting orders the events name
   * are loaded and locked here.
   */
  const settle = (options: {
    readonly market: Enums.MarketType
    readonly events: ReadonlyArray<Event.Event>
    readonly touched: Map<string, Touched>
    /** The order that arrived (amended into a crossing price), if any. */
    readonly taker: Touched | null
    readonly actor: Ids.UserId
    readonly sequence: number
  }) =>
    Effect.gen(function*() {
      const { actor, events, market, sequence, touched } = options
      const makerIds = makersOf(events, options.taker?.id ?? null).filter((id) => !touched.has(id))
      if (makerIds.length > 0) {
        const loaded = yield* orders.all(
          sql`SELECT * FROM orders WHERE id IN ${sql.in(makerIds)} ORDER BY id FOR UPDATE`
        )
        for (const order of loaded) touched.set(order.id, yield* touchedOf(order))
      }
      const matched = yield* matchEvents(market, events, touched, options.taker)
      const requests: Array<Ledger.Request> = matched.fills.flatMap((fill) => fill.requests)
      for (const order of touched.values()) {
        const left = order.locked - consumed(order)
        if (left < 0) {
          return yield* Effect.die(new Error(`invariant broken: order ${order.id}'s fills took more than its lock`))
        }
        // A seller's order locks lots, not ledger funds: `sellerLotSteps` releases them.
        if (order.done && left > 0 && order.sellerId === null) {
          requests.push(
            Ledger.unlockOrder({
              key: `orders:${order.id}:unlock`,
              lock: { key: lockKey(order.id) },
              order_id: order.id
            })
          )
        }
      }
      const caller = yield* Effect.context<never>()
      const fills = matched.fills.map((fill): CommandFill => ({ ...fill, sequence, actor, context: caller }))
      const now = DateTime.toDate(yield* DateTime.now)
      const parts = [
        ...(yield* tradeInserts(market, fills)),
        ...(yield* restingUpdate(market, [...touched.values()].filter((order) => order.before !== null), now))
      ]
      if (parts.length > 0) yield* statement(parts, sql`SELECT 1`)
      if (requests.length > 0) yield* orDieLedger(ledger.submit(requests))
      yield* sellerLotSteps(fills, touched.values(), now)
      const firstBuy = new Map<string, CommandFill>()
      for (const fill of fills) if (!firstBuy.has(fill.buyerEntity)) firstBuy.set(fill.buyerEntity, fill)
      yield* moveStages(market, [...firstBuy.values()])
      return fills.length
    })

  /** A fill as the answer to one of its orders shows it. */
  const fillAnswer = (market: Enums.MarketType, fill: Fill, order: Touched): OrdersApi.Fill => {
    const buying = fill.buyer.id === order.id
    const side: Enums.OrderSide = buying ? "BUY" : "SELL"
    return {
      trade_id: fill.id,
      order_id: order.id,
      side,
      liquidity: fill.event.aggressor === side ? "TAKER" : "MAKER",
      price: formatPrice(market, fill.event.price),
      quantity: Quantity.format(Quantity.Tonnes.make(fill.event.quantity)),
      notional: formatQuote(market, fill.notional),
      fee: formatQuote(market, buying ? fill.buyerFee : fill.sellerFee),
      fee_rate: Rate.format(buying ? fill.buyer.feeRate : fill.seller.feeRate),
      executed_at: DateTime.formatIso(DateTime.makeUnsafe(fill.event.timestamp))
    }
  }

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

  /** The answer to a placement replayed by its client reference, or `Conflict` when it differs. */
  const replayOf = (earlier: Trading.Order, spec: Spec) =>
    Effect.gen(function*() {
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

  /**
   * One round of a batch of placements (see {@link placeAll}): answers what it decides in
   * `exits` and returns the placements it leaves to the next round, with the effects of
   * this one written.
   */
  const placeRound = (
    writing: Writer,
    items: ReadonlyArray<Placement>,
    exits: Array<PlaceExit | undefined>,
    indices: ReadonlyArray<number>
  ) =>
    Effect.gen(function*() {
      const market = writing.market
      const { base, quote } = Market.instruments[market]
      const itemAt = (index: number): Placement => {
        const item = items[index]
        if (item === undefined) throw new Error(`invariant broken: no placement ${index}`)
        return item
      }
      const later: Array<number> = []
      // Idempotency: a reference stored before answers its order; one given twice in the
      // batch is left to the next round, where the first one (if placed) answers it.
      const referenced = indices.filter((index) => itemAt(index).spec.clientReference !== null)
      const earlier = referenced.length === 0 ? [] : yield* orders.all(sql`
        SELECT * FROM orders WHERE ${
        sql.or(referenced.map((index) => {
          const { entityId, sellerId, spec } = itemAt(index)
          return entityId === null ?
            sql`(seller_id = ${sellerId} AND client_reference = ${spec.clientReference})` :
            sql`(entity_id = ${entityId} AND client_reference = ${spec.clientReference})`
        }))
      }`)
      const earlierBy = new Map<string, Trading.Order>(
        earlier.map((order) => [`${order.entity_id ?? order.seller_id}|${order.client_reference}`, order] as const)
      )
      const seen = new Set<string>()
      const fresh: Array<number> = []
      for (const index of indices) {
        const item = itemAt(index)
        const { spec } = item
        if (spec.clientReference === null) {
          fresh.push(index)
          continue
        }
        const key = `${ownerOf(item)}|${spec.clientReference}`
        const found = earlierBy.get(key)
        if (found !== undefined) exits[index] = yield* Effect.exit(replayOf(found, spec))
        else if (seen.has(key)) later.push(index)
        else {
          seen.add(key)
          fresh.push(index)
        }
      }
      // Funds: the available balances of the batch's entities, locked in the platform's
      // order; each lock is checked against what the locks before it left. The fee
      // schedule in force comes with them, in the same statement (no cache to invalidate).
      const entities = [...new Set(fresh.flatMap((index) => itemAt(index).entityId ?? []))].sort()
      const balances = new Map<string, number>()
      let schedule = FeeSchedule.empty
      if (entities.length > 0) {
        const held = yield* sql<
          { entity_id: string | null; asset_type: Enums.AssetType | null; available: string | null }
        >`
          WITH held AS MATERIALIZED (
            SELECT entity_id, asset_type, available::text AS available FROM entity_holdings
            WHERE entity_id IN ${sql.in(entities)} AND asset_type IN ${sql.in([base, quote])}
            ORDER BY entity_holdings.entity_id, entity_holdings.asset_type FOR UPDATE)
          SELECT held.*, ${scheduleColumns(sql, market)} FROM (SELECT 1) AS one LEFT JOIN held ON true`
        schedule = yield* scheduleFrom(held[0])
        for (const row of held) {
          if (row.entity_id === null || row.asset_type === null || row.available === null) continue
          balances.set(`${row.entity_id}|${row.asset_type}`, yield* minorOf(row.asset_type, row.available))
        }
      }
      // Sellers' orders: their AVAILABLE lots, locked, each order's picked from what the ones before it left.
      const pools = yield* SellerLots.freeLots([...new Set(fresh.flatMap((index) => itemAt(index).sellerId ?? []))])
      const reservations: Array<{ readonly orderId: Ids.OrderId; readonly lots: ReadonlyArray<SellerLots.FreeLot> }> =
        []
      const placed: Array<Placed> = []
      const touched = new Map<string, Touched>()
      for (const index of fresh) {
        const item = itemAt(index)
        const { entityId, sellerId, spec } = item
        if (sellerId !== null) {
          const pool = pools.get(sellerId) ?? []
          const lots = SellerLots.pick(pool, spec.quantity)
          if (lots === undefined) {
            // As with funds: a release earlier in the round may free lots for the next one.
            if (placed.length > 0) later.push(index)
            else exits[index] = Exit.fail(SellerLots.notCovered(sellerId, spec.quantity, SellerLots.total(pool)))
            continue
          }
          const rate = FeeSchedule.resolve(schedule, { entity_id: null, market, side: spec.side }).rate
          const id = newId()
          const timestamp = yield* Effect.provideContext(Clock.currentTimeMillis, item.context)
          const command = commandOf(spec, id, sellerId, writing.nextSequence(), timestamp)
          const events = writing.apply(command)
          const first = events[0]
          if (first !== undefined && first._tag === "CommandRejected") {
            pool.unshift(...lots)
            exits[index] = yield* Effect.exit(engineRefusal(market, first))
            continue
          }
          const order = placedTouched({
            id,
            entityId: null,
            sellerId,
            side: spec.side,
            quantity: spec.quantity,
            feeRate: rate,
            locked: spec.quantity
          })
          touched.set(id, order)
          reservations.push({ orderId: id, lots })
          placed.push({ index, item, order, asset: base, command, events })
          continue
        }
        if (entityId === null) return yield* Effect.die(new Error("invariant broken: a placement without an owner"))
        const rate = FeeSchedule.resolve(schedule, { entity_id: entityId, market, side: spec.side }).rate
        const lock = spec.side === "BUY" ?
          FeeSchedule.buyLock({ market, price: spec.price, quantity: spec.quantity, budget: spec.budget, rate }) :
          Result.succeed(spec.quantity)
        if (Result.isFailure(lock)) {
          exits[index] = Exit.fail(invalid("quantity", "the order's cost is beyond what the platform can hold"))
          continue
        }
        const locked = lock.success
        const asset = spec.side === "BUY" ? quote : base
        const balanceKey = `${entityId}|${asset}`
        const available = balances.get(balanceKey) ?? 0
        if (available < locked) {
          // A fill or an unlock earlier in this round may have paid this entity: the next
          // round reads the balances again, after this round's writes.
          if (placed.length > 0) {
            later.push(index)
          } else {
            exits[index] = Exit.fail(
              new Errors.InsufficientFunds({
                entity_id: entityId,
                asset_type: asset,
                required: Decimal.format(locked, scaleOf(asset)),
                available: Decimal.format(available, scaleOf(asset))
              })
            )
          }
          continue
        }
        const id = newId()
        const timestamp = yield* Effect.provideContext(Clock.currentTimeMillis, item.context)
        const command = commandOf(spec, id, entityId, writing.nextSequence(), timestamp)
        const events = writing.apply(command)
        const first = events[0]
        if (first !== undefined && first._tag === "CommandRejected") {
          exits[index] = yield* Effect.exit(engineRefusal(market, first))
          continue
        }
        balances.set(balanceKey, available - locked)
        const order = placedTouched({
          id,
          entityId,
          sellerId: null,
          side: spec.side,
          quantity: spec.quantity,
          feeRate: rate,
          locked
        })
        touched.set(id, order)
        placed.push({ index, item, order, asset, command, events })
      }
      if (placed.length === 0) return later
      // The resting orders of earlier batches the round's commands traded with or expired.
      const makerIds = new Set<string>()
      for (const { events, order } of placed) {
        for (const id of makersOf(events, order.id)) if (!touched.has(id)) makerIds.add(id)
      }
      if (makerIds.size > 0) {
        const loaded = yield* orders.all(
          sql`SELECT * FROM orders WHERE id IN ${sql.in([...makerIds].sort())} ORDER BY id FOR UPDATE`
        )
        for (const order of loaded) touched.set(order.id, yield* touchedOf(order))
      }
      // Each command's ledger set: its lock, its fills' posts, the unlock of what left the book.
      const sets: Array<ReadonlyArray<Ledger.Request>> = []
      const fills: Array<CommandFill> = []
      const unlocked = new Set<string>()
      for (const { command, events, item, order, asset } of placed) {
        // A seller's order is guaranteed by its lots (`SellerLots`), not a ledger lock.
        const requests: Array<Ledger.Request> = order.entityId === null ? [] : [Ledger.lockForOrder({
          key: lockKey(order.id),
          entity_id: order.entityId,
          order_id: order.id,
          asset,
          amount: order.locked
        })]
        const named = new Set<string>([order.id])
        const matched = yield* matchEvents(market, events, touched, order)
        for (const fill of matched.fills) {
          fills.push({ ...fill, sequence: command.seq, actor: item.actor.id, context: item.context })
          requests.push(...fill.requests)
        }
        for (const id of matched.named) named.add(id)
        for (const id of named) {
          const one = touched.get(id)
          if (one === undefined) continue
          const left = one.locked - consumed(one)
          if (left < 0) {
            return yield* Effect.die(new Error(`invariant broken: order ${id}'s fills took more than its lock`))
          }
          if (one.done && left > 0 && one.sellerId === null && !unlocked.has(id)) {
            unlocked.add(id)
            requests.push(Ledger.unlockOrder({ key: `orders:${id}:unlock`, lock: { key: lockKey(id) }, order_id: id }))
          }
        }
        sets.push(requests)
      }
      // The writes, set-based: the ledger, the new orders (as the round leaves them), the
      // commands, the trades with their settlement batches, the resting orders, the stages,
      // the audit trail.
      const results = yield* Effect.catchIf(
        ledger.submitBatchInTransaction(sets),
        (error) => !isSqlError(error),
        Effect.die
      )
      for (const result of results) {
        // The funds were checked against the same locked rows: a refusal here is a defect.
        if (Result.isFailure(result)) return yield* Effect.die(result.failure)
      }
      const now = DateTime.toDate(yield* DateTime.now)
      const newOrders = placed.map(({ command, item, order }) => ({ spec: item.spec, order, sequence: command.seq }))
      const parts: Array<Part> = [
        ["placed", yield* ordersInsert(market, newOrders, now)],
        ...(yield* tradeInserts(market, fills)),
        ...(yield* restingUpdate(market, [...touched.values()].filter((order) => order.before !== null), now))
      ]
      // The buyers' first purchases here move their users' stage (CEA -> CEA_SETTLE, SWAP ->
      // EUA_SETTLE), in the same statement; each move is audited for the command of the
      // buyer's first fill here.
      const firstBuy = new Map<string, CommandFill>()
      for (const fill of fills) if (!firstBuy.has(fill.buyerEntity)) firstBuy.set(fill.buyerEntity, fill)
      const [from, to] = market === "CEA_CASH" ? ["CEA", "CEA_SETTLE"] as const : ["SWAP", "EUA_SETTLE"] as const
      if (firstBuy.size > 0) {
        const stage = yield* Effect.orDie(move(StateMachine.userRole, from, to))
        parts.push([
          "staged",
          sql`
          UPDATE users SET role = ${stage}, updated_at = now()
          WHERE entity_id IN ${sql.in([...firstBuy.keys()].sort())} AND role = ${from} RETURNING id, entity_id`
        ])
      }
      const staged = firstBuy.size === 0 ?
        sql`'[]'::json` :
        sql`(SELECT coalesce(json_agg(json_build_object('id', id, 'entity_id', entity_id)), '[]'::json) FROM staged)`
      // The orders, the commands, the trades, their batches and history, the resting orders,
      // the stages: one statement (its foreign keys are checked at its end, when every row is in).
      const written = yield* writing.storeAllWithin(
        placed.map(({ command, order }) => ({ command, orderId: order.id })),
        (commands) =>
          statement([...parts, ["command", commands]], sql`SELECT placed.*, ${staged} AS staged FROM placed`)
      )
      const stored = yield* orders.all(Effect.succeed(written))
      const moved = yield* Effect.orDie(decodeStaged(written[0]?.["staged"] ?? []))
      // The sellers' lots: reserved for the orders placed, taken by their fills, released as they leave the book.
      yield* SellerLots.reserve(reservations, now)
      yield* sellerLotSteps(fills, touched.values(), now)
      const byId = new Map(stored.map((order) => [order.id, order] as const))
      const answers = new Map<string, Trading.Order>()
      const audit: Array<{ readonly entry: Audit.Entry; readonly origin: Audit.Origin }> = []
      for (const user of moved) {
        const fill = firstBuy.get(user.entity_id)
        if (fill === undefined) continue
        audit.push({
          entry: {
            user_id: fill.actor,
            action: "users.stage",
            subject_table: "users",
            subject_id: user.id,
            details: { from, to }
          },
          origin: yield* Effect.provideContext(Audit.origin, fill.context)
        })
      }
      for (const { command, item, order } of placed) {
        const after = byId.get(order.id)
        if (after === undefined) {
          return yield* Effect.die(new Error(`invariant broken: order ${order.id} was not stored`))
        }
        answers.set(order.id, after)
        audit.push({
          entry: {
            user_id: item.actor.id,
            action: "orders.place",
            subject_table: "orders",
            subject_id: order.id,
            details: {
              market,
              sequence: command.seq,
              trades: fills.filter((fill) => fill.sequence === command.seq).length
            },
            after: orderJson(after)
          },
          origin: yield* Effect.provideContext(Audit.origin, item.context)
        })
      }
      yield* Audit.recordAll(audit)
      for (const { item } of placed) item.recorded.ticket = true
      for (const { index, order } of placed) {
        const after = answers.get(order.id)
        if (after === undefined) continue
        exits[index] = Exit.succeed({
          order: after,
          fills: fills.flatMap((fill) =>
            fill.buyer.id === order.id || fill.seller.id === order.id ? [fillAnswer(market, fill, order)] : []
          )
        })
      }
      return later
    })

  /**
   * Places a batch of orders of one market (the writer's group): each is checked against
   * the balances read for the batch, matched in order, and all are written set-based in a
   * few statements whatever their number. A placement refused (insufficient funds, the
   * engine's refusal, a reused reference) fails alone and writes nothing. A placement whose
   * funds may have come from a fill earlier in the batch waits for the next round, which
   * reads the balances again after the first round's writes.
   */
  const placeAll = (writing: Writer, items: ReadonlyArray<Placement>) =>
    Effect.gen(function*() {
      const exits: Array<PlaceExit | undefined> = items.map(() => undefined)
      // A batch run again (one command per transaction) writes its tickets again.
      for (const item of items) item.recorded.ticket = false
      let pending: ReadonlyArray<number> = items.map((_, index) => index)
      while (pending.length > 0) pending = yield* placeRound(writing, items, exits, pending)
      return exits.map((exit): PlaceExit =>
        exit ?? Exit.die(new Error("invariant broken: a placement was not answered"))
      )
    }).pipe(Effect.provideContext(context))

  const placements: Group<Placement, OrdersApi.OrderWithFills, PlaceError> = { run: placeAll }

  /**
   * Queues one placement in its market's writer group, for an entity or a seller. Its
   * ticket row commits with the batch, so the request is told it needs no second one.
   */
  const placeGrouped = (
    actor: Parties.User,
    owner: { readonly entityId: Ids.EntityId | null; readonly sellerId: Ids.SellerId | null },
    spec: Effect.Success<ReturnType<typeof specOf>>
  ) =>
    Effect.gen(function*() {
      const caller = yield* Effect.context<never>()
      const recorded = { ticket: false }
      const answer = yield* writer.writeGrouped(spec.market, placements, {
        actor,
        ...owner,
        spec,
        context: caller,
        recorded
      })
      if (recorded.ticket) yield* Audit.noteTicket
      return answer
    })
  /** Places an order for `entityId`, an account the caller was already checked to act for. */
  const placeAs = Effect.fn("Orders.placeAs")(
    function*(
      actor: Parties.User,
      entityId: Ids.EntityId,
      input: OrdersApi.PlaceOrder,
      idempotencyKey?: string | undefined
    ) {
      const spec = yield* specOf(input, input.client_reference ?? idempotencyKey ?? null)
      return yield* placeGrouped(actor, { entityId, sellerId: null }, spec)
    }
  )

  /**
   * Places a sell order for an external seller, for an admin the caller already checked:
   * a GTC LIMIT SELL in CEA_CASH only, through the same writer group as every placement,
   * reserving the seller's lots instead of locking funds (`SellerLots`).
   */
  const placeForSeller = Effect.fn("Orders.placeForSeller")(
    function*(actor: Parties.User, sellerId: Ids.SellerId, input: OrdersApi.PlaceOrder) {
      if (input.market !== "CEA_CASH" || input.side !== "SELL" || input.type !== "LIMIT") {
        return yield* invalid("", "a seller's order is a CEA_CASH LIMIT SELL")
      }
      if ((input.time_in_force ?? "GTC") !== "GTC") return yield* invalid("time_in_force", "a seller's order is GTC")
      const spec = yield* specOf(input, input.client_reference ?? null)
      return yield* placeGrouped(actor, { entityId: null, sellerId }, spec)
    }
  )

  const place = Effect.fn("Orders.place")(
    function*(actor: Parties.User, input: OrdersApi.PlaceOrder, idempotencyKey?: string | undefined) {
      yield* authorize(actor, input.market === "CEA_CASH" ? "place_cea_order" : "request_swap")
      const entityId = actor.entity_id
      if (entityId === null) return yield* Effect.die(new Error("invariant broken: a client role without an entity"))
      return yield* placeAs(actor, entityId, input, idempotencyKey)
    }
  )

  /**
   * An order of the actor's entity, read before its market's writer takes the command: an
   * order of another entity (or none) is `NotFound`, as if it did not exist.
   */
  const ownOrder = (
    actor: Parties.User,
    id: Ids.OrderId,
    owner?: Ids.EntityId | { readonly seller: Ids.SellerId }
  ) =>
    Effect.gen(function*() {
      // An account acted for (`owner`) was checked by the caller; the actor's own needs the capability.
      if (owner === undefined) yield* authorize(actor, "cancel_own_order")
      if (typeof owner === "object") {
        // A seller's order: its engine owner is the seller.
        const order = yield* orders.find(id).pipe(Effect.provideContext(context))
        if (order.seller_id !== owner.seller) return yield* new Errors.NotFound({ resource: "orders", id })
        return { entityId: owner.seller as string, found: order }
      }
      const entity = owner ?? actor.entity_id
      const found = yield* orders.find(id).pipe(Effect.provideContext(context))
      if (found.entity_id === null || found.entity_id !== entity) {
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

  const cancel = Effect.fn("Orders.cancel")(function*(
    actor: Parties.User,
    id: Ids.OrderId,
    owner?: Ids.EntityId | { readonly seller: Ids.SellerId }
  ) {
    const { entityId, found } = yield* ownOrder(actor, id, owner)
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
          // A sell's lock is its quantity (`touchedOf`): the tonnes an amend takes off go back
          // to the seller now, or no fill or cancel would ever return them.
          // A database failure stays a failure: a deadlock fails the batch, which is retried.
          if (before.side === "SELL" && quantity < open) {
            // Amends reach only entities' orders (a seller's order is not amended).
            const seller = before.entity_id
            if (seller === null) {
              return yield* Effect.die(new Error(`invariant broken: amended order ${id} has no entity`))
            }
            yield* Effect.catchIf(
              ledger.submit([{
                _tag: "Post",
                key: `orders:${id}:amend:${command.seq}`,
                type: "TRADE_CREDIT",
                reference: `orders:${id}`,
                pending: { key: lockKey(id) },
                destinations: { legs: [{ account: Ledger.available(seller), amount: open - quantity }] },
                remainder: "keep"
              }]),
              (error) => !isSqlError(error),
              Effect.die
            )
          }
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

  const listAs = Effect.fn("Orders.listAs")(function*(
    entityId: Ids.EntityId,
    query: PageQuery & { readonly market?: Enums.MarketType | undefined }
  ) {
    const filter = sql.and([
      sql`entity_id = ${entityId}`,
      ...(query.market === undefined ? [] : [sql`market = ${query.market}`])
    ])
    return yield* orders.page(sql`AND ${filter}`, query)
  }, Effect.provideContext(context))

  const listForSeller = Effect.fn("Orders.listForSeller")(function*(sellerId: Ids.SellerId, query: PageQuery) {
    return yield* orders.page(sql`AND seller_id = ${sellerId}`, query)
  }, Effect.provideContext(context))

  return {
    /** Places an order for the actor's entity: locked, matched, stored; answered with its fills. */
    place,
    /** Places a seller's GTC LIMIT SELL in CEA_CASH for an admin already checked, reserving its lots. */
    placeForSeller,
    /** A seller's orders, oldest first, paged, for an admin already checked. */
    listForSeller,
    /**
     * Places an order for an account the caller was already checked to act for (a market
     * maker's, checked by `MarketMakers`): the same locks, fees, ledger and audit as `place`.
     */
    placeAs,
    /**
     * Cancels one of the actor's entity's orders, or, with `owner`, one of an account (an
     * entity, or `{ seller }`) the caller was already checked to act for; what it still
     * locks is returned (a seller's lots no fill took go back AVAILABLE).
     */
    cancel,
    /** Orders of an account the caller was already checked to act for, oldest first, paged. */
    listAs,
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
  readonly id: Ids.CashMarketTradeId
  readonly event: Event.Trade
  readonly notional: number
  readonly buyerFee: number
  readonly sellerFee: number
  readonly buyer: Touched
  /** The buyer's entity (a seller only sells). */
  readonly buyerEntity: Ids.EntityId
  readonly seller: Touched
  /** Its ledger posts (`Ledger.settleTrade`). */
  readonly requests: ReadonlyArray<Ledger.Request>
}

/** A fill with the command that made it: its sequence, its actor and its caller's context. */
interface CommandFill extends Fill {
  readonly sequence: number
  readonly actor: Ids.UserId
  readonly context: Context.Context<never>
}

/** A placement queued for the market's writer: checked, with its caller. */
interface Placement {
  readonly actor: Parties.User
  /** Its owner: an entity, or an external seller (exactly one, as in `orders_one_owner_check`). */
  readonly entityId: Ids.EntityId | null
  readonly sellerId: Ids.SellerId | null
  readonly spec: Spec
  /** The caller's context: its clock, and its request for the audit trail. */
  readonly context: Context.Context<never>
  /** Set when the last run of its batch wrote its `ticket_logs` row (`Audit.recordAll`). */
  readonly recorded: { ticket: boolean }
}

/**
 * How a placement can be refused: the account cannot pay (`InsufficientFunds`), the
 * engine refuses it (`OrderRejected`), bad input (`ValidationFailed`), a client reference
 * used for another order (`Conflict`), or the database fails.
 *
 * @category errors
 * @since 0.1.0
 */
export type PlaceError =
  | Errors.InsufficientFunds
  | Errors.OrderRejected
  | Errors.ValidationFailed
  | Errors.Conflict
  | SqlError

type PlaceExit = Exit.Exit<OrdersApi.OrderWithFills, PlaceError>

/** A placement the engine accepted in a round, to be written. */
interface Placed {
  readonly index: number
  readonly item: Placement
  readonly order: Touched
  /** The asset its lock holds. */
  readonly asset: Enums.AssetType
  readonly command: Command.Command
  readonly events: ReadonlyArray<Event.Event>
}

/** The users a placement batch moved to their next stage (`staged`, a JSON array). */
const decodeStaged = Schema.decodeUnknownEffect(
  Schema.Array(Schema.Struct({ id: Schema.String, entity_id: Schema.String }))
)

/** A named part of a statement's `WITH`. */
type Part = readonly [name: string, part: Statement.Fragment]

/** Digits after the decimal point of an asset's minor unit (cents for EUR, tonnes otherwise). */
const scaleOf = (asset: Enums.AssetType): number => asset === "EUR" ? 2 : 0

const NUMERIC = /^(\d+)(?:\.(\d+))?$/

/** The minor units of a non-negative `numeric(20,2)` balance (its schema's check keeps it so). */
const minorOf = (asset: Enums.AssetType, text: string): Effect.Effect<number> => {
  const scale = scaleOf(asset)
  const match = NUMERIC.exec(text)
  const [, whole = "", fraction = ""] = match ?? []
  if (match === null || /[1-9]/.test(fraction.slice(scale))) {
    return Effect.die(new Error(`invariant broken: ${JSON.stringify(text)} is not a ${asset} balance`))
  }
  return Effect.succeed(Number(whole + fraction.slice(0, scale).padEnd(scale, "0")))
}

/**
 * The order service.
 *
 * @category services
 * @since 0.1.0
 */
export class Orders extends Context.Service<Orders, Effect.Success<typeof make>>()("@niha/server/Orders") {
  /**
   * The service on the database, the repositories and the writer in context (the fee
   * schedule is read with each batch's balances, `Fees.scheduleColumns`).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<
    Orders,
    never,
    SqlClient.SqlClient | Repository.Repositories | MarketWriter
  > = Layer.effect(Orders, make)
}
