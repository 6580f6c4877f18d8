/**
 * Backup of a loaded database and restore into an empty one, on both backends: balances,
 * the journal, the books' stored commands and the audit trail come back identical, the
 * audit chain verifies whole and the ledger verifies clean. A restore refuses a target that
 * is not empty, and a missing backup.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { assert, describe, it } from "@effect/vitest"
import { AuditChain, Backup, Constraints, Database, Ledger, Migrations, Transaction } from "@niha/db"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { adminUrl, freshMigratedDataDir, pgliteSkipReason, postgresSkipReason } from "./support/Backends.ts"

/** Loads a little of everything: two funded entities, a transfer between them, audit rows. */
const load = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ledger = Ledger.make(sql)
  const entities: Array<string> = []
  for (const name of ["Backup Alpha GmbH", "Backup Beta SA"]) {
    const [entity] = yield* sql<
      { id: string }
    >`INSERT INTO entities (name, jurisdiction) VALUES (${name}, 'EU') RETURNING id::text AS id`
    entities.push(entity?.id ?? "")
  }
  const [user] = yield* sql<{ id: string }>`
    INSERT INTO users (email, first_name, last_name, role) VALUES ('ops@backup.example', 'Ops', 'Backup', 'ADMIN')
    RETURNING id::text AS id`
  for (const [index, entity] of entities.entries()) {
    yield* Effect.orDie(ledger.apply(Ledger.adjust({
      key: `backup-fund-${index}`,
      entity_id: entity as never,
      asset: "EUR",
      amount: 1_000_000 * (index + 1),
      reason: "opening balance"
    })))
    yield* Transaction.run(Effect.gen(function*() {
      yield* sql`INSERT INTO activity_logs (user_id, action, details) VALUES (${
        user?.id ?? ""
      }, 'backup.test', '{"i":1}')`
      yield* sql`INSERT INTO ticket_logs (ticket_reference, user_id, action, subject_table, subject_id, status, after_state)
        VALUES (${`TKT-B-${index}`}, ${
        user?.id ?? ""
      }, 'entities.fund', 'entities', ${entity}, 'SUCCESS', '{"ok":true}')`
    }))
  }
  yield* AuditChain.seal
})

