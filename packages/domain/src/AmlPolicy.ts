/**
 * The AML hold policy: when an admin confirms that a deposit's wire has arrived, the funds
 * are held for review before they can be used. This module decides the kind of hold and
 * its length in business days, from the deposit, the entity's earlier deposits and a
 * policy config. The server turns the length into `hold_until` on the TARGET calendar (the
 * `@niha/settlement` package), and admins may still clear early or reject, with a reason.
 *
 * The rules (DESIGN.md):
 * - FIRST_DEPOSIT: the entity has no earlier CLEARED deposit.
 * - LARGE_AMOUNT: the amount is at or above the configured threshold.
 * - SUBSEQUENT: neither.
 *
 * When both FIRST_DEPOSIT and LARGE_AMOUNT apply, the longer configured hold is placed
 * (on a tie, FIRST_DEPOSIT, the first rule above), so that raising one hold in the config
 * can never shorten another. The decision lists every rule that applied.
 *
 * Defaults and why ({@link defaults}):
 * - FIRST_DEPOSIT, 3 business days: an entity's first wire has no history behind it; the
 *   hold leaves time to check that the remitting account is in the entity's own name and
 *   matches its KYC file, to screen the remitter, and for the sending bank to recall a
 *   misdirected or unauthorised transfer before the funds are used.
 * - LARGE_AMOUNT, 2 business days, from EUR 100,000.00: a large wire from a known remitter
 *   gets enhanced review (source of funds, a second reviewer), one day more than usual.
 *   EUR 100,000 is about ten thousand CEA at current prices, a large ticket for this client
 *   base; operators tune it in the config.
 * - SUBSEQUENT, 1 business day: a known remitter; one business day covers automated
 *   screening and a review the next morning of a wire that arrived late in the day.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as Enums from "./Enums.ts"
import type * as Ids from "./Ids.ts"
import * as Money from "./Money.ts"

const holdDays = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60 }))

/**
 * The policy config: the large-amount threshold and the hold length, in business days, of
 * each hold type (0 to 60 each). Admins change it (the server keeps it in
 * `funding_settings`); a value this schema refuses is never stored. A zero threshold is
 * refused: it would make every deposit LARGE_AMOUNT, which is not a threshold.
 *
 * @category config
 * @since 0.1.0
 */
export const Config = Schema.Struct({
  /** Deposits at or above this amount get a LARGE_AMOUNT hold; more than zero. */
  large_amount_threshold: Money.CentsFromString.check(
    Schema.makeFilter((cents: number) => cents > 0 ? undefined : "must be greater than zero")
  ),
  /** The hold length of each hold type, in business days. */
  hold_business_days: Schema.Struct({
    /** Hold of an entity's first deposit. */
    FIRST_DEPOSIT: holdDays,
    /** Hold of any other deposit. */
    SUBSEQUENT: holdDays,
    /** Hold of a deposit at or above the threshold. */
    LARGE_AMOUNT: holdDays
  })
}).annotate({ identifier: "AmlPolicyConfig" })

/**
 * @category config
 * @since 0.1.0
 */
export type Config = typeof Config.Type

/**
 * The default policy: FIRST_DEPOSIT 3 business days, LARGE_AMOUNT 2 from EUR 100,000.00,
 * SUBSEQUENT 1 (the reasons are in the module's description).
 *
 * @category config
 * @since 0.1.0
 */
export const defaults: Config = {
  large_amount_threshold: Money.Cents.make(10_000_000),
  hold_business_days: {
    FIRST_DEPOSIT: 3,
    SUBSEQUENT: 1,
    LARGE_AMOUNT: 2
  }
}

/**
 * What the policy reads of the deposit being confirmed (a `Funds.Deposit` is one).
 *
 * @category models
 * @since 0.1.0
 */
export interface DepositFacts {
  /** The deposit being confirmed. */
  readonly id: Ids.DepositId
  /** The entity that sent it. */
  readonly entity_id: Ids.EntityId
  /** Its amount. */
  readonly amount: Money.Cents
}

/**
 * What the policy reads of an earlier deposit (a `Funds.Deposit` is one).
 *
 * @category models
 * @since 0.1.0
 */
export interface EarlierDeposit {
  /** The earlier deposit. */
  readonly id: Ids.DepositId
  /** The entity that sent it. */
  readonly entity_id: Ids.EntityId
  /** Its status; only CLEARED counts as history. */
  readonly status: Enums.DepositStatus
}

/**
 * The hold to place: its type, its length in business days, and every rule that applied
 * (the first is the one whose hold was placed).
 *
 * @category models
 * @since 0.1.0
 */
export interface Decision {
  /** The kind of hold to place. */
  readonly hold_type: Enums.HoldType
  /** Its length in business days. */
  readonly hold_business_days: number
  /** Every rule that applied, the placed one first. */
  readonly applied: ReadonlyArray<Enums.HoldType>
}

/**
 * Decides the hold of a deposit being confirmed. Earlier deposits of other entities, the
 * deposit itself, and deposits that never cleared (pending, held or rejected) do not count
 * as history.
 *
 * @category policy
 * @since 0.1.0
 */
export const decide = (
  deposit: DepositFacts,
  earlierDeposits: Iterable<EarlierDeposit>,
  config: Config = defaults
): Decision => {
  let hasClearedBefore = false
  for (const earlier of earlierDeposits) {
    if (earlier.entity_id === deposit.entity_id && earlier.id !== deposit.id && earlier.status === "CLEARED") {
      hasClearedBefore = true
      break
    }
  }
  const applied: Array<Enums.HoldType> = []
  if (!hasClearedBefore) applied.push("FIRST_DEPOSIT")
  if (deposit.amount >= config.large_amount_threshold) applied.push("LARGE_AMOUNT")
  if (applied.length === 0) applied.push("SUBSEQUENT")
  // Longest hold first; the sort is stable, so a tie keeps the rule order above.
  applied.sort((a, b) => config.hold_business_days[b] - config.hold_business_days[a])
  const [placed = "SUBSEQUENT"] = applied
  return { hold_type: placed, hold_business_days: config.hold_business_days[placed], applied }
}
