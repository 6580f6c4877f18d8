/**
 * The typed errors of the platform: the server returns them, the SDK decodes them, and the
 * pure rules of this package produce them as values (never throws). Each error carries the
 * fields a client needs to act (which asset is short and by how much, which action needs
 * which role, when to retry) and a `message` a person can read.
 *
 * `InvalidTransition` is defined beside the state machines and re-exported here so that
 * the whole catalogue is in one place; {@link DomainError} is the union of all of them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"
import * as Enums from "./Enums.ts"
import * as Ids from "./Ids.ts"
import { InvalidTransition } from "./StateMachine.ts"

export {
  /**
   * A status change the state machine does not allow (re-exported from `StateMachine`).
   *
   * @category errors
   * @since 0.1.0
   */
  InvalidTransition
}

/**
 * An entity does not hold enough of an asset, available (not locked), for what it asked.
 * `required` and `available` are decimal strings in the asset's unit ("1234.50" EUR, "100"
 * tonnes), like every amount on the wire.
 *
 * @category errors
 * @since 0.1.0
 */
export class InsufficientFunds extends Schema.TaggedError<InsufficientFunds>()("InsufficientFunds", {
  /** The entity that is short. */
  entity_id: Ids.EntityId,
  /** The asset that is short. */
  asset_type: Enums.AssetType,
  /** What the action needed, decimal text in the asset's unit. */
  required: Schema.String,
  /** What is available (not locked), decimal text in the asset's unit. */
  available: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `insufficient ${this.asset_type}: ${this.required} required, ${this.available} available`
  }
}

/**
 * The caller's role or onboarding stage does not allow the action. `allowed` lists the roles
 * that may do it, so a client can tell a user what stage they must reach.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotPermitted extends Schema.TaggedError<NotPermitted>()("NotPermitted", {
  /** The action refused (a `Capabilities.Action`). */
  action: Schema.String,
  /** The caller's role or onboarding stage. */
  role: Enums.UserRole,
  /** The roles that may perform the action. */
  allowed: Schema.Array(Enums.UserRole)
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    const allowed = this.allowed.length === 0 ? "nobody" : this.allowed.join(", ")
    return `a user at ${this.role} may not ${this.action.replaceAll("_", " ")} (allowed: ${allowed})`
  }
}

/**
 * No row of `resource` (a table name such as "deposits") has the id, or the caller may not
 * see it: the server answers both the same way so ids of other entities do not leak.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  /** What was looked up: a table name such as "deposits". */
  resource: Schema.String,
  /** The id that was not found. */
  id: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${this.resource} ${this.id} not found`
  }
}

/**
 * One problem of a rejected input: where (a dotted path such as "lines.0.amount", empty
 * for the input as a whole) and what.
 *
 * @category errors
 * @since 0.1.0
 */
export const ValidationIssue = Schema.Struct({
  /** Where: a dotted path, empty for the input as a whole. */
  path: Schema.String,
  /** What is wrong, in a sentence. */
  message: Schema.String
})

/**
 * @category errors
 * @since 0.1.0
 */
export type ValidationIssue = typeof ValidationIssue.Type

/**
 * The input was rejected before anything changed; `issues` says where and why.
 *
 * @category errors
 * @since 0.1.0
 */
export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()("ValidationFailed", {
  /** Every problem found. */
  issues: Schema.Array(ValidationIssue)
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return this.issues.map((issue) => issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`).join(
      "; "
    )
  }
}

const standardFormatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Turns a schema decoding failure into a {@link ValidationFailed} with one issue per problem.
 *
 * @category constructors
 * @since 0.1.0
 */
export const validationFailed = (error: Schema.SchemaError): ValidationFailed =>
  new ValidationFailed({
    issues: standardFormatter(error.issue).issues.map((issue) => ({
      path: issue.path?.map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".") ?? "",
      message: issue.message
    }))
  })

