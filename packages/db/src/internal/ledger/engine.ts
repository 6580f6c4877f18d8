/**
 * The ledger's engine: how linked sets are applied. A batch of independent sets runs in
 * one transaction, in a fixed number of statements whatever its size (a single `submit` is
 * a batch of one set):
 *
 * 1. decode and check each set, before the transaction (a set with bad input is refused
 *    alone);
 * 2. resolve the pending transfers the sets post or void, in one query (immutable facts:
 *    no lock); a post or void may also name, by key, a pending transfer that an earlier
 *    request of the batch creates (an order's lock and its first fill, say);
 * 3. lock every account the batch touches, in the platform's lock order (one
 *    `SELECT ... ORDER BY ... FOR UPDATE` for the holdings, one for the platform
 *    accounts), then the pending rows by id;
 * 4. look up every key of the batch in one query: a set applied before answers with its
 *    stored transfers, or `Conflict` when they differ. The lookup comes after the locks, so
 *    a concurrent first submission of the same key (which locks the same accounts) has
 *    committed by then and is found;
 * 5. plan each set in order against the in-memory book of the locked accounts; a refused
 *    set puts back what it changed and is reported in its place, the others go on;
 * 6. assert the invariants of all plans (see `invariants.ts`), then write everything in one
 *    statement (`write.ts`): the lines, the pending rows, the balances.
 */
import { type Enums, Errors } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import * as Transaction from "../../Transaction.ts"
import { applyLines, type Book, checkpoint, dropUnused, holdingKey, lockBook, restore } from "./accounts.ts"
import {
  type BatchError,
  type LedgerError,
  MissingRow,
  NotInTransaction,
  PendingClosed,
  type SetError
} from "./errors.ts"
import { timeOrdered } from "./ids.ts"
import { assertPlans } from "./invariants.ts"
import { type Comparable, comparable, findStoredByKeys, loadLines, type Plan, toTransfer } from "./lines.ts"
import {
  type Account,
  type PendingRef,
  type PendingRequest,
  type PendingState,
  Request,
  type SetResult,
  type Transfer,
  TransferId
} from "./model.ts"
import { type PendingRow, pendingRowsOf, readPending, type Resolutions, type Resolved, resolveRefs } from "./pending.ts"
import { matches, planLines } from "./planning.ts"
import { writeBatch } from "./write.ts"

const validationFailed = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

const refId = (ref: PendingRef): string => "key" in ref ? ref.key : ref.transfer_id

const notFound = (ref: PendingRef) => new Errors.NotFound({ resource: "asset_transactions", id: refId(ref) })

const missingPendingRow = (id: string) =>
  new MissingRow({ table: "ledger.pending_transfers", key: id, invariant: "every pending transfer has its row" })

const missingPending = (id: string) => Effect.die(missingPendingRow(id))

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/** A decoded set with distinct keys, or why it is refused before anything is read. */
type Checked = Result.Result<ReadonlyArray<Request>, Errors.ValidationFailed>

const decodeSet = Schema.decodeUnknownEffect(Schema.Array(Request))

/** Decodes a set and checks that its keys are distinct. */
const check = (requests: ReadonlyArray<Request>): Effect.Effect<Checked> =>
  decodeSet(requests).pipe(
    Effect.mapError((error) => Errors.validationFailed(error)),
    Effect.flatMap((decoded) =>
      new Set(decoded.map((request) => request.key)).size === decoded.length
        ? Effect.succeed(decoded)
        : Effect.fail(validationFailed("", "the requests of a linked set must have distinct keys"))
    ),
    Effect.result
  )

// ---------------------------------------------------------------------------------------------
// What the posts and voids name
// ---------------------------------------------------------------------------------------------

/** The pending transfer a post or void names: stored, created by the batch itself (by key), or none. */
type Target =
  | { readonly _tag: "Stored"; readonly resolved: Resolved }
  | { readonly _tag: "Batch"; readonly key: string }
  | { readonly _tag: "Unknown" }

/** Everything the batch resolved before locking. */
interface Resolution extends Resolutions {
  /** The pending requests of the batch, by key (a replay within the batch may repeat one). */
  readonly created: ReadonlyMap<string, ReadonlyArray<PendingRequest>>
}

