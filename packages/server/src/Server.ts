/**
 * The reference server as one Layer: the database (migrated before anything is served),
 * the API of `@niha/sdk`'s contract with its handlers, the OpenAPI document at
 * `/openapi.json`, the interactive reference at `/docs` (Scalar, bundled, so it works
 * offline), the request middleware of `RequestContext`, and a Node HTTP server.
 *
 * Closing the Layer (SIGINT or SIGTERM under `NodeRuntime.runMain`) shuts down in order:
 * the server stops accepting connections and waits for the requests in flight to finish
 * (up to the shutdown timeout, then interrupts them), and only then the database is
 * closed, so no request loses its connection mid-way and the embedded database flushes
 * its files. Each step is logged.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { Database } from "@niha/db"
import { AuditChain, Migrations, Repository } from "@niha/db"
import { AutoTrade } from "@niha/domain"
import { Api } from "@niha/sdk"
import type * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiScalar from "effect/http-api/HttpApiScalar"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerError from "effect/http/HttpServerError"
import * as Layer from "effect/Layer"
import type * as OtlpExporter from "effect/observability/OtlpExporter"
import type * as Migrator from "effect/sql/Migrator"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import * as NodeCrypto from "node:crypto"
import * as NodeHttp from "node:http"
import * as Admin from "./Admin.ts"
import * as Audit from "./Audit.ts"
import * as Auth from "./Auth.ts"
import type * as AuthHandlers from "./AuthHandlers.ts"
import type * as DocumentStorage from "./DocumentStorage.ts"
import * as Draining from "./Draining.ts"
import * as Handlers from "./Handlers.ts"
import * as JobRunner from "./jobs/JobRunner.ts"
import * as Mailer from "./Mailer.ts"
import * as MailOutbox from "./MailOutbox.ts"
import * as Metrics from "./Metrics.ts"
import * as Notices from "./Notices.ts"
import * as Password from "./Password.ts"
import * as RequestContext from "./RequestContext.ts"
import * as Routes from "./Routes.ts"
import * as Secrets from "./Secrets.ts"
import * as AutoTradeService from "./services/AutoTrade.ts"
import * as Deposits from "./services/Deposits.ts"
import * as Fees from "./services/Fees.ts"
import * as MarketWriter from "./services/MarketWriter.ts"
import * as Orders from "./services/Orders.ts"
import * as Prices from "./services/Prices.ts"
import * as SettlementCalendars from "./services/SettlementCalendars.ts"
import * as SettlementOverdue from "./services/SettlementOverdue.ts"
import * as SignInPage from "./SignInPage.ts"
import * as Telemetry from "./Telemetry.ts"

/**
 * The port `niha start` listens on unless told otherwise.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPort = 4000

/**
 * The address `niha start` listens on unless told otherwise: loopback only, so a
 * development server is not reachable from the network by accident. Use `0.0.0.0` in a
 * container.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultHost = "127.0.0.1"

/**
 * How long shutdown waits for requests in flight before it interrupts them.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultShutdownTimeout: Duration.Duration = Duration.seconds(20)

/**
 * Paths of the API description.
 *
 * @category constants
 * @since 0.1.0
 */
export const paths = {
  /** The OpenAPI 3.1 document, generated from the contract. */
  openapi: Routes.pages.openapi,
  /** The interactive reference page. */
  docs: Routes.pages.docs,
  /** The page sign-in and invitation links open (`SignInPage`). */
  signIn: Routes.pages.signIn
} as const

