/**
 * How many ledger transfers per second each backend takes: BENCH_OPS (default 400) moves
 * of EUR between 8 entities, one transfer per transaction, first one after the other, then
 * from 16 fibers at once. Run on a fresh embedded database in a temporary directory, and
 * on a fresh database of the PostgreSQL at NIHA_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test) when one answers. The last line is one JSON
 * object for scripts.
 *
 * Run: `node --conditions=@niha/source bench/ledger.ts` from packages/db.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Database, Ledger, Migrations } from "@niha/db"
import type { Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

const OPS = Number(process.env.BENCH_OPS ?? 400)
const ENTITIES = 8
const adminUrl = process.env.NIHA_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const run = Effect.gen(function*() {
  yield* Migrations.run
  const sql = yield* SqlClient.SqlClient
  const ledger = yield* Ledger.Ledger
  const ids: Array<Ids.EntityId> = []
  for (let index = 0; index < ENTITIES; index++) {
    const [row] = yield* sql<{ id: Ids.EntityId }>`
      INSERT INTO entities (name, jurisdiction) VALUES (${`Bench ${index}`}, 'EU') RETURNING id`
    if (row !== undefined) ids.push(row.id)
  }
  yield* Effect.forEach(ids, (entity_id, index) =>
    ledger.apply(
      Ledger.creditDeposit({ key: `bench-dep-${index}`, entity_id, deposit_id: `${index}`, amount: 1_000_000_000 })
    ))
  const move = (prefix: string, index: number) =>
    ledger.apply({
      _tag: "Transfer",
      key: `${prefix}-${index}`,
      type: "ADJUSTMENT",
      notes: "bench",
      reference: `bench:${index}`,
      asset: "EUR",
      legs: [
        { account: Ledger.available(ids[index % ENTITIES] as Ids.EntityId), amount: -100 },
        { account: Ledger.available(ids[(index * 7 + 1) % ENTITIES] as Ids.EntityId), amount: 100 }
      ]
    })
  const indexes = Array.from({ length: OPS }, (_, index) => index)
  let start = performance.now()
  yield* Effect.forEach(indexes, (index) => move("seq", index), { discard: true })
  const sequential = OPS / ((performance.now() - start) / 1000)
  start = performance.now()
  yield* Effect.forEach(indexes, (index) => move("par", index), { concurrency: 16, discard: true })
  const concurrent = OPS / ((performance.now() - start) / 1000)
  const report = yield* ledger.verify
  return { sequential: Math.round(sequential), concurrent: Math.round(concurrent), verified: report.ok }
}).pipe(Effect.provide(Ledger.Ledger.layer))

const pglite = Effect.gen(function*() {
  const dataDir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "niha-db-bench-"))
  yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dataDir, { recursive: true, force: true })))
  return yield* run.pipe(Effect.provide(Layer.fresh(Database.layerEmbedded({ dataDir }))))
}).pipe(Effect.scoped)

const admin = (statement: string) =>
  Effect.scoped(
    Effect.flatMap(
      PgClient.makeClient({ url: Redacted.make(adminUrl), connectTimeout: "3 seconds" }),
      (sql) => sql.unsafe(statement)
    )
  ).pipe(Effect.provide(Reactivity.layer))

const postgres = Effect.gen(function*() {
  const name = `niha_bench_${process.pid}`
  yield* Effect.acquireRelease(
    admin(`CREATE DATABASE ${name}`),
    () => Effect.ignore(admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  )
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return yield* run.pipe(Effect.provide(Layer.fresh(Database.layerUrl({ url: url.toString(), maxConnections: 16 }))))
}).pipe(Effect.scoped)

const main = Effect.gen(function*() {
  const results: Record<string, unknown> = { ops: OPS }
  results.pglite = yield* pglite
  console.log(`PGlite:     ${JSON.stringify(results.pglite)} transfers/s`)
  const pg = yield* Effect.result(postgres)
  results.postgres = pg._tag === "Success" ? pg.success : `skipped: ${String(pg.failure)}`
  console.log(`PostgreSQL: ${JSON.stringify(results.postgres)}${pg._tag === "Success" ? " transfers/s" : ""}`)
  console.log(JSON.stringify(results))
})

Effect.runPromise(main).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