const targetOf = (request: Request, resolution: Resolution): Target => {
  if (request._tag !== "Post" && request._tag !== "Void") return { _tag: "Unknown" }
  const ref = request.pending
  const resolved = "key" in ref ? resolution.byKey.get(ref.key) : resolution.byId.get(ref.transfer_id)
  if (resolved !== undefined) return { _tag: "Stored", resolved }
  return "key" in ref && resolution.created.has(ref.key) ? { _tag: "Batch", key: ref.key } : { _tag: "Unknown" }
}

/**
 * Why a post or void cannot be planned, known before planning: its pending transfer is
 * unknown, closed, or (created by the batch) not created before it, by an applied earlier
 * set or an earlier request of its own set. These refuse a set before its other requests
 * are planned, whether the pending transfer was stored or is created in the same batch, so
 * a batch answers as the same sets submitted one by one.
 */
const unresolvable = (
  request: Request,
  target: Target,
  createdBefore: (key: string) => boolean
): Errors.NotFound | PendingClosed | MissingRow | undefined => {
  if (request._tag !== "Post" && request._tag !== "Void") return undefined
  switch (target._tag) {
    case "Unknown":
      return notFound(request.pending)
    case "Batch":
      return createdBefore(target.key) ? undefined : notFound(request.pending)
    case "Stored": {
      const { kind, row, transfer_id } = target.resolved
      if (kind !== "PENDING") return new PendingClosed({ transfer_id, reason: `it is ${kind}` })
      return row === undefined ? missingPendingRow(transfer_id) : undefined
    }
  }
}

/** The holder, source and asset of a pending transfer, stored or requested in the batch. */
type PendingShape = Pick<PendingRow, "holder" | "source" | "asset">

/** Every account (with its asset) a request may touch, given the pending transfers it may resolve. */
const accountsOf = (
  request: Request,
  pendings: ReadonlyArray<PendingShape>
): Array<readonly [Account, Enums.AssetType]> => {
  switch (request._tag) {
    case "Transfer":
      return request.legs.map((leg) => [leg.account, request.asset] as const)
    case "Pending":
      return [[request.from, request.asset], [{ _tag: "Locked", entity_id: request.holder }, request.asset]]
    case "Post":
    case "Void":
      return pendings.flatMap((row) => {
        const base: Array<readonly [Account, Enums.AssetType]> = [
          [{ _tag: "Locked", entity_id: row.holder }, row.asset],
          [row.source, row.asset]
        ]
        if (request._tag === "Void") return base
        const to = "to" in request.destinations
          ? [request.destinations.to]
          : request.destinations.legs.map((leg) => leg.account)
        return [...base, ...to.map((account) => [account, row.asset] as const)]
      })
  }
}

const shapesOf = (target: Target, resolution: Resolution): ReadonlyArray<PendingShape> => {
  switch (target._tag) {
    case "Stored":
      return target.resolved.row === undefined ? [] : [target.resolved.row]
    case "Batch":
      return (resolution.created.get(target.key) ?? []).map((request) => ({
        holder: request.holder,
        source: request.from,
        asset: request.asset
      }))
    case "Unknown":
      return []
  }
}

// ---------------------------------------------------------------------------------------------
// Planning, set by set
// ---------------------------------------------------------------------------------------------

/** The batch's planning state: the locked book, the pending remainders, and what the applied sets planned. */
interface Planner {
  readonly book: Book
  readonly resolution: Resolution
  /** Stored transfers of the batch's keys (looked up under the locks). */
  readonly stored: ReadonlyMap<string, Transfer>
  /** The locked rows of the stored pending transfers the batch resolves. */
  readonly locked: ReadonlyMap<TransferId, PendingRow>
  /** The rows of the pending transfers the applied sets created, by key. */
  readonly created: Map<string, PendingRow>
  /** Each pending transfer's remainder after the applied sets (only those they touched). */
  readonly remaining: Map<TransferId, bigint>
  /** The plans of the applied sets, by key. */
  readonly planned: Map<string, Plan>
  /** The plans of the applied sets, in order. */
  readonly plans: Array<Plan>
}

/** What a set applies: a stored transfer (a replay) or a plan of this batch. */
type Applied = Transfer | Plan

const isPlan = (applied: Applied): applied is Plan => "request" in applied

