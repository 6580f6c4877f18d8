/**
 * The schema of NIHA Carbon as one linear chain of forward migrations, run by Effect's
 * SQL migrator. The migrations are TypeScript values inside the package (no files are
 * read at run time, so the bundle carries them), each a list of statements run in one
 * transaction with the record of its id in `effect_sql_migrations`. Running the chain
 * again on a migrated database changes nothing.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { initialSchema } from "./internal/schema.ts"

/**
 * Name of the table where the migrator records the migrations it ran.
 *
 * @category constants
 * @since 0.1.0
 */
export const table = "effect_sql_migrations"

/**
 * One migration: its statements, run in order in one transaction.
 *
 * @category models
 * @since 0.1.0
 */
export interface Migration {
  /** Its place in the chain, from 1. */
  readonly id: number
  /** What it does, in snake case. */
  readonly name: string
  /** Its SQL statements, run in order. */
  readonly statements: ReadonlyArray<string>
}

/**
 * The chain, in order. Ids are consecutive from 1; a released migration is never
 * edited, a change is a new migration at the end.
 *
 * @category migrations
 * @since 0.1.0
 */
export const all: ReadonlyArray<Migration> = [
  { id: 1, name: "initial_schema", statements: initialSchema }
]

const migrationEffect = (migration: Migration): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    for (const statement of migration.statements) {
      yield* sql.unsafe(statement)
    }
  })

/**
 * The chain as the record the migrator loads, keyed `<id>_<name>`.
 *
 * @category migrations
 * @since 0.1.0
 */
export const record: Record<string, Effect.Effect<void, SqlError, SqlClient.SqlClient>> = Object.fromEntries(
  all.map((migration) => [`${migration.id}_${migration.name}`, migrationEffect(migration)])
)

/**
 * Runs the migrations the database has not run yet, and returns them as
 * `[id, name]` pairs (empty when it was up to date).
 *
 * @category migrations
 * @since 0.1.0
 */
export const run: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Migrator.make({})({ loader: Migrator.fromRecord(record), table })

/**
 * Runs the pending migrations when the Layer is built.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<never, Migrator.MigrationError | SqlError, SqlClient.SqlClient> = Layer
  .effectDiscard(run)
