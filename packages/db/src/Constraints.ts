/**
 * Typed errors for the rows the schema refuses. PostgreSQL reports a broken rule with a
 * SQLSTATE and the name of the constraint; `@effect/sql-pg` wraps that in a generic
 * `SqlError`. {@link refine} turns the integrity failures into one of the errors below,
 * naming the table and the constraint, so a caller can tell a missing parent row from a
 * negative amount or a taken key without reading error text. Every other `SqlError`
 * passes through unchanged.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

const violationFields = {
  /** The table the statement wrote. */
  table: Schema.String,
  /** The name of the constraint that refused the row. */
  constraint: Schema.String,
  /** PostgreSQL's own detail, when it gave one (the offending key and value). */
  detail: Schema.String
}

/**
 * A row refers to a row that does not exist, or a row still referred to was deleted
 * (SQLSTATE 23503).
 *
 * @category errors
 * @since 0.1.0
 */
export class ForeignKeyViolation extends Schema.TaggedError<ForeignKeyViolation>()("ForeignKeyViolation", {
  ...violationFields
}) {
  /** A sentence naming the table and the constraint. */
  override get message(): string {
    return `${this.table}: foreign key ${this.constraint} violated${this.detail === "" ? "" : `: ${this.detail}`}`
  }
}

/**
 * A row breaks a check constraint: a negative amount or balance, a malformed value, an
 * inconsistent pair of columns (SQLSTATE 23514).
 *
 * @category errors
 * @since 0.1.0
 */
export class CheckViolation extends Schema.TaggedError<CheckViolation>()("CheckViolation", {
  ...violationFields
}) {
  /** A sentence naming the table and the constraint. */
  override get message(): string {
    return `${this.table}: check ${this.constraint} violated${this.detail === "" ? "" : `: ${this.detail}`}`
  }
}

/**
 * A row repeats a value that must be unique (SQLSTATE 23505).
 *
 * @category errors
 * @since 0.1.0
 */
export class UniqueViolation extends Schema.TaggedError<UniqueViolation>()("UniqueViolation", {
  ...violationFields
}) {
  /** A sentence naming the table and the constraint. */
  override get message(): string {
    return `${this.table}: unique ${this.constraint} violated${this.detail === "" ? "" : `: ${this.detail}`}`
  }
}

/**
 * A required column is missing (SQLSTATE 23502).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotNullViolation extends Schema.TaggedError<NotNullViolation>()("NotNullViolation", {
  /** The table the statement wrote. */
  table: Schema.String,
  /** The column left null. */
  column: Schema.String
}) {
  /** A sentence naming the table and the constraint. */
  override get message(): string {
    return `${this.table}.${this.column} must not be null`
  }
}

/**
 * A change the schema forbids outright, such as editing or deleting a journal line
 * (SQLSTATE 23001).
 *
 * @category errors
 * @since 0.1.0
 */
export class RestrictViolation extends Schema.TaggedError<RestrictViolation>()("RestrictViolation", {
  ...violationFields
}) {
  /** A sentence naming the table and the constraint. */
  override get message(): string {
    return `${this.table}: ${this.detail === "" ? `refused by ${this.constraint}` : this.detail}`
  }
}

/**
 * Any of the integrity errors.
 *
 * @category errors
 * @since 0.1.0
 */
export type ConstraintViolation =
  | ForeignKeyViolation
  | CheckViolation
  | UniqueViolation
  | NotNullViolation
  | RestrictViolation

const field = (cause: unknown, name: string): string => {
  if (!Predicate.hasProperty(cause, name)) return ""
  const value = cause[name]
  return typeof value === "string" ? value : ""
}

/**
 * The typed integrity error a `SqlError` stands for, or undefined when it is not one.
 *
 * @category errors
 * @since 0.1.0
 */
export const fromSqlError = (error: SqlError): ConstraintViolation | undefined => {
  const cause = error.reason.cause
  const code = field(cause, "code")
  const table = field(cause, "table")
  const constraint = field(cause, "constraint")
  const detail = field(cause, "detail") || field(cause, "message")
  switch (code) {
    case "23503":
      return new ForeignKeyViolation({ table, constraint, detail })
    case "23514":
      return new CheckViolation({ table, constraint, detail })
    case "23505":
      return new UniqueViolation({ table, constraint, detail })
    case "23502":
      return new NotNullViolation({ table, column: field(cause, "column") })
    case "23001":
      return new RestrictViolation({ table, constraint, detail: field(cause, "message") })
    default:
      return undefined
  }
}

/**
 * Replaces the integrity failures among an effect's `SqlError`s with their typed errors.
 *
 * @category combinators
 * @since 0.1.0
 */
export const refine = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | ConstraintViolation, R> =>
  Effect.mapError(self, (error): E | ConstraintViolation => isSqlError(error) ? fromSqlError(error) ?? error : error)
