/**
 * The journal: a snapshot plus the commands after it, written as JSON lines and read back,
 * replays to byte-identical events and state; snapshots that are not valid books are
 * refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { Command, type Event, Instrument, Journal, OrderBook, Snapshot } from "@niha/matching"
import { Result } from "effect"
import { generator, prng, testInstrument } from "./support/generate.ts"
import { ReferenceBook } from "./support/reference.ts"

const config = { instrument: testInstrument, anonymitySecret: "journal" }

/**
 * A random stream of commands that pass the command Schema (a journal holds only those: a
 * fractional quantity never gets past the boundary), rejected ones included.
 */
const stream = (seed: number, count: number): Array<Command.Command> => {
  const gen = generator(prng(seed), testInstrument)
  const shadow = new ReferenceBook(testInstrument)
  const commands: Array<Command.Command> = []
  while (commands.length < count) {
    const command = gen.next(shadow)
    if (Result.isFailure(Command.decodeUnknown(command))) continue
    shadow.apply(command)
    commands.push(command)
  }
  return commands
}

const toLines = (entries: ReadonlyArray<Journal.Entry>): string =>
  entries.map((entry) => Result.getOrThrow(Journal.encodeLine(entry))).join("\n")

const fromLines = (text: string): Array<Journal.Entry> =>
  text.split("\n").map((line) => Result.getOrThrow(Journal.decodeLine(line)))

describe("journal replay", () => {
  const cuts = [0, 1, 100, 1_500, 2_999, 3_000]
  const commands = stream(2_024, 3_000)
  const full = OrderBook.make(config)
  const perCommand: Array<Array<Event.Event>> = []
  const snapshots = new Map<number, Snapshot.Snapshot>([[0, OrderBook.snapshot(full)]])
  let largest = 0
  commands.forEach((command, index) => {
    perCommand.push(OrderBook.apply(full, command))
    const state = OrderBook.snapshot(full)
    largest = Math.max(largest, state.orders.length)
    if (cuts.includes(index + 1)) snapshots.set(index + 1, state)
  })
  const finalState = JSON.stringify(OrderBook.snapshot(full))

  for (const cut of cuts) {
    it(`snapshot after ${cut} commands plus the rest equals the full replay`, () => {
      const snapshot = snapshots.get(cut)
      if (snapshot === undefined) throw new Error("no snapshot")
      const text = toLines([
        ...commands.slice(0, cut).map(Journal.commandEntry),
        Journal.snapshotEntry(snapshot),
        ...commands.slice(cut).map(Journal.commandEntry)
      ])
      const replayed = Result.getOrThrow(Journal.replay(config, fromLines(text)))
      expect(JSON.stringify(replayed.events)).toBe(JSON.stringify(perCommand.slice(cut).flat()))
      expect(JSON.stringify(OrderBook.snapshot(replayed.book))).toBe(finalState)
    })
  }

  it("a journal without a snapshot replays from an empty book", () => {
    const replayed = Result.getOrThrow(Journal.replay(config, fromLines(toLines(commands.map(Journal.commandEntry)))))
    expect(JSON.stringify(replayed.events)).toBe(JSON.stringify(perCommand.flat()))
    expect(JSON.stringify(OrderBook.snapshot(replayed.book))).toBe(finalState)
  })

  it("the last of several snapshots is the one restored", () => {
    const stateAt = (index: number): Snapshot.Snapshot => {
      const state = snapshots.get(index)
      if (state === undefined) throw new Error(`no snapshot at ${index}`)
      return state
    }
    const entries = [
      Journal.snapshotEntry(stateAt(100)),
      ...commands.slice(100, 1_500).map(Journal.commandEntry),
      Journal.snapshotEntry(stateAt(1_500)),
      ...commands.slice(1_500).map(Journal.commandEntry)
    ]
    const replayed = Result.getOrThrow(Journal.replay(config, entries))
    expect(replayed.events).toEqual(perCommand.slice(1_500).flat())
    expect(JSON.stringify(OrderBook.snapshot(replayed.book))).toBe(finalState)
  })

  it("snapshots are non-trivial along the stream", () => {
    expect(largest).toBeGreaterThan(20)
  })
})

