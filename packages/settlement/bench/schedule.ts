/**
 * How fast the calendars and the schedule answer, for the server's settlement job (which
 * schedules every new batch and scans open ones for overdue milestones).
 *
 * A seeded stream of execution instants from 2004 to 2026 (default 20,000) is scheduled with
 * both default configurations; then as many `Calendar.advance` calls (1 to 10 business days
 * on the China exchange calendar) and `Calendar.isBusinessDay` calls on the joint swap
 * calendar. Printed: operations per second of each (median of rounds, after a warm-up). The
 * last line is one JSON object for scripts.
 *
 * Run: `node --conditions=@niha/source bench/schedule.ts` from packages/settlement
 * (environment: BENCH_OPS, BENCH_SEED, BENCH_ROUNDS).
 */
import { Calendar, CivilDate, SettlementSchedule } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"

const env = (name: string, fallback: number): number => {
  const value = process.env[name]
  return value === undefined || value === "" ? fallback : Number(value)
}

const OPS = env("BENCH_OPS", 20_000)
const SEED = env("BENCH_SEED", 42)
const ROUNDS = env("BENCH_ROUNDS", 5)

// A small deterministic generator (mulberry32), so every run measures the same stream.
const random = (() => {
  let state = SEED >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
})()

const first = Date.UTC(2004, 1, 1)
const last = Date.UTC(2026, 10, 30)
const instants = Array.from({ length: OPS }, () => DateTime.makeUnsafe(first + Math.floor(random() * (last - first))))
const dates = instants.map((instant) => CivilDate.fromInstant(instant, DateTime.zoneMakeNamedUnsafe("Asia/Shanghai")))
const steps = Array.from({ length: OPS }, () => 1 + Math.floor(random() * 10))

const schedulers = (["CEA_PURCHASE", "SWAP_CEA_TO_EUA"] as const).map((type) =>
  Result.getOrThrow(SettlementSchedule.scheduler(type))
)
const swapCalendar = Calendar.joint([Calendar.chinaExchange, Calendar.target])

const measure = (name: string, run: () => number): number => {
  run()
  const rates: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint()
    const done = run()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    rates.push(done / seconds)
  }
  rates.sort((a, b) => a - b)
  const median = rates[Math.floor(rates.length / 2)] ?? 0
  console.log(`${name}: ${Math.round(median).toLocaleString("en")} ops/s`)
  return median
}

let failures = 0
const results = {
  schedule: measure("SettlementSchedule.schedule", () => {
    instants.forEach((instant, index) => {
      const scheduler = schedulers[index % 2]
      if (scheduler !== undefined && Result.isFailure(SettlementSchedule.schedule(scheduler, instant))) failures++
    })
    return instants.length
  }),
  advance: measure("Calendar.advance (China exchange, 1 to 10 days)", () => {
    dates.forEach((date, index) => {
      if (Result.isFailure(Calendar.advance(Calendar.chinaExchange, date, steps[index] ?? 1))) failures++
    })
    return dates.length
  }),
  isBusinessDay: measure("Calendar.isBusinessDay (China exchange + TARGET)", () => {
    for (const date of dates) if (Result.isFailure(Calendar.isBusinessDay(swapCalendar, date))) failures++
    return dates.length
  })
}
if (failures > 0) console.log(`unexpected failures: ${failures}`)
console.log(JSON.stringify({ ops: OPS, seed: SEED, rounds: ROUNDS, ...results, failures }))
