/**
 * Text the platform accepts from people and programs, decided once for every endpoint and
 * every column: PostgreSQL cannot store the NUL character (U+0000) in a `text` column, so
 * a string that carries one is refused at the edge with a message naming the field,
 * instead of failing deep inside a query. Every text input of the contract and every text
 * column of the row models is built from {@link Storable} or {@link Line}.
 *
 * Patterns carry the `u` flag so that the OpenAPI document states them too (effect only
 * exports patterns it can state exactly).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The check that a string holds no NUL character, which PostgreSQL's `text` cannot store.
 *
 * @category checks
 * @since 0.1.0
 */
// eslint-disable-next-line no-control-regex -- the NUL character is exactly what is refused
export const isStorable = Schema.isPattern(/^[^\u0000]*$/u, {
  message: "must not contain the NUL character (U+0000)"
})

/**
 * Any string PostgreSQL can store.
 *
 * @category schemas
 * @since 0.1.0
 */
export const Storable = Schema.String.check(isStorable)

/**
 * A one-line input such as a name, a title or a reason: storable, trimmed, not empty and
 * at most `max` characters.
 *
 * @category constructors
 * @since 0.1.0
 */
export const Line = (max: number) =>
  Schema.String.check(
    isStorable,
    Schema.isTrimmed({ message: "must not start or end with spaces" }),
    Schema.isMinLength(1, { message: "must not be empty" }),
    Schema.isMaxLength(max, { message: `must be at most ${max} characters` })
  )
