/**
 * The `niha` command line, built with Effect's CLI module:
 *
 * - `niha start`: migrates the database, then serves the API, its OpenAPI document and
 *   its reference page, and prints their URLs; runs until SIGINT or SIGTERM, then shuts
 *   down gracefully (see `Server`).
 * - `niha migrate`: runs the pending migrations and says which.
 * - `niha seed --demo`: migrates, then loads `@niha/db`'s demo data set (rows that are
 *   already there are left alone, so seeding twice changes nothing).
 * - `niha calendar check FILE`: checks a calendar configuration file (a newly published
 *   year of China's holiday schedule, ad-hoc closures) and shows how far each calendar's
 *   data reaches with it; `niha start --calendar-file FILE` (`NIHA_CALENDAR_FILE`) uses it.
 * - `niha admin create --email ...`: makes an admin with a generated password, printed
 *   once. `niha start` does the same on a database without any admin
 *   (`--admin-email`/`NIHA_ADMIN_EMAIL`, admin@niha.local), so the first start prints the
 *   credentials to sign in with.
 *
 * Every setting is a flag with an environment variable behind it (a flag wins over the
 * variable, the variable over the default): `--port`/`PORT` (4000), `--host`/`NIHA_HOST`
 * (127.0.0.1), `--database-url`/`DATABASE_URL` or `--data-dir`/`NIHA_DATA_DIR` (the
 * embedded database, `.niha-data/pglite` under the working directory),
 * `--anonymity-secret`/`NIHA_ANONYMITY_SECRET` (the key of the counterparty codes of
 * public trades, the same on every instance; random per process unless given),
 * `--log-level`/`LOG_LEVEL` (info), `--max-body-size`/`NIHA_MAX_BODY_SIZE` (1MiB),
 * `--cors-origins`/`NIHA_CORS_ORIGINS` (none), `--shutdown-timeout`/`NIHA_SHUTDOWN_TIMEOUT`
 * (20 seconds), `--storage-dir`/`NIHA_STORAGE_DIR` (uploaded files; `files/` beside the
 * embedded data directory), `--public-url`/`NIHA_PUBLIC_URL` (links in mail).
 *
 * - `niha audit verify`: checks the hash chains of `ticket_logs` and `activity_logs` and
 *   prints one line per table: whole (with the head's place and hash, worth keeping
 *   outside the database) or the first row edited, missing or outside the chain; fails
 *   (exit code 1) when a chain is broken.
 * - `niha backup --out FILE`: a backup of the whole database (PostgreSQL: `pg_dump` in one
 *   snapshot, custom format; embedded: PGlite's dump of its data directory), with a
 *   progress line every few seconds on long runs. `niha restore --from FILE` restores one
 *   into an empty database (a new PostgreSQL database, or a new data directory). Stop the
 *   server first on the embedded database.
 *
 * @since 0.1.0
 */
import { AuditChain, Backup, Database, DemoFixture, Migrations } from "@niha/db"
import * as ByteSize from "effect/ByteSize"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as NodePath from "node:path"
import * as Admin from "./Admin.ts"
import * as DocumentStorage from "./DocumentStorage.ts"
import * as Handlers from "./Handlers.ts"
import * as Logging from "./Logging.ts"
import * as RequestContext from "./RequestContext.ts"
import * as Server from "./Server.ts"
import * as SettlementCalendars from "./services/SettlementCalendars.ts"

/**
 * Both database flags were given; only one database can be served.
 *
 * @category errors
 * @since 0.1.0
 */
export class ConflictingDatabaseFlags
  extends Schema.TaggedError<ConflictingDatabaseFlags>()("ConflictingDatabaseFlags", {})
{
  /** The error in a sentence a person can read. */
  override get message(): string {
    return "give --database-url or --data-dir, not both"
  }
}

/**
 * `niha seed` without `--demo`: the demo data set is the only seed there is, and the flag
 * says on purpose that it goes into this database.
 *
 * @category errors
 * @since 0.1.0
 */
export class SeedNeedsDemo extends Schema.TaggedError<SeedNeedsDemo>()("SeedNeedsDemo", {}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return "niha seed loads the demo data set: say so with --demo"
  }
}

/**
 * The demo data set could not be loaded (a row its domain model or the database refused).
 *
 * @category errors
 * @since 0.1.0
 */
export class SeedFailed extends Schema.TaggedError<SeedFailed>()("SeedFailed", {
  /** What went wrong, from `@niha/db`. */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `the demo data set could not be loaded: ${this.reason}`
  }
}

/**
 * A calendar configuration file that cannot be read, decoded or applied, with the problem.
 *
 * @category errors
 * @since 0.1.0
 */
