/**
 * The ledger's assertions, checked after a linked set is planned and before anything is
 * written, by recomputing from the plans alone what the book and the pending remainders
 * must be: every transfer's lines sum to zero; every account ends at its balance before
 * plus its lines, within its limit; each entity line's `balance_after` is the holding
 * after it; each pending transfer's remainder is what it was less what the set took from
 * it, within 0 to its amount. A failed assertion is a bug or a corrupt database, never a
 * refusal: the ledger dies with the error naming the invariant, and the transaction rolls
 * back.
 */
import * as Effect from "effect/Effect"
import { type Book, holdingKey, limits, platformKey } from "./accounts.ts"
import { InconsistentBalance, InconsistentPending, type InvariantViolation, UnbalancedLines } from "./errors.ts"
import type { Plan } from "./lines.ts"
import type { TransferId } from "./model.ts"
import type { PendingRow } from "./pending.ts"

const balance = (account: string, invariant: string, expected: bigint, actual: bigint) =>
  expected === actual ? undefined : new InconsistentBalance({
    account,
    expected: String(expected),
    actual: String(actual),
    invariant
  })

/** Every transfer's lines sum to zero. */
const balanced = (plans: ReadonlyArray<Plan>): InvariantViolation | undefined => {
  for (const plan of plans) {
    const sum = plan.lines.reduce((total, line) => total + line.amount, 0n)
    if (sum !== 0n) return new UnbalancedLines({ key: plan.request.key, sum: String(sum) })
  }
  return undefined
}

/** Every entity account ends at its balance before plus its lines; each `balance_after` is the holding after its line. */
const holdingsAgree = (book: Book, plans: ReadonlyArray<Plan>): InvariantViolation | undefined => {
  const running = new Map<string, { available: bigint; locked: bigint }>()
  for (const [key, holding] of book.holdings) running.set(key, { ...holding.before })
  for (const plan of plans) {
    for (const line of plan.lines) {
      if (line.entity_id === null) continue
      const key = holdingKey(line.entity_id, plan.asset)
      const state = running.get(key)
      if (state === undefined) return balance(key, "every account a transfer moves is locked", 1n, 0n)
      if (line.account === "AVAILABLE") state.available += line.amount
      else state.locked += line.amount
      const after = balance(
        key,
        "balance_after is the holding after the line",
        state.available + state.locked,
        line.balance_after ?? -1n
      )
      if (after !== undefined) return after
    }
  }
  for (const [key, holding] of book.holdings) {
    const state = running.get(key) ?? holding.before
    const problem = balance(
      `${key}/AVAILABLE`,
      "a balance is its balance before plus its lines",
      state.available,
      holding.available
    ) ??
      balance(`${key}/LOCKED`, "a balance is its balance before plus its lines", state.locked, holding.locked)
    if (problem !== undefined) return problem
    if (holding.available < 0n || holding.locked < 0n) {
      return balance(
        key,
        "an entity's balances never go below zero",
        0n,
        holding.available < 0n ? holding.available : holding.locked
      )
    }
  }
  return undefined
}

/** Every platform account ends at its balance before plus its lines, within its limit. */
const platformAgrees = (book: Book, plans: ReadonlyArray<Plan>): InvariantViolation | undefined => {
  const sums = new Map<string, bigint>()
  for (const plan of plans) {
    for (const line of plan.lines) {
      if (line.entity_id !== null || line.account === "AVAILABLE" || line.account === "LOCKED") continue
      if (line.amount < 0n && limits[line.account] === "credit_only") {
        return balance(platformKey(line.account, plan.asset), "FEES is credit-only", 0n, line.amount)
      }
      const key = platformKey(line.account, plan.asset)
      sums.set(key, (sums.get(key) ?? 0n) + line.amount)
    }
  }
  for (const [key, state] of book.platform) {
    const problem = balance(
      key,
      "a balance is its balance before plus its lines",
      state.before + (sums.get(key) ?? 0n),
      state.balance
    )
    if (problem !== undefined) return problem
    if (limits[state.name] !== "none" && state.balance < 0n) {
      return balance(key, `${state.name} never goes below zero`, 0n, state.balance)
    }
  }
  return undefined
}

/** Each pending transfer's remainder is what it was less what the set took from it, within 0 to its amount. */
const pendingAgrees = (
  plans: ReadonlyArray<Plan>,
  before: ReadonlyMap<TransferId, PendingRow>,
  after: ReadonlyMap<TransferId, bigint>
): InvariantViolation | undefined => {
  for (const [transfer_id, row] of before) {
    let taken = 0n
    for (const plan of plans) {
      if (plan.pending_id !== transfer_id) continue
      for (const line of plan.lines) {
        if (line.account === "LOCKED" && line.entity_id === row.holder && line.amount < 0n) taken -= line.amount
      }
    }
    const remaining = after.get(transfer_id) ?? row.remaining
    const invariant = remaining < 0n || remaining > row.amount
      ? "a pending transfer's remainder is within 0 to its amount"
      : remaining === row.remaining - taken
      ? undefined
      : "a pending transfer's remainder is its amount less what its posts and voids took"
    if (invariant !== undefined) {
      return new InconsistentPending({
        transfer_id,
        expected: String(row.remaining - taken),
        actual: String(remaining),
        invariant
      })
    }
  }
  return undefined
}

/** Asserts every invariant of a planned set against the book; dies naming the first one broken. */
export const assertPlans = (
  book: Book,
  plans: ReadonlyArray<Plan>,
  pendingBefore: ReadonlyMap<TransferId, PendingRow>,
  pendingAfter: ReadonlyMap<TransferId, bigint>
): Effect.Effect<void> => {
  const broken = balanced(plans) ?? holdingsAgree(book, plans) ?? platformAgrees(book, plans) ??
    pendingAgrees(plans, pendingBefore, pendingAfter)
  return broken === undefined ? Effect.void : Effect.die(broken)
}
