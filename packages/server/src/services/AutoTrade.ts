/**
 * Auto-trade: the rules (`auto_trade_rules`) an admin gives market makers, and the run that
 * places what the due ones quote through the order path of clients.
 *
 * - **Rules.** An admin creates, lists and enables rules; a rule's mode parameters are
 *   checked present when it is created (the database checks their ranges). One interval
 *   system: `interval_seconds`; a rule is due when `next_execution_at` is null or past.
 * - **A run** ({@link AutoTradeService.runDue}, the recurring job `auto_trade.run` and
 *   `POST /admin/auto-trade/run`) takes the enabled due rules of active market makers in
 *   name order, evaluates each with `@niha/domain`'s `AutoTrade.evaluate` (best prices from
 *   the market's writer, the market maker's available balance, its fee rate, the market
 *   reference price, the market's largest deviation) and places the quote with
 *   `Orders.placeAs` as the market maker's MM user, with the client reference
 *   `auto:<rule>:<due time>`, so a run repeated after a crash places once. Then the rule
 *   is due again `interval_seconds` later.
 * - **Randomness** comes from {@link AutoTradeRandom}, one seeded source for the process,
 *   consumed in rule order: the same seed and the same rules and book place the same
 *   orders.
 * - **Reference price**: the latest `price_history` row in EUR (CEA for CEA_CASH; EUA over
 *   CEA for SWAP), unless older than `priceMaxAge`; a rule that needs it then quotes
 *   nothing (`no_reference`).
 * - **One source of truth** for market settings: `auto_trade_market_settings` (its
 *   `max_price_deviation` bounds quotes in its market); the legacy single-row
 *   `auto_trade_settings` keeps its data and is not read.
 *
 * @since 0.1.0
 */
import { Repository } from "@niha/db"
import {
  AutoTrade,
  type Enums,
  Errors,
  FeeSchedule,
  type Ids,
  Market,
  MarketMaking,
  type Parties,
  Price
} from "@niha/domain"
import { Instrument, OrderBook } from "@niha/matching"
import type { AutoTradeApi } from "@niha/sdk"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as Audit from "../Audit.ts"
import * as rows from "../internal/rows.ts"
import { authorize } from "../internal/rules.ts"
import type { PageQuery } from "../Paging.ts"
import { Fees } from "./Fees.ts"
import { MarketWriter } from "./MarketWriter.ts"
import { Orders } from "./Orders.ts"

/**
 * How old the latest market price may be before rules that need it stop quoting, unless
 * configured.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPriceMaxAge: Duration.Duration = Duration.hours(1)

/**
 * The one seeded source of random integers of the auto-trade runs of a server
 * (`AutoTrade.seeded`); the server provides the source of its configured seed, a random
 * seed otherwise.
 *
 * @category configuration
 * @since 0.1.0
 */
export const AutoTradeRandom = Context.Reference<AutoTrade.Draw>("@niha/server/AutoTradeRandom", {
  defaultValue: () => AutoTrade.seeded(NodeCrypto.randomInt(2 ** 31))
})

/**
 * How old the latest market price may be before rules that need it stop quoting
 * ({@link defaultPriceMaxAge} unless the server is configured otherwise).
 *
 * @category configuration
 * @since 0.1.0
 */
export const PriceMaxAge = Context.Reference<Duration.Duration>("@niha/server/AutoTradePriceMaxAge", {
  defaultValue: () => defaultPriceMaxAge
})

/**
 * The job kind of the recurring run.
 *
 * @category constants
 * @since 0.1.0
 */
export const runJob = "auto_trade.run"

const rules = {
  all: rows.all("auto_trade_rules", MarketMaking.AutoTradeRule),
  one: rows.one("auto_trade_rules", MarketMaking.AutoTradeRule)
}
const ruleJson = Schema.encodeSync(MarketMaking.AutoTradeRule.json)