export class CalendarFileRefused extends Schema.TaggedError<CalendarFileRefused>()("CalendarFileRefused", {
  /** What is wrong with it. */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.reason
  }
}

/**
 * A size flag that is neither a byte count nor a size such as `512kB` or `1MiB`.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSize extends Schema.TaggedError<InvalidSize>()("InvalidSize", {
  /** The text given. */
  input: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `invalid size ${JSON.stringify(this.input)}: give bytes (1048576) or a size with a unit (1MiB, 512kB)`
  }
}

/**
 * `niha audit verify` found a broken chain (each table's finding is printed before).
 *
 * @category errors
 * @since 0.1.0
 */
export class AuditChainBroken extends Schema.TaggedError<AuditChainBroken>()("AuditChainBroken", {
  /** The tables whose chain is broken. */
  tables: Schema.Array(Schema.String)
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `the audit chain of ${this.tables.join(" and ")} is broken`
  }
}

const databaseUrl = Flag.String("database-url").pipe(
  Flag.withDescription("PostgreSQL 15+ URL (env DATABASE_URL, which wins over NIHA_DATA_DIR)"),
  Flag.optional
)

const dataDir = Flag.String("data-dir").pipe(
  Flag.withDescription(`Data directory of the embedded database (env NIHA_DATA_DIR; ${Database.defaultDataDir})`),
  Flag.optional
)

const port = Flag.Int("port").pipe(
  Flag.withDescription(`Port to listen on, 0 for any free one (env PORT; ${Server.defaultPort})`),
  Flag.withFallbackConfig(Config.Int("PORT")),
  Flag.withDefault(Server.defaultPort)
)

const host = Flag.String("host").pipe(
  Flag.withDescription(`Address to listen on (env NIHA_HOST; ${Server.defaultHost}); 0.0.0.0 in a container`),
  Flag.withFallbackConfig(Config.String("NIHA_HOST")),
  Flag.withDefault(Server.defaultHost)
)

const maxBodySize = Flag.String("max-body-size").pipe(
  Flag.withDescription("Largest request body, bytes or with a unit such as 1MiB (env NIHA_MAX_BODY_SIZE; 1MiB)"),
  Flag.withFallbackConfig(Config.String("NIHA_MAX_BODY_SIZE")),
  Flag.withDefault(String(RequestContext.defaultMaxBodySize))
)

const corsOrigins = Flag.String("cors-origins").pipe(
  Flag.withDescription("Comma-separated origins browsers may call from, or * (env NIHA_CORS_ORIGINS; none)"),
  Flag.withFallbackConfig(Config.String("NIHA_CORS_ORIGINS")),
  Flag.withDefault("")
)

const shutdownTimeout = Flag.Int("shutdown-timeout").pipe(
  Flag.withDescription("Seconds shutdown waits for requests in flight (env NIHA_SHUTDOWN_TIMEOUT; 20)"),
  Flag.withFallbackConfig(Config.Int("NIHA_SHUTDOWN_TIMEOUT")),
  Flag.withDefault(Duration.toSeconds(Server.defaultShutdownTimeout))
)

/**
 * The database the flags and the environment name: `--database-url`, else
 * `--data-dir`, else `DATABASE_URL`, else `NIHA_DATA_DIR`, else the default data
 * directory.
 *
 * @category config
 * @since 0.1.0
 */
export const resolveTarget = (flags: {
  readonly databaseUrl: Option.Option<string>
  readonly dataDir: Option.Option<string>
}): Effect.Effect<Database.Target, ConflictingDatabaseFlags | Config.ConfigError> => {
  if (Option.isSome(flags.databaseUrl) && Option.isSome(flags.dataDir)) {
    return Effect.fail(new ConflictingDatabaseFlags())
  }
  if (Option.isSome(flags.databaseUrl)) return Effect.succeed({ _tag: "Url", url: flags.databaseUrl.value })
  if (Option.isSome(flags.dataDir)) return Effect.succeed({ _tag: "Embedded", dataDir: flags.dataDir.value })
  return Database.targetConfig()
}

/**
 * A target as a person reads it: the absolute data directory, or the URL without its
 * password.
 *
 * @category config
 * @since 0.1.0
 */
export const describeTarget = (target: Database.Target): string => {
  if (target._tag === "Embedded") return `embedded PostgreSQL (PGlite) in ${NodePath.resolve(target.dataDir)}`
  try {
    const url = new URL(target.url)
    if (url.password !== "") url.password = "***"
    return `PostgreSQL at ${url.toString()}`
  } catch {
    return "PostgreSQL at an unparseable URL"
  }
}

