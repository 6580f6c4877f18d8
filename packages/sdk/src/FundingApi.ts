/**
 * Funding, as the group `funding` of the API: money in, money out, and what an entity holds.
 *
 * 1. A client user announces a wire (`POST /deposits`; its stage moves APPROVED ->
 *    FUNDING at the first one).
 * 2. An admin confirms what the bank received (`POST /admin/deposits/{id}/confirm`), at
 *    the amount received: the money is held for AML review in the entity's locked EUR
 *    for the business days of `AmlPolicy` of `@niha/domain`, to a date on the TARGET
 *    calendar (the client moves FUNDING -> AML).
 * 3. The hold is released by the server on its date, or earlier by an admin
 *    (`/clear`, with a reason), or the deposit is rejected (`/reject`, with a reason: a
 *    held amount goes back). Only cleared money is available (the client moves AML -> CEA).
 *    An admin may put a held deposit on manual review (`/review`): the server then leaves
 *    it held on its date until the review ends (`/end-review`; released at once when its
 *    date has come).
 * 4. Admins set the AML hold policy and the withdrawal limits
 *    (`/admin/funding-settings/...`); the next confirmation or withdrawal request uses them.
 *
 * Holdings show, per asset, the available and locked balance and what the locked part is
 * locked for (`locked_for`: AML holds, withdrawals, orders; the parts sum to `locked`).
 *
 * Amounts are decimal strings of EUR (`"1234.50"`), never floating-point numbers. A client
 * sees its own entity's deposits and holdings; another entity's id answers 404.
 *
 * @since 0.1.0
 */
import { AmlPolicy, Banking, FundingSettings, Funds, Ids, Money, Text, WithdrawalPolicy } from "@niha/domain"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as OpenApi from "effect/http-api/OpenApi"
import * as Schema from "effect/Schema"
import * as ApiError from "./ApiError.ts"
import { Authentication } from "./Authentication.ts"
import * as IdempotencyKey from "./IdempotencyKey.ts"
import * as Pagination from "./Pagination.ts"

/**
 * A positive EUR amount as a decimal string with at most two decimals (`"1234.50"`).
 *
 * @category inputs
 * @since 0.1.0
 */
export const Amount = Money.CentsFromString.check(
  Schema.makeFilter((cents: number) => cents > 0 ? undefined : "must be greater than zero")
).annotate({ identifier: "Amount", description: "A positive EUR amount, e.g. \"1234.50\"." })

/**
 * A deposit as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Deposit = Funds.Deposit.json.annotate({ identifier: "Deposit" })

/**
 * An entity's balance of one asset: available, and locked (held for AML, for a
 * withdrawal, for an order).
 *
 * @category models
 * @since 0.1.0
 */
export const Holding = Funds.EntityHolding.json.annotate({ identifier: "Holding" })

/**
 * An entity's balance of one asset as `holdings` shows it: the {@link Holding} with what
 * its locked part is locked for (`locked_for`: `aml_holds`, `withdrawals`, `orders`,
 * `other`; the parts sum to `locked`). EUR in decimal strings of euros, CEA and EUA in
 * whole tonnes.
 *
 * @category models
 * @since 0.1.0
 */
export const Balance = Funds.Balance.annotate({ identifier: "Balance" })

/**
 * The funding settings admins change: the AML hold policy and the withdrawal limits.
 *
 * @category models
 * @since 0.1.0
 */
export const Settings = FundingSettings.Settings

/**
 * One line of an entity's journal: a movement of one of its accounts, with the balance
 * after it.
 *
 * @category models
 * @since 0.1.0
 */
export const JournalLine = Funds.AssetTransaction.json.annotate({ identifier: "JournalLine" })

/**
 * A withdrawal as the API shows it.
 *
 * @category models
 * @since 0.1.0
 */
export const Withdrawal = Funds.Withdrawal.json.annotate({ identifier: "Withdrawal" })

/**
 * A withdrawal as a client asks for it.
 *
 * @category inputs
 * @since 0.1.0
 */
export const WithdrawalRequest = Schema.Struct({
  /** The amount. */
  amount: Amount,
  /** The account holder's name. */
  beneficiary_name: Text.Line(140),
  /** The IBAN; spaces and lower case are accepted, the check digits are checked. */
  iban: Banking.IbanInput,
  /** The BIC, if the bank needs one. */
  bic: Schema.optionalKey(Banking.BicInput)
}).annotate({ identifier: "WithdrawalRequest" })

const reason = Schema.Struct({
  /** Why, as the client will read it. */
  reason: Text.Line(1000)
})

/**
 * The group `funding`.
 *
 * @category groups
 * @since 0.1.0
 */
