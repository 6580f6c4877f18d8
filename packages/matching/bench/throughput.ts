/**
 * The standard matching workload (issue 5), measured as a partner would see it (issue 19):
 * through the public API (`OrderBook.apply`, one command at a time, the command object and
 * its id strings built in the loop, every event read), in several fresh processes, ours and
 * nodejs-order-book interleaved (ours, baseline, ours, ...), so that neither a lucky process
 * nor a quiet minute decides the figure.
 *
 * The workload: a seeded stream of commands (default one million), about 50% limit orders
 * 1 to 50 ticks on their passive side of a slowly drifting mid price (a one-tick step with
 * probability 1/1000 per command; the drift makes some of them cross), 45% cancels of live
 * orders, 5% market orders, sizes 1 to 50 t. The first BENCH_DEPTH commands (default 20,000)
 * only place orders, so the book holds a standing depth of about 20,000 orders. Buy and sell
 * orders come from disjoint owners, so self-trade prevention never fires and both engines
 * must report the same number of trades.
 *
 * Each process first derives the stream's plan (kinds, sides, prices, sizes and which order
 * each cancel aims at, as small typed arrays) by running it once through an untimed book of
 * ours; the timed loop then builds each command from the plan, as a caller would. A process
 * warms up on a prefix and one whole pass, then times BENCH_ROUNDS passes (ours) or
 * BENCH_BASELINE_ROUNDS (the baseline) over the whole stream on fresh books; its figure is
 * their median; each round is also timed against the process's CPU time (which does not count
 * the time the process waited for a CPU on a loaded machine) and counts its scavenges. A
 * process of ours then runs two passes through the `MatchingEngine` service in batches of 256
 * and times the second, times every command of one more pass (p50, p99), and measures
 * the bytes per resting order: heap plus array buffers (typed arrays), after a forced GC, for
 * 200,000 resting orders whose id strings the caller created for them (so they count), and
 * for 131,073, just past a doubling of the book's arrays, where an order costs the most.
 *
 * The parent prints each process's figures, then the median and the minimum across processes;
 * its last line is one JSON object for scripts.
 *
 * Run: `pnpm --filter @niha/matching bench` (environment: BENCH_PROCESSES (5), BENCH_COMMANDS,
 * BENCH_SEED, BENCH_DEPTH, BENCH_ROUNDS (3), BENCH_BASELINE_ROUNDS (1)).
 */
import { type Command, Instrument, MatchingEngine, OrderBook } from "@niha/matching"
import * as Effect from "effect/Effect"
import { execFileSync } from "node:child_process"
import * as os from "node:os"
import { PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { OrderBook as BaselineBook, Side } from "nodejs-order-book"

const env = (name: string, fallback: number): number => {
  const value = process.env[name]
  return value === undefined || value === "" ? fallback : Number(value)
}

const PROCESSES = env("BENCH_PROCESSES", 5)
const COMMANDS = env("BENCH_COMMANDS", 1_000_000)
const SEED = env("BENCH_SEED", 20_240_605)
const ROUNDS = env("BENCH_ROUNDS", 3)
const BASELINE_ROUNDS = env("BENCH_BASELINE_ROUNDS", 1)
const DEPTH = env("BENCH_DEPTH", 20_000)
const WARMUP = Math.min(COMMANDS, 200_000)
const RESTING_ORDERS = 200_000
/** Just past a doubling of the book's arrays (2^17 + 1 orders): the most memory per order. */
const RESTING_ORDERS_WORST = 131_073
const ENGINE_BATCH = 256

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

/**
 * The collections of this process so far (young-generation scavenges, and the rest), from
 * the `gc` performance entries. They are delivered asynchronously: read them after a turn
 * of the event loop (`settle`).
 */
const collections = { scavenges: 0, full: 0 }
// The `kind` of a gc entry: 1 is a scavenge (NODE_PERFORMANCE_GC_MINOR).
const GC_MINOR = 1
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 1))