/**
 * Bytes of a size flag: a plain count or a size with a unit.
 *
 * @category config
 * @since 0.1.0
 */
export const parseSize = (input: string): Effect.Effect<number, InvalidSize> => {
  const trimmed = input.trim()
  const size = /^\d+$/.test(trimmed) ? Option.some(Number(trimmed)) : Option.map(
    ByteSize.fromString(trimmed),
    (bytes) => Number(ByteSize.toNumberUnsafe(bytes))
  )
  return Option.match(Option.filter(size, (bytes) => Number.isSafeInteger(bytes) && bytes > 0), {
    onNone: () => Effect.fail(new InvalidSize({ input })),
    onSome: Effect.succeed
  })
}

/**
 * The log level: `--log-level`, else `LOG_LEVEL`, else info.
 *
 * @category config
 * @since 0.1.0
 */
export const resolveLogLevel = Effect.gen(function*() {
  const flag = yield* GlobalFlag.LogLevel
  return Option.isSome(flag) ? flag.value : yield* Logging.levelConfig
})

const storageDir = Flag.String("storage-dir").pipe(
  Flag.withDescription("Directory of uploaded files (env NIHA_STORAGE_DIR; files/ beside the embedded data directory)"),
  Flag.withFallbackConfig(Config.String("NIHA_STORAGE_DIR")),
  Flag.optional
)

const publicUrl = Flag.String("public-url").pipe(
  Flag.withDescription("URL people reach the platform at, for links in mail (env NIHA_PUBLIC_URL; the API URL)"),
  Flag.withFallbackConfig(Config.String("NIHA_PUBLIC_URL")),
  Flag.optional
)

const calendarFile = Flag.String("calendar-file").pipe(
  Flag.withDescription(
    "Calendar configuration (JSON): China years beyond the library's data, ad-hoc closures; checked at start " +
      "(env NIHA_CALENDAR_FILE; none)"
  ),
  Flag.withFallbackConfig(Config.String("NIHA_CALENDAR_FILE")),
  Flag.optional
)

const anonymitySecret = Flag.String("anonymity-secret").pipe(
  Flag.withDescription(
    "Key of the anonymous counterparty codes; the same on every instance of one database " +
      "(env NIHA_ANONYMITY_SECRET; random per process)"
  ),
  Flag.withFallbackConfig(Config.String("NIHA_ANONYMITY_SECRET")),
  Flag.optional
)

const adminEmail = Flag.String("admin-email").pipe(
  Flag.withDescription(
    `Email of the admin made on first start (env NIHA_ADMIN_EMAIL; ${Admin.defaultFirstAdminEmail})`
  ),
  Flag.withFallbackConfig(Config.String("NIHA_ADMIN_EMAIL")),
  Flag.withDefault(Admin.defaultFirstAdminEmail)
)

/**
 * The directory of uploaded files: the flag or `NIHA_STORAGE_DIR`, else `files/` beside
 * the embedded database's data directory, else `.niha-data/files`.
 *
 * @category config
 * @since 0.1.0
 */
export const resolveStorageDir = (target: Database.Target, flag: Option.Option<string>): string =>
  Option.getOrElse(
    flag,
    () =>
      target._tag === "Embedded" ? NodePath.join(target.dataDir, "..", "files") : NodePath.join(".niha-data", "files")
  )

/**
 * The lines `niha` prints once when it made an admin: the only time its password is shown.
 *
 * @category output
 * @since 0.1.0
 */
export const announceAdmin = (created: Admin.Created, apiUrl: string): string =>
  [
    "",
    "  An admin was created; its password is shown only now:",
    `    email     ${created.user.email}`,
    `    password  ${created.password}`,
    `  Sign in:  curl -s ${apiUrl}/auth/login -H 'content-type: application/json' \\`,
    `              -d '{"email":"${created.user.email}","password":"${created.password}"}'`,
    "  then set your own password with POST /account/password.",
    ""
  ].join("\n")