/** Every row that must come back, as JSON text, in a stable order. */
const state = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const dump = (table: string, order: string) =>
    Effect.map(
      sql.unsafe<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY ${order}`),
      (rows) => rows.map((row) => row.row)
    )
  return {
    holdings: yield* dump("entity_holdings", "t.id"),
    journal: yield* dump("asset_transactions", "t.id"),
    commands: yield* dump("market_commands", "t.market, t.sequence"),
    tickets: yield* dump("ticket_logs", "t.chain_seq"),
    activity: yield* dump("activity_logs", "t.chain_seq"),
    heads: yield* dump("audit_chain_heads", "t.table_name"),
    migrations: yield* dump("effect_sql_migrations", "t.migration_id")
  }
})

const checks = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const reports = yield* AuditChain.verify
  const report = yield* Ledger.make(sql).verify
  return { chains: reports.map((chain) => [chain.table, chain.rows, chain.finding]), ledger: report.ok }
})

const temporaryPath = Effect.acquireRelease(
  Effect.sync(() => NodePath.join(NodeOs.tmpdir(), `niha-backup-${NodeCrypto.randomBytes(6).toString("hex")}`)),
  (path) => Effect.promise(() => NodeFs.rm(path, { recursive: true, force: true }))
)

const withAdmin = <A, E>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(PgClient.makeClient({ url: Redacted.make(adminUrl) }), f)).pipe(
    Effect.provide(Reactivity.layer)
  )

const freshPostgresUrl = Effect.acquireRelease(
  Effect.gen(function*() {
    const name = `niha_backup_${NodeCrypto.randomBytes(6).toString("hex")}`
    yield* withAdmin((sql) => sql.unsafe(`CREATE DATABASE ${name}`))
    const url = new URL(adminUrl)
    url.pathname = `/${name}`
    return { name, url: url.toString() }
  }),
  ({ name }) => Effect.ignore(withAdmin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))
)

describe("backup and restore", () => {
  it.live.skipIf(pgliteSkipReason !== undefined)(
    "round-trips an embedded database [PGlite]",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const source = yield* freshMigratedDataDir
        const loaded = yield* Effect.scoped(
          Effect.gen(function*() {
            yield* Migrations.run
            yield* load
            return { state: yield* state, checks: yield* checks }
          }).pipe(Effect.provide(Layer.orDie(Database.layerEmbedded({ dataDir: source }))))
        )
        const file = NodePath.join(yield* temporaryPath, "niha.tar.gz")
        const seen: Array<number> = []
        const size = yield* Backup.backup({ _tag: "Embedded", dataDir: source }, file, (bytes) =>
          Effect.sync(() => {
            seen.push(bytes)
          }))
        assert.isAbove(size, 0)
        assert.deepStrictEqual(seen, [size])
        const target = yield* temporaryPath
        yield* Backup.restore({ _tag: "Embedded", dataDir: target }, file)
        const restored = yield* Effect.scoped(
          Effect.gen(function*() {
            return { state: yield* state, checks: yield* checks }
          }).pipe(Effect.provide(Layer.orDie(Database.layerEmbedded({ dataDir: target }))))
        )
        assert.deepStrictEqual(restored, loaded)
        assert.deepStrictEqual(loaded.checks, {
          chains: [["ticket_logs", 2, undefined], ["activity_logs", 2, undefined]],
          ledger: true
        })
        const refused = yield* Effect.flip(Backup.restore({ _tag: "Embedded", dataDir: target }, file))
        assert.include(refused.reason, "is not empty")
        const missing = yield* Effect.flip(Backup.restore({ _tag: "Embedded", dataDir: `${target}-x` }, `${file}.none`))
        assert.include(missing.reason, "is not a backup")
      })),
    { timeout: 120_000 }
  )

  it.live.skipIf(postgresSkipReason !== undefined)(
    "round-trips a PostgreSQL database with pg_dump [PostgreSQL]",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const source = yield* freshPostgresUrl
        const target = yield* freshPostgresUrl
        const loaded = yield* Effect.scoped(
          Effect.gen(function*() {
            yield* Migrations.run
            yield* load
            return { state: yield* state, checks: yield* checks }
          }).pipe(Effect.provide(Layer.orDie(Database.layerUrl({ url: source.url, maxConnections: 2 }))))
        )
        const file = NodePath.join(yield* temporaryPath, "niha.dump")
        const size = yield* Backup.backup({ _tag: "Url", url: source.url }, file)
        assert.isAbove(size, 0)
        yield* Backup.restore({ _tag: "Url", url: target.url }, file)
        const restored = yield* Effect.scoped(
          Effect.gen(function*() {
            return { state: yield* state, checks: yield* checks }
          }).pipe(Effect.provide(Layer.orDie(Database.layerUrl({ url: target.url, maxConnections: 2 }))))
        )
        assert.deepStrictEqual(restored, loaded)
        assert.strictEqual(loaded.checks.ledger, true)
        assert.deepStrictEqual(loaded.checks.chains.map(([, rows, finding]) => [rows, finding]), [[2, undefined], [
          2,
          undefined
        ]])
        // The restored trail is append-only still: its triggers came back with it.
        const edit = yield* Effect.flip(
          Effect.scoped(
            Effect.flatMap(SqlClient.SqlClient, (sql) => Constraints.refine(sql`UPDATE ticket_logs SET action = 'x'`))
              .pipe(
                Effect.provide(Layer.orDie(Database.layerUrl({ url: target.url, maxConnections: 1 })))
              )
          )
        )
        assert.strictEqual(edit._tag, "RestrictViolation")
        const refused = yield* Effect.flip(Backup.restore({ _tag: "Url", url: target.url }, file))
        assert.include(refused.reason, "not empty")
      })),
    { timeout: 120_000 }
  )
})
