/**
 * The request id: a short opaque string that names one HTTP request, end to end. A client
 * may send its own in the `X-Request-Id` header (so its logs and ours share a key); the
 * server keeps a well-formed one, makes one up otherwise, echoes it on every response,
 * writes it in every log line of the request, and puts it in every error body
 * (`request_id`). Quote it when asking for support.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The header that carries the request id, both ways.
 *
 * @category constants
 * @since 0.1.0
 */
export const header = "X-Request-Id"

/**
 * The longest request id the server accepts from a client.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLength = 128

const pattern = /^[A-Za-z0-9._:-]+$/

/**
 * A request id: 1 to 128 characters of letters, digits and `.`, `_`, `:`, `-`, so it is
 * safe in a header, a log line and a URL. A client-sent id that does not match is
 * replaced, never echoed.
 *
 * @category models
 * @since 0.1.0
 */
export const RequestId = Schema.String.check(
  Schema.isBetweenLength(1, maxLength),
  Schema.isPattern(pattern, { message: "must be letters, digits, '.', '_', ':' or '-'" })
).annotate({ identifier: "RequestId", description: "The id of one request, echoed in the X-Request-Id header." })

/**
 * @category models
 * @since 0.1.0
 */
export type RequestId = typeof RequestId.Type

/**
 * Whether a client-sent value may be used as the request id as it is.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isValid = (value: string): value is RequestId =>
  value.length >= 1 && value.length <= maxLength && pattern.test(value)
