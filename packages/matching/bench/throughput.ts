/**
 * The standard matching workload (issue 5), run through this engine and through
 * nodejs-order-book in the same process.
 *
 * A seeded stream of commands (default one million): about 50% limit orders placed 1 to 50
 * ticks from a slowly drifting mid price (a one-tick step with probability 1/1000 per
 * command; the drift makes some of them cross), 45% cancels of live orders, 5% market
 * orders, sizes 1 to 50 t. The first BENCH_DEPTH commands (default 20,000) only place orders,
 * so the book holds a standing depth: with this mix the depth is otherwise a random walk that
 * stays near empty, which no real book is. The stream is generated once, before any timing,
 * by running it through this engine untimed (that is how the generator knows which orders
 * are live to cancel); both engines then replay exactly the same stream. Buy and sell orders
 * come from disjoint sets of owners, so self-trade prevention never fires and both engines
 * must report the same number of trades.
 *
 * Printed: ops/s of each engine (median of rounds, after warm-up; ours includes building
 * and reading every event, read per batch of 256 commands as the server's writer does),
 * their ratio, the p50 and p99 latency of one command (timed one
 * by one with `process.hrtime.bigint()`, timer cost included), and heap bytes per resting
 * order (heap plus array buffers, after a forced GC, for a book of resting orders whose ids
 * already exist). The last line is one JSON object for scripts.
 *
 * Run: `pnpm --filter @niha/matching bench` (environment: BENCH_COMMANDS, BENCH_SEED,
 * BENCH_DEPTH, BENCH_ROUNDS, BENCH_BASELINE_ROUNDS).
 */
import { type Command, type Event, Instrument, OrderBook } from "@niha/matching"
import * as os from "node:os"
import { OrderBook as BaselineBook, Side } from "nodejs-order-book"

const env = (name: string, fallback: number): number => {
  const value = process.env[name]
  return value === undefined || value === "" ? fallback : Number(value)
}

const COMMANDS = env("BENCH_COMMANDS", 1_000_000)
const SEED = env("BENCH_SEED", 20_240_605)
const ROUNDS = env("BENCH_ROUNDS", 5)
const BASELINE_ROUNDS = env("BENCH_BASELINE_ROUNDS", 1)
const DEPTH = env("BENCH_DEPTH", 20_000)
const RESTING_ORDERS = 200_000

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc

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
const buyers = Array.from({ length: 50 }, (_, i) => `buyer-${i}`)
const sellers = Array.from({ length: 50 }, (_, i) => `seller-${i}`)

interface Stream {
  readonly commands: Array<Command.Command>
  readonly limits: number
  readonly cancels: number
  readonly markets: number
}

/** Generates the workload, using an untimed book to know which orders are live. */
const generate = (count: number, seed: number): Stream => {
  const random = prng(seed)
  const oracle = OrderBook.make(config)
  const live: Array<string> = []
  const liveAt = new Map<string, number>()
  const owners = new Map<string, string>()
  const drop = (orderId: string): void => {
    const at = liveAt.get(orderId)
    if (at === undefined) return
    const last = live.pop()
    if (last !== undefined && last !== orderId) {
      live[at] = last
      liveAt.set(last, at)
    }
    liveAt.delete(orderId)
  }
  const commands: Array<Command.Command> = []
  const events: Array<Event.Event> = []
  let mid = 1_000
  let limits = 0
  let cancels = 0
  let markets = 0
  for (let seq = 1; seq <= count; seq++) {
    if (random.next() < 0.001) mid = Math.min(99_000, Math.max(200, mid + (random.next() < 0.5 ? -1 : 1)))
    // The first DEPTH commands only place orders: the book starts with a standing depth.
    const roll = seq <= DEPTH ? 0.5 : random.next()
    const buy = random.next() < 0.5
    const owner = buy ? buyers[random.int(0, 49)] ?? "buyer-0" : sellers[random.int(0, 49)] ?? "seller-0"
    let command: Command.Command
    if (roll < 0.45 && live.length > 0) {
      const orderId = live[random.int(0, live.length - 1)] ?? ""
      command = { _tag: "Cancel", seq, timestamp: seq, orderId, owner: owners.get(orderId) ?? "" }
      cancels++
    } else if (roll >= 0.95) {
      command = {
        _tag: "PlaceMarket",
        seq,
        timestamp: seq,
        orderId: `m${seq}`,
        owner,
        side: buy ? "BUY" : "SELL",
        quantity: random.int(1, 50),
        budget: null,
        limitPrice: null,
        timeInForce: "IOC",
        selfTradePrevention: "CANCEL_TAKER"
      }
      markets++
    } else {
      // Within fifty ticks of mid on the passive side; the drift of mid makes some cross.
      const offset = random.int(1, 50)
      const orderId = `o${seq}`
      owners.set(orderId, owner)
      command = {
        _tag: "PlaceLimit",
        seq,
        timestamp: seq,
        orderId,
        owner,
        side: buy ? "BUY" : "SELL",
        price: buy ? mid - offset : mid + offset,
        quantity: random.int(1, 50),
        timeInForce: "GTC",
        postOnly: false,
        selfTradePrevention: "CANCEL_TAKER"
      }
      limits++
    }
    commands.push(command)
    events.length = 0
    OrderBook.applyInto(oracle, command, events)
    for (const event of events) {
      if (event._tag === "OrderRested") {
        liveAt.set(event.orderId, live.length)
        live.push(event.orderId)
      } else if (event._tag === "Trade" && event.makerRemaining === 0) {
        drop(event.aggressor === "BUY" ? event.sellOrderId : event.buyOrderId)
      } else if (event._tag === "OrderCancelled") {
        drop(event.orderId)
      } else if (event._tag === "CommandRejected") {
        throw new Error(`generator produced a rejected command: ${JSON.stringify(event)}`)
      }
    }
  }
  return { commands, limits, cancels, markets }
}

