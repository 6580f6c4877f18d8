/**
 * The server bench: a `niha` process on a fresh PostgreSQL database, many funded entities,
 * limit orders placed over HTTP by concurrent keep-alive clients for a fixed time; then, in
 * the same run and with the same clients, a bare Node `http` server answering the same
 * request with a canned answer: the ceiling of HTTP on this machine.
 *
 *   pnpm bench:server                      (BENCH_CLIENTS=32 BENCH_SECONDS=10 by default)
 *
 * Measuring aids: `BENCH_LOG_STATEMENTS=1` sets `log_min_duration_statement = 0` on the
 * bench's database (PostgreSQL's log then has every statement with its duration, to count
 * them per batch); `BENCH_ACCOUNT=1` also loads `GET /account` (authentication and the
 * Effect HTTP stack, no writer) with the same clients and prints its rate, and
 * `BENCH_PATHS=/health,/markets` does the same for other GET paths;
 * `BENCH_SOCKET=/var/run/postgresql` reaches PostgreSQL by its Unix socket instead of TCP.
 * Every run also prints the CPU seconds the server process and the database's backends
 * used per thousand acknowledged orders: a figure that moves far less than orders per
 * second with the load of a shared machine.
 *
 * Prints acknowledged orders per second, p50 and p99 latency, the bare server's rate and
 * the ratio; the last line is one JSON object:
 * `{"ordersPerSec", "p50Ms", "p99Ms", "bareHttpPerSec", "ratio", "errors"}`.
 * Needs PostgreSQL (`NIHA_TEST_DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/test).
 */
import { Database, Ledger } from "@niha/db"
import type { Ids } from "@niha/domain"
import { Password } from "@niha/server"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as NodeChildProcess from "node:child_process"
import * as NodeCrypto from "node:crypto"
import * as NodeFs from "node:fs/promises"
import * as NodeHttp from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

const clients = Number(process.env["BENCH_CLIENTS"] ?? 32)
const seconds = Number(process.env["BENCH_SECONDS"] ?? 10)
const entityCount = Number(process.env["BENCH_ENTITIES"] ?? 16)
const adminUrl = process.env["NIHA_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const password = "a long and quite unusual passphrase 93"
const logStatements = process.env["BENCH_LOG_STATEMENTS"] === "1"
const loadPaths = [
  ...(process.env["BENCH_ACCOUNT"] === "1" ? ["/account"] : []),
  ...(process.env["BENCH_PATHS"] ?? "").split(",").filter((path) => path !== "")
]

interface Result {
  readonly ok: number
  readonly errors: number
  readonly latencies: Array<number>
  readonly seconds: number
}

/** `clients` keep-alive loops sending `request(i)` for `seconds`. */
const load = async (
  base: URL,
  body: (client: number, n: number) => { readonly token: string; readonly json: string },
  endpoint: { readonly method: "POST" | "GET"; readonly path: string; readonly status: number } = {
    method: "POST",
    path: "/orders",
    status: 201
  }
): Promise<Result> => {
  const agent = new NodeHttp.Agent({ keepAlive: true, maxSockets: clients })
  const latencies: Array<number> = []
  let ok = 0
  let errors = 0
  const started = performance.now()
  const until = started + seconds * 1000
  const one = (client: number, n: number) =>
    new Promise<void>((resolve) => {
      const { json, token } = body(client, n)
      const sent = performance.now()
      const request = NodeHttp.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: endpoint.method,
          path: endpoint.path,
          headers: endpoint.method === "GET" ?
            { authorization: `Bearer ${token}` } :
            {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(json),
              authorization: `Bearer ${token}`
            }
        },
        (response) => {
          response.resume()
          response.on("end", () => {
            if (response.statusCode === endpoint.status) {
              ok++
              latencies.push(performance.now() - sent)
            } else {
              errors++
            }
            resolve()
          })
        }
      )
      request.on("error", () => {
        errors++
        resolve()
      })
      if (endpoint.method === "GET") request.end()
      else request.end(json)
    })
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; performance.now() < until; n++) await one(client, n)
    })
  )
  agent.destroy()
  return { ok, errors, latencies, seconds: (performance.now() - started) / 1000 }
}

/** CPU seconds (user + system) a process has used, from `/proc` (0 where there is none). */
const cpuSecondsOf = async (pid: number): Promise<number> => {
  const stat = await NodeFs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")
  // The fields after the command name (which may hold spaces) start at its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100
}

/** The CPU seconds of the server process and of the PostgreSQL backends serving the bench's database, by pid. */
const cpuState = async (serverPid: number, database: string): Promise<Map<number, number>> => {
  const state = new Map<number, number>([[serverPid, await cpuSecondsOf(serverPid)]])
  for (const entry of await NodeFs.readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue
    const command = await NodeFs.readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")
    if (command.startsWith("postgres:") && command.includes(` ${database} `)) {
      state.set(Number(entry), await cpuSecondsOf(Number(entry)))
    }
  }
  return state
}

