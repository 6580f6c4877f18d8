/**
 * @niha/server: the NIHA Carbon reference server: the handlers of `@niha/sdk`'s
 * contract, its request middleware, logging, and the `niha` command line.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The server as one Layer: database, API, OpenAPI document, reference page, graceful
 * shutdown.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.ts"

/**
 * The handlers of the contract's groups.
 *
 * @since 0.1.0
 */
export * as Handlers from "./Handlers.ts"

/**
 * Request ids, API version, body size limit, CORS, error bodies and access logs around
 * every request.
 *
 * @since 0.1.0
 */
export * as RequestContext from "./RequestContext.ts"

/**
 * Schema failures and domain errors as API error bodies.
 *
 * @since 0.1.0
 */
export * as ErrorHandling from "./ErrorHandling.ts"

/**
 * Structured JSON logs at a configured level.
 *
 * @since 0.1.0
 */
export * as Logging from "./Logging.ts"

/**
 * The `niha` command line: start, migrate.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.ts"