/**
 * How to run the server.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<DatabaseError = never> {
  /** The port to listen on; 0 for a free one chosen by the system. */
  readonly port: number
  /** The address to listen on. */
  readonly host: string
  /** The database, e.g. `Database.layerTarget(target)` of `@niha/db`. */
  readonly database: Layer.Layer<Database.Client, DatabaseError>
  /** Run the pending migrations before serving; true unless given. */
  readonly migrate?: boolean | undefined
  /** The largest request body, in bytes; `RequestContext.defaultMaxBodySize` unless given. */
  readonly maxBodySize?: number | undefined
  /** Origins browsers may call from (`*` for any); none unless given. */
  readonly corsOrigins?: ReadonlyArray<string> | undefined
  /** How long shutdown waits for requests in flight. */
  readonly shutdownTimeout?: Duration.Input | undefined
  /** Makes request ids for requests that bring none. */
  readonly generateRequestId?: (() => string) | undefined
  /**
   * More routes to serve beside the API (a host platform's probes, test fixtures). They
   * run inside the request middleware, so their failures get error bodies too.
   */
  readonly routes?: Layer.Layer<never, never, HttpRouter.HttpRouter | HttpRouter.Request<"Error", unknown>> | undefined
  /** Where KYC files are kept, e.g. `DocumentStorage.layerDirectory(dir)`. */
  readonly storage: Layer.Layer<DocumentStorage.DocumentStorage>
  /**
   * The mail transport used while no `mail_config` row is active; the log transport
   * (`Mailer.layerLog`) unless given.
   */
  readonly mailer?: Layer.Layer<Mailer.Mailer> | undefined
  /**
   * The key of the anonymous counterparty codes of public trades; every instance on one
   * database must use the same. A random key per process unless given (codes then change
   * at a restart).
   */
  readonly anonymitySecret?: string | undefined
  /**
   * The box that seals the stored secrets (`Secrets.layerKey(key)`); the key of
   * `NIHA_SECRETS_KEY` unless given (`Secrets.layerConfig`).
   */
  readonly secrets?: Layer.Layer<Secrets.Secrets, Secrets.SecretsKeyInvalid | Config.ConfigError> | undefined
  /**
   * The OpenTelemetry exporters; `Telemetry.layerFromEnv()` (the `OTEL_*` variables, off
   * without an endpoint) unless given.
   */
  readonly telemetry?: Layer.Layer<OtlpExporter.Flusher> | undefined
  /** How often the audit trail's new rows are sealed into its hash chains; one second unless given. */
  readonly auditSealInterval?: Duration.Input | undefined
  /** How often the price job looks for due sources; 30 seconds unless given. */
  readonly pricePollInterval?: Duration.Input | undefined
  /** The timeout and size limit of a price fetch; `Prices.defaultFetchOptions` unless given. */
  readonly priceFetch?: Prices.FetchOptions | undefined
  /**
   * Whether other instances serve the same database (PostgreSQL): each market's writes then
   * notify them, so the market data streams of every instance follow every write
   * (`MarketWriter.Options.peers`). Off unless given.
   */
  readonly peers?: boolean | undefined
  /** How often the outbox dispatcher (a recurring job) looks for mail to send; one second unless given. */
  readonly mailPollInterval?: Duration.Input | undefined
  /** How often the job runner looks for due jobs; the mail interval unless given. */
  readonly jobPollInterval?: Duration.Input | undefined
  /** How often the settlement overdue job checks the open batches' milestones; five minutes unless given. */
  readonly settlementOverdueInterval?: Duration.Input | undefined
  /**
   * A calendar configuration file (JSON, `CalendarConfig.Config` of `@niha/settlement`): China
   * years beyond the library's data and ad-hoc closures. Checked at start: a bad file stops the
   * start with the problem named. None unless given.
   */
  readonly calendarFile?: string | undefined
  /** The URL people reach the platform at, for links in mail; the server's own URL unless given. */
  readonly publicUrl?: string | undefined
  /** Session and lock-out lifetimes; `Auth.defaultPolicy` unless given. */
  readonly authPolicy?: Auth.Policy | undefined
  /** The password hashing cost; OWASP's (`Password.owasp`) unless given. */
  readonly passwordParams?: Password.Params | undefined
  /** The throttles of the public endpoints; `AuthHandlers.defaultLimits` unless given. */
  readonly limits?: AuthHandlers.Limits | undefined
  /**
   * Make an admin when the database has none (`Admin.ensureFirst`) and hand its one-time
   * credentials to `announce`; nothing unless given.
   */
  readonly firstAdmin?: FirstAdmin | undefined
  /** The seed of the auto-trade runs' random source (`AutoTradeService.AutoTradeRandom`); random unless given. */
  readonly autoTradeSeed?: number | undefined
  /** How often the due auto-trade rules run (a recurring job); five seconds unless given. */
  readonly autoTradeInterval?: Duration.Input | undefined
  /** How old a market price may be before rules that need it stop quoting; one hour unless given. */
  readonly autoTradePriceMaxAge?: Duration.Input | undefined
}