/** xoshiro128** : a small, fast, seedable generator (the stream must replay exactly). */
const prng = (seed: number) => {
  let a = seed >>> 0 || 1
  let b = 0x9e3779b9
  let c = 0x243f6a88
  let d = 0xb7e15162
  const next = (): number => {
    const t = b << 9
    let r = Math.imul(b, 5)
    r = Math.imul((r << 7) | (r >>> 25), 9)
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = (d << 11) | (d >>> 21)
    return (r >>> 0) / 4294967296
  }
  for (let i = 0; i < 16; i++) next()
  return { next, int: (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1)) }
}

const instrument = Instrument.ceaCash
const config = { instrument, anonymitySecret: "bench" }
const OWNERS = 50
const buyers = Array.from({ length: OWNERS }, (_, i) => `buyer-${i}`)
const sellers = Array.from({ length: OWNERS }, (_, i) => `seller-${i}`)

const LIMIT = 0
const CANCEL = 1
const MARKET = 2

/**
 * The stream as data: command `i` has `seq` i + 1; a limit order's id is `o<seq>`, a market
 * order's `m<seq>`; a cancel aims at the order placed by command `target[i]`.
 */
interface Plan {
  readonly length: number
  readonly kind: Uint8Array
  readonly buy: Uint8Array
  readonly owner: Uint8Array
  readonly price: Int32Array
  readonly quantity: Int32Array
  readonly target: Int32Array
}

const ownerOf = (plan: Plan, i: number): string =>
  (plan.buy[i] === 1 ? buyers : sellers)[plan.owner[i] ?? 0] ?? "nobody"

/** The command `i` of the plan, built as a caller builds it: a fresh object and fresh id strings. */
const commandAt = (plan: Plan, i: number): Command.Command => {
  const seq = i + 1
  const kind = plan.kind[i]
  const owner = ownerOf(plan, i)
  if (kind === CANCEL) return { _tag: "Cancel", seq, timestamp: seq, orderId: `o${plan.target[i]}`, owner }
  if (kind === MARKET) {
    return {
      _tag: "PlaceMarket",
      seq,
      timestamp: seq,
      orderId: `m${seq}`,
      owner,
      side: plan.buy[i] === 1 ? "BUY" : "SELL",
      quantity: plan.quantity[i] ?? 0,
      budget: null,
      limitPrice: null,
      timeInForce: "IOC",
      selfTradePrevention: "CANCEL_TAKER"
    }
  }
  return {
    _tag: "PlaceLimit",
    seq,
    timestamp: seq,
    orderId: `o${seq}`,
    owner,
    side: plan.buy[i] === 1 ? "BUY" : "SELL",
    price: plan.price[i] ?? 0,
    quantity: plan.quantity[i] ?? 0,
    timeInForce: "GTC",
    postOnly: false,
    selfTradePrevention: "CANCEL_TAKER"
  }
}

