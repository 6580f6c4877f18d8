/**
 * The ledger's vocabulary: accounts, amounts, transfer ids and kinds, the four requests,
 * and the results the service returns. Declared here, re-exported by `Ledger.ts`, whose
 * namespace is their public name (`Ledger.Account`, `Ledger.Request`, ...).
 */
import { Enums, Ids } from "@niha/domain"
import type * as DateTime from "effect/DateTime"
import type * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type { SetError } from "./errors.ts"

// ---------------------------------------------------------------------------------------------
// Accounts and amounts
// ---------------------------------------------------------------------------------------------

/**
 * The accounts of the platform itself.
 *
 * @category accounts
 * @since 0.1.0
 */
export const PlatformAccountName = Schema.Literals(["FEES", "CUSTODY", "SETTLEMENT_PENDING", "WORLD"])

/**
 * @category accounts
 * @since 0.1.0
 */
export type PlatformAccountName = typeof PlatformAccountName.Type

/**
 * An account: an entity's available or locked balance (of the transfer's asset), or a
 * platform account.
 *
 * @category accounts
 * @since 0.1.0
 */
export const Account = Schema.Union([
  Schema.TaggedStruct("Available", {
    /** The entity whose available balance this is. */
    entity_id: Ids.EntityId
  }),
  Schema.TaggedStruct("Locked", {
    /** The entity whose locked balance this is. */
    entity_id: Ids.EntityId
  }),
  Schema.TaggedStruct("Platform", {
    /** Which platform account. */
    name: PlatformAccountName
  })
])

/**
 * @category accounts
 * @since 0.1.0
 */
export type Account = typeof Account.Type

/**
 * The available balance of an entity.
 *
 * @category accounts
 * @since 0.1.0
 */
export const available = (entity_id: Ids.EntityId): Account => ({ _tag: "Available", entity_id })

/**
 * The locked balance of an entity.
 *
 * @category accounts
 * @since 0.1.0
 */
export const locked = (entity_id: Ids.EntityId): Account => ({ _tag: "Locked", entity_id })

/**
 * A platform account.
 *
 * @category accounts
 * @since 0.1.0
 */
export const platform = (name: PlatformAccountName): Account => ({ _tag: "Platform", name })

/**
 * A positive amount in the asset's minor unit: cents for EUR, tonnes for CEA and EUA.
 *
 * @category amounts
 * @since 0.1.0
 */
export const Amount = Schema.Int.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(Number.MAX_SAFE_INTEGER))

/**
 * A signed amount in the asset's minor unit, never zero: what one line adds to its account.
 *
 * @category amounts
 * @since 0.1.0
 */