/** The mode parameters a rule needs, by mode. */
const needs = {
  price: {
    fixed: ["fixed_price"],
    spread_from_best: ["spread"],
    percentage_from_market: ["market_offset"],
    random_spread: ["min_spread", "max_spread"]
  },
  quantity: {
    fixed: ["fixed_quantity"],
    percentage_of_balance: ["balance_share"],
    random_range: ["min_quantity", "max_quantity"]
  }
} as const

/** Refuses terms that lack a parameter their price or quantity mode needs. */
const checkModes = (input: AutoTradeApi.UpdateRule): Effect.Effect<void, Errors.ValidationFailed> => {
  const issues = [
    ...needs.price[input.price_mode].filter((field) => input[field] === undefined),
    ...needs.quantity[input.quantity_mode].filter((field) => input[field] === undefined)
  ].map((field) => ({ path: field, message: "the rule's mode needs it" }))
  return issues.length > 0 ? Effect.fail(new Errors.ValidationFailed({ issues })) : Effect.void
}

/** Minor units of a non-negative decimal text at `decimals` (checked by the database's scale). */
const minor = (text: string, decimals: number): number => {
  const [whole = "0", fraction = ""] = text.split(".")
  return Number(whole + fraction.slice(0, decimals).padEnd(decimals, "0"))
}

