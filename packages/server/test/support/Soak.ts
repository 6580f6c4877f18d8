/**
 * The soak harness (issue #18): two `niha` processes on one PostgreSQL database, seeded
 * clients placing, amending and cancelling orders on both markets for a few hot entities,
 * depositing and withdrawing (`SoakFunding`: announced and confirmed deposits held for AML
 * and cleared or rejected, withdrawals locked and completed with four eyes or rejected) and
 * admin adjustments moving money in and out, the processes SIGKILLed and PostgreSQL
 * restarted at seeded moments, and after each fault and at the end the invariants checked.
 *
 * - **Seeded.** One seed gives every client's stream of choices (`Prng`, seeded per
 *   client) and the fault schedule, which is in requests sent (not in time): the n-th
 *   fault fires once n requests have been sent in all. Which orders a choice targets
 *   (amend, cancel) depends on the answers, as any client's would.
 * - **Model.** Every answer is checked by `SoakModel` as it arrives; the first answer
 *   outside what it allows stops the run. A request whose connection died or that was
 *   answered 503 has an unknown outcome: a placement is looked up by its
 *   `client_reference`, an adjustment sent again with its `Idempotency-Key` at the end.
 *   Any other 5xx is a defect.
 * - **Checks** (`check`), in one REPEATABLE READ snapshot while the load runs: every
 *   acknowledged order is stored; every order has its lock (the ledger keeps a request's
 *   key per line: `orders:<id>:lock#0`) and every order transfer its order; the pending lock of each order is what it still needs (nothing for a closed
 *   one); per asset the entities and platform accounts sum to zero (`WORLD` is the
 *   outside world's counterpart), no account below zero, every transfer nets to zero;
 *   `Ledger.verify` is clean; each market's stored commands replay to its open orders.
 * - **At the end**, with the load stopped: each entity's holdings equal what the model
 *   moved in and out plus the trades the server stored; `FEES` is the sum of the fees,
 *   `SETTLEMENT_PENDING` the tonnes bought, `WORLD` minus all the money in; every fill an
 *   answer showed is stored as shown.
 */
