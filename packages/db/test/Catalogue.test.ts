/**
 * The migrated schema against the domain's catalogue, beyond what `Migrations.test.ts`
 * checks (the enum types and their values in order, every table and column of the
 * models): every value a domain field accepts is a value of its column's enum type. The
 * migrations are frozen literal SQL and no longer generated from `@niha/domain`, so these
 * tests are what ties them together: a value added to a domain enum, a table or a column
 * added to a domain model fails until a new migration creates it.
 */
import { assert } from "@effect/vitest"
import { Tables } from "@niha/domain"
import * as Effect from "effect/Effect"
import type * as SchemaAST from "effect/SchemaAST"
import * as SqlClient from "effect/sql/SqlClient"
import { eachBackend } from "./support/Backends.ts"

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
})