/**
 * Builds the service.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const orders = yield* Orders
  const writer = yield* MarketWriter
  const fees = yield* Fees
  const draw = yield* AutoTradeRandom
  const repositories = yield* Repository.Repositories
  const context = yield* Effect.context<SqlClient.SqlClient | Repository.Repositories>()
  const maxAge = Duration.toMillis(yield* PriceMaxAge)

  const createRule = Effect.fn("AutoTrade.createRule")(function*(actor: Parties.User, input: AutoTradeApi.CreateRule) {
    yield* authorize(actor, "run_market_makers")
    yield* checkModes(input)
    const [maker] = yield* sql<{ id: string }>`SELECT id FROM market_maker_clients WHERE id = ${input.market_maker_id}`
    if (maker === undefined) {
      return yield* new Errors.NotFound({ resource: "market_maker_clients", id: input.market_maker_id })
    }
    const rule = yield* rules.one(sql`
        INSERT INTO auto_trade_rules (market_maker_id, name, market, side, is_enabled, price_mode, fixed_price, spread,
          min_spread, max_spread, market_offset, quantity_mode, fixed_quantity, balance_share, min_quantity,
          max_quantity, interval_seconds)
        VALUES (${input.market_maker_id}, ${input.name}, ${input.market}, ${input.side}, ${input.is_enabled ?? false},
          ${input.price_mode}, ${input.fixed_price ?? null}, ${input.spread ?? null}, ${input.min_spread ?? null},
          ${input.max_spread ?? null}, ${input.market_offset ?? null}, ${input.quantity_mode},
          ${input.fixed_quantity ?? null}, ${input.balance_share ?? null}, ${input.min_quantity ?? null},
          ${input.max_quantity ?? null}, ${input.interval_seconds})
        RETURNING *`)
    yield* Audit.record({
      user_id: actor.id,
      action: "auto_trade.create_rule",
      subject_table: "auto_trade_rules",
      subject_id: rule.id,
      after: ruleJson(rule)
    })
    return rule
  }, Effect.provideContext(context))

  const listRules = Effect.fn("AutoTrade.listRules")(function*(actor: Parties.User) {
    yield* authorize(actor, "run_market_makers")
    return yield* rules.all(sql`SELECT * FROM auto_trade_rules ORDER BY name, id`)
  }, Effect.provideContext(context))

  /** Audits a change of a rule, with the rule before and after it (null once deleted). */
  const recordRule = (
    actor: Parties.User,
    action: string,
    before: MarketMaking.AutoTradeRule,
    after: MarketMaking.AutoTradeRule | null
  ) =>
    Audit.record({
      user_id: actor.id,
      action,
      subject_table: "auto_trade_rules",
      subject_id: before.id,
      before: ruleJson(before),
      ...(after === null ? {} : { after: ruleJson(after) })
    })

  /** The rule `id`, locked for a change in the caller's transaction, or a 404. */
  const ruleById = (id: Ids.AutoTradeRuleId, lock: boolean) =>
    Effect.flatMap(
      rules.all(
        lock ?
          sql`SELECT * FROM auto_trade_rules WHERE id = ${id} FOR UPDATE` :
          sql`SELECT * FROM auto_trade_rules WHERE id = ${id}`
      ),
      ([rule]) =>
        rule === undefined ?
          Effect.fail(new Errors.NotFound({ resource: "auto_trade_rules", id })) :
          Effect.succeed(rule)
    )

  const getRule = Effect.fn("AutoTrade.getRule")(function*(actor: Parties.User, id: Ids.AutoTradeRuleId) {
    yield* authorize(actor, "run_market_makers")
    return yield* ruleById(id, false)
  }, Effect.provideContext(context))

  const updateRule = Effect.fn("AutoTrade.updateRule")(
    function*(actor: Parties.User, id: Ids.AutoTradeRuleId, input: AutoTradeApi.UpdateRule) {
      yield* authorize(actor, "run_market_makers")
      yield* checkModes(input)
      return yield* sql.withTransaction(Effect.gen(function*() {
        const before = yield* ruleById(id, true)
        // The terms are replaced whole: a parameter the new modes do not name is cleared, and the
        // schedule restarts (a null next run is due at once), as for a new rule.
        const after = yield* rules.one(sql`
          UPDATE auto_trade_rules SET name = ${input.name}, market = ${input.market}, side = ${input.side},
            is_enabled = ${input.is_enabled ?? before.is_enabled}, price_mode = ${input.price_mode},
            fixed_price = ${input.fixed_price ?? null}, spread = ${input.spread ?? null},
            min_spread = ${input.min_spread ?? null}, max_spread = ${input.max_spread ?? null},
            market_offset = ${input.market_offset ?? null}, quantity_mode = ${input.quantity_mode},
            fixed_quantity = ${input.fixed_quantity ?? null}, balance_share = ${input.balance_share ?? null},
            min_quantity = ${input.min_quantity ?? null}, max_quantity = ${input.max_quantity ?? null},
            interval_seconds = ${input.interval_seconds}, next_execution_at = NULL, updated_at = now()
          WHERE id = ${id}
          RETURNING *`)
        yield* recordRule(actor, "auto_trade.update_rule", before, after)
        return after
      }))
    },
    Effect.provideContext(context)
  )

  const deleteRule = Effect.fn("AutoTrade.deleteRule")(function*(actor: Parties.User, id: Ids.AutoTradeRuleId) {
    yield* authorize(actor, "run_market_makers")
    yield* sql.withTransaction(Effect.gen(function*() {
      const before = yield* ruleById(id, true)
      yield* sql`DELETE FROM auto_trade_rules WHERE id = ${id}`
      yield* recordRule(actor, "auto_trade.delete_rule", before, null)
    }))
  }, Effect.provideContext(context))

  const setEnabled = Effect.fn("AutoTrade.setEnabled")(
    function*(actor: Parties.User, id: Ids.AutoTradeRuleId, enabled: boolean) {
      yield* authorize(actor, "run_market_makers")
      return yield* sql.withTransaction(Effect.gen(function*() {
        const before = yield* ruleById(id, true)
        const after = yield* rules.one(sql`
          UPDATE auto_trade_rules SET is_enabled = ${enabled}, updated_at = now() WHERE id = ${id} RETURNING *`)
        yield* recordRule(actor, "auto_trade.set_enabled", before, after)
        return after
      }))
    },
    Effect.provideContext(context)
  )

  /** The latest fresh EUR price of a certificate, in EUR x 10^4, or null. */
  const latestEur = (certificate: Enums.CertificateType, now: Date) =>
    Effect.map(
      sql<{ price: string; recorded_at: Date | string }>`
          SELECT price::text AS price, recorded_at FROM price_history
          WHERE certificate_type = ${certificate} AND currency = 'EUR'
          ORDER BY price_history.recorded_at DESC LIMIT 1`,
      ([row]) =>
        row === undefined || now.getTime() - new Date(row.recorded_at).getTime() > maxAge ?
          null :
          minor(row.price, 4)
    )

  /** The market reference price in the market's price units, or null when missing or stale. */
  const referenceOf = (market: Enums.MarketType, now: Date) =>
    Effect.gen(function*() {
      const cea = yield* latestEur("CEA", now)
      if (market === "CEA_CASH") return cea === null ? null : Math.round(cea / 100)
      const eua = yield* latestEur("EUA", now)
      return cea === null || eua === null || cea === 0 ?
        null :
        Number((BigInt(eua) * BigInt(Price.SWAP_PRICE_SCALE) + BigInt(cea) / 2n) / BigInt(cea))
    })

  const availableOf = (entityId: string, asset: Enums.AssetType) =>
    Effect.map(
      sql<{ available: string }>`
          SELECT available::text AS available FROM entity_holdings WHERE entity_id = ${entityId} AND asset_type = ${asset}`,
      ([row]) => row === undefined ? 0 : minor(row.available, asset === "EUR" ? 2 : 0)
    )

  const runRule = (rule: MarketMaking.AutoTradeRule, maker: { entity_id: Ids.EntityId; user_id: Ids.UserId }) =>
    Effect.gen(function*() {
      const now = yield* DateTime.now
      const nowDate = DateTime.toDateUtc(now)
      const due = rule.next_execution_at === null ? nowDate : DateTime.toDateUtc(rule.next_execution_at)
      const market = rule.market
      const { base, quote } = Market.instruments[market]
      const [bestBid, bestAsk] = yield* writer.read(market, (book) =>
        [
          OrderBook.bestBid(book)?.price ?? null,
          OrderBook.bestAsk(book)?.price ?? null
        ] as const)
      const [setting] = yield* sql<{ max_price_deviation: string }>`
          SELECT max_price_deviation::text AS max_price_deviation FROM auto_trade_market_settings
          WHERE market = ${market}`
      const schedule = yield* fees.schedule(sql, { market })
      const feeRate = FeeSchedule.resolve(schedule, { entity_id: maker.entity_id, market, side: rule.side }).rate
      const instrument = Instrument.forMarket(market)
      const situation: AutoTrade.Situation = {
        market,
        bestBid,
        bestAsk,
        reference: yield* referenceOf(market, nowDate),
        maxDeviation: setting === undefined ? null : minor(setting.max_price_deviation, 6),
        available: yield* availableOf(maker.entity_id, rule.side === "SELL" ? base : quote),
        feeRate,
        limits: instrument
      }
      const evaluated = AutoTrade.evaluate(rule, situation, draw)
      yield* sql`
          UPDATE auto_trade_rules SET last_executed_at = ${nowDate},
            next_execution_at = ${new Date(nowDate.getTime() + rule.interval_seconds * 1000)}, updated_at = now()
          WHERE id = ${rule.id}`
      if (Result.isFailure(evaluated)) {
        const outcome: AutoTradeApi.RunOutcome = { rule_id: rule.id, order: null, skipped: evaluated.failure }
        return outcome
      }
      const quoted = evaluated.success
      const actor = yield* Effect.orDie(repositories.users.findById(maker.user_id))
      const placed = yield* Effect.result(orders.placeAs(actor, maker.entity_id, {
        market,
        side: quoted.side,
        type: "LIMIT",
        quantity: String(quoted.quantity),
        price: market === "CEA_CASH" ?
          Price.formatCash(Price.CashPrice.make(quoted.price)) :
          Price.formatSwap(Price.SwapPrice.make(quoted.price)),
        client_reference: `auto:${rule.id}:${due.getTime()}`
      }))
      const outcome: AutoTradeApi.RunOutcome = Result.isSuccess(placed) ?
        { rule_id: rule.id, order: placed.success.order, skipped: null } :
        { rule_id: rule.id, order: null, skipped: `refused: ${placed.failure._tag}` }
      return outcome
    })

  const runDue = Effect.fn("AutoTrade.runDue")(function*() {
    const now = DateTime.toDateUtc(yield* DateTime.now)
    const due = yield* rules.all(sql`
        SELECT r.* FROM auto_trade_rules r JOIN market_maker_clients m ON m.id = r.market_maker_id
        WHERE r.is_enabled AND m.is_active AND (r.next_execution_at IS NULL OR r.next_execution_at <= ${now})
        ORDER BY r.name, r.id`)
    if (due.length === 0) {
      yield* topUpEnabled
      return []
    }
    const makers = yield* sql<{ id: string; entity_id: Ids.EntityId | null; user_id: Ids.UserId }>`
        SELECT m.id, u.entity_id, m.user_id FROM market_maker_clients m JOIN users u ON u.id = m.user_id
        WHERE m.id IN ${sql.in([...new Set(due.map((rule) => rule.market_maker_id))])}`
    const byId = new Map(makers.map((maker) => [maker.id, maker] as const))
    const outcomes: Array<AutoTradeApi.RunOutcome> = []
    for (const rule of due) {
      const maker = byId.get(rule.market_maker_id)
      if (maker === undefined || maker.entity_id === null) {
        return yield* Effect.die(new Error(`invariant broken: market maker ${rule.market_maker_id} has no entity`))
      }
      outcomes.push(yield* runRule(rule, { entity_id: maker.entity_id, user_id: maker.user_id }))
    }
    yield* topUpEnabled
    return outcomes
  }, Effect.provideContext(context))

  const settings = {
    one: rows.one("auto_trade_market_settings", MarketMaking.AutoTradeMarketSetting),
    all: rows.all("auto_trade_market_settings", MarketMaking.AutoTradeMarketSetting)
  }
  const operations = rows.one("liquidity_operations", MarketMaking.LiquidityOperation)
  const operationPages = rows.page("liquidity_operations", MarketMaking.LiquidityOperation)

  const listMarketSettings = Effect.fn("AutoTrade.listMarketSettings")(function*(actor: Parties.User) {
    yield* authorize(actor, "run_market_makers")
    return yield* settings.all(sql`SELECT * FROM auto_trade_market_settings ORDER BY market`)
  }, Effect.provideContext(context))

  const listOperations = Effect.fn("AutoTrade.listOperations")(
    function*(actor: Parties.User, query: PageQuery & { readonly market?: Enums.MarketType | undefined }) {
      yield* authorize(actor, "run_market_makers")
      return yield* operationPages(query.market === undefined ? sql`` : sql`AND market = ${query.market}`, query)
    },
    Effect.provideContext(context)
  )

  const setMarketSettings = Effect.fn("AutoTrade.setMarketSettings")(
    function*(actor: Parties.User, market: Enums.MarketType, input: AutoTradeApi.MarketSettingsInput) {
      yield* authorize(actor, "run_market_makers")
      const saved = yield* settings.one(sql`
        INSERT INTO auto_trade_market_settings (market, is_enabled, target_bid_quantity, target_ask_quantity,
          max_price_deviation, internal_trades_enabled, interval_seconds)
        VALUES (${market}, ${input.is_enabled}, ${input.target_bid_quantity}, ${input.target_ask_quantity},
          ${input.max_price_deviation}, false, ${input.interval_seconds ?? 60})
        ON CONFLICT (market) DO UPDATE SET is_enabled = EXCLUDED.is_enabled,
          target_bid_quantity = EXCLUDED.target_bid_quantity, target_ask_quantity = EXCLUDED.target_ask_quantity,
          max_price_deviation = EXCLUDED.max_price_deviation, interval_seconds = EXCLUDED.interval_seconds,
          updated_at = now()
        RETURNING *`)
      yield* Audit.record({
        user_id: actor.id,
        action: "auto_trade.market_settings",
        subject_table: "auto_trade_market_settings",
        subject_id: saved.id,
        details: { market }
      })
      return saved
    },
    Effect.provideContext(context)
  )

  /** The first active market maker that supplies `side` of `market`, with its entity and user. */
  const supplierOf = (market: Enums.MarketType, side: Enums.OrderSide) =>
    Effect.map(
      sql<{ entity_id: Ids.EntityId | null; user_id: Ids.UserId }>`
        SELECT u.entity_id, m.user_id FROM market_maker_clients m JOIN users u ON u.id = m.user_id
        WHERE m.is_active AND m.mm_type = ${
        side === "BUY" ? "CEA_BUYER" : market === "CEA_CASH" ? "CEA_SELLER" : "EUA_OFFER"
      }
        ORDER BY m.name, m.id LIMIT 1`,
      ([row]) => row === undefined || row.entity_id === null ? null : { entity_id: row.entity_id, user_id: row.user_id }
    )

  /**
   * Tops each side of a market up to its target depth within the band around the
   * reference price (the market price, else the book's midpoint): the missing quantity is
   * offered by the first active market maker of the side's type, joining the best price
   * of its side (the reference when the side is empty) without crossing the other side,
   * as far as its balance pays. Answers the `liquidity_operations` row it records, or
   * null when it placed nothing and `always` is false.
   */
  const topUp = (
    market: Enums.MarketType,
    setting: MarketMaking.AutoTradeMarketSetting,
    by: Parties.User | null,
    reason: string,
    always: boolean
  ) =>
    Effect.gen(function*() {
      const now = DateTime.toDateUtc(yield* DateTime.now)
      const instrument = Instrument.forMarket(market)
      const { base, quote } = Market.instruments[market]
      const book = yield* writer.read(market, (current) => OrderBook.depth(current, 1_000))
      const bestBid = book.bids[0]?.price ?? null
      const bestAsk = book.asks[0]?.price ?? null
      const reference = (yield* referenceOf(market, now)) ??
        (bestBid !== null && bestAsk !== null ? Math.round((bestBid + bestAsk) / 2) : null)
      const placed = { BUY: 0, SELL: 0 }
      let count = 0
      if (reference !== null) {
        const situation = (available: number, feeRate: number): AutoTrade.Situation => ({
          market,
          bestBid,
          bestAsk,
          reference,
          maxDeviation: setting.max_price_deviation,
          available,
          feeRate,
          limits: instrument
        })
        const range = AutoTrade.band(situation(0, 0))
        const schedule = yield* fees.schedule(sql, { market })
        if (range !== null) {
          const within = (levels: ReadonlyArray<OrderBook.Level>) =>
            levels.filter((level) => level.price >= range.low && level.price <= range.high)
              .reduce((sum, level) => sum + level.quantity, 0)
          const clamp = (price: number) => Math.min(range.high, Math.max(range.low, price))
          const sides = [
            {
              side: "BUY" as const,
              missing: setting.target_bid_quantity - within(book.bids),
              price: clamp(bestBid ?? reference),
              crosses: (price: number) => bestAsk !== null && price >= bestAsk
            },
            {
              side: "SELL" as const,
              missing: setting.target_ask_quantity - within(book.asks),
              price: clamp(bestAsk ?? reference + instrument.tickSize),
              crosses: (price: number) =>
                (bestBid !== null && price <= bestBid) || (placed.BUY > 0 && price <= clamp(bestBid ?? reference))
            }
          ]
          for (const { side, missing, price, crosses } of sides) {
            if (missing <= 0 || crosses(price)) continue
            const supplier = yield* supplierOf(market, side)
            if (supplier === null) continue
            const feeRate = FeeSchedule.resolve(schedule, { entity_id: supplier.entity_id, market, side }).rate
            const available = yield* availableOf(supplier.entity_id, side === "SELL" ? base : quote)
            const quantity = Math.min(missing, AutoTrade.affordable(side, price, situation(available, feeRate)))
            if (quantity < instrument.minQuantity) continue
            const actor = yield* Effect.orDie(repositories.users.findById(supplier.user_id))
            const result = yield* Effect.result(orders.placeAs(actor, supplier.entity_id, {
              market,
              side,
              type: "LIMIT",
              quantity: String(quantity),
              price: market === "CEA_CASH" ?
                Price.formatCash(Price.CashPrice.make(price)) :
                Price.formatSwap(Price.SwapPrice.make(price)),
              client_reference: `liquidity:${market}:${side}:${now.getTime()}`
            }))
            if (Result.isSuccess(result)) {
              placed[side] += quantity
              count += 1
            } else {
              yield* Effect.logWarning("a liquidity order was refused").pipe(
                Effect.annotateLogs({ market, side, error: result.failure._tag })
              )
            }
          }
        }
      }
      if (count === 0 && !always) return null
      return yield* operations(sql`
        INSERT INTO liquidity_operations (market, target_bid_quantity, target_ask_quantity, placed_bid_quantity,
          placed_ask_quantity, orders_placed, reason, created_by)
        VALUES (${market}, ${setting.target_bid_quantity}, ${setting.target_ask_quantity}, ${placed.BUY},
          ${placed.SELL}, ${count}, ${reason}, ${by?.id ?? null})
        RETURNING *`)
    })

  const provideLiquidity = Effect.fn("AutoTrade.provideLiquidity")(
    function*(actor: Parties.User, market: Enums.MarketType, reason: string | undefined) {
      yield* authorize(actor, "run_market_makers")
      const [setting] = yield* settings.all(sql`SELECT * FROM auto_trade_market_settings WHERE market = ${market}`)
      if (setting === undefined) {
        return yield* new Errors.NotFound({ resource: "auto_trade_market_settings", id: market })
      }
      const operation = yield* topUp(market, setting, actor, reason ?? "requested by an admin", true)
      if (operation === null) return yield* Effect.die(new Error("invariant broken: an operation was not recorded"))
      return operation
    },
    Effect.provideContext(context)
  )

  /** Every enabled market topped up, recording an operation where orders were placed. */
  const topUpEnabled = Effect.gen(function*() {
    const enabled = yield* settings.all(sql`
      SELECT * FROM auto_trade_market_settings WHERE is_enabled ORDER BY auto_trade_market_settings.market`)
    for (const setting of enabled) yield* topUp(setting.market, setting, null, "liquidity to target", false)
  })

  const runNow = Effect.fn("AutoTrade.runNow")(function*(actor: Parties.User) {
    yield* authorize(actor, "run_market_makers")
    return yield* runDue()
  })

  return {
    /** Creates a rule (admins); the parameters of its modes must be given. */
    createRule,
    /** Every rule, in name order (admins). */
    listRules,
    /** One rule (admins), or a 404. */
    getRule,
    /** Replaces a rule's terms whole (admins); its schedule restarts. Audited. */
    updateRule,
    /** Deletes a rule (admins); the orders it placed stay. Audited. */
    deleteRule,
    /** Enables or disables a rule (admins). */
    setEnabled,
    /** Runs the due rules now (the job's work), answering what each did. */
    runDue,
    /** {@link runDue} at an admin's request. */
    runNow,
    /** Sets a market's liquidity targets (`auto_trade_market_settings`, the one source of truth). */
    setMarketSettings,
    /** Every market's liquidity settings (admins), by market. */
    listMarketSettings,
    /** The recorded liquidity operations (admins), oldest first, paged. */
    listOperations,
    /** Tops a market's sides up to their targets now, recording the operation. */
    provideLiquidity
  }
})

/**
 * The service's interface.
 *
 * @category services
 * @since 0.1.0
 */
export type AutoTradeService = Effect.Success<typeof make>

/**
 * The auto-trade service.
 *
 * @category services
 * @since 0.1.0
 */
export class AutoTradeRuns extends Context.Service<AutoTradeRuns, AutoTradeService>()("@niha/server/AutoTrade") {
  /**
   * The service on its dependencies (and {@link AutoTradeRandom}, {@link PriceMaxAge}).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<
    AutoTradeRuns,
    never,
    SqlClient.SqlClient | Repository.Repositories | Orders | MarketWriter | Fees
  > = Layer.effect(AutoTradeRuns, make)
}