import { Database, Ledger } from "@niha/db"
import type { Enums } from "@niha/domain"
import { Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as PgCluster from "./PgCluster.ts"
import * as Prng from "./Prng.ts"
import { type Child, spawn, waitForApiUrl } from "./Processes.ts"
import { bookProblems, inSnapshot } from "./Replay.ts"
import * as SoakFunding from "./SoakFunding.ts"
import {
  type Asset,
  assetDecimals,
  assetsOf,
  decimal,
  Model,
  type OrderRequest,
  type Rates,
  type StoredTrade,
  type Ticket,
  totalKey,
  units,
  type WireFill,
  type WireOrder
} from "./SoakModel.ts"
import * as TestServer from "./TestServer.ts"

/** What a run does. */
export interface Config {
  readonly seed: number
  readonly clients: number
  readonly entities: number
  /** Requests each client sends. */
  readonly requestsPerClient: number
  /** SIGKILLs of a `niha` process. */
  readonly kills: number
  /** Immediate restarts of PostgreSQL (own cluster only). */
  readonly pgRestarts: number
  /** Milliseconds between invariant checks sampled during the load. */
  readonly sampleEveryMs: number
  /** The most milliseconds the survivor of a kill may take to acknowledge an order. */
  readonly survivorLimitMs: number
}

/** What a run counted. */
export interface Figures extends SoakFunding.FundingFigures {
  seed: number
  requests: number
  answers: number
  acknowledgedOrders: number
  refusedInsufficientFunds: number
  status5xx: number
  status500: number
  unavailable503: number
  connectionLost: number
  unknownPlacementsApplied: number
  unknownPlacementsNotApplied: number
  unknownAdjustmentsResolved: number
  kills: number
  pgRestarts: number
  invariantChecks: number
  trades: number
  survivorMaxMs: number
  seconds: number
  database: string
}

/** The run's verdict: its figures and the first problems found (empty when clean). */
export interface Outcome {
  readonly figures: Figures
  readonly problems: ReadonlyArray<string>
}

const password = "a long and quite unusual passphrase 93"
const anonymitySecret = "soak-test"
const markets: ReadonlyArray<Enums.MarketType> = ["CEA_CASH", "SWAP"]
const assets: ReadonlyArray<Asset> = ["EUR", "CEA", "EUA"]
const rates: Rates = { CEA_CASH: { BUY: 2_500, SELL: 1_500 }, SWAP: { BUY: 1_000, SELL: 2_000 } }
const initialFunds: Record<Asset, number> = { EUR: 1_000_000_000, CEA: 1_000_000, EUA: 1_000_000 }
const mid: Record<Enums.MarketType, number> = { CEA_CASH: 1_200, SWAP: 10_000 }
const spread: Record<Enums.MarketType, number> = { CEA_CASH: 15, SWAP: 60 }

type Answer = SoakFunding.Answer

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const http = async (
  base: string,
  method: "GET" | "POST" | "PUT",
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {}
): Promise<Answer> => {
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000)
    })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // Not JSON: the text is the body (a 5xx from outside the API would be one).
    }
    return { kind: "answer", status: response.status, body: parsed }
  } catch (error) {
    return { kind: "lost", reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

const codeOf = (body: unknown): string | undefined =>
  typeof body === "object" && body !== null && "code" in body && typeof body.code === "string" ? body.code : undefined

/** One entity of the run, with its user's session token. */
interface Trader {
  readonly entityId: string
  readonly email: string
  token: string
}

/** A `niha` process slot: its current child and URL while it runs. */
interface Instance {
  readonly index: number
  child: Child | undefined
  base: string | undefined
}

/** The funded entities, the admin and the fee configs, made over SQL once the first process migrated. */
const setup = (entities: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ledger = Ledger.make(sql)
    const hashed = yield* Password.hash(password).pipe(
      Effect.provideService(Password.CurrentParams, TestServer.testPasswordParams)
    )
    // Two admins: a first withdrawal to a beneficiary is approved by one and completed by the other.
    yield* sql`
      INSERT INTO users (email, first_name, last_name, role, password_hash)
      VALUES ('admin@soak.test', 'Ada', 'Admin', 'ADMIN', ${hashed}),
        ('approver@soak.test', 'Abe', 'Approver', 'ADMIN', ${hashed})`
    for (const market of markets) {
      yield* sql`
        INSERT INTO trading_fee_configs (market, buyer_rate, seller_rate)
        VALUES (${market}::markettype, ${rates[market].BUY / 1_000_000}, ${rates[market].SELL / 1_000_000})`
    }
    const traders: Array<Trader> = []
    for (let index = 0; index < entities; index++) {
      const [entity] = yield* sql<{ id: string }>`
        INSERT INTO entities (name, jurisdiction) VALUES (${`Soak ${index}`}, 'EU') RETURNING id`
      if (entity === undefined) return yield* Effect.die("no entity")
      const email = `soak${index}@soak.test`
      yield* sql`
        INSERT INTO users (email, first_name, last_name, role, entity_id, password_hash)
        VALUES (${email}, 'Sam', 'Soak', 'SWAP', ${entity.id}, ${hashed})`
      for (const asset of assets) {
        yield* Effect.orDie(ledger.apply(Ledger.adjust({
          key: `soak:fund:${entity.id}:${asset}`,
          entity_id: entity.id as never,
          asset,
          amount: initialFunds[asset],
          reason: "soak funding"
        })))
      }
      traders.push({ entityId: entity.id, email, token: "" })
    }
    return traders
  })

/** The invariants of one snapshot of the database; the problems found. */
const snapshotProblems = (acknowledged: ReadonlyArray<string>) =>
  inSnapshot(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const problems: Array<string> = []
    const stored = new Set(
      (yield* sql<{ id: string }>`SELECT id::text AS id FROM orders WHERE id = ANY(${acknowledged}::uuid[])`).map((
        row
      ) => row.id)
    )
    for (const id of acknowledged) if (!stored.has(id)) problems.push(`acknowledged order ${id} is not stored`)
    const sums = yield* sql<{ asset: string; total: string }>`
      SELECT asset_type::text AS asset, SUM(total)::text AS total FROM (
        SELECT asset_type, available + locked AS total FROM entity_holdings
        UNION ALL SELECT asset_type, balance FROM ledger.platform_accounts) AS accounts
      GROUP BY asset_type`
    for (const row of sums) if (Number(row.total) !== 0) problems.push(`${row.asset} sums to ${row.total}, not 0`)
    const negative = yield* sql<{ what: string }>`
      SELECT entity_id::text || ' ' || asset_type::text AS what FROM entity_holdings WHERE available < 0 OR locked < 0
      UNION ALL SELECT account || ' ' || asset_type::text FROM ledger.platform_accounts
      WHERE account <> 'WORLD' AND balance < 0`
    for (const row of negative) problems.push(`${row.what} is below zero`)
    const unbalanced = yield* sql<{ transfer_id: string }>`
      SELECT transfer_id::text AS transfer_id FROM asset_transactions GROUP BY transfer_id HAVING SUM(amount) <> 0 LIMIT 5`
    for (const row of unbalanced) problems.push(`transfer ${row.transfer_id} does not net to zero`)
    const unlocked = yield* sql<{ id: string; what: string; keys: string | null }>`
      SELECT o.id::text AS id,
        concat_ws(' ', o.market, o.side, o.order_type, o.time_in_force, o.status, o.quantity, o.filled_quantity,
          o.client_reference) AS what,
        (SELECT string_agg(DISTINCT t.idempotency_key, ',') FROM asset_transactions t
          WHERE t.idempotency_key LIKE 'orders:' || o.id::text || '%') AS keys
      FROM orders o WHERE o.entity_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM asset_transactions t WHERE t.idempotency_key = 'orders:' || o.id::text || ':lock#0') LIMIT 5`
    for (const row of unlocked) problems.push(`order ${row.id} (${row.what}) has no lock transfer (${row.keys})`)
    const orphans = yield* sql<{ key: string }>`
      SELECT t.idempotency_key AS key FROM asset_transactions t
      WHERE t.idempotency_key LIKE 'orders:%' AND NOT EXISTS (
        SELECT 1 FROM orders o WHERE o.id::text = split_part(t.idempotency_key, ':', 2)) LIMIT 5`
    for (const row of orphans) problems.push(`transfer ${row.key} has no order`)
    const locks = yield* sql<
      { id: string; status: string; side: string; open: string; left: string; remaining: string }
    >`
      SELECT o.id::text AS id, o.status::text AS status, o.side::text AS side,
        (o.quantity - o.filled_quantity)::text AS open,
        (o.locked_amount - o.filled_notional - o.fees_paid)::text AS left,
        COALESCE(p.remaining, 0)::text AS remaining
      FROM orders o
      JOIN (SELECT DISTINCT transfer_id, idempotency_key FROM asset_transactions WHERE idempotency_key LIKE 'orders:%:lock#0') t
        ON t.idempotency_key = 'orders:' || o.id::text || ':lock#0'
      LEFT JOIN ledger.pending_transfers p ON p.transfer_id = t.transfer_id`
    for (const row of locks) {
      const closed = row.status === "FILLED" || row.status === "CANCELLED"
      // A resting sell locks its open quantity (an amend to less returns the rest); a buy its
      // lock less what its fills took (an amend keeps a buy's lock until it leaves the book).
      const expected = closed ? 0 : row.side === "SELL" ? Number(row.open) : Number(row.left)
      if (Number(row.remaining) !== expected) {
        problems.push(`order ${row.id} (${row.status} ${row.side}) still locks ${row.remaining}, expected ${expected}`)
        if (problems.length > 20) break
      }
    }
    const report = yield* Ledger.make(sql).verify
    if (!report.ok) problems.push(`Ledger.verify: ${JSON.stringify(report).slice(0, 2_000)}`)
    for (const market of markets) problems.push(...(yield* bookProblems(market, anonymitySecret)))
    return problems
  }))