/** The pending transfer id a request resolves to, as planning stands now (for replay matching). */
const pendingIdOf = (planner: Planner, target: Target): TransferId | null => {
  if (target._tag === "Stored") return target.resolved.transfer_id
  if (target._tag === "Batch") return planner.created.get(target.key)?.transfer_id ?? null
  return null
}

/**
 * A set applied before (in the database or earlier in this batch): its transfers,
 * `Conflict` when they differ, or undefined when none of its keys was used.
 */
const replayed = (
  planner: Planner,
  requests: ReadonlyArray<Request>,
  targets: ReadonlyArray<Target>
): Result.Result<ReadonlyArray<Applied>, Errors.Conflict> | undefined => {
  const earlier = requests.map((request): Applied | undefined =>
    planner.stored.get(request.key) ?? planner.planned.get(request.key)
  )
  if (earlier.every((applied) => applied === undefined)) return undefined
  for (const [index, request] of requests.entries()) {
    const applied = earlier[index]
    const target = targets[index] ?? { _tag: "Unknown" }
    const stored: Comparable | undefined = applied === undefined
      ? undefined
      : isPlan(applied)
      ? comparable(applied)
      : applied
    if (stored === undefined || !matches(request, stored, pendingIdOf(planner, target))) {
      return Result.fail(
        new Errors.Conflict({
          resource: "asset_transactions",
          reason: stored === undefined
            ? `the linked set was partly applied before: key ${JSON.stringify(request.key)} is missing`
            : `idempotency key ${JSON.stringify(request.key)} was used for a different transfer`
        })
      )
    }
  }
  return Result.succeed(earlier.filter((applied) => applied !== undefined))
}

/** What one set changes in the planner besides the book, to commit when it is applied or drop when refused. */
interface Scratch {
  readonly created: Map<string, PendingRow>
  /** The remainders before the set, of every pending transfer it touched (undefined: none before). */
  readonly saved: Map<TransferId, bigint | undefined>
}

const setRemaining = (planner: Planner, scratch: Scratch, id: TransferId, value: bigint) => {
  if (!scratch.saved.has(id)) scratch.saved.set(id, planner.remaining.get(id))
  planner.remaining.set(id, value)
}

/** A defect met while planning: the book or the pending rows miss what the batch locked. */
type PlanError = SetError | MissingRow

/** The row of the pending transfer a post or void resolves, with what remains of it now. */
const pendingFor = (
  planner: Planner,
  scratch: Scratch,
  request: Request,
  target: Target
): Result.Result<{ readonly row: PendingRow; readonly remaining: bigint } | undefined, PlanError> => {
  if (request._tag !== "Post" && request._tag !== "Void") return Result.succeed(undefined)
  let row: PendingRow | undefined
  if (target._tag === "Stored") {
    row = planner.locked.get(target.resolved.transfer_id)
    if (row === undefined) return Result.fail(missingPendingRow(target.resolved.transfer_id))
  } else if (target._tag === "Batch") {
    row = scratch.created.get(target.key) ?? planner.created.get(target.key)
  }
  if (row === undefined) return Result.fail(notFound(request.pending))
  return Result.succeed({ row, remaining: planner.remaining.get(row.transfer_id) ?? row.remaining })
}

/**
 * Plans one request against the book, updating the remainders and the set's created
 * pending transfers. Plain code, no effect per request: a batch plans thousands.
 */
const planRequest = (
  planner: Planner,
  scratch: Scratch,
  request: Request,
  target: Target
): Result.Result<Plan, PlanError> => {
  const pending = pendingFor(planner, scratch, request, target)
  if (Result.isFailure(pending)) return Result.fail(pending.failure)
  const planned = planLines(request, pending.success)
  if (Result.isFailure(planned)) return Result.fail(planned.failure)
  const lines = applyLines(planner.book, planned.success.asset, planned.success.legs)
  if (Result.isFailure(lines)) return Result.fail(lines.failure)
  const transfer_id = TransferId.make(timeOrdered(), { disableChecks: true })
  const resolved = pending.success
  if (resolved !== undefined) {
    const holder = resolved.row.holder
    let taken = 0n
    for (const line of lines.success) {
      if (line.account === "LOCKED" && line.entity_id === holder && line.amount < 0n) taken -= line.amount
    }
    setRemaining(planner, scratch, resolved.row.transfer_id, resolved.remaining - taken)
  }
  if (request._tag === "Pending") {
    const amount = BigInt(request.amount)
    scratch.created.set(request.key, {
      transfer_id,
      asset: request.asset,
      holder: request.holder,
      source: request.from,
      amount,
      remaining: amount
    })
    setRemaining(planner, scratch, transfer_id, amount)
  }
  return Result.succeed({
    request,
    transfer_id,
    kind: planned.success.kind,
    asset: planned.success.asset,
    pending_id: resolved?.row.transfer_id ?? null,
    lines: lines.success
  })
}