export const SignedAmount = Schema.Int.check(
  Schema.isBetween({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  Schema.makeFilter((value: number) => value === 0 ? "a line must move a non-zero amount" : undefined)
)

/**
 * The id of a transfer, shared by its lines (`asset_transactions.transfer_id`).
 *
 * @category transfers
 * @since 0.1.0
 */
export const TransferId = Ids.Uuid.pipe(Schema.brand("TransferId"))

/**
 * @category transfers
 * @since 0.1.0
 */
export type TransferId = typeof TransferId.Type

/**
 * What a transfer is: posted at once, pending, the post of a pending transfer, or its void.
 *
 * @category transfers
 * @since 0.1.0
 */
export const TransferKind = Schema.Literals(["POSTED", "PENDING", "POST_PENDING", "VOID_PENDING"])

/**
 * @category transfers
 * @since 0.1.0
 */
export type TransferKind = typeof TransferKind.Type

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** A caller's key or a reference: trimmed, non-empty text of at most 200 characters. */
export const Key = Schema.String.check(Schema.isTrimmed(), Schema.isNonEmpty(), Schema.isMaxLength(200))

const metadata = {
  /** The caller's idempotency key; unique across the ledger. */
  key: Key,
  /** The kind of movement, as the journal's `transaction_type`. */
  type: Enums.TransactionType,
  /** What the movement belongs to, as `<table>:<id>`. */
  reference: Key,
  /** Free text kept on every line (the reason of an adjustment or a reversal). */
  notes: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** The admin who asked for the movement; absent or null for the system. */
  created_by: Schema.optionalKey(Schema.NullOr(Ids.UserId)),
  /** The market maker the movement is for, if any. */
  market_maker_id: Schema.optionalKey(Schema.NullOr(Ids.MarketMakerClientId))
}

/**
 * A line of a transfer request.
 *
 * @category requests
 * @since 0.1.0
 */
export const Leg = Schema.Struct({
  /** The account the line moves. */
  account: Account,
  /** What the line adds to the account (negative to take from it), in the asset's minor unit. */
  amount: SignedAmount
})

/**
 * @category requests
 * @since 0.1.0
 */
export type Leg = typeof Leg.Type

/**
 * A posted transfer with explicit lines, which must sum to zero. `Locked` accounts are
 * moved only through pending transfers, never directly.
 *
 * @category requests
 * @since 0.1.0
 */
export const TransferRequest = Schema.TaggedStruct("Transfer", {
  ...metadata,
  /** The asset every line moves. */
  asset: Enums.AssetType,
  /** At least two lines, summing to zero. */
  legs: Schema.Array(Leg).check(Schema.isMinLength(2))
})

/**
 * @category requests
 * @since 0.1.0
 */
export type TransferRequest = typeof TransferRequest.Type

/**
 * A pending transfer: `amount` moves from `from` into the `Locked` account of `holder`.
 *
 * @category requests
 * @since 0.1.0
 */
export const PendingRequest = Schema.TaggedStruct("Pending", {
  ...metadata,
  /** The asset held. */
  asset: Enums.AssetType,
  /** The entity whose locked balance holds the amount. */
  holder: Ids.EntityId,
  /** Where the amount comes from, and where a void returns it. */
  from: Account,
  /** How much, in the asset's minor unit. */
  amount: Amount
})

/**
 * @category requests
 * @since 0.1.0
 */
export type PendingRequest = typeof PendingRequest.Type

/**
 * Which pending transfer: by its transfer id, or by the key it was created with.
 *
 * @category requests
 * @since 0.1.0
 */
export const PendingRef = Schema.Union([
  Schema.Struct({
    /** The pending transfer's id. */
    transfer_id: TransferId
  }),
  Schema.Struct({
    /** The key the pending transfer was created with. */
    key: Key
  })
])

/**
 * @category requests
 * @since 0.1.0
 */
export type PendingRef = typeof PendingRef.Type

/**
 * A post of a pending transfer: each destination receives its amount out of the holder's
 * `Locked` account (`to` alone posts everything that remains). The rest is returned to the
 * pending transfer's source (`remainder: "return"`, the default), or kept pending for later
 * posts (`"keep"`, for the fills of an order).
 *
 * @category requests
 * @since 0.1.0
 */
export const PostRequest = Schema.TaggedStruct("Post", {
  ...metadata,
  /** The pending transfer to post. */
  pending: PendingRef,
  /** Where the posted amount goes. */
  destinations: Schema.Union([
    Schema.Struct({
      /** The one account that receives everything that remains pending. */
      to: Account
    }),
    Schema.Struct({
      /** The accounts that receive a part each. */
      legs: Schema.Array(Schema.Struct({
        /** The receiving account. */
        account: Account,
        /** What it receives, in the asset's minor unit. */
        amount: Amount
      })).check(Schema.isMinLength(1))
    })
  ]),
  /** What happens to the rest: returned to the source (the default) or kept pending. */
  remainder: Schema.optionalKey(Schema.Literals(["return", "keep"]))
})

/**
 * @category requests
 * @since 0.1.0
 */
export type PostRequest = typeof PostRequest.Type

/**
 * A void of a pending transfer: what remains of it goes back to its source.
 *
 * @category requests
 * @since 0.1.0
 */
export const VoidRequest = Schema.TaggedStruct("Void", {
  ...metadata,
  /** The pending transfer to void. */
  pending: PendingRef
})

/**
 * @category requests
 * @since 0.1.0
 */
export type VoidRequest = typeof VoidRequest.Type

/**
 * Any request the ledger applies.
 *
 * @category requests
 * @since 0.1.0
 */
export const Request = Schema.Union([TransferRequest, PendingRequest, PostRequest, VoidRequest])

/**
 * @category requests
 * @since 0.1.0
 */
export type Request = typeof Request.Type

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/**
 * One stored line of a transfer.
 *
 * @category results
 * @since 0.1.0
 */
export interface Line {
  /** The row of `asset_transactions`. */
  readonly id: Ids.AssetTransactionId
  /** The account the line moved. */
  readonly account: Account
  /** Signed amount in the asset's minor unit. */
  readonly amount: number
  /** The entity's holding (available + locked) after the line; null on platform lines. */
  readonly balance_after: number | null
}

/**
 * A stored transfer, as the ledger returns it.
 *
 * @category results
 * @since 0.1.0
 */
export interface Transfer {
  /** The id its lines share. */
  readonly transfer_id: TransferId
  /** The caller's idempotency key. */
  readonly key: string
  /** Posted, pending, a post or a void. */
  readonly kind: TransferKind
  /** The journal's `transaction_type`. */
  readonly type: Enums.TransactionType
  /** The asset moved. */
  readonly asset: Enums.AssetType
  /** What it belongs to, as `<table>:<id>`. */
  readonly reference: string
  /** For a post or a void, the pending transfer it resolves. */
  readonly pending_id: TransferId | null
  /** The free text kept on its lines. */
  readonly notes: string | null
  /** The admin who asked for it, if any. */
  readonly created_by: Ids.UserId | null
  /** The market maker it is for, if any. */
  readonly market_maker_id: Ids.MarketMakerClientId | null
  /** When it was written. */
  readonly created_at: DateTime.Utc
  /** Its lines, in the order they were requested; they sum to zero. */
  readonly lines: ReadonlyArray<Line>
}

/**
 * The state of a pending transfer.
 *
 * @category results
 * @since 0.1.0
 */
export interface PendingState {
  /** The pending transfer's id. */
  readonly transfer_id: TransferId
  /** The key it was created with. */
  readonly key: string
  /** The asset held. */
  readonly asset: Enums.AssetType
  /** The entity whose locked balance holds it. */
  readonly holder: Ids.EntityId
  /** Where a void or a returned remainder goes. */
  readonly source: Account
  /** The amount it locked, in the asset's minor unit. */
  readonly amount: number
  /** What is still pending: the amount less everything posted or returned since. */
  readonly remaining: number
}

/**
 * The outcome of one linked set of a batch: its transfers (written now, or before under
 * the same keys), or the error that refused it (and nothing of it was written).
 *
 * @category results
 * @since 0.1.0
 */
export type SetResult = Result.Result<ReadonlyArray<Transfer>, SetError>