/** Runs the soak; the problems found are in the outcome, and the figures say what it did. */
export const run = (config: Config): Effect.Effect<Outcome, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const started = Date.now()
    const prng = Prng.make(config.seed)
    const ownCluster = PgCluster.skipReason === undefined
    if (!ownCluster) console.log(`soak: no own PostgreSQL cluster (${PgCluster.skipReason}): no PostgreSQL restarts`)
    const cluster = ownCluster ? (yield* PgCluster.make) : undefined
    const databaseUrl = cluster?.url ?? (yield* TestServer.freshPostgresUrl)
    const database = Database.layerUrl({ url: databaseUrl, maxConnections: 2, applicationName: "soak-checks" })
    const withDatabase = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
      // A fresh pool each time: one made before a PostgreSQL restart holds dead connections.
      effect.pipe(
        Effect.provide(database),
        Effect.retry({ schedule: Schedule.spaced("500 millis"), times: 20 })
      )
    const storage = yield* Effect.acquireRelease(
      Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-soak-"))),
      (dir) => Effect.promise(() => NodeFs.rm(dir, { recursive: true, force: true }))
    )
    const children: Array<Child> = []
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        for (const child of children) {
          if (child.process.exitCode === null && child.process.signalCode === null) {
            child.process.kill("SIGKILL")
            await child.exited
          }
        }
      })
    )
    const instances: Array<Instance> = [0, 1].map((index) => ({ index, child: undefined, base: undefined }))
    const startInstance = (instance: Instance) =>
      Effect.gen(function*() {
        const child = spawn(["start"], {
          PORT: "0",
          DATABASE_URL: databaseUrl,
          NIHA_STORAGE_DIR: storage,
          NIHA_ANONYMITY_SECRET: anonymitySecret,
          LOG_LEVEL: "warn"
        })
        children.push(child)
        const base = yield* waitForApiUrl(child)
        instance.child = child
        instance.base = base
      })
    for (const instance of instances) yield* startInstance(instance)
    const traders = yield* withDatabase(setup(config.entities))
    const model = new Model(rates, traders.map((trader) => trader.entityId))
    for (const trader of traders) for (const asset of assets) model.fund(trader.entityId, asset, initialFunds[asset])
    const login = async (email: string) => {
      const answer = await http(instances[0]?.base ?? "", "POST", "/auth/login", "", { email, password })
      if (answer.kind !== "answer" || answer.status !== 200) {
        throw new Error(`login ${email}: ${JSON.stringify(answer)}`)
      }
      return (answer.body as { token: string }).token
    }
    const adminToken = yield* Effect.promise(() => login("admin@soak.test"))
    const approverToken = yield* Effect.promise(() => login("approver@soak.test"))
    for (const trader of traders) trader.token = yield* Effect.promise(() => login(trader.email))
    // Withdrawal limits far above the run's total, so a refusal can only be the balance's.
    const limits = yield* Effect.promise(() =>
      http(instances[0]?.base ?? "", "PUT", "/admin/funding-settings/withdrawal-limits", adminToken, {
        minimum: "100.00",
        max_per_24h: "100000000.00",
        max_per_7d: "100000000.00"
      })
    )
    if (limits.kind !== "answer" || limits.status !== 200) {
      return yield* Effect.die(new Error(`withdrawal limits: ${JSON.stringify(limits)}`))
    }

    const figures: Figures = {
      seed: config.seed,
      requests: 0,
      answers: 0,
      acknowledgedOrders: 0,
      refusedInsufficientFunds: 0,
      status5xx: 0,
      status500: 0,
      unavailable503: 0,
      connectionLost: 0,
      unknownPlacementsApplied: 0,
      unknownPlacementsNotApplied: 0,
      unknownAdjustmentsResolved: 0,
      ...SoakFunding.noFigures(),
      kills: 0,
      pgRestarts: 0,
      invariantChecks: 0,
      trades: 0,
      survivorMaxMs: 0,
      seconds: 0,
      database: ownCluster ? "own PostgreSQL cluster" : "shared PostgreSQL"
    }
    const problems: Array<string> = []
    const fail = (text: string) => {
      if (problems.length < 50) problems.push(text)
    }
    const acknowledged: Array<string> = []
    const unknownPlacements: Array<{ readonly entityId: string; readonly reference: string }> = []
    const unknownAdjustments: Array<
      {
        readonly entityId: string
        readonly asset: Asset
        readonly amount: number
        readonly key: string
        ticket?: Ticket
      }
    > = []
    const repriced = new Set<string>()
    let lastWriter = 0
    let stopped = false
    /** The request count the load may not pass before the next fault begins. */
    let gate = Number.POSITIVE_INFINITY

    /** Sends through the preferred live process, or the other; waits while none runs. */
    const send: SoakFunding.Send = async (prefer, method, path, token, body, headers) => {
      // A request past the next fault's count waits until that fault has begun, so every
      // fault fires at its count, under load, however long the one before it took.
      while (figures.requests >= gate && !stopped) await sleep(20)
      figures.requests++
      for (;;) {
        const order = [prefer % 2, (prefer + 1) % 2]
        const live = order.map((index) => instances[index]).find((instance) => instance?.base !== undefined)
        if (live?.base !== undefined) {
          const answer = await http(live.base, method, path, token, body, headers)
          if (answer.kind === "lost") {
            figures.connectionLost++
          } else {
            figures.answers++
            if (answer.status >= 500) figures.status5xx++
            if (answer.status === 503) figures.unavailable503++
            else if (answer.status >= 500) {
              figures.status500++
              fail(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`)
            }
          }
          return { answer, instance: live.index }
        }
        await sleep(100)
      }
    }
    const unknown = (answer: Answer) => answer.kind === "lost" || answer.status === 503
    const funding = SoakFunding.make({
      seed: config.seed,
      model,
      send,
      fail,
      admin: () => adminToken,
      approver: () => approverToken
    })

    /** One client: its seeded stream of choices against its entity. */
    const client = async (index: number) => {
      const random = Prng.make(config.seed * 7_919 + index * 104_729 + 1)
      const trader = traders[index % traders.length]
      if (trader === undefined) return
      const open: Array<{ readonly id: string; readonly quantity: number; readonly market: Enums.MarketType }> = []
      const checkAnswered = (order: WireOrder, fills: ReadonlyArray<WireFill>) => {
        for (const problem of model.checkOrder(order, fills, repriced.has(order.id))) fail(problem)
      }
      const forget = (order: WireOrder) => {
        if (order.status === "FILLED" || order.status === "CANCELLED") {
          const at = open.findIndex((one) => one.id === order.id)
          if (at >= 0) open.splice(at, 1)
        }
      }
      const place = async (request: OrderRequest, oversize: boolean) => {
        const lock = model.lockOf(request)
        const ticket = model.send(trader.entityId, lock.asset, lock.amount)
        const { answer, instance } = await send(index, "POST", "/orders", trader.token, {
          market: request.market,
          side: request.side,
          type: request.type,
          quantity: String(request.quantity),
          price: decimal(request.price, request.market === "CEA_CASH" ? 2 : 4),
          time_in_force: request.timeInForce,
          ...(request.postOnly ? { post_only: true } : {}),
          client_reference: request.clientReference
        })
        if (unknown(answer)) {
          unknownPlacements.push({ entityId: trader.entityId, reference: request.clientReference })
          await sleep(200)
          return
        }
        if (answer.kind !== "answer") return
        const label = `placement ${request.clientReference} (${JSON.stringify(request)})`
        if (answer.status === 201) {
          const { fills, order } = answer.body as { order: WireOrder; fills: Array<WireFill> }
          if (!model.mayAccept(ticket)) fail(`${label}: accepted, ${oversize ? "oversize" : ""}`)
          for (const problem of model.checkPlaced(request, order, fills)) fail(problem)
          acknowledged.push(order.id)
          figures.acknowledgedOrders++
          lastWriter = instance
          if (order.status === "OPEN" || order.status === "PARTIALLY_FILLED") {
            open.push({ id: order.id, quantity: request.quantity, market: request.market })
          }
          return
        }
        const code = codeOf(answer.body)
        // Judged before the refusal leaves the model's bounds.
        const mayRefuse = model.mayRefuse(ticket)
        model.refuse(ticket)
        if (code === "insufficient_funds") {
          figures.refusedInsufficientFunds++
          if (answer.status !== 409) fail(`${label}: insufficient_funds with status ${answer.status}`)
          if (!mayRefuse) fail(`${label}: refused for insufficient funds, the model says it fits`)
          return
        }
        if (oversize) fail(`${label}: oversize answered ${answer.status} ${code}, not insufficient_funds`)
        else if (
          !(answer.status === 409 && code === "order_rejected" && (request.postOnly || request.timeInForce === "FOK"))
        ) fail(`${label}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
      }
      for (let n = 0; n < config.requestsPerClient && !stopped; n++) {
        const choice = random.next()
        const market = random.pick(markets)
        const side = random.pick(["BUY", "SELL"] as const)
        const reference = `s${config.seed}-c${index}-n${n}`
        if (choice < 0.5) {
          const flavour = random.next()
          const timeInForce = flavour < 0.6 ? "GTC" : flavour < 0.8 ? "IOC" : "FOK"
          const postOnly = timeInForce === "GTC" && random.chance(0.15)
          const offset = random.int(-spread[market], spread[market])
          const price = mid[market] + offset +
            (side === "BUY" ? -Math.floor(spread[market] / 3) : Math.floor(spread[market] / 3))
          await place({
            market,
            side,
            type: "LIMIT",
            timeInForce,
            postOnly,
            quantity: random.int(1, 20),
            price,
            clientReference: reference
          }, false)
        } else if (choice < 0.6) {
          const protection = mid[market] + (side === "BUY" ? 2 : -2) * spread[market]
          await place({
            market,
            side,
            type: "MARKET",
            timeInForce: random.chance(0.5) ? "IOC" : "FOK",
            postOnly: false,
            quantity: random.int(1, 20),
            price: protection,
            clientReference: reference
          }, false)
        } else if (choice < 0.7 && open.length > 0) {
          const target = random.pick(open)
          const byPrice = target.quantity === 1 || random.chance(0.5)
          const price = mid[target.market] + random.int(-spread[target.market], spread[target.market])
          const payload = byPrice ?
            { price: decimal(price, target.market === "CEA_CASH" ? 2 : 4) } :
            { quantity: String(random.int(1, target.quantity - 1)) }
          const { answer } = await send(index, "POST", `/orders/${target.id}/amend`, trader.token, payload)
          if (answer.kind === "answer" && answer.status === 200) {
            const { fills, order } = answer.body as { order: WireOrder; fills: Array<WireFill> }
            if (byPrice) repriced.add(order.id)
            checkAnswered(order, fills)
            forget(order)
          } else if (
            answer.kind === "answer" && answer.status !== 409 && answer.status !== 400 && answer.status < 500
          ) {
            fail(`amend ${target.id}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
          }
        } else if (choice < 0.8 && open.length > 0) {
          const target = random.pick(open)
          const { answer } = await send(index, "POST", `/orders/${target.id}/cancel`, trader.token, {})
          if (answer.kind === "answer" && answer.status === 200) {
            const { fills, order } = answer.body as { order: WireOrder; fills: Array<WireFill> }
            checkAnswered(order, fills)
            if (order.status !== "CANCELLED") fail(`cancel ${target.id}: answered ${order.status}`)
            forget(order)
          } else if (answer.kind === "answer" && answer.status === 409) {
            open.splice(open.indexOf(target), 1)
          } else if (answer.kind === "answer" && answer.status < 500) {
            fail(`cancel ${target.id}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
          }
        } else if (choice < 0.83) {
          const { answer } = await send(index, "POST", "/orders/cancel-all", trader.token, { market })
          if (answer.kind === "answer" && answer.status === 200) {
            for (const order of (answer.body as { cancelled: Array<WireOrder> }).cancelled) {
              if (order.status !== "CANCELLED" || order.market !== market || order.entity_id !== trader.entityId) {
                fail(`cancel-all ${market}: answered ${order.id} ${order.market} ${order.status}`)
              }
              forget(order)
            }
          } else if (answer.kind === "answer" && answer.status < 500) {
            fail(`cancel-all: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`)
          }
        } else if (choice < 0.87) {
          const asset = random.pick(assets)
          const size = asset === "EUR" ? random.int(100_000, 500_000) : random.int(10, 100)
          const amount = random.chance(0.3) ? -size : size
          const key = `soak-${config.seed}-${index}-${n}`
          const ticket = amount < 0 ? model.send(trader.entityId, asset, -amount) : undefined
          if (amount > 0) model.sendIn(asset, amount)
          const { answer } = await send(index, "POST", `/admin/entities/${trader.entityId}/adjustments`, adminToken, {
            asset_type: asset,
            amount: decimal(amount, assetDecimals(asset)),
            reason: "soak adjustment"
          }, { "idempotency-key": key })
          if (unknown(answer)) {
            unknownAdjustments.push({ entityId: trader.entityId, asset, amount, key, ...(ticket ? { ticket } : {}) })
          } else if (answer.kind === "answer" && answer.status < 300) {
            model.settleMoney(trader.entityId, asset, amount, true, ticket)
          } else if (answer.kind === "answer") {
            const allowed = answer.status === 409 && codeOf(answer.body) === "insufficient_funds" &&
              ticket !== undefined && model.mayRefuse(ticket)
            if (!allowed) {
              fail(
                `adjustment ${key} ${amount} ${asset}: answered ${answer.status} ${
                  JSON.stringify(answer.body).slice(0, 300)
                }`
              )
            }
            model.settleMoney(trader.entityId, asset, amount, false, ticket)
          }
        } else if (choice < 0.89) {
          // Larger than everything the platform holds of the asset it locks: must be refused.
          const { base, quote } = assetsOf(market)
          const price = mid[market]
          const ceiling = model.upperBound(side === "BUY" ? quote : base) * 1.1
          const perTonne = side === "BUY" ? (market === "CEA_CASH" ? price : price / 10_000) : 1
          await place({
            market,
            side,
            type: "LIMIT",
            timeInForce: "GTC",
            postOnly: false,
            quantity: Math.min(10_000_000, Math.floor(ceiling / perTonne) + 1),
            price,
            clientReference: reference
          }, true)
        } else if (choice < 0.91) {
          await funding.deposit(index, trader.entityId, trader.token, random, n)
        } else if (choice < 0.93) {
          await funding.withdraw(index, trader.entityId, trader.token, random, n)
        } else {
          const target = open.length > 0 ? random.pick(open) : undefined
          const id = target?.id ?? acknowledged[random.int(0, Math.max(0, acknowledged.length - 1))]
          if (id === undefined) continue
          const { answer } = await send(index, "GET", `/orders/${id}`, trader.token)
          if (answer.kind === "answer" && answer.status === 200) {
            const { fills, order } = answer.body as { order: WireOrder; fills: Array<WireFill> }
            checkAnswered(order, fills)
            forget(order)
          } else if (answer.kind === "answer" && answer.status !== 404 && answer.status < 500) {
            fail(`get ${id}: answered ${answer.status}`)
          }
        }
        if (problems.length > 0) stopped = true
      }
    }

    const check = (label: string) =>
      withDatabase(snapshotProblems([...acknowledged])).pipe(
        Effect.map((found) => {
          if (found.length === 0) figures.invariantChecks++
          for (const problem of found) fail(`${label}: ${problem}`)
          if (found.length > 0) stopped = true
        })
      )

    // The fault schedule, in requests sent: spread over 10% to 90% of the run, each moved by
    // up to half a slot, in a seeded order of kills and restarts.
    const total = config.clients * config.requestsPerClient
    const restarts = cluster === undefined ? 0 : config.pgRestarts
    const kinds: Array<"kill" | "pg"> = [
      ...Array.from({ length: config.kills }, () => "kill" as const),
      ...Array.from({ length: restarts }, () => "pg" as const)
    ]
    for (let index = kinds.length - 1; index > 0; index--) {
      const other = prng.int(0, index)
      const swap = kinds[index]
      kinds[index] = kinds[other] ?? "kill"
      kinds[other] = swap ?? "kill"
    }
    const slot = (0.8 * total) / Math.max(1, kinds.length)
    const faults = kinds.map((kind, index) => ({
      kind,
      at: Math.round(0.1 * total + slot * index + prng.int(0, Math.floor(slot / 2)))
    }))
    gate = faults[0]?.at ?? Number.POSITIVE_INFINITY
    console.log(
      `soak seed=${config.seed}: ${config.clients} clients x ${config.requestsPerClient} requests, faults at ${
        faults.map((fault) => `${fault.kind}@${fault.at}`).join(" ")
      }`
    )

    const waitReady = (instance: Instance) =>
      Effect.promise(async () => {
        for (let attempt = 0; attempt < 600; attempt++) {
          if (instance.base === undefined) return
          const answer = await http(instance.base, "GET", "/ready", "")
          if (answer.kind === "answer" && answer.status === 200) return
          await sleep(100)
        }
        fail(`process ${instance.index} not ready 60 s after a PostgreSQL restart`)
      })

    const probeTrader = traders[0]
    const kill = (count: number) =>
      Effect.gen(function*() {
        const victim = instances[lastWriter]
        const survivor = instances[(lastWriter + 1) % 2]
        if (victim?.child === undefined || survivor?.base === undefined || probeTrader === undefined) return
        const child = victim.child
        victim.base = undefined
        child.process.kill("SIGKILL")
        yield* Effect.promise(() => child.exited)
        figures.kills++
        // The survivor matches on at once: the dead writer's advisory lock ended with its connection.
        const killedAt = Date.now()
        const probe: OrderRequest = {
          market: "CEA_CASH",
          side: "BUY",
          type: "LIMIT",
          timeInForce: "GTC",
          postOnly: false,
          quantity: 1,
          price: 1_000,
          clientReference: `s${config.seed}-probe-${count}`
        }
        const ticket = model.send(probeTrader.entityId, "EUR", model.lockOf(probe).amount)
        const answer = yield* Effect.promise(() =>
          http(survivor.base ?? "", "POST", "/orders", probeTrader.token, {
            market: "CEA_CASH",
            side: "BUY",
            type: "LIMIT",
            quantity: "1",
            price: "10.00",
            client_reference: probe.clientReference
          })
        )
        const took = Date.now() - killedAt
        figures.survivorMaxMs = Math.max(figures.survivorMaxMs, took)
        if (answer.kind !== "answer" || answer.status !== 201) {
          model.refuse(ticket)
          fail(`kill ${count}: the survivor answered the probe ${JSON.stringify(answer).slice(0, 300)}`)
        } else {
          const { fills, order } = answer.body as { order: WireOrder; fills: Array<WireFill> }
          for (const problem of model.checkPlaced(probe, order, fills)) fail(problem)
          acknowledged.push(order.id)
          if (took > config.survivorLimitMs) fail(`kill ${count}: the survivor took ${took} ms to acknowledge`)
        }
        yield* startInstance(victim)
        yield* check(`after kill ${count}`)
      })
    const restartPostgres = (count: number) =>
      Effect.gen(function*() {
        if (cluster === undefined) return
        yield* cluster.restartImmediate
        figures.pgRestarts++
        for (const instance of instances) yield* waitReady(instance)
        yield* check(`after PostgreSQL restart ${count}`)
      })

    let faultsDone = false
    let loadDone = false
    // A fault and a sampled check never overlap: a restart of PostgreSQL in the middle of a
    // check would close the check's own connection and fail the run for the harness's sake.
    const exclusive = yield* Semaphore.make(1)
    const faulting = Effect.gen(function*() {
      let kills = 0
      let pgs = 0
      for (const [index, fault] of faults.entries()) {
        while (figures.requests < fault.at && !stopped && !loadDone) yield* Effect.sleep("50 millis")
        if (stopped || loadDone) break
        gate = faults[index + 1]?.at ?? Number.POSITIVE_INFINITY
        if (fault.kind === "kill") yield* exclusive.withPermits(1)(kill(++kills))
        else yield* exclusive.withPermits(1)(restartPostgres(++pgs))
      }
      faultsDone = true
    })
    const sampling = Effect.gen(function*() {
      while (!loadDone && !stopped) {
        yield* Effect.sleep(config.sampleEveryMs)
        if (!loadDone && !stopped) yield* exclusive.withPermits(1)(check("sampled"))
      }
    })
    const loading = Effect.promise(() =>
      Promise.all(Array.from({ length: config.clients }, (_, index) => client(index)))
    ).pipe(Effect.ensuring(Effect.sync(() => (loadDone = true))))
    yield* Effect.all([loading, faulting, sampling], { concurrency: "unbounded" })
    if (!faultsDone && problems.length === 0) fail("the load ended before every fault fired")

    // Settle what is unknown: adjustments sent again under their key (an answer of the first
    // or its first application now), placements looked up by their reference.
    for (const adjustment of unknownAdjustments) {
      const answer = yield* Effect.promise(() =>
        http(instances[0]?.base ?? "", "POST", `/admin/entities/${adjustment.entityId}/adjustments`, adminToken, {
          asset_type: adjustment.asset,
          amount: decimal(adjustment.amount, assetDecimals(adjustment.asset)),
          reason: "soak adjustment"
        }, { "idempotency-key": adjustment.key })
      )
      const applied = answer.kind === "answer" && answer.status < 300
      if (answer.kind !== "answer" || (!applied && codeOf(answer.body) !== "insufficient_funds")) {
        fail(`adjustment ${adjustment.key} sent again: ${JSON.stringify(answer).slice(0, 300)}`)
      }
      model.settleMoney(adjustment.entityId, adjustment.asset, adjustment.amount, applied, adjustment.ticket)
      figures.unknownAdjustmentsResolved++
    }
    const references = unknownPlacements.map((one) => one.reference)
    const found = yield* withDatabase(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ reference: string; id: string }>`
        SELECT client_reference AS reference, id::text AS id FROM orders WHERE client_reference = ANY(${references})`)
    )
    figures.unknownPlacementsApplied = found.length
    figures.unknownPlacementsNotApplied = references.length - found.length
    // Deposits and withdrawals left at an unknown step go on to their planned end.
    yield* Effect.promise(() => funding.settle())
    Object.assign(figures, funding.figures)
    // What each entity's EUR is locked for, as the server shows it: the deposits held for
    // AML and the withdrawals locked, as the model booked them.
    for (const trader of traders) {
      const answer = yield* Effect.promise(() =>
        http(instances[0]?.base ?? "", "GET", `/entities/${trader.entityId}/holdings`, adminToken)
      )
      const eur = answer.kind === "answer" && answer.status === 200 && Array.isArray(answer.body) ?
        (answer.body as Array<{ asset_type: string; locked_for: Record<string, string> }>).find((row) =>
          row.asset_type === "EUR"
        ) :
        undefined
      const want = model.fundingOf(trader.entityId)
      if (eur === undefined) fail(`holdings of ${trader.entityId}: ${JSON.stringify(answer).slice(0, 300)}`)
      else if (
        units(eur.locked_for["aml_holds"] ?? "", 2) !== want.held ||
        units(eur.locked_for["withdrawals"] ?? "", 2) !== want.withdrawing
      ) {
        fail(
          `entity ${trader.entityId} EUR locked for ${JSON.stringify(eur.locked_for)}, the model holds ${
            decimal(want.held, 2)
          } for AML and ${decimal(want.withdrawing, 2)} for withdrawals`
        )
      }
    }

    yield* check("at the end")
    // The books of each entity, from the model and the trades stored.
    yield* withDatabase(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const tradeRows = yield* sql<{
        id: string
        market: Enums.MarketType
        buyer: string | null
        seller: string | null
        quantity: string
        notional: string
        buyer_fee: string
        seller_fee: string
        price: string
      }>`
        SELECT t.id::text AS id, t.market::text AS market, b.entity_id::text AS buyer, s.entity_id::text AS seller,
          t.quantity::text AS quantity, t.notional::text AS notional, t.buyer_fee::text AS buyer_fee,
          t.seller_fee::text AS seller_fee, t.price::text AS price
        FROM cash_market_trades t JOIN orders b ON b.id = t.buy_order_id JOIN orders s ON s.id = t.sell_order_id`
      figures.trades = tradeRows.length
      const quoteDecimals = (market: Enums.MarketType) => assetDecimals(assetsOf(market).quote)
      const trades: Array<StoredTrade> = tradeRows.map((row) => ({
        market: row.market,
        buyer: row.buyer,
        seller: row.seller,
        quantity: units(row.quantity, 0),
        notional: units(row.notional, quoteDecimals(row.market)),
        buyerFee: units(row.buyer_fee, quoteDecimals(row.market)),
        sellerFee: units(row.seller_fee, quoteDecimals(row.market))
      }))
      const byId = new Map(tradeRows.map((row, index) => [row.id, trades[index]] as const))
      for (const [at, fill] of model.fills) {
        const trade = byId.get(fill.trade_id)
        const fee = units(fill.fee, quoteDecimals(fill.market))
        if (
          trade === undefined || trade.quantity !== units(fill.quantity, 0) ||
          trade.notional !== units(fill.notional, quoteDecimals(fill.market)) ||
          (fill.side === "BUY" ? trade.buyerFee : trade.sellerFee) !== fee
        ) fail(`the fill ${at} answered is not stored as answered`)
      }
      // The deposits booked and the withdrawals paid, as stored, against the model's.
      const flows = yield* sql<
        { entity: string; deposited: string; held: string; withdrawn: string; withdrawing: string }
      >`
        SELECT e.id::text AS entity,
          (SELECT COALESCE(SUM(amount), 0) FROM deposits WHERE entity_id = e.id AND status IN ('ON_HOLD', 'CLEARED'))::text
            AS deposited,
          (SELECT COALESCE(SUM(amount), 0) FROM deposits WHERE entity_id = e.id AND status = 'ON_HOLD')::text AS held,
          (SELECT COALESCE(SUM(amount), 0) FROM withdrawals WHERE entity_id = e.id AND status = 'COMPLETED')::text
            AS withdrawn,
          (SELECT COALESCE(SUM(amount), 0) FROM withdrawals WHERE entity_id = e.id AND status IN ('PENDING', 'PROCESSING'))::text
            AS withdrawing
        FROM entities e`
      for (const trader of traders) {
        const row = flows.find((one) => one.entity === trader.entityId)
        const want = model.fundingOf(trader.entityId)
        const have = row === undefined ? undefined : {
          held: units(row.held, 2),
          withdrawing: units(row.withdrawing, 2),
          deposited: units(row.deposited, 2),
          withdrawn: units(row.withdrawn, 2)
        }
        if (JSON.stringify(have) !== JSON.stringify(want)) {
          fail(
            `entity ${trader.entityId} deposits and withdrawals stored ${JSON.stringify(have)}, the model ${
              JSON.stringify(want)
            }`
          )
        }
      }
      const expected = model.expectedTotals(trades)
      const holdings = yield* sql<{ entity: string; asset: Asset; total: string }>`
        SELECT entity_id::text AS entity, asset_type::text AS asset, (available + locked)::text AS total
        FROM entity_holdings`
      const actual = new Map(
        holdings.map((row) => [totalKey(row.entity, row.asset), units(row.total, assetDecimals(row.asset))] as const)
      )
      for (const trader of traders) {
        for (const asset of assets) {
          const want = expected.get(totalKey(trader.entityId, asset)) ?? 0
          const have = actual.get(totalKey(trader.entityId, asset)) ?? 0
          if (want !== have) fail(`entity ${trader.entityId} holds ${have} ${asset}, the model and trades give ${want}`)
        }
      }
      const platform = yield* sql<{ account: string; asset: Asset; balance: string }>`
        SELECT account, asset_type::text AS asset, balance::text AS balance FROM ledger.platform_accounts`
      const balance = (account: string, asset: Asset) => {
        const row = platform.find((one) => one.account === account && one.asset === asset)
        return row === undefined ? 0 : units(row.balance, assetDecimals(asset))
      }
      for (const asset of assets) {
        const fees = trades.reduce(
          (sum, trade) => assetsOf(trade.market).quote === asset ? sum + trade.buyerFee + trade.sellerFee : sum,
          0
        )
        const bought = trades.reduce(
          (sum, trade) => assetsOf(trade.market).base === asset ? sum + trade.quantity : sum,
          0
        )
        const moneyIn = traders.reduce((sum, trader) => sum + model.fundedOf(trader.entityId, asset), 0)
        if (balance("FEES", asset) !== fees) {
          fail(`FEES holds ${balance("FEES", asset)} ${asset}, the trades' fees ${fees}`)
        }
        if (balance("SETTLEMENT_PENDING", asset) !== bought) {
          fail(`SETTLEMENT_PENDING holds ${balance("SETTLEMENT_PENDING", asset)} ${asset}, the trades ${bought}`)
        }
        if (balance("WORLD", asset) !== -moneyIn) {
          fail(`WORLD holds ${balance("WORLD", asset)} ${asset}, money in ${moneyIn}`)
        }
      }
    }))
    if (problems.length === 0) figures.invariantChecks++
    // What the processes logged about a failed request, for the report.
    const requestIds = new Set(problems.flatMap((problem) => /"request_id":"([^"]+)"/u.exec(problem)?.[1] ?? []))
    for (const requestId of [...requestIds].slice(0, 3)) {
      const logged = children.flatMap((child) => [...child.stderr, ...child.stdout].join("").split("\n"))
        .filter((line) => line.includes(requestId))
      problems.push(`logged for ${requestId}: ${logged.join("\n").slice(0, 3_000)}`)
    }
    figures.seconds = Math.round((Date.now() - started) / 1000)
    return { figures, problems }
  })

/** The figures as a few readable lines. */
export const summary = (figures: Figures): string =>
  [
    `soak seed=${figures.seed} (${figures.database}, ${figures.seconds} s)`,
    `  requests ${figures.requests}, answered ${figures.answers}, orders acknowledged ${figures.acknowledgedOrders}, trades ${figures.trades}`,
    `  5xx ${figures.status5xx} (500 and other: ${figures.status500}; 503: ${figures.unavailable503}), connections lost ${figures.connectionLost}`,
    `  unknown outcomes: placements ${figures.unknownPlacementsApplied} applied / ${figures.unknownPlacementsNotApplied} not, adjustments ${figures.unknownAdjustmentsResolved} resolved`,
    `  insufficient funds refused (409) ${figures.refusedInsufficientFunds}`,
    `  kills survived ${figures.kills} (survivor acknowledged within ${figures.survivorMaxMs} ms at worst), PostgreSQL restarts ${figures.pgRestarts}`,
    `  invariant checks passed ${figures.invariantChecks}`
  ].join("\n")
