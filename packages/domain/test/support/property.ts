/**
 * fast-check settings for the package's property tests. The number of runs defaults to a
 * value that keeps the suite fast on a shared machine; raise it with `NIHA_FC_RUNS`. A
 * failure report from fast-check prints its seed and path; replay it exactly with
 * `NIHA_FC_SEED=<seed> NIHA_FC_PATH=<path>`.
 */
import * as fc from "fast-check"

const runs = Number(process.env["NIHA_FC_RUNS"] ?? "300")
const seed = process.env["NIHA_FC_SEED"]
const path = process.env["NIHA_FC_PATH"]

export const parameters: fc.Parameters<unknown> = {
  numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : 300,
  ...(seed === undefined ? {} : { seed: Number(seed) }),
  ...(path === undefined ? {} : { path })
}

/** Checks a property with the package's settings; the failure message carries the seed. */
export const check = <Ts extends [unknown, ...Array<unknown>]>(property: fc.IProperty<Ts>): void =>
  fc.assert(property, parameters as fc.Parameters<Ts>)
