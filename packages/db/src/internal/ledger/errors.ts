/**
 * The ledger's errors. Refusals a caller acts on (a post of more than remains, a platform
 * account that would break its limit, ...) are failures in the error channel, listed by
 * {@link LedgerError}. Broken invariants (lines that do not balance, a `balance_after` that
 * is not the holding after the line, a stored remainder that disagrees with the journal)
 * mean the ledger or its database is corrupt: the ledger asserts them before it writes,
 * and dies with the error naming the invariant, so the transaction rolls back and nothing
 * is written. Re-exported by `Ledger.ts`.
 */
import { Enums, type Errors } from "@niha/domain"
import * as Schema from "effect/Schema"
import type { SqlError } from "effect/sql/SqlError"
import type * as Constraints from "../../Constraints.ts"

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A post or void of a transfer that is not pending, or has nothing left pending.
 *
 * @category errors
 * @since 0.1.0
 */
export class PendingClosed extends Schema.TaggedError<PendingClosed>()("PendingClosed", {
  /** The transfer asked for. */
  transfer_id: Schema.String,
  /** Why it cannot be posted or voided. */
  reason: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `pending transfer ${this.transfer_id}: ${this.reason}`
  }
}

/**
 * A post of more than what remains of the pending transfer.
 *
 * @category errors
 * @since 0.1.0
 */
export class ExceedsPending extends Schema.TaggedError<ExceedsPending>()("ExceedsPending", {
  /** The pending transfer. */
  transfer_id: Schema.String,
  /** What the post asked for, as decimal text. */
  requested: Schema.String,
  /** What remains pending, as decimal text. */
  remaining: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `pending transfer ${this.transfer_id}: ${this.requested} requested, ${this.remaining} remaining`
  }
}

/**
 * A reversal of a transfer that cannot be reversed (pending transfers are voided instead,
 * and posts of pending transfers are part of their pending transfer's story).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotReversible extends Schema.TaggedError<NotReversible>()("NotReversible", {
  /** The transfer asked for. */
  transfer_id: Schema.String,
  /** What it is. */
  kind: Schema.String
}) {
  /** A sentence saying what went wrong. */
  override get message(): string {
    return `transfer ${this.transfer_id} is ${this.kind} and cannot be reversed`
  }
}

/**
 * A transfer that would take `CUSTODY` or `SETTLEMENT_PENDING` below zero. Only `WORLD`,
 * the outside world, goes below zero; the platform cannot sell inventory it does not hold
 * nor deliver allowances no trade put in settlement.
 *
 * @category errors
 * @since 0.1.0
 */
export class PlatformOverdraft extends Schema.TaggedError<PlatformOverdraft>()("PlatformOverdraft", {
  /** The platform account. */
  account: Schema.Literals(["CUSTODY", "SETTLEMENT_PENDING"]),
  /** The asset. */
  asset_type: Enums.AssetType,
  /** What the transfer takes from it, as decimal text. */
  required: Schema.String,
  /** What it holds, as decimal text. */
  available: Schema.String
}) {
  /** A sentence naming the limit. */
  override get message(): string {
    return `${this.account} never goes below zero: ${this.required} ${this.asset_type} required, ${this.available} held`
  }
}

/**
 * A transfer that would debit `FEES`, which only receives: fees are credited by trades,
 * and no request takes them back out.
 *
 * @category errors
 * @since 0.1.0
 */
export class CreditOnlyDebit extends Schema.TaggedError<CreditOnlyDebit>()("CreditOnlyDebit", {
  /** The credit-only account. */
  account: Schema.Literal("FEES"),
  /** The asset. */
  asset_type: Enums.AssetType,
  /** The debit asked for, as decimal text. */
  amount: Schema.String
}) {
  /** A sentence naming the limit. */
  override get message(): string {
    return `${this.account} is credit-only: a debit of ${this.amount} ${this.asset_type} is refused`
  }
}

// ---------------------------------------------------------------------------------------------
// Broken invariants: defects, never in the error channel
// ---------------------------------------------------------------------------------------------

/**
 * Broken invariant: the planned lines of a transfer do not sum to zero.
 *
 * @category invariants
 * @since 0.1.0
 */
