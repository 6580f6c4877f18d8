/**
 * The asset ledger: every movement of EUR, CEA or EUA as a balanced transfer between
 * accounts, on the model of TigerBeetle's double entry.
 *
 * - Accounts: each entity has two accounts per asset, `Available` and `Locked`
 *   (materialised as the `available` and `locked` columns of its `entity_holdings` row),
 *   and the platform has four, each with a row per asset in `ledger.platform_accounts`
 *   and a limit: `CUSTODY` (the platform's inventory, which market makers trade) and
 *   `SETTLEMENT_PENDING` (allowances waiting for their T+N delivery) never go below zero
 *   ({@link PlatformOverdraft}), `FEES` is credit-only ({@link CreditOnlyDebit}), and
 *   `WORLD` (the outside world: the bank and the registries) is the only account below
 *   zero, being the source of everything deposited.
 * - Transfers: a transfer moves one asset; its lines (one row of `asset_transactions`
 *   each, sharing a `transfer_id`) sum to zero, and it is written together with the
 *   accounts it changes in one database transaction. A line is never edited or deleted
 *   (the database refuses it); a mistake is corrected by {@link Service.reverse}.
 * - Two-phase: a pending transfer moves an amount into the `Locked` account of its holder
 *   (from the holder's `Available` for an order or a withdrawal, from `WORLD` for a
 *   deposit on AML hold). It is later posted, in full or in part, to any accounts, with
 *   the rest returned to where it came from or kept pending for later posts (the fills of
 *   an order), or voided (the rest returned). Its remainder is stored
 *   (`ledger.pending_transfers`) and updated by each post and void.
 * - Linked sets: {@link Service.submit} takes several requests and applies all or none.
 * - Batches: {@link Service.submitBatch} applies many independent linked sets in one
 *   transaction, in a fixed number of set-based statements (group commit): each set all or
 *   none, a refused set reported in its place ({@link SetResult}) without stopping the
 *   others. {@link Service.submitBatchInTransaction} does the same inside the caller's
 *   transaction (the order writer's, with its own rows). A post or void in a batch may name
 *   by key a pending transfer an earlier request of the same batch creates.
 * - Limits: no `Available` or `Locked` balance ever goes below zero; the ledger refuses
 *   with the domain's `InsufficientFunds` (and the database's check constraints back it).
 * - Invariants: before it writes, the ledger recomputes from its plan alone that every
 *   transfer balances, every account ends at its balance plus its lines within its limit,
 *   each `balance_after` is the holding after its line and each pending remainder is what
 *   it was less what was taken; a broken one dies with an error naming it
 *   ({@link InvariantViolation}), and nothing is written.
 * - Idempotency: every request carries a caller-given key. Submitting it again with the
 *   same fields returns the original transfer and writes nothing; with other fields it is
 *   the domain's `Conflict`.
 * - Concurrency: the rows a set touches are locked in the platform's one lock order
 *   (`Transaction.lockOrder`: holdings by entity then asset, platform accounts by name then
 *   asset, then pending transfers by id), and the set runs in `Transaction.run`, which
 *   retries deadlocks and serialization failures.
 * - `verify` compares every materialised balance with the sum of its journal, and checks
 *   that every transfer balances, no pending transfer is over-posted and no account is
 *   outside its limit.
 *
 * The vocabulary (accounts, requests, results, errors, report) and the request builders
 * are declared in `internal/ledger/` and re-exported here; this namespace is their name.
 *
 * @since 0.1.0
 */
import { type Enums, Errors, Funds, type Ids } from "@niha/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { toMinor } from "./internal/amounts.ts"
import {
  pendingState,
  submit as submitSet,
  submitBatch as submitSets,
  submitBatchInTransaction as submitSetsInTransaction
} from "./internal/ledger/engine.ts"
import {
  type BatchError,
  type LedgerError,
  MissingRow,
  NotReversible,
  type PendingClosed
} from "./internal/ledger/errors.ts"
import { findStored, loadLines, toTransfer } from "./internal/ledger/lines.ts"
import {
  Key,
  type PendingRef,
  type PendingState,
  type PlatformAccountName,
  type Request,
  type SetResult,
  type Transfer,
  type TransferId
} from "./internal/ledger/model.ts"
import { type Report, verify as verifyLedger } from "./internal/ledger/verify.ts"

