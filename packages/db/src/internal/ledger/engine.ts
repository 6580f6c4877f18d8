/**
 * The ledger's engine: how a linked set is applied. In one transaction (run by
 * `Transaction.run`, so a deadlock or serialization failure runs it again):
 *
 * 1. resolve the pending transfers the set posts or voids (immutable facts: no lock);
 * 2. answer a replayed set with its stored transfers (or `Conflict`);
 * 3. lock every account the set touches, in canonical order, then replay again (another
 *    transaction may have applied the same keys while this one waited);
 * 4. lock the pending rows, plan each request's lines against the locked state, apply
 *    them to the accounts under their limits;
 * 5. assert the invariants of the plan (see `invariants.ts`), then write the lines, the
 *    pending rows and the balances.
 */
import { type Enums, Errors } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as SqlClient from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as Constraints from "../../Constraints.ts"
import * as Transaction from "../../Transaction.ts"
import { applyLines, type Book, lockBook, writeBook } from "./accounts.ts"
import { type LedgerError, MissingRow, PendingClosed } from "./errors.ts"
import { assertPlans } from "./invariants.ts"
import { findStored, insertLines, loadLines, type Plan, toTransfer } from "./lines.ts"
import { type Account, type PendingRef, type PendingState, Request, type Transfer, TransferId } from "./model.ts"
import { type PendingRow, readPending, writePending } from "./pending.ts"
import { matches, planLines } from "./planning.ts"

const validationFailed = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

const refId = (ref: PendingRef): string => "key" in ref ? ref.key : ref.transfer_id

/** The stored transfer a pending ref names (NotFound when none). */
const resolveRef = (sql: SqlClient.SqlClient, ref: PendingRef) =>
  Effect.flatMap(
    "key" in ref ? loadLines(sql, "key", ref.key) : loadLines(sql, "transfer", ref.transfer_id),
    (lines) =>
      lines.length === 0
        ? Effect.fail(new Errors.NotFound({ resource: "asset_transactions", id: refId(ref) }))
        : Effect.succeed(toTransfer(lines))
  )

/** The pending transfer of each post and void of the set. */
const resolvePending = (sql: SqlClient.SqlClient, requests: ReadonlyArray<Request>) =>
  Effect.gen(function*() {
    const resolved = new Map<Request, Transfer>()
    for (const request of requests) {
      if (request._tag === "Post" || request._tag === "Void") {
        resolved.set(request, yield* resolveRef(sql, request.pending))
      }
    }
    return resolved
  })

/** The stored transfers of a set applied before, undefined when none was, `Conflict` when it differs. */
const replay = (sql: SqlClient.SqlClient, requests: ReadonlyArray<Request>, pendings: ReadonlyMap<Request, Transfer>) =>
  Effect.gen(function*() {
    const stored = yield* Effect.forEach(requests, (request) => findStored(sql, request.key))
    if (stored.every((transfer) => transfer === undefined)) return undefined
    const conflicting = requests.findIndex((request, index) => {
      const transfer = stored[index]
      return transfer === undefined || !matches(request, transfer, pendings.get(request)?.transfer_id ?? null)
    })
    const request = requests[conflicting]
    if (request !== undefined) {
      return yield* new Errors.Conflict({
        resource: "asset_transactions",
        reason: stored[conflicting] === undefined
          ? `the linked set was partly applied before: key ${JSON.stringify(request.key)} is missing`
          : `idempotency key ${JSON.stringify(request.key)} was used for a different transfer`
      })
    }
    return stored.filter((transfer) => transfer !== undefined)
  })

/** The rows of the pending transfers, read without a lock; a transfer that is not pending is `PendingClosed`. */
const pendingRows = (sql: SqlClient.SqlClient, pendings: ReadonlyMap<Request, Transfer>) =>
  Effect.gen(function*() {
    for (const transfer of pendings.values()) {
      if (transfer.kind !== "PENDING") {
        return yield* new PendingClosed({ transfer_id: transfer.transfer_id, reason: `it is ${transfer.kind}` })
      }
    }
    const ids = [...pendings.values()].map((transfer) => transfer.transfer_id)
    const rows = yield* readPending(sql, ids, false)
    for (const id of ids) if (!rows.has(id)) return yield* missingPending(id)
    return rows
  })

const missingPending = (id: string) =>
  Effect.die(
    new MissingRow({ table: "ledger.pending_transfers", key: id, invariant: "every pending transfer has its row" })
  )

