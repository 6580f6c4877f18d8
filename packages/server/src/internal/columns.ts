/**
 * Columns of a multi-row statement as `text[]` parameters, for `unnest(...)` with a cast
 * per column: one statement writes any number of rows, on PostgreSQL and PGlite alike
 * (the ledger's batch writes the same way).
 */
import * as PgTypes from "@effect/sql-pg/PgTypes"
import * as Effect from "effect/Effect"

/** Several columns at once, each as a `text[]` parameter (null stays SQL NULL). */
export const columns = <const Names extends string>(
  values: { readonly [Name in Names]: ReadonlyArray<string | null> }
): Effect.Effect<{ readonly [Name in Names]: PgTypes.Parameter }> =>
  Effect.map(
    Effect.forEach(
      Object.entries<ReadonlyArray<string | null>>(values),
      ([name, list]) =>
        Effect.map(
          Effect.orDie(Effect.fromResult(PgTypes.array(list, PgTypes.OID.text))),
          (parameter) => [name, parameter] as const
        )
    ),
    (entries) => Object.fromEntries(entries) as { readonly [Name in Names]: PgTypes.Parameter }
  )
