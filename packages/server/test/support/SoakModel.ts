/**
 * The soak suite's accounting model: plain in-memory bounds of what each entity holds,
 * written from the rules of `@niha/domain` (fees half-up on an order's cumulative notional,
 * a buy's worst-case lock from `FeeSchedule.buyLock`), not from the server's order code.
 *
 * - Every reply is checked as it arrives ({@link Model.checkPlaced} and friends): a fill
 *   within the limit, its notional `quantity x price` (half-up to the tonne in SWAP), its
 *   fee `fee(cumulative notional) - fee(notional before)` at the market's configured rate,
 *   the status consistent with the filled quantity and the time in force, the lock of a buy
 *   its worst case. A refusal for insufficient funds must be a 409 `insufficient_funds`,
 *   and is allowed only when the order does not fit the entity's *lower bound* of available
 *   (money in acknowledged and not held, less every lock and withdrawal sent and not
 *   refused: proceeds are ignored, so the bound holds whatever the concurrency); an order
 *   larger than the *upper bound* (every unit of the asset on the platform) must be refused.
 * - Funding ({@link Model.depositHeld} and friends), from the domain's rules: a confirmed
 *   deposit is money in, but *held* (locked for AML, not available) until an admin clears it
 *   or rejects it (then it goes back out); a withdrawal locks its amount at the request, and
 *   leaves at its completion or is released at its rejection. An outcome not known (a 503, a
 *   dropped connection) counts on the safe side of each bound until it is settled.
 * - After a run, {@link Model.expectedTotals} rebuilds each entity's holdings (available
 *   plus locked) from the money moved in and out and the trades the server stored.
 */
import { type Enums, FeeSchedule, Rate } from "@niha/domain"

/** The assets. */
export type Asset = "EUR" | "CEA" | "EUA"

/** The decimals of an asset's minor unit. */
export const assetDecimals = (asset: Asset): number => asset === "EUR" ? 2 : 0

/** The price decimals of a market. */
export const priceDecimals = (market: Enums.MarketType): number => market === "CEA_CASH" ? 2 : 4

/** The base and quote assets of a market. */
export const assetsOf = (market: Enums.MarketType): { readonly base: Asset; readonly quote: Asset } =>
  market === "CEA_CASH" ? { base: "CEA", quote: "EUR" } : { base: "EUA", quote: "CEA" }

/** An exact decimal string as an integer of `decimals` decimals; throws on more precision. */
export const units = (text: string, decimals: number): number => {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/u.exec(text.trim())
  if (match === null) throw new Error(`not a decimal: ${text}`)
  const fraction = match[3] ?? ""
  const extra = fraction.slice(decimals)
  if (/[1-9]/u.test(extra)) throw new Error(`${text} has more than ${decimals} decimals`)
  const value = Number(`${match[2]}${fraction.slice(0, decimals).padEnd(decimals, "0")}`)
  return match[1] === "-" ? -value : value
}

