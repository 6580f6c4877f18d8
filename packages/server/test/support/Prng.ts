/**
 * A small seeded pseudo-random generator (mulberry32) for the suites that must replay a
 * run from its seed: the same seed gives the same numbers on every machine.
 */

/** A seeded stream of numbers. */
export interface Prng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max], both included. */
  readonly int: (min: number, max: number) => number
  /** One of the items. */
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  /** True with probability `p`. */
  readonly chance: (p: number) => boolean
}

/** A generator seeded with `seed` (any integer; only its low 32 bits count). */
export const make = (seed: number): Prng => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => {
    const item = items[int(0, items.length - 1)]
    if (item === undefined) throw new Error("pick from no items")
    return item
  }
  return { next, int, pick, chance: (p) => next() < p }
}

/**
 * The seed of a run: the environment variable `name` when set, a fixed seed in CI (so a
 * landing never depends on the clock), else one from the clock.
 */
export const seedFrom = (name: string, ciSeed: number): number => {
  const given = process.env[name]
  if (given !== undefined && given.trim() !== "") return Number(given)
  return process.env["CI"] ? ciSeed : Date.now() % 2_147_483_647
}
