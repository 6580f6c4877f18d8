/**
 * Day numbers: a civil date as the count of days since 1970-01-01, so that calendar loops
 * are integer steps. The conversions are Howard Hinnant's `days_from_civil` and
 * `civil_from_days` for the proleptic Gregorian calendar.
 *
 * @internal
 */

/** The years a civil date may have: four digits, so the ISO text form stays `YYYY-MM-DD`. */
export const minYear = 1
export const maxYear = 9999

/** Year, month (1..12) and day (1..31) of a civil date. */
export interface Civil {
  readonly year: number
  readonly month: number
  readonly day: number
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b)

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31

/** Whether the three integers name a real date within the supported years. */
export const isValidCivil = (year: number, month: number, day: number): boolean =>
  Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
  year >= minYear && year <= maxYear && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)

/** Days since 1970-01-01 of a (valid) civil date. */
export const fromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = floorDiv(y, 400)
  const yearOfEra = y - era * 400
  const dayOfYear = floorDiv(153 * (month + (month > 2 ? -3 : 9)) + 2, 5) + day - 1
  const dayOfEra = yearOfEra * 365 + floorDiv(yearOfEra, 4) - floorDiv(yearOfEra, 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/** The civil date of a day number. */
export const toCivil = (dayNumber: number): Civil => {
  const z = dayNumber + 719468
  const era = floorDiv(z, 146097)
  const dayOfEra = z - era * 146097
  const yearOfEra = floorDiv(
    dayOfEra - floorDiv(dayOfEra, 1460) + floorDiv(dayOfEra, 36524) - floorDiv(dayOfEra, 146096),
    365
  )
  const dayOfYear = dayOfEra - (365 * yearOfEra + floorDiv(yearOfEra, 4) - floorDiv(yearOfEra, 100))
  const mp = floorDiv(5 * dayOfYear + 2, 153)
  const day = dayOfYear - floorDiv(153 * mp + 2, 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

/** The year of a day number, without building the whole civil date. */
export const yearOf = (dayNumber: number): number => toCivil(dayNumber).year

/** ISO weekday: Monday is 1, Sunday is 7 (1970-01-01 was a Thursday). */
export const isoWeekday = (dayNumber: number): number => ((((dayNumber + 3) % 7) + 7) % 7) + 1

/** Saturday or Sunday. */
export const isWeekend = (dayNumber: number): boolean => isoWeekday(dayNumber) >= 6

const pad = (value: number, width: number): string => String(value).padStart(width, "0")

/** `YYYY-MM-DD` of a civil date. */
export const formatCivil = (civil: Civil): string => `${pad(civil.year, 4)}-${pad(civil.month, 2)}-${pad(civil.day, 2)}`

/** `YYYY-MM-DD` of a day number. */
export const format = (dayNumber: number): string => formatCivil(toCivil(dayNumber))

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/

/** The civil date written as `YYYY-MM-DD`, or `undefined` when the text is not one. */
export const parseCivil = (text: string): Civil | undefined => {
  const match = isoPattern.exec(text)
  if (match === null) return undefined
  const year = Number(match[1])
  const month = Number(match[2])
  const day = Number(match[3])
  return isValidCivil(year, month, day) ? { year, month, day } : undefined
}

/** The day number of a `YYYY-MM-DD` text, or `undefined` when the text is not a date. */
export const parse = (text: string): number | undefined => {
  const civil = parseCivil(text)
  return civil === undefined ? undefined : fromCivil(civil.year, civil.month, civil.day)
}

/** The first and last day numbers that format as four-digit years. */
export const minDayNumber = fromCivil(minYear, 1, 1)
export const maxDayNumber = fromCivil(maxYear, 12, 31)

/** The day number of text already known to be a valid `YYYY-MM-DD` date (a `CivilDate`). */
export const ofValidIso = (text: string): number =>
  fromCivil(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))