/** Derives the plan, running it through an untimed book to know which orders are live. */
const makePlan = (count: number, seed: number): Plan => {
  const random = prng(seed)
  const plan: Plan = {
    length: count,
    kind: new Uint8Array(count),
    buy: new Uint8Array(count),
    owner: new Uint8Array(count),
    price: new Int32Array(count),
    quantity: new Int32Array(count),
    target: new Int32Array(count)
  }
  const oracle = OrderBook.make(config)
  // The live orders by the seq that placed them, with O(1) removal.
  const live: Array<number> = []
  const liveAt = new Map<number, number>()
  const drop = (orderId: string): void => {
    const placedBy = Number(orderId.slice(1))
    const at = liveAt.get(placedBy)
    if (at === undefined) return
    const last = live.pop()
    if (last !== undefined && last !== placedBy) {
      live[at] = last
      liveAt.set(last, at)
    }
    liveAt.delete(placedBy)
  }
  let mid = 1_000
  for (let i = 0; i < count; i++) {
    const seq = i + 1
    if (random.next() < 0.001) mid = Math.min(99_000, Math.max(200, mid + (random.next() < 0.5 ? -1 : 1)))
    // The first DEPTH commands only place orders: the book starts with a standing depth.
    const roll = seq <= DEPTH ? 0.5 : random.next()
    plan.buy[i] = random.next() < 0.5 ? 1 : 0
    plan.owner[i] = random.int(0, OWNERS - 1)
    if (roll < 0.45 && live.length > 0) {
      const placedBy = live[random.int(0, live.length - 1)] ?? 0
      plan.kind[i] = CANCEL
      plan.target[i] = placedBy
      // The owner of a cancel is the owner of its order.
      plan.buy[i] = plan.buy[placedBy - 1] ?? 0
      plan.owner[i] = plan.owner[placedBy - 1] ?? 0
    } else if (roll >= 0.95) {
      plan.kind[i] = MARKET
      plan.quantity[i] = random.int(1, 50)
    } else {
      // Within fifty ticks of mid on the passive side; the drift of mid makes some cross.
      const offset = random.int(1, 50)
      plan.kind[i] = LIMIT
      plan.price[i] = plan.buy[i] === 1 ? mid - offset : mid + offset
      plan.quantity[i] = random.int(1, 50)
    }
    for (const event of OrderBook.apply(oracle, commandAt(plan, i))) {
      if (event._tag === "OrderRested") {
        liveAt.set(seq, live.length)
        live.push(seq)
      } else if (event._tag === "Trade" && event.makerRemaining === 0) {
        drop(event.aggressor === "BUY" ? event.sellOrderId : event.buyOrderId)
      } else if (event._tag === "OrderCancelled") {
        drop(event.orderId)
      } else if (event._tag === "CommandRejected") {
        throw new Error(`the plan produced a rejected command: ${JSON.stringify(event)}`)
      }
    }
  }
  return plan
}

/**
 * The CPU time of this process since `since`, in ns: user and system time of all its
 * threads (the collector's and the compiler's helpers included). Unlike the wall clock, it
 * does not count the time the process waited for a CPU, so on a loaded machine a process's
 * CPU-time rate shows what it would do with a CPU to itself, and a wall-clock rate far below
 * it shows that it waited.
 */
const cpuNs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) * 1_000
}

/** One pass of ours through the public API; every event is read (trades counted). */
const passOurs = (plan: Plan, count: number) => {
  const book = OrderBook.make(config)
  let trades = 0
  let events = 0
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const out = OrderBook.apply(book, commandAt(plan, i))
    for (let e = 0; e < out.length; e++) {
      events++
      if (out[e]?._tag === "Trade") trades++
    }
  }
  const ns = Number(process.hrtime.bigint() - start)
  return { ns, cpuNs: cpuNs(cpu), trades, events }
}

/** One pass through the Effect service, in batches of ENGINE_BATCH commands. */
const passEngine = (plan: Plan, count: number) => {
  const program = Effect.gen(function*() {
    const engine = yield* MatchingEngine.MatchingEngine
    let trades = 0
    const batch: Array<Command.Command> = []
    const start = process.hrtime.bigint()
    for (let first = 0; first < count; first += ENGINE_BATCH) {
      batch.length = 0
      const last = Math.min(count, first + ENGINE_BATCH)
      for (let i = first; i < last; i++) batch.push(commandAt(plan, i))
      const out = yield* engine.submit("CEA_CASH", batch)
      for (let e = 0; e < out.length; e++) if (out[e]?._tag === "Trade") trades++
    }
    return { ns: Number(process.hrtime.bigint() - start), trades }
  })
  return Effect.runSync(program.pipe(Effect.provide(MatchingEngine.layer({ books: [config] }))))
}

