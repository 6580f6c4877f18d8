/**
 * The withdrawal policy: what an entity may take out, decided in one place for the server,
 * partner platforms and the tests.
 *
 * - A minimum amount: a wire costs the platform a fee, and tiny withdrawals are more often
 *   probes of a stolen account than real needs.
 * - A maximum per rolling 24 hours and per rolling 7 days, per entity, counting every
 *   withdrawal not REJECTED (a pending one already holds its money): a stolen session
 *   cannot empty an account in one go, and a larger need is a call to the operator, who
 *   raises the limit.
 * - Four eyes: the first withdrawal to a beneficiary account the entity never used before
 *   needs the approval of a second admin, other than the one who processes it (a changed
 *   IBAN is the classic payment fraud).
 *
 * The server checks the limits in the same transaction that locks the amount, with the
 * entity's holdings row locked, so concurrent requests cannot together pass a limit.
 *
 * Defaults ({@link defaults}): EUR 100.00 minimum, EUR 250,000.00 per 24 hours and
 * EUR 1,000,000.00 per 7 days; admins change them.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { Model } from "effect/schema"
import * as Errors from "./Errors.ts"
import * as Ids from "./Ids.ts"
import * as fields from "./internal/fields.ts"
import * as Money from "./Money.ts"

/**
 * The limits. Admins change them (the server keeps them in `funding_settings`); a value
 * this schema refuses is never stored. The minimum is more than zero, and the limits
 * nest: the minimum is at most the 24-hour limit, which is at most the 7-day limit (a
 * 24-hour limit above the 7-day one could never be reached, and one below the minimum
 * would refuse every withdrawal).
 *
 * @category config
 * @since 0.1.0
 */
export const Config = Schema.Struct({
  /** The smallest withdrawal; more than zero. */
  minimum: Money.CentsFromString.check(
    Schema.makeFilter((cents: number) => cents > 0 ? undefined : "must be greater than zero")
  ),
  /** The most an entity may withdraw within any 24 hours; at least the minimum. */
  max_per_24h: Money.CentsFromString,
  /** The most an entity may withdraw within any 7 days; at least the 24-hour limit. */
  max_per_7d: Money.CentsFromString
}).check(Schema.makeFilter((limits) => {
  const issues: Array<Schema.FilterIssue> = []
  if (limits.max_per_24h < limits.minimum) {
    issues.push({ path: ["max_per_24h"], issue: "must be at least the minimum" })
  }
  if (limits.max_per_7d < limits.max_per_24h) {
    issues.push({ path: ["max_per_7d"], issue: "must be at least max_per_24h" })
  }
  return issues
})).annotate({ identifier: "WithdrawalLimits" })

/**
 * @category config
 * @since 0.1.0
 */
export type Config = typeof Config.Type

/**
 * The default limits: EUR 100.00 minimum, EUR 250,000.00 per 24 hours, EUR 1,000,000.00
 * per 7 days.
 *
 * @category config
 * @since 0.1.0
 */
export const defaults: Config = {
  minimum: Money.Cents.make(10_000),
  max_per_24h: Money.Cents.make(25_000_000),
  max_per_7d: Money.Cents.make(100_000_000)
}

/**
 * What the policy reads: the amount asked, and what the entity has withdrawn (or has
 * pending) within the last 24 hours and 7 days, not counting this request.
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  /** The amount asked. */
  readonly amount: Money.Cents
  /** Withdrawn or pending within the last 24 hours. */
  readonly last_24h: Money.Cents
  /** Withdrawn or pending within the last 7 days. */
  readonly last_7d: Money.Cents
}

/**
 * Checks a withdrawal against the limits: succeeds, or fails with the domain's
 * `LimitExceeded` naming the limit and what may still be withdrawn under it.
 *
 * @category checks
 * @since 0.1.0
 */
export const check = (request: Request, config: Config): Result.Result<void, Errors.LimitExceeded> => {
  if (request.amount < config.minimum) {
    return Result.fail(
      new Errors.LimitExceeded({
        limit: "minimum",
        amount: Money.format(request.amount),
        bound: Money.format(config.minimum),
        remaining: Money.format(Money.zero)
      })
    )
  }
  const windows = [
    { limit: "max_per_24h" as const, bound: config.max_per_24h, used: request.last_24h },
    { limit: "max_per_7d" as const, bound: config.max_per_7d, used: request.last_7d }
  ]
  for (const window of windows) {
    // Integers below 2^53: exact.
    const remaining = Math.max(0, window.bound - window.used)
    if (request.amount > remaining) {
      return Result.fail(
        new Errors.LimitExceeded({
          limit: window.limit,
          amount: Money.format(request.amount),
          bound: Money.format(window.bound),
          remaining: Money.format(Money.Cents.make(remaining))
        })
      )
    }
  }
  return Result.succeed(undefined)
}

/**
 * Whether a withdrawal needs a second admin's approval: the first one to a beneficiary
 * account the entity has never been paid out to.
 *
 * @category checks
 * @since 0.1.0
 */
export const needsSecondApproval = (beneficiaryUsedBefore: boolean): boolean => !beneficiaryUsedBefore

/**
 * A row of `withdrawal_approvals` (a table of the platform's own): the second admin's
 * approval of a withdrawal that {@link needsSecondApproval}. One per withdrawal; the admin
 * who completes the withdrawal must be another.
 *
 * @category four eyes
 * @since 0.1.0
 */
export class WithdrawalApproval extends Model.Class<WithdrawalApproval>("WithdrawalApproval")({
  /** Primary key, generated by the database. */
  id: fields.generatedId(Ids.WithdrawalApprovalId),
  /** The approved withdrawal. */
  withdrawal_id: Ids.WithdrawalId,
  /** The approving admin. */
  approved_by: Ids.UserId,
  /** When it was approved. */
  created_at: fields.createdAt
}) {}
