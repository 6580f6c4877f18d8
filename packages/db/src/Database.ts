/**
 * The two ways to get a NIHA Carbon database, as Layers that provide the same
 * `PgClient` and `SqlClient` of `@effect/sql-pg`, so every repository, the ledger and
 * the migrations run unchanged on both:
 *
 * - {@link layerUrl}: a PostgreSQL 15+ server at a `postgres://` URL, through a pool.
 * - {@link layerEmbedded}: PGlite (PostgreSQL compiled to WebAssembly) with a data
 *   directory on disk, served on a loopback port chosen at start by
 *   `@electric-sql/pglite-socket`, and reached by the same wire-protocol client over
 *   exactly one connection (PGlite is a single session; `@effect/sql-pg` pins that
 *   connection for each transaction, so transactions of concurrent fibers run one after
 *   the other and never see each other's uncommitted rows).
 *
 * {@link layerConfig} picks one from the environment: `DATABASE_URL` when it is set,
 * else the embedded database in `NIHA_DATA_DIR` (default `.niha-data/pglite`).
 *
 * @since 0.1.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"

/**
 * The services every database Layer provides.
 *
 * @category models
 * @since 0.1.0
 */
export type Client = PgClient.PgClient | SqlClient.SqlClient

/**
 * The embedded database could not be opened, served or closed (a data directory that
 * cannot be created or read, a port that cannot be bound).
 *
 * @category errors
 * @since 0.1.0
 */
export class EmbeddedDatabaseError extends Schema.TaggedError<EmbeddedDatabaseError>()(
  "EmbeddedDatabaseError",
  {
    /** The data directory asked for. */
    dataDir: Schema.String,
    /** Opening PGlite on the directory, or serving it on a port. */
    operation: Schema.Literals(["open", "serve"]),
    /** What failed, as the underlying library said it. */
    message: Schema.String
  }
) {}

/**
 * Options of a PostgreSQL server reached by URL.
 *
 * @category models
 * @since 0.1.0
 */
export interface UrlOptions {
  /** A libpq URL, `postgres://user:password@host:port/database?sslmode=...`. */
  readonly url: string
  /** Pool size; 10 unless given. */
  readonly maxConnections?: number | undefined
  /** Name reported in `pg_stat_activity`; `@niha/db` unless given. */
  readonly applicationName?: string | undefined
}

/**
 * A PostgreSQL 15+ server at a URL, through a connection pool.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerUrl = (options: UrlOptions): Layer.Layer<Client, SqlError> =>
  PgClient.layer({
    url: Redacted.make(options.url),
    maxConnections: options.maxConnections ?? 10,
    applicationName: options.applicationName ?? "@niha/db"
  })

/**
 * Options of the embedded database.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmbeddedOptions {
  /** Directory of the database files; created when missing, reused when present. */
  readonly dataDir: string
  /** Loopback address to listen on; `127.0.0.1` unless given. */
  readonly host?: string | undefined
  /** Port to listen on; 0 (a free port chosen by the system) unless given. */
  readonly port?: number | undefined
}

/**
 * Where a running embedded database answers.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmbeddedServer {
  /** The absolute data directory. */
  readonly dataDir: string
  /** The loopback address it listens on. */
  readonly host: string
  /** The port it listens on. */
  readonly port: number
  /** A URL any PostgreSQL client can use while the server runs (no TLS, no password). */
  readonly url: string
}

// A release must not fail (the scope is closing anyway), but a failure to close is worth a
// warning: it can mean the last writes were not flushed.
const closeQuietly = (what: string, close: () => Promise<unknown>): Effect.Effect<void> =>
  Effect.tryPromise(close).pipe(
    Effect.asVoid,
    Effect.catch((cause) => Effect.logWarning(`${what} failed`, cause))
  )

const embeddedUser = "postgres"
const embeddedDatabase = "postgres"