/** One pass of nodejs-order-book, counting its fills from `done` and `partial`. */
const passBaseline = (plan: Plan, count: number) => {
  const book = new BaselineBook()
  let trades = 0
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const kind = plan.kind[i]
    const side = plan.buy[i] === 1 ? Side.BUY : Side.SELL
    if (kind === LIMIT) {
      const id = `o${i + 1}`
      const result = book.limit({ id, side, size: plan.quantity[i] ?? 0, price: plan.price[i] ?? 0 })
      // `done` holds the fully filled makers and, when it filled entirely, the taker itself;
      // `partial` is a partly filled maker, or the taker when it rests after trading.
      for (const order of result.done) if (order.id !== id) trades++
      if (result.partial !== null && result.partial.id !== id) trades++
    } else if (kind === MARKET) {
      const result = book.market({ side, size: plan.quantity[i] ?? 0 })
      trades += result.done.length + (result.partial === null ? 0 : 1)
    } else {
      book.cancel(`o${plan.target[i]}`)
    }
  }
  const ns = Number(process.hrtime.bigint() - start)
  return { ns, cpuNs: cpuNs(cpu), trades }
}

/** Per-command latency of ours, one command at a time (the command is built untimed). */
const latencies = (plan: Plan) => {
  const book = OrderBook.make(config)
  const samples = new Float64Array(plan.length)
  for (let i = 0; i < plan.length; i++) {
    const command = commandAt(plan, i)
    const start = process.hrtime.bigint()
    OrderBook.apply(book, command)
    samples[i] = Number(process.hrtime.bigint() - start)
  }
  samples.sort()
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0
  let timer = 0
  for (let i = 0; i < 100_000; i++) {
    const start = process.hrtime.bigint()
    timer += Number(process.hrtime.bigint() - start)
  }
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), timer: Math.round(timer / 100_000) }
}

const heapBytes = (): number => {
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/**
 * Bytes per resting order: heap plus array buffers, for RESTING_ORDERS orders near mid whose
 * ids are created for them inside the measurement (an id string is part of what an order
 * costs; owners are shared).
 */
const memory = (engine: "ours" | "baseline", orders = RESTING_ORDERS): number => {
  const random = prng(SEED + 1)
  const prices = Int32Array.from({ length: orders }, (_, i) => 1_000 + (i % 2 === 0 ? -1 : 1) * random.int(1, 50))
  const sizes = Int32Array.from({ length: orders }, () => random.int(1, 50))
  const before = heapBytes()
  if (engine === "ours") {
    const book = OrderBook.make(config)
    for (let i = 0; i < orders; i++) {
      const buy = i % 2 === 0
      OrderBook.apply(book, {
        _tag: "PlaceLimit",
        seq: i + 1,
        timestamp: i + 1,
        orderId: `r${i}`,
        owner: (buy ? buyers : sellers)[i % OWNERS] ?? "nobody",
        side: buy ? "BUY" : "SELL",
        price: prices[i] ?? 0,
        quantity: sizes[i] ?? 0,
        timeInForce: "GTC",
        postOnly: false,
        selfTradePrevention: "CANCEL_TAKER"
      })
    }
    const bytes = heapBytes() - before
    const resting = OrderBook.snapshot(book).orders.length
    if (resting !== orders) throw new Error(`${resting} orders rest, not ${orders}`)
    return bytes / orders
  }
  const book = new BaselineBook()
  for (let i = 0; i < orders; i++) {
    book.limit({ id: `r${i}`, side: i % 2 === 0 ? Side.BUY : Side.SELL, size: sizes[i] ?? 0, price: prices[i] ?? 0 })
  }
  const bytes = heapBytes() - before
  if (book.depth()[0].length === 0) throw new Error("the baseline holds no orders")
  return bytes / orders
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] ?? 0 : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(" ")

/** What one process reports, on its last line. */
interface ProcessResult {
  readonly engine: "ours" | "baseline"
  readonly opsPerSec: number
  readonly rounds: ReadonlyArray<number>
  /** The median round's rate against the process's CPU time rather than the wall clock. */
  readonly cpuOpsPerSec: number
  /** Young-generation collections per timed pass (the median round). */
  readonly scavengesPerPass: number
  readonly trades: number
  readonly bytesPerRestingOrder: number
  readonly bytesPerRestingOrderWorst?: number
  readonly engineOpsPerSec?: number
  readonly p50Ns?: number
  readonly p99Ns?: number
  readonly p999Ns?: number
  readonly timerNs?: number
}

const child = async (engine: "ours" | "baseline"): Promise<ProcessResult> => {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { readonly detail?: { readonly kind?: number } }).detail
      if (detail?.kind === GC_MINOR) collections.scavenges++
      else collections.full++
    }
  }).observe({ entryTypes: ["gc"] })
  const plan = makePlan(COMMANDS, SEED)
  const pass = engine === "ours" ? passOurs : passBaseline
  // Warm-up: a prefix, then one whole pass, so the timed rounds see steady code and a
  // settled heap (a server runs for hours, not for one pass).
  pass(plan, WARMUP)
  pass(plan, plan.length)
  const rounds: Array<number> = []
  const cpuRounds: Array<number> = []
  const scavenges: Array<number> = []
  let trades = 0
  for (let round = 0; round < (engine === "ours" ? ROUNDS : BASELINE_ROUNDS); round++) {
    await settle()
    const before = collections.scavenges
    const run = pass(plan, plan.length)
    await settle()
    scavenges.push(collections.scavenges - before)
    trades = run.trades
    rounds.push(plan.length / (run.ns / 1e9))
    cpuRounds.push(plan.length / (run.cpuNs / 1e9))
  }
  const measured = {
    engine,
    opsPerSec: median(rounds),
    rounds,
    cpuOpsPerSec: median(cpuRounds),
    scavengesPerPass: median(scavenges),
    trades
  }
  const bytesPerRestingOrder = memory(engine)
  if (engine === "baseline") return { ...measured, bytesPerRestingOrder }
  // The service's figure is its second pass: the first warms up the code it adds.
  passEngine(plan, plan.length)
  const viaEngine = passEngine(plan, plan.length)
  if (viaEngine.trades !== trades) throw new Error(`MatchingEngine: ${viaEngine.trades} trades, not ${trades}`)
  const latency = latencies(plan)
  return {
    ...measured,
    bytesPerRestingOrder,
    bytesPerRestingOrderWorst: memory("ours", RESTING_ORDERS_WORST),
    engineOpsPerSec: plan.length / (viaEngine.ns / 1e9),
    p50Ns: latency.p50,
    p99Ns: latency.p99,
    p999Ns: latency.p999,
    timerNs: latency.timer
  }
}

