/**
 * Shared fast-check settings. Runs default to a count that keeps the suite fast on a shared
 * machine; `NIHA_FC_RUNS` raises it, and `NIHA_FC_SEED` replays a run (fast-check prints the
 * seed and the shrunk counterexample of any failure).
 */
import type * as fc from "fast-check"

const runs = Number(process.env["NIHA_FC_RUNS"] ?? "")
const seed = Number(process.env["NIHA_FC_SEED"] ?? "")

export const propertyOptions = <T>(defaultRuns: number): fc.Parameters<T> => ({
  numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns,
  ...(Number.isSafeInteger(seed) && process.env["NIHA_FC_SEED"] !== undefined ? { seed } : {})
})