/** Plans every request of a set in order; the first refusal stops it. */
const planRequests = (
  planner: Planner,
  scratch: Scratch,
  requests: ReadonlyArray<Request>,
  targets: ReadonlyArray<Target>
): Result.Result<ReadonlyArray<Plan>, PlanError> => {
  const plans: Array<Plan> = []
  for (const [index, request] of requests.entries()) {
    const plan = planRequest(planner, scratch, request, targets[index] ?? { _tag: "Unknown" })
    if (Result.isFailure(plan)) return Result.fail(plan.failure)
    plans.push(plan.success)
  }
  return Result.succeed(plans)
}

/**
 * Plans a set all or nothing: applied, it joins the planner; refused, the book and the
 * remainders are put back.
 */
const planSet = (
  planner: Planner,
  requests: ReadonlyArray<Request>,
  targets: ReadonlyArray<Target>
): Result.Result<ReadonlyArray<Applied>, PlanError> => {
  const accounts = requests.flatMap((request, index) =>
    accountsOf(request, shapesOf(targets[index] ?? { _tag: "Unknown" }, planner.resolution))
  )
  const saved = checkpoint(planner.book, accounts)
  const scratch: Scratch = { created: new Map(), saved: new Map() }
  const planned = planRequests(planner, scratch, requests, targets)
  if (Result.isFailure(planned)) {
    restore(saved)
    for (const [id, value] of scratch.saved) {
      if (value === undefined) planner.remaining.delete(id)
      else planner.remaining.set(id, value)
    }
    return planned
  }
  for (const [key, row] of scratch.created) planner.created.set(key, row)
  for (const plan of planned.success) {
    planner.planned.set(plan.request.key, plan)
    planner.plans.push(plan)
  }
  return planned
}

/** Applies one checked set to the planner: refused, replayed, or planned. */
const applySet = (planner: Planner, checked: Checked): Result.Result<ReadonlyArray<Applied>, PlanError> => {
  if (Result.isFailure(checked)) return Result.fail(checked.failure)
  const requests = checked.success
  const targets = requests.map((request) => targetOf(request, planner.resolution))
  for (const [index, request] of requests.entries()) {
    const createdBefore = (key: string) =>
      planner.created.has(key) ||
      requests.slice(0, index).some((earlier) => earlier._tag === "Pending" && earlier.key === key)
    const refused = unresolvable(request, targets[index] ?? { _tag: "Unknown" }, createdBefore)
    if (refused !== undefined) return Result.fail(refused)
  }
  return replayed(planner, requests, targets) ?? planSet(planner, requests, targets)
}

/**
 * Applies every set to the planner in order, in plain code; a missing row (the book or
 * the pending rows lack what the batch locked) is a defect, and the ledger dies with it.
 */
const applySets = (
  planner: Planner,
  sets: ReadonlyArray<Checked>
): Effect.Effect<ReadonlyArray<Result.Result<ReadonlyArray<Applied>, SetError>>> =>
  Effect.suspend(() => {
    const outcomes: Array<Result.Result<ReadonlyArray<Applied>, SetError>> = []
    for (const checked of sets) {
      const outcome = applySet(planner, checked)
      if (Result.isSuccess(outcome)) {
        outcomes.push(Result.succeed(outcome.success))
        continue
      }
      const failure = outcome.failure
      if (failure._tag === "MissingRow") return Effect.die(failure)
      outcomes.push(Result.fail(failure))
    }
    return Effect.succeed(outcomes)
  })

// ---------------------------------------------------------------------------------------------
// The batch, inside its transaction
// ---------------------------------------------------------------------------------------------

