/**
 * The values that query strings share across groups: instants that bound a time range.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"

/** The instants a query may name: years 1 to 9999, the four-digit years of ISO 8601 and a range PostgreSQL stores. */
const earliestInstant = Date.parse("0001-01-01T00:00:00.000Z")
const latestInstant = Date.parse("9999-12-31T23:59:59.999Z")

/**
 * An instant as it travels in a query string: ISO 8601 text, in the years 1 to 9999 (an
 * instant outside them is a 400, not a query the database cannot run).
 *
 * @category inputs
 * @since 0.1.0
 */
export const Instant = Schema.DateTimeUtcFromString.check(
  Schema.makeFilter((instant: DateTime.Utc) => {
    const millis = DateTime.toEpochMillis(instant)
    return millis >= earliestInstant && millis <= latestInstant ? undefined : "must be in the years 1 to 9999"
  })
).annotate({
  identifier: "Instant",
  description: "An ISO 8601 instant in the years 1 to 9999, e.g. 2026-03-01T12:00:00Z."
})
