/**
 * Repositories for the 31 tables: insert, update, find and delete rows through the
 * domain's row models, so that what goes in is encoded by the model's `insert` or
 * `update` variant and what comes out is decoded by the model itself. No raw row leaves
 * this module: a stored row that does not decode is a {@link CorruptRow} error, input
 * the model refuses is the domain's `ValidationFailed` (and nothing is written), and a
 * row the schema refuses is one of the typed errors of `Constraints`.
 *
 * {@link make} builds the repository of one table; {@link Repositories} is the service
 * holding all of them, keyed by table name (`repositories.deposits.insert(...)`).
 * The repository of `asset_transactions` reads the lines of entities, the domain's journal;
 * the ledger's platform lines are read through the `Ledger`.
 * Balances are not written here: `entity_holdings` and `asset_transactions` change only
 * through the `Ledger`, and their repositories refuse writes with {@link ReadOnlyTable}
 * (the database also refuses any edit or delete of a journal line).
 *
 * @since 0.1.0
 */
import { Errors, Ids, Tables } from "@niha/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Constraints from "./Constraints.ts"
import { toParameters } from "./internal/parameters.ts"

/**
 * A stored row that the domain's model does not accept: the database holds something
 * the code does not expect (a migration not run, a row written around this package).
 *
 * @category errors
 * @since 0.1.0
 */
export class CorruptRow extends Schema.TaggedError<CorruptRow>()("CorruptRow", {
  /** The table read. */
  table: Schema.String,
  /** Why the model refused the row. */
  message: Schema.String
}) {}

/**
 * A write to a table whose rows only the `Ledger` writes (`entity_holdings`,
 * `asset_transactions`): a balance changes with its journal, in one transaction, or not at all.
 *
 * @category errors
 * @since 0.1.0
 */
export class ReadOnlyTable extends Schema.TaggedError<ReadOnlyTable>()("ReadOnlyTable", {
  /** The table. */
  table: Schema.String,
  /** Why it is not written here. */
  reason: Schema.String
}) {
  /** A sentence saying which table and why. */
  override get message(): string {
    return `${this.table} is read-only here: ${this.reason}`
  }
}

/**
 * The tables the repositories only read.
 *
 * @category constants
 * @since 0.1.0
 */
export const ledgerTables: ReadonlySet<Tables.TableName> = new Set(["entity_holdings", "asset_transactions"])

/**
 * What a repository call can fail with, besides `NotFound` for a missing id.
 *
 * @category errors
 * @since 0.1.0
 */
export type RepositoryError =
  | Errors.ValidationFailed
  | Constraints.ConstraintViolation
  | CorruptRow
  | ReadOnlyTable
  | SqlError

/**
 * The model of a table as the repository uses it: the row schema, with `insert` and
 * `update` variants. Plain models and the domain's union models both fit.
 *
 * @category models
 * @since 0.1.0
 */
export type Model = Schema.Codec<unknown, unknown, never, never> & {
  /** The schema of an insert. */
  readonly insert: Schema.Codec<unknown, unknown, never, never>
  /** The schema of an update. */
  readonly update: Schema.Codec<unknown, unknown, never, never>
}

/**
 * Paging of {@link Repository.findAll}; rows come oldest first.
 *
 * @category models
 * @since 0.1.0
 */
export interface Page {
  /** At most this many rows. */
  readonly limit?: number | undefined
  /** Skip this many rows first. */
  readonly offset?: number | undefined
}

/**
 * The repository of one table.
 *
 * @category models
 * @since 0.1.0
 */
export interface Repository<Row, Insert, Update, Id> {
  /** The table. */
  readonly table: Tables.TableName
  /** Inserts a row and returns it as stored (with the database's id and defaults). */
  readonly insert: (row: Insert) => Effect.Effect<Row, RepositoryError>
  /** Replaces the columns of the update variant of the row with this id. */
  readonly update: (row: Update) => Effect.Effect<Row, RepositoryError | Errors.NotFound>
  /** The row with this id. */
  readonly findById: (id: Id) => Effect.Effect<Row, RepositoryError | Errors.NotFound>
  /** Rows oldest first (by `created_at`, then id). */
  readonly findAll: (page?: Page) => Effect.Effect<ReadonlyArray<Row>, RepositoryError>
  /** How many rows the table holds. */
  readonly count: Effect.Effect<number, SqlError>
  /** Deletes the row with this id (refused while other rows refer to it). */
  readonly delete: (id: Id) => Effect.Effect<void, RepositoryError | Errors.NotFound>
}

/**
 * The repository of a table of the domain catalogue, typed by its model and id.
 *
 * @category models
 * @since 0.1.0
 */
export type RepositoryOf<T extends Tables.TableName> = Repository<
  (typeof Tables.tables)[T]["Type"],
  (typeof Tables.tables)[T]["insert"]["Type"],
  (typeof Tables.tables)[T]["update"]["Type"],
  (typeof Ids.byTable)[T]["Type"]
>

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? value as Record<string, unknown> : {}