/**
 * The admin a server makes on a database without one.
 *
 * @category models
 * @since 0.1.0
 */
export interface FirstAdmin {
  /** Its sign-in email. */
  readonly email: string
  /** Hands over its one-time credentials and the API's URL (`niha start` prints them). */
  readonly announce: (created: Admin.Created, apiUrl: string) => Effect.Effect<void>
}

/**
 * The URLs a running server answers on.
 *
 * @category models
 * @since 0.1.0
 */
export interface Urls {
  /** The base URL of the API. */
  readonly api: string
  /** The reference page. */
  readonly docs: string
  /** The OpenAPI document. */
  readonly openapi: string
}

/**
 * The URLs of a server listening on `host` and `port`; a wildcard host reads as
 * `localhost`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const urls = (host: string, port: number): Urls => {
  const shown = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host
  const api = `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`
  return { api, docs: `${api}${paths.docs}`, openapi: `${api}${paths.openapi}` }
}

/**
 * The port a server listens on (0 for a Unix socket).
 *
 * @category accessors
 * @since 0.1.0
 */
export const port: Effect.Effect<number, never, HttpServer.HttpServer> = Effect.map(
  HttpServer.HttpServer,
  (server) => server.address._tag === "UnixPathAddress" ? 0 : server.address.port
)

/**
 * The routes: the API, its OpenAPI document and reference page, the request middleware
 * and any extra routes, on the router of `HttpRouter.serve`.
 *
 * @category layers
 * @since 0.1.0
 */
export const routes = (
  options: Pick<Options, "maxBodySize" | "corsOrigins" | "generateRequestId" | "routes" | "limits">
) =>
  Layer.mergeAll(
    HttpApiBuilder.layer(Api.Api, { openapiPath: paths.openapi }).pipe(
      Layer.provide(Handlers.layerWith(options.limits))
    ),
    HttpApiScalar.layer(Api.Api, { path: paths.docs }),
    SignInPage.layer,
    Metrics.layer,
    Audit.layerRequests,
    RequestContext.layer({
      maxBodySize: options.maxBodySize ?? RequestContext.defaultMaxBodySize,
      corsOrigins: options.corsOrigins ?? [],
      generateRequestId: options.generateRequestId
    }),
    options.routes ?? Layer.empty
  )

/**
 * The kinds of job this server runs, by kind.
 *
 * @category constants
 * @since 0.1.0
 */
export const jobKinds = {
  /** Sends the due mail of the outbox (recurring). */
  mailDispatch: "mail.dispatch",
  /** Releases an AML hold on its date (one per held deposit, scheduled by `Deposits`). */
  amlRelease: Deposits.releaseJob,
  /** Flags and mails the settlement milestones past their due date (recurring). */
  settlementOverdue: SettlementOverdue.job,
  /** Fetches the due price and exchange-rate sources (recurring). */
  pricesRefresh: Prices.refreshJob,
  /** Seals the audit trail's new rows into its hash chains (recurring). */
  auditSeal: "audit.seal",
  /** Runs the due auto-trade rules (recurring). */
  autoTradeRun: AutoTradeService.runJob
} as const

/**
 * The durable job runner with this server's handlers (the mail outbox dispatcher, AML
 * releases, the settlement overdue check), and the recurring jobs it needs scheduled (the
 * mail outbox dispatcher, the settlement overdue check).
 *
 * @category layers
 * @since 0.1.0
 */
export const jobs = (
  options: Pick<
    Options,
    | "mailer"
    | "mailPollInterval"
    | "jobPollInterval"
    | "settlementOverdueInterval"
    | "calendarFile"
    | "pricePollInterval"
    | "auditSealInterval"
    | "autoTradeInterval"
  >
): Layer.Layer<
  never,
  SqlError,
  SqlClient.SqlClient | Secrets.Secrets | Prices.Prices | MarketWriter.MarketWriter
