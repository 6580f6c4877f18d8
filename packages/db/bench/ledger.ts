/**
 * The ledger bench: transfers per second on PostgreSQL, one transfer per transaction from
 * BENCH_CLIENTS concurrent clients, and in batches of BENCH_BATCH transfers per transaction
 * (`Ledger.submitBatch`, the order writer's group commit), beside `pgbench`'s TPC-B rate
 * with the same number of clients on the same server in the same run.
 *
 * Each round runs the ledger in a fresh Node process on a fresh database (migrated, with
 * BENCH_ENTITIES entities funded), then pgbench on a fresh database (`pgbench -i`, then
 * `pgbench -c C -j C -T seconds`); rounds interleave, so a noisy moment of the shared
 * machine hits both. The summary gives the median and the worst round of each figure, never
 * the best. The last line is one JSON object for scripts:
 * `{"singlePerSec", "batchPerSec", "pgbenchTps", "clients"}` (medians).
 *
 * Settings (environment): NIHA_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test,
 * the server and a database to create the others from), BENCH_CLIENTS (16), BENCH_SECONDS
 * per figure (5), BENCH_ROUNDS (3), BENCH_BATCH (1000), BENCH_BATCH_WRITERS (1: one client
 * committing batches one after the other; 2 models the writers of the two markets, each
 * moving money among its own half of the entities), BENCH_ENTITIES (1000),
 * BENCH_PGBENCH_SCALE (1, pgbench's default), PGBENCH (the pgbench binary, default
 * /usr/bin/pgbench, else `pgbench` on the PATH).
 *
 * Run: `pnpm --filter @niha/db bench` (or `pnpm bench:ledger` at the root).
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { Database, Ledger, Migrations } from "@niha/db"
import { Ids } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Reactivity from "effect/reactivity/Reactivity"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeChild from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeUrl from "node:url"

const settings = {
  adminUrl: process.env.NIHA_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test",
  clients: Number(process.env.BENCH_CLIENTS ?? 16),
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  batch: Number(process.env.BENCH_BATCH ?? 1000),
  writers: Number(process.env.BENCH_BATCH_WRITERS ?? 1),
  entities: Number(process.env.BENCH_ENTITIES ?? 1000),
  scale: Number(process.env.BENCH_PGBENCH_SCALE ?? 1)
}

const CHILD_FLAG = "--ledger-round"

// ---------------------------------------------------------------------------------------------
// One round of the ledger, in a child process
// ---------------------------------------------------------------------------------------------

const admin = (statement: string) =>
  Effect.scoped(
    Effect.flatMap(
      PgClient.makeClient({ url: Redacted.make(settings.adminUrl), connectTimeout: "3 seconds" }),
      (sql) => sql.unsafe(statement)
    )
  ).pipe(Effect.provide(Reactivity.layer))

const databaseUrl = (name: string) => {
  const url = new URL(settings.adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** A fresh database for the scope, dropped when it closes. */
const freshDatabase = (prefix: string) => {
  const name = `${prefix}_${process.pid}_${Date.now()}`
  return Effect.as(
    Effect.acquireRelease(
      admin(`CREATE DATABASE ${name}`),
      () => Effect.ignore(admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    ),
    name
  )
}

const decodeIds = Schema.decodeUnknownEffect(Schema.Array(Schema.Struct({ id: Ids.EntityId })))

/** Creates the entities and credits each 10,000,000.00 EUR, in one batch. */
const fund = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ledger = yield* Ledger.Ledger
  const rows = yield* sql`
    INSERT INTO entities (name, jurisdiction)
    SELECT 'Bench ' || n, 'EU' FROM generate_series(1, ${settings.entities}) AS n RETURNING id`
  const ids = (yield* Effect.orDie(decodeIds(rows))).map((row) => row.id)
  const results = yield* ledger.submitBatch(ids.map((entity_id, index) => [
    Ledger.creditDeposit({ key: `bench:fund:${index}`, entity_id, deposit_id: `${index}`, amount: 1_000_000_000 })
  ]))
  if (!results.every(Result.isSuccess)) return yield* Effect.die(new Error("funding the bench entities failed"))
  return ids
})

/** A transfer of 0.01 to 1.00 EUR between two different entities picked at random. */
const move = (ids: ReadonlyArray<Ids.EntityId>, key: string): Ledger.Request => {
  const from = Math.floor(Math.random() * ids.length)
  const to = (from + 1 + Math.floor(Math.random() * (ids.length - 1))) % ids.length
  const amount = 1 + Math.floor(Math.random() * 100)
  return {
    _tag: "Transfer",
    key,
    type: "ADJUSTMENT",
    notes: "bench",
    reference: `bench:${key}`,
    asset: "EUR",
    legs: [
      { account: Ledger.available(ids[from] as Ids.EntityId), amount: -amount },
      { account: Ledger.available(ids[to] as Ids.EntityId), amount }
    ]
  }
}