/** An integer of `decimals` decimals as a decimal string. */
export const decimal = (value: number, decimals: number): string => {
  if (decimals === 0) return String(value)
  const sign = value < 0 ? "-" : ""
  const digits = String(Math.abs(value)).padStart(decimals + 1, "0")
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`
}

/** The quote notional of a fill: exact in CEA_CASH, half-up to the whole CEA tonne in SWAP. */
export const notionalOf = (market: Enums.MarketType, quantity: number, price: number): number =>
  market === "CEA_CASH" ? quantity * price : Math.floor((quantity * price + 5_000) / 10_000)

/** An order as sent. */
export interface OrderRequest {
  readonly market: Enums.MarketType
  readonly side: Enums.OrderSide
  readonly type: "LIMIT" | "MARKET"
  readonly timeInForce: "GTC" | "IOC" | "FOK"
  readonly postOnly: boolean
  /** Whole tonnes. */
  readonly quantity: number
  /** The limit or protection price, in the market's price units. */
  readonly price: number
  readonly clientReference: string
}

/** An order or fill as the API answers it (the fields the model reads). */
export interface WireOrder {
  readonly id: string
  readonly entity_id: string | null
  readonly market: Enums.MarketType
  readonly side: Enums.OrderSide
  readonly status: Enums.OrderStatus
  readonly quantity: string
  readonly filled_quantity: string
  readonly price: string
  readonly time_in_force: string
  readonly order_type: string
  readonly fee_rate: string
  readonly locked_amount: string
  readonly filled_notional: string
  readonly fees_paid: string
  readonly client_reference: string | null
}

/** A fill as the API answers it. */
export interface WireFill {
  readonly trade_id: string
  readonly order_id: string
  readonly side: Enums.OrderSide
  readonly price: string
  readonly quantity: string
  readonly notional: string
  readonly fee: string
  readonly fee_rate: string
  readonly liquidity: "MAKER" | "TAKER"
}

/** A trade as stored, with its two entities. */
export interface StoredTrade {
  readonly market: Enums.MarketType
  readonly buyer: string | null
  readonly seller: string | null
  /** Whole tonnes of the base asset. */
  readonly quantity: number
  /** Quote minor units. */
  readonly notional: number
  readonly buyerFee: number
  readonly sellerFee: number
}

/** A placement or money out sent, and what the model knew then. */
export interface Ticket {
  readonly entity: string
  readonly asset: Asset
  readonly amount: number
  readonly fundedAtSend: number
}

/** The fee rates the run configures, per market and side. */
export type Rates = Record<Enums.MarketType, Record<Enums.OrderSide, number>>

const key = (entity: string, asset: Asset) => `${entity}/${asset}`

/** The model of one run. */
export class Model {
  /** Money in minus money out per entity and asset, acknowledged. */
  private readonly funded = new Map<string, number>()
  /** Money in sent and not yet known (adjustments in flight or of unknown outcome), per asset. */
  private readonly inflightIn = new Map<Asset, number>()
  /** Locks and money out sent and not refused, per entity and asset. */
  private readonly committed = new Map<string, number>()
  /** Confirmed deposits not cleared nor rejected, acknowledged, per entity and asset (held, not available). */
  private readonly held = new Map<string, number>()
  /** Withdrawals acknowledged as locked and not yet completed nor rejected, per entity (EUR). */
  private readonly withdrawing = new Map<string, number>()
  /** Deposits booked (confirmed, not rejected) and withdrawals completed, acknowledged, per entity (EUR). */
  private readonly deposited = new Map<string, number>()
  private readonly withdrawn = new Map<string, number>()
  /** Clears of an entity's deposits sent, and acknowledged (the AML hold type depends on them). */
  private readonly clearsSent = new Map<string, number>()
  private readonly clearsAcknowledged = new Map<string, number>()
  /** Every fill seen in a reply, by trade and side. */
  readonly fills = new Map<string, WireFill & { readonly market: Enums.MarketType }>()

  readonly rates: Rates
  readonly entities: ReadonlyArray<string>

  constructor(rates: Rates, entities: ReadonlyArray<string>) {
    this.rates = rates
    this.entities = entities
  }

  /** The rate of a side, as `FeeSchedule.resolve` gives it from the configured market rates. */
  rateOf(market: Enums.MarketType, side: Enums.OrderSide): Rate.Ppm {
    return Rate.Ppm.make(this.rates[market][side])
  }

  /** Money in (positive) or out (negative), acknowledged. */
  fund(entity: string, asset: Asset, amount: number): void {
    this.funded.set(key(entity, asset), (this.funded.get(key(entity, asset)) ?? 0) + amount)
  }

  /** What an entity was funded with, net. */
  fundedOf(entity: string, asset: Asset): number {
    return this.funded.get(key(entity, asset)) ?? 0
  }

  /** Money in sent (an adjustment): it counts in the upper bound until known. */
  sendIn(asset: Asset, amount: number): void {
    this.inflightIn.set(asset, (this.inflightIn.get(asset) ?? 0) + amount)
  }

  /** The outcome of money in or out: applied or not. */
  settleMoney(entity: string, asset: Asset, amount: number, applied: boolean, ticket?: Ticket): void {
    if (amount < 0 && ticket !== undefined) this.refuse(ticket)
    if (amount > 0) this.inflightIn.set(asset, (this.inflightIn.get(asset) ?? 0) - amount)
    if (applied) this.fund(entity, asset, amount)
  }

  private commit(entity: string, asset: Asset, amount: number) {
    this.committed.set(key(entity, asset), (this.committed.get(key(entity, asset)) ?? 0) + amount)
  }

  /** Money in acknowledged and not held for AML: what can be available, before locks and outflows. */
  private freeOf(entity: string, asset: Asset): number {
    return this.fundedOf(entity, asset) - (this.held.get(key(entity, asset)) ?? 0)
  }

  /** The least the entity has available: money in acknowledged and cleared, less every lock and outflow not refused. */
  lowerBound(entity: string, asset: Asset): number {
    return this.freeOf(entity, asset) - (this.committed.get(key(entity, asset)) ?? 0)
  }

  /** The most any entity can hold of the asset: everything on the platform, in flight included. */
  upperBound(asset: Asset): number {
    let total = this.inflightIn.get(asset) ?? 0
    for (const entity of this.entities) total += Math.max(0, this.fundedOf(entity, asset))
    return total
  }

  /** What an order locks, in the asset it locks, by the domain's rule. */
  lockOf(order: OrderRequest): { readonly asset: Asset; readonly amount: number } {
    const { base, quote } = assetsOf(order.market)
    if (order.side === "SELL") return { asset: base, amount: order.quantity }
    const lock = FeeSchedule.buyLock({
      market: order.market,
      price: order.price,
      quantity: order.quantity,
      budget: null,
      rate: this.rateOf(order.market, order.side)
    })
    // Beyond what the platform can hold at all: more than any balance.
    return { asset: quote, amount: lock._tag === "Success" ? lock.success : Number.MAX_SAFE_INTEGER }
  }

  /** A placement or money out sent: its amount counts against the entity's lower bound until refused. */
  send(entity: string, asset: Asset, amount: number): Ticket {
    this.commit(entity, asset, amount)
    return { entity, asset, amount, fundedAtSend: this.freeOf(entity, asset) }
  }

  /** A placement refused (nothing was locked). */
  refuse(ticket: Ticket): void {
    this.commit(ticket.entity, ticket.asset, -ticket.amount)
  }

  /**
   * Whether a refusal for insufficient funds is allowed: the amount does not fit the least
   * the entity can have had available when the server decided (the money in acknowledged
   * before it was sent and still, less every other lock and outflow sent and not refused).
   */
  mayRefuse(ticket: Ticket): boolean {
    const funded = Math.min(ticket.fundedAtSend, this.freeOf(ticket.entity, ticket.asset))
    const others = (this.committed.get(key(ticket.entity, ticket.asset)) ?? 0) - ticket.amount
    return ticket.amount > funded - others
  }

  /**
   * A confirmation sent for a deposit of `amount` EUR: until its outcome is known, the money
   * counts in the upper bound only.
   */
  sendDeposit(amount: number): void {
    this.sendIn("EUR", amount)
  }

  /** A confirmation acknowledged: the money is in, held (locked) for AML, not available. */
  depositHeld(entity: string, amount: number): void {
    this.inflightIn.set("EUR", (this.inflightIn.get("EUR") ?? 0) - amount)
    this.fund(entity, "EUR", amount)
    this.add(this.held, key(entity, "EUR"), amount)
    this.add(this.deposited, entity, amount)
  }

  /** A clear sent: until it is known, the hold type of the entity's next deposit may be either. */
  sendClear(entity: string): void {
    this.add(this.clearsSent, entity, 1)
  }

  /** A clear acknowledged: the held money becomes available. */
  depositCleared(entity: string, amount: number): void {
    this.add(this.held, key(entity, "EUR"), -amount)
    this.add(this.clearsAcknowledged, entity, 1)
  }

  /** A held deposit rejected: the money goes back out. */
  depositRejected(entity: string, amount: number): void {
    this.add(this.held, key(entity, "EUR"), -amount)
    this.fund(entity, "EUR", -amount)
    this.add(this.deposited, entity, -amount)
  }

  /**
   * The AML hold types a confirmation may answer (`AmlPolicy`'s rule, amounts below the
   * LARGE_AMOUNT threshold): FIRST_DEPOSIT while the entity has no cleared deposit,
   * SUBSEQUENT after; `clearedBefore` is the acknowledged clears when the confirmation was
   * sent, and a clear sent but not known by its answer allows either.
   */
  holdTypesAllowed(entity: string, clearedBefore: number): ReadonlyArray<string> {
    if (clearedBefore > 0) return ["SUBSEQUENT"]
    return (this.clearsSent.get(entity) ?? 0) > 0 ? ["FIRST_DEPOSIT", "SUBSEQUENT"] : ["FIRST_DEPOSIT"]
  }

  /** Clears of an entity's deposits acknowledged so far. */
  clearsOf(entity: string): number {
    return this.clearsAcknowledged.get(entity) ?? 0
  }

  /** A withdrawal request acknowledged: its amount (sent as `ticket`) is locked. */
  withdrawalLocked(entity: string, amount: number): void {
    this.add(this.withdrawing, entity, amount)
  }

  /** A locked withdrawal completed: the money leaves the platform. */
  withdrawalCompleted(ticket: Ticket): void {
    this.add(this.withdrawing, ticket.entity, -ticket.amount)
    this.add(this.withdrawn, ticket.entity, ticket.amount)
    this.refuse(ticket)
    this.fund(ticket.entity, ticket.asset, -ticket.amount)
  }

  /** A locked withdrawal rejected: its lock is released. */
  withdrawalRejected(ticket: Ticket): void {
    this.add(this.withdrawing, ticket.entity, -ticket.amount)
    this.refuse(ticket)
  }

  /** What the model says an entity's EUR holds for AML, locks for withdrawals, took in by deposits and paid out. */
  fundingOf(entity: string): {
    readonly held: number
    readonly withdrawing: number
    readonly deposited: number
    readonly withdrawn: number
  } {
    return {
      held: this.held.get(key(entity, "EUR")) ?? 0,
      withdrawing: this.withdrawing.get(entity) ?? 0,
      deposited: this.deposited.get(entity) ?? 0,
      withdrawn: this.withdrawn.get(entity) ?? 0
    }
  }

  private add(map: Map<string, number>, at: string, amount: number): void {
    map.set(at, (map.get(at) ?? 0) + amount)
  }

  /** Whether an acceptance is allowed: the amount fits what the platform holds of the asset at most. */
  mayAccept(ticket: Ticket): boolean {
    return ticket.amount <= this.upperBound(ticket.asset)
  }

  /** The problems of an order with its fills as answered (any endpoint); records the fills. */
  checkOrder(order: WireOrder, fills: ReadonlyArray<WireFill>, repriced = false): Array<string> {
    const problems: Array<string> = []
    const say = (text: string) => problems.push(`order ${order.id} (${order.market} ${order.side}): ${text}`)
    const market = order.market
    const { quote } = assetsOf(market)
    const quoteDecimals = assetDecimals(quote)
    const quantity = units(order.quantity, 0)
    const filled = units(order.filled_quantity, 0)
    const limit = units(order.price, priceDecimals(market))
    const rate = this.rateOf(market, order.side)
    if (units(order.fee_rate, 6) !== rate) say(`fee rate ${order.fee_rate}, configured ${rate} ppm`)
    if (filled < 0 || filled > quantity) say(`filled ${filled} of ${quantity}`)
    let cumulative = 0
    let fees = 0
    let filledInFills = 0
    for (const fill of fills) {
      const price = units(fill.price, priceDecimals(market))
      const fillQuantity = units(fill.quantity, 0)
      const notional = units(fill.notional, quoteDecimals)
      const fee = units(fill.fee, quoteDecimals)
      filledInFills += fillQuantity
      // An order whose price was amended may hold fills at its earlier price.
      if (!repriced && (order.side === "BUY" ? price > limit : price < limit)) {
        say(`fill at ${fill.price} beyond the limit ${order.price}`)
      }
      if (notional !== notionalOf(market, fillQuantity, price)) {
        say(`fill notional ${fill.notional} for ${fill.quantity} at ${fill.price}`)
      }
      const expectedFee = FeeSchedule.fee(cumulative + notional, rate) - FeeSchedule.fee(cumulative, rate)
      if (fee !== expectedFee) {
        say(`fill fee ${fill.fee} on ${fill.notional} after ${cumulative}, the rules give ${expectedFee}`)
      }
      cumulative += notional
      fees += fee
      this.fills.set(`${fill.trade_id}/${fill.side}`, { ...fill, market })
    }
    if (filledInFills !== filled) say(`fills add up to ${filledInFills}, filled_quantity is ${filled}`)
    if (units(order.filled_notional, quoteDecimals) !== cumulative) {
      say(`filled_notional ${order.filled_notional}, its fills ${cumulative}`)
    }
    if (units(order.fees_paid, quoteDecimals) !== fees) say(`fees_paid ${order.fees_paid}, its fills ${fees}`)
    const resting = order.time_in_force === "GTC" && order.order_type === "LIMIT"
    const status = filled === quantity ?
      ["FILLED"] :
      resting ?
      [filled === 0 ? "OPEN" : "PARTIALLY_FILLED", "CANCELLED"] :
      ["CANCELLED"]
    if (!status.includes(order.status)) say(`status ${order.status} with ${filled} of ${quantity} filled`)
    if (order.time_in_force === "FOK" && filled !== 0 && filled !== quantity) say(`fill-or-kill filled ${filled}`)
    return problems
  }

  /** The problems of a placement's answer against what was sent. */
  checkPlaced(request: OrderRequest, order: WireOrder, fills: ReadonlyArray<WireFill>): Array<string> {
    const problems = this.checkOrder(order, fills)
    const say = (text: string) => problems.push(`placed ${request.clientReference}: ${text}`)
    const market = request.market
    if (order.market !== market || order.side !== request.side) say(`answered ${order.market} ${order.side}`)
    if (units(order.quantity, 0) !== request.quantity) say(`quantity ${order.quantity}, sent ${request.quantity}`)
    if (units(order.price, priceDecimals(market)) !== request.price) say(`price ${order.price}`)
    if (order.client_reference !== request.clientReference) say(`client_reference ${order.client_reference}`)
    if (order.time_in_force !== request.timeInForce) say(`time in force ${order.time_in_force}`)
    // A post-only order may be filled as a maker by a later placement of its batch, never as a taker.
    if (request.postOnly && fills.some((fill) => fill.liquidity === "TAKER")) say("a post-only order traded on arrival")
    const locked = units(order.locked_amount, assetDecimals(assetsOf(market).quote))
    const expected = request.side === "BUY" ? this.lockOf(request).amount : 0
    if (locked !== expected) say(`locked_amount ${order.locked_amount}, the rules give ${expected}`)
    return problems
  }

  /**
   * Each entity's expected holdings (available + locked) per asset after a run: what it
   * was funded with, plus what it sold (quote less its fee, base out), less what it bought
   * (quote and its fee; the base waits in SETTLEMENT_PENDING for its delivery).
   */
  expectedTotals(trades: ReadonlyArray<StoredTrade>): Map<string, number> {
    const totals = new Map<string, number>()
    const add = (entity: string | null, asset: Asset, amount: number) => {
      if (entity === null) return
      totals.set(key(entity, asset), (totals.get(key(entity, asset)) ?? 0) + amount)
    }
    for (const entity of this.entities) {
      for (const asset of ["EUR", "CEA", "EUA"] as const) add(entity, asset, this.fundedOf(entity, asset))
    }
    for (const trade of trades) {
      const { base, quote } = assetsOf(trade.market)
      add(trade.seller, quote, trade.notional - trade.sellerFee)
      add(trade.seller, base, -trade.quantity)
      add(trade.buyer, quote, -(trade.notional + trade.buyerFee))
    }
    return totals
  }
}

/** The key of an entity's asset in {@link Model.expectedTotals}. */
export const totalKey = key
