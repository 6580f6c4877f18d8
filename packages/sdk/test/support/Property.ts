/**
 * fast-check settings shared by the property tests: the number of runs (NIHA_FC_RUNS,
 * 200 unless set) and the seed (NIHA_FC_SEED to replay a failure; fast-check prints the
 * seed and path of every counterexample it finds).
 */
import type * as fc from "fast-check"

const runs = Number(process.env["NIHA_FC_RUNS"] ?? "200")
const seed = process.env["NIHA_FC_SEED"]

export const parameters: fc.Parameters<unknown> = {
  numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : 200,
  ...(seed === undefined ? {} : { seed: Number(seed) })
}