/**
 * Runs the stream through a fresh book of ours; returns elapsed ns and trades. Commands are
 * applied in batches of BATCH, as the server's writer takes them (group commit), and the
 * events of each batch are read (trades counted) before the next.
 */
const BATCH = 256
const runOurs = (commands: ReadonlyArray<Command.Command>, count: number) => {
  const book = OrderBook.make(config)
  const events: Array<Event.Event> = []
  const end = Math.min(count, commands.length)
  let trades = 0
  const start = process.hrtime.bigint()
  for (let first = 0; first < end; first += BATCH) {
    const last = Math.min(end, first + BATCH)
    for (let i = first; i < last; i++) {
      const command = commands[i]
      if (command !== undefined) OrderBook.applyInto(book, command, events)
    }
    for (let e = 0; e < events.length; e++) if (events[e]?._tag === "Trade") trades++
    events.length = 0
  }
  return { ns: Number(process.hrtime.bigint() - start), trades }
}

/** The same stream through nodejs-order-book, counting its fills from `done` and `partial`. */
const runBaseline = (commands: ReadonlyArray<Command.Command>, count: number) => {
  const book = new BaselineBook()
  let trades = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) {
    const command = commands[i]
    if (command === undefined) break
    if (command._tag === "PlaceLimit") {
      const result = book.limit({
        id: command.orderId,
        side: command.side === "BUY" ? Side.BUY : Side.SELL,
        size: command.quantity,
        price: command.price
      })
      // `done` holds the fully filled makers and, when it filled entirely, the taker itself;
      // `partial` is a partly filled maker, or the taker when it rests after trading.
      for (const order of result.done) if (order.id !== command.orderId) trades++
      if (result.partial !== null && result.partial.id !== command.orderId) trades++
    } else if (command._tag === "PlaceMarket") {
      const result = book.market({ side: command.side === "BUY" ? Side.BUY : Side.SELL, size: command.quantity ?? 0 })
      trades += result.done.length + (result.partial === null ? 0 : 1)
    } else if (command._tag === "Cancel") {
      book.cancel(command.orderId)
    }
  }
  return { ns: Number(process.hrtime.bigint() - start), trades }
}

/** Per-command latency of ours, one command at a time. */
const latencies = (commands: ReadonlyArray<Command.Command>) => {
  const book = OrderBook.make(config)
  const events: Array<Event.Event> = []
  const samples = new Float64Array(commands.length)
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]
    if (command === undefined) break
    const start = process.hrtime.bigint()
    OrderBook.applyInto(book, command, events)
    samples[i] = Number(process.hrtime.bigint() - start)
    events.length = 0
  }
  samples.sort()
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0
  let timer = 0
  for (let i = 0; i < 100_000; i++) {
    const start = process.hrtime.bigint()
    timer += Number(process.hrtime.bigint() - start)
  }
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), timer: timer / 100_000 }
}

