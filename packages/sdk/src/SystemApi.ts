/**
 * The `system` group of the API: what an operator, a load balancer or an orchestrator
 * asks a running server. `GET /health` is liveness (the process answers), `GET /ready`
 * is readiness (its database is reachable and migrated to the schema this server
 * needs, so traffic may be sent to it), `GET /version` names the server and the API
 * version it speaks. None needs credentials.
 *
 * @since 0.1.0
 */
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"

/**
 * The answer of `GET /health`.
 *
 * @category models
 * @since 0.1.0
 */
export const Health = Schema.Struct({
  /** Always `ok`: the process answered. */
  status: Schema.Literal("ok")
}).annotate({ identifier: "Health" })

/**
 * @category models
 * @since 0.1.0
 */
export type Health = typeof Health.Type

const MigrationId = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)).annotate({ examples: [3] })

/**
 * The answer of `GET /ready` when the server is ready: the database answered, and the
 * last migration it ran is the last one this server ships.
 *
 * @category models
 * @since 0.1.0
 */
export const Readiness = Schema.Struct({
  /** Always `ready` (a server that is not ready answers 503). */
  status: Schema.Literal("ready"),
  /** The state of the database. */
  database: Schema.Struct({
    /** Id of the last migration the database ran. */
    migration: MigrationId.annotate({ description: "Id of the last migration the database ran." }),
    /** Id of the last migration this server ships. */
    expected_migration: MigrationId.annotate({ description: "Id of the last migration this server ships." })
  }),
  /**
   * How far each settlement calendar's data reaches; `warning` when it ends within 60 days
   * (an operator adds the next year with a calendar file). A warning does not make the
   * server unready: trades past the data are accepted and rescheduled when it is added.
   */
  calendars: Schema.Array(Schema.Struct({
    /** The calendar, e.g. `CHINA_EXCHANGE`. */
    calendar: Schema.String,
    /** Its data version (library and operator years). */
    data_version: Schema.String,
    /** The last day it has data for (YYYY-MM-DD). */
    data_ends: Schema.String,
    /** Whole days from now to that day. */
    days_left: Schema.Int,
    /** Whether its data ends within 60 days. */
    warning: Schema.Boolean
  }))
}).annotate({ identifier: "Readiness" })

/**
 * @category models
 * @since 0.1.0
 */
export type Readiness = typeof Readiness.Type

/**
 * The answer of `GET /version`.
 *
 * @category models
 * @since 0.1.0
 */
export const Version = Schema.Struct({
  /** The server package, `@niha/server`. */
  name: Schema.String.annotate({ description: "The server package, @niha/server." }),
  /** The server package version. */
  version: Schema.String.annotate({ description: "The server package version." }),
  /** The API version the server speaks by default. */
  api_version: Schema.String.annotate({ description: "The API version the server speaks by default." }),
  /** Every API version the server accepts in `Niha-Version`. */
  supported_api_versions: Schema.Array(Schema.String)
}).annotate({ identifier: "Version" })

/**
 * @category models
 * @since 0.1.0
 */
export type Version = typeof Version.Type

/**
 * The group: `health`, `ready` and `version`.
 *
 * @category groups
 * @since 0.1.0
 */
export class SystemApi extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("health", "/health", { success: Health })
      .annotate(OpenApi.Summary, "Liveness: the process answers"),
    HttpApiEndpoint.get("ready", "/ready", { success: Readiness, error: ApiError.ServiceUnavailable })
      .annotate(OpenApi.Summary, "Readiness: the database is reachable and migrated"),
    HttpApiEndpoint.get("version", "/version", { success: Version })
      .annotate(OpenApi.Summary, "The server version and the API versions it speaks")
  )
  .annotateMerge(OpenApi.annotations({ title: "System", description: "Liveness, readiness and version." }))
{}
