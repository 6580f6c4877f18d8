/**
 * Columns as array parameters, for the ledger's set-based SQL: a statement takes one
 * `text[]` per column and `unnest`s them into rows (cast to the column's type in the SQL),
 * so one statement of fixed text (prepared once) writes or locks any number of rows, where
 * a multi-row `VALUES` would need a parameter per cell (at most 65,535) and a new statement
 * text per row count. Bound explicitly as `text[]`: the driver cannot infer the type of an
 * array whose values are all null (a batch without notes, say).
 */
import * as PgTypes from "@effect/sql-pg/PgTypes"
import * as Effect from "effect/Effect"

/** One column's values as a `text[]` parameter (null stays SQL NULL). */
export const column = (values: ReadonlyArray<string | null>): Effect.Effect<PgTypes.Parameter> =>
  Effect.orDie(Effect.fromResult(PgTypes.array(values, PgTypes.OID.text)))

/** Several columns at once, in the order given. */
export const columns = <const Names extends string>(
  values: { readonly [Name in Names]: ReadonlyArray<string | null> }
): Effect.Effect<{ readonly [Name in Names]: PgTypes.Parameter }> =>
  Effect.map(
    Effect.forEach(Object.entries<ReadonlyArray<string | null>>(values), ([name, list]) =>
      Effect.map(column(list), (parameter) => [name, parameter] as const)),
    (entries) =>
      Object.fromEntries(entries) as { readonly [Name in Names]: PgTypes.Parameter }
  )
