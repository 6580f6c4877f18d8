/**
 * Western (Gregorian) Easter, which places two of the six TARGET closing days: Good Friday
 * (two days before Easter Sunday) and Easter Monday (the day after). The computation is the
 * anonymous Gregorian algorithm (Meeus/Jones/Butcher), exact for every Gregorian year.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as CivilDate from "./CivilDate.ts"
import * as Days from "./internal/days.ts"
import * as Internal from "./internal/easter.ts"

const inGregorianYears = (year: number): Result.Result<number, CivilDate.InvalidDate> =>
  Number.isInteger(year) && year >= 1583 && year <= Days.maxYear
    ? Result.succeed(year)
    : Result.fail(new CivilDate.InvalidDate({ input: `Easter of year ${year} (supported: 1583 to 9999)` }))

/**
 * Easter Sunday of a year, from 1583 (the first full Gregorian year) to 9999.
 *
 * @category computations
 * @since 0.1.0
 */
export const easterSunday = (year: number): Result.Result<CivilDate.CivilDate, CivilDate.InvalidDate> =>
  Result.map(inGregorianYears(year), (y) => Days.formatCivil(Internal.easterSunday(y)) as CivilDate.CivilDate)

/**
 * Good Friday of a year: two days before Easter Sunday.
 *
 * @category computations
 * @since 0.1.0
 */
export const goodFriday = (year: number): Result.Result<CivilDate.CivilDate, CivilDate.InvalidDate> =>
  Result.flatMap(easterSunday(year), (sunday) => CivilDate.addDays(sunday, -2))

/**
 * Easter Monday of a year: the day after Easter Sunday.
 *
 * @category computations
 * @since 0.1.0
 */
export const easterMonday = (year: number): Result.Result<CivilDate.CivilDate, CivilDate.InvalidDate> =>
  Result.flatMap(easterSunday(year), (sunday) => CivilDate.addDays(sunday, 1))