const start = Command.make(
  "start",
  {
    port,
    host,
    databaseUrl,
    dataDir,
    maxBodySize,
    corsOrigins,
    shutdownTimeout,
    storageDir,
    publicUrl,
    adminEmail,
    anonymitySecret,
    calendarFile
  },
  Effect.fnUntraced(function*(flags) {
    const level = yield* resolveLogLevel
    const target = yield* resolveTarget(flags)
    const bodyLimit = yield* parseSize(flags.maxBodySize)
    const origins = flags.corsOrigins.split(",").map((origin) => origin.trim()).filter((origin) => origin !== "")
    yield* Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(Server.layer({
        port: flags.port,
        host: flags.host,
        database: Database.layerTarget(target),
        maxBodySize: bodyLimit,
        corsOrigins: origins,
        shutdownTimeout: Duration.seconds(flags.shutdownTimeout),
        storage: DocumentStorage.layerDirectory(resolveStorageDir(target, flags.storageDir)),
        publicUrl: Option.getOrUndefined(flags.publicUrl),
        anonymitySecret: Option.getOrUndefined(flags.anonymitySecret),
        calendarFile: Option.getOrUndefined(flags.calendarFile),
        // On a PostgreSQL server other instances may serve the same database.
        peers: target._tag === "Url",
        firstAdmin: {
          email: flags.adminEmail,
          announce: (created, apiUrl) => Console.error(announceAdmin(created, apiUrl))
        }
      }))
      const listeningOn = yield* Effect.provide(Server.port, context)
      const address = Server.urls(flags.host, listeningOn)
      yield* Console.error([
        `NIHA Carbon ${Handlers.version} is serving`,
        `  API        ${address.api}`,
        `  Reference  ${address.docs}`,
        `  OpenAPI    ${address.openapi}`,
        `  Database   ${describeTarget(target)}`,
        "Stop with Ctrl-C (SIGINT) or SIGTERM; requests in flight finish first."
      ].join("\n"))
      return yield* Effect.never
    })).pipe(Effect.provide(Logging.layer({ level })))
  })
).pipe(
  Command.withDescription("Migrate the database, then serve the API and its reference page"),
  Command.withExamples([
    { command: "niha start", description: "Serve on port 4000 with the embedded database in .niha-data/pglite" },
    {
      command: "niha start --port 8080 --database-url postgres://niha@localhost:5432/niha",
      description: "Serve on a PostgreSQL server"
    }
  ])
)

const migrate = Command.make(
  "migrate",
  { databaseUrl, dataDir },
  Effect.fnUntraced(function*(flags) {
    const level = yield* resolveLogLevel
    const target = yield* resolveTarget(flags)
    const applied = yield* Migrations.run.pipe(
      Effect.provide(Database.layerTarget(target)),
      Effect.provide(Logging.layer({ level }))
    )
    yield* Console.log(
      applied.length === 0 ?
        `${describeTarget(target)} is up to date (migration ${Handlers.expectedMigration})` :
        `${describeTarget(target)}: ran ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`
    )
  })
).pipe(Command.withDescription("Run the pending database migrations"))

const seed = Command.make(
  "seed",
  {
    demo: Flag.Boolean("demo").pipe(
      Flag.withDescription("Load the demo data set (users, entities, contact requests, prices, ...)"),
      Flag.withDefault(false)
    ),
    databaseUrl,
    dataDir
  },
  Effect.fnUntraced(function*(flags) {
    if (!flags.demo) return yield* new SeedNeedsDemo()
    const level = yield* resolveLogLevel
    const target = yield* resolveTarget(flags)
    const inserted = yield* Effect.andThen(
      Migrations.run,
      DemoFixture.load.pipe(
        Effect.mapError((error) => error._tag === "SqlError" ? error : new SeedFailed({ reason: error.message }))
      )
    ).pipe(
      Effect.provide(Database.layerTarget(target)),
      Effect.provide(Logging.layer({ level }))
    )
    const tables = Object.entries(inserted).map(([table, count]) => `${table} ${count}`)
    yield* Console.log(
      tables.length === 0 ?
        `${describeTarget(target)} already holds the demo data set` :
        `${describeTarget(target)}: loaded the demo data set (${tables.join(", ")})`
    )
  })
).pipe(Command.withDescription("Migrate the database, then load the demo data set (idempotent)"))

const adminCreate = Command.make(
  "create",
  {
    email: Flag.String("email").pipe(Flag.withDescription("The admin's sign-in email")),
    firstName: Flag.String("first-name").pipe(Flag.withDescription("Given name"), Flag.withDefault("Admin")),
    lastName: Flag.String("last-name").pipe(Flag.withDescription("Family name"), Flag.withDefault("Admin")),
    databaseUrl,
    dataDir
  },
  Effect.fnUntraced(function*(flags) {
    const level = yield* resolveLogLevel
    const target = yield* resolveTarget(flags)
    const created = yield* Effect.andThen(
      Migrations.run,
      Admin.create({ email: flags.email, first_name: flags.firstName, last_name: flags.lastName })
    ).pipe(
      Effect.provide(Database.layerTarget(target)),
      Effect.provide(Logging.layer({ level }))
    )
    yield* Console.log(announceAdmin(created, Server.urls(Server.defaultHost, Server.defaultPort).api))
  })
).pipe(
  Command.withDescription("Create an admin with a generated password, printed once"),
  Command.withExamples([{ command: "niha admin create --email ops@example.com", description: "A second admin" }])
)