/**
 * Opens PGlite on a data directory and serves it on a loopback port, for as long as
 * the scope is open. Closing the scope stops the socket server, then closes PGlite,
 * which flushes its files, so the next open sees every committed row.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serveEmbedded = (
  options: EmbeddedOptions
): Effect.Effect<EmbeddedServer, EmbeddedDatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const dataDir = NodePath.resolve(options.dataDir)
    const host = options.host ?? "127.0.0.1"
    const failed = (operation: "open" | "serve") => (cause: unknown) =>
      new EmbeddedDatabaseError({ dataDir, operation, message: describe(cause) })
    const database = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await NodeFs.mkdir(dataDir, { recursive: true })
          return await PGlite.create({ dataDir })
        },
        catch: failed("open")
      }),
      (database) => closeQuietly("closing PGlite", () => database.close())
    )
    const server = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          // One connection: PGlite is one session, and a second client would share its
          // transaction state through the server's multiplexer.
          const server = new PGLiteSocketServer({ db: database, host, port: options.port ?? 0, maxConnections: 1 })
          await server.start()
          return server
        },
        catch: failed("serve")
      }),
      (server) => closeQuietly("stopping the PGlite socket server", () => server.stop())
    )
    const port = Number(server.getServerConn().slice(host.length + 1))
    return {
      dataDir,
      host,
      port,
      url: `postgres://${embeddedUser}@${host}:${port}/${embeddedDatabase}?sslmode=disable`
    }
  })

/**
 * The embedded database: PGlite on a data directory, served on a loopback port and
 * reached by `@effect/sql-pg` over exactly one connection, with TLS off (the socket
 * server refuses it) and no password (PGlite trusts every local user). Closing the
 * Layer closes the connection, the socket server and PGlite, in that order.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerEmbedded = (options: EmbeddedOptions): Layer.Layer<Client, SqlError | EmbeddedDatabaseError> =>
  PgClient.layerFrom(
    Effect.flatMap(serveEmbedded(options), (server) =>
      PgClient.makeClient({
        host: server.host,
        port: server.port,
        username: embeddedUser,
        database: embeddedDatabase,
        ssl: false,
        applicationName: "@niha/db"
      }))
  )

/**
 * The data directory of the embedded database when none is configured, relative to
 * the working directory.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultDataDir = ".niha-data/pglite"

/**
 * Which database the environment asks for: a URL, or an embedded data directory.
 *
 * @category models
 * @since 0.1.0
 */
export type Target = UrlTarget | EmbeddedTarget

/**
 * A PostgreSQL server at a URL.
 *
 * @category models
 * @since 0.1.0
 */
export interface UrlTarget {
  /** Discriminates the target. */
  readonly _tag: "Url"
  /** The server's URL. */
  readonly url: string
}

/**
 * The embedded database in a data directory.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmbeddedTarget {
  /** Discriminates the target. */
  readonly _tag: "Embedded"
  /** The data directory. */
  readonly dataDir: string
}

/**
 * Reads the target from `DATABASE_URL`, else `NIHA_DATA_DIR`, else the given default
 * data directory ({@link defaultDataDir} unless given).
 *
 * @category config
 * @since 0.1.0
 */
export const targetConfig = (defaults?: { readonly dataDir?: string | undefined }): Config.Config<Target> =>
  Config.all({
    url: Config.option(Config.String("DATABASE_URL")),
    dataDir: Config.option(Config.String("NIHA_DATA_DIR"))
  }).pipe(
    Config.map(({ dataDir, url }): Target =>
      Option.isSome(url) && url.value.trim() !== "" ?
        { _tag: "Url", url: url.value.trim() } :
        {
          _tag: "Embedded",
          dataDir: Option.getOrElse(
            Option.filter(dataDir, (dir) => dir.trim() !== ""),
            () => defaults?.dataDir ?? defaultDataDir
          )
        }
    )
  )

/**
 * The database of a target.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerTarget = (target: Target): Layer.Layer<Client, SqlError | EmbeddedDatabaseError> =>
  target._tag === "Url" ? layerUrl({ url: target.url }) : layerEmbedded({ dataDir: target.dataDir })

/**
 * The database the environment asks for: `DATABASE_URL` when set, else the embedded
 * database in `NIHA_DATA_DIR`, else in the given default data directory.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConfig = (
  defaults?: { readonly dataDir?: string | undefined }
): Layer.Layer<Client, SqlError | EmbeddedDatabaseError | Config.ConfigError> =>
  Layer.unwrap(Effect.map(targetConfig(defaults), layerTarget))

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)