describe("journal lines", () => {
  const command = {
    _tag: "Cancel",
    seq: 7,
    timestamp: 1_700_000_000_000,
    orderId: "o1",
    owner: "ann"
  } as const

  it("encode as one JSON line with the format version, fields in schema order", () => {
    const line = Result.getOrThrow(Journal.encodeLine(Journal.commandEntry(command)))
    expect(line).toBe(
      `{"_tag":"Command","v":1,"command":{"_tag":"Cancel","seq":7,"timestamp":1700000000000,"orderId":"o1","owner":"ann"}}`
    )
    expect(Result.getOrThrow(Journal.decodeLine(line))).toEqual(Journal.commandEntry(command))
  })

  it("refuse unknown versions, malformed JSON and invalid commands", () => {
    const bad = [
      `{"_tag":"Command","v":2,"command":{"_tag":"Cancel","seq":7,"timestamp":1,"orderId":"o1","owner":"ann"}}`,
      `{"_tag":"Command","v":1,"command":{"_tag":"Cancel","seq":-1,"timestamp":1,"orderId":"o1","owner":"ann"}}`,
      `{"_tag":"Command","v":1,"command":{"_tag":"Explode","seq":1,"timestamp":1}}`,
      `{"_tag":"Command","v":1,"command":{"_tag":"PlaceLimit","seq":1,"timestamp":1}}`,
      `{"_tag":"Command","v":1`,
      `{"_tag":"Snapshot","v":1,"snapshot":{"version":1}}`
    ]
    for (const line of bad) {
      const decoded = Journal.decodeLine(line)
      expect(Result.isFailure(decoded), line).toBe(true)
      if (Result.isFailure(decoded)) expect(decoded.failure._tag).toBe("InvalidJournal")
    }
  })

  it("a snapshot round-trips through its JSON form", () => {
    const book = OrderBook.make(config)
    OrderBook.applyAll(book, stream(5, 300))
    const snapshot = OrderBook.snapshot(book)
    const json = Result.getOrThrow(Snapshot.toJson(snapshot))
    expect(Result.getOrThrow(Snapshot.fromJson(json))).toEqual(snapshot)
  })
})

describe("restore refuses snapshots that are not valid books", () => {
  const order = (fields: Partial<Snapshot.RestingOrder>): Snapshot.RestingOrder => ({
    orderId: "o1",
    owner: "ann",
    side: "BUY",
    price: 1_000,
    quantity: 10,
    priority: 1,
    postOnly: false,
    selfTradePrevention: "CANCEL_TAKER",
    ...fields
  })
  const snapshot = (orders: ReadonlyArray<Snapshot.RestingOrder>, patch: Partial<Snapshot.Snapshot> = {}) => ({
    version: 1 as const,
    instrument: testInstrument,
    lastSeq: 10,
    halted: false,
    orders,
    ...patch
  })
  const refused = (state: Snapshot.Snapshot, fragment: string) => {
    const restored = OrderBook.restore(config, state)
    expect(Result.isFailure(restored)).toBe(true)
    if (Result.isFailure(restored)) expect(restored.failure.message).toContain(fragment)
  }

  it("accepts a valid one, keeping priorities, partly filled orders and the halt", () => {
    const state = snapshot(
      [order({ quantity: 2 }), order({ orderId: "o2", side: "SELL", price: 1_100, priority: 4 })],
      {
        halted: true
      }
    )
    const book = Result.getOrThrow(OrderBook.restore(config, state))
    expect(OrderBook.snapshot(book)).toEqual(state)
    expect(book.halted).toBe(true)
    expect(book.lastSeq).toBe(10)
  })

  it("refuses each kind of damage", () => {
    refused(snapshot([order({}), order({ orderId: "o2", priority: 1 })]), "priorities must increase")
    refused(snapshot([order({}), order({ priority: 2 })]), "duplicate id")
    refused(snapshot([order({ priority: 11 })]), "after the snapshot's last sequence")
    refused(snapshot([order({ price: 1_001 })]), "price 1001 is invalid")
    refused(snapshot([order({ quantity: 3 })]), "off the lot grid")
    refused(snapshot([order({ quantity: 0 })]), "off the lot grid")
    refused(snapshot([order({}), order({ orderId: "o2", side: "SELL", price: 995, priority: 2 })]), "crossed")
    refused(snapshot([], { instrument: Instrument.ceaCash }), "instrument differs")
    refused(snapshot([], { lastSeq: 1.5 }), "invalid lastSeq")
  })
})
