/**
 * The order-id table (internal): a seeded simulation of inserts, deletes and lookups against
 * a `Map` model, with the real hash and with deliberately poor ones, so that long probe runs,
 * runs that wrap around the end of the table and backward-shift deletion inside them are all
 * exercised. On failure the seed is in the test name.
 */
import { assert, describe, it } from "@effect/vitest"
import { hashId, IdTable } from "../src/internal/idTable.ts"

const NIL = -1

/** mulberry32: small and seedable, so a failure replays exactly. */
const prng = (seed: number) => {
  let state = seed >>> 0
  return (bound: number): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * bound)
  }
}

/** Ids kept by slot as strings, and the one being looked up: the table's `Keys`, simply. */
class StringKeys {
  readonly slotId: Array<string> = []
  current = ""
  readonly seed: number
  constructor(seed: number) {
    this.seed = seed
  }
  matches(slot: number): boolean {
    return this.slotId[slot] === this.current
  }
  /** Sets the id being looked up and returns its hash. */
  look(id: string, hashOf: (seed: number, id: string) => number): number {
    this.current = id
    return hashOf(this.seed, id)
  }
}

const hashes: ReadonlyArray<readonly [string, (seed: number, id: string) => number]> = [
  ["the seeded hash", hashId],
  // Eight distinct hashes: runs of thousands of entries.
  ["eight hash values", (seed, id) => hashId(seed, id) & 7],
  // Homes in the last few entries of a 2,048-entry table: runs wrap around to the start.
  ["hashes at the table's end", (seed, id) => 2040 + (hashId(seed, id) & 7)]
]

describe("IdTable", () => {
  for (const [name, hashOf] of hashes) {
    for (const seed of [1, 2, 3]) {
      it(`agrees with a Map (${name}, seed ${seed})`, () => {
        const random = prng(seed)
        const keys = new StringKeys(seed)
        const slotId = keys.slotId
        const table = new IdTable(keys)
        const model = new Map<string, number>()
        const live: Array<string> = []
        const freeSlots: Array<number> = []
        let next = 0
        // Up to 1,000 live ids with the poor hashes (below the first growth, so the homes stay
        // where they were put), 5,000 with the real one (past two growths).
        const target = name === "the seeded hash" ? 5_000 : 1_000
        for (let step = 0; step < 20_000; step++) {
          const roll = random(100)
          if (roll < 45 || live.length === 0) {
            if (live.length >= target) continue
            const id = `id-${next++}`
            const slot = freeSlots.pop() ?? slotId.length
            slotId[slot] = id
            // As a book does: often a lookup first (a duplicate check), and sometimes another
            // change to the table between that lookup and the insert.
            const pattern = random(4)
            if (pattern > 0) assert.strictEqual(table.find(keys.look(id, hashOf)), NIL)
            if (pattern === 3 && live.length > 0) {
              const other = live.pop() ?? ""
              const otherSlot = model.get(other) ?? NIL
              table.delete(keys.look(other, hashOf), otherSlot)
              model.delete(other)
              slotId[otherSlot] = ""
              freeSlots.push(otherSlot)
            }
            table.insert(keys.look(id, hashOf), slot)
            model.set(id, slot)
            live.push(id)
          } else if (roll < 85) {
            const at = random(live.length)
            const id = live[at] ?? ""
            const slot = model.get(id) ?? NIL
            // As a cancel does: often the lookup first, then the removal.
            if (random(2) === 0) assert.strictEqual(table.find(keys.look(id, hashOf)), slot)
            table.delete(keys.look(id, hashOf), slot)
            model.delete(id)
            slotId[slot] = ""
            freeSlots.push(slot)
            live[at] = live[live.length - 1] ?? ""
            live.pop()
          } else {
            // A live id, a deleted one or one never seen.
            const id = `id-${random(next + 10)}`
            assert.strictEqual(table.find(keys.look(id, hashOf)), model.get(id) ?? NIL, `step ${step}: ${id}`)
          }
          assert.strictEqual(table.size, model.size)
        }
        for (const [id, slot] of model) assert.strictEqual(table.find(keys.look(id, hashOf)), slot, id)
      })
    }
  }

  it("finds an id equal to the stored one but not the same string", () => {
    const keys = new StringKeys(7)
    keys.slotId.push("order-1")
    const table = new IdTable(keys)
    table.insert(keys.look("order-1", hashId), 0)
    const copy = ["order", "1"].join("-")
    assert.strictEqual(table.find(keys.look(copy, hashId)), 0)
    assert.strictEqual(table.find(keys.look("order-2", hashId)), NIL)
  })

  it("hashes deterministically, under its seed, every code unit", () => {
    assert.strictEqual(hashId(42, "o123456"), hashId(42, "o123456"))
    assert.notStrictEqual(hashId(42, "o123456"), hashId(43, "o123456"))
    // Odd and even lengths, a difference in the last unit, non-ASCII units.
    assert.notStrictEqual(hashId(0, "abc"), hashId(0, "abd"))
    assert.notStrictEqual(hashId(0, "abcd"), hashId(0, "abce"))
    assert.notStrictEqual(hashId(0, "ab"), hashId(0, "ab\u0000"))
    assert.notStrictEqual(hashId(0, "\u00e9t\u00e9"), hashId(0, "\u00e9t\u00e8"))
    assert.strictEqual(hashId(0, "x") | 0, hashId(0, "x"))
  })
})
