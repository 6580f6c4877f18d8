/**
 * Every status lifecycle of the platform as a transition table, and the one function that
 * moves along it. A transition that a table does not list is answered with an
 * {@link InvalidTransition} value naming the machine and both states, never a throw, so the
 * server, the database layer and the settlement package all enforce the same rules by
 * calling {@link transition}.
 *
 * A machine lists real changes only: staying in the same state is not a transition.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import * as Enums from "./Enums.ts"

/**
 * A finite state machine over the string states `S`.
 *
 * @category models
 * @since 0.1.0
 */
export interface StateMachine<S extends string> {
  /** The machine's name, as it appears in errors (the seed's enum name). */
  readonly name: string
  /** Every state, in the enum's order. */
  readonly states: ReadonlyArray<S>
  /** For each state, the states it may move to. */
  readonly table: { readonly [K in S]: ReadonlyArray<S> }
}

/**
 * The answer to a transition the machine does not allow.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  /** The machine's name (the enum's database name, such as "depositstatus"). */
  machine: Schema.String,
  /** The current state. */
  from: Schema.String,
  /** The state asked for. */
  to: Schema.String
}) {
  /** The error in a sentence a person can read. */
  override get message(): string {
    return `${this.machine}: cannot move from ${this.from} to ${this.to}`
  }
}

/**
 * Builds a machine from its states and its table; every state must have a row.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <const S extends string>(
  name: string,
  states: ReadonlyArray<S>,
  table: { readonly [K in S]: ReadonlyArray<S> }
): StateMachine<S> => ({ name, states, table })

/**
 * Whether `from -> to` is a listed transition.
 *
 * @category predicates
 * @since 0.1.0
 */
export const canTransition = <S extends string>(machine: StateMachine<S>, from: S, to: S): boolean =>
  machine.table[from].includes(to)

/**
 * Moves from `from` to `to`: the new state, or an {@link InvalidTransition} naming both.
 *
 * @category transitions
 * @since 0.1.0
 */
export const transition = <S extends string>(
  machine: StateMachine<S>,
  from: S,
  to: S
): Result.Result<S, InvalidTransition> =>
  canTransition(machine, from, to)
    ? Result.succeed(to)
    : Result.fail(new InvalidTransition({ machine: machine.name, from, to }))

/**
 * The states a machine may move to from `from`.
 *
 * @category getters
 * @since 0.1.0
 */
export const next = <S extends string>(machine: StateMachine<S>, from: S): ReadonlyArray<S> => machine.table[from]

/**
 * Whether a state has no way out.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isTerminal = <S extends string>(machine: StateMachine<S>, state: S): boolean =>
  machine.table[state].length === 0

// ---------------------------------------------------------------------------------------------
// The machines
// ---------------------------------------------------------------------------------------------

/**
 * The client onboarding stages, in order. ADMIN and MM are staff roles outside the flow.
 *
 * @category onboarding
 * @since 0.1.0
 */
export const onboardingStages = [
  "NDA",
  "KYC",
  "APPROVED",
  "FUNDING",
  "AML",
  "CEA",
  "CEA_SETTLE",
  "SWAP",
  "EUA_SETTLE",
  "EUA"
] as const satisfies ReadonlyArray<Enums.UserRole>

/**
 * A user's onboarding stage (`userrole`): NDA -> KYC -> APPROVED -> FUNDING -> AML -> CEA ->
 * CEA_SETTLE -> SWAP -> EUA_SETTLE -> EUA, and any client stage before EUA -> REJECTED.
 * AML -> FUNDING is also allowed: when AML rejects a deposit the client is not rejected, it
 * funds again. Staff roles (ADMIN, MM) and the end states (REJECTED, EUA) have no transition.
 *
 * @category machines
 * @since 0.1.0
 */
export const userRole = make("userrole", Enums.UserRole.literals, {
  ADMIN: [],
  MM: [],
  NDA: ["KYC", "REJECTED"],
  KYC: ["APPROVED", "REJECTED"],
  APPROVED: ["FUNDING", "REJECTED"],
  FUNDING: ["AML", "REJECTED"],
  AML: ["CEA", "FUNDING", "REJECTED"],
  CEA: ["CEA_SETTLE", "REJECTED"],
  CEA_SETTLE: ["SWAP", "REJECTED"],
  SWAP: ["EUA_SETTLE", "REJECTED"],
  EUA_SETTLE: ["EUA", "REJECTED"],
  EUA: [],
  REJECTED: []
})

/**
 * A contact request (`contactstatus`): NDA -> KYC (converted into a user) | REJECTED.
 *
 * @category machines
 * @since 0.1.0
 */
export const contactStatus = make("contactstatus", Enums.ContactStatus.literals, {
  NDA: ["KYC", "REJECTED"],
  KYC: [],
  REJECTED: []
})

/**
 * An entity's KYC review (`kycstatus`): PENDING -> APPROVED | REJECTED.
 *
 * @category machines
 * @since 0.1.0
 */
export const kycStatus = make("kycstatus", Enums.KycStatus.literals, {
  PENDING: ["APPROVED", "REJECTED"],
  APPROVED: [],
  REJECTED: []
})

/**
 * A KYC document (`documentstatus`): PENDING -> APPROVED | REJECTED. A rejected document is
 * replaced by a new upload, never edited.
 *
 * @category machines
 * @since 0.1.0
 */
export const documentStatus = make("documentstatus", Enums.DocumentStatus.literals, {
  PENDING: ["APPROVED", "REJECTED"],
  APPROVED: [],
  REJECTED: []
})

