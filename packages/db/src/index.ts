/**
 * @niha/db: the PostgreSQL schema and migrations of NIHA Carbon, its repositories, the
 * double-entry asset ledger, and the embedded PGlite default.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The database Layers: a PostgreSQL URL, or the embedded PGlite.
 *
 * @since 0.1.0
 */
export * as Database from "./Database.ts"

/**
 * The forward-only chain of migrations, shipped in the package.
 *
 * @since 0.1.0
 */
export * as Migrations from "./Migrations.ts"

/**
 * Transactions that retry deadlocks and serialization failures, and the platform's lock order.
 *
 * @since 0.1.0
 */
export * as Transaction from "./Transaction.ts"

/**
 * The schema of a database as text, read from the catalog.
 *
 * @since 0.1.0
 */
export * as SchemaSnapshot from "./SchemaSnapshot.ts"

/**
 * Typed errors for the rows the schema refuses.
 *
 * @since 0.1.0
 */
export * as Constraints from "./Constraints.ts"

/**
 * Repositories for the 31 tables, decoding every row through the domain's models.
 *
 * @since 0.1.0
 */
export * as Repository from "./Repository.ts"

/**
 * The double-entry asset ledger on TigerBeetle's model.
 *
 * @since 0.1.0
 */
export * as Ledger from "./Ledger.ts"

/**
 * The demo data set with the seed's row counts.
 *
 * @since 0.1.0
 */
export * as DemoFixture from "./DemoFixture.ts"

/**
 * The hash chains of the audit trail (`ticket_logs`, `activity_logs`), verified.
 *
 * @since 0.1.0
 */
export * as AuditChain from "./AuditChain.ts"

/**
 * Backups of a whole database (pg_dump, or PGlite's dump of its data directory) and their restore.
 *
 * @since 0.1.0
 */
export * as Backup from "./Backup.ts"