const heapBytes = (): number => {
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/** Heap bytes per resting order of each engine, for a book of resting orders near mid. */
const memory = () => {
  const random = prng(SEED + 1)
  const orders = Array.from({ length: RESTING_ORDERS }, (_, i) => {
    const buy = i % 2 === 0
    return {
      id: `r${i}`,
      owner: buy ? buyers[i % 50] ?? "b" : sellers[i % 50] ?? "s",
      buy,
      price: buy ? 1_000 - random.int(1, 50) : 1_000 + random.int(1, 50),
      size: random.int(1, 50)
    }
  })
  const before = heapBytes()
  const ours = OrderBook.make(config)
  let seq = 0
  for (const order of orders) {
    OrderBook.apply(ours, {
      _tag: "PlaceLimit",
      seq: ++seq,
      timestamp: seq,
      orderId: order.id,
      owner: order.owner,
      side: order.buy ? "BUY" : "SELL",
      price: order.price,
      quantity: order.size,
      timeInForce: "GTC",
      postOnly: false,
      selfTradePrevention: "CANCEL_TAKER"
    })
  }
  const afterOurs = heapBytes()
  const baseline = new BaselineBook()
  for (const order of orders) {
    baseline.limit({ id: order.id, side: order.buy ? Side.BUY : Side.SELL, size: order.size, price: order.price })
  }
  const afterBaseline = heapBytes()
  // Keep both books alive until both are measured.
  const resting = (OrderBook.bestBid(ours)?.orders ?? 0) + baseline.depth()[0].length
  return {
    ours: (afterOurs - before) / RESTING_ORDERS,
    baseline: (afterBaseline - afterOurs) / RESTING_ORDERS,
    resting
  }
}

const median = (values: Array<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const main = () => {
  if (gc === undefined) console.log("note: run node with --expose-gc for exact memory figures")
  // The machine may be shared: its load says how far to trust the figures.
  console.log(
    `node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`
  )
  console.log(`generating ${COMMANDS} commands (seed ${SEED}) ...`)
  const stream = generate(COMMANDS, SEED)
  const { commands } = stream
  console.log(`stream: ${stream.limits} limit, ${stream.cancels} cancel, ${stream.markets} market`)

  const warmup = Math.min(commands.length, 200_000)
  for (let i = 0; i < 3; i++) runOurs(commands, warmup)
  const oursRates: Array<number> = []
  let trades = 0
  for (let round = 0; round < ROUNDS; round++) {
    const run = runOurs(commands, commands.length)
    trades = run.trades
    oursRates.push(commands.length / (run.ns / 1e9))
    console.log(`  @niha/matching round ${round + 1}: ${Math.round(oursRates[round] ?? 0)} ops/s`)
  }

  runBaseline(commands, Math.min(commands.length, 50_000))
  const baselineRates: Array<number> = []
  let baselineTrades = 0
  for (let round = 0; round < BASELINE_ROUNDS; round++) {
    const run = runBaseline(commands, commands.length)
    baselineTrades = run.trades
    baselineRates.push(commands.length / (run.ns / 1e9))
    console.log(`  nodejs-order-book round ${round + 1}: ${Math.round(baselineRates[round] ?? 0)} ops/s`)
  }

  const latency = latencies(commands)
  const bytes = memory()
  const opsPerSec = Math.round(median(oursRates))
  const baselineOpsPerSec = Math.round(median(baselineRates))
  const ratio = Math.round((opsPerSec / baselineOpsPerSec) * 10) / 10

  console.log(`@niha/matching:    ${opsPerSec} ops/s (median of ${ROUNDS}), ${trades} trades`)
  console.log(`nodejs-order-book: ${baselineOpsPerSec} ops/s (median of ${BASELINE_ROUNDS}), ${baselineTrades} trades`)
  console.log(`ratio: ${ratio}x`)
  console.log(
    `latency per command: p50 ${latency.p50} ns, p99 ${latency.p99} ns, p99.9 ${latency.p999} ns ` +
      `(timer cost included, about ${Math.round(latency.timer)} ns)`
  )
  console.log(
    `heap bytes per resting order (${RESTING_ORDERS} orders): ${Math.round(bytes.ours)} ours, ` +
      `${Math.round(bytes.baseline)} nodejs-order-book`
  )
  if (trades !== baselineTrades) {
    console.log(`MISMATCH: the engines disagree on the number of trades`)
    process.exitCode = 1
  }
  console.log(JSON.stringify({
    opsPerSec,
    baselineOpsPerSec,
    ratio,
    p50Ns: latency.p50,
    p99Ns: latency.p99,
    bytesPerRestingOrder: Math.round(bytes.ours),
    trades,
    baselineTrades
  }))
}

main()