export class FundingApi extends HttpApiGroup.make("funding")
  .add(
    HttpApiEndpoint.post("announceDeposit", "/deposits", {
      headers: IdempotencyKey.headers,
      payload: Schema.Struct({
        /** The amount the client sends. */
        amount: Amount,
        /** The client's own reference on the wire. */
        wire_reference: Text.Line(140)
      }),
      success: Deposit.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Announce a wire to the platform's account"),
    HttpApiEndpoint.get("listDeposits", "/deposits", {
      query: {
        ...Pagination.query(Ids.DepositId),
        /** For an admin: the deposits of one entity. */
        entity_id: Schema.optionalKey(Ids.EntityId)
      },
      success: Pagination.Page(Deposit),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Deposits: the caller's entity's, or any entity's for an admin"),
    HttpApiEndpoint.get("getDeposit", "/deposits/:id", {
      params: { id: Ids.DepositId },
      success: Deposit,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One deposit"),
    HttpApiEndpoint.post("confirmDeposit", "/admin/deposits/:id/confirm", {
      params: { id: Ids.DepositId },
      headers: IdempotencyKey.headers,
      payload: Schema.Struct({
        /** The bank's reference of the incoming wire. */
        bank_reference: Text.Line(140),
        /** The amount actually received; the deposit is booked at it. */
        received_amount: Amount
      }),
      success: Deposit,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Confirm what the bank received; the deposit goes on AML hold"),
    HttpApiEndpoint.post("clearDeposit", "/admin/deposits/:id/clear", {
      params: { id: Ids.DepositId },
      headers: IdempotencyKey.headers,
      payload: reason,
      success: Deposit,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Clear an AML hold before its date"),
    HttpApiEndpoint.post("rejectDeposit", "/admin/deposits/:id/reject", {
      params: { id: Ids.DepositId },
      headers: IdempotencyKey.headers,
      payload: reason,
      success: Deposit,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reject a deposit; a held amount goes back"),
    HttpApiEndpoint.post("reviewDeposit", "/admin/deposits/:id/review", {
      params: { id: Ids.DepositId },
      headers: IdempotencyKey.headers,
      payload: reason,
      success: Deposit,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Put a held deposit on manual review: it stays held on its release date"),
    HttpApiEndpoint.post("endDepositReview", "/admin/deposits/:id/end-review", {
      params: { id: Ids.DepositId },
      headers: IdempotencyKey.headers,
      payload: reason,
      success: Deposit,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "End a deposit's manual review; released at once when its date has come"),
    HttpApiEndpoint.get("getSettings", "/admin/funding-settings", {
      success: Settings,
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "The AML hold policy and the withdrawal limits in force"),
    HttpApiEndpoint.put("setAmlPolicy", "/admin/funding-settings/aml-policy", {
      payload: AmlPolicy.Config,
      success: Settings,
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Set the AML hold lengths and the LARGE_AMOUNT threshold"),
    HttpApiEndpoint.put("setWithdrawalLimits", "/admin/funding-settings/withdrawal-limits", {
      payload: WithdrawalPolicy.Config,
      success: Settings,
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Set the withdrawal minimum and the limits per 24 hours and per 7 days"),
    HttpApiEndpoint.post("requestWithdrawal", "/withdrawals", {
      headers: IdempotencyKey.headers,
      payload: WithdrawalRequest,
      success: Withdrawal.pipe(HttpApiSchema.status(201)),
      error: [ApiError.Forbidden, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Ask for a withdrawal; the amount is locked at once"),
    HttpApiEndpoint.get("listWithdrawals", "/withdrawals", {
      query: {
        ...Pagination.query(Ids.WithdrawalId),
        /** For an admin: the withdrawals of one entity. */
        entity_id: Schema.optionalKey(Ids.EntityId)
      },
      success: Pagination.Page(Withdrawal),
      error: ApiError.Forbidden
    }).annotate(OpenApi.Summary, "Withdrawals: the caller's entity's, or any entity's for an admin"),
    HttpApiEndpoint.get("getWithdrawal", "/withdrawals/:id", {
      params: { id: Ids.WithdrawalId },
      success: Withdrawal,
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "One withdrawal"),
    HttpApiEndpoint.post("processWithdrawal", "/admin/withdrawals/:id/process", {
      params: { id: Ids.WithdrawalId },
      headers: IdempotencyKey.headers,
      success: Withdrawal,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Start the payout of a withdrawal"),
    HttpApiEndpoint.post("approveWithdrawal", "/admin/withdrawals/:id/approve", {
      params: { id: Ids.WithdrawalId },
      success: Withdrawal,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Approve, as a second admin, a first withdrawal to a new beneficiary"),
    HttpApiEndpoint.post("completeWithdrawal", "/admin/withdrawals/:id/complete", {
      params: { id: Ids.WithdrawalId },
      headers: IdempotencyKey.headers,
      payload: Schema.Struct({
        /** The bank's reference of the outgoing wire. */
        bank_reference: Text.Line(140)
      }),
      success: Withdrawal,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Record the wire sent; the locked amount leaves"),
    HttpApiEndpoint.post("rejectWithdrawal", "/admin/withdrawals/:id/reject", {
      params: { id: Ids.WithdrawalId },
      headers: IdempotencyKey.headers,
      payload: reason,
      success: Withdrawal,
      error: [ApiError.Forbidden, ApiError.NotFound, ApiError.Conflict]
    }).annotate(OpenApi.Summary, "Reject a withdrawal; the locked amount is released"),
    HttpApiEndpoint.get("journal", "/entities/:id/journal", {
      params: { id: Ids.EntityId },
      query: Pagination.query(Ids.AssetTransactionId),
      success: Pagination.Page(JournalLine),
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "An entity's journal lines, oldest first"),
    HttpApiEndpoint.get("holdings", "/entities/:id/holdings", {
      params: { id: Ids.EntityId },
      success: Schema.Array(Balance),
      error: ApiError.NotFound
    }).annotate(OpenApi.Summary, "An entity's balances per asset: available, locked, and what is locked for what")
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Funding", description: "Deposits, withdrawals and holdings." }))
{}
