/**
 * The version of the HTTP API, named in a header as payment APIs do: a client pins the
 * contract it was written against by sending `Niha-Version: <date>`; the server answers
 * every response with the version it spoke. A request without the header gets the
 * current version; one naming a version the server does not know is rejected with a 400
 * (`unsupported_api_version`) before anything runs. Versions are release dates, so they
 * sort, and a breaking change ships as a new date while the old one keeps working.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The header that names the API version, both ways.
 *
 * @category constants
 * @since 0.1.0
 */
export const header = "Niha-Version"

/**
 * The version this SDK speaks and the server defaults to.
 *
 * @category constants
 * @since 0.1.0
 */
export const current = "2026-11-25"

/**
 * Every version the server accepts, oldest first.
 *
 * @category constants
 * @since 0.1.0
 */
export const supported: ReadonlyArray<string> = [current]

/**
 * A version in its wire form, a date `YYYY-MM-DD`.
 *
 * @category models
 * @since 0.1.0
 */
export const ApiVersion = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD" })
).annotate({ identifier: "ApiVersion", description: "An API version, the date it was released." })

/**
 * @category models
 * @since 0.1.0
 */
export type ApiVersion = typeof ApiVersion.Type

/**
 * Whether the server accepts a version.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isSupported = (version: string): boolean => supported.includes(version)