export {
  /**
   * @category errors
   * @since 0.1.0
   */
  type BatchError,
  /**
   * @category errors
   * @since 0.1.0
   */
  CreditOnlyDebit,
  /**
   * @category errors
   * @since 0.1.0
   */
  ExceedsPending,
  /**
   * @category invariants
   * @since 0.1.0
   */
  InconsistentBalance,
  /**
   * @category invariants
   * @since 0.1.0
   */
  InconsistentPending,
  /**
   * @category invariants
   * @since 0.1.0
   */
  type InvariantViolation,
  /**
   * @category errors
   * @since 0.1.0
   */
  type LedgerError,
  /**
   * @category invariants
   * @since 0.1.0
   */
  MissingRow,
  /**
   * @category errors
   * @since 0.1.0
   */
  NotInTransaction,
  /**
   * @category errors
   * @since 0.1.0
   */
  NotReversible,
  /**
   * @category errors
   * @since 0.1.0
   */
  PendingClosed,
  /**
   * @category errors
   * @since 0.1.0
   */
  PlatformOverdraft,
  /**
   * @category errors
   * @since 0.1.0
   */
  type SetError,
  /**
   * @category invariants
   * @since 0.1.0
   */
  UnbalancedLines
} from "./internal/ledger/errors.ts"
export {
  Account,
  Amount,
  available,
  Leg,
  type Line,
  locked,
  PendingRef,
  PendingRequest,
  type PendingState,
  platform,
  PlatformAccountName,
  PostRequest,
  Request,
  type SetResult,
  SignedAmount,
  type Transfer,
  TransferId,
  TransferKind,
  TransferRequest,
  VoidRequest
} from "./internal/ledger/model.ts"
export {
  adjust,
  type Common,
  completeWithdrawal,
  creditDeposit,
  deliverSettlement,
  type EntitySide,
  fundCustody,
  lockForOrder,
  lockForWithdrawal,
  type MarketMakerSide,
  placeHold,
  rejectHold,
  releaseHold,
  type SellerSide,
  settleTrade,
  type TradeSide,
  unlockOrder,
  unlockWithdrawal
} from "./internal/ledger/operations.ts"
export {
  type HoldingDifference,
  type NegativeHolding,
  type PendingDifference,
  type PendingOverdraft,
  type PlatformBalance,
  type PlatformDifference,
  type Report,
  type TransferSum
} from "./internal/ledger/verify.ts"

/**
 * What a reversal needs.
 *
 * @category services
 * @since 0.1.0
 */
export interface ReverseOptions {
  /** The posted transfer to reverse. */
  readonly transfer_id: TransferId
  /** Why, kept on the reversal's lines. */
  readonly reason: string
  /** The admin who reverses it, if any. */
  readonly created_by?: Ids.UserId | null | undefined
}

/**
 * The ledger's operations.
 *
 * @category services
 * @since 0.1.0
 */
export interface Service {
  /** Applies the requests as one linked set: all of them or none. */
  readonly submit: (requests: ReadonlyArray<Request>) => Effect.Effect<ReadonlyArray<Transfer>, LedgerError>
  /**
   * Applies many independent linked sets in one transaction of its own (group commit):
   * each set all or none; a set refused (insufficient funds, a conflict, bad input) is
   * reported in its place and does not stop the others. Fails only when the database does
   * (then nothing of the batch is written).
   */
  readonly submitBatch: (
    sets: ReadonlyArray<ReadonlyArray<Request>>
  ) => Effect.Effect<ReadonlyArray<SetResult>, BatchError>
  /**
   * {@link Service.submitBatch} inside the caller's transaction, without a transaction or
   * savepoint of its own, so its writes commit with the caller's rows. A failure (a
   * `BatchError`) leaves the caller's transaction to roll back; the caller's
   * `Transaction.run` retries deadlocks. Two first submissions of one key for different
   * transfers that share no account meet at the journal's unique key: the caller gets
   * `UniqueViolation` and runs again, and the replay then reports `Conflict`. Dies with
   * {@link NotInTransaction} outside a transaction.
   */
  readonly submitBatchInTransaction: (
    sets: ReadonlyArray<ReadonlyArray<Request>>
  ) => Effect.Effect<ReadonlyArray<SetResult>, BatchError>
  /** Applies one request. */
  readonly apply: (request: Request) => Effect.Effect<Transfer, LedgerError>
  /** Reverses a posted transfer with a new transfer of the opposite lines (at most once). */
  readonly reverse: (options: ReverseOptions) => Effect.Effect<Transfer, LedgerError>
  /** The transfer stored under a key, if any. */
  readonly findByKey: (key: string) => Effect.Effect<Transfer, Errors.NotFound | SqlError | Errors.ValidationFailed>
  /** The state of a pending transfer. */
  readonly pending: (ref: PendingRef) => Effect.Effect<PendingState, Errors.NotFound | PendingClosed | SqlError>
  /** The holdings of an entity, decoded by the domain's model. */
  readonly holdings: (entity_id: Ids.EntityId) => Effect.Effect<ReadonlyArray<Funds.EntityHolding>, SqlError>
  /** The balance of a platform account, in minor units (its materialised row). */
  readonly platformBalance: (name: PlatformAccountName, asset: Enums.AssetType) => Effect.Effect<bigint, SqlError>
  /** Compares every materialised balance with its journal and checks every transfer and limit. */
  readonly verify: Effect.Effect<Report, SqlError>
}

/**
 * The ledger service.
 *
 * @category services
 * @since 0.1.0
 */
