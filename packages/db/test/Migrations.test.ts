import { assert } from "@effect/vitest"
import { Migrations, SchemaSnapshot } from "@niha/db"
import {
  Audit,
  Auth,
  Enums,
  FundingSettings,
  Idempotency,
  Job,
  Mail,
  Pricing,
  Settlement,
  Tables,
  Trading,
  WithdrawalPolicy
} from "@niha/domain"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs"
import { eachBackend } from "./support/Backends.ts"

const snapshotFile = new URL("../schema.sql", import.meta.url)
const updateSnapshot = process.env.NIHA_UPDATE_SCHEMA_SNAPSHOT === "1"

/** The columns the ledger adds to the domain's journal line (see the README). */
const ledgerColumns = ["transfer_id", "account", "transfer_kind", "pending_id"]

/** The platform's own tables (migration 2) and their domain models. */
const platformModels: { readonly [T in keyof typeof Migrations.platformTables]: { readonly fields: object } } = {
  magic_link_tokens: Auth.MagicLinkToken,
  api_keys: Auth.ApiKey,
  mail_outbox: Mail.MailOutboxMessage,
  idempotency_keys: Idempotency.IdempotencyRecord,
  jobs: Job.Job,
  withdrawal_approvals: WithdrawalPolicy.WithdrawalApproval,
  funding_settings: FundingSettings.FundingSetting,
  market_commands: Trading.MarketCommand,
  market_snapshots: Trading.MarketSnapshot,
  settlement_resolutions: Settlement.SettlementResolution,
  settlement_overdue_flags: Settlement.SettlementOverdueFlag,
  seller_certificates: Settlement.SellerCertificate,
  certificate_allocations: Settlement.CertificateAllocation,
  audit_chain_heads: Audit.AuditChainHead,
  throttle_windows: Auth.ThrottleWindow,
  exchange_rate_history: Pricing.ExchangeRate
}

eachBackend("Migrations", (it, backend) => {
  it.effect("builds the schema the committed snapshot shows on a fresh database", () =>
    Effect.gen(function*() {
      const ran = yield* Migrations.run
      assert.deepStrictEqual(ran, Migrations.all.map((migration) => [migration.id, migration.name]))
      const snapshot = yield* SchemaSnapshot.read
      if (updateSnapshot && backend === "pglite") NodeFs.writeFileSync(snapshotFile, snapshot)
      const committed = NodeFs.readFileSync(snapshotFile, "utf8")
      // On a mismatch, rerun with NIHA_UPDATE_SCHEMA_SNAPSHOT=1 and review the diff of schema.sql.
      assert.strictEqual(snapshot, committed)
    }))

  it.effect("changes nothing when run again", () =>
    Effect.gen(function*() {
      const before = yield* SchemaSnapshot.read
      const ran = yield* Migrations.run
      assert.deepStrictEqual(ran, [])
      assert.strictEqual(yield* SchemaSnapshot.read, before)
      const sql = yield* SqlClient.SqlClient
      const recorded = yield* sql<{ migration_id: number; name: string }>`
        SELECT migration_id, name FROM effect_sql_migrations ORDER BY migration_id`
      assert.deepStrictEqual(
        recorded.map((row) => [row.migration_id, row.name]),
        Migrations.all.map((migration) => [migration.id, migration.name])
      )
    }))

  it.effect("has the seed's 31 enum types with their values in order", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ name: string; labels: ReadonlyArray<string> }>`
        SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = 'public'::regnamespace
        GROUP BY t.typname ORDER BY t.typname`
      const expected = Object.entries(Enums.databaseNames).sort(([a], [b]) => a.localeCompare(b))
      assert.strictEqual(rows.length, 31)
      assert.deepStrictEqual(rows.map((row) => [row.name, [...row.labels]]), expected.map(([n, v]) => [n, [...v]]))
    }))

  it.effect("has no orphan enum type: every one is the type of some column", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const orphans = yield* sql<{ name: string }>`
        SELECT t.typname AS name FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'e'
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                          WHERE a.atttypid = t.oid AND c.relkind = 'r' AND NOT a.attisdropped)`
      assert.deepStrictEqual(orphans, [])
    }))

  it.effect("has the 31 tables and the platform's 4 with the columns of the domain's row models", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ table_name: string; column_name: string }>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> ${Migrations.table}
        ORDER BY table_name, column_name`
      const actual = new Map<string, Array<string>>()
      for (const row of rows) actual.set(row.table_name, [...(actual.get(row.table_name) ?? []), row.column_name])
      assert.deepStrictEqual([...actual.keys()].sort(), [...Tables.tableNames, ...Object.keys(platformModels)].sort())
      for (const [table, model] of Object.entries(platformModels)) {
        assert.deepStrictEqual(actual.get(table), Object.keys(model.fields).sort(), `columns of ${table}`)
      }
      for (const table of Tables.tableNames) {
        const modelled = new Set(Tables.members[table].flatMap((member) => Object.keys(member.fields)))
        if (table === "asset_transactions") { for (const column of ledgerColumns) modelled.add(column) }
        assert.deepStrictEqual(actual.get(table), [...modelled].sort(), `columns of ${table}`)
      }
    }))

  it.effect("has the 51 foreign keys of the domain's catalogue, each led by an index", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const keys = yield* sql<{ table_name: string; column_name: string; referenced: string }>`
        SELECT c.relname AS table_name, a.attname AS column_name, r.relname AS referenced
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_class r ON r.oid = k.confrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace`
      const actual = keys.map((key) => `${key.table_name}.${key.column_name} -> ${key.referenced}`).sort()
      const catalogue = Tables.foreignKeys.map((key) => `${key.table}.${key.column} -> ${key.references}`)
      assert.strictEqual(catalogue.length, 51)
      const platform = Object.entries(Migrations.platformTables).flatMap(([table, spec]) =>
        spec.foreignKeys.map((key) => `${table}.${key.column} -> ${key.references}`)
      )
      const added = Migrations.addedForeignKeys.map((key) => `${key.table}.${key.column} -> ${key.references}`)
      const expected = [...catalogue, ...platform, ...added].sort()
      assert.deepStrictEqual(actual, expected)
      const unindexed = yield* sql<{ key: string }>`
        SELECT c.relname || '.' || a.attname AS key
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
        WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = k.conrelid AND x.indkey[0] = k.conkey[1])`
      assert.deepStrictEqual(unindexed, [])
    }))

  it.effect("stores every instant as timestamptz and defaults ids and timestamps in the database", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const naive = yield* sql<{ name: string }>`
        SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'`
      assert.deepStrictEqual(naive, [])
      const undefaulted = yield* sql<{ name: string }>`
        SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> ${Migrations.table}
          AND column_name IN ('id', 'created_at', 'updated_at') AND column_default IS NULL`
      assert.deepStrictEqual(undefaulted, [])
    }))
}, { migrate: false })