const spawn = (engine: "ours" | "baseline"): ProcessResult => {
  const output = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), engine], {
    encoding: "utf8",
    maxBuffer: 1 << 24
  })
  const last = output.trim().split("\n").at(-1) ?? ""
  return JSON.parse(last) as ProcessResult
}

const millions = (x: number): string => (x / 1e6).toFixed(2)

const parent = () => {
  if (gc === undefined) console.log("note: run node with --expose-gc for exact memory figures")
  console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${load()}`)
  console.log(
    `${COMMANDS} commands (seed ${SEED}, standing depth ${DEPTH}), ${PROCESSES} processes per engine, ` +
      `${ROUNDS} rounds per process of ours, ${BASELINE_ROUNDS} of the baseline (about 11 s each)`
  )
  const ours: Array<ProcessResult> = []
  const baseline: Array<ProcessResult> = []
  for (let p = 0; p < PROCESSES; p++) {
    const a = spawn("ours")
    ours.push(a)
    console.log(
      `  ours     #${p + 1}: ${millions(a.opsPerSec)} M/s (rounds ${a.rounds.map(millions).join(", ")}; ` +
        `CPU time ${millions(a.cpuOpsPerSec)} M/s, ${a.scavengesPerPass} scavenges per pass), ` +
        `MatchingEngine ${millions(a.engineOpsPerSec ?? 0)} M/s, p50 ${a.p50Ns} ns, p99 ${a.p99Ns} ns, ` +
        `${a.bytesPerRestingOrder.toFixed(1)} B/order, load ${load()}`
    )
    const b = spawn("baseline")
    baseline.push(b)
    console.log(
      `  baseline #${p + 1}: ${(b.opsPerSec / 1e3).toFixed(1)} k/s (CPU time ${
        (b.cpuOpsPerSec / 1e3).toFixed(1)
      } k/s), ` +
        `${b.bytesPerRestingOrder.toFixed(1)} B/order, ` +
        `load ${load()}`
    )
  }
  const opsPerSec = Math.round(median(ours.map((r) => r.opsPerSec)))
  const minOpsPerSec = Math.round(Math.min(...ours.map((r) => r.opsPerSec)))
  const baselineOpsPerSec = Math.round(median(baseline.map((r) => r.opsPerSec)))
  const ratio = Math.round((opsPerSec / baselineOpsPerSec) * 10) / 10
  const trades = ours[0]?.trades ?? 0
  const baselineTrades = baseline[0]?.trades ?? 0
  const result = {
    opsPerSec,
    minOpsPerSec,
    baselineOpsPerSec,
    ratio,
    minRatio: Math.round((Math.min(...ours.map((r, i) => r.opsPerSec / (baseline[i]?.opsPerSec ?? 1)))) * 10) / 10,
    engineOpsPerSec: Math.round(median(ours.map((r) => r.engineOpsPerSec ?? 0))),
    cpuOpsPerSec: Math.round(median(ours.map((r) => r.cpuOpsPerSec))),
    minCpuOpsPerSec: Math.round(Math.min(...ours.map((r) => r.cpuOpsPerSec))),
    baselineCpuOpsPerSec: Math.round(median(baseline.map((r) => r.cpuOpsPerSec))),
    scavengesPerPass: median(ours.map((r) => r.scavengesPerPass)),
    p50Ns: median(ours.map((r) => r.p50Ns ?? 0)),
    p99Ns: median(ours.map((r) => r.p99Ns ?? 0)),
    bytesPerRestingOrder: Math.round(median(ours.map((r) => r.bytesPerRestingOrder)) * 10) / 10,
    bytesPerRestingOrderWorst: Math.round(median(ours.map((r) => r.bytesPerRestingOrderWorst ?? 0)) * 10) / 10,
    baselineBytesPerRestingOrder: Math.round(median(baseline.map((r) => r.bytesPerRestingOrder))),
    trades,
    baselineTrades,
    processes: PROCESSES,
    load: load()
  }
  console.log(
    `@niha/matching:    median ${millions(opsPerSec)} M commands/s, worst process ${millions(minOpsPerSec)} M ` +
      `(OrderBook.apply, commands built in the loop, events read); MatchingEngine ` +
      `${millions(result.engineOpsPerSec)} M`
  )
  console.log(`nodejs-order-book: median ${(baselineOpsPerSec / 1e3).toFixed(1)} k/s`)
  console.log(
    `against CPU time (what a process does with a CPU to itself): median ${millions(result.cpuOpsPerSec)} M, ` +
      `worst process ${millions(result.minCpuOpsPerSec)} M; nodejs-order-book ` +
      `${(result.baselineCpuOpsPerSec / 1e3).toFixed(1)} k/s; ${result.scavengesPerPass} scavenges per pass of ours`
  )
  console.log(`ratio: ${ratio}x (of the medians; worst pair ${result.minRatio}x)`)
  console.log(`latency per command (median of processes): p50 ${result.p50Ns} ns, p99 ${result.p99Ns} ns`)
  console.log(
    `bytes per resting order (heap + typed arrays, ids included), ${RESTING_ORDERS} orders: ` +
      `${result.bytesPerRestingOrder} ours, ${result.baselineBytesPerRestingOrder} nodejs-order-book; ` +
      `${RESTING_ORDERS_WORST} orders (just past a doubling, the worst case): ${result.bytesPerRestingOrderWorst} ours`
  )
  if (ours.some((r) => r.trades !== baselineTrades) || baseline.some((r) => r.trades !== baselineTrades)) {
    console.log("MISMATCH: the engines disagree on the number of trades")
    process.exitCode = 1
  }
  console.log(JSON.stringify(result))
}

const role = process.argv[2]
if (role === "ours" || role === "baseline") console.log(JSON.stringify(await child(role)))
else parent()
