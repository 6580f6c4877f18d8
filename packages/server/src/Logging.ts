/**
 * The server's logs: one JSON object per line (Effect's structured format: `message`,
 * `level`, `timestamp`, `annotations`, `spans`, `cause`, `fiberId`), at a minimum level
 * from configuration. Every line written while a request runs carries its
 * `request_id` annotation (see `RequestContext`), so the lines of one request can be
 * found from the id in its error body.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as LogLevel from "effect/LogLevel"
import * as References from "effect/References"
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * The level names the configuration accepts (any case), as Effect's levels.
 *
 * @category models
 * @since 0.1.0
 */
export const Level = Schema.Literals(["all", "trace", "debug", "info", "warn", "warning", "error", "fatal", "none"])

/**
 * @category models
 * @since 0.1.0
 */
export type Level = typeof Level.Type

const levels: { readonly [L in Level]: LogLevel.LogLevel } = {
  all: "All",
  trace: "Trace",
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  warning: "Warn",
  error: "Error",
  fatal: "Fatal",
  none: "None"
}

/**
 * The Effect level of a level name, or undefined when the name is not one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseLevel = (name: string): LogLevel.LogLevel | undefined => {
  const key = name.trim().toLowerCase()
  return Schema.is(Level)(key) ? levels[key] : undefined
}

const LevelName = Schema.String.pipe(
  Schema.decode(SchemaTransformation.toLowerCase()),
  Schema.decodeTo(Level)
)

/**
 * The level in `LOG_LEVEL`, `Info` when it is not set.
 *
 * @category config
 * @since 0.1.0
 */
export const levelConfig: Config.Config<LogLevel.LogLevel> = Config.schema(LevelName, "LOG_LEVEL").pipe(
  Config.map((name): LogLevel.LogLevel => levels[name]),
  Config.withDefault("Info")
)

/**
 * Options of the logger.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Lines below this level are dropped. */
  readonly level: LogLevel.LogLevel
  /** Where each line goes; standard output unless given. */
  readonly write?: ((line: string) => void) | undefined
}

/**
 * The JSON logger at a level, replacing the default logger.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<never> => {
  const write = options.write
  const logger = write === undefined ?
    Logger.consoleJson :
    Logger.map(Logger.formatJson, (line) => write(line))
  return Layer.mergeAll(
    Logger.layer([logger]),
    Layer.succeed(References.MinimumLogLevel, options.level)
  )
}