export class Ledger extends Context.Service<Ledger, Service>()("@niha/db/Ledger") {
  /**
   * The ledger on the `SqlClient` in context.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Ledger, never, SqlClient.SqlClient> = Layer.effect(
    Ledger,
    Effect.map(Effect.service(SqlClient.SqlClient), (sql) => make(sql))
  )
}

const notFound = (id: string) => new Errors.NotFound({ resource: "asset_transactions", id })

/** A reversal: the opposite lines of a posted transfer, under the key `reverse:<transfer_id>`. */
const reversal = (original: Transfer, options: ReverseOptions): Effect.Effect<Request, NotReversible> => {
  if (original.kind !== "POSTED") {
    return Effect.fail(new NotReversible({ transfer_id: original.transfer_id, kind: original.kind }))
  }
  if (original.key.startsWith("reverse:")) {
    return Effect.fail(new NotReversible({ transfer_id: original.transfer_id, kind: "a reversal" }))
  }
  // The key is the original's: reversing twice returns the first reversal.
  return Effect.succeed({
    _tag: "Transfer",
    key: `reverse:${original.transfer_id}`,
    type: "ADJUSTMENT",
    reference: `asset_transactions:${original.transfer_id}`,
    notes: options.reason,
    created_by: options.created_by ?? null,
    market_maker_id: original.market_maker_id,
    asset: original.asset,
    legs: original.lines.map((line) => ({ account: line.account, amount: -line.amount }))
  })
}

/**
 * The ledger's operational metrics (Effect `Metric`): transfers applied by this process
 * and the time each submission took, served by the server at `GET /metrics`.
 *
 * @category metrics
 * @since 0.1.0
 */
export const metrics = {
  /** Requests submitted to the ledger, by outcome (`applied`, `refused`). */
  transfers: Metric.counter("niha_ledger_transfers_total", {
    description: "Ledger transfer requests submitted by this process, by outcome.",
    incremental: true
  }),
  /** The time a submission (one set, or one batch of sets) took, in seconds. */
  submitDuration: Metric.histogram("niha_ledger_submit_duration_seconds", {
    description: "Time to submit a set or a batch of sets to the ledger, in seconds.",
    boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  })
}

const measured = <A, E>(requests: number, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    const started = Date.now()
    const exit = yield* Effect.exit(effect)
    yield* Metric.update(metrics.submitDuration, (Date.now() - started) / 1000)
    yield* Metric.update(
      Metric.withAttributes(metrics.transfers, { outcome: exit._tag === "Success" ? "applied" : "refused" }),
      requests
    )
    return yield* exit
  })

const sizeOf = (sets: ReadonlyArray<ReadonlyArray<Request>>): number =>
  sets.reduce((total, set) => total + set.length, 0)

/**
 * Builds the ledger on a SQL client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (sql: SqlClient.SqlClient): Service => {
  const submit = (requests: ReadonlyArray<Request>) => measured(requests.length, submitSet(sql, requests))
  const apply = (request: Request) =>
    Effect.flatMap(submit([request]), (transfers) =>
      transfers[0] === undefined
        ? Effect.die(
          new MissingRow({ table: "asset_transactions", key: request.key, invariant: "a request applies one transfer" })
        )
        : Effect.succeed(transfers[0]))
  const reverse = (options: ReverseOptions) =>
    Effect.gen(function*() {
      const lines = yield* loadLines(sql, "transfer", options.transfer_id)
      if (lines.length === 0) return yield* notFound(options.transfer_id)
      return yield* apply(yield* reversal(toTransfer(lines), options))
    })
  const findByKey = (key: string) =>
    Effect.gen(function*() {
      const checked = yield* Effect.mapError(Schema.decodeUnknownEffect(Key)(key), (error) =>
        Errors.validationFailed(error))
      const transfer = yield* findStored(sql, checked)
      return transfer === undefined ? yield* notFound(key) : transfer
    })
  const holdings = (entity_id: Ids.EntityId) =>
    Effect.flatMap(
      sql`SELECT * FROM entity_holdings WHERE entity_id = ${entity_id} ORDER BY asset_type`,
      (rows) => Effect.orDie(Schema.decodeUnknownEffect(Schema.Array(Funds.EntityHolding))(rows))
    )
  const platformBalance = (name: PlatformAccountName, asset: Enums.AssetType) =>
    Effect.flatMap(
      sql<{ balance: string }>`
        SELECT balance::text AS balance FROM ledger.platform_accounts WHERE account = ${name} AND asset_type = ${asset}`,
      ([row]) =>
        row === undefined
          ? Effect.die(
            new MissingRow({
              table: "ledger.platform_accounts",
              key: `${name}/${asset}`,
              invariant: "every platform account has a row per asset"
            })
          )
          : toMinor(asset, row.balance)
    )
  return {
    submit,
    submitBatch: (sets) => measured(sizeOf(sets), submitSets(sql, sets)),
    submitBatchInTransaction: (sets) => measured(sizeOf(sets), submitSetsInTransaction(sql, sets)),
    apply,
    reverse,
    findByKey,
    pending: (ref) => pendingState(sql, ref),
    holdings,
    platformBalance,
    verify: verifyLedger(sql)
  }
}