/**
 * The request clashes with the current state: an idempotency key reused with other fields,
 * a unique value taken, a row changed since it was read. `reason` says which.
 *
 * @category errors
 * @since 0.1.0
 */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  /** What is in conflict: a table name such as "asset_transactions". */
  resource: Schema.String,
  /** What clashes, in a sentence. */
  reason: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${this.resource}: ${this.reason}`
  }
}

/**
 * A valid order the market refused as it stands: a post-only order that would trade on
 * arrival (`POST_ONLY_WOULD_CROSS`), a fill-or-kill order the book cannot fill
 * (`FOK_NOT_FILLABLE`), or any order while the market is halted (`MARKET_HALTED`).
 * Nothing is stored and nothing is locked.
 *
 * @category errors
 * @since 0.1.0
 */
export class OrderRejected extends Schema.TaggedError<OrderRejected>()("OrderRejected", {
  /** The market. */
  market: Enums.MarketType,
  /** Why, as the matching engine names it. */
  reason: Schema.Literals(["POST_ONLY_WOULD_CROSS", "FOK_NOT_FILLABLE", "MARKET_HALTED"])
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    switch (this.reason) {
      case "POST_ONLY_WOULD_CROSS":
        return `${this.market}: a post-only order would trade on arrival`
      case "FOK_NOT_FILLABLE":
        return `${this.market}: a fill-or-kill order cannot be filled in full at once`
      case "MARKET_HALTED":
        return `${this.market}: the market is halted`
    }
  }
}

/**
 * An entity's KYC file is not ready for what was asked: its client has not submitted it
 * (`not_submitted`, before an approval), or required documents are missing or await
 * review (`incomplete`, before an approval or a submission). `missing` and `pending` name
 * the document types (`Onboarding.kycReadiness`).
 *
 * @category errors
 * @since 0.1.0
 */
export class KycNotReady extends Schema.TaggedError<KycNotReady>()("KycNotReady", {
  /** The entity whose file it is. */
  entity_id: Ids.EntityId,
  /** Why the file is not ready. */
  reason: Schema.Literals(["not_submitted", "incomplete"]),
  /** Required types with no live document. */
  missing: Schema.Array(Enums.DocumentType),
  /** Required types whose document awaits review. */
  pending: Schema.Array(Enums.DocumentType)
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    if (this.reason === "not_submitted") {
      return "the client has not submitted its KYC file yet (POST /kyc/submit); it can be approved after that"
    }
    const list = (types: ReadonlyArray<string>) => types.length === 0 ? "none" : types.join(", ")
    return `the KYC file is not complete: missing ${list(this.missing)}, awaiting review ${list(this.pending)}`
  }
}

/**
 * A request over one of the platform's limits: a withdrawal below the minimum, or above
 * what may still be withdrawn within 24 hours or 7 days. Amounts are decimal strings in
 * the asset's unit; `remaining` is what the limit still allows.
 *
 * @category errors
 * @since 0.1.0
 */
export class LimitExceeded extends Schema.TaggedError<LimitExceeded>()("LimitExceeded", {
  /** Which limit: `minimum`, `max_per_24h` or `max_per_7d`. */
  limit: Schema.Literals(["minimum", "max_per_24h", "max_per_7d"]),
  /** The amount asked. */
  amount: Schema.String,
  /** The limit's amount. */
  bound: Schema.String,
  /** What the limit still allows (zero for the minimum). */
  remaining: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    switch (this.limit) {
      case "minimum":
        return `the amount ${this.amount} is below the minimum withdrawal of ${this.bound}`
      case "max_per_24h":
        return `the amount ${this.amount} exceeds the 24-hour limit of ${this.bound}; ${this.remaining} remains`
      case "max_per_7d":
        return `the amount ${this.amount} exceeds the 7-day limit of ${this.bound}; ${this.remaining} remains`
    }
  }
}

/**
 * Too many requests; the client may try again after `retry_after_seconds`.
 *
 * @category errors
 * @since 0.1.0
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  /** Seconds to wait before trying again. */
  retry_after_seconds: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** The limit reached, such as "60 requests per minute". */
  limit: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `rate limit ${this.limit} reached: retry after ${this.retry_after_seconds} s`
  }
}

/**
 * The exact result of an arithmetic rule lies outside the range of its value type (an
 * amount above 2^53 - 1 minor units, a balance below zero). All bounds and the value are
 * decimal strings in the type's unit.
 *
 * @category errors
 * @since 0.1.0
 */
export class OutOfRange extends Schema.TaggedError<OutOfRange>()("OutOfRange", {
  /** The kind of value, such as "a EUR amount". */
  what: Schema.String,
  /** The exact result, decimal text in the type's unit. */
  value: Schema.String,
  /** The smallest valid value, decimal text. */
  min: Schema.String,
  /** The largest valid value, decimal text. */
  max: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${this.what} ${this.value} is out of range (${this.min} to ${this.max})`
  }
}

/**
 * Every error of the catalogue, for decoding an error body whose tag is not known in
 * advance.
 *
 * @category errors
 * @since 0.1.0
 */
export const DomainError = Schema.Union([
  InsufficientFunds,
  OrderRejected,
  InvalidTransition,
  NotPermitted,
  NotFound,
  ValidationFailed,
  Conflict,
  KycNotReady,
  LimitExceeded,
  RateLimited,
  OutOfRange
])

/**
 * @category errors
 * @since 0.1.0
 */
export type DomainError = typeof DomainError.Type
