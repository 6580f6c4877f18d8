/**
 * Reading rows into the domain's models, for the services: one row by id (optionally
 * locked for the transaction), and cursor pages in `(created_at, id)` order. Rows are
 * decoded by the model through `SqlSchema`; a stored row the model refuses is a defect
 * of the database or the code (`Repository.CorruptRow`), never the caller's fault, so it
 * ends the request as a 500 with its cause logged.
 *
 * @internal
 */
import { Repository } from "@niha/db"
import { Errors, type Tables } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as SqlSchema from "effect/sql/SqlSchema"
import type { Fragment } from "effect/sql/Statement"
import type { Page, PageQuery } from "../Paging.ts"

/** A model the rows of a table decode with. */
export type RowModel = Schema.Codec<unknown, unknown, never, never>

const corrupt = (table: string) => (error: Schema.SchemaError) =>
  Effect.die(new Repository.CorruptRow({ table, message: error.message }))

/**
 * The row of `table` with this id, decoded by `model`, or the domain's `NotFound`. With
 * `lock`, the row is taken for the rest of the transaction (`FOR UPDATE`).
 */
export const byId = <M extends RowModel>(table: Tables.TableName, model: M, options: { readonly lock: boolean }) => {
  const find = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: model,
    execute: (id) =>
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`SELECT * FROM ${sql(table)} WHERE id = ${id} ${options.lock ? sql`FOR UPDATE` : sql``}`
      )
  })
  return (id: string): Effect.Effect<M["Type"], Errors.NotFound | SqlError, SqlClient.SqlClient> =>
    find(id).pipe(
      Effect.catchTag("SchemaError", corrupt(table)),
      Effect.flatMap((row) =>
        row._tag === "Some" ? Effect.succeed(row.value) : Effect.fail(new Errors.NotFound({ resource: table, id }))
      )
    )
}

/** Every row a query returns, decoded by `model`. */
export const all = <M extends RowModel>(table: string, model: M) => {
  const decode = Schema.decodeUnknownEffect(Schema.Array(model))
  return (query: Effect.Effect<ReadonlyArray<unknown>, SqlError>): Effect.Effect<ReadonlyArray<M["Type"]>, SqlError> =>
    Effect.flatMap(query, (rows) => decode(rows).pipe(Effect.catchTag("SchemaError", corrupt(table))))
}

/**
 * The one row a statement returns (an `INSERT`/`UPDATE ... RETURNING *` of a row that
 * exists), decoded by `model`; no row is a broken invariant.
 */
export const one = <M extends RowModel>(table: string, model: M) => {
  const decode = all(table, model)
  return (query: Effect.Effect<ReadonlyArray<unknown>, SqlError>): Effect.Effect<M["Type"], SqlError> =>
    Effect.flatMap(decode(query), (rows) => {
      const [row] = rows
      return row === undefined ?
        Effect.die(new Error(`invariant broken: a statement on ${table} returned no row`)) :
        Effect.succeed(row)
    })
}

/**
 * A page of `table`'s rows matching `filter`, in `(created_at, id)` order after the row
 * `starting_after`, fetched as `limit + 1` rows to tell whether more follow.
 */
export const page = <M extends RowModel>(table: Tables.TableName, model: M) => {
  const decode = all(table, model)
  return (filter: Fragment, query: PageQuery): Effect.Effect<Page<M["Type"]>, SqlError, SqlClient.SqlClient> =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const after = query.starting_after === undefined ?
        sql`` :
        sql`AND (created_at, id) > (SELECT created_at, id FROM ${sql(table)} WHERE id = ${query.starting_after})`
      const rows = yield* decode(sql`
        SELECT * FROM ${sql(table)} WHERE TRUE ${filter} ${after} ORDER BY created_at, id LIMIT ${query.limit + 1}`)
      return { data: rows.slice(0, query.limit), has_more: rows.length > query.limit }
    })
}
