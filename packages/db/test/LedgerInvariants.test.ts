/**
 * The ledger's assertions on a batch's plans, without a database: a batch shares one book
 * across its sets, puts back what a refused set changed, and creates pending transfers
 * that later sets post. The assertions must accept a correct batch and name the invariant
 * a wrong one breaks (a refused set's change left in the book, a `balance_after` out of
 * sequence, a created pending transfer's remainder, unbalanced lines), before anything is
 * written.
 */
import { assert, describe, it } from "@effect/vitest"
import { Ledger } from "@niha/db"
import { Ids } from "@niha/domain"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Book, HoldingState } from "../src/internal/ledger/accounts.ts"
import { assertPlans } from "../src/internal/ledger/invariants.ts"
import type { Plan, PlannedLine } from "../src/internal/ledger/lines.ts"
import type { PendingRow } from "../src/internal/ledger/pending.ts"

const alice = Ids.EntityId.make("00000000-0000-4000-8000-000000000001")
const bob = Ids.EntityId.make("00000000-0000-4000-8000-000000000002")
const lockId = Ledger.TransferId.make("00000000-0000-7000-8000-00000000000a")

const holding = (
  entity_id: Ids.EntityId,
  available: bigint,
  after: { available: bigint; locked: bigint }
): HoldingState => ({
  id: `${entity_id}-EUR`,
  entity_id,
  asset: "EUR",
  before: { available, locked: 0n },
  available: after.available,
  locked: after.locked
})

const line = (account: Ledger.Account, amount: bigint, balance_after: bigint | null): PlannedLine => ({
  target: account,
  entity_id: account._tag === "Platform" ? null : account.entity_id,
  account: account._tag === "Available" ? "AVAILABLE" : account._tag === "Locked" ? "LOCKED" : account.name,
  amount,
  balance_after
})

const plan = (
  key: string,
  kind: Ledger.TransferKind,
  lines: ReadonlyArray<PlannedLine>,
  pending_id: Ledger.TransferId | null = null
): Plan => ({
  request: {
    _tag: "Transfer",
    key,
    type: "ADJUSTMENT",
    notes: "test",
    reference: `test:${key}`,
    asset: "EUR",
    legs: []
  },
  transfer_id: Ledger.TransferId.make(`00000000-0000-7000-8000-0000000000${key.padStart(2, "0")}`),
  kind,
  asset: "EUR",
  pending_id,
  lines
})

/**
 * A correct batch: set 1 moves 30 from alice to bob, set 2 locks 50 of alice's (a pending
 * transfer created by the batch), set 3 posts 20 of that lock to bob and keeps the rest.
 * Alice: 100 -> 70 -> 20 (+50 locked) -> 20 (+30 locked); bob: 0 -> 30 -> 50.
 */
const batch = () => {
  const book: Book = {
    holdings: new Map([
      [`${alice}/EUR`, holding(alice, 100n, { available: 20n, locked: 30n })],
      [`${bob}/EUR`, holding(bob, 0n, { available: 50n, locked: 0n })]
    ]),
    platform: new Map(),
    created: new Set()
  }
  const plans = [
    plan("1", "POSTED", [line(Ledger.available(alice), -30n, 70n), line(Ledger.available(bob), 30n, 30n)]),
    plan("2", "PENDING", [line(Ledger.available(alice), -50n, 20n), line(Ledger.locked(alice), 50n, 70n)]),
    plan("3", "POST_PENDING", [line(Ledger.locked(alice), -20n, 50n), line(Ledger.available(bob), 20n, 50n)], lockId)
  ]
  const created: PendingRow = {
    transfer_id: lockId,
    asset: "EUR",
    holder: alice,
    source: Ledger.available(alice),
    amount: 50n,
    remaining: 50n
  }
  return { book, plans, before: new Map([[lockId, created]]), after: new Map([[lockId, 30n]]) }
}

/** The tag and invariant of what `assertPlans` dies with, or "ok". */
const verdict = (effect: Effect.Effect<void>) => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return "ok"
  const defect = exit.cause.reasons.find(Cause.isDieReason)?.defect as
    | { readonly _tag: string; readonly invariant?: string }
    | undefined
  return `${defect?._tag}: ${defect?.invariant ?? ""}`
}

describe("Ledger invariants of a batch", () => {
  it("accept a batch whose sets share the book and post a pending transfer created in it", () => {
    const { after, before, book, plans } = batch()
    assert.strictEqual(verdict(assertPlans(book, plans, before, after)), "ok")
  })

  it("name a refused set's change left in the book", () => {
    const { after, before, book, plans } = batch()
    const state = book.holdings.get(`${bob}/EUR`)
    if (state !== undefined) state.available += 7n
    assert.strictEqual(
      verdict(assertPlans(book, plans, before, after)),
      "InconsistentBalance: a balance is its balance before plus its lines"
    )
  })

  it("name a balance_after out of the batch's sequence", () => {
    const { after, before, book, plans } = batch()
    const [first, second, third] = plans
    if (first === undefined || second === undefined || third === undefined) return assert.fail("no plans")
    // Bob's second credit computed from his balance before the batch, not after set 1.
    const wrong = {
      ...third,
      lines: [third.lines[0], line(Ledger.available(bob), 20n, 20n)].filter((l) => l !== undefined)
    }
    assert.strictEqual(
      verdict(assertPlans(book, [first, second, wrong], before, after)),
      "InconsistentBalance: balance_after is the holding after the line"
    )
  })

  it("name a created pending transfer whose remainder is not its amount less its posts", () => {
    const { before, book, plans } = batch()
    assert.strictEqual(
      verdict(assertPlans(book, plans, before, new Map([[lockId, 50n]]))),
      "InconsistentPending: a pending transfer's remainder is its amount less what its posts and voids took"
    )
  })

  it("name unbalanced lines", () => {
    const { after, before, book, plans } = batch()
    const [first, ...rest] = plans
    if (first === undefined) return assert.fail("no plans")
    const unbalanced = {
      ...first,
      lines: [line(Ledger.available(alice), -30n, 70n), line(Ledger.available(bob), 29n, 29n)]
    }
    assert.strictEqual(verdict(assertPlans(book, [unbalanced, ...rest], before, after)), "UnbalancedLines: ")
  })
})
