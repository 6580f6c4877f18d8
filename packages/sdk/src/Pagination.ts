/**
 * Cursor pagination, the one way every list endpoint pages: the client asks for `limit`
 * objects (1 to 100, 20 when absent) `starting_after` the id of the last object it has,
 * and gets a {@link Page}: the objects in `data` and `has_more` telling whether asking
 * again from the last of them would return more. Cursors are ids, not offsets, so a page
 * stays correct while objects are added before it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * The page size when the client names none.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultLimit = 20

/**
 * The largest page a client may ask for.
 *
 * @category constants
 * @since 0.1.0
 */
export const maxLimit = 100

/**
 * A page size: an integer from 1 to {@link maxLimit}.
 *
 * @category models
 * @since 0.1.0
 */
export const Limit = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: maxLimit }, { message: `must be an integer from 1 to ${maxLimit}` })
).annotate({
  identifier: "Limit",
  description: `How many objects to return, 1 to ${maxLimit} (default ${defaultLimit}).`
})

/**
 * A page size as it travels in a query string: decimal digits from 1 to {@link maxLimit},
 * stated as a pattern so the OpenAPI document refuses what the server refuses.
 *
 * @category models
 * @since 0.1.0
 */
export const LimitFromString = Schema.String.check(
  Schema.isPattern(/^(?:100|[1-9][0-9]?)$/u, { message: `must be an integer from 1 to ${maxLimit}` })
).pipe(Schema.decodeTo(Limit, SchemaTransformation.numberFromString)).annotate({
  identifier: "LimitFromString",
  description: `How many objects to return, 1 to ${maxLimit} (default ${defaultLimit}).`
})

/**
 * The query fields of a list endpoint, with the cursor schema of its objects' ids:
 * `limit` and `starting_after`, both optional.
 *
 * @category constructors
 * @since 0.1.0
 */
export const query = <Cursor extends Schema.Top>(cursor: Cursor) => ({
  /** How many objects to return, 1 to 100 (20 when absent). */
  limit: Schema.optionalKey(LimitFromString),
  /** The id of the last object of the previous page; the page starts after it. */
  starting_after: Schema.optionalKey(
    cursor.annotate({ description: "The id of the last object of the previous page; the page starts after it." })
  )
})

/**
 * A page of a list: the objects, and whether more follow the last of them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const Page = <Item extends Schema.Top>(item: Item) =>
  Schema.Struct({
    /** The objects of the page, in cursor order. */
    data: Schema.Array(item),
    /** Whether more objects follow the last one of `data`. */
    has_more: Schema.Boolean
  })

/**
 * A page of objects of type `A`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Page<A> {
  /** The objects of the page, in cursor order. */
  readonly data: ReadonlyArray<A>
  /** Whether more objects follow the last one of `data`. */
  readonly has_more: boolean
}

/**
 * The page a request asks for, cut from a list already in cursor order: the objects
 * after `starting_after` (from the start when it is absent, nothing when it names no
 * object of the list), at most `limit` of them. Database-backed lists fetch `limit + 1`
 * rows instead; this serves small lists held in memory.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromList = <A, Cursor>(
  items: ReadonlyArray<A>,
  cursorOf: (item: A) => Cursor,
  request: { readonly limit?: number | undefined; readonly starting_after?: Cursor | undefined }
): Page<A> => {
  const limit = request.limit ?? defaultLimit
  const start = request.starting_after === undefined ?
    0 :
    items.findIndex((item) => cursorOf(item) === request.starting_after) + 1
  if (request.starting_after !== undefined && start === 0) return { data: [], has_more: false }
  const data = items.slice(start, start + limit)
  return { data, has_more: start + limit < items.length }
}
