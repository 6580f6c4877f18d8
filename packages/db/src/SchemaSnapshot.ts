/**
 * A text picture of a database's schema, read from the PostgreSQL catalog: the enum types
 * with their values, each table's columns (type, nullability, default), its constraints,
 * its indexes and its triggers, and the functions of the schema, all in a fixed order,
 * followed by the tables of the package's own other schemas ({@link ownSchemas}: the
 * ledger's), qualified by their schema's name.
 * The committed `schema.sql` of this package is this text for a freshly migrated
 * database; a test compares every fresh migration with it, so any change to the schema
 * is a visible diff. The query uses only what PostgreSQL 15 and the PGlite build both
 * print the same way (not-null constraints, which PostgreSQL 18 also lists as
 * constraints, are read from the columns).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"

interface EnumRow {
  readonly name: string
  readonly labels: string
}

interface ColumnRow {
  readonly table_name: string
  readonly column_name: string
  readonly data_type: string
  readonly not_null: boolean
  readonly default_value: string | null
}

interface DefinitionRow {
  readonly table_name: string
  readonly name: string
  readonly definition: string
}

/**
 * Reads the snapshot of the current schema (`current_schema()`, normally `public`).
 *
 * @category snapshot
 * @since 0.1.0
 */
export const read: Effect.Effect<string, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [current] = yield* sql<{ name: string }>`SELECT current_schema() AS name`
  const main = yield* readNamespace(current?.name ?? "public")
  const extra: Array<string> = []
  for (const schema of ownSchemas) {
    const [exists] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = ${schema}`
    if ((exists?.n ?? 0) > 0) extra.push(renderSchema(schema, yield* readNamespace(schema)))
  }
  return render(main) + extra.join("")
})

/**
 * The schemas of the package's own beside the current one, shown after it with their
 * tables qualified: `ledger` (migration 4), the ledger's materialised accounts and
 * pending transfers.
 *
 * @category snapshot
 * @since 0.1.0
 */
export const ownSchemas: ReadonlyArray<string> = ["ledger"]

interface Catalog {
  readonly enums: ReadonlyArray<EnumRow>
  readonly columns: ReadonlyArray<ColumnRow>
  readonly constraints: ReadonlyArray<DefinitionRow>
  readonly indexes: ReadonlyArray<DefinitionRow>
  readonly triggers: ReadonlyArray<DefinitionRow>
  readonly functions: ReadonlyArray<DefinitionRow>
}

const readNamespace = (schema: string): Effect.Effect<Catalog, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const namespace = sql`(SELECT oid FROM pg_namespace WHERE nspname = ${schema})`
    const enums = yield* sql<EnumRow>`
    SELECT t.typname AS name,
           string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) AS labels
    FROM pg_type t
    JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE t.typnamespace = ${namespace}
    GROUP BY t.typname
    ORDER BY t.typname`
    const columns = yield* sql<ColumnRow>`
    SELECT c.relname AS table_name,
           a.attname AS column_name,
           format_type(a.atttypid, a.atttypmod) AS data_type,
           a.attnotnull AS not_null,
           pg_get_expr(d.adbin, d.adrelid) AS default_value
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE c.relnamespace = ${namespace} AND c.relkind IN ('r', 'p')
    ORDER BY c.relname, a.attnum`
    const constraints = yield* sql<DefinitionRow>`
    SELECT c.relname AS table_name, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
    JOIN pg_class c ON c.oid = k.conrelid
    WHERE c.relnamespace = ${namespace} AND k.contype IN ('p', 'u', 'f', 'c', 'x')
    ORDER BY c.relname, k.conname`
    const indexes = yield* sql<DefinitionRow>`
    SELECT t.relname AS table_name, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = ${namespace}
    ORDER BY t.relname, i.relname`
    const triggers = yield* sql<DefinitionRow>`
    SELECT c.relname AS table_name, g.tgname AS name, pg_get_triggerdef(g.oid) AS definition
    FROM pg_trigger g
    JOIN pg_class c ON c.oid = g.tgrelid
    WHERE c.relnamespace = ${namespace} AND NOT g.tgisinternal
    ORDER BY c.relname, g.tgname`
    const functions = yield* sql<DefinitionRow>`
    SELECT '' AS table_name, p.proname AS name, p.prosrc AS definition
    FROM pg_proc p
    WHERE p.pronamespace = ${namespace}
    ORDER BY p.proname`
    return { enums, columns, constraints, indexes, triggers, functions }
  })

const groupByTable = <R extends { readonly table_name: string }>(rows: ReadonlyArray<R>) => {
  const groups = new Map<string, Array<R>>()
  for (const row of rows) {
    const group = groups.get(row.table_name)
    if (group === undefined) groups.set(row.table_name, [row])
    else group.push(row)
  }
  return groups
}

const render = (catalog: Catalog): string => {
  const lines: Array<string> = [
    "-- The schema of a freshly migrated @niha/db database, read from the catalog by",
    "-- SchemaSnapshot.read. Regenerate with: pnpm --filter @niha/db schema:snapshot",
    ""
  ]
  lines.push(`-- ${catalog.enums.length} enum types`)
  for (const row of catalog.enums) lines.push(`CREATE TYPE ${row.name} AS ENUM (${row.labels});`)
  renderTables(lines, catalog, "")
  lines.push("", `-- ${catalog.functions.length} functions`)
  for (const row of catalog.functions) lines.push(`FUNCTION ${row.name}: ${row.definition.trim()}`)
  return `${lines.join("\n")}\n`
}

/** The tables of another schema, qualified by its name, after the current schema's. */
const renderSchema = (schema: string, catalog: Catalog): string => {
  const lines: Array<string> = ["", `-- schema ${schema}`]
  if (catalog.enums.length > 0 || catalog.functions.length > 0) {
    lines.push(`-- ${catalog.enums.length} enum types, ${catalog.functions.length} functions`)
  }
  for (const row of catalog.enums) lines.push(`CREATE TYPE ${schema}.${row.name} AS ENUM (${row.labels});`)
  renderTables(lines, catalog, `${schema}.`)
  for (const row of catalog.functions) lines.push(`FUNCTION ${schema}.${row.name}: ${row.definition.trim()}`)
  return `${lines.join("\n")}\n`
}

const renderTables = (lines: Array<string>, catalog: Catalog, prefix: string): void => {
  const columns = groupByTable(catalog.columns)
  const constraints = groupByTable(catalog.constraints)
  const indexes = groupByTable(catalog.indexes)
  const triggers = groupByTable(catalog.triggers)
  lines.push("", `-- ${columns.size} tables`)
  for (const [table, rows] of columns) {
    lines.push("", `TABLE ${prefix}${table} (`)
    for (const row of rows) {
      const parts = [`  ${row.column_name} ${row.data_type}`]
      if (row.not_null) parts.push("NOT NULL")
      if (row.default_value !== null) parts.push(`DEFAULT ${row.default_value}`)
      lines.push(parts.join(" "))
    }
    lines.push(");")
    for (const row of constraints.get(table) ?? []) lines.push(`CONSTRAINT ${row.name} ${row.definition};`)
    for (const row of indexes.get(table) ?? []) lines.push(`${row.definition};`)
    for (const row of triggers.get(table) ?? []) lines.push(`${row.definition};`)
  }
}