/** CPU seconds used between two states: the server's, and the database backends' (new ones from 0). */
const cpuUsed = (before: Map<number, number>, after: Map<number, number>, serverPid: number) => {
  let database = 0
  for (const [pid, seconds] of after) if (pid !== serverPid) database += seconds - (before.get(pid) ?? 0)
  return { server: (after.get(serverPid) ?? 0) - (before.get(serverPid) ?? 0), database }
}

/** The sum of a metric's series on the server's `GET /metrics` (0 when it has none). */
const metric = async (base: URL, name: string): Promise<number> => {
  const text = await (await fetch(new URL("/metrics", base))).text()
  let total = 0
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.split(" ").at(-1))
  }
  return total
}

const writerMetrics = ["niha_writer_batches_total", "niha_writer_batch_jobs_total", "niha_writer_busy_seconds_total"]
const writerState = (base: URL) => Promise.all(writerMetrics.map((name) => metric(base, name)))

const percentile = (values: Array<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0
}

/** A fresh database on the PostgreSQL server; dropped at the end. */
const freshDatabase = async () => {
  const name = `niha_bench_${NodeCrypto.randomBytes(5).toString("hex")}`
  const run = (statement: string) =>
    Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
        Effect.provide(Database.layerUrl({ url: adminUrl, maxConnections: 1 }))
      )
    )
  await run(`CREATE DATABASE ${name}`)
  if (logStatements) await run(`ALTER DATABASE ${name} SET log_min_duration_statement = 0`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const socket = process.env["BENCH_SOCKET"] ?? ""
  if (socket !== "") url.searchParams.set("host", socket)
  const analyze = () =>
    Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe("ANALYZE")).pipe(
        Effect.provide(Database.layerUrl({ url: url.toString(), maxConnections: 1 }))
      )
    )
  return { url: url.toString(), analyze, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/** Entities at stage CEA with a password user, funded with EUR and CEA. */
const fund = (url: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ledger = Ledger.make(sql)
    const hashed = yield* Password.hash(password).pipe(
      Effect.provideService(Password.CurrentParams, { ln: 10, r: 8, p: 1 })
    )
    const emails: Array<string> = []
    for (let index = 0; index < entityCount; index++) {
      const [entity] = yield* sql<{ id: Ids.EntityId }>`
        INSERT INTO entities (name, jurisdiction) VALUES (${`Bench ${index}`}, 'EU') RETURNING id`
      if (entity === undefined) return yield* Effect.die("no entity")
      const email = `bench${index}@bench.test`
      yield* sql`
        INSERT INTO users (email, first_name, last_name, role, entity_id, password_hash)
        VALUES (${email}, 'Ben', 'Bench', 'CEA', ${entity.id}, ${hashed})`
      for (const [asset, amount] of [["EUR", 100_000_000_000], ["CEA", 100_000_000]] as const) {
        yield* Effect.orDie(ledger.apply(Ledger.adjust({
          key: `bench:${entity.id}:${asset}`,
          entity_id: entity.id,
          asset,
          amount,
          reason: "bench funding"
        })))
      }
      emails.push(email)
    }
    return emails
  }).pipe(Effect.provide(Database.layerUrl({ url, maxConnections: 2 })))