export class UnbalancedLines extends Schema.TaggedError<UnbalancedLines>()("UnbalancedLines", {
  /** The transfer's key. */
  key: Schema.String,
  /** The sum of its lines, in minor units. */
  sum: Schema.String
}) {
  /** A sentence naming the invariant. */
  override get message(): string {
    return `invariant "the lines of a transfer sum to zero" broken by ${this.key}: they sum to ${this.sum}`
  }
}

/**
 * Broken invariant: an account's balance after a set of transfers is not its balance
 * before plus its lines, or a line's `balance_after` is not the entity's holding after it,
 * or an account is outside its limit.
 *
 * @category invariants
 * @since 0.1.0
 */
export class InconsistentBalance extends Schema.TaggedError<InconsistentBalance>()("InconsistentBalance", {
  /** The account, as `<entity>/<asset>/<AVAILABLE|LOCKED>` or `<platform account>/<asset>`. */
  account: Schema.String,
  /** What the invariant expects, in minor units. */
  expected: Schema.String,
  /** What the ledger found or computed, in minor units. */
  actual: Schema.String,
  /** Which invariant. */
  invariant: Schema.String
}) {
  /** A sentence naming the invariant. */
  override get message(): string {
    return `invariant "${this.invariant}" broken on ${this.account}: expected ${this.expected}, got ${this.actual}`
  }
}

/**
 * Broken invariant: a pending transfer's stored remainder is outside 0 to its amount, or
 * is not its amount less what its posts and voids took.
 *
 * @category invariants
 * @since 0.1.0
 */
export class InconsistentPending extends Schema.TaggedError<InconsistentPending>()("InconsistentPending", {
  /** The pending transfer. */
  transfer_id: Schema.String,
  /** What the invariant expects, in minor units. */
  expected: Schema.String,
  /** What the ledger found or computed, in minor units. */
  actual: Schema.String,
  /** Which invariant. */
  invariant: Schema.String
}) {
  /** A sentence naming the invariant. */
  override get message(): string {
    return `invariant "${this.invariant}" broken on pending transfer ${this.transfer_id}: expected ${this.expected}, got ${this.actual}`
  }
}

/**
 * Broken invariant: a row the ledger reads or writes is missing (an account it locked, the
 * remainder of a pending transfer, the lines of a stored transfer).
 *
 * @category invariants
 * @since 0.1.0
 */
export class MissingRow extends Schema.TaggedError<MissingRow>()("MissingRow", {
  /** The table. */
  table: Schema.String,
  /** The row's key. */
  key: Schema.String,
  /** Which invariant. */
  invariant: Schema.String
}) {
  /** A sentence naming the invariant. */
  override get message(): string {
    return `invariant "${this.invariant}" broken: no ${this.table} row ${this.key}`
  }
}

/**
 * Any broken invariant; the ledger dies with it (the transaction rolls back).
 *
 * @category invariants
 * @since 0.1.0
 */
export type InvariantViolation = UnbalancedLines | InconsistentBalance | InconsistentPending | MissingRow

/**
 * What a ledger operation can fail with.
 *
 * @category errors
 * @since 0.1.0
 */
export type LedgerError =
  | Errors.InsufficientFunds
  | Errors.Conflict
  | Errors.NotFound
  | Errors.ValidationFailed
  | PendingClosed
  | ExceedsPending
  | NotReversible
  | PlatformOverdraft
  | CreditOnlyDebit
  | Constraints.ConstraintViolation
  | SqlError

/**
 * What refuses one linked set of a batch: the set is reported with it in its place, and
 * the batch's other sets go on.
 *
 * @category errors
 * @since 0.1.0
 */
export type SetError =
  | Errors.InsufficientFunds
  | Errors.Conflict
  | Errors.NotFound
  | Errors.ValidationFailed
  | PendingClosed
  | ExceedsPending
  | PlatformOverdraft
  | CreditOnlyDebit

/**
 * What fails a whole batch (nothing of it is written): the database.
 *
 * @category errors
 * @since 0.1.0
 */
export type BatchError = Constraints.ConstraintViolation | SqlError

/**
 * A batch was submitted to run inside the caller's transaction while none was open: a
 * programming error (its statements would each commit alone, and its locks would not
 * last), so the ledger dies with it before touching anything.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotInTransaction extends Schema.TaggedError<NotInTransaction>()("NotInTransaction", {
  /** The operation called. */
  operation: Schema.String
}) {
  /** A sentence saying what to do. */
  override get message(): string {
    return `${this.operation} runs inside the caller's transaction: call it within Transaction.run`
  }
}
