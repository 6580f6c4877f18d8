/**
 * Which failures of a money-moving service are refusals to put on the audit trail
 * (`Audit.recordRefusal`): the domain's answers to the caller (not permitted, not found,
 * a transition the machines refuse, a conflict, a limit, the balance), never a database
 * failure or a defect, which are the platform's, not the caller's.
 *
 * @internal
 */
import { Errors, type Parties, StateMachine } from "@niha/domain"
import * as Effect from "effect/Effect"
import * as SqlClient from "effect/sql/SqlClient"
import * as Audit from "../Audit.ts"

/** Whether a failure is a domain refusal of the caller's attempt. */
export const isRefusal = (error: unknown): boolean =>
  error instanceof Errors.NotPermitted ||
  error instanceof Errors.NotFound ||
  error instanceof StateMachine.InvalidTransition ||
  error instanceof Errors.Conflict ||
  error instanceof Errors.LimitExceeded ||
  error instanceof Errors.InsufficientFunds

/**
 * The refusal recorder of a service on `sql`: `refused(actor, action, table, id, input)`
 * wraps an attempt so that its domain refusals are put on the audit trail, on the subject
 * row, or on the entity before the row exists.
 */
export const refusalRecorder = (sql: SqlClient.SqlClient) =>
(
  actor: Parties.User,
  action: string,
  subject_table: string,
  subject_id: string | null,
  input: Audit.Json
) =>
<A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Audit.refusalsOf(isRefusal, { user_id: actor.id, action, subject_table, subject_id: subject_id ?? undefined, input })(
    effect
  ).pipe(Effect.provideService(SqlClient.SqlClient, sql))