/** Runs `step` from `clients` fibers until `seconds` have passed; returns how many steps finished per second. */
const timed = <E>(
  clients: number,
  seconds: number,
  step: (client: number, index: number) => Effect.Effect<number, E>
) =>
  Effect.gen(function*() {
    const end = performance.now() + seconds * 1000
    const start = performance.now()
    const counts = yield* Effect.forEach(
      Array.from({ length: clients }, (_, client) => client),
      (client) =>
        Effect.gen(function*() {
          let done = 0
          for (let index = 0; performance.now() < end; index++) done += yield* step(client, index)
          return done
        }),
      { concurrency: "unbounded" }
    )
    return counts.reduce((sum, count) => sum + count, 0) / ((performance.now() - start) / 1000)
  })

const ledgerRound = Effect.gen(function*() {
  const ledger = yield* Ledger.Ledger
  const ids = yield* fund
  const single = (prefix: string) => (client: number, index: number) =>
    Effect.as(ledger.apply(move(ids, `${prefix}:${client}:${index}`)), 1)
  // Warm up (prepared statements, JIT), then measure.
  yield* timed(settings.clients, 1, single("warm"))
  const singlePerSec = yield* timed(settings.clients, settings.seconds, single("single"))
  // Each writer moves money among its own entities (as the writers of two markets would
  // among their own orders); with one writer, among all.
  const partitions = Array.from(
    { length: settings.writers },
    (_, writer) => ids.filter((_, index) => index % settings.writers === writer)
  )
  const batch = (writer: number, index: number) =>
    Effect.flatMap(
      ledger.submitBatch(
        Array.from(
          { length: settings.batch },
          (_, n) => [move(partitions[writer] ?? ids, `batch:${writer}:${index}:${n}`)]
        )
      ),
      (results) =>
        results.every(Result.isSuccess) ?
          Effect.succeed(results.length) :
          Effect.die(new Error("a bench transfer was refused"))
    )
  yield* timed(settings.writers, 1, (writer, index) => batch(writer, -1 - index))
  const batchPerSec = yield* timed(settings.writers, settings.seconds, batch)
  const report = yield* ledger.verify
  if (!report.ok) return yield* Effect.die(new Error(`verify is not clean: ${JSON.stringify(report)}`))
  return { singlePerSec: Math.round(singlePerSec), batchPerSec: Math.round(batchPerSec) }
})

const childMain = Effect.gen(function*() {
  const name = yield* freshDatabase("niha_bench_ledger")
  const database = Database.layerUrl({ url: databaseUrl(name), maxConnections: settings.clients })
  return yield* Effect.andThen(Migrations.run, ledgerRound).pipe(
    Effect.provide(Ledger.Ledger.layer.pipe(Layer.provideMerge(Layer.fresh(database))))
  )
}).pipe(Effect.scoped)

// ---------------------------------------------------------------------------------------------
// The driver: rounds of the ledger (child processes) and pgbench, interleaved
// ---------------------------------------------------------------------------------------------

const self = NodeUrl.fileURLToPath(import.meta.url)

const LedgerFigures = Schema.Struct({ singlePerSec: Schema.Number, batchPerSec: Schema.Number })
const decodeFigures = Schema.decodeUnknownEffect(Schema.fromJsonString(LedgerFigures))