/** Every account (with its asset) a request may touch. */
const accountsOf = (request: Request, row: PendingRow | undefined): Array<readonly [Account, Enums.AssetType]> => {
  switch (request._tag) {
    case "Transfer":
      return request.legs.map((leg) => [leg.account, request.asset] as const)
    case "Pending":
      return [[request.from, request.asset], [{ _tag: "Locked", entity_id: request.holder }, request.asset]]
    case "Post":
    case "Void": {
      if (row === undefined) return []
      const base: Array<readonly [Account, Enums.AssetType]> = [
        [{ _tag: "Locked", entity_id: row.holder }, row.asset],
        [row.source, row.asset]
      ]
      if (request._tag === "Void") return base
      const to = "to" in request.destinations
        ? [request.destinations.to]
        : request.destinations.legs.map((leg) => leg.account)
      return [...base, ...to.map((account) => [account, row.asset] as const)]
    }
  }
}

/** Plans every request of the set in order, applying each one's lines to the book. */
const planAll = (
  requests: ReadonlyArray<Request>,
  pendings: ReadonlyMap<Request, Transfer>,
  rows: ReadonlyMap<TransferId, PendingRow>,
  book: Book
) =>
  Effect.gen(function*() {
    const plans: Array<Plan> = []
    const remaining = new Map<TransferId, bigint>([...rows].map(([id, row]) => [id, row.remaining]))
    for (const request of requests) {
      const pendingId = pendings.get(request)?.transfer_id
      const row = pendingId === undefined ? undefined : rows.get(pendingId)
      if (pendingId !== undefined && row === undefined) return yield* missingPending(pendingId)
      const left = pendingId === undefined ? 0n : remaining.get(pendingId) ?? 0n
      const planned = yield* planLines(request, row === undefined ? undefined : { row, remaining: left })
      const lines = yield* applyLines(book, planned.asset, planned.legs)
      if (row !== undefined) {
        const taken = lines.reduce((sum, line) =>
          line.account === "LOCKED" && line.entity_id === row.holder && line.amount < 0n ? sum - line.amount : sum, 0n)
        remaining.set(row.transfer_id, left - taken)
      }
      plans.push({
        request,
        transfer_id: TransferId.make(crypto.randomUUID()),
        kind: planned.kind,
        asset: planned.asset,
        pending_id: pendingId ?? null,
        lines
      })
    }
    return { plans, remaining }
  })

/** One attempt at a linked set, inside its transaction. */
const attempt = (sql: SqlClient.SqlClient, requests: ReadonlyArray<Request>) =>
  Effect.gen(function*() {
    const keys = requests.map((request) => request.key)
    if (new Set(keys).size !== keys.length) {
      return yield* validationFailed("", "the requests of a linked set must have distinct keys")
    }
    const pendings = yield* resolvePending(sql, requests)
    const earlier = yield* replay(sql, requests, pendings)
    if (earlier !== undefined) return earlier
    const unlocked = yield* pendingRows(sql, pendings)
    const book = yield* lockBook(
      sql,
      requests.flatMap((request) => {
        const id = pendings.get(request)?.transfer_id
        return accountsOf(request, id === undefined ? undefined : unlocked.get(id))
      })
    )
    const raced = yield* replay(sql, requests, pendings)
    if (raced !== undefined) return raced
    const rows = yield* readPending(sql, [...unlocked.keys()], true)
    const { plans, remaining } = yield* planAll(requests, pendings, rows, book)
    yield* assertPlans(book, plans, rows, remaining)
    const transfers = yield* Effect.forEach(plans, (plan) => insertLines(sql, plan))
    yield* writePending(sql, plans, rows, remaining)
    yield* writeBook(sql, book)
    return transfers
  })

const isKeyRace = (error: unknown) =>
  Predicate.isTagged(error, "UniqueViolation") &&
  (error as Constraints.UniqueViolation).constraint === "asset_transactions_idempotency_key_key"

/** Applies the requests as one linked set: all of them or none. */
export const submit = (
  sql: SqlClient.SqlClient,
  requests: ReadonlyArray<Request>
): Effect.Effect<ReadonlyArray<Transfer>, LedgerError> =>
  Effect.gen(function*() {
    if (requests.length === 0) return []
    const decoded = yield* Effect.mapError(
      Schema.decodeUnknownEffect(Schema.Array(Request))(requests),
      (error) => Errors.validationFailed(error)
    )
    const once = Transaction.run(attempt(sql, decoded)).pipe(Effect.provideService(SqlClient.SqlClient, sql))
    // Two first submissions of one key that touch no common account meet at the unique
    // key instead of a lock; the loser runs again and finds the winner's transfer.
    return yield* Effect.catchIf(once, isKeyRace, () => once)
  }).pipe(
    Effect.mapError((error): LedgerError => isSqlError(error) ? Constraints.fromSqlError(error) ?? error : error),
    Effect.withSpan("Ledger.submit")
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
