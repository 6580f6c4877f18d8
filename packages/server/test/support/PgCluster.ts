/**
 * A PostgreSQL cluster of the test's own, for the suites that restart PostgreSQL under a
 * running server (the machine's shared server must not be restarted): `initdb` into a
 * temporary directory, `pg_ctl start` on a free port of 127.0.0.1, `pg_ctl restart -m
 * immediate` on demand (a crash: no checkpoint, WAL recovery at start), and on scope close
 * `pg_ctl stop -m immediate` and the directories removed, whatever happened.
 *
 * Running as root (as CI does), the cluster belongs to `postgres` and its commands run
 * through `runuser`; PostgreSQL refuses to run as root.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as NodeChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/** A started cluster. */
export interface Cluster {
  /** A URL of its `postgres` database (user `postgres`, trust). */
  readonly url: string
  /** Restarts it in immediate mode (its connections die, recovery runs) and waits until it accepts connections. */
  readonly restartImmediate: Effect.Effect<void>
}

/** The directory of the PostgreSQL binaries, if `initdb` is installed. */
export const binDir = (): string | undefined => {
  const candidates: Array<string> = []
  const configured = NodeChildProcess.spawnSync("pg_config", ["--bindir"], { encoding: "utf8" })
  if (configured.status === 0) candidates.push(configured.stdout.trim())
  const root = "/usr/lib/postgresql"
  if (NodeFs.existsSync(root)) {
    for (const version of NodeFs.readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
      candidates.push(NodePath.join(root, version, "bin"))
    }
  }
  return candidates.find((dir) => NodeFs.existsSync(NodePath.join(dir, "initdb")))
}

const asRoot = process.getuid?.() === 0

/** Why a cluster cannot be made here, or undefined when it can. */
export const skipReason: string | undefined = binDir() === undefined ?
  "no initdb (pg_config --bindir, /usr/lib/postgresql/*/bin)" :
  asRoot && !NodeFs.existsSync("/usr/sbin/runuser") && !NodeFs.existsSync("/sbin/runuser") ?
  "running as root without runuser" :
  undefined

const run = (command: string, args: ReadonlyArray<string>) =>
  Effect.callback<string>((resume) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args]
    NodeChildProcess.execFile(file, argv, { encoding: "utf8" }, (error, stdout, stderr) => {
      resume(
        error === null ?
          Effect.succeed(stdout) :
          Effect.die(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`))
      )
    })
  })

const freePort = Effect.promise(() =>
  new Promise<number>((resolve, reject) => {
    const server = NodeNet.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
)

/** Starts a fresh cluster for the scope. Dies when it cannot (check {@link skipReason} first). */
export const make: Effect.Effect<Cluster, never, Scope.Scope> = Effect.gen(function*() {
  const bin = binDir()
  if (bin === undefined) return yield* Effect.die(new Error(skipReason))
  const pgCtl = NodePath.join(bin, "pg_ctl")
  const root = yield* Effect.acquireRelease(
    Effect.sync(() => {
      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "niha-pg-cluster-"))
      // The data directory must belong to the user PostgreSQL runs as.
      if (asRoot) NodeChildProcess.execFileSync("chown", ["postgres:postgres", dir])
      return dir
    }),
    (dir) => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true }))
  )
  const data = NodePath.join(root, "data")
  const log = NodePath.join(root, "postgres.log")
  const port = yield* freePort
  yield* run(NodePath.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=200`
  yield* Effect.acquireRelease(
    run(pgCtl, ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]),
    () => Effect.ignore(run(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]))
  )
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restartImmediate: Effect.asVoid(
      run(pgCtl, ["-D", data, "-l", log, "-o", options, "-m", "immediate", "-w", "-t", "60", "restart"])
    )
  }
})
