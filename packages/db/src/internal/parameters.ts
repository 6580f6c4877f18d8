/**
 * Row values as statement parameters. The driver infers a type for strings, numbers,
 * booleans, bigints and Dates, but none for a JSON object, so the values of `jsonb`
 * columns go as typed `jsonb` parameters.
 */
import * as PgTypes from "@effect/sql-pg/PgTypes"

/**
 * The `jsonb` columns of the tables the repositories write (migration 1 created them;
 * `test/Repository.test.ts` round-trips a row of every table through them).
 */
const jsonColumns: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ["ticket_logs", new Set(["request_payload", "response_data", "before_state", "after_state"])],
  ["activity_logs", new Set(["details"])]
])

/** The encoded row of `table` with its jsonb values typed. */
export const toParameters = (table: string, encoded: Record<string, unknown>): Record<string, unknown> => {
  const json = jsonColumns.get(table)
  if (json === undefined || json.size === 0) return encoded
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(encoded)) {
    result[key] = json.has(key) && value !== null && value !== undefined ? PgTypes.jsonb(value) : value
  }
  return result
}