const calendarCheck = Command.make(
  "check",
  { file: Argument.String("file").pipe(Argument.withDescription("The calendar configuration file (JSON)")) },
  Effect.fnUntraced(function*({ file }) {
    const installed = yield* SettlementCalendars.installFile(file).pipe(
      Effect.mapError((error) => new CalendarFileRefused({ reason: error.message }))
    )
    const now = yield* DateTime.now
    const lines = SettlementCalendars.horizon(now).map((horizon) =>
      `  ${horizon.calendar.padEnd(18)} data to ${horizon.data_ends} (${horizon.data_version})${
        horizon.warning ? "  ends within 60 days" : ""
      }`
    )
    yield* Console.log([`${file} is valid; with it the calendars are:`, ...lines].join("\n"))
    return installed
  })
).pipe(
  Command.withDescription("Check a calendar configuration file and show how far each calendar's data then reaches"),
  Command.withExamples([{
    command: "niha calendar check calendars-2027.json",
    description: "Check the 2027 China schedule before starting with --calendar-file calendars-2027.json"
  }])
)

const calendar = Command.make("calendar").pipe(
  Command.withDescription("Settlement calendars"),
  Command.withSubcommands([calendarCheck])
)

const admin = Command.make("admin").pipe(
  Command.withDescription("Manage admins"),
  Command.withSubcommands([adminCreate])
)

const auditVerify = Command.make(
  "verify",
  { databaseUrl, dataDir },
  Effect.fnUntraced(function*(flags) {
    const level = yield* resolveLogLevel
    const target = yield* resolveTarget(flags)
    const reports = yield* Effect.andThen(Migrations.run, AuditChain.verify).pipe(
      Effect.provide(Database.layerTarget(target)),
      Effect.provide(Logging.layer({ level }))
    )
    for (const report of reports) yield* Console.log(AuditChain.describe(report))
    const broken = reports.filter((report) => report.finding !== undefined).map((report) => report.table)
    if (broken.length > 0) return yield* new AuditChainBroken({ tables: broken })
  })
).pipe(Command.withDescription("Verify the hash chains of the audit trail; fails on the first edited or missing row"))

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`

const backupCommand = Command.make(
  "backup",
  {
    out: Flag.String("out").pipe(Flag.withDescription("The file to write the backup to")),
    databaseUrl,
    dataDir
  },
  Effect.fnUntraced(function*(flags) {
    const target = yield* resolveTarget(flags)
    const bytes = yield* Backup.backup(target, flags.out, (done) => Console.error(`backup: ${mib(done)} written`))
    yield* Console.log(`${describeTarget(target)}: backed up to ${flags.out} (${mib(bytes)})`)
  })
).pipe(
  Command.withDescription("Write a backup of the whole database (pg_dump, or PGlite's data directory dump)"),
  Command.withExamples([{ command: "niha backup --out niha-2026-03-01.dump", description: "Back up the database" }])
)

const restoreCommand = Command.make(
  "restore",
  {
    from: Flag.String("from").pipe(Flag.withDescription("The backup file to restore")),
    databaseUrl,
    dataDir
  },
  Effect.fnUntraced(function*(flags) {
    const target = yield* resolveTarget(flags)
    const bytes = yield* Backup.restore(target, flags.from, (done) => Console.error(`restore: ${mib(done)} read`))
    yield* Console.log(`${describeTarget(target)}: restored from ${flags.from} (${mib(bytes)})`)
  })
).pipe(
  Command.withDescription("Restore a backup into an empty database (a new PostgreSQL database or data directory)")
)

const audit = Command.make("audit").pipe(
  Command.withDescription("Check the audit trail"),
  Command.withSubcommands([auditVerify])
)

/**
 * The `niha` command and its subcommands.
 *
 * @category commands
 * @since 0.1.0
 */
export const command = Command.make("niha").pipe(
  Command.withDescription("The NIHA Carbon reference server"),
  Command.withSubcommands([start, migrate, seed, admin, calendar, audit, backupCommand, restoreCommand])
)

/**
 * Runs `niha` with the arguments of the process (through the `Stdio` service).
 *
 * @category running
 * @since 0.1.0
 */
export const run = Command.run(command, { version: Handlers.version })

/**
 * Runs `niha` with the given arguments (without the program name).
 *
 * @category running
 * @since 0.1.0
 */
export const runWith = Command.runWith(command, { version: Handlers.version })
