/**
 * The engine against a naive reference matcher (test/support/reference.ts) on long seeded
 * random streams: every command must give the same events, and the final books must be
 * equal. The seed of each stream is in the test name, so a failure replays exactly; set
 * DIFF_SEEDS / DIFF_COMMANDS for longer runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { type Command, type Event, Instrument, OrderBook } from "@niha/matching"
import { canonical, generator, prng, testInstrument } from "./support/generate.ts"
import { ReferenceBook } from "./support/reference.ts"

const seedCount = Number(process.env.DIFF_SEEDS ?? 5)
const commandsPerSeed = Number(process.env.DIFF_COMMANDS ?? 10_000)
const seeds = Array.from({ length: seedCount }, (_, i) => 1_000 + i * 7_919)

const run = (seed: number, instrument: Instrument.Instrument) => {
  const random = prng(seed)
  const gen = generator(random, instrument)
  const book = OrderBook.make({ instrument, anonymitySecret: "diff" })
  const reference = new ReferenceBook(instrument)
  const counts: Record<string, number> = {}
  for (let i = 0; i < commandsPerSeed; i++) {
    const command: Command.Command = gen.next(reference)
    const actual: Array<Event.Event> = OrderBook.apply(book, command)
    const expected: Array<Event.Event> = reference.apply(command)
    if (canonical(actual) !== canonical(expected)) {
      // Shows the diff, with the seed and position to replay it.
      expect({ seed, index: i, command, events: actual }).toEqual({ seed, index: i, command, events: expected })
    }
    for (const event of actual) {
      const key = event._tag === "CommandRejected" ? `rejected ${event.reason}` : event._tag
      counts[key] = (counts[key] ?? 0) + 1
    }
  }
  const state = OrderBook.snapshot(book)
  expect(state.orders).toEqual(reference.resting())
  expect(state.lastSeq).toBe(reference.lastSeq)
  expect(state.halted).toBe(reference.halted)
  return counts
}

describe("differential: engine vs naive reference", () => {
  for (const seed of seeds) {
    it(`coarse-grid instrument, seed ${seed}`, () => {
      const counts = run(seed, testInstrument)
      // The stream must actually exercise the interesting paths.
      for (
        const tag of [
          "Trade",
          "OrderRested",
          "OrderExpired",
          "OrderAmended",
          "SelfTradeDecremented",
          "OwnerOrdersCancelled",
          "rejected OFF_TICK",
          "rejected LOT_SIZE",
          "rejected FOK_NOT_FILLABLE",
          "rejected POST_ONLY_WOULD_CROSS",
          "rejected UNKNOWN_ORDER",
          "rejected MARKET_HALTED"
        ]
      ) {
        expect(counts[tag] ?? 0, tag).toBeGreaterThan(0)
      }
    })
  }
  it("default CEA_CASH instrument, seed 42", () => {
    const counts = run(42, Instrument.ceaCash)
    expect(counts["Trade"] ?? 0).toBeGreaterThan(100)
  })
})
