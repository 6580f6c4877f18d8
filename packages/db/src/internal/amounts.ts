/**
 * Amounts of the ledger in minor units (cents for EUR, tonnes for CEA and EUA) as bigint,
 * and their decimal text in the `numeric(20,2)` columns of the journal and the holdings.
 */
import { Decimal, type Enums } from "@niha/domain"
import * as Effect from "effect/Effect"

/** Digits after the decimal point of an asset's minor unit. */
export const scaleOf = (asset: Enums.AssetType): number => asset === "EUR" ? 2 : 0

/** The decimal text of an amount in minor units ("1234.50" EUR, "100" tonnes). */
export const format = (asset: Enums.AssetType, minor: bigint): string => Decimal.format(minor, scaleOf(asset))

const NUMERIC = /^(-?)(\d+)(?:\.(\d+))?$/

/**
 * The minor units of the decimal text Postgres prints for a `numeric` (an aggregate of the
 * journal or the holdings). Text that is not such a decimal, or has non-zero digits past
 * the asset's scale, breaks an invariant the schema's checks keep, so it is a defect.
 */
export const toMinor = (asset: Enums.AssetType, text: string): Effect.Effect<bigint> => {
  const scale = scaleOf(asset)
  const match = NUMERIC.exec(text)
  if (match === null) return Effect.die(new Error(`not a decimal amount: ${JSON.stringify(text)}`))
  const [, sign = "", whole = "", fraction = ""] = match
  if (/[1-9]/.test(fraction.slice(scale))) {
    return Effect.die(new Error(`${text} has more than ${scale} decimals for ${asset}`))
  }
  const magnitude = BigInt(whole + fraction.slice(0, scale).padEnd(scale, "0"))
  return Effect.succeed(sign === "-" ? -magnitude : magnitude)
}
