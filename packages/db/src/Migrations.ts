/**
 * The schema of NIHA Carbon as one linear chain of forward migrations, run by Effect's
 * SQL migrator. The migrations are TypeScript values inside the package (no files are
 * read at run time, so the bundle carries them), each a list of statements run in one
 * transaction with the record of its id in `effect_sql_migrations`. Running the chain
 * again on a migrated database changes nothing.
 *
 * **A released migration is frozen.** Each one is literal SQL in `src/migrations/`
 * (`0001_initial_schema.ts`, ...), written once and never generated again from the
 * domain's catalogue; `test/FrozenMigrations.test.ts` pins the SHA-256 of every released
 * migration's statements. Databases in the field ran exactly those statements and will
 * never run them again, so an edit would reach new databases only. A new enum value is
 * `ALTER TYPE <type> ADD VALUE '<value>' [BEFORE|AFTER '<neighbour>']`, a new column
 * `ALTER TABLE <table> ADD COLUMN ...`, a new table `CREATE TABLE ...`, each in a new
 * migration appended to {@link all} (with its hash added to the pinned list once it is
 * released); `test/Catalogue.test.ts` fails while `@niha/domain` has an enum value, a
 * table or a column that no migration created.
 *
 * @since 0.1.0
 */
import { Tables } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as Migration0001 from "./migrations/0001_initial_schema.ts"
import * as Migration0002 from "./migrations/0002_access.ts"
import * as Migration0003 from "./migrations/0003_idempotency.ts"
import * as Migration0004 from "./migrations/0004_ledger_accounts.ts"
import * as Migration0005 from "./migrations/0005_jobs.ts"
import * as Migration0006 from "./migrations/0006_withdrawal_approvals.ts"
import * as Migration0007 from "./migrations/0007_funding_settings.ts"
import * as Migration0008 from "./migrations/0008_order_entry.ts"
import * as Migration0009 from "./migrations/0009_market_data.ts"
import * as Migration0010 from "./migrations/0010_settlement.ts"
import * as Migration0011 from "./migrations/0011_audit_chain.ts"
import * as Migration0012 from "./migrations/0012_throttles.ts"
import * as Migration0013 from "./migrations/0013_seller_orders.ts"
import * as Migration0014 from "./migrations/0014_exchange_rate_history.ts"
import * as Migration0015 from "./migrations/0015_audit_seal_batch.ts"

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
 * edited (its statements are literal text, their hash pinned by a test), a change is a
 * new migration at the end.
 *
 * @category migrations
 * @since 0.1.0
 */
export const all: ReadonlyArray<Migration> = [
  { id: 1, name: "initial_schema", statements: Migration0001.statements },
  { id: 2, name: "access", statements: Migration0002.statements },
  { id: 3, name: "idempotency", statements: Migration0003.statements },
  { id: 4, name: "ledger_accounts", statements: Migration0004.statements },
  { id: 5, name: "jobs", statements: Migration0005.statements },
  { id: 6, name: "withdrawal_approvals", statements: Migration0006.statements },
  { id: 7, name: "funding_settings", statements: Migration0007.statements },
  { id: 8, name: "order_entry", statements: Migration0008.statements },
  { id: 9, name: "market_data", statements: Migration0009.statements },
  { id: 10, name: "settlement", statements: Migration0010.statements },
  { id: 11, name: "audit_chain", statements: Migration0011.statements },
  { id: 12, name: "throttles", statements: Migration0012.statements },
  { id: 13, name: "seller_orders", statements: Migration0013.statements },
  { id: 14, name: "exchange_rate_history", statements: Migration0014.statements },
  { id: 15, name: "audit_seal_batch", statements: Migration0015.statements }
]