/**
 * An order (`orderstatus`): OPEN -> PARTIALLY_FILLED -> FILLED, OPEN -> FILLED (filled at
 * once), and OPEN | PARTIALLY_FILLED -> CANCELLED.
 *
 * @category machines
 * @since 0.1.0
 */
export const orderStatus = make("orderstatus", Enums.OrderStatus.literals, {
  OPEN: ["PARTIALLY_FILLED", "FILLED", "CANCELLED"],
  PARTIALLY_FILLED: ["FILLED", "CANCELLED"],
  FILLED: [],
  CANCELLED: []
})

/**
 * A wire deposit (`depositstatus`): PENDING (announced) -> CONFIRMED (wire received and
 * matched) -> ON_HOLD (AML hold placed) -> CLEARED (credited to available), and PENDING |
 * CONFIRMED | ON_HOLD -> REJECTED.
 *
 * @category machines
 * @since 0.1.0
 */
export const depositStatus = make("depositstatus", Enums.DepositStatus.literals, {
  PENDING: ["CONFIRMED", "REJECTED"],
  CONFIRMED: ["ON_HOLD", "REJECTED"],
  ON_HOLD: ["CLEARED", "REJECTED"],
  CLEARED: [],
  REJECTED: []
})

/**
 * A deposit's AML review (`amlstatus`), mirroring its hold: PENDING -> ON_HOLD -> CLEARED |
 * REJECTED, and PENDING -> REJECTED (a deposit refused before any hold).
 *
 * @category machines
 * @since 0.1.0
 */
export const amlStatus = make("amlstatus", Enums.AmlStatus.literals, {
  PENDING: ["ON_HOLD", "REJECTED"],
  ON_HOLD: ["CLEARED", "REJECTED"],
  CLEARED: [],
  REJECTED: []
})

/**
 * A withdrawal (`withdrawalstatus`): PENDING -> PROCESSING -> COMPLETED, and PENDING |
 * PROCESSING -> REJECTED.
 *
 * @category machines
 * @since 0.1.0
 */
export const withdrawalStatus = make("withdrawalstatus", Enums.WithdrawalStatus.literals, {
  PENDING: ["PROCESSING", "REJECTED"],
  PROCESSING: ["COMPLETED", "REJECTED"],
  COMPLETED: [],
  REJECTED: []
})

/**
 * A settlement batch (`settlementstatus`): PENDING -> TRANSFER_INITIATED -> IN_TRANSIT ->
 * AT_CUSTODY -> SETTLED, and any state before SETTLED -> FAILED.
 *
 * @category machines
 * @since 0.1.0
 */
export const settlementStatus = make("settlementstatus", Enums.SettlementStatus.literals, {
  PENDING: ["TRANSFER_INITIATED", "FAILED"],
  TRANSFER_INITIATED: ["IN_TRANSIT", "FAILED"],
  IN_TRANSIT: ["AT_CUSTODY", "FAILED"],
  AT_CUSTODY: ["SETTLED", "FAILED"],
  SETTLED: [],
  FAILED: []
})

/**
 * A swap request (`swapstatus`): OPEN -> MATCHED -> COMPLETED, and OPEN | MATCHED -> CANCELLED.
 *
 * @category machines
 * @since 0.1.0
 */
export const swapStatus = make("swapstatus", Enums.SwapStatus.literals, {
  OPEN: ["MATCHED", "CANCELLED"],
  MATCHED: ["COMPLETED", "CANCELLED"],
  COMPLETED: [],
  CANCELLED: []
})

/**
 * A trade record (`tradestatus`): PENDING -> CONFIRMED -> COMPLETED, and PENDING | CONFIRMED ->
 * CANCELLED.
 *
 * @category machines
 * @since 0.1.0
 */
export const tradeStatus = make("tradestatus", Enums.TradeStatus.literals, {
  PENDING: ["CONFIRMED", "CANCELLED"],
  CONFIRMED: ["COMPLETED", "CANCELLED"],
  COMPLETED: [],
  CANCELLED: []
})

/**
 * A certificate in inventory (`certificatestatus`): AVAILABLE -> RESERVED -> SOLD, and
 * RESERVED -> AVAILABLE (a reservation released).
 *
 * @category machines
 * @since 0.1.0
 */
export const certificateStatus = make("certificatestatus", Enums.CertificateStatus.literals, {
  AVAILABLE: ["RESERVED"],
  RESERVED: ["SOLD", "AVAILABLE"],
  SOLD: []
})

/**
 * Every machine of the platform, by the seed's enum name.
 *
 * @category machines
 * @since 0.1.0
 */
export const all = {
  /** The `userrole` machine. */
  userrole: userRole,
  /** The `contactstatus` machine. */
  contactstatus: contactStatus,
  /** The `kycstatus` machine. */
  kycstatus: kycStatus,
  /** The `documentstatus` machine. */
  documentstatus: documentStatus,
  /** The `orderstatus` machine. */
  orderstatus: orderStatus,
  /** The `depositstatus` machine. */
  depositstatus: depositStatus,
  /** The `amlstatus` machine. */
  amlstatus: amlStatus,
  /** The `withdrawalstatus` machine. */
  withdrawalstatus: withdrawalStatus,
  /** The `settlementstatus` machine. */
  settlementstatus: settlementStatus,
  /** The `swapstatus` machine. */
  swapstatus: swapStatus,
  /** The `tradestatus` machine. */
  tradestatus: tradeStatus,
  /** The `certificatestatus` machine. */
  certificatestatus: certificateStatus
} as const