/** One ledger round in a fresh Node process; its last line of output is its figures. */
const runLedgerRound = Effect.gen(function*() {
  const output = yield* Effect.tryPromise({
    try: () =>
      new Promise<string>((resolve, reject) =>
        NodeChild.execFile(
          process.execPath,
          [...process.execArgv, self, CHILD_FLAG],
          { env: process.env, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) => error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`))
        )
      ),
    catch: (cause) => cause
  })
  const last = output.trim().split("\n").at(-1) ?? ""
  return yield* decodeFigures(last)
})

const pgbenchBinary = (): string | undefined => {
  if (process.env.PGBENCH !== undefined) return process.env.PGBENCH
  if (NodeFs.existsSync("/usr/bin/pgbench")) return "/usr/bin/pgbench"
  const found = NodeChild.spawnSync("sh", ["-c", "command -v pgbench"], { encoding: "utf8" })
  return found.status === 0 && found.stdout.trim() !== "" ? found.stdout.trim() : undefined
}

/** Runs pgbench with the connection of the admin URL on database `name`; resolves with its output. */
const pgbench = (binary: string, name: string, args: ReadonlyArray<string>) => {
  const url = new URL(settings.adminUrl)
  const connection = [
    "-h",
    url.hostname,
    "-p",
    url.port === "" ? "5432" : url.port,
    "-U",
    decodeURIComponent(url.username === "" ? "postgres" : url.username)
  ]
  const env = url.password === "" ? process.env : { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }
  return Effect.tryPromise({
    try: () =>
      new Promise<string>((resolve, reject) =>
        NodeChild.execFile(
          binary,
          [...connection, ...args, name],
          { env },
          (error, stdout, stderr) =>
            error === null ? resolve(`${stdout}\n${stderr}`) : reject(new Error(`${error.message}\n${stderr}`))
        )
      ),
    catch: (cause) => cause
  })
}

/** One pgbench TPC-B round on a fresh database: its tps. */
const runPgbench = (binary: string) =>
  Effect.gen(function*() {
    const name = yield* freshDatabase("niha_bench_pgbench")
    yield* pgbench(binary, name, ["-i", "-q", "-s", String(settings.scale)])
    const output = yield* pgbench(binary, name, [
      "-c",
      String(settings.clients),
      "-j",
      String(settings.clients),
      "-T",
      String(settings.seconds)
    ])
    const match = /tps = ([\d.]+)/.exec(output)
    if (match?.[1] === undefined) {
      return yield* Effect.fail(new Error(`no "tps =" line in pgbench's output:\n${output}`))
    }
    return Math.round(Number(match[1]))
  }).pipe(Effect.scoped)

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ?
    sorted[middle] ?? 0 :
    Math.round(((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2)
}

const summary = (label: string, values: ReadonlyArray<number>, unit: string) =>
  `${label}: median ${median(values)} ${unit}, worst ${Math.min(...values)} ${unit} (rounds: ${values.join(", ")})`

const main = Effect.gen(function*() {
  const server = new URL(settings.adminUrl)
  console.log(
    `ledger bench on PostgreSQL at ${server.host}: ${settings.clients} clients, ${settings.entities} funded entities, ` +
      `${settings.seconds} s per figure, ${settings.rounds} rounds (a fresh process and database each), ` +
      `batches of ${settings.batch} transfers from ${settings.writers} writer${settings.writers === 1 ? "" : "s"}`
  )
  const binary = pgbenchBinary()
  if (binary === undefined) {
    console.log("pgbench: skipped, no pgbench binary (looked at PGBENCH, /usr/bin/pgbench, PATH)")
  }
  const single: Array<number> = []
  const batch: Array<number> = []
  const tps: Array<number> = []
  let pgbenchSkipped: string | undefined = binary === undefined ? "no pgbench binary" : undefined
  for (let round = 1; round <= settings.rounds; round++) {
    const figures = yield* runLedgerRound
    single.push(figures.singlePerSec)
    batch.push(figures.batchPerSec)
    let line = `round ${round}: single ${figures.singlePerSec}/s, batch ${figures.batchPerSec}/s`
    if (binary !== undefined && pgbenchSkipped === undefined) {
      const result = yield* Effect.result(runPgbench(binary))
      if (Result.isSuccess(result)) {
        tps.push(result.success)
        line += `, pgbench ${result.success} tps`
      } else {
        pgbenchSkipped = String(result.failure)
        console.log(`pgbench: skipped, it failed: ${pgbenchSkipped}`)
      }
    }
    console.log(line)
  }
  console.log(summary(`single transfers (one per transaction, ${settings.clients} clients)`, single, "transfers/s"))
  console.log(
    summary(
      `batches (${settings.batch} transfers per transaction, ${settings.writers} writer${
        settings.writers === 1 ? "" : "s"
      })`,
      batch,
      "transfers/s"
    )
  )
  if (tps.length > 0) {
    console.log(summary(`pgbench TPC-B (scale ${settings.scale}, ${settings.clients} clients)`, tps, "tps"))
    console.log(
      `single / pgbench: ${(median(single) / median(tps)).toFixed(2)} (target at least 0.5); ` +
        `batches: ${median(batch)} transfers/s (target at least 10000)`
    )
  }
  console.log(JSON.stringify({
    singlePerSec: median(single),
    batchPerSec: median(batch),
    pgbenchTps: tps.length > 0 ? median(tps) : null,
    clients: settings.clients
  }))
})

const program = process.argv.includes(CHILD_FLAG) ?
  Effect.map(childMain, (figures) => console.log(JSON.stringify(figures))) :
  main

Effect.runPromise(program).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