/** Spawns `script` with `args` and waits for the `API http://...` line it prints on stderr. */
const spawnListening = async (script: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  const child = NodeChildProcess.spawn(process.execPath, ["--conditions=@niha/source", script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  for (let attempt = 0; attempt < 600; attempt++) {
    const found = /API\s+(http:\/\/\S+)/.exec(stderr)?.[1]
    if (found !== undefined) return { child, base: new URL(found) }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill("SIGKILL")
  throw new Error(`${NodePath.basename(script)} printed no URL:\n${stderr}`)
}

const startServer = (url: string, storage: string) =>
  spawnListening(NodePath.resolve(import.meta.dirname, "../src/bin.ts"), ["start"], {
    PORT: "0",
    DATABASE_URL: url,
    NIHA_STORAGE_DIR: storage,
    LOG_LEVEL: "warn"
  })

const main = async () => {
  const database = await freshDatabase()
  const storage = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "niha-bench-"))
  const { base, child } = await startServer(database.url, storage)
  try {
    const emails = await Effect.runPromise(fund(database.url))
    const tokens: Array<string> = []
    for (const email of emails) {
      const response = await fetch(new URL("/auth/login", base), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password })
      })
      tokens.push(((await response.json()) as { token: string }).token)
    }
    // Orders around 12.00: about half cross and trade, the rest rest on the book.
    const order = (client: number, n: number) => {
      const side = (client + n) % 2 === 0 ? "BUY" : "SELL"
      const offset = ((client * 7 + n * 13) % 21) - 10
      const price = ((side === "BUY" ? 1195 : 1205) + offset) / 100
      return {
        token: tokens[client % tokens.length] ?? "",
        json: JSON.stringify({
          market: "CEA_CASH",
          side,
          type: "LIMIT",
          quantity: String(1 + ((client + n) % 10)),
          price: price.toFixed(2)
        })
      }
    }
    await load(base, order).then(() => undefined) // warm-up
    // Statistics, as autovacuum keeps them on a platform in service: without them, the
    // plans the server's connections cached when the tables were nearly empty (a scan of
    // the whole table, cheapest then) stay until autovacuum's first analyze, a minute or
    // more into a fresh database, and the measured phase would time a database of a
    // kind no platform runs on (measured: key look-ups of the journal at 3 ms each).
    await database.analyze()
    // One real answer, for the Effect comparator to send back.
    const sample = order(0, 0)
    const canned = await (await fetch(new URL("/orders", base), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${sample.token}` },
      body: sample.json
    })).text()
    const writerBefore = await writerState(base)
    const databaseName = new URL(database.url).pathname.slice(1)
    const cpuBefore = await cpuState(child.pid ?? 0, databaseName)
    const server = await load(base, order)
    const cpu = cpuUsed(cpuBefore, await cpuState(child.pid ?? 0, databaseName), child.pid ?? 0)
    const [batches = 0, jobs = 0, busy = 0] = (await writerState(base)).map((value, index) =>
      value - (writerBefore[index] ?? 0)
    )
    // Other endpoints, each loaded alone: what the request path costs without the order.
    const others: Array<{ readonly path: string; readonly result: Result; readonly cpu: ReturnType<typeof cpuUsed> }> =
      []
    for (const path of loadPaths) {
      const before = await cpuState(child.pid ?? 0, databaseName)
      const result = await load(base, order, { method: "GET", path, status: 200 })
      others.push({ path, result, cpu: cpuUsed(before, await cpuState(child.pid ?? 0, databaseName), child.pid ?? 0) })
    }
    child.kill("SIGTERM")
    // The Effect HTTP stack alone, in a process of its own: no authentication, no database.
    const effectHttp = await spawnListening(NodePath.resolve(import.meta.dirname, "effectHttp.ts"), [], {
      BENCH_CANNED: canned
    })
    const frameworkCpuBefore = await cpuSecondsOf(effectHttp.child.pid ?? 0)
    const framework = await load(effectHttp.base, order)
    const frameworkCpu = (await cpuSecondsOf(effectHttp.child.pid ?? 0)) - frameworkCpuBefore
    effectHttp.child.kill("SIGKILL")
    // The ceiling: a bare Node server answering the same request with the same real answer.
    const bare = NodeHttp.createServer((request, response) => {
      request.resume()
      request.on("end", () => response.writeHead(201, { "content-type": "application/json" }).end(canned))
    })
    await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
    const address = bare.address()
    const bareBase = new URL(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`)
    const ceiling = await load(bareBase, order)
    bare.close()
    const ordersPerSec = Math.round(server.ok / server.seconds)
    const bareHttpPerSec = Math.round(ceiling.ok / ceiling.seconds)
    const figures = {
      ordersPerSec,
      p50Ms: Number(percentile(server.latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(server.latencies, 99).toFixed(2)),
      bareHttpPerSec,
      ratio: Number((ordersPerSec / Math.max(1, bareHttpPerSec)).toFixed(3)),
      errors: server.errors
    }
    console.log(`clients ${clients}, ${seconds} s, ${entityCount} entities, PostgreSQL`)
    console.log(`acknowledged orders/s ${figures.ordersPerSec} (p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms)`)
    if (batches > 0) {
      console.log(
        `writer: ${batches} batches, ${(jobs / batches).toFixed(1)} commands each, ${
          ((busy * 1000) / batches).toFixed(1)
        } ms each, busy ${((100 * busy) / server.seconds).toFixed(0)} % of the time`
      )
    }
    if (server.ok > 0) {
      // CPU per order moves far less with the machine's load than orders per second do.
      console.log(
        `CPU per 1,000 orders: server ${((1000 * cpu.server) / server.ok).toFixed(2)} s, PostgreSQL ${
          ((1000 * cpu.database) / server.ok).toFixed(2)
        } s`
      )
    }
    for (const { cpu: used, path, result } of others) {
      console.log(
        `GET ${path}/s ${Math.round(result.ok / result.seconds)} (p50 ${
          percentile(result.latencies, 50).toFixed(2)
        } ms, p99 ${percentile(result.latencies, 99).toFixed(2)} ms, errors ${result.errors}; CPU per 1,000: server ${
          ((1000 * used.server) / Math.max(1, result.ok)).toFixed(2)
        } s, PostgreSQL ${((1000 * used.database) / Math.max(1, result.ok)).toFixed(2)} s)`
      )
    }
    console.log(
      `Effect HttpApi/s      ${Math.round(framework.ok / framework.seconds)} (CPU per 1,000: ${
        ((1000 * frameworkCpu) / Math.max(1, framework.ok)).toFixed(2)
      } s; the same request decoded and the same answer encoded, in a process of its own: no authentication, no database; errors ${framework.errors})`
    )
    console.log(`bare Node http/s      ${figures.bareHttpPerSec} (ratio ${figures.ratio})`)
    console.log(JSON.stringify(figures))
  } finally {
    child.kill("SIGKILL")
    await database.drop()
    await NodeFs.rm(storage, { recursive: true, force: true })
  }
}

await main()