/** Locks, plans and writes the checked sets; must run inside a transaction. */
const applyChecked = (
  sql: SqlClient.SqlClient,
  sets: ReadonlyArray<Checked>
): Effect.Effect<ReadonlyArray<SetResult>, BatchError> =>
  Effect.gen(function*() {
    const valid = sets.flatMap((checked) => Result.isSuccess(checked) ? checked.success : [])
    const refs = valid.flatMap((request) => request._tag === "Post" || request._tag === "Void" ? [request.pending] : [])
    const created = new Map<string, Array<PendingRequest>>()
    for (const request of valid) {
      if (request._tag === "Pending") created.set(request.key, [...(created.get(request.key) ?? []), request])
    }
    const resolution: Resolution = { ...(yield* resolveRefs(sql, refs)), created }
    const storedPending = [...resolution.byId.values()].flatMap((resolved) =>
      resolved.row === undefined ? [] : [resolved.transfer_id]
    )
    // The accounts' rows and the stored pending transfers' rows, locked in one statement.
    const { book, pending } = yield* lockBook(
      sql,
      valid.flatMap((request) => accountsOf(request, shapesOf(targetOf(request, resolution), resolution))),
      storedPending
    )
    const locked = yield* pendingRowsOf(pending)
    const stored = yield* findStoredByKeys(sql, valid.map((request) => request.key))
    const planner: Planner = {
      book,
      resolution,
      stored,
      locked,
      created: new Map(),
      remaining: new Map(),
      planned: new Map(),
      plans: []
    }
    const outcomes = yield* applySets(planner, sets)
    const before = new Map<TransferId, PendingRow>([
      ...locked,
      ...[...planner.created.values()].map((row) => [row.transfer_id, row] as const)
    ])
    yield* assertPlans(book, planner.plans, before, planner.remaining)
    const written = planner.plans.length === 0 ? new Map<Plan, Transfer>() : yield* writeBatch(sql, {
      plans: planner.plans,
      book,
      created: [...planner.created.values()],
      locked,
      remaining: planner.remaining
    })
    if (book.created.size > 0) {
      const used = new Set(planner.plans.flatMap((plan) =>
        plan.lines.flatMap((line) => line.entity_id === null ? [] : [holdingKey(line.entity_id, plan.asset)])
      ))
      yield* dropUnused(sql, book, used)
    }
    return yield* Effect.forEach(outcomes, (outcome) =>
      transfersOf(outcome, written))
  })

/** A set's outcome with its plans replaced by the transfers written for them. */
const transfersOf = (
  outcome: Result.Result<ReadonlyArray<Applied>, SetError>,
  written: ReadonlyMap<Plan, Transfer>
): Effect.Effect<SetResult> => {
  if (Result.isFailure(outcome)) return Effect.succeed(Result.fail(outcome.failure))
  const transfers: Array<Transfer> = []
  for (const applied of outcome.success) {
    if (!isPlan(applied)) {
      transfers.push(applied)
      continue
    }
    const transfer = written.get(applied)
    if (transfer === undefined) return lost(applied)
    transfers.push(transfer)
  }
  return Effect.succeed(Result.succeed(transfers))
}

const lost = (plan: Plan) =>
  Effect.die(new MissingRow({ table: "asset_transactions", key: plan.request.key, invariant: "every plan is written" }))

const isKeyRace = (error: unknown) =>
  Predicate.isTagged(error, "UniqueViolation") &&
  (error as Constraints.UniqueViolation).constraint === "asset_transactions_idempotency_key_key"

const refineSql = <A, E>(
  effect: Effect.Effect<A, E | SqlError>
): Effect.Effect<A, E | Constraints.ConstraintViolation | SqlError> =>
  Effect.mapError(effect, (error) => isSqlError(error) ? Constraints.fromSqlError(error) ?? error : error)

/**
 * Runs `effect` in its own `Transaction.run`. Two first submissions of one key that touch
 * no common account meet at the unique key instead of a lock; the loser runs again and
 * finds the winner's transfer.
 */
