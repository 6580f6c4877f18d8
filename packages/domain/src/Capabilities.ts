/**
 * Who may do what: one table from each action of the platform to the roles allowed to do
 * it, and the pure check the server runs on every request. A role is a staff role (ADMIN,
 * MM) or a client's onboarding stage (NDA ... EUA), so the same table answers "may an
 * admin configure fees?" and "may a client at FUNDING place a CEA order?".
 *
 * The client stages unlock the business in order (DESIGN.md): a client announces deposits
 * once approved, buys CEA from the CEA stage onwards (and may keep buying later), swaps CEA
 * for EUA from the SWAP stage onwards, and withdraws once its first deposit has cleared
 * (the CEA stage). REJECTED may do nothing.
 *
 * @since 0.1.0
 */
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Enums from "./Enums.ts"
import * as Errors from "./Errors.ts"
import * as StateMachine from "./StateMachine.ts"

/**
 * An action a request performs.
 *
 * @category actions
 * @since 0.1.0
 */
export const Action = Schema.Literals([
  // client actions
  "view_own_account",
  "upload_kyc_document",
  "view_market_data",
  "announce_deposit",
  "place_cea_order",
  "cancel_own_order",
  "request_swap",
  "request_withdrawal",
  // market-maker actions
  "place_market_maker_order",
  // admin actions
  "manage_contact_requests",
  "review_kyc",
  "manage_users",
  "confirm_deposit",
  "decide_aml_hold",
  "process_withdrawal",
  "run_market_makers",
  "configure_fees",
  "configure_funding",
  "manage_settlement",
  "place_seller_order",
  "configure_platform",
  "view_audit_log",
  "adjust_balances"
])

/**
 * @category actions
 * @since 0.1.0
 */
export type Action = typeof Action.Type

const stagesFrom = (first: (typeof StateMachine.onboardingStages)[number]): ReadonlyArray<Enums.UserRole> =>
  StateMachine.onboardingStages.slice(StateMachine.onboardingStages.indexOf(first))

/**
 * The client stages from CEA onwards: funds cleared, CEA may be bought.
 *
 * @category roles
 * @since 0.1.0
 */
export const tradingStages: ReadonlyArray<Enums.UserRole> = stagesFrom("CEA")

/**
 * The client stages from APPROVED onwards: KYC passed.
 *
 * @category roles
 * @since 0.1.0
 */
export const approvedStages: ReadonlyArray<Enums.UserRole> = stagesFrom("APPROVED")

/**
 * The client stages from SWAP onwards: the CEA purchase has settled, EUA may be swapped for.
 *
 * @category roles
 * @since 0.1.0
 */
export const swapStages: ReadonlyArray<Enums.UserRole> = stagesFrom("SWAP")

/**
 * The capability table: for each action, the roles that may perform it. Admins run the
 * back office but do not trade or move client funds on their own account; market makers
 * place orders through their market-maker account only.
 *
 * @category table
 * @since 0.1.0
 */
export const table: { readonly [A in Action]: ReadonlyArray<Enums.UserRole> } = {
  view_own_account: [...StateMachine.onboardingStages, "ADMIN", "MM"],
  upload_kyc_document: ["KYC"],
  view_market_data: [...approvedStages, "ADMIN", "MM"],
  announce_deposit: approvedStages,
  place_cea_order: tradingStages,
  cancel_own_order: [...tradingStages, "MM"],
  request_swap: swapStages,
  request_withdrawal: tradingStages,
  place_market_maker_order: ["MM", "ADMIN"],
  manage_contact_requests: ["ADMIN"],
  review_kyc: ["ADMIN"],
  manage_users: ["ADMIN"],
  confirm_deposit: ["ADMIN"],
  decide_aml_hold: ["ADMIN"],
  process_withdrawal: ["ADMIN"],
  run_market_makers: ["ADMIN"],
  configure_fees: ["ADMIN"],
  configure_funding: ["ADMIN"],
  manage_settlement: ["ADMIN"],
  // An admin places, lists and cancels an external seller's sell orders on its behalf.
  place_seller_order: ["ADMIN"],
  configure_platform: ["ADMIN"],
  view_audit_log: ["ADMIN"],
  adjust_balances: ["ADMIN"]
}

/**
 * Whether `role` may perform `action`.
 *
 * @category checks
 * @since 0.1.0
 */
export const can = (role: Enums.UserRole, action: Action): boolean => table[action].includes(role)

/**
 * The check the server runs for every request: succeeds with nothing, or fails with a
 * {@link Errors.NotPermitted} naming the action, the role and the roles that may.
 *
 * @category checks
 * @since 0.1.0
 */
export const check = (role: Enums.UserRole, action: Action): Result.Result<void, Errors.NotPermitted> =>
  can(role, action)
    ? Result.void
    : Result.fail(new Errors.NotPermitted({ action, role, allowed: table[action] }))

/**
 * Every action a role may perform, in the order of {@link Action}.
 *
 * @category checks
 * @since 0.1.0
 */
export const actionsOf = (role: Enums.UserRole): ReadonlyArray<Action> =>
  Action.literals.filter((action) => can(role, action))
