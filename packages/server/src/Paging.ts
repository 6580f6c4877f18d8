/**
 * Cursor pages as the services read them: at most `limit` rows after the row
 * `starting_after`, oldest first, and whether more follow (`Pagination.Page` of
 * `@niha/sdk`, which the list endpoints answer).
 *
 * @since 0.1.0
 */
import type { Pagination } from "@niha/sdk"

/**
 * A page request.
 *
 * @category models
 * @since 0.1.0
 */
export interface PageQuery {
  /** At most this many rows. */
  readonly limit: number
  /** The id of the last row of the previous page; the page starts after it. */
  readonly starting_after?: string | undefined
}

/**
 * A page of rows, and whether more follow the last of them.
 *
 * @category models
 * @since 0.1.0
 */
export type Page<A> = Pagination.Page<A>