> => {
  const mailInterval = options.mailPollInterval ?? Duration.seconds(1)
  const runner = JobRunner.layer<
    | SqlClient.SqlClient
    | Mailer.Mailer
    | Deposits.Deposits
    | Secrets.Secrets
    | Prices.Prices
    | AutoTradeService.AutoTradeRuns
  >(
    {
      [jobKinds.mailDispatch]: () => Metrics.timedJob(jobKinds.mailDispatch, MailOutbox.dispatchOnce()),
      [jobKinds.auditSeal]: () => Metrics.timedJob(jobKinds.auditSeal, AuditChain.seal),
      [jobKinds.pricesRefresh]: () =>
        Metrics.timedJob(jobKinds.pricesRefresh, Effect.flatMap(Prices.Prices, (prices) => prices.refreshDue())),
      [jobKinds.amlRelease]: (job) => Metrics.timedJob(jobKinds.amlRelease, Deposits.releaseHandler(job)),
      [jobKinds.settlementOverdue]: () => Metrics.timedJob(jobKinds.settlementOverdue, SettlementOverdue.flagOverdue()),
      [jobKinds.autoTradeRun]: () =>
        Metrics.timedJob(
          jobKinds.autoTradeRun,
          Effect.flatMap(AutoTradeService.AutoTradeRuns, (runs) => runs.runDue())
        )
    },
    { pollInterval: options.jobPollInterval ?? mailInterval }
  ).pipe(
    Layer.provide(Layer.merge(
      Deposits.layer,
      AutoTradeService.AutoTradeRuns.layer.pipe(
        Layer.provide(Orders.Orders.layer),
        Layer.provideMerge(Fees.layer)
      )
    )),
    Layer.provide(Repository.Repositories.layer)
  )
  return Layer.unwrap(Effect.gen(function*() {
    if (options.calendarFile !== undefined) {
      const installed = yield* Effect.orDie(SettlementCalendars.installFile(options.calendarFile))
      yield* Effect.logInfo("calendar file installed").pipe(
        Effect.annotateLogs({
          file: options.calendarFile,
          calendars: [...installed.calendars.values()].map((calendar) => calendar.dataVersion).join(", ")
        })
      )
    }
    yield* SettlementOverdue.warnHorizon
    const sql = yield* SqlClient.SqlClient
    const [schema] = yield* sql<{ migrated: boolean }>`SELECT to_regclass('jobs') IS NOT NULL AS migrated`
    if (schema?.migrated !== true) {
      // A server started without migrating serves readiness (503) until someone migrates.
      yield* Effect.logWarning("the database is not migrated: no job runs until the server restarts migrated")
      return Layer.empty
    }
    yield* JobRunner.recurring(jobKinds.mailDispatch, "outbox", mailInterval)
    // Batches waiting for the calendar data this start brought are rescheduled now.
    yield* SettlementOverdue.reschedulePending()
    yield* JobRunner.recurring(
      jobKinds.settlementOverdue,
      "batches",
      options.settlementOverdueInterval ?? Duration.minutes(5)
    )
    yield* JobRunner.recurring(jobKinds.pricesRefresh, "sources", options.pricePollInterval ?? Duration.seconds(30))
    yield* JobRunner.recurring(jobKinds.auditSeal, "chains", options.auditSealInterval ?? Duration.seconds(1))
    yield* JobRunner.recurring(jobKinds.autoTradeRun, "rules", options.autoTradeInterval ?? Duration.seconds(5))
    return runner
  })).pipe(Layer.provide(options.mailer ?? Mailer.layerLog))
}

const logged = (opened: string, closed: string) =>
  Layer.effectDiscard(Effect.acquireRelease(Effect.logInfo(opened), () => Effect.logInfo(closed)))

