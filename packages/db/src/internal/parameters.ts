/**
 * Row values as statement parameters. The driver infers a type for strings, numbers,
 * booleans, bigints and Dates, but none for a JSON object, so the values of `jsonb`
 * columns go as typed `jsonb` parameters.
 */
import * as PgTypes from "@effect/sql-pg/PgTypes"
import { tables } from "./schema.ts"

const jsonColumns: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  tables.map((table) => [
    table.name,
    new Set(table.columns.filter((column) => column.definition.startsWith("jsonb")).map((column) => column.name))
  ])
)

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
