/**
 * The migrated schema against the domain's catalogue. The migrations are frozen literal
 * SQL and no longer generated from `@niha/domain`, so this is what ties them together: a
 * value added to a domain enum, a table or a column added to a domain model, fails here
 * until a new migration creates it (`ALTER TYPE ... ADD VALUE`, `ALTER TABLE ... ADD
 * COLUMN`); a migration that drifts from the domain fails here too.
 */
import { assert } from "@effect/vitest"
import { Migrations } from "@niha/db"
import { Enums, Tables } from "@niha/domain"
import * as Effect from "effect/Effect"
import type * as SchemaAST from "effect/SchemaAST"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"

/** The columns the ledger adds to the domain's journal line (see the README). */
const ledgerColumns = ["transfer_id", "account", "transfer_kind", "pending_id"]

/**
 * The string literals a field accepts when it is an enum (or a nullable or optional enum),
 * else undefined.
 */
const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<string> | undefined => {
  switch (ast._tag) {
    case "Literal":
      return typeof ast.literal === "string" ? [ast.literal] : undefined
    case "Null":
    case "Undefined":
      return []
    case "Union": {
      const parts = ast.types.map(literalsOf)
      if (parts.some((part) => part === undefined)) return undefined
      const values = parts.flatMap((part) => part ?? [])
      return values.length === 0 ? undefined : values
    }
    default:
      return undefined
  }
}

interface Field {
  readonly ast: SchemaAST.AST
}

const domainFields = (table: Tables.TableName, column: string): ReadonlyArray<Field> =>
  Tables.members[table].flatMap((member) => {
    const field = (member.fields as Record<string, Field | undefined>)[column]
    return field === undefined ? [] : [field]
  })

eachBackend("Catalogue", (it) => {
  it.effect("has exactly the enum types and values of the domain, in its order", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ name: string; labels: ReadonlyArray<string> }>`
        SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        GROUP BY t.typname, t.typnamespace
        HAVING t.typnamespace <> 'pg_catalog'::regnamespace
        ORDER BY t.typname`
      const migrated = Object.fromEntries(rows.map((row) => [row.name, [...row.labels]]))
      const domain = Object.fromEntries(
        Object.entries(Enums.databaseNames).map(([name, values]) => [name, [...values]])
      )
      for (const [name, values] of Object.entries(domain)) {
        // On a failure: the domain has an enum or a value no migration created; add one.
        assert.deepStrictEqual(migrated[name], values, `enum type ${name}`)
      }
      assert.deepStrictEqual(Object.keys(migrated).sort(), Object.keys(domain).sort())
    }))

  it.effect("gives every enum column every value its domain field accepts", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ table_name: string; column_name: string; labels: ReadonlyArray<string> }>`
        SELECT c.table_name, c.column_name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM information_schema.columns c
        JOIN pg_type t ON t.typname = c.udt_name AND t.typtype = 'e'
        JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE c.table_schema = 'public'
        GROUP BY c.table_name, c.column_name
        ORDER BY 1, 2`
      assert.isAbove(rows.length, 40)
      for (const row of rows) {
        if (!(Tables.tableNames as ReadonlyArray<string>).includes(row.table_name)) continue
        const fields = domainFields(row.table_name as Tables.TableName, row.column_name)
        assert.isAbove(fields.length, 0, `${row.table_name}.${row.column_name} has a domain field`)
        // A domain field may accept fewer values than the column's type (a settlement batch
        // is never of EUR, a check constraint says so too), never a value the type lacks.
        for (const field of fields) {
          const literals = literalsOf(field.ast)
          assert.isDefined(literals, `${row.table_name}.${row.column_name} is an enum in the domain`)
          for (const literal of literals ?? []) {
            assert.include(row.labels, literal, `${row.table_name}.${row.column_name} has the domain's ${literal}`)
          }
        }
      }
    }))

  it.effect("has every table and column of the domain's row models, and no other in public", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ table_name: string; column_name: string }>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> ${Migrations.table}
        ORDER BY table_name, column_name`
      const migrated = new Map<string, Array<string>>()
      for (const row of rows) migrated.set(row.table_name, [...(migrated.get(row.table_name) ?? []), row.column_name])
      for (const table of Tables.tableNames) {
        const modelled = new Set(Tables.members[table].flatMap((member) => Object.keys(member.fields)))
        if (table === "asset_transactions") { for (const column of ledgerColumns) modelled.add(column) }
        // On a failure: a model has a column no migration created (or the reverse).
        assert.deepStrictEqual(migrated.get(table), [...modelled].sort(), `columns of ${table}`)
      }
      const platform = Object.keys(Migrations.platformTables)
      assert.deepStrictEqual([...migrated.keys()].sort(), [...Tables.tableNames, ...platform].sort())
    }))
})