/**
 * The server. Building the Layer migrates the database and starts listening; closing
 * it shuts down as described above. It provides the `HttpServer`, whose address tells
 * the port when it was 0.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = <DatabaseError>(
  options: Options<DatabaseError>
): Layer.Layer<
  HttpServer.HttpServer,
  | DatabaseError
  | HttpServerError.ServeError
  | Migrator.MigrationError
  | SqlError
  | Secrets.SecretsKeyInvalid
  | Config.ConfigError
> => {
  const migrated = options.migrate === false ?
    options.database :
    Layer.provideMerge(Migrations.layer, options.database)
  const database = Layer.provideMerge(
    Layer.provideMerge(logged("database ready", "database closing"), migrated),
    logged("database opening", "database closed")
  )
  const listening = Layer.effectDiscard(Effect.gen(function*() {
    const address = urls(options.host, yield* port)
    const draining = yield* Draining.Draining
    yield* Effect.acquireRelease(
      Effect.logInfo("listening").pipe(Effect.annotateLogs({ ...address })),
      () =>
        Effect.logInfo("shutting down: no new connections, finishing requests in flight").pipe(
          // Streams that would never end by themselves end now.
          Effect.andThen(Deferred.succeed(draining, undefined))
        )
    )
  })).pipe(Layer.provide(Draining.layer))
  const secretsChecked = Layer.effectDiscard(Secrets.check.pipe(
    Effect.catchTag("SecretsUnavailable", (error) =>
      Effect.logError(
        `the stored secrets cannot be read: ${error.reason}; GET /ready answers 503 until ${Secrets.keyVariable} is right`
      )),
    Effect.catchTag("SqlError", (error) => Effect.logWarning("the stored secrets could not be checked", error))
  ))
  // One writer per market and one auto-trade random source, shared by the API and the jobs.
  const writer = Layer.provideMerge(
    Metrics.layerMarketCounters,
    MarketWriter.MarketWriter.layer({
      anonymitySecret: options.anonymitySecret ?? NodeCrypto.randomBytes(32).toString("hex"),
      peers: options.peers
    })
  )
  const autoTradeContext = Layer.succeedContext(
    Context.make(
      AutoTradeService.AutoTradeRandom,
      AutoTrade.seeded(options.autoTradeSeed ?? NodeCrypto.randomInt(2 ** 31))
    ).pipe(
      Context.add(
        AutoTradeService.PriceMaxAge,
        Duration.fromInputUnsafe(options.autoTradePriceMaxAge ?? AutoTradeService.defaultPriceMaxAge)
      )
    )
  )
  const services = Layer.mergeAll(
    secretsChecked,
    Repository.Repositories.layer,
    Draining.layer,
    options.storage,
    jobs(options).pipe(Layer.provide(Layer.merge(writer, autoTradeContext))),
    writer,
    autoTradeContext,
    Layer.effectContext(Effect.gen(function*() {
      const url = options.publicUrl ?? urls(options.host, yield* port).api
      return Context.make(Notices.PublicUrl, url).pipe(
        Context.add(Auth.CurrentPolicy, options.authPolicy ?? Auth.defaultPolicy),
        Context.add(Password.CurrentParams, options.passwordParams ?? Password.owasp)
      )
    }))
  ).pipe(
    Layer.provideMerge(
      Layer.merge(
        options.secrets ?? Secrets.layerConfig,
        Prices.Prices.layer.pipe(
          Layer.provide(Layer.succeed(Prices.CurrentFetchOptions, options.priceFetch ?? Prices.defaultFetchOptions))
        )
      )
    )
  )
  const served = HttpRouter.serve(routes(options), { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provide(services),
    Layer.provideMerge(
      NodeHttpServer.layerServer(() => NodeHttp.createServer(), {
        port: options.port,
        host: options.host,
        gracefulShutdownTimeout: options.shutdownTimeout ?? defaultShutdownTimeout
      })
    ),
    Layer.provide(NodeHttpServer.layerHttpServices)
  )
  const firstAdmin = options.firstAdmin
  const bootstrap = firstAdmin === undefined ? Layer.empty : Layer.effectDiscard(
    Admin.ensureFirst(firstAdmin.email).pipe(
      Effect.flatMap((created) =>
        created === undefined ?
          Effect.void :
          Effect.flatMap(port, (listening) => firstAdmin.announce(created, urls(options.host, listening).api))
      ),
      Effect.provideService(Password.CurrentParams, options.passwordParams ?? Password.owasp),
      Effect.orDie
    )
  )
  return Layer.provideMerge(Layer.merge(listening, bootstrap), served).pipe(
    Layer.provide(database),
    Layer.provide(options.telemetry ?? Telemetry.layerFromEnv({ serviceVersion: Handlers.version }))
  )
}