/**
 * The tables of the platform's own, beyond the seed's 31 of `Tables.tableNames`: sign-in
 * links, API keys and the mail outbox (migration 2), idempotency keys (migration 3), the
 * durable jobs (migration 5), withdrawal approvals (migration 6), the funding settings
 * (migration 7), the markets' stored
 * commands and book snapshots (migration 8), the heads of the audit chains (migration 11),
 * the throttles' windows (migration 12), the exchange rates read (migration 14),
 * with the foreign keys
 * they add.
 *
 * @category migrations
 * @since 0.1.0
 */
export const platformTables: {
  readonly [
    Table in
      | "magic_link_tokens"
      | "api_keys"
      | "mail_outbox"
      | "idempotency_keys"
      | "jobs"
      | "withdrawal_approvals"
      | "funding_settings"
      | "market_commands"
      | "market_snapshots"
      | "settlement_resolutions"
      | "settlement_overdue_flags"
      | "seller_certificates"
      | "certificate_allocations"
      | "audit_chain_heads"
      | "throttle_windows"
      | "exchange_rate_history"
  ]: PlatformTable
} = {
  magic_link_tokens: { foreignKeys: [{ column: "user_id", references: "users" }] },
  api_keys: { foreignKeys: [{ column: "user_id", references: "users" }] },
  mail_outbox: { foreignKeys: [] },
  idempotency_keys: { foreignKeys: [] },
  jobs: { foreignKeys: [] },
  withdrawal_approvals: {
    foreignKeys: [{ column: "withdrawal_id", references: "withdrawals" }, {
      column: "approved_by",
      references: "users"
    }]
  },
  funding_settings: { foreignKeys: [{ column: "updated_by", references: "users" }] },
  market_commands: { foreignKeys: [{ column: "order_id", references: "orders" }] },
  market_snapshots: { foreignKeys: [] },
  settlement_resolutions: {
    foreignKeys: [{ column: "settlement_batch_id", references: "settlement_batches" }, {
      column: "resolved_by",
      references: "users"
    }]
  },
  settlement_overdue_flags: { foreignKeys: [{ column: "settlement_batch_id", references: "settlement_batches" }] },
  seller_certificates: {
    foreignKeys: [{ column: "seller_id", references: "sellers" }, {
      column: "certificate_id",
      references: "certificates"
    }]
  },
  certificate_allocations: {
    foreignKeys: [
      { column: "certificate_id", references: "certificates" },
      { column: "settlement_batch_id", references: "settlement_batches" },
      { column: "allocated_by", references: "users" }
    ]
  },
  audit_chain_heads: { foreignKeys: [] },
  throttle_windows: { foreignKeys: [] },
  exchange_rate_history: { foreignKeys: [{ column: "source_id", references: "exchange_rate_sources" }] }
}

/**
 * Foreign keys that later migrations add to the seed's tables, beyond the domain's 51
 * (`Tables.foreignKeys`): the domain's `Tables.addedForeignKeys` (a seller order's lots,
 * `certificates.order_id`, and the fill a `trades` row records,
 * `trades.cash_market_trade_id`, both migration 13).
 *
 * @category migrations
 * @since 0.1.0
 */
export const addedForeignKeys: ReadonlyArray<AddedForeignKey> = Tables.addedForeignKeys.map((key) => ({
  table: key.table,
  column: key.column,
  references: key.references
}))

/**
 * A foreign key a later migration adds to one of the seed's tables.
 *
 * @category migrations
 * @since 0.1.0
 */
export interface AddedForeignKey extends PlatformForeignKey {
  /** The seed's table that refers. */
  readonly table: string
}

/**
 * One table of the platform's own.
 *
 * @category migrations
 * @since 0.1.0
 */
export interface PlatformTable {
  /** Its foreign keys, each indexed. */
  readonly foreignKeys: ReadonlyArray<PlatformForeignKey>
}

/**
 * A foreign key of a platform table.
 *
 * @category migrations
 * @since 0.1.0
 */
export interface PlatformForeignKey {
  /** The referring column. */
  readonly column: string
  /** The referenced table (by its `id`). */
  readonly references: string
}

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