const inTransaction = <A, E>(sql: SqlClient.SqlClient, effect: Effect.Effect<A, E>) => {
  const once = refineSql(Transaction.run(effect).pipe(Effect.provideService(SqlClient.SqlClient, sql)))
  return Effect.catchIf(once, isKeyRace, () => once)
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** Applies the requests as one linked set: all of them or none. */
export const submit = (
  sql: SqlClient.SqlClient,
  requests: ReadonlyArray<Request>
): Effect.Effect<ReadonlyArray<Transfer>, LedgerError> =>
  Effect.gen(function*() {
    if (requests.length === 0) return []
    const checked = yield* check(requests)
    if (Result.isFailure(checked)) return yield* checked.failure
    // A refused set fails its transaction, so nothing of it (not even an empty holding) stays.
    return yield* inTransaction(
      sql,
      Effect.flatMap(applyChecked(sql, [checked]), ([outcome]) =>
        outcome === undefined ?
          Effect.die(
            new MissingRow({
              table: "asset_transactions",
              key: requests[0]?.key ?? "",
              invariant: "a set has its outcome"
            })
          ) :
          Result.isFailure(outcome) ?
          Effect.fail(outcome.failure) :
          Effect.succeed(outcome.success))
    )
  }).pipe(Effect.withSpan("Ledger.submit"))

/** Checks the sets and applies the valid ones with `run`; an empty set is applied as nothing. */
const batch = (
  sets: ReadonlyArray<ReadonlyArray<Request>>,
  run: (checked: ReadonlyArray<Checked>) => Effect.Effect<ReadonlyArray<SetResult>, BatchError>
): Effect.Effect<ReadonlyArray<SetResult>, BatchError> =>
  Effect.gen(function*() {
    const checked = yield* Effect.forEach(sets, check)
    return checked.some((set) => Result.isSuccess(set) && set.success.length > 0) ?
      yield* run(checked) :
      checked.map((set): SetResult => Result.isFailure(set) ? Result.fail(set.failure) : Result.succeed([]))
  })

/**
 * Applies many independent linked sets in one transaction of its own: each set all or
 * nothing, a refused set reported in its place without stopping the others.
 */
export const submitBatch = (
  sql: SqlClient.SqlClient,
  sets: ReadonlyArray<ReadonlyArray<Request>>
): Effect.Effect<ReadonlyArray<SetResult>, BatchError> =>
  batch(sets, (checked) => inTransaction(sql, applyChecked(sql, checked))).pipe(
    Effect.withSpan("Ledger.submitBatch", { attributes: { sets: sets.length } })
  )

/**
 * {@link submitBatch} inside the caller's transaction, without a transaction or savepoint
 * of its own: its writes commit or roll back with the caller's. Dies with
 * `NotInTransaction` when no transaction is open.
 */
export const submitBatchInTransaction = (
  sql: SqlClient.SqlClient,
  sets: ReadonlyArray<ReadonlyArray<Request>>
): Effect.Effect<ReadonlyArray<SetResult>, BatchError> =>
  Effect.gen(function*() {
    const open = yield* Effect.serviceOption(sql.transactionService)
    if (Option.isNone(open)) return yield* Effect.die(new NotInTransaction({ operation: "submitBatchInTransaction" }))
    return yield* batch(sets, (checked) => refineSql(applyChecked(sql, checked)))
  }).pipe(Effect.withSpan("Ledger.submitBatchInTransaction", { attributes: { sets: sets.length } }))

/** The stored transfer a pending ref names (NotFound when none). */
const resolveRef = (sql: SqlClient.SqlClient, ref: PendingRef) =>
  Effect.flatMap(
    "key" in ref ? loadLines(sql, "key", ref.key) : loadLines(sql, "transfer", ref.transfer_id),
    (lines) => lines.length === 0 ? Effect.fail(notFound(ref)) : Effect.succeed(toTransfer(lines))
  )

/** The state of a pending transfer, from its row. */
export const pendingState = (
  sql: SqlClient.SqlClient,
  ref: PendingRef
): Effect.Effect<PendingState, Errors.NotFound | PendingClosed | SqlError> =>
  Effect.gen(function*() {
    const transfer = yield* resolveRef(sql, ref)
    if (transfer.kind !== "PENDING") {
      return yield* new PendingClosed({ transfer_id: transfer.transfer_id, reason: `it is ${transfer.kind}` })
    }
    const row = (yield* readPending(sql, [transfer.transfer_id], false)).get(transfer.transfer_id)
    if (row === undefined) return yield* missingPending(transfer.transfer_id)
    return {
      transfer_id: transfer.transfer_id,
      key: transfer.key,
      asset: row.asset,
      holder: row.holder,
      source: row.source,
      amount: Number(row.amount),
      remaining: Number(row.remaining)
    }
  })