/**
 * Builds the repository of one table from its model and its id schema.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <M extends Model, I extends Schema.Codec<unknown, unknown, never, never>>(options: {
  readonly table: Tables.TableName
  readonly model: M
  readonly id: I
}): Effect.Effect<
  Repository<M["Type"], M["insert"]["Type"], M["update"]["Type"], I["Type"]>,
  never,
  SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const table = options.table
    const decodeRow = Schema.decodeUnknownEffect(options.model)
    const encodeInsert = Schema.encodeEffect(options.model.insert)
    const encodeUpdate = Schema.encodeEffect(options.model.update)
    const encodeId = Schema.encodeEffect(options.id)

    const invalid = (error: Schema.SchemaError) => Errors.validationFailed(error)
    const corrupt = (error: Schema.SchemaError) => new CorruptRow({ table, message: error.message })
    const notFound = (id: unknown) => new Errors.NotFound({ resource: table, id: String(id) })
    // The domain's journal line is an entity's: the ledger's platform lines are read through the Ledger.
    const scope = table === "asset_transactions" ? sql`AND entity_id IS NOT NULL` : sql``
    const readOnly = ledgerTables.has(table)
      ? Effect.fail(new ReadOnlyTable({ table, reason: "balances and their journal change only through the Ledger" }))
      : Effect.void
    const decodeOne = (rows: ReadonlyArray<unknown>, id: unknown) =>
      rows.length === 0 ? Effect.fail(notFound(id)) : Effect.mapError(decodeRow(rows[0]), corrupt)
    const decodeAll = (rows: ReadonlyArray<unknown>) =>
      Effect.forEach(rows, (row) => Effect.mapError(decodeRow(row), corrupt))

    const insert = (row: M["insert"]["Type"]) =>
      Effect.gen(function*() {
        yield* readOnly
        const encoded = asRecord(yield* Effect.mapError(encodeInsert(row), invalid))
        const rows = yield* Constraints.refine(
          sql`INSERT INTO ${sql(table)} ${sql.insert(toParameters(table, encoded)).returning("*")}`
        )
        const [inserted] = yield* decodeAll(rows)
        return inserted as M["Type"]
      }).pipe(Effect.withSpan(`Repository.${table}.insert`))

    const update = (row: M["update"]["Type"]) =>
      Effect.gen(function*() {
        yield* readOnly
        const encoded = asRecord(yield* Effect.mapError(encodeUpdate(row), invalid))
        const id = encoded.id
        const rows = yield* Constraints.refine(
          sql`UPDATE ${sql(table)} SET ${sql.update(toParameters(table, encoded), ["id"])} WHERE id = ${
            String(id)
          } RETURNING *`
        )
        return yield* decodeOne(rows, id)
      }).pipe(Effect.withSpan(`Repository.${table}.update`))

    const findById = (id: I["Type"]) =>
      Effect.gen(function*() {
        const encoded = yield* Effect.mapError(encodeId(id), invalid)
        const rows = yield* sql`SELECT * FROM ${sql(table)} WHERE id = ${String(encoded)} ${scope}`
        return yield* decodeOne(rows, encoded)
      }).pipe(Effect.withSpan(`Repository.${table}.findById`))

    const findAll = (page?: Page) =>
      Effect.gen(function*() {
        const limit = page?.limit === undefined ? sql`` : sql`LIMIT ${Math.max(0, Math.trunc(page.limit))}`
        const offset = page?.offset === undefined ? sql`` : sql`OFFSET ${Math.max(0, Math.trunc(page.offset))}`
        const rows = yield* sql`SELECT * FROM ${
          sql(table)
        } WHERE TRUE ${scope} ORDER BY created_at, id ${limit} ${offset}`
        return yield* decodeAll(rows)
      }).pipe(Effect.withSpan(`Repository.${table}.findAll`))

    const count = Effect.map(
      sql<{ count: number }>`SELECT count(*)::int AS count FROM ${sql(table)} WHERE TRUE ${scope}`,
      (rows) => rows[0]?.count ?? 0
    )

    const delete_ = (id: I["Type"]) =>
      Effect.gen(function*() {
        yield* readOnly
        const encoded = yield* Effect.mapError(encodeId(id), invalid)
        const rows = yield* Constraints.refine(
          sql`DELETE FROM ${sql(table)} WHERE id = ${String(encoded)} RETURNING id`
        )
        if (rows.length === 0) return yield* notFound(encoded)
      }).pipe(Effect.withSpan(`Repository.${table}.delete`))

    return { table, insert, update, findById, findAll, count, delete: delete_ }
  })

/**
 * Every table's repository, by table name.
 *
 * @category models
 * @since 0.1.0
 */
export type All = { readonly [T in Tables.TableName]: RepositoryOf<T> }

/**
 * The repositories of all 31 tables as one service.
 *
 * @category services
 * @since 0.1.0
 */
export class Repositories extends Context.Service<Repositories, All>()("@niha/db/Repositories") {
  /**
   * Builds every repository on the `SqlClient` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Repositories, never, SqlClient.SqlClient> = Layer.effect(
    Repositories,
    Effect.gen(function*() {
      const entries = yield* Effect.forEach(Tables.tableNames, (table) =>
        Effect.map(
          make({ table, model: Tables.tables[table] as Model, id: Ids.byTable[table] }),
          (repository) => [table, repository] as const
        ))
      // One entry per table name, each built from that table's model and id: TypeScript
      // cannot follow the correlation through Object.fromEntries, hence the cast.
      return Object.fromEntries(entries) as unknown as All
    })
  )
}
