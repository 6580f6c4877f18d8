/**
 * Planning: what lines a request makes against the current (locked) state, before any
 * balance is touched. A `Transfer` is its own lines; a `Pending` moves its amount from its
 * source into the holder's `Locked`; a `Post` moves what it asks for out of the holder's
 * `Locked` and returns or keeps the rest; a `Void` returns what remains. Also: whether a
 * stored transfer is what a replayed request asks for. Plain functions returning a
 * `Result`, no effect per request: a batch plans thousands.
 */
import { type Enums, Errors } from "@niha/domain"
import * as Result from "effect/Result"
import { format } from "../amounts.ts"
import { ExceedsPending, MissingRow, PendingClosed } from "./errors.ts"
import { type Comparable, sameAccount } from "./lines.ts"
import { type Account, locked, type PostRequest, type Request, type TransferId, type TransferKind } from "./model.ts"
import type { PendingRow } from "./pending.ts"

/** The lines a request plans: its kind, asset and signed amounts per account, in order. */
export interface Planned {
  readonly kind: TransferKind
  readonly asset: Enums.AssetType
  readonly legs: ReadonlyArray<readonly [Account, bigint]>
}

const validationFailed = (path: string, message: string) => new Errors.ValidationFailed({ issues: [{ path, message }] })

const planTransfer = (
  request: Request & { readonly _tag: "Transfer" }
): Result.Result<Planned, Errors.ValidationFailed> => {
  if (request.type === "ADJUSTMENT" && (request.notes ?? "").trim() === "") {
    return Result.fail(validationFailed("notes", "an adjustment needs a reason"))
  }
  const sum = request.legs.reduce((total, leg) => total + BigInt(leg.amount), 0n)
  if (sum !== 0n) return Result.fail(validationFailed("legs", `the lines of a transfer must sum to zero: got ${sum}`))
  if (request.legs.some((leg) => leg.account._tag === "Locked")) {
    return Result.fail(validationFailed("legs", "a locked balance moves only through pending transfers"))
  }
  return Result.succeed<Planned>({
    kind: "POSTED",
    asset: request.asset,
    legs: request.legs.map((leg) => [leg.account, BigInt(leg.amount)] as const)
  })
}

const planPending = (
  request: Request & { readonly _tag: "Pending" }
): Result.Result<Planned, Errors.ValidationFailed> => {
  if (request.from._tag === "Locked") {
    return Result.fail(validationFailed("from", "a pending transfer cannot start from a locked balance"))
  }
  const amount = BigInt(request.amount)
  return Result.succeed<Planned>({
    kind: "PENDING",
    asset: request.asset,
    legs: [[request.from, -amount], [locked(request.holder), amount]]
  })
}

const planPost = (
  request: PostRequest,
  state: PendingRow,
  remaining: bigint
): Result.Result<Planned, Errors.ValidationFailed | ExceedsPending> => {
  const holder = locked(state.holder)
  const destinations: ReadonlyArray<readonly [Account, bigint]> = "to" in request.destinations
    ? [[request.destinations.to, remaining]]
    : request.destinations.legs.map((leg) => [leg.account, BigInt(leg.amount)] as const)
  if (destinations.some(([account]) => account._tag === "Locked")) {
    return Result.fail(validationFailed("destinations", "a post cannot move into a locked balance"))
  }
  const posted = destinations.reduce((total, [, amount]) => total + amount, 0n)
  if (posted > remaining) {
    return Result.fail(
      new ExceedsPending({
        transfer_id: state.transfer_id,
        requested: format(state.asset, posted),
        remaining: format(state.asset, remaining)
      })
    )
  }
  const rest = remaining - posted
  const returned: ReadonlyArray<readonly [Account, bigint]> = rest > 0n && request.remainder !== "keep"
    ? [[holder, -rest], [state.source, rest]]
    : []
  return Result.succeed<Planned>({
    kind: "POST_PENDING",
    asset: state.asset,
    legs: [[holder, -posted], ...destinations, ...returned]
  })
}

/**
 * The lines of one request. `pending` is the row of the pending transfer a post or void
 * resolves, and `remaining` what remains of it after the set's earlier requests.
 */
export const planLines = (
  request: Request,
  pending: { readonly row: PendingRow; readonly remaining: bigint } | undefined
): Result.Result<Planned, Errors.ValidationFailed | ExceedsPending | PendingClosed | MissingRow> => {
  switch (request._tag) {
    case "Transfer":
      return planTransfer(request)
    case "Pending":
      return planPending(request)
    case "Post":
    case "Void": {
      if (pending === undefined) {
        return Result.fail(
          new MissingRow({
            table: "ledger.pending_transfers",
            key: request.key,
            invariant: "a post or void is planned against its pending transfer's row"
          })
        )
      }
      const { remaining, row } = pending
      if (remaining <= 0n) {
        return Result.fail(new PendingClosed({ transfer_id: row.transfer_id, reason: "nothing remains pending" }))
      }
      return request._tag === "Void"
        ? Result.succeed<Planned>({
          kind: "VOID_PENDING",
          asset: row.asset,
          legs: [[locked(row.holder), -remaining], [row.source, remaining]]
        })
        : planPost(request, row, remaining)
    }
  }
}

const sameLegs = (
  lines: ReadonlyArray<{ readonly account: Account; readonly amount: number }>,
  legs: ReadonlyArray<{ readonly account: Account; readonly amount: number }>
) =>
  legs.every((leg, index) => {
    const line = lines[index]
    return line !== undefined && line.amount === leg.amount && sameAccount(line.account, leg.account)
  })

/** Whether a stored transfer (or one planned earlier in the batch) is what the request asks for (the same key replayed). */
export const matches = (request: Request, stored: Comparable, pending: TransferId | null): boolean => {
  const sameMetadata = stored.type === request.type && stored.reference === request.reference &&
    stored.notes === (request.notes ?? null) && stored.created_by === (request.created_by ?? null) &&
    stored.market_maker_id === (request.market_maker_id ?? null)
  if (!sameMetadata) return false
  switch (request._tag) {
    case "Transfer":
      return stored.kind === "POSTED" && stored.asset === request.asset &&
        stored.lines.length === request.legs.length && sameLegs(stored.lines, request.legs)
    case "Pending":
      return stored.kind === "PENDING" && stored.asset === request.asset && stored.lines.length === 2 &&
        stored.lines[0]?.amount === -request.amount && sameAccount(stored.lines[0].account, request.from) &&
        sameAccount(stored.lines[1]?.account ?? request.from, locked(request.holder))
    case "Post": {
      if (stored.kind !== "POST_PENDING" || stored.pending_id !== pending) return false
      const credits = stored.lines.filter((line) => line.amount > 0)
      if ("to" in request.destinations) {
        const to = request.destinations.to
        return credits[0] !== undefined && sameAccount(credits[0].account, to)
      }
      return sameLegs(credits, request.destinations.legs)
    }
    case "Void":
      return stored.kind === "VOID_PENDING" && stored.pending_id === pending
  }
}
