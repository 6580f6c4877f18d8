/**
 * Small helpers for writing dates in tests.
 */
import { CivilDate } from "@niha/settlement"
import * as DateTime from "effect/DateTime"
import * as Result from "effect/Result"

/** A civil date from `YYYY-MM-DD`, decoded through the package's own schema. */
export const d = (text: string): CivilDate.CivilDate => CivilDate.CivilDate.make(text)

/** An instant from an ISO string with an explicit offset or `Z`. */
export const at = (iso: string): DateTime.Utc => DateTime.makeUnsafe(iso)

/** The success of a result, or a test failure showing the error. */
export const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`expected a success, got ${JSON.stringify(result.failure)}`)
  return result.success
}

/** The failure of a result, or a test failure showing the success. */
export const err = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.success)}`)
  return result.failure
}

/** Every date from `from` to `to`, both included. */
export const days = (from: string, to: string): ReadonlyArray<CivilDate.CivilDate> => {
  const out: Array<CivilDate.CivilDate> = []
  for (let day = d(from); day <= d(to); day = ok(CivilDate.addDays(day, 1))) out.push(day)
  return out
}
