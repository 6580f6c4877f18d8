/**
 * How fast the domain's hot paths are: decoding an amount from its decimal text (every
 * request body and every row read), formatting it back, computing a CEA_CASH fee, and
 * decoding a whole `orders` row through its union model (what a repository does per row).
 *
 * Printed: operations per second of each (median of rounds, after a warm-up). The last line
 * is one JSON object for scripts.
 *
 * Run: `node --conditions=@niha/source bench/codecs.ts` from packages/domain
 * (environment: BENCH_OPS, BENCH_ROUNDS).
 */
import { FeeSchedule, Money, Price, Quantity, Rate, Tables } from "@niha/domain"
import * as Schema from "effect/Schema"

const env = (name: string, fallback: number): number => {
  const value = process.env[name]
  return value === undefined || value === "" ? fallback : Number(value)
}

const OPS = env("BENCH_OPS", 50_000)
const ROUNDS = env("BENCH_ROUNDS", 5)

// Inputs built once, deterministically, so every run measures the same work.
const texts = Array.from({ length: OPS }, (_, i) => Money.format(Money.Cents.make((i * 7919) % 100_000_000)))
const amounts = Array.from({ length: OPS }, (_, i) => Money.Cents.make((i * 104_729) % 100_000_000))
const rows = Array.from({ length: Math.max(1, Math.floor(OPS / 10)) }, (_, i) => ({
  id: `00000000-0000-4000-8000-${i.toString().padStart(12, "0")}`,
  entity_id: "00000000-0000-4000-8000-000000000001",
  market_maker_id: null,
  seller_id: null,
  side: i % 2 === 0 ? "BUY" : "SELL",
  status: "OPEN",
  quantity: BigInt(1 + (i % 5000)),
  filled_quantity: 0n,
  client_reference: null,
  cancelled_at: null,
  created_at: new Date(1_770_000_000_000 + i),
  updated_at: new Date(1_770_000_000_000 + i),
  market: i % 3 === 0 ? "SWAP" : "CEA_CASH",
  price: i % 3 === 0 ? "8.1234" : "12.34"
}))

const decodeCents = Schema.decodeUnknownSync(Money.CentsFromString)
const encodeCents = Schema.encodeSync(Money.CentsFromString)
const decodeOrder = Schema.decodeUnknownSync(Tables.tables.orders)
const rate = Rate.Ppm.make(2500)
const price = Price.CashPrice.make(1234)

const measure = (name: string, count: number, run: () => number): { name: string; opsPerSecond: number } => {
  run() // warm-up
  const rates: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    const sink = run()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    if (!Number.isFinite(sink)) throw new Error("unreachable: keeps the work observable")
    rates.push(count / seconds)
  }
  rates.sort((a, b) => a - b)
  const opsPerSecond = Math.round(rates[Math.floor(rates.length / 2)] ?? 0)
  console.log(`${name.padEnd(34)} ${opsPerSecond.toLocaleString("en-US").padStart(14)} ops/s`)
  return { name, opsPerSecond }
}

const results = [
  measure("Money.CentsFromString decode", texts.length, () => {
    let total = 0
    for (const text of texts) total += decodeCents(text)
    return total
  }),
  measure("Money.CentsFromString encode", amounts.length, () => {
    let total = 0
    for (const amount of amounts) total += encodeCents(amount).length
    return total
  }),
  measure("FeeSchedule.cashFee", amounts.length, () => {
    let total = 0
    for (const amount of amounts) {
      const fee = FeeSchedule.cashFee(Quantity.Tonnes.make(amount % 100_000), price, rate)
      if (fee._tag === "Success") total += fee.success
    }
    return total
  }),
  measure("Trading.Order row decode", rows.length, () => {
    let total = 0
    for (const row of rows) total += decodeOrder(row).quantity
    return total
  })
]

console.log(JSON.stringify({ ops: OPS, rounds: ROUNDS, results }))
